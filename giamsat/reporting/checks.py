"""Every check a value goes through, and every refusal reason, defined once.

The per-row service (`services.data_values_write`), the set-based import (`bulk._Checker`) and
the code resolution of the exchange formats (`exchange.resolve`) all ask these functions; a test
greps the tree to make sure no reason is written anywhere else. A new rule goes here, once.
Where values may be written (a data set covering the unit and period) and which are locked by a
report is `WriteCoverage`, set-based, which both write strategies ask."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from giamsat.core.periods import Period as PeriodValue


def unknown_element() -> str:
    return _("No data element has this code.")


def unknown_unit() -> str:
    return _("No unit has this code.")


def unknown_period() -> str:
    return _("This is not a period (use e.g. 202510, 2025Q3, 2025).")


def _exists_on(valid_from: dt.date | None, valid_to: dt.date | None, day: dt.date) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_to is None or valid_to >= day)


def placement_refusal(
    *,
    in_scope: bool,
    unit_from: dt.date | None,
    unit_to: dt.date | None,
    period_start: dt.date,
    period_end: dt.date,
    period_type: str,
    period_code: str,
    element_period_type: str,
    element_period_label,
    duplicate: bool,
) -> str | None:
    """Why this figure cannot be written for this unit and period by this user, or None: outside
    the user's data-entry scope, a unit that did not exist, a period of another type than the
    figure's, or the same figure twice in one write."""
    if not in_scope:
        return _("The unit is outside your data-entry scope.")
    if (unit_from is not None or unit_to is not None) and not (
        _exists_on(unit_from, unit_to, period_end) or _exists_on(unit_from, unit_to, period_start)
    ):
        return _("The unit did not exist in this period.")
    if period_type != element_period_type:
        return _("This figure is reported %(type)s, not for period %(period)s.") % {
            "type": str(element_period_label).lower(),
            "period": period_code,
        }
    if duplicate:
        return _("The same figure appears twice for this unit and period.")
    return None


def stale_refusal(
    *,
    expected: str,
    stored_at: dt.datetime | None,
    stored_value: Decimal | None,
    stored_by: str,
) -> str | None:
    """A conditional write (a form opened earlier, an API client sending the `lastUpdated` it
    read) is refused when the figure changed since: the reason shows the newer value, who wrote
    it and when, so the person can decide. `expected` is "" when there was no value yet."""
    from django.utils import timezone

    from giamsat.core.templatetags.giamsat import num

    if expected:
        try:
            seen = dt.datetime.fromisoformat(expected.strip().replace("Z", "+00:00"))
        except ValueError:
            return _("“%(value)s” is not a lastUpdated time as the export gives it.") % {"value": expected[:40]}
        if timezone.is_naive(seen):
            seen = timezone.make_aware(seen)
        if stored_at is not None and stored_at == seen:
            return None
    elif stored_at is None:
        return None
    if stored_at is None:
        return _("This figure was deleted after you read it. Your value was not saved; send it again to enter it.")
    return _(
        "This figure was changed after you read it: it is now %(value)s (%(who)s, %(when)s). "
        "Your value was not saved; send it again to replace that one."
    ) % {
        "value": num(stored_value) if stored_value is not None else "—",
        "who": stored_by or "—",
        "when": timezone.localtime(stored_at).strftime("%d/%m/%Y %H:%M"),
    }


# --- figures a module computes: written only through its own channel ------------------------

# channel → (element codes, unit types): the plans' on-time rate, the projects' disbursement...
# They belong to no data set and no report; the module decides who may change what it counts.
COMPUTED_FIGURES: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def computed_figures_register(*, channel: str, element_codes: Iterable[str], unit_types: Iterable[str]) -> None:
    """A module declares the figures it computes and writes through `channel`."""
    COMPUTED_FIGURES[channel] = (frozenset(element_codes), frozenset(unit_types))


def computed_refusal(*, channel: str, element_code: str, unit_type: str) -> str | None:
    """Why a module's channel may not write this figure here (None: it may)."""
    codes, unit_types = COMPUTED_FIGURES[channel]
    if element_code not in codes:
        return _("This channel writes only the figures its module computes.")
    if unit_type not in unit_types:
        return _("This figure is not computed for units of this type.")
    return None


def computed_by_module_refusal(*, element_code: str) -> str | None:
    """A figure a module computes cannot be entered by hand (form, Excel, API, import)."""
    if any(element_code in codes for codes, _types in COMPUTED_FIGURES.values()):
        return _("This figure is computed by the platform from the module's records; it cannot be entered.")
    return None


def not_covered_refusal(*, period_code: str) -> str:
    """No data set assigned to the unit (or to a unit above it whose report covers its sub-units)
    holds the figure for the period: nobody is expected to report it there, so nobody may."""
    return _(
        "No data set assigned to this unit (or to a unit above it whose report covers its sub-units) holds this figure for period %(period)s."  # noqa: E501
    ) % {"period": period_code}


def locked_change_refusal(
    *,
    value: Decimal | None,
    comment: str | None,
    stored: tuple[Decimal | None, str] | None,
    lock: ReportLock,
) -> str | None:
    """A figure under a submitted or approved report (its own unit's, or the report of a unit
    above whose data set covers its sub-units) may be sent again unchanged (re-importing an
    export); a change is refused, naming the report and where it stands. `comment` None keeps
    the stored comment."""
    stored_value, stored_comment = stored or (None, "")
    if (value, stored_comment if comment is None else comment) != (stored_value, stored_comment):
        from .choices import ReportStatus

        language_en = (get_language() or "vi").startswith("en")
        return _(
            "This figure belongs to the report “%(data_set)s” of %(unit)s for %(period)s, which is “%(status)s”: it is locked until the report is returned."  # noqa: E501
        ) % {
            "data_set": (language_en and lock.data_set_en) or lock.data_set_vi,
            "unit": (language_en and lock.unit_en) or lock.unit_vi,
            "period": PeriodValue.parse(lock.period_code).label,
            "status": ReportStatus(lock.status).label,
        }
    return None


# --- where values may be written: coverage by data sets and locks by reports -------------


@dataclass(frozen=True, slots=True)
class ReportLock:
    """A report that is not open for editing, as its refusal names it."""

    data_set_vi: str
    data_set_en: str
    unit_vi: str
    unit_en: str
    period_code: str
    status: str


@dataclass(frozen=True, slots=True)
class Cover:
    """What may be written for one unit and period: the elements of the data sets covering it,
    and for each element under a report that is not open for editing, that report."""

    allowed: frozenset[int]
    locks: dict[int, ReportLock]


@dataclass(slots=True)
class _DataSet:
    pk: int
    covers_sub_units: bool
    elements: frozenset[int]
    assignments: list[tuple]  # (kind, org unit id, group id, unit type, valid from, valid to)


class WriteCoverage:
    """Which figures may be written for a unit and a period, and which are locked, for both
    write strategies (`services.data_values_write` and `bulk._Checker`), set-based.

    A figure may be written for a unit and period when a data set holding it is assigned to the
    unit for (part of) that period, or to a unit above it when the data set covers its
    sub-units (a province's report holds its communes' figures). It is locked while a report
    of its own unit, or of a unit above whose data set covers sub-units, is not open for
    editing. The catalogue is read once (four queries), the locking reports once per batch of
    new periods and the units above once per batch of new codes; after that each (unit,
    period) is answered from memory and remembered."""

    def __init__(self) -> None:
        self.loaded = False
        self.data_sets: dict[str, list[_DataSet]] = {}  # period type → data sets
        self.data_set_by_pk: dict[int, _DataSet] = {}
        self.members: dict[int, dict[int, list[tuple]]] = {}  # group → unit → [(from, to)]
        self.units: dict[str, tuple[int, str] | None] = {}  # code → (pk, type), for units above
        self.locks: dict[int, dict[int, list[tuple[int, ReportLock]]]] = {}  # period → unit → locks
        self.covers: dict[tuple[int, int], Cover] = {}
        # Units named by an assignment (as a unit, or through a group): the others are covered as
        # their type and the units above them say, so units side by side share one answer.
        self.named: set[int] = set()
        self.shared: dict[tuple[str, str, int], Cover] = {}

    def _load_catalogue(self) -> None:
        from giamsat.catalog.models import DataSet, DataSetAssignment, DataSetElement
        from giamsat.orgunits.models import OrgUnitGroupMembership

        elements: dict[int, set[int]] = {}
        for data_set_id, element_id in DataSetElement.objects.values_list("data_set_id", "data_element_id"):
            elements.setdefault(data_set_id, set()).add(element_id)
        for pk, period_type, covers in DataSet.objects.values_list("pk", "period_type", "covers_sub_units"):
            data_set = _DataSet(pk, covers, frozenset(elements.get(pk, ())), [])
            self.data_sets.setdefault(period_type, []).append(data_set)
            self.data_set_by_pk[pk] = data_set
        groups = set()
        for data_set_id, *assignment in DataSetAssignment.objects.values_list(
            "data_set_id", "kind", "org_unit_id", "group_id", "unit_type", "valid_from", "valid_to"
        ):
            self.data_set_by_pk[data_set_id].assignments.append(tuple(assignment))
            if assignment[1] is not None:
                self.named.add(assignment[1])
            if assignment[2] is not None:
                groups.add(assignment[2])
        if groups:
            for group_id, unit_id, valid_from, valid_to in OrgUnitGroupMembership.objects.filter(
                group_id__in=groups
            ).values_list("group_id", "org_unit_id", "valid_from", "valid_to"):
                self.members.setdefault(group_id, {}).setdefault(unit_id, []).append((valid_from, valid_to))
                self.named.add(unit_id)
        self.loaded = True

    def prepare(self, *, paths: Iterable[str], periods: Iterable[int]) -> None:
        """Look up what the units (by path) and periods (by id) need and is not known yet."""
        from giamsat.orgunits.models import PATH_SEPARATOR, OrgUnit

        from .choices import EDITABLE_STATUSES
        from .models import Report

        if not self.loaded:
            self._load_catalogue()
        codes = {code for path in paths for code in path.split(PATH_SEPARATOR)[:-2] if code} - self.units.keys()
        for batch in _batches(codes):
            for code, pk, unit_type in OrgUnit.objects.filter(code__in=batch).values_list("code", "pk", "type"):
                self.units[code] = (pk, unit_type)
        for code in codes:
            self.units.setdefault(code, None)
        new = set(periods) - self.locks.keys()
        for pk in new:
            self.locks[pk] = {}
        if not new:
            return
        reports = Report.objects.filter(period_id__in=new).exclude(status__in=EDITABLE_STATUSES)
        for period_id, unit_id, data_set_id, status, code, *names in reports.values_list(
            "period_id",
            "org_unit_id",
            "data_set_id",
            "status",
            "period__code",
            "data_set__name_vi",
            "data_set__name_en",
            "org_unit__name_vi",
            "org_unit__name_en",
        ):
            lock = ReportLock(names[0], names[1], names[2], names[3], code, status)
            self.locks[period_id].setdefault(unit_id, []).append((data_set_id, lock))

    def cover(
        self,
        *,
        unit_pk: int,
        unit_type: str,
        unit_path: str,
        period_pk: int,
        period_type: str,
        start: dt.date,
        end: dt.date,
    ) -> Cover:
        """What may be written for the unit and period, and what is locked (after `prepare`)."""
        from giamsat.orgunits.models import PATH_SEPARATOR

        key = (unit_pk, period_pk)
        found = self.covers.get(key)
        if found is not None:
            return found
        shared = None
        if unit_pk not in self.named and unit_pk not in self.locks.get(period_pk, ()):
            parent = unit_path[: unit_path.rstrip(PATH_SEPARATOR).rfind(PATH_SEPARATOR) + 1]
            shared = (unit_type, parent, period_pk)
            found = self.shared.get(shared)
            if found is not None:
                self.covers[key] = found
                return found
        above = [self.units.get(code) for code in unit_path.split(PATH_SEPARATOR)[:-2] if code]
        candidates = [(unit_pk, unit_type, True)] + [(pk, kind, False) for pk, kind in filter(None, above)]
        allowed: set[int] = set()
        for data_set in self.data_sets.get(period_type, ()):
            for pk, kind, own in candidates:
                if (own or data_set.covers_sub_units) and self._assigned(data_set, pk, kind, start, end):
                    allowed |= data_set.elements
                    break
        locks: dict[int, ReportLock] = {}
        by_unit = self.locks.get(period_pk, {})
        if by_unit:
            for pk, _kind, own in candidates:
                for data_set_id, lock in by_unit.get(pk, ()):
                    data_set = self.data_set_by_pk.get(data_set_id)
                    if data_set is not None and (own or data_set.covers_sub_units):
                        for element_id in data_set.elements:
                            locks.setdefault(element_id, lock)
        found = self.covers[key] = Cover(frozenset(allowed), locks)
        if shared is not None:
            self.shared[shared] = found
        return found

    def _assigned(self, data_set: _DataSet, unit_pk: int, unit_type: str, start: dt.date, end: dt.date) -> bool:
        for kind, org_unit_id, group_id, assigned_type, valid_from, valid_to in data_set.assignments:
            if not _overlaps(valid_from, valid_to, start, end):
                continue
            if kind == "UNIT" and org_unit_id == unit_pk:
                return True
            if kind == "UNIT_TYPE" and assigned_type == unit_type:
                return True
            if kind == "GROUP" and any(
                _overlaps(f, t, start, end) for f, t in self.members.get(group_id, {}).get(unit_pk, ())
            ):
                return True
        return False


def _overlaps(valid_from: dt.date | None, valid_to: dt.date | None, start: dt.date, end: dt.date) -> bool:
    return (valid_from is None or valid_from <= end) and (valid_to is None or valid_to >= start)


def _batches(codes: set[str], size: int = 2_000) -> Iterator[list[str]]:
    items = sorted(codes)
    for first in range(0, len(items), size):
        yield items[first : first + size]
