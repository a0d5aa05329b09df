"""Reads of the unit registry: trees as of a date, search, ancestors and lineage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from giamsat.core.text import fold

from .choices import TYPE_DISPLAY_ORDER, OrgUnitType, RestructuringKind
from .models import OrgUnit, OrgUnitGroup, OrgUnitLineage, RestructuringEvent

MAX_LINEAGE_DEPTH = 10
TYPE_RANK = Case(
    *(When(type=t, then=Value(rank)) for rank, t in enumerate(TYPE_DISPLAY_ORDER)),
    default=Value(len(TYPE_DISPLAY_ORDER)),
    output_field=IntegerField(),
)
LAST_DAY_OF_63 = dt.date(2025, 6, 30)


def orgunit_get(code: str) -> OrgUnit:
    """The unit with this code; raises OrgUnit.DoesNotExist."""
    return OrgUnit.objects.select_related("parent").get(code=code)


def orgunit_roots(units: QuerySet[OrgUnit], *, on: dt.date | None) -> QuerySet[OrgUnit]:
    """Top-level units (no parent), optionally only those in force on a date."""
    qs = units.filter(parent__isnull=True).order_by("type", "code")  # COUNTRY before GOVERNMENT
    return qs.active_on(on) if on else qs


def orgunit_children(units: QuerySet[OrgUnit], parent: OrgUnit, *, on: dt.date | None) -> QuerySet[OrgUnit]:
    """Direct children of a unit in force on the date, each with whether it has children."""
    children_on = OrgUnit.objects.filter(parent=OuterRef("pk"))
    if on:
        children_on = children_on.active_on(on)
    qs = units.filter(parent=parent)
    if on:
        qs = qs.active_on(on)
    # Departments before communes; within a type the official (GSO) code order officials
    # expect (Hà Nội 01 first), then the name.
    return qs.annotate(has_children=Exists(children_on), type_rank=TYPE_RANK).order_by(
        "type_rank", "official_code", "name_vi"
    )


def orgunit_search(units: QuerySet[OrgUnit], query: str, *, on: dt.date | None, limit: int = 50) -> QuerySet[OrgUnit]:
    """Units whose names or code match every word of the query, with or without diacritics.

    Provinces first, then by depth and name, so "ha noi" puts Hà Nội before its wards.
    """
    words = fold(query).split()
    if not words:
        return units.none()
    qs = units
    for word in words[:8]:
        qs = qs.filter(search_text__contains=word)
    if on:
        qs = qs.active_on(on)
    return qs.select_related("parent").order_by("level", "name_vi")[:limit]


@dataclass
class FormerMatch:
    """A unit no longer in force that matches a search, and what it became."""

    unit: OrgUnit
    successors: list[OrgUnit]
    date: dt.date | None  # of the restructuring that ended it


def orgunit_search_former(units: QuerySet[OrgUnit], query: str, *, on: dt.date, limit: int = 20) -> list[FormerMatch]:
    """Units matching the query that ended before `on` (a former province searched by its name
    today), each with the units it went into: "Quảng Nam → Đà Nẵng, 01/07/2025"."""
    words = fold(query).split()
    if not words:
        return []
    qs = units.filter(valid_to__lt=on)
    for word in words[:8]:
        qs = qs.filter(search_text__contains=word)
    former = list(qs.select_related("parent").order_by("level", "name_vi")[:limit])
    links = OrgUnitLineage.objects.filter(predecessor__in=former).select_related("successor", "event")
    successors: dict[int, list[OrgUnit]] = {}
    dates: dict[int, dt.date] = {}
    for link in links.order_by("-is_primary", "successor__name_vi"):
        successors.setdefault(link.predecessor_id, []).append(link.successor)
        dates[link.predecessor_id] = link.event.date
    return [FormerMatch(unit, successors.get(unit.pk, []), dates.get(unit.pk)) for unit in former]


def orgunit_ancestors(unit: OrgUnit) -> list[OrgUnit]:
    """The chain from the root down to the unit's parent, in one query."""
    codes = unit.ancestor_codes
    by_code = {u.code: u for u in OrgUnit.objects.filter(code__in=codes)}
    return [by_code[c] for c in codes if c in by_code]


def subtree(unit: OrgUnit, *, on: dt.date | None = None) -> QuerySet[OrgUnit]:
    """The unit and all its descendants, at any depth, in one query."""
    qs = OrgUnit.objects.subtree_of(unit)
    return qs.active_on(on) if on else qs


@dataclass
class LineageEntry:
    unit: OrgUnit
    event_name: str
    event_date: dt.date
    event_kind: str
    legal_basis: str
    weight: object
    is_primary: bool


def orgunit_lineage(unit: OrgUnit) -> tuple[list[LineageEntry], list[LineageEntry]]:
    """(predecessors, successors) of a unit with the events that linked them."""
    links = OrgUnitLineage.objects.select_related("event", "predecessor", "successor").filter(
        Q(successor=unit) | Q(predecessor=unit)
    )
    predecessors, successors = [], []
    for link in links.order_by("event__date", "predecessor__name_vi", "successor__name_vi"):
        is_pred = link.successor_id == unit.pk
        entry = LineageEntry(
            unit=link.predecessor if is_pred else link.successor,
            event_name=link.event.name,
            event_date=link.event.date,
            event_kind=link.event.get_kind_display(),
            legal_basis=link.event.legal_basis,
            weight=link.weight,
            is_primary=link.is_primary,
        )
        (predecessors if is_pred else successors).append(entry)
    return predecessors, successors


def lineage_predecessor_paths(paths: Iterable[str]) -> set[str]:
    """Paths of every unit that precedes (directly or not) one of the given units."""
    found: set[str] = set()
    frontier = set(paths)
    for _ in range(MAX_LINEAGE_DEPTH):
        if not frontier:
            break
        new = (
            set(OrgUnitLineage.objects.filter(successor__path__in=frontier).values_list("predecessor__path", flat=True))
            - found
        )
        found |= new
        frontier = new
    return found


def orgunit_counts_by_type(units: QuerySet[OrgUnit], *, on: dt.date | None) -> dict[str, int]:
    """How many units of each type are in force on the date (one query)."""
    qs = units.active_on(on) if on else units
    return dict(qs.values_list("type").annotate(n=Count("pk")).values_list("type", "n"))


def province_count(on: dt.date) -> int:
    """Provinces in force on a date: 63 until 30/06/2025, 34 from 01/07/2025."""
    return OrgUnit.objects.filter(type=OrgUnitType.PROVINCE).active_on(on).count()


def orgunit_groups_of(unit: OrgUnit) -> QuerySet[OrgUnitGroup]:
    return (
        OrgUnitGroup.objects.filter(memberships__org_unit=unit)
        .select_related("group_set")
        .order_by("group_set__code", "code")
    )


def orgunit_group_list() -> QuerySet[OrgUnitGroup]:
    return OrgUnitGroup.objects.select_related("group_set").annotate(member_count=Count("memberships"))


def restructuring_timeline() -> list[dict]:
    """Restructuring events summed by date and kind, for the overview timeline."""
    rows = (
        RestructuringEvent.objects.values("date", "kind")
        .annotate(events=Count("pk", distinct=True), links=Count("links"))
        .order_by("date", "kind")
    )
    return [{**row, "kind_label": RestructuringKind(row["kind"]).label} for row in rows]
