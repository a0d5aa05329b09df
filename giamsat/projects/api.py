"""Projects in the API: the portfolio (filtered, paged), registering a project, one project with
its money, earned value and open red flags (or as OC4IDS), its transactions and milestones, and
an OC4IDS project package of the visible projects. Scoped as everywhere: a project is seen
through any unit that owned it, changed by its owner's people and those who give it work."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from giamsat.accounts.choices import Domain
from giamsat.accounts.selectors import ensure_can_view
from giamsat.core.dates import today
from giamsat.orgunits.models import OrgUnit

from . import oc4ids
from .choices import (
    FlagCode,
    FundingSource,
    MilestoneType,
    Programme,
    ProjectStatus,
    ProjectType,
    TransactionKind,
)
from .explain import flag_sentence
from .models import Milestone, Package, Project, Transaction
from .selectors import (
    PortfolioFilters,
    disbursed,
    open_flags,
    portfolio,
    project_can_edit,
    project_earned_value,
    projects_visible,
)
from .services import milestone_add, project_create, transaction_record

router = Router(tags=["projects"])

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_PACKAGE_PROJECTS = 5_000
Money = Annotated[int, Field(ge=1, le=10**15, description="Whole đồng (VND)")]
Text = Annotated[str, Field(max_length=500)]


def _json(body: dict, status: int) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _bad_request(message: str, errors: dict | None = None) -> JsonResponse:
    return _json({"detail": message, "code": "invalid", **({"errors": errors} if errors else {})}, 400)


_CAMEL = {
    "owner_unit": "ownerUnit",
    "decision_number": "decisionNumber",
    "decision_date": "decisionDate",
    "decision_body": "decisionBody",
    "total_investment": "totalInvestment",
    "planned_start": "plannedStart",
    "planned_end": "plannedEnd",
    "due_date": "dueDate",
    "start_date": "startDate",
}


def _invalid(exc: ValidationError) -> JsonResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    first = next(iter(errors.values()))[0]
    return _bad_request(str(first), {_CAMEL.get(k, k): v for k, v in errors.items()})


def _clean(text: str) -> str:
    return (text or "").replace("\x00", "")


def _number(text: str | None, name: str, default: int) -> int:
    if text is None or not text.strip():
        return default
    text = text.strip()
    if not text.isdigit() or int(text) < 1 or len(text) > 12:
        raise ValueError(_("“%(name)s” must be a whole number from 1.") % {"name": name})
    return int(text)


def _one_of(value: str, name: str, allowed) -> str:
    value = _clean(value).strip()
    if value and value not in allowed:
        raise ValueError(_("Unknown “%(name)s”: use one of %(values)s.") % {"name": name, "values": ", ".join(allowed)})
    return value


def _pager(number: int, size: int, total: int) -> dict:
    return {"page": number, "pageSize": size, "total": total, "pageCount": -(-total // size)}


def _unit_out(unit: OrgUnit) -> dict:
    return {"code": unit.code, "name": unit.name_vi}


def _project(request, code: str) -> Project:
    """The project `code`: 404 when there is none, 403 when it is outside the user's scope."""
    code = _clean(code).strip()
    if not Project.objects.filter(code=code).exists():
        raise Http404(_("No project has this code."))
    project = projects_visible(request.user).select_related("owner_unit").filter(code=code).first()
    if project is None:
        raise PermissionDenied(_("This project is outside your scope."))
    return project


def _ensure_can_edit(request, project: Project) -> None:
    if not project_can_edit(request.user, project):
        raise PermissionDenied(_("You may not change this project."))


# --- schemas ---------------------------------------------------------------------------------


class ErrorOut(Schema):
    detail: str
    code: str
    errors: dict[str, list[str]] | None = None


class UnitOut(Schema):
    code: str
    name: str


class Pager(Schema):
    page: int
    pageSize: int
    total: int
    pageCount: int


class ProjectOut(Schema):
    code: str
    name: str
    owner: UnitOut
    type: str = Field(description=", ".join(ProjectType.values))
    domain: str
    programme: str
    status: str = Field(description=", ".join(ProjectStatus.values))
    statusLabel: str
    decisionNumber: str
    decisionDate: dt.date
    decisionBody: str
    totalInvestment: int = Field(description="Đồng")
    plannedStart: dt.date
    plannedEnd: dt.date
    actualStart: dt.date | None
    actualEnd: dt.date | None
    allocatedYear: int = Field(description="This year's capital allocated, đồng")
    disbursedYear: int = Field(description="Disbursed this year, đồng")
    disbursementRate: float | None = Field(description="Disbursed / allocated this year, %")
    openFlags: int


class ProjectPage(Schema):
    pager: Pager
    projects: list[ProjectOut]


class FundingOut(Schema):
    source: str
    amount: int


class YearOut(Schema):
    year: int
    planned: int
    allocated: int


class EarnedValueOut(Schema):
    day: dt.date
    bac: float = Field(description="Budget at completion, đồng")
    pv: float = Field(description="Planned value, đồng")
    ev: float = Field(description="Earned value, đồng")
    ac: float = Field(description="Actual cost (disbursed), đồng")
    spi: float | None
    cpi: float | None


class FlagOut(Schema):
    code: str
    label: str
    subject: str
    raisedOn: dt.date
    ruleVersion: int
    legalBasis: str
    severity: str
    explanation: str
    figures: dict


class ProjectDetailOut(ProjectOut):
    description: str
    owners: list[dict]
    funding: list[FundingOut]
    years: list[YearOut]
    disbursedTotal: int
    committedTotal: int
    physicalProgress: float | None
    earnedValue: EarnedValueOut | None
    flags: list[FlagOut]


class FundingIn(Schema):
    source: str = Field(..., description=", ".join(FundingSource.values))
    amount: Money


class ProjectIn(Schema):
    code: str = Field(..., min_length=1, max_length=40)
    name: str = Field(..., min_length=1, max_length=500)
    description: str = Field("", max_length=20000)
    ownerUnit: str = Field(..., min_length=1, max_length=40, description="The owner unit's code")
    type: str = Field(..., description=", ".join(ProjectType.values))
    domain: str = Field(Domain.IT_DX, description=", ".join(Domain.values))
    programme: str = Field("", description=", ".join(Programme.values))
    status: str = Field(..., description=", ".join(ProjectStatus.values))
    decisionNumber: str = Field(..., min_length=1, max_length=80)
    decisionDate: dt.date
    decisionBody: str = Field(..., min_length=1, max_length=255)
    totalInvestment: Money
    plannedStart: dt.date
    plannedEnd: dt.date
    funding: list[FundingIn] = Field(default_factory=list, max_length=10)


class TransactionOut(Schema):
    id: int
    kind: str
    date: dt.date
    amount: int
    document: str
    note: str
    package: str | None


class TransactionIn(Schema):
    kind: str = Field(TransactionKind.DISBURSEMENT, description=", ".join(TransactionKind.values))
    date: dt.date
    amount: Money
    document: str = Field("", max_length=255)
    note: Text = ""
    package: str = Field("", max_length=40, description="The package number, if the money is for one")


class TransactionList(Schema):
    project: str
    disbursedTotal: int
    transactions: list[TransactionOut]


class MilestoneOut(Schema):
    id: int
    title: str
    type: str = Field(description=", ".join(MilestoneType.values))
    weight: int
    startDate: dt.date | None
    dueDate: dt.date
    completedOn: dt.date | None
    progress: int
    deliverable: str


class MilestoneIn(Schema):
    title: str = Field(..., min_length=1, max_length=500)
    type: str = Field(..., description=", ".join(MilestoneType.values))
    dueDate: dt.date
    startDate: dt.date | None = None
    weight: int = Field(0, ge=0, le=100, description="Its share of the physical work, %")
    deliverable: str = Field("", max_length=5000)


class MilestoneList(Schema):
    project: str
    milestones: list[MilestoneOut]


class ProjectQuery(Schema):
    owner: str = Field("", max_length=40, description="A unit code: its projects, its departments' and former ones'")
    status: str = Field("", description=", ".join(ProjectStatus.values))
    domain: str = Field("", description=", ".join(Domain.values))
    programme: str = Field("", description=", ".join(Programme.values))
    flag: str = Field("", description="A red flag's code (" + ", ".join(FlagCode.values) + ") or “any”")
    q: str = Field("", max_length=200, description="Words of the code or the name")
    page: str = Field("", description="From 1; a page past the end is empty")
    pageSize: str = Field("", description=f"At most {MAX_PAGE_SIZE}")


# --- the portfolio ---------------------------------------------------------------------------


def _project_out(project: Project) -> dict:
    allocated = getattr(project, "allocated_year", 0) or 0
    paid = getattr(project, "disbursed_year", 0) or 0
    return {
        "code": project.code,
        "name": project.name,
        "owner": _unit_out(project.owner_unit),
        "type": project.type,
        "domain": project.domain,
        "programme": project.programme,
        "status": project.status,
        "statusLabel": str(project.get_status_display()),
        "decisionNumber": project.decision_number,
        "decisionDate": project.decision_date,
        "decisionBody": project.decision_body,
        "totalInvestment": project.total_investment,
        "plannedStart": project.planned_start,
        "plannedEnd": project.planned_end,
        "actualStart": project.actual_start,
        "actualEnd": project.actual_end,
        "allocatedYear": allocated,
        "disbursedYear": paid,
        "disbursementRate": round(paid * 100 / allocated, 1) if allocated else None,
        "openFlags": getattr(project, "open_flags", 0) or 0,
    }


def _filters(request, query: ProjectQuery) -> PortfolioFilters:
    """The query's filters; an unknown value is a ValueError naming it; an owner outside the
    user's scope is refused (403), an unknown one not found (404)."""
    filters = PortfolioFilters(
        owner=_clean(query.owner).strip(),
        status=_one_of(query.status, "status", ProjectStatus.values),
        domain=_one_of(query.domain, "domain", Domain.values),
        programme=_one_of(query.programme, "programme", Programme.values),
        flag=_one_of(query.flag, "flag", [*FlagCode.values, "any"]),
        q=_clean(query.q).strip(),
    )
    if filters.owner:
        unit = OrgUnit.objects.filter(code=filters.owner).first()
        if unit is None:
            raise Http404(_("No unit has this code."))
        ensure_can_view(request.user, unit)
    return filters


@router.get(
    "/projects",
    response={200: ProjectPage, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Investment projects in your scope, flagged first (paged)",
)
def project_list(request, query: Query[ProjectQuery]):
    try:
        filters = _filters(request, query)
        number = _number(query.page, "page", 1)
        size = min(_number(query.pageSize, "pageSize", PAGE_SIZE), MAX_PAGE_SIZE)
    except ValueError as exc:
        return _bad_request(str(exc))
    projects = portfolio(request.user, filters, year=today().year)
    total = projects.count()
    offset = (number - 1) * size
    rows = list(projects[offset : offset + size]) if offset < total else []
    return {"pager": _pager(number, size, total), "projects": [_project_out(p) for p in rows]}


@router.post(
    "/projects",
    response={201: ProjectDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Register an investment project for a unit of your scope",
)
def project_create_api(request, payload: ProjectIn):
    from giamsat.tracking.permissions import can_assign, can_report_for

    owner = OrgUnit.objects.filter(code=_clean(payload.ownerUnit).strip()).first()
    if owner is None:
        raise Http404(_("No unit has this code."))
    if not (can_report_for(request.user, owner) or can_assign(request.user, owner)):
        raise PermissionDenied(_("You may not register projects for this unit."))
    try:
        for name, value, allowed in (
            ("type", payload.type, ProjectType.values),
            ("status", payload.status, ProjectStatus.values),
            ("domain", payload.domain, Domain.values),
            ("programme", payload.programme, Programme.values),
        ):
            if name in ("type", "status") and not value.strip():
                raise ValueError(_("“%(name)s” is required.") % {"name": name})
            _one_of(value, name, allowed)
        funding: dict[str, int] = {}
        for row in payload.funding:
            _one_of(row.source, "funding.source", FundingSource.values)
            if not row.source.strip() or row.source in funding:
                raise ValueError(_("Give each funding source once."))
            funding[row.source] = row.amount
    except ValueError as exc:
        return _bad_request(str(exc))
    try:
        project = project_create(
            by=request.user,
            funding=funding,
            check_permission=False,  # checked above, before the fields: out of scope is 403
            code=_clean(payload.code).strip(),
            name=_clean(payload.name).strip(),
            description=_clean(payload.description),
            owner_unit=owner,
            type=payload.type,
            domain=payload.domain or Domain.IT_DX,
            programme=payload.programme,
            status=payload.status,
            decision_number=_clean(payload.decisionNumber).strip(),
            decision_date=payload.decisionDate,
            decision_body=_clean(payload.decisionBody).strip(),
            total_investment=payload.totalInvestment,
            planned_start=payload.plannedStart,
            planned_end=payload.plannedEnd,
        )
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, _detail(_annotated(request, project)))


# --- one project -----------------------------------------------------------------------------


def _annotated(request, project: Project) -> Project:
    found = portfolio(request.user, PortfolioFilters(), year=today().year).filter(pk=project.pk).first()
    return found or project


def _detail(project: Project) -> dict:
    day = today()
    ev = project_earned_value(project, day)
    progress = project.physical_progress.filter(on__lte=day).order_by("-on", "-pk").first()
    flags = [
        {
            "code": flag.code,
            "label": str(flag.get_code_display()),
            "subject": flag.subject,
            "raisedOn": flag.raised_on,
            "ruleVersion": flag.rule.rule_set.version,
            "legalBasis": flag.rule.legal_basis,
            "severity": flag.rule.severity,
            "explanation": flag_sentence(flag.code, flag.latest or flag.figures),
            "figures": flag.latest or flag.figures,
        }
        for flag in open_flags([project]).select_related("rule__rule_set").order_by("raised_on", "pk")
    ]
    committed = sum(
        project.transactions.filter(kind=TransactionKind.COMMITMENT).values_list("amount", flat=True), start=0
    )
    return {
        **_project_out(project),
        "description": project.description,
        "owners": [
            {"unit": _unit_out(o.unit), "from": o.valid_from, "to": o.valid_to, "reason": o.reason}
            for o in project.owners.select_related("unit")
        ],
        "funding": [{"source": f.source, "amount": f.amount} for f in project.funding.all()],
        "years": [{"year": y.year, "planned": y.planned, "allocated": y.allocated} for y in project.years.all()],
        "disbursedTotal": disbursed([project.pk], to=day).get(project.pk, 0),
        "committedTotal": committed,
        "physicalProgress": float(progress.percent) if progress else None,
        "earnedValue": (
            {"day": day, "bac": ev.bac, "pv": ev.pv, "ev": ev.ev, "ac": ev.ac, "spi": ev.spi, "cpi": ev.cpi}
            if ev
            else None
        ),
        "flags": flags,
    }


@router.get(
    "/projects/{code}",
    response={200: ProjectDetailOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="One project: money, earned value, open red flags with their rule and legal basis",
    description="With `format=oc4ids`, the project as an OC4IDS 0.9 project object instead.",
)
def project_get(
    request,
    code: str,
    format: str = Query("", description="Empty (GiamSat's form) or “oc4ids”"),  # noqa: A002 - the query's name
):
    if format not in ("", "json", "oc4ids"):
        return _bad_request(
            _("Unknown “%(name)s”: use one of %(values)s.") % {"name": "format", "values": "json, oc4ids"}
        )
    project = _project(request, code)
    if format == "oc4ids":
        return _json(oc4ids.project_document(project, today=today()), 200)
    return _detail(_annotated(request, project))


# --- transactions ----------------------------------------------------------------------------


def _transaction_out(row: Transaction, packages: dict[int, str]) -> dict:
    return {
        "id": row.pk,
        "kind": row.kind,
        "date": row.date,
        "amount": row.amount,
        "document": row.document,
        "note": row.note,
        "package": packages.get(row.package_id) if row.package_id else None,
    }


@router.get(
    "/projects/{code}/transactions",
    response={200: TransactionList, 403: ErrorOut, 404: ErrorOut},
    summary="A project's commitments and disbursements, by date",
)
def transaction_list(request, code: str):
    project = _project(request, code)
    packages = dict(Package.objects.filter(project=project).values_list("pk", "code"))
    rows = project.transactions.order_by("date", "pk")
    return {
        "project": project.code,
        "disbursedTotal": disbursed([project.pk], to=dt.date.max).get(project.pk, 0),
        "transactions": [_transaction_out(t, packages) for t in rows],
    }


@router.post(
    "/projects/{code}/transactions",
    response={201: TransactionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Record money committed or paid out on a project",
)
def transaction_create(request, code: str, payload: TransactionIn):
    project = _project(request, code)
    _ensure_can_edit(request, project)
    package = None
    if payload.package.strip():
        package = Package.objects.filter(project=project, code=_clean(payload.package).strip()).first()
        if package is None:
            message = _("The project has no package numbered %(code)s.") % {"code": _clean(payload.package)[:40]}
            return _bad_request(message, {"package": [message]})
    try:
        row = transaction_record(
            project=project,
            kind=payload.kind,
            date=payload.date,
            amount=payload.amount,
            document=_clean(payload.document),
            note=_clean(payload.note),
            package=package,
            by=request.user,
            check_permission=False,
        )
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, _transaction_out(row, {package.pk: package.code} if package else {}))


# --- milestones ------------------------------------------------------------------------------


def _milestone_out(milestone: Milestone) -> dict:
    item = milestone.item
    return {
        "id": milestone.pk,
        "title": item.title,
        "type": milestone.type,
        "weight": milestone.weight,
        "startDate": item.start_date,
        "dueDate": item.due_date,
        "completedOn": item.completed_on,
        "progress": item.progress,
        "deliverable": item.deliverable,
    }


@router.get(
    "/projects/{code}/milestones",
    response={200: MilestoneList, 403: ErrorOut, 404: ErrorOut},
    summary="A project's milestones, by deadline",
)
def milestone_list(request, code: str):
    project = _project(request, code)
    rows = project.milestones.select_related("item").order_by("item__due_date", "pk")
    return {"project": project.code, "milestones": [_milestone_out(m) for m in rows]}


@router.post(
    "/projects/{code}/milestones",
    response={201: MilestoneOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="Add a milestone (tracked work of the owner unit) to a project",
)
def milestone_create(request, code: str, payload: MilestoneIn):
    project = _project(request, code)
    _ensure_can_edit(request, project)
    try:
        _one_of(payload.type, "type", MilestoneType.values)
        if not payload.type.strip():
            raise ValueError(_("“%(name)s” is required.") % {"name": "type"})
    except ValueError as exc:
        return _bad_request(str(exc), {"type": [str(exc)]})
    if payload.startDate and payload.startDate > payload.dueDate:
        message = _("The start date is after the deadline.")
        return _bad_request(message, {"startDate": [message]})
    try:
        milestone = milestone_add(
            project=project,
            title=_clean(payload.title).strip(),
            type=payload.type,
            due_date=payload.dueDate,
            start_date=payload.startDate,
            weight=payload.weight,
            deliverable=_clean(payload.deliverable),
            by=request.user,
            check_permission=False,
        )
    except ValidationError as exc:
        return _invalid(exc)
    return Status(201, _milestone_out(milestone))


# --- OC4IDS ----------------------------------------------------------------------------------


@router.get(
    "/projects/export/oc4ids",
    response={200: dict, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    summary="An OC4IDS 0.9 project package of the projects you see (the list's filters apply)",
)
def oc4ids_package(request, query: Query[ProjectQuery]):
    try:
        filters = _filters(request, query)
    except ValueError as exc:
        return _bad_request(str(exc))
    projects = list(portfolio(request.user, filters, year=today().year).order_by("code")[: MAX_PACKAGE_PROJECTS + 1])
    if len(projects) > MAX_PACKAGE_PROJECTS:
        return _bad_request(
            _("More than %(count)s projects: narrow the filters.")
            % {"count": f"{MAX_PACKAGE_PROJECTS:,}".replace(",", ".")}
        )
    if not projects:
        raise Http404(_("No project matches: an OC4IDS package holds at least one."))
    uri = request.build_absolute_uri()
    return _json(oc4ids.project_package(projects, uri=uri, today=today()), 200)
