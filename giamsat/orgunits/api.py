"""API reads of the unit registry. Every route passes through the user's scope."""

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from giamsat.accounts.selectors import ensure_can_navigate, navigable_units
from giamsat.core.dates import parse_date

from . import selectors
from .choices import OrgUnitType
from .models import OrgUnit

router = Router(tags=["orgunits"])
MAX_PAGE = 1000


class OrgUnitRef(Schema):
    code: str
    name: str


class OrgUnitOut(Schema):
    code: str
    name: str
    name_vi: str
    name_en: str
    type: str
    level: int
    parent: str | None
    path: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    official_code: str
    latitude: Decimal | None
    longitude: Decimal | None
    area_km2: Decimal | None

    @staticmethod
    def resolve_parent(obj: OrgUnit) -> str | None:
        codes = obj.ancestor_codes
        return codes[-1] if codes else None


class OrgUnitPage(Schema):
    count: int
    results: list[OrgUnitOut]


class LineageOut(Schema):
    unit: OrgUnitRef
    event: str
    date: dt.date
    kind: str
    legal_basis: str
    weight: Decimal | None
    is_primary: bool


class OrgUnitDetailOut(OrgUnitOut):
    ancestors: list[OrgUnitRef]
    predecessors: list[LineageOut]
    successors: list[LineageOut]


class UnitFilters(Schema):
    on: str | None = Field(None, description="Only units in force on this date (yyyy-mm-dd or dd/mm/yyyy).")
    q: str | None = Field(None, description="Name or code; diacritics optional ('ha noi' finds 'Hà Nội').")
    type: OrgUnitType | None = None
    level: int | None = Field(None, ge=1, le=10)
    parent: str | None = Field(None, description="Code of the parent unit.")
    limit: int = Field(100, ge=1, le=MAX_PAGE)
    offset: int = Field(0, ge=0, le=1_000_000_000)  # beyond what a database takes as OFFSET


def _get_visible(request, code: str) -> OrgUnit:
    try:
        unit = selectors.orgunit_get(code)
    except OrgUnit.DoesNotExist:
        raise Http404(_("No unit has the code “%(code)s”.") % {"code": code[:60]}) from None
    ensure_can_navigate(request.user, unit)
    return unit


def _lineage_out(entries) -> list[LineageOut]:
    return [
        LineageOut(
            unit=OrgUnitRef(code=e.unit.code, name=e.unit.name),
            event=e.event_name,
            date=e.event_date,
            kind=str(e.event_kind),
            legal_basis=e.legal_basis,
            weight=e.weight,
            is_primary=e.is_primary,
        )
        for e in entries
    ]


@router.get("", response=OrgUnitPage, summary="List units (as of a date, by name, type, level or parent)")
def orgunit_list(request, filters: Query[UnitFilters]):
    on = parse_date(filters.on)
    units = navigable_units(request.user)
    if filters.q:
        units = units.filter(pk__in=selectors.orgunit_search(units, filters.q, on=on, limit=MAX_PAGE).values("pk"))
    elif on:
        units = units.active_on(on)
    if filters.type:
        units = units.filter(type=filters.type)
    if filters.level:
        units = units.filter(level=filters.level)
    if filters.parent:
        units = units.filter(parent=_get_visible(request, filters.parent))
    units = units.order_by("path")
    return OrgUnitPage(count=units.count(), results=list(units[filters.offset : filters.offset + filters.limit]))


@router.get("/{code}", response=OrgUnitDetailOut, summary="One unit with its parents and lineage")
def orgunit_detail(request, code: str):
    unit = _get_visible(request, code)
    predecessors, successors = selectors.orgunit_lineage(unit)
    unit.ancestors = selectors.orgunit_ancestors(unit)
    unit.predecessors = _lineage_out(predecessors)
    unit.successors = _lineage_out(successors)
    return unit


@router.get("/{code}/children", response=list[OrgUnitOut], summary="Direct children (as of a date)")
def orgunit_children(request, code: str, on: str | None = None):
    unit = _get_visible(request, code)
    return list(selectors.orgunit_children(navigable_units(request.user), unit, on=parse_date(on)))
