"""Projects' pages: the portfolio (flagged first, with the map and the totals), a project with
its money, earned value, milestones, packages and red flags, the forms of those who may edit it,
and the red-flag rules with their versions. Thin: reads through selectors, writes through
services; a project outside the user's scope is a 404, a write without permission a 403."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giamsat.accounts.choices import Role
from giamsat.accounts.selectors import unit_filter_choices
from giamsat.tracking.choices import WorkStatus
from giamsat.tracking.permissions import can_report_for, ensure
from giamsat.tracking.selectors import item_status
from giamsat.tracking.services import work_progress_report

from . import selectors, services
from .choices import FlagCode
from .explain import flag_sentence, rule_name, threshold_sentence
from .forms import (
    BaselineFreezeForm,
    MilestoneForm,
    MilestoneReportForm,
    PackageForm,
    PhysicalProgressForm,
    PortfolioFilterForm,
    ProjectForm,
    RuleSetForm,
    TransactionForm,
    YearBudgetForm,
)
from .models import Milestone, Project, ProjectBaseline, RedFlag

PER_PAGE = 50
TRANSACTIONS_SHOWN = 20
RULE_PUBLISHERS = (Role.MINISTRY_LEADER, Role.ADMIN)


def today() -> dt.date:
    """Today in Vietnam (monkeypatched by tests)."""
    return timezone.localdate()


def _billions(amount) -> float:
    return round(float(amount or 0) / 1e9, 3)


def _apply_errors(form, exc: ValidationError) -> None:
    """A service's refusal shown next to the field it concerns, or above the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


# --- the portfolio -------------------------------------------------------------------------------


@login_required
def portfolio(request):
    """The projects the user sees, filtered, flagged first, 50 a page; totals, flags by rule and
    the map above."""
    on = today()
    form = PortfolioFilterForm(request.GET or None, units=unit_filter_choices(request.user, on=on))
    form.is_valid()  # the valid filters apply; the others are shown with their error
    data = form.cleaned_data if form.is_bound else {}
    filters = selectors.PortfolioFilters(**{name: (data.get(name) or "").strip() for name in form.fields})
    projects = selectors.portfolio(request.user, filters, year=on.year)
    page = Paginator(projects, PER_PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    earned = selectors.projects_earned_value([p.pk for p in rows], on)
    flags = selectors.open_flags_of([p.pk for p in rows])
    for project in rows:
        ev = earned.get(project.pk)
        project.spi, project.cpi = (ev.spi, ev.cpi) if ev else (None, None)
        project.rate = (
            round(project.disbursed_year * 100 / project.allocated_year, 1) if project.allocated_year else None
        )
        project.open_flag_rules = [
            (rule_name(flag.rule), flag.rule.legal_basis, flag_sentence(flag.code, flag.figures), flag.raised_on)
            for flag in flags.get(project.pk, [])
        ]
    by_code = selectors.open_flags_by_code(projects)
    flag_chart = {
        "names": [str(FlagCode(code).label) for code in FlagCode.values if by_code.get(code)],
        "counts": [by_code[code] for code in FlagCode.values if by_code.get(code)],
        "codes": [code for code in FlagCode.values if by_code.get(code)],
        "url": reverse("projects:portfolio") + "?flag=",
    }
    page_query = request.GET.copy()
    page_query.pop("page", None)
    owner = None
    if filters.owner:
        from giamsat.orgunits.models import OrgUnit

        owner = OrgUnit.objects.filter(code=filters.owner).first()
    context = {
        "form": form,
        "filters": filters,
        "owner": owner,
        "page": page,
        "rows": rows,
        "page_query": page_query.urlencode(),
        "totals": selectors.portfolio_totals(projects, year=on.year),
        "flag_chart": flag_chart,
        "flag_rows": list(zip(flag_chart["codes"], flag_chart["names"], flag_chart["counts"], strict=True)),
        "year": on.year,
        "today": on,
        "can_create": selectors.owner_units_for(request.user, on).exists(),
        "detail_url": reverse("projects:detail", args=["X"])[:-2],
    }
    return render(request, "projects/portfolio.html", context)


@login_required
def map_data(request):
    """The portfolio's map, in the format of maps/map.js: each province in force today coloured
    by its projects' open red flags; a click opens the portfolio of that owner."""
    on = today()
    counts = selectors.flags_by_province(request.user, on)
    base = reverse("projects:portfolio")
    values = [
        {
            "code": code,
            "name": row["name"],
            "value": row["flags"],
            "status": "FLAGS",
            "statusLabel": _("%(projects)s project(s), %(flags)s open red flag(s)")
            % {"projects": row["projects"], "flags": row["flags"]},
            "url": f"{base}?owner={code}",
        }
        for code, row in sorted(counts.items())
    ]
    return JsonResponse(
        {
            "on": on.isoformat(),
            "provinces": f"{reverse('api:maps_provinces')}?on={on.isoformat()}",
            "unit": _("red flag(s)"),
            "decimals": 0,
            "direction": "HIGHER_IS_BETTER",
            "values": values,
            "legend": [],
        }
    )


# --- a project -----------------------------------------------------------------------------------


def _project_or_404(request, code: str) -> Project:
    project = selectors.project_get(request.user, code)
    if project is None:
        raise Http404(_("No such project."))
    return project


def _ensure_can_edit(request, project: Project) -> None:
    ensure(selectors.project_can_edit(request.user, project), _("You may not change this project."))


def _ownership(project: Project) -> list[dict]:
    owners = list(project.owners.select_related("unit").order_by("valid_from", "pk"))
    steps = []
    for previous, current in zip(owners, owners[1:], strict=False):
        if previous.unit_id != current.unit_id:
            steps.append({"from": previous.unit, "to": current.unit, "on": current.valid_from})
    return steps


def _chart(project: Project, baseline: ProjectBaseline | None, on: dt.date) -> dict:
    planned = [[day.isoformat(), _billions(value)] for day, value in selectors.curve_of(baseline)]
    paid = [[day.isoformat(), _billions(value)] for day, value in selectors.disbursement_curve(project)]
    if paid and paid[-1][0] < on.isoformat():
        paid.append([on.isoformat(), paid[-1][1]])
    return {
        "planned": planned,
        "disbursed": paid,
        "today": on.isoformat(),
        "labels": {
            "planned": _("Planned value (baseline)"),
            "disbursed": _("Cumulative disbursement"),
            "today": _("today"),
            "unit": _("billion VND"),
        },
    }


def _flag_rows(project: Project) -> list[dict]:
    flags = project.flags.select_related("rule", "rule__rule_set").order_by("cleared_on", "-raised_on", "pk")
    flags = sorted(flags, key=lambda f: (f.cleared_on is not None, -(f.raised_on.toordinal())))
    return [
        {
            "flag": flag,
            "name": rule_name(flag.rule),
            "version": flag.rule.rule_set.version,
            "legal_basis": flag.rule.legal_basis,
            "threshold": threshold_sentence(flag.code, flag.rule.params),
            "why": flag_sentence(flag.code, flag.figures),
            "now": flag_sentence(flag.code, flag.latest) if flag.latest and flag.latest != flag.figures else "",
        }
        for flag in flags
    ]


def _forms(project: Project, request, forms: dict) -> dict:
    on = today()
    packages = project.packages.all()
    editing = None
    if request.GET.get("package"):
        editing = packages.filter(pk=request.GET["package"]).first() if request.GET["package"].isdigit() else None
    package_initial = {}
    if editing is not None:
        package_initial = {
            name: getattr(editing, name)
            for name in ("code", *services.PACKAGE_FIELDS)
            if getattr(editing, name) is not None
        }
    return {
        "budget_form": forms.get("budget_form") or YearBudgetForm(initial={"year": on.year}),
        "transaction_form": forms.get("transaction_form") or TransactionForm(packages=packages, initial={"date": on}),
        "progress_form": forms.get("progress_form") or PhysicalProgressForm(initial={"on": on}),
        "package_form": forms.get("package_form") or PackageForm(initial=package_initial),
        "editing_package": editing,
        "milestone_form": forms.get("milestone_form") or MilestoneForm(),
        "baseline_form": forms.get("baseline_form") or BaselineFreezeForm(),
    }


def _open_milestones(project: Project):
    return (
        Milestone.objects.filter(project=project, item__completed_on__isnull=True)
        .select_related("item")
        .order_by("item__due_date", "item_id")
    )


def _project_context(request, project: Project, **forms) -> dict:
    on = today()
    baselines = list(project.baselines.order_by("-number"))
    baseline = selectors.baseline_in_force([project.pk], on).get(project.pk)
    ev = selectors.project_earned_value(project, on)
    milestones = list(
        Milestone.objects.filter(project=project).select_related("item").order_by("item__due_date", "item_id")
    )
    for milestone in milestones:
        milestone.status = item_status(milestone.item, on)
        milestone.status_label = WorkStatus(milestone.status).label
    transactions = project.transactions.select_related("package").order_by("-date", "-pk")
    can_edit = selectors.project_can_edit(request.user, project)
    context = {
        "project": project,
        "ownership": _ownership(project),
        "funding": list(project.funding.all()),
        "years": list(project.years.order_by("year")),
        "baselines": baselines,
        "baseline": baseline,
        "ev": ev,
        "progress": selectors.physical_progress_on([project.pk], on).get(project.pk),
        "chart": _chart(project, baseline or (baselines[0] if baselines else None), on),
        "milestones": milestones,
        "packages": list(project.packages.order_by("code")),
        "flags": _flag_rows(project),
        "transactions": list(transactions[:TRANSACTIONS_SHOWN]),
        "transaction_count": transactions.count(),
        "can_edit": can_edit,
        "today": on,
    }
    if can_edit:
        context.update(_forms(project, request, forms))
    # The owner's own people report a milestone's progress and completion with its evidence.
    if can_report_for(request.user, project.owner_unit) and any(m.item.completed_on is None for m in milestones):
        context["milestone_report_form"] = forms.get("milestone_report_form") or MilestoneReportForm(
            milestones=_open_milestones(project)
        )
    return context


def _project_page(request, project: Project, **forms):
    if forms:
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
    return render(request, "projects/detail.html", _project_context(request, project, **forms))


@login_required
def detail(request, code: str):
    return _project_page(request, _project_or_404(request, code))


def _done(request, project: Project, message: str, anchor: str = ""):
    messages.success(request, message)
    return redirect(reverse("projects:detail", args=[project.code]) + anchor)


# --- a project's forms ---------------------------------------------------------------------------


@login_required
def project_create(request):
    on = today()
    owners = selectors.owner_units_for(request.user, on)
    if not owners.exists():
        raise PermissionDenied(_("You may not register projects for any unit."))
    form = ProjectForm(request.POST or None, owners=owners)
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if not k.startswith("funding_")}
            try:
                project = services.project_create(by=request.user, funding=form.funding(), **data)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return _done(request, project, _("Project registered."))
        messages.error(request, _("The project was not registered: correct the fields marked below."))
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
def project_edit(request, code: str):
    project = _project_or_404(request, code)
    _ensure_can_edit(request, project)
    initial = {name: getattr(project, name) for name in services.EDITABLE}
    form = ProjectForm(request.POST or None, creating=False, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            changed = {k: v for k, v in form.cleaned_data.items() if v != initial.get(k)}
            try:
                services.project_update(project=project, by=request.user, **changed)
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return _done(request, project, _("Project updated."))
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
    return render(request, "projects/project_form.html", {"form": form, "project": project})


def _post_form(request, code: str, form_class, form_name: str, save, message: str, anchor: str, **form_kwargs):
    """A project's POST form: 404 outside scope, 403 without the right, the page again with the
    errors, or the service's write then back to the project."""
    project = _project_or_404(request, code)
    _ensure_can_edit(request, project)
    form = form_class(request.POST, **form_kwargs)
    if form.is_valid():
        try:
            save(project, form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return _done(request, project, message, anchor)
    return _project_page(request, project, **{form_name: form})


@login_required
@require_POST
def budget_set(request, code: str):
    def save(project, data):
        services.year_budget_set(
            project=project, year=data["year"], planned=data["planned"], allocated=data["allocated"], by=request.user
        )

    return _post_form(request, code, YearBudgetForm, "budget_form", save, _("Year budget saved."), "#money")


@login_required
@require_POST
def transaction_add(request, code: str):
    def save(project, data):
        services.transaction_record(project=project, by=request.user, **data)

    project = _project_or_404(request, code)
    return _post_form(
        request,
        code,
        TransactionForm,
        "transaction_form",
        save,
        _("Transaction recorded."),
        "#transactions",
        packages=project.packages.all(),
    )


@login_required
@require_POST
def progress_report(request, code: str):
    def save(project, data):
        services.physical_progress_report(project=project, by=request.user, **data)

    return _post_form(
        request, code, PhysicalProgressForm, "progress_form", save, _("Physical progress reported."), "#earned-value"
    )


@login_required
@require_POST
def package_save(request, code: str):
    def save(project, data):
        services.package_save(project=project, by=request.user, **data)

    return _post_form(request, code, PackageForm, "package_form", save, _("Package saved."), "#packages")


@login_required
@require_POST
def milestone_report(request, code: str):
    """A milestone's progress or completion, through the tracked-work base (the unit in charge
    reports; the evidence goes to whoever set the milestone)."""
    project = _project_or_404(request, code)
    ensure(can_report_for(request.user, project.owner_unit), _("Only the owner unit reports on its milestones."))
    form = MilestoneReportForm(request.POST, milestones=_open_milestones(project))
    if form.is_valid():
        data = form.cleaned_data
        try:
            work_progress_report(
                item=data["milestone"].item,
                by=request.user,
                progress=data["progress"],
                note=data["note"],
                link=data["link"],
                completion=data["completion"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return _done(request, project, _("Milestone progress reported."), "#milestones")
    return _project_page(request, project, milestone_report_form=form)


@login_required
@require_POST
def milestone_add(request, code: str):
    def save(project, data):
        services.milestone_add(
            project=project,
            by=request.user,
            title=data["title"],
            type=data["type"],
            due_date=data["due_date"],
            start_date=data["start_date"],
            weight=data["weight"] or 0,
            deliverable=data["deliverable"],
        )

    return _post_form(request, code, MilestoneForm, "milestone_form", save, _("Milestone added."), "#milestones")


@login_required
@require_POST
def baseline_freeze(request, code: str):
    def save(project, data):
        services.baseline_freeze(project=project, by=request.user, on=data["on"], reason=data["reason"])

    return _post_form(request, code, BaselineFreezeForm, "baseline_form", save, _("Baseline frozen."), "#earned-value")


# --- the red-flag rules --------------------------------------------------------------------------


def _can_publish(user) -> bool:
    return user.is_superuser or user.role in RULE_PUBLISHERS


@login_required
def rules(request):
    """The rule set in force and the past versions; the ministry's leaders publish a new one."""
    on = today()
    current = selectors.rule_set_in_force(on)
    can_publish = _can_publish(request.user) and current is not None
    form = None
    if request.method == "POST":
        ensure(_can_publish(request.user), _("Only the ministry's leaders publish the red-flag rules."))
        form = RuleSetForm(request.POST, rules=current.rules.all() if current else [])
        if form.is_valid():
            try:
                rule_set = services.flag_rule_set_next(
                    changes=form.changes(),
                    valid_from=form.cleaned_data["valid_from"],
                    by=request.user,
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request, _("Version %(version)s of the rules published.") % {"version": rule_set.version}
                )
                return redirect("projects:rules")
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
    elif can_publish:
        form = RuleSetForm(rules=current.rules.all(), initial={"valid_from": on})
    versions = [
        {
            "rule_set": rule_set,
            "current": current is not None and rule_set.pk == current.pk,
            "future": rule_set.valid_from > on,
            "rules": [
                {
                    "rule": rule,
                    "name": rule_name(rule),
                    "threshold": threshold_sentence(rule.code, rule.params),
                }
                for rule in rule_set.rules.all()
            ],
        }
        for rule_set in selectors.rule_sets()
    ]
    open_counts = dict(
        RedFlag.objects.filter(cleared_on__isnull=True)
        .filter(project__in=selectors.projects_visible(request.user).values("pk"))
        .values_list("code")
        .annotate(n=Count("pk"))
    )
    context = {"versions": versions, "current": current, "form": form, "open_counts": open_counts, "today": on}
    return render(request, "projects/rules.html", context)
