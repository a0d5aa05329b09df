"""Evaluation pages: a unit's scorecard, rankings, one indicator across units and the
explanation of one value. They read stored results only; every unit passes the user's scope."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from giamsat.accounts.choices import Role
from giamsat.accounts.selectors import ensure_can_view, user_scope
from giamsat.catalog.choices import Pillar
from giamsat.catalog.models import Indicator
from giamsat.core.dates import today
from giamsat.core.periods import InvalidPeriod, picker_choices
from giamsat.core.periods import Period as PeriodValue
from giamsat.orgunits.models import OrgUnit

from . import selectors
from .choices import Status, Structure
from .engine.distribution import distribution
from .exports import indicator_table_export
from .jobs import recompute_job_create
from .models import OVERALL

RANK_OF_TYPE = {"MONTHLY": 1, "QUARTERLY": 2, "YEARLY": 3}  # a finer indicator is shown at coarser periods too


class BadRequest(Exception):
    """A query parameter that cannot be read; the page answers 400 with the message."""


def _structure(request) -> str:
    value = request.GET.get("structure", "").upper()
    return value if value in Structure.values else Structure.PERIOD


def _period(request, default):
    """The stored period asked for in `?period=`, else `default()`; BadRequest if unreadable."""
    code = request.GET.get("period", "").strip()
    if not code:
        return default()
    try:
        value = PeriodValue.parse(code)
    except InvalidPeriod as exc:
        raise BadRequest(str(exc)) from None
    return selectors.stored_period(value)


def _bad_request(request, exc: BadRequest):
    return render(request, "errors/400.html", {"message": str(exc)}, status=400)


def _unit_or_404(request, code: str) -> OrgUnit:
    unit = get_object_or_404(OrgUnit, code=code)
    ensure_can_view(request.user, unit)
    return unit


def _chart_trend(row) -> dict:
    return {"labels": [p.label for p in row.trend], "values": [p.value for p in row.trend]}


@login_required
def unit_scorecard(request, code: str):
    """A unit's indicators, pillar values and index for a period, with trends and ranks."""
    unit = _unit_or_404(request, code)
    try:
        period = _period(request, lambda: selectors.latest_index_period(unit=unit))
    except BadRequest as exc:
        return _bad_request(request, exc)
    structure = _structure(request)
    scorecard = selectors.scorecard_get(unit=unit, period=period, structure=structure) if period else None
    rank = selectors.rank_of(scorecard.overall if scorecard else None, structure)
    comparison = (
        selectors.unit_comparison(
            user=request.user, unit=unit, period=period, structure=structure, value=scorecard.overall.value
        )
        if scorecard and scorecard.overall and rank[0]
        else None
    )
    context = {
        "unit": unit,
        "period": period,
        "period_choices": selectors.index_period_choices(unit=unit),
        "comparison": comparison,
        "unit_label": selectors.orgunit_labels([unit], on=period.end_date if period else None)[unit.pk],
        "structure": structure,
        "structures": Structure.choices,
        "scorecard": scorecard,
        "rank": rank[0],
        "previous_rank": rank[1],
        "peers": rank[2],
        "trends": {
            row.indicator.code: _chart_trend(row)
            for block in (scorecard.pillars if scorecard else [])
            for row in block.rows
        },
    }
    return render(request, "evaluation/scorecard.html", context)


RANKING_PAGE = 100


@login_required
def ranking(request):
    """Units of a type ranked on the index or a pillar, in the period's or today's structure."""
    try:
        period = _period(request, lambda: selectors.latest_index_period())
    except BadRequest as exc:
        return _bad_request(request, exc)
    pillar = request.GET.get("pillar", OVERALL).upper()
    if pillar != OVERALL and pillar not in Pillar.values:
        return _bad_request(request, BadRequest(_("Unknown pillar.")))
    structure = _structure(request)
    unit_type = request.GET.get("type", "").upper() or "PROVINCE"
    complete_only = request.GET.get("complete") == "1"
    result = (
        selectors.ranking_get(
            user=request.user,
            period=period,
            pillar=pillar,
            unit_type=unit_type,
            structure=structure,
            complete_only=complete_only,
        )
        if period
        else None
    )
    pillar_labels = dict(Pillar.choices)
    # 3,321 communes are read on pages of 100, best first (the chart shows the same page).
    page = Paginator(result.rows if result else [], RANKING_PAGE).get_page(request.GET.get("page"))  # reads one page
    rows = list(page.object_list)
    summary = (
        selectors.ranking_summary(user=request.user, period=period, unit_type=unit_type, structure=structure)
        if result and rows
        else None
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "rows": rows,
        "page_query": query.urlencode(),
        "period": period,
        "period_choices": selectors.index_period_choices(),
        "summary": summary,
        "pillar": pillar,
        "pillars": [(OVERALL, _("Overall index"))] + [(p, pillar_labels[p]) for p in Pillar.values if p != "SECTOR"],
        "pillar_labels": pillar_labels,
        "structure": structure,
        "structures": Structure.choices,
        "unit_type": unit_type,
        "ranking": result,
        "pillar_codes": selectors.pillar_columns(rows),
        "chart_height": max(280, 22 * len(rows) + 60),
        "chart": {
            "labels": [r.label or r.unit.display_name for r in rows],
            "values": [round(r.value, 4) for r in rows],
            "lines": _median_lines(summary, rows, pillar),
        },
        "can_recompute": request.user.is_superuser or request.user.role == Role.ADMIN,
        "complete_only": complete_only,
        "methodology": selectors.methodology_in_force(period.end_date) if period else None,
    }
    return render(request, "evaluation/ranking.html", context)


def _median_lines(summary, rows, pillar: str) -> list[dict]:
    """The medians drawn across a ranking's bars: the country's, and the region's when every
    unit shown lies in one region (a province's leader sees their own bar against both)."""
    if summary is None:
        return []
    lines = []
    if summary.national and pillar in summary.national.median:
        lines.append({"name": _("National median"), "value": round(summary.national.median[pillar], 4)})
    regions = {summary.region_of.get(r.unit.pk) for r in rows}
    region = summary.region(regions.pop()) if len(regions) == 1 else None
    if region and pillar in region.median:
        lines.append({"name": _("Regional median"), "value": round(region.median[pillar], 4)})
    return lines


@login_required
def unit_structures(request, code: str):
    """Why a current unit's rank differs between the period's structure and today's (63 and 34
    provinces): its former units, each pillar in both structures and what moved the index.
    A former unit's address leads to the unit it became."""
    unit = selectors.structure_current_unit(_unit_or_404(request, code))
    ensure_can_view(request.user, unit)
    periods = selectors.structure_periods(unit)
    try:
        period = _period(request, lambda: periods[0] if periods else None)
    except BadRequest as exc:
        return _bad_request(request, exc)
    explanation = selectors.structure_explanation_get(unit=unit, period=period) if period else None
    context = {
        "unit": unit,
        "period": period,
        "period_choices": selectors.index_period_choices(periods=periods),
        "x": explanation,
    }
    return render(request, "evaluation/structures.html", context)


@login_required
@require_POST
def recompute(request):
    """An administrator queues a full recompute and follows it on the jobs page."""
    recompute_job_create(by=request.user)
    messages.success(request, _("The recompute is queued; its progress is shown below."))
    return redirect("jobs:job_list")


@dataclass
class IndicatorTable:
    """What the indicator page, its trend and its exports read for one request."""

    indicator: Indicator
    period: object  # the stored Period, or None when nothing is stored
    structure: str
    unit_type: str
    unit_types: list[str]
    rows: list
    labels: dict[int, str]


def _indicator_table(request, code: str) -> IndicatorTable:
    """The indicator's values for the period, unit type and structure asked for, in the user's
    scope (BadRequest on an unreadable period)."""
    indicator = get_object_or_404(Indicator.objects.prefetch_related("data_elements"), code=code)
    period = _period(request, lambda: selectors.indicator_latest_period(indicator))
    if period is not None and request.GET.get("period"):
        # A month asked of a quarterly indicator shows its latest completed quarter, as the index does.
        shown = selectors.as_of(selectors.finest_type(indicator), period.value)
        period = selectors.stored_period(shown) if shown.code != period.code else period
    structure = _structure(request)
    unit_types = selectors.indicator_unit_types(user=request.user, indicator=indicator, period=period) if period else []
    unit_type = request.GET.get("type", "").upper() or ("PROVINCE" if "PROVINCE" in unit_types else "")
    if not unit_type and unit_types:
        unit_type = unit_types[0]
    rows = (
        selectors.indicator_values(
            user=request.user, indicator=indicator, period=period, unit_type=unit_type, structure=structure
        )
        if period
        else []
    )
    # Today's units over a period before they existed say what they are built from.
    on = period.end_date if period and structure == Structure.CURRENT else None
    labels = selectors.orgunit_labels([r.org_unit for r in rows], on=on)
    return IndicatorTable(indicator, period, structure, unit_type, unit_types, rows, labels)


def _trend_default(rows) -> list[str]:
    """The units a trend starts with: the best and the worst of the table (or the only one)."""
    if not rows:
        return []
    return [rows[0].org_unit.code] + ([rows[-1].org_unit.code] if len(rows) > 1 else [])


@login_required
def indicator_detail(request, code: str):
    """One indicator for a period across the units in the user's scope: the map, the ranking,
    the trend, the distribution and the data behind them, with exports. Stored results only."""
    try:
        table = _indicator_table(request, code)
    except BadRequest as exc:
        return _bad_request(request, exc)
    indicator, period, rows, labels = table.indicator, table.period, table.rows, table.labels
    # A page of the table and its chart at a time (3,321 communes are 2 MB of HTML); the
    # distribution, the trend's default units and the exports take every row.
    page = Paginator(rows, INDICATOR_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    trend_selected = request.GET.getlist("trend") or _trend_default(rows)
    choosable = shown + [r for r in rows if r.org_unit.code in trend_selected and r not in shown]
    finest = selectors.finest_type(indicator)
    coarser = [t for t in ("MONTHLY", "QUARTERLY", "YEARLY") if RANK_OF_TYPE[t] >= RANK_OF_TYPE.get(finest, 0)]
    spread = distribution([r.value for r in rows])
    query = request.GET.copy()
    query.pop("trend", None)
    if period:
        query["period"] = period.code
    context = {
        "indicator": indicator,
        "period": period,
        "period_choices": picker_choices(coarser, today=today(), selected=period.code if period else ""),
        "structure": table.structure,
        "structures": Structure.choices,
        "unit_type": table.unit_type,
        "unit_types": table.unit_types,
        "rows": shown,
        "trend_rows": choosable,
        "page": page,
        "page_query": _without(request.GET, "page"),
        "groups": selectors.group_values(user=request.user, indicator=indicator, period=period) if period else [],
        "statuses": Status,
        "chart_height": max(280, 22 * len(shown) + 60),
        "labels": labels,
        "chart": {"labels": [labels[r.org_unit.pk] for r in shown], "values": [r.value for r in shown]},
        # The map draws provinces in the period's structure (63 until 30/06/2025, 34 after).
        "show_map": bool(period) and table.unit_type == "PROVINCE",
        "trend_selected": trend_selected,
        "trend_query": query.urlencode(),
        "spread": spread,
        "spread_chart": {
            "labels": [
                f"{_number(b.low, indicator.decimals)}–{_number(b.high, indicator.decimals)}" for b in spread.bins
            ],
            "values": [b.count for b in spread.bins],
        },
        "export_query": query.urlencode(),
    }
    return render(request, "evaluation/indicator.html", context)


def _number(value: float, decimals: int) -> str:
    return number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)


MAX_TREND_UNITS = 8
INDICATOR_PAGE = 100


def _without(query, *names: str) -> str:
    """The query string without the given parameters (for a pager's links)."""
    kept = query.copy()
    for name in names:
        kept.pop(name, None)
    return kept.urlencode()


@login_required
def indicator_trend(request, code: str):
    """JSON for the indicator page's trend chart: the country and the chosen units (`?trend=P01`,
    repeated, at most MAX_TREND_UNITS, each in the user's scope) over the periods up to `period`."""
    indicator = get_object_or_404(Indicator.objects.prefetch_related("data_elements"), code=code)
    try:
        period = _period(request, lambda: selectors.indicator_latest_period(indicator))
    except BadRequest as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    codes = list(dict.fromkeys(c.strip() for c in request.GET.getlist("trend") if c.strip()))
    if len(codes) > MAX_TREND_UNITS:
        message = _("Choose at most %(count)d units for the trend.") % {"count": MAX_TREND_UNITS}
        return JsonResponse({"detail": message}, status=400)
    units = list(OrgUnit.objects.filter(code__in=codes).select_related("parent"))
    if len(units) != len(codes):
        return JsonResponse({"detail": _("Unknown unit.")}, status=404)
    for unit in units:
        if not user_scope(request.user).contains(unit):
            return JsonResponse({"detail": _("This unit is outside your scope.")}, status=404)
    if period is None:
        return JsonResponse({"labels": [], "series": [], "decimals": indicator.decimals})
    trend = selectors.indicator_trend(user=request.user, indicator=indicator, period=period, units=units)
    return JsonResponse(
        {
            "labels": [p.label for p in trend.periods],
            "series": [{"code": s.code, "name": s.name, "values": s.values} for s in trend.series],
            "decimals": indicator.decimals,
        }
    )


EXPORT_FORMATS = ("csv", "xlsx")


@login_required
def indicator_export(request, code: str, fmt: str):
    """The indicator page's table as CSV or Excel: the same rows, in the same order, with
    Vietnamese headers (the page's language), dates dd/mm/yyyy, numbers as numbers."""
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("Unknown export format."))
    try:
        table = _indicator_table(request, code)
    except BadRequest as exc:
        return _bad_request(request, exc)
    export = indicator_table_export(
        indicator=table.indicator, period=table.period, rows=table.rows, labels=table.labels
    )
    stamp = table.period.code if table.period else "none"
    name = f"{table.indicator.code}_{stamp}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(export.csv(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            export.xlsx(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def explain(request, indicator_code: str, unit_code: str, period_code: str):
    """HTMX fragment (or a page without HTMX): the inputs, formula, target path, status and score
    of one indicator value."""
    unit = _unit_or_404(request, unit_code)
    indicator = get_object_or_404(Indicator, code=indicator_code)
    try:
        period = PeriodValue.parse(period_code)
    except InvalidPeriod as exc:
        return _bad_request(request, BadRequest(str(exc)))
    explanation = selectors.explanation_get(user=request.user, indicator=indicator, unit=unit, period=period)
    if explanation.value is None and not any(i.figure for i in explanation.inputs):
        raise Http404(_("No stored value for this indicator, unit and period."))
    template = "evaluation/_explain.html" if request.headers.get("HX-Request") else "evaluation/explain.html"
    unit_label = selectors.orgunit_labels([unit], on=period.end)[unit.pk]
    return render(request, template, {"x": explanation, "statuses": Status, "unit_label": unit_label})
