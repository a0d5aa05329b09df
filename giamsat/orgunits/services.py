"""Writes to the unit registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

from django.db import transaction

from giamsat.core.db import analyze
from giamsat.core.text import fold
from giamsat.events.choices import EventKind
from giamsat.events.services import event_record

from .models import (
    PATH_SEPARATOR,
    OrgUnit,
    OrgUnitGroup,
    OrgUnitGroupMembership,
    OrgUnitGroupSet,
    OrgUnitLineage,
    RestructuringEvent,
)
from .reference import Reference, UnitRecord, build_reference, iter_levels

Progress = Callable[[str, int], None]
"""progress(step_label, items_done): called as the loader advances."""

_UNIT_FIELDS = [f.name for f in fields(UnitRecord) if f.name not in {"code", "parent_code"}]


@dataclass
class LoadSummary:
    units_created: int = 0
    units_updated: int = 0
    events: int = 0
    links: int = 0
    groups: int = 0
    memberships: int = 0


def unit_search_text(name_vi: str, name_en: str, code: str) -> str:
    """What the name search matches against: both names folded to ASCII, and the code."""
    return f"{fold(name_vi)} | {fold(name_en)} | {code.lower()}"[:600]


def _noop_progress(label: str, done: int) -> None:
    return None


@transaction.atomic
def registry_load(*, reference: Reference | None = None, progress: Progress = _noop_progress) -> LoadSummary:
    """Create or update every reference unit, event, link and group; idempotent.

    Units are matched by code; changed fields are updated, nothing is deleted (a unit
    may carry data). A second run on unchanged data writes nothing.
    """
    reference = reference or build_reference()
    summary = LoadSummary()
    existing = {u.code: u for u in OrgUnit.objects.all()}
    ids: dict[str, int] = {code: u.pk for code, u in existing.items()}
    paths: dict[str, str] = {code: u.path for code, u in existing.items()}

    for level_units in iter_levels(reference.units):
        to_create: list[OrgUnit] = []
        to_update: list[OrgUnit] = []
        for record in level_units:
            parent_path = paths[record.parent_code] if record.parent_code else ""
            path = f"{parent_path}{record.code}{PATH_SEPARATOR}"
            values = {name: getattr(record, name) for name in _UNIT_FIELDS}
            values.update(
                parent_id=ids[record.parent_code] if record.parent_code else None,
                path=path,
                level=path.count(PATH_SEPARATOR),
                search_text=unit_search_text(record.name_vi, record.name_en, record.code),
            )
            paths[record.code] = path
            current = existing.get(record.code)
            if current is None:
                to_create.append(OrgUnit(code=record.code, **values))
            elif any(getattr(current, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(current, k, v)
                to_update.append(current)
        OrgUnit.objects.bulk_create(to_create, batch_size=1000)
        if to_update:
            OrgUnit.objects.bulk_update(to_update, ["parent_id", *values.keys()], batch_size=500)
        if to_create:
            ids.update(OrgUnit.objects.filter(code__in=[u.code for u in to_create]).values_list("code", "pk"))
        summary.units_created += len(to_create)
        summary.units_updated += len(to_update)
        progress("units", len(level_units))

    _load_events(reference, ids, summary, progress)
    _load_groups(reference, ids, summary, progress)
    if summary.units_created or summary.units_updated:
        analyze(OrgUnit, OrgUnitLineage, OrgUnitGroupMembership)  # thousands of rows just written
        if existing:  # a first load has no results to bring up to date
            event_record(
                kind=EventKind.REGISTRY_CHANGED,
                payload={"via": "reference", "created": summary.units_created, "updated": summary.units_updated},
            )
    return summary


def _load_events(reference: Reference, ids: dict[str, int], summary: LoadSummary, progress: Progress) -> None:
    events = {e.code: e for e in RestructuringEvent.objects.all()}
    for record in reference.events:
        values = {
            "kind": record.kind,
            "date": record.date,
            "name_vi": record.name_vi,
            "name_en": record.name_en,
            "legal_basis": record.legal_basis[:255],
        }
        event = events.get(record.code)
        if event is None:
            events[record.code] = RestructuringEvent.objects.create(code=record.code, **values)
        elif any(getattr(event, k) != v for k, v in values.items()):
            RestructuringEvent.objects.filter(pk=event.pk).update(**values)
    summary.events = len(reference.events)

    existing = {
        (p, s): (event_id, weight, primary)
        for p, s, event_id, weight, primary in OrgUnitLineage.objects.values_list(
            "predecessor_id", "successor_id", "event_id", "weight", "is_primary"
        )
    }
    to_create: list[OrgUnitLineage] = []
    for record in reference.events:
        event_id = events[record.code].pk
        for link in record.links:
            key = (ids[link.predecessor], ids[link.successor])
            wanted = (event_id, link.weight, link.is_primary)
            if key not in existing:
                to_create.append(
                    OrgUnitLineage(
                        event_id=event_id,
                        predecessor_id=key[0],
                        successor_id=key[1],
                        weight=link.weight,
                        is_primary=link.is_primary,
                    )
                )
            elif existing[key] != wanted:
                OrgUnitLineage.objects.filter(predecessor_id=key[0], successor_id=key[1]).update(
                    event_id=event_id, weight=link.weight, is_primary=link.is_primary
                )
            summary.links += 1
        progress("events", 1)
    OrgUnitLineage.objects.bulk_create(to_create, batch_size=1000)


def _load_groups(reference: Reference, ids: dict[str, int], summary: LoadSummary, progress: Progress) -> None:
    sets = {}
    for code, name_vi, name_en in reference.group_sets:
        sets[code], _ = OrgUnitGroupSet.objects.update_or_create(
            code=code, defaults={"name_vi": name_vi, "name_en": name_en}
        )
    for record in reference.groups:
        group, _ = OrgUnitGroup.objects.update_or_create(
            code=record.code,
            defaults={
                "name_vi": record.name_vi,
                "name_en": record.name_en,
                "group_set": sets[record.group_set],
                "source": record.source,
            },
        )
        have = {
            unit_id: (valid_from, valid_to)
            for unit_id, valid_from, valid_to in group.memberships.values_list("org_unit_id", "valid_from", "valid_to")
        }
        new = []
        for code, valid_from, valid_to in record.members:
            unit_id = ids[code]
            if unit_id not in have:
                new.append(
                    OrgUnitGroupMembership(group=group, org_unit_id=unit_id, valid_from=valid_from, valid_to=valid_to)
                )
            elif have[unit_id] != (valid_from, valid_to):
                group.memberships.filter(org_unit_id=unit_id).update(valid_from=valid_from, valid_to=valid_to)
        OrgUnitGroupMembership.objects.bulk_create(new)
        summary.groups += 1
        summary.memberships += len(record.members)
        progress("groups", 1)
