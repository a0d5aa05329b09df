"""Plans in the API: plans (list, create), tasks (list with the page's filters, paged; create in
a plan or for many units at once; one task with its history). Scoped as everywhere."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from giamsat.accounts.choices import Domain
from giamsat.accounts.selectors import ensure_can_view, user_scope
from giamsat.core.dates import parse_date, today
from giamsat.orgunits.models import OrgUnit
from giamsat.tracking.choices import WorkStatus
from giamsat.tracking.permissions import can_view
from giamsat.tracking.selectors import status_expression

from .choices import PLAN_UNIT_TYPES
from .models import AssigningDocument, Plan, Task
from .selectors import TaskFilters, tasks_query, tasks_visible, with_evidence_count
from .services import document_get_or_create, ensure_can_plan, plan_get_or_create, task_assign_many, task_create

router = Router(tags=["plans"])

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
YEAR = Annotated[int, Field(ge=2000, le=2100)]
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


def _bad_request(message: str, errors: dict | None = None, status: int = 400) -> JsonResponse:
    body = {"detail": message, "code": "invalid", **({"errors": errors} if errors else {})}
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _invalid(exc: ValidationError) -> JsonResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next(iter(errors.values()))[0]
    return _bad_request(str(first), {_CAMEL.get(k, k): v for k, v in errors.items()})


_CAMEL = {"due_date": "dueDate", "start_date": "startDate"}


def _number(text: str | None, name: str, default: int) -> int:
    if text is None or not text.strip():
        return default
    text = text.strip()
    if not text.isdigit() or int(text) < 1 or len(text) > 12:
        raise ValueError(_("“%(name)s” must be a whole number from 1.") % {"name": name})
    return int(text)


def _clean(text: str) -> str:
    """Text without NUL characters, which no database column may hold."""
    return (text or "").replace("\x00", "")


def _unit(code: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=_clean(code).strip()).first()
    if unit is None:
        raise Http404(_("No unit has this code."))
    return unit


def _pager(number: int, size: int, total: int) -> dict:
    return {"page": number, "pageSize": size, "total": total, "pageCount": -(-total // size)}


def _unit_out(unit: OrgUnit) -> dict:
    return {"code": unit.code, "name": unit.name_vi}


# --- schemas ---------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    code: str
    errors: dict[str, list[str]] | None = None


class UnitOut(Schema):
    code: str
    name: str


class PlanOut(Schema):
    id: int
    unit: UnitOut
    year: int
    title: str
    tasks: int
    counts: dict[str, int] = Field(description="Top-level tasks by computed status")
    overdue: int
    onTimeRate: float | None = Field(description="Completed on time among the tasks due or completed, %")


class Pager(Schema):
    page: int
    pageSize: int
    total: int
    pageCount: int


class PlanPage(Schema):
    pager: Pager
    plans: list[PlanOut]


class PlanIn(Schema):
    unit: str = Field(..., min_length=1, max_length=40, description="The unit's code")
    year: YEAR
    title: str = Field("", max_length=500, description="Empty: “Kế hoạch năm <year> — <unit>”")


class DocumentOut(Schema):
    id: int
    number: str
    issuedOn: dt.date
    issuingBody: str


class TaskOut(Schema):
    id: int
    plan: int
    unit: UnitOut
    year: int
    number: str
    title: str
    domain: str
    document: DocumentOut | None
    parent: int | None
    assignment: int | None
    startDate: dt.date | None
    dueDate: dt.date
    originalDueDate: dt.date
    completedOn: dt.date | None
    progress: int
    status: str = Field(description=", ".join(WorkStatus.values))
    statusLabel: str
    review: str
    deliverable: str
    assignee: str | None
    evidenceCount: int


class TaskPage(Schema):
    pager: Pager
    tasks: list[TaskOut]


class HistoryOut(Schema):
    action: str
    actionLabel: str
    by: str | None
    at: str
    comment: str
    changes: dict


class ExtensionOut(Schema):
    requestedAt: str
    dueBefore: dt.date
    dueRequested: dt.date
    reason: str
    state: str
    decisionNote: str


class TaskDetailOut(TaskOut):
    description: str
    history: list[HistoryOut]
    extensions: list[ExtensionOut]
    subtasks: list[int]


class DocumentIn(Schema):
    number: str = Field(..., min_length=1, max_length=80)
    issuedOn: dt.date
    issuingBody: str = Field("", max_length=255)
    title: str = Field("", max_length=500)


class TaskIn(Schema):
    title: str = Field(..., min_length=1, max_length=500)
    dueDate: dt.date
    startDate: dt.date | None = None
    unit: str = Field("", max_length=40, description="The unit whose plan gets the task (its plan of `year`)")
    units: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=500, description="Give the task to many units at once (one row per unit)"
    )
    plan: Id | None = Field(None, description="Or the plan's id")
    year: YEAR | None = Field(None, description="The plan's year; by default the deadline's")
    number: str = Field("", max_length=20)
    domain: str = Field("", description=", ".join(Domain.values))
    document: Id | None = Field(None, description="An assigning document's id")
    newDocument: DocumentIn | None = Field(None, description="Or the document, created if new")
    parent: Id | None = Field(None, description="The task this one is part of (same plan)")
    deliverable: str = Field("", max_length=5000)
    description: str = Field("", max_length=20000)


class AssignmentOut(Schema):
    assignment: int
    tasks: list[int]


class TaskQuery(Schema):
    unit: str = Field("", max_length=40, description="A unit code: its tasks and its departments'")
    year: str = Field("", description="The plan's year")
    status: str = Field("", description=", ".join(WorkStatus.values))
    domain: str = Field("", description=", ".join(Domain.values))
    document: str = Field("", description="An assigning document's id")
    due_from: str = Field("", description="Due on or after: yyyy-mm-dd or dd/mm/yyyy")
    due_to: str = Field("", description="Due on or before")
    q: str = Field("", max_length=200, description="Words of the title")
    page: str = Field("", description="From 1; a page past the end is empty")
    pageSize: str = Field("", description=f"At most {MAX_PAGE_SIZE}")


# --- plans -----------------------------------------------------------------------------------


def _plan_out(plan: Plan, counts: dict[str, int]) -> dict:
    due = sum(counts.get(s, 0) for s in (WorkStatus.DONE_ON_TIME, WorkStatus.DONE_LATE, WorkStatus.OVERDUE))
    on_time = counts.get(WorkStatus.DONE_ON_TIME, 0)
    return {
        "id": plan.pk,
        "unit": _unit_out(plan.org_unit),
        "year": plan.year,
        "title": plan.title,
        "tasks": sum(counts.values()),
        "counts": counts,
        "overdue": counts.get(WorkStatus.OVERDUE, 0),
        "onTimeRate": round(on_time * 100 / due, 1) if due else None,
    }


def _plans_visible(user):
    from django.db.models import Q

    from giamsat.accounts.choices import ScopeKind

    view, capture = user_scope(user, ScopeKind.VIEW), user_scope(user, ScopeKind.CAPTURE)
    if view.everything:
        return Plan.objects.all()
    return Plan.objects.filter(
        view.q("org_unit") | capture.q("org_unit") | Q(pk__in=tasks_visible(user).values("plan_id"))
    )


@router.get(
    "/plans",
    response={200: PlanPage, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Plans in your scope, with their tasks counted by status",
)
def plan_list(
    request,
    unit: str = Query("", max_length=40, description="A unit code: its plan and its departments'"),
    year: str = Query("", description="The plan's year"),
    page: str = Query("", description="From 1; a page past the end is empty"),
    pageSize: str = Query("", description=f"At most {MAX_PAGE_SIZE}"),
):
    try:
        number = _number(page, "page", 1)
        size = min(_number(pageSize, "pageSize", PAGE_SIZE), MAX_PAGE_SIZE)
        year_value = _number(year, "year", 0) or None
    except ValueError as exc:
        return _bad_request(str(exc))
    plans = _plans_visible(request.user).select_related("org_unit")
    if unit.strip():
        found = _unit(unit)
        ensure_can_view(request.user, found)
        plans = plans.filter(org_unit__path__startswith=found.path)
    if year_value:
        plans = plans.filter(year=year_value)
    plans = plans.order_by("-year", "org_unit__path")
    total = plans.count()
    offset = (number - 1) * size
    rows = list(plans[offset : offset + size]) if offset < total else []
    counts: dict[int, dict[str, int]] = {p.pk: {} for p in rows}
    for row in (
        Task.objects.filter(plan_id__in=counts, parent__isnull=True)
        .annotate(status=status_expression(today(), prefix="item__"))
        .values("plan_id", "status")
        .annotate(n=Count("pk"))
    ):
        counts[row["plan_id"]][row["status"]] = row["n"]
    return {"pager": _pager(number, size, total), "plans": [_plan_out(p, counts[p.pk]) for p in rows]}


@router.post(
    "/plans",
    response={200: PlanOut, 201: PlanOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Create a unit's plan for a year (answers the existing one with 200)",
)
def plan_create(request, payload: PlanIn):
    unit = _unit(payload.unit)
    ensure_can_plan(request.user, unit)
    if unit.type not in PLAN_UNIT_TYPES:
        message = _("Units of this type keep no yearly plan.")
        return _bad_request(message, {"unit": [message]})
    existed = Plan.objects.filter(org_unit=unit, year=payload.year).exists()
    try:
        plan = plan_get_or_create(unit=unit, year=payload.year, by=request.user, title=_clean(payload.title).strip())
    except ValidationError as exc:
        return _invalid(exc)
    return Status(200 if existed else 201, _plan_out(plan, {}))


# --- tasks -----------------------------------------------------------------------------------


def _task_out(task: Task) -> dict:
    item = task.item
    status = getattr(task, "status", "")
    return {
        "id": task.pk,
        "plan": task.plan_id,
        "unit": _unit_out(item.owner_unit),
        "year": task.plan.year,
        "number": task.number,
        "title": item.title,
        "domain": task.domain,
        "document": (
            {
                "id": task.document.pk,
                "number": task.document.number,
                "issuedOn": task.document.issued_on,
                "issuingBody": task.document.issuing_body,
            }
            if task.document_id
            else None
        ),
        "parent": task.parent_id,
        "assignment": task.assignment_id,
        "startDate": item.start_date,
        "dueDate": item.due_date,
        "originalDueDate": item.original_due_date,
        "completedOn": item.completed_on,
        "progress": item.progress,
        "status": status,
        "statusLabel": str(WorkStatus(status).label) if status in WorkStatus.values else "",
        "review": item.review,
        "deliverable": item.deliverable,
        "assignee": item.assignee.display_name if item.assignee_id else None,
        "evidenceCount": getattr(task, "evidence_count", 0),
    }


def _filters(query: TaskQuery) -> TaskFilters:
    status, domain = query.status.strip(), query.domain.strip()
    if status and status not in WorkStatus.values:
        raise ValueError(
            _("Unknown “%(name)s”: use one of %(values)s.") % {"name": "status", "values": ", ".join(WorkStatus.values)}
        )
    if domain and domain not in Domain.values:
        raise ValueError(
            _("Unknown “%(name)s”: use one of %(values)s.") % {"name": "domain", "values": ", ".join(Domain.values)}
        )
    document = _number(query.document, "document", 0) or None
    year = _number(query.year, "year", 0) or None
    return TaskFilters(
        unit=_clean(query.unit).strip(),
        year=year,
        status=status,
        domain=domain,
        document=document,
        due_from=parse_date(query.due_from),  # InvalidDate: 400 through the API's handler
        due_to=parse_date(query.due_to),
        q=_clean(query.q).strip(),
    )


@router.get(
    "/plans/tasks",
    response={200: TaskPage, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Tasks in your scope, overdue first (paged)",
)
def task_list(request, query: Query[TaskQuery]):
    try:
        filters = _filters(query)
        number = _number(query.page, "page", 1)
        size = min(_number(query.pageSize, "pageSize", PAGE_SIZE), MAX_PAGE_SIZE)
    except ValueError as exc:
        return _bad_request(str(exc))
    if filters.unit:
        ensure_can_view(request.user, _unit(filters.unit))
    tasks = tasks_query(user=request.user, filters=filters, today=today())
    total = tasks.count()
    offset = (number - 1) * size
    rows = [_task_out(t) for t in with_evidence_count(tasks)[offset : offset + size]] if offset < total else []
    return {"pager": _pager(number, size, total), "tasks": rows}


def _task(request, task_id: int) -> Task:
    if not Task.objects.filter(pk=task_id).exists():
        raise Http404(_("No task has this identifier."))
    task = (
        with_evidence_count(tasks_query(user=request.user, filters=TaskFilters(), today=today()))
        .filter(pk=task_id)
        .first()
    )
    if task is None or not can_view(request.user, task.item):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("This task is outside your scope."))
    return task


def _detail(task: Task) -> dict:
    from giamsat.tracking.choices import WorkAction

    labels = dict(WorkAction.choices)
    item = task.item
    history = [
        {
            "action": e.action,
            "actionLabel": str(labels.get(e.action, e.action)),
            "by": e.by.username if e.by_id else None,
            "at": e.at.isoformat(),
            "comment": e.comment,
            "changes": e.changes or {},
        }
        for e in item.history.select_related("by")
    ]
    extensions = [
        {
            "requestedAt": x.requested_at.isoformat(),
            "dueBefore": x.due_before,
            "dueRequested": x.due_requested,
            "reason": x.reason,
            "state": x.state,
            "decisionNote": x.decision_note,
        }
        for x in item.extensions.all()
    ]
    return {
        **_task_out(task),
        "description": item.description,
        "history": history,
        "extensions": extensions,
        "subtasks": list(task.subtasks.order_by("item_id").values_list("pk", flat=True)),
    }


@router.get(
    "/plans/tasks/{task_id}",
    response={200: TaskDetailOut, 403: ErrorOut, 404: ErrorOut},
    summary="One task with its history and extensions",
)
def task_get(request, task_id: Id):
    return _detail(_task(request, task_id))


def _created(request, task_ids: list[int]) -> list[Task]:
    tasks = with_evidence_count(tasks_query(user=request.user, filters=TaskFilters(), today=today()))
    return list(tasks.filter(pk__in=task_ids))


class _Refused(Exception):
    """Bad input found while creating: the message, for one field."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.response = _bad_request(message, {field: [message]})


@router.post(
    "/plans/tasks",
    response={201: TaskOut | AssignmentOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Create a task in a unit's plan, or give it to many units at once (`units`)",
)
def task_create_api(request, payload: TaskIn):
    try:
        with transaction.atomic():
            created = _task_create(request, payload)
    except ValidationError as exc:
        return _invalid(exc)
    except _Refused as exc:
        return exc.response
    if isinstance(created, Task):
        return Status(201, _task_out(_created(request, [created.pk])[0]))
    tasks = list(created.tasks.order_by("item_id").values_list("pk", flat=True))
    return Status(201, {"assignment": created.pk, "tasks": tasks})


def _task_create(request, payload: TaskIn):
    if payload.domain and payload.domain not in Domain.values:
        raise _Refused(
            _("Unknown “%(name)s”: use one of %(values)s.") % {"name": "domain", "values": ", ".join(Domain.values)},
            "domain",
        )
    title = _clean(payload.title)
    if payload.units:
        units = [_unit(code) for code in dict.fromkeys(payload.units)]
        for unit in units:
            if unit.type not in PLAN_UNIT_TYPES:
                raise _Refused(_("%(unit)s keeps no yearly plan.") % {"unit": unit.code}, "units")
        return task_assign_many(
            units=units,
            title=title,
            due_date=payload.dueDate,
            by=request.user,
            document=_document(payload),
            domain=payload.domain,
            start_date=payload.startDate,
            deliverable=_clean(payload.deliverable),
        )
    plan = _plan_for(request, payload)
    parent = None
    if payload.parent:
        parent = Task.objects.filter(pk=payload.parent, plan=plan).first()
        if parent is None:
            raise _Refused(_("The parent task is not a task of this plan."), "parent")
    return task_create(
        plan=plan,
        title=title,
        due_date=payload.dueDate,
        start_date=payload.startDate,
        by=request.user,
        number=_clean(payload.number).strip(),
        domain=payload.domain,
        document=_document(payload),
        parent=parent,
        description=_clean(payload.description),
        deliverable=_clean(payload.deliverable),
    )


def _document(payload: TaskIn) -> AssigningDocument | None:
    if payload.document:
        document = AssigningDocument.objects.filter(pk=payload.document).first()
        if document is None:
            raise Http404(_("No assigning document has this identifier."))
        return document
    if payload.newDocument:
        doc = payload.newDocument
        return document_get_or_create(
            number=_clean(doc.number),
            issued_on=doc.issuedOn,
            issuing_body=_clean(doc.issuingBody),
            title=_clean(doc.title),
        )
    return None


def _plan_for(request, payload: TaskIn) -> Plan:
    if payload.plan:
        plan = Plan.objects.select_related("org_unit").filter(pk=payload.plan).first()
        if plan is None:
            raise Http404(_("No plan has this identifier."))
        ensure_can_plan(request.user, plan.org_unit)
        return plan
    if not payload.unit.strip():
        raise _Refused(_("Give the unit (or the plan, or the units) the task is for."), "unit")
    unit = _unit(payload.unit)
    ensure_can_plan(request.user, unit)
    if unit.type not in PLAN_UNIT_TYPES:
        raise _Refused(_("Units of this type keep no yearly plan."), "unit")
    return plan_get_or_create(unit=unit, year=payload.year or payload.dueDate.year, by=request.user)
