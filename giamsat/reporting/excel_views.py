"""Excel pages: download a template to fill, upload a filled workbook (every problem listed and
sent back highlighted), export a selection or one report to Excel or CSV."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_POST

from giamsat.accounts.choices import ScopeKind
from giamsat.accounts.selectors import (
    ensure_can_capture,
    ensure_can_view,
    scope_filter,
    unit_filter_choices,
    user_scope,
)
from giamsat.catalog.models import DataSet
from giamsat.catalog.selectors import data_set_assigned_to, data_set_units
from giamsat.core.dates import today
from giamsat.core.http import download_response, safe_file_stem
from giamsat.core.periods import PICKER_DEPTH, InvalidPeriod, periods_between, picker_choices
from giamsat.core.periods import Period as PeriodValue
from giamsat.orgunits.models import OrgUnit

from . import excel, selectors
from .models import Report

PAGE = "reporting/excel_upload.html"
PROBLEMS_SHOWN = 500


class BadRequest(ValueError):
    """A parameter we cannot use; the message says which and why."""


def _bad_request(request, message: str) -> HttpResponse:
    return render(request, "errors/400.html", {"message": message}, status=400)


def _data_set(params) -> DataSet:
    code = params.get("data_set", "").strip()
    if not code:
        raise BadRequest(_("Choose a data set."))
    data_set = DataSet.objects.filter(code=code).first()
    if data_set is None:
        raise BadRequest(_("No data set has this code."))
    return data_set


def _unit(params) -> OrgUnit | None:
    code = params.get("org_unit", "").strip()
    if not code:
        return None
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        raise BadRequest(_("No unit has this code."))
    return unit


def _periods(params, data_set: DataSet, *, limit: int) -> list[PeriodValue]:
    """`period` (or `start`) and an optional `end`, of the data set's period type; by default
    the last period that has ended."""
    first_code = (params.get("start") or params.get("period") or "").strip()
    last_code = params.get("end", "").strip()
    try:
        if first_code:
            first = PeriodValue.parse(first_code)
        else:
            first = PeriodValue.containing(data_set.period_type, today()).previous()
        last = PeriodValue.parse(last_code) if last_code else first
    except InvalidPeriod as exc:
        raise BadRequest(str(exc)) from None
    if first.type != data_set.period_type or last.type != data_set.period_type:
        raise BadRequest(
            _("This data set is reported for %(type)s periods.") % {"type": data_set.get_period_type_display().lower()}
        )
    if last.start < first.start:
        raise BadRequest(_("The last period comes before the first one."))
    periods = periods_between(data_set.period_type, first.start, last.start)
    if len(periods) > limit:
        raise BadRequest(_("At most %(count)s periods at a time: choose a shorter range.") % {"count": limit})
    return periods


def _format(params) -> str:
    kind = params.get("format", "xlsx").strip().lower() or "xlsx"
    if kind not in {"xlsx", "csv"}:
        raise BadRequest(_("The format must be xlsx or csv."))
    return kind


def _page_context(request, **extra) -> dict:
    data_sets, units = selectors.capture_choices(request.user)
    return {
        "pick_data_sets": data_sets,
        "pick_units": units,
        "all_data_sets": DataSet.objects.all(),
        "period_choices": picker_choices(PICKER_DEPTH, today=today()),
        "filter_units": unit_filter_choices(request.user, on=today()),
        # The export preselects a data set the user's units report, not the first code of the catalogue.
        "export_default": data_sets[0].code if data_sets else "",
        "max_mb": excel.MAX_UPLOAD_BYTES // (1024 * 1024),
        "max_template_periods": excel.MAX_TEMPLATE_PERIODS,
        **extra,
    }


@login_required
@require_GET
def home(request):
    """Download a template, upload a filled workbook, export figures."""
    return render(request, PAGE, _page_context(request))


def _template_units(user, data_set: DataSet, unit: OrgUnit | None, periods: list[PeriodValue]) -> list[OrgUnit]:
    if unit is not None:
        if not any(data_set_assigned_to(data_set, unit, on=p.end) for p in periods):
            raise BadRequest(_("This unit does not report this data set for that period."))
        return [unit]
    capture = user_scope(user, ScopeKind.CAPTURE)
    units = list(
        data_set_units(data_set, on=periods[-1].end)
        .filter(capture.q())
        .order_by("path")[: excel.MAX_TEMPLATE_UNITS + 1]
    )
    if not units:
        raise BadRequest(_("No unit of your data-entry scope reports this data set."))
    if len(units) > excel.MAX_TEMPLATE_UNITS:
        raise BadRequest(
            _("More than %(count)s units of your scope report this data set: choose one unit.")
            % {"count": excel.MAX_TEMPLATE_UNITS}
        )
    return units


@login_required
@require_GET
def template_download(request):
    """A template for a data set, a period or range, and one unit (or every unit the user
    enters data for); the unit must be in the user's data-entry scope."""
    try:
        data_set = _data_set(request.GET)
        unit = _unit(request.GET)
        if unit is not None:
            ensure_can_capture(request.user, unit)
        periods = _periods(request.GET, data_set, limit=excel.MAX_TEMPLATE_PERIODS)
        units = _template_units(request.user, data_set, unit, periods)
    except BadRequest as exc:
        return _bad_request(request, str(exc))
    content = excel.template_build(data_set=data_set, units=units, periods=periods)
    span = periods[0].code if len(periods) == 1 else f"{periods[0].code}-{periods[-1].code}"
    name = safe_file_stem(f"{data_set.code}_{unit.code if unit else 'units'}_{span}") + ".xlsx"
    return download_response(content, excel.XLSX_CONTENT_TYPE, name)


@login_required
@require_POST
def upload(request):
    """Read a filled workbook; save its figures unless a problem remains (or only the valid
    ones when asked); show the counts and every problem, located."""
    try:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > excel.MAX_UPLOAD_BYTES + 1024 * 1024:  # refused before the body is read
            raise excel.UploadRefused(excel.too_large_message())
        uploaded = request.FILES.get("file")
        if uploaded is None:
            raise excel.UploadRefused(_("Choose the workbook to upload."))
        if uploaded.size > excel.MAX_UPLOAD_BYTES:
            raise excel.UploadRefused(excel.too_large_message())
        data = uploaded.read()
        result = excel.excel_import(
            data=data,
            by=request.user,
            valid_only=request.POST.get("valid_only") == "1",
            dry_run=request.POST.get("dry_run") == "1",
        )
    except excel.UploadRefused as exc:
        return render(request, PAGE, _page_context(request, upload_error=str(exc)), status=400)
    token = ""
    if result.problems:
        token = excel.upload_keep(data=data, name=uploaded.name, problems=result.problems, user_id=request.user.pk)
    context = _page_context(
        request,
        result=result,
        token=token,
        file_name=uploaded.name,
        problems_shown=result.problems[:PROBLEMS_SHOWN],
        problems_more=max(0, len(result.problems) - PROBLEMS_SHOWN),
    )
    return render(request, PAGE, context)


@login_required
@require_GET
def upload_errors(request, token: str):
    """The user's uploaded workbook with the cells in error filled red and commented."""
    kept = excel.upload_get(token=token, user_id=request.user.pk)
    if kept is None:
        raise Http404(_("This upload is no longer available: upload the file again."))
    try:
        content = excel.errors_workbook(kept.data, kept.problems)
    except excel.UploadRefused as exc:
        return _bad_request(request, str(exc))
    stem = kept.name.rsplit(".", 1)[0] or "GiamSat"
    suffix = pgettext("file name", "errors")
    return download_response(content, excel.XLSX_CONTENT_TYPE, f"{stem} ({suffix}).xlsx")


def _export_response(rows, kind: str, *, data_set: DataSet, periods: list[PeriodValue], unit, user) -> HttpResponse:
    span = periods[0].code if len(periods) == 1 else f"{periods[0].code}-{periods[-1].code}"
    stem = safe_file_stem(f"{data_set.code}_{unit.code if unit else 'units'}_{span}")
    if kind == "csv":
        return download_response(excel.export_csv(rows), "text/csv; charset=utf-8", f"{stem}.csv")
    period_text = periods[0].label if len(periods) == 1 else f"{periods[0].label} – {periods[-1].label}"
    subtitle = _("Unit: %(unit)s · Period: %(periods)s · Exported on %(date)s by %(user)s") % {
        "unit": unit.name if unit else _("all units of your scope"),
        "periods": period_text,
        "date": today().strftime("%d/%m/%Y"),
        "user": user.display_name,
    }
    content = excel.export_workbook(rows=rows, title=data_set.name, subtitle=subtitle)
    return download_response(content, excel.XLSX_CONTENT_TYPE, f"{stem}.xlsx")


@login_required
@require_GET
def export(request):
    """Figures of a data set for a period or range, for one unit or every unit of the user's
    view scope that reports it, as .xlsx or .csv."""
    try:
        data_set = _data_set(request.GET)
        unit = _unit(request.GET)
        if unit is not None:
            ensure_can_view(request.user, unit)
        kind = _format(request.GET)
        periods = _periods(request.GET, data_set, limit=excel.MAX_EXPORT_PERIODS)
        if unit is not None:
            units_by_period = {p.code: [unit] for p in periods}
        else:
            units_by_period = {
                p.code: list(
                    scope_filter(data_set_units(data_set, on=p.end), request.user, kind=ScopeKind.VIEW).order_by("path")
                )
                for p in periods
            }
        rows = excel.export_rows(data_set=data_set, units_by_period=units_by_period, periods=periods)
    except (BadRequest, excel.ExportTooLarge) as exc:
        return _bad_request(request, str(exc))
    return _export_response(rows, kind, data_set=data_set, periods=periods, unit=unit, user=request.user)


@login_required
@require_GET
def report_export(request, pk: int):
    """One report's figures as .xlsx or .csv."""
    report = get_object_or_404(Report.objects.select_related("data_set", "org_unit", "period"), pk=pk)
    ensure_can_view(request.user, report.org_unit)
    try:
        kind = _format(request.GET)
    except BadRequest as exc:
        return _bad_request(request, str(exc))
    period = report.period.value
    rows = excel.export_rows(
        data_set=report.data_set, units_by_period={period.code: [report.org_unit]}, periods=[period]
    )
    return _export_response(
        rows, kind, data_set=report.data_set, periods=[period], unit=report.org_unit, user=request.user
    )
