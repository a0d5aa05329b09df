"""Reads of the unit registry: trees as of a date, search, ancestors and lineage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from giamsat.core.text import fold

from .choices import TYPE_DISPLAY_ORDER, OrgUnitType, RestructuringKind
from .models import OrgUnit, OrgUnitGroup, OrgUnitGroupMembership, OrgUnitLineage, RestructuringEvent

MAX_LINEAGE_DEPTH = 10
TYPE_RANK = Case(
    *(When(type=t, then=Value(rank)) for rank, t in enumerate(TYPE_DISPLAY_ORDER)),
    default=Value(len(TYPE_DISPLAY_ORDER)),
    output_field=IntegerField(),
)
LAST_DAY_OF_63 = dt.date(2025, 6, 30)
REGIONS = "REGIONS"  # the group set of the socio-economic regions


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
    for _step in range(MAX_LINEAGE_DEPTH):
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


def orgunit_built_from(units: Iterable[OrgUnit], *, on: dt.date) -> dict[int, list[OrgUnit]]:
    """For each unit not yet in force on `on` (a current province over a period before the
    2025 merger), the units in force that day it was formed from, through the lineage at any
    depth: {P48's id: [Đà Nẵng (former), Quảng Nam]}. Units in force on `on` are left out.
    One query per lineage step (one for a province)."""
    later = [u for u in units if u.valid_from is not None and u.valid_from > on]
    found: dict[int, list[OrgUnit]] = {u.pk: [] for u in later}
    frontier: dict[int, set[int]] = {u.pk: {u.pk} for u in later}  # unit -> units still to trace
    for _step in range(MAX_LINEAGE_DEPTH):
        pending = {pk for pks in frontier.values() for pk in pks}
        if not pending:
            break
        links = OrgUnitLineage.objects.filter(successor_id__in=pending).select_related("predecessor")
        by_successor: dict[int, list[OrgUnit]] = {}
        for link in links.order_by("-is_primary", "predecessor__official_code", "predecessor__code"):
            by_successor.setdefault(link.successor_id, []).append(link.predecessor)
        next_frontier: dict[int, set[int]] = {}
        for unit_pk, tracing in frontier.items():
            for pk in tracing:
                for predecessor in by_successor.get(pk, []):
                    if predecessor.is_active_on(on):
                        if predecessor not in found[unit_pk]:
                            found[unit_pk].append(predecessor)
                    elif predecessor.valid_from is not None and predecessor.valid_from > on:
                        next_frontier.setdefault(unit_pk, set()).add(predecessor.pk)
        frontier = next_frontier
    return {pk: predecessors for pk, predecessors in found.items() if predecessors}


def _short(unit: OrgUnit) -> str:
    return unit.short_name_vi or unit.name


def predecessor_names(unit: OrgUnit, predecessors: list[OrgUnit]) -> list[tuple[OrgUnit, str]]:
    """The former units a unit is built from with their short names, the one of the unit's own
    name first and called former: [(P48_63, "Đà Nẵng cũ"), (P49_63, "Quảng Nam")]."""
    same = [p for p in predecessors if _short(p) == _short(unit)]
    others = [p for p in predecessors if p not in same]
    return [(p, _("former %(name)s") % {"name": _short(p)}) for p in same] + [(p, _short(p)) for p in others]


def built_from_label(unit: OrgUnit, predecessors: list[OrgUnit]) -> str:
    """What a unit is made of, in words: "Đà Nẵng cũ + Quảng Nam"; empty when it simply
    continues one unit of the same name (Hà Nội over 2024 is Hà Nội)."""
    if not predecessors:
        return ""
    if len(predecessors) == 1 and _short(predecessors[0]) == _short(unit):
        return ""
    return " + ".join(name for _unit, name in predecessor_names(unit, predecessors))


def orgunit_labels(units: Iterable[OrgUnit], *, on: dt.date | None = None) -> dict[int, str]:
    """Each unit's name as a page shows it: its display name (a ministry IT unit with its
    ministry) and, over a period that ended before the unit existed (`on`, the period's end),
    what it is built from: "Thành phố Đà Nẵng (Đà Nẵng cũ + Quảng Nam)". Select the units'
    parents with them; one more query per lineage step when `on` is given."""
    units = list(units)
    built = orgunit_built_from(units, on=on) if on else {}
    labels = {}
    for unit in units:
        parts = built_from_label(unit, built.get(unit.pk, []))
        labels[unit.pk] = (
            _("%(name)s (%(parts)s)") % {"name": unit.display_name, "parts": parts} if parts else unit.display_name
        )
    return labels


def orgunit_region_of(unit_ids: Iterable[int] | QuerySet, *, on: dt.date) -> dict[int, OrgUnitGroup]:
    """The socio-economic region of each unit (its membership of the REGIONS group set in
    force on `on`); units without one are left out. One query."""
    memberships = (
        OrgUnitGroupMembership.objects.filter(group__group_set__code=REGIONS, org_unit_id__in=unit_ids)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("group")
        .order_by("group__code")
    )
    return {m.org_unit_id: m.group for m in memberships}
