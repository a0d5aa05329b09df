"""Plans in Excel: upload a department's own table, map its columns, import it (nothing saved
while a problem remains); the blank template; a plan or a task list exported."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from giamsat.accounts.choices import Domain
from giamsat.accounts.selectors import ensure_can_view
from giamsat.core.dates import InvalidDate, parse_date, today
from giamsat.core.http import download_response, safe_file_stem
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting import excel as data_excel
from giamsat.tracking.choices import WorkStatus

from . import excel
from .choices import PLAN_UNIT_TYPES
from .models import Plan
from .selectors import TaskFilters, plannable_units, tasks_query, with_evidence_count
from .services import ensure_can_plan

PAGE = "plans/import.html"
MAP_PAGE = "plans/import_map.html"
RESULT_PAGE = "plans/import_result.html"
PROBLEMS_SHOWN = 500
MAX_EXPORT_ROWS = 50_000
YEARS = (2000, 2100)


class BadRequest(ValueError):
    """A parameter we cannot use; the message says which and why."""


def _unit(code: str, *, required: bool = True) -> OrgUnit | None:
    code = (code or "").replace("\x00", "").strip()
    if not code:
        if required:
            raise BadRequest(_("Choose a unit."))
        return None
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise BadRequest(_("No unit has this code."))
    return unit


def _year(text: str | None, *, default: int | None = None) -> int | None:
    text = (text or "").strip()
    if not text:
        return default
    if not text.isdigit() or not YEARS[0] <= int(text) <= YEARS[1]:
        raise BadRequest(_("The year must be a number from %(low)s to %(high)s.") % {"low": YEARS[0], "high": YEARS[1]})
    return int(text)


def _context(request, **extra) -> dict:
    return {
        "units": list(plannable_units(request.user)),
        "year": today().year,
        "max_mb": data_excel.MAX_UPLOAD_BYTES // (1024 * 1024),
        "statuses": WorkStatus.choices,
        "domains": Domain.choices,
        **extra,
    }


def _page(request, status: int = 200, **extra) -> HttpResponse:
    return render(request, PAGE, _context(request, **extra), status=status)


def _map_page(request, *, head, unit, year: int, token: str, mapping: dict, status: int = 200, **extra):
    fields = [
        {"key": f.key, "label": f.label, "required": f.required, "column": mapping.get(f.key)} for f in excel.FIELDS
    ]
    context = {
        "head": head,
        "unit": unit,
        "year": year,
        "token": token,
        "fields": fields,
        **extra,
    }
    return render(request, MAP_PAGE, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def plan_import(request):
    """Step 1: the file, the unit and the year. Posted: the file is kept and its header row
    shown for the columns to be mapped."""
    if request.method == "GET":  # from a plan's page: its unit and year chosen
        try:
            year = _year(request.GET.get("year"), default=today().year)
        except BadRequest:
            year = today().year
        return _page(request, chosen_unit=request.GET.get("unit", "")[:60], year=year)
    try:
        unit = _unit(request.POST.get("unit", ""))
        year = _year(request.POST.get("year"), default=today().year)
    except BadRequest as exc:
        return _page(request, 400, upload_error=str(exc))
    ensure_can_plan(request.user, unit)
    if unit.type not in PLAN_UNIT_TYPES:
        return _page(request, 400, upload_error=_("Units of this type keep no yearly plan."))
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    try:
        if length > data_excel.MAX_UPLOAD_BYTES + 1024 * 1024:
            raise excel.UploadRefused(data_excel.too_large_message())
        uploaded = request.FILES.get("file")
        if uploaded is None:
            raise excel.UploadRefused(_("Choose the workbook to upload."))
        if uploaded.size > data_excel.MAX_UPLOAD_BYTES:
            raise excel.UploadRefused(data_excel.too_large_message())
        data = uploaded.read()
        head = excel.sheet_head(data)
    except excel.UploadRefused as exc:
        return _page(request, 400, upload_error=str(exc))
    token = data_excel.upload_keep(data=data, name=uploaded.name, problems=[], user_id=request.user.pk)
    return _map_page(request, head=head, unit=unit, year=year, token=token, mapping=head.guess, file_name=uploaded.name)


def _header_row(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and 1 <= int(text) <= excel.HEADER_SEARCH_ROWS else None


@login_required
@require_POST
def plan_import_confirm(request):
    """Step 2: the columns mapped. `action=reread` shows another sheet or header row; otherwise
    every row is checked, and the plan saved only when no problem remains."""
    try:
        unit = _unit(request.POST.get("unit", ""))
        year = _year(request.POST.get("year"), default=today().year)
    except BadRequest as exc:
        return _page(request, 400, upload_error=str(exc))
    ensure_can_plan(request.user, unit)
    token = request.POST.get("token", "")
    kept = data_excel.upload_get(token=token, user_id=request.user.pk)
    if kept is None:
        return _page(request, 400, upload_error=_("This upload is no longer available: upload the file again."))
    sheet = request.POST.get("sheet", "")
    header_row = _header_row(request.POST.get("header_row"))
    try:
        head = excel.sheet_head(kept.data, sheet=sheet, header_row=header_row)
    except excel.UploadRefused as exc:
        return _page(request, 400, upload_error=str(exc))
    common = {"head": head, "unit": unit, "year": year, "token": token, "file_name": kept.name}
    if request.POST.get("action") == "reread" or (sheet and head.sheet != sheet):
        return _map_page(request, mapping=head.guess, **common)
    raw = {f.key: request.POST.get(f"map_{f.key}", "") for f in excel.FIELDS}
    mapping, errors = excel.mapping_clean(head, raw)
    if errors:
        return _map_page(request, mapping=mapping, mapping_errors=errors, status=400, **common)
    try:
        result = excel.plan_import(
            data=kept.data, unit=unit, year=year, by=request.user, mapping=mapping, sheet=sheet, header_row=header_row
        )
    except excel.UploadRefused as exc:
        return _map_page(request, mapping=mapping, mapping_errors=[str(exc)], status=400, **common)
    if result.problems:
        return _map_page(
            request,
            mapping=mapping,
            result=result,
            problems_shown=result.problems[:PROBLEMS_SHOWN],
            problems_more=max(0, len(result.problems) - PROBLEMS_SHOWN),
            **common,
        )
    return render(request, RESULT_PAGE, {"result": result, "unit": unit, "year": year, "file_name": kept.name})


@login_required
@require_GET
def plan_import_template(request):
    """A blank plan to fill, with its instructions."""
    return download_response(
        excel.template_workbook(), excel.XLSX_CONTENT_TYPE, safe_file_stem(_("plan_template")) + ".xlsx"
    )


def _export_filters(params) -> TaskFilters:
    status = params.get("status", "").strip()
    if status and status not in WorkStatus.values:
        raise BadRequest(
            _("Unknown “%(name)s”: use one of %(values)s.") % {"name": "status", "values": ", ".join(WorkStatus.values)}
        )
    domain = params.get("domain", "").strip()
    if domain and domain not in Domain.values:
        raise BadRequest(
            _("Unknown “%(name)s”: use one of %(values)s.") % {"name": "domain", "values": ", ".join(Domain.values)}
        )
    document = params.get("document", "").strip()
    if document and not (document.isdigit() and int(document) < 2**63):
        raise BadRequest(_("The document is given by its identifier, a whole number."))
    try:
        due_from, due_to = parse_date(params.get("due_from")), parse_date(params.get("due_to"))
    except InvalidDate as exc:
        raise BadRequest(str(exc)) from None
    return TaskFilters(
        unit=params.get("unit", "").strip(),
        year=_year(params.get("year")),
        status=status,
        domain=domain,
        document=int(document) if document else None,
        due_from=due_from,
        due_to=due_to,
        q=params.get("q", "").replace("\x00", "").strip()[:200],
    )


@login_required
@require_GET
def plan_export(request):
    """A unit's plan (`unit` and `year`) or any task list (the list's filters) as .xlsx, in
    the form the import reads back."""
    try:
        filters = _export_filters(request.GET)
        unit = _unit(filters.unit, required=False)
        if unit is not None:
            ensure_can_view(request.user, unit)
        tasks = with_evidence_count(tasks_query(user=request.user, filters=filters, today=today()))
        tasks = tasks.select_related("plan__org_unit")
        rows = list(tasks[: MAX_EXPORT_ROWS + 1])
        if len(rows) > MAX_EXPORT_ROWS:
            raise BadRequest(
                _("More than %(count)s tasks: narrow the filters.")
                % {"count": f"{MAX_EXPORT_ROWS:,}".replace(",", ".")}
            )
    except BadRequest as exc:
        return render(request, "errors/400.html", {"message": str(exc)}, status=400)
    plan = Plan.objects.filter(org_unit=unit, year=filters.year).first() if unit and filters.year else None
    rows = _plan_order(rows)
    title = plan.title if plan else _("Tasks")
    subtitle = _("Exported on %(date)s by %(user)s") % {
        "date": today().strftime("%d/%m/%Y"),
        "user": request.user.display_name,
    }
    content = excel.tasks_workbook(tasks=rows, title=title, subtitle=subtitle)
    stem = safe_file_stem(f"{unit.code}_{filters.year}" if plan else f"{_('tasks')}_{today():%Y%m%d}")
    return download_response(content, excel.XLSX_CONTENT_TYPE, f"{stem}.xlsx")


def _number_key(number: str) -> tuple:
    parts = number.split(".")
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts) if number else ((2, 0, ""),)


def _plan_order(tasks: list) -> list:
    """In each plan, the plan's own numbering (2 before 2.1 before 10), unnumbered last."""
    return sorted(
        tasks, key=lambda t: (t.plan.org_unit.code if t.plan_id else "", t.plan.year, _number_key(t.number), t.pk)
    )
