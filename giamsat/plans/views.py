"""Plans' pages: every unit's execution for a year (the ministry's view), a unit's plan with its
baselines, and a task with its history, evidence and the forms of the unit and the assigner.
Thin: every write goes through tracking.services / plans.services; a refusal is a 403 page."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections import OrderedDict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Prefetch, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from giamsat.accounts.choices import Domain, ScopeKind
from giamsat.accounts.models import User
from giamsat.accounts.selectors import unit_filter_choices, user_scope
from giamsat.tracking import services as tracking
from giamsat.tracking.choices import DONE_STATUSES, ExtensionState, Review, WorkAction, WorkStatus
from giamsat.tracking.models import Attachment, Baseline, Extension, ProgressReport, WorkEvent, WorkItem
from giamsat.tracking.permissions import can_assign, can_report, can_report_for, can_review, ensure
from giamsat.tracking.selectors import baseline_compare

from . import selectors, services
from .choices import UNGROUPED
from .forms import (
    BaselineForm,
    CommentForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    ProgressForm,
    ReviewForm,
    TaskCreateForm,
    TaskFilterForm,
)
from .models import AssigningDocument, Plan, Task

TASKS_PER_PAGE = 50
PLAN_TASKS_PER_PAGE = 50  # top-level tasks on a plan's page, each with its sub-tasks
GANTT_MAX = 150  # bars drawn on a timeline; the list below pages through the rest
DUE_SOON_DAYS = 7
FIELD_LABELS = {
    "title": _lazy("title"),
    "description": _lazy("description"),
    "deliverable": _lazy("deliverable"),
    "start_date": _lazy("start"),
    "due_date": pgettext_lazy("task", "deadline"),
    "completed_on": _lazy("completed on"),
    "progress": _lazy("progress (%)"),
    "assignee": _lazy("person in charge"),
    "assigned_by_unit": _lazy("assigning body"),
}


def today() -> dt.date:
    """Today in Vietnam (monkeypatched by tests)."""
    return timezone.localdate()


# --- shared bits ---------------------------------------------------------------------------------


def _status_label(status: str) -> str:
    return WorkStatus(status).label if status else ""


def _gantt(tasks, baseline: Baseline | None = None) -> dict:
    """Bars from start (or the creation day) to the deadline, coloured by status; the baseline's
    deadline as a mark when one is chosen."""
    then = {}
    if baseline is not None:
        then = dict(baseline.items.filter(item_id__in=[t.pk for t in tasks]).values_list("item_id", "due_date"))
    rows = []
    for task in tasks:
        item = task.item
        start = item.start_date or timezone.localtime(item.created_at).date()
        start = min(start, item.due_date)
        rows.append(
            {
                "name": (f"{task.number} " if task.number else "") + item.title[:80],
                "unit": item.owner_unit.display_name if hasattr(item, "owner_unit") else "",
                "start": start.isoformat(),
                "due": item.due_date.isoformat(),
                "done": item.completed_on.isoformat() if item.completed_on else None,
                "status": task.status,
                "statusLabel": str(_status_label(task.status)),
                "baseline": then[task.pk].isoformat() if task.pk in then else None,
                "url": reverse("plans:task_detail", args=[task.pk]),
            }
        )
    return {
        "rows": rows,
        "today": today().isoformat(),
        "labels": {"baseline": _("deadline in the baseline"), "today": _("today")},
    }


def _plan_years() -> list[int]:
    years = set(Plan.objects.values_list("year", flat=True).distinct())
    years.add(today().year)
    return sorted(years, reverse=True)


def _visible_plans(user):
    return Plan.objects.filter(user_scope(user, ScopeKind.VIEW).q("org_unit")).select_related(
        "org_unit", "org_unit__parent"
    )


# --- the ministry's overview ---------------------------------------------------------------------


@login_required
def overview(request):
    """Every visible unit's plan of the year, most overdue first, with the tasks filtered (by
    default the overdue ones) as a list and a timeline."""
    on = today()
    query = request.GET.copy()
    if "status" not in query and not query:
        query["status"] = WorkStatus.OVERDUE
    years = _plan_years()
    documents = list(AssigningDocument.objects.order_by("-issued_on", "number")[:300])
    form = TaskFilterForm(query, years=years, documents=documents, units=unit_filter_choices(request.user, on=on))
    form.is_valid()  # the valid filters apply; the others are shown with their error
    data = form.cleaned_data
    year = data.get("year") or on.year
    filters = selectors.TaskFilters(
        unit=(data.get("unit") or "").strip(),
        year=year,
        status=data.get("status") or "",
        domain=data.get("domain") or "",
        document=data.get("document") or None,
        due_from=data.get("due_from"),
        due_to=data.get("due_to"),
    )
    executions = selectors.plans_overview(user=request.user, year=year, today=on, unit_type=data.get("unit_type") or "")
    tasks = selectors.tasks_query(user=request.user, filters=filters, today=on).select_related(
        "item__owner_unit__parent"
    )
    if data.get("unit_type"):
        tasks = tasks.filter(plan__org_unit__type=data["unit_type"])
    page = Paginator(selectors.PagedTasks(tasks), TASKS_PER_PAGE).get_page(request.GET.get("page"))
    baselines, baseline = _overview_baselines(request, executions, filters)
    gantt_tasks = list(page.object_list)[:GANTT_MAX]
    totals = {s: sum(e.counts.get(s, 0) for e in executions) for s in WorkStatus.values}
    for execution in executions:  # the table's cells, read once (70 units × 5 statuses)
        execution.cells = [execution.counts.get(s, 0) for s in WorkStatus.values]
    due = totals[WorkStatus.DONE_ON_TIME] + totals[WorkStatus.DONE_LATE] + totals[WorkStatus.OVERDUE]
    page_query = query.copy()
    page_query.pop("page", None)
    context = {
        "form": form,
        "year": year,
        "executions": executions,
        "statuses": WorkStatus.choices,
        "totals": totals,
        "on_time_rate": round(totals[WorkStatus.DONE_ON_TIME] * 100 / due, 1) if due else None,
        "page": page,
        "page_query": page_query.urlencode(),
        "gantt": _gantt(gantt_tasks, baseline),
        "baselines": baselines,
        "baseline": baseline,
        "today": on,
        "excel": _excel_links(),
        # Rows link to their plan and task by these prefixes (a reverse() per row otherwise).
        "plan_url": reverse("plans:plan_detail", args=[0])[:-2],
        "task_url": reverse("plans:task_detail", args=[0])[:-2],
    }
    return render(request, "plans/overview.html", context)


def _overview_baselines(request, executions, filters) -> tuple[list[Baseline], Baseline | None]:
    """Baselines are a plan's: offered when the overview is narrowed to units with baselines."""
    if not filters.unit:
        return [], None
    scopes = [f"plan:{e.plan.pk}" for e in executions if filters.unit in (e.plan.org_unit.code,)] or [
        f"plan:{e.plan.pk}"
        for e in executions
        if e.plan.org_unit.parent is not None and e.plan.org_unit.parent.code == filters.unit
    ]
    baselines = list(Baseline.objects.filter(scope__in=scopes)[:50]) if scopes else []
    chosen = request.GET.get("baseline", "")
    baseline = next((b for b in baselines if str(b.pk) == chosen), None)
    return baselines, baseline


def _excel_links() -> dict:
    """The Excel import and export, once their pages exist."""
    from django.urls import NoReverseMatch

    links = {}
    for name in ("import", "export"):
        with contextlib.suppress(NoReverseMatch):
            links[name] = reverse(f"plans:{name}")
    return links


# --- a unit's plan -------------------------------------------------------------------------------


def _plan_or_404(request, pk: int) -> Plan:
    return get_object_or_404(_visible_plans(request.user), pk=pk)


def _plan_items(plan: Plan):
    return WorkItem.objects.filter(plan_task__plan=plan)


def _group(tasks: list[Task], by: str) -> list[dict]:
    """Top-level tasks grouped by domain or by assigning document, each followed by its
    sub-tasks."""
    children: dict[int, list[Task]] = {}
    for task in tasks:
        if task.parent_id:
            children.setdefault(task.parent_id, []).append(task)
    known = {t.pk for t in tasks}
    groups: OrderedDict = OrderedDict()
    for task in tasks:
        if task.parent_id and task.parent_id in known:
            continue
        if by == "document":
            key = task.document_id or 0
            label = task.document if task.document_id else UNGROUPED
        else:
            key = task.domain or ""
            label = Domain(task.domain).label if task.domain else UNGROUPED
        group = groups.setdefault(key, {"key": key, "label": label, "document": task.document, "rows": []})
        group["rows"].append((task, children.get(task.pk, [])))
    ordered = sorted(groups.values(), key=lambda g: (g["key"] in (0, ""), str(g["label"])))
    return ordered


@login_required
def plan_detail(request, pk: int):
    plan = _plan_or_404(request, pk)
    on = today()
    by = "document" if request.GET.get("group") == "document" else "domain"
    every = selectors.tasks_query(user=request.user, filters=selectors.TaskFilters(), today=on).filter(plan=plan)
    counts = dict.fromkeys(WorkStatus.values, 0)
    counts.update(
        (row["status"], row["n"]) for row in every.order_by().values("status").annotate(n=Count("pk")).order_by()
    )
    # A page of top-level tasks in their groups' order, each with its sub-tasks: a plan of
    # several hundred tasks would otherwise be drawn whole (0,4 s at the benchmark's size).
    group_order = (
        [F("document__issued_on").desc(nulls_last=True), "document__number"]
        if by == "document"
        else [Case(When(domain="", then=1), default=0, output_field=IntegerField()), "domain"]
    )
    top = (
        every.filter(parent__isnull=True)
        .select_related("item__assigned_by_unit")
        .order_by(*group_order, "number", "item__due_date", "item_id")
    )
    page = Paginator(selectors.PagedTasks(top), PLAN_TASKS_PER_PAGE).get_page(request.GET.get("page"))
    parents = list(page.object_list)
    subtasks = every.filter(parent_id__in=[t.pk for t in parents]).select_related("item__assigned_by_unit")
    tasks = parents + list(subtasks.order_by("number", "item__due_date", "item_id"))
    for task in tasks:
        task.due_soon = (
            task.status in (WorkStatus.IN_PROGRESS, WorkStatus.NOT_STARTED)
            and (task.item.due_date - on).days <= DUE_SOON_DAYS
        )
    baselines = list(Baseline.objects.filter(scope=f"plan:{plan.pk}"))
    chosen = request.GET.get("baseline", "")
    baseline = next((b for b in baselines if str(b.pk) == chosen), None)
    changes = baseline_compare(baseline, _plan_items(plan), on) if baseline is not None else None
    can_plan = can_report_for(request.user, plan.org_unit) or can_assign(request.user, plan.org_unit)
    context = {
        "plan": plan,
        "group_by": by,
        "groups": _group(tasks, by),
        "tasks": tasks,
        "task_total": sum(counts.values()),
        "page": page,
        "counts": [(s, label, counts[s]) for s, label in WorkStatus.choices],
        "gantt": _gantt(tasks, baseline),
        "baselines": baselines,
        "baseline": baseline,
        "changes": changes,
        "can_plan": can_plan,
        "baseline_form": BaselineForm(initial={"name": _("Baseline of %(date)s") % {"date": on.strftime("%d/%m/%Y")}}),
        "task_form": getattr(request, "_task_form", None) or _task_form(plan),
        "today": on,
        "excel": _excel_links(),
    }
    return render(request, "plans/plan_detail.html", context, status=getattr(request, "_status", 200))


def _task_form(plan: Plan, data=None) -> TaskCreateForm:
    documents = AssigningDocument.objects.order_by("-issued_on", "number")
    return TaskCreateForm(data, plan=plan, documents=documents)


def _apply_errors(form, exc: ValidationError, aliases: dict | None = None) -> None:
    """A service's refusal shown on the form, next to the field it concerns when it has one."""
    aliases = aliases or {}
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = aliases.get(field, field)
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
@require_POST
def task_create(request, pk: int):
    plan = _plan_or_404(request, pk)
    services.ensure_can_plan(request.user, plan.org_unit)
    form = _task_form(plan, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            document = data["document"]
            if data["document_number"]:
                document = services.document_get_or_create(
                    number=data["document_number"],
                    issued_on=data["document_date"],
                    issuing_body=data["document_body"],
                )
            task = services.task_create(
                plan=plan,
                title=data["title"],
                due_date=data["due_date"],
                start_date=data["start_date"],
                number=data["number"],
                domain=data["domain"],
                document=document,
                parent=data["parent"],
                deliverable=data["deliverable"],
                by=request.user,
            )
        except ValidationError as exc:
            _apply_errors(form, exc, {"number": "document_number"} if data["document_number"] else None)
        else:
            messages.success(request, _("Task added to the plan."))
            return redirect("plans:task_detail", pk=task.pk)
    request._task_form, request._status = form, 200
    messages.error(request, _("The task was not added: correct the fields marked below."))
    return plan_detail(request, pk)


@login_required
@require_POST
def baseline_take(request, pk: int):
    plan = _plan_or_404(request, pk)
    services.ensure_can_plan(request.user, plan.org_unit)
    form = BaselineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the baseline a name."))
        return redirect("plans:plan_detail", pk=plan.pk)
    baseline = tracking.baseline_take(
        scope=f"plan:{plan.pk}",
        name=form.cleaned_data["name"],
        items=_plan_items(plan).prefetch_related("history"),
        by=request.user,
        on=today(),
    )
    messages.success(request, _("Baseline taken: compare it with today at any time."))
    return redirect(f"{reverse('plans:plan_detail', args=[plan.pk])}?baseline={baseline.pk}#baselines")


# --- a task --------------------------------------------------------------------------------------


def _task_or_404(request, pk: int) -> Task:
    task = selectors.task_get(user=request.user, pk=pk, today=today())
    if task is None:
        raise Http404(_("No such task."))
    return task


def _change_words(event: WorkEvent, names: dict | None = None) -> list[str]:
    """The event's changes in words: “deadline: 30/06/2026 → 31/07/2026”."""
    lines = []
    for name, pair in (event.changes or {}).items():
        old, new = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        label = capfirst(FIELD_LABELS.get(name, name))
        lines.append(f"{label}: {_word(name, old, names)} → {_word(name, new, names)}")
    return lines


def _word(name: str, value, names: dict | None = None) -> str:
    if value in (None, ""):
        return "—"
    if name in ("start_date", "due_date", "completed_on"):
        try:
            return dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        except ValueError:
            return str(value)
    if name == "progress":
        return f"{value}%"
    if name in ("assignee", "assigned_by_unit") and names is not None:
        return names.get((name, str(value)), str(value))
    return str(value)


def _referenced_names(history: list[WorkEvent]) -> dict:
    """The people and units a history names by key, read in two queries."""
    from giamsat.orgunits.models import OrgUnit

    keys = {"assignee": set(), "assigned_by_unit": set()}
    for event in history:
        for name, pair in (event.changes or {}).items():
            if name in keys and isinstance(pair, list):
                keys[name].update(str(v) for v in pair if v not in (None, "") and str(v).isdigit())
    names = {}
    if keys["assignee"]:
        for user in User.objects.filter(pk__in=keys["assignee"]):
            names[("assignee", str(user.pk))] = user.display_name
    if keys["assigned_by_unit"]:
        for unit in OrgUnit.objects.filter(pk__in=keys["assigned_by_unit"]):
            names[("assigned_by_unit", str(unit.pk))] = unit.display_name
    return names


def _task_context(request, task: Task, **forms) -> dict:
    item = task.item
    user = request.user
    history = list(WorkEvent.objects.filter(item=item).select_related("by").order_by("at", "pk"))
    names = _referenced_names(history)
    reports = list(
        ProgressReport.objects.filter(item=item)
        .select_related("by", "data_element", "data_period")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("pk")))
        .order_by("-at", "-pk")
    )
    loose_files = list(Attachment.objects.filter(item=item, report__isnull=True).select_related("uploaded_by"))
    extensions = list(Extension.objects.filter(item=item).select_related("requested_by", "decided_by"))
    pending = next((e for e in extensions if e.state == ExtensionState.PENDING), None)
    reporter = can_report(user, item)
    reviewer = can_review(user, item)
    open_ = item.completed_on is None or item.review == Review.RETURNED
    subtasks = list(
        selectors.tasks_query(user=user, filters=selectors.TaskFilters(), today=today()).filter(parent=task)
    )
    return {
        "task": task,
        "item": item,
        "status_label": _status_label(task.status),
        "extended": item.due_date != item.original_due_date,
        "history": [(e, _change_words(e, names)) for e in history if e.action != WorkAction.COMMENT],
        "comments": [e for e in history if e.action == WorkAction.COMMENT],
        "reports": reports,
        "loose_files": loose_files,
        "extensions": extensions,
        "pending_extension": pending,
        "subtasks": subtasks,
        "can_report": reporter and open_,
        "can_extend": reporter and item.completed_on is None and pending is None,
        "can_review": reviewer and item.review in (Review.PENDING, Review.ACCEPTED),
        "can_decide": reviewer and pending is not None,
        "progress_form": forms.get("progress_form") or ProgressForm(initial={"progress": item.progress}),
        "extension_form": forms.get("extension_form") or ExtensionRequestForm(current_due=item.due_date),
        "review_form": forms.get("review_form") or ReviewForm(),
        "decide_form": forms.get("decide_form") or ExtensionDecideForm(),
        "comment_form": forms.get("comment_form") or CommentForm(),
        "today": today(),
        "done": task.status in DONE_STATUSES,
    }


def _task_page(request, task: Task, status: int = 200, **forms):
    if forms:
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
    return render(request, "plans/task_detail.html", _task_context(request, task, **forms), status=status)


@login_required
def task_detail(request, pk: int):
    return _task_page(request, _task_or_404(request, pk))


def _done(request, task: Task, message: str):
    messages.success(request, message)
    return redirect("plans:task_detail", pk=task.pk)


@login_required
@require_POST
def task_report(request, pk: int):
    """Progress, or completion when the "complete" button was pressed, with the evidence."""
    task = _task_or_404(request, pk)
    completion = "complete" in request.POST
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        if not completion and data["progress"] is None:
            form.add_error("progress", _("Give the progress as a percentage between 0 and 100."))
    if form.is_valid():
        period = None
        if data["data_period"] is not None:
            from giamsat.reporting.services import period_get

            period = period_get(data["data_period"])
        try:
            tracking.work_progress_report(
                item=task.item,
                by=request.user,
                progress=data["progress"] if data["progress"] is not None else task.item.progress,
                note=data["note"],
                link=data["link"],
                data_element=data["data_element"],
                data_period=period,
                files=data["files"],
                completion=completion,
            )
        except ValidationError as exc:
            _apply_errors(form, exc, {"file": "files"})
        else:
            return _done(
                request,
                task,
                _("Completion reported: the assigner reviews the evidence.") if completion else _("Progress reported."),
            )
    return _task_page(request, task, progress_form=form)


@login_required
@require_POST
def task_extension_request(request, pk: int):
    task = _task_or_404(request, pk)
    form = ExtensionRequestForm(request.POST, current_due=task.item.due_date)
    if form.is_valid():
        try:
            tracking.work_extension_request(
                item=task.item,
                by=request.user,
                due_requested=form.cleaned_data["due_requested"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return _done(request, task, _("Extension requested: the assigner decides."))
    return _task_page(request, task, extension_form=form)


@login_required
@require_POST
def task_review(request, pk: int):
    task = _task_or_404(request, pk)
    if not can_review(request.user, task.item):
        ensure(False, _("Only the assigner reviews the evidence of this work."))
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "accept":
                tracking.work_review_accept(item=task.item, by=request.user, note=data["note"])
                message = _("Evidence accepted.")
            else:
                tracking.work_review_return(item=task.item, by=request.user, reason=data["note"])
                message = _("Evidence returned to the unit with your reason.")
        except ValidationError as exc:
            _apply_errors(form, exc, {"reason": "note"})
        else:
            return _done(request, task, message)
    return _task_page(request, task, review_form=form)


@login_required
@require_POST
def task_extension_decide(request, pk: int):
    task = _task_or_404(request, pk)
    if not can_review(request.user, task.item):
        ensure(False, _("Only the assigner decides on an extension."))
    form = ExtensionDecideForm(request.POST)
    extension = Extension.objects.filter(item=task.item, state=ExtensionState.PENDING).first()
    if extension is None:
        messages.info(request, _("No extension request is awaiting a decision."))
        return redirect("plans:task_detail", pk=task.pk)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            tracking.work_extension_decide(
                extension=extension, by=request.user, approve=approve, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            message = _("Extension approved: the new deadline applies.") if approve else _("Extension refused.")
            return _done(request, task, message)
    return _task_page(request, task, decide_form=form)


@login_required
@require_POST
def task_comment(request, pk: int):
    task = _task_or_404(request, pk)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            tracking.work_comment_add(item=task.item, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return _done(request, task, _("Comment added."))
    return _task_page(request, task, comment_form=form)


@login_required
def attachment_download(request, pk: int, file_pk: int):
    """A file of a task, served to those who see the task (never a public media address)."""
    task = _task_or_404(request, pk)
    attachment = get_object_or_404(Attachment, pk=file_pk, item_id=task.pk)
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("The file is no longer in the storage.")) from exc
    return FileResponse(handle, as_attachment=True, filename=attachment.name)
