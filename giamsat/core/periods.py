"""Reporting periods with DHIS2 identifiers: `2025` (year), `2025Q1` (quarter), `202503`
(month), `2025W12` (ISO week). Pure value objects; the reporting app stores them as rows.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

_PATTERNS = [
    (re.compile(r"^(\d{4})$"), "YEARLY"),
    (re.compile(r"^(\d{4})Q([1-4])$"), "QUARTERLY"),
    (re.compile(r"^(\d{4})(\d{2})$"), "MONTHLY"),
    (re.compile(r"^(\d{4})W(\d{1,2})$"), "WEEKLY"),
]
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


class PeriodType(StrEnum):
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    QUARTERLY = "QUARTERLY"
    YEARLY = "YEARLY"


class InvalidPeriod(ValueError):
    """A period identifier we cannot read; the message says which forms are accepted."""


@dataclass(frozen=True, order=True)
class Period:
    start: dt.date
    end: dt.date
    type: PeriodType
    code: str

    @classmethod
    def parse(cls, code: str) -> Period:
        """Read a DHIS2 period identifier; refuse anything else with a clear message."""
        text = (code or "").strip().upper()
        for pattern, kind in _PATTERNS:
            match = pattern.match(text)
            if not match:
                continue
            year = int(match.group(1))
            if not 1900 <= year <= 2200:
                break
            if kind == "YEARLY":
                return cls.year(year)
            number = int(match.group(2))
            if kind == "QUARTERLY":
                return cls.quarter(year, number)
            if kind == "MONTHLY" and 1 <= number <= 12:
                return cls.month(year, number)
            if kind == "WEEKLY" and 1 <= number <= dt.date(year, 12, 28).isocalendar()[1]:
                return cls.week(year, number)
            break
        raise InvalidPeriod(
            _("“%(code)s” is not a period. Use 2025 (year), 2025Q1 (quarter), 202503 (month) or 2025W12 (week).")
            % {"code": str(code)[:30]}
        )

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), PeriodType.YEARLY, f"{year}")

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        first_month = 3 * (quarter - 1) + 1
        last_day = calendar.monthrange(year, first_month + 2)[1]
        return cls(
            dt.date(year, first_month, 1),
            dt.date(year, first_month + 2, last_day),
            PeriodType.QUARTERLY,
            f"{year}Q{quarter}",
        )

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        last_day = calendar.monthrange(year, month)[1]
        return cls(dt.date(year, month, 1), dt.date(year, month, last_day), PeriodType.MONTHLY, f"{year}{month:02d}")

    @classmethod
    def week(cls, year: int, week: int) -> Period:
        start = dt.date.fromisocalendar(year, week, 1)
        return cls(start, start + dt.timedelta(days=6), PeriodType.WEEKLY, f"{year}W{week}")

    @classmethod
    def containing(cls, period_type: str, day: dt.date) -> Period:
        """The period of the given type that contains the day."""
        if period_type == PeriodType.YEARLY:
            return cls.year(day.year)
        if period_type == PeriodType.QUARTERLY:
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        if period_type == PeriodType.MONTHLY:
            return cls.month(day.year, day.month)
        year, week, _weekday = day.isocalendar()
        return cls.week(year, week)

    @property
    def adx(self) -> str:
        """The ADX (ISO 8601) form: start date / duration, e.g. 2025-10-01/P1M."""
        duration = {
            PeriodType.WEEKLY: "P7D",
            PeriodType.MONTHLY: "P1M",
            PeriodType.QUARTERLY: "P3M",
            PeriodType.YEARLY: "P1Y",
        }[self.type]
        return f"{self.start.isoformat()}/{duration}"

    @classmethod
    def from_adx(cls, text: str) -> Period:
        """Read an ADX period (2025-10-01/P1M); the start must begin a period of that length."""
        kinds = {"P7D": PeriodType.WEEKLY, "P1W": PeriodType.WEEKLY, "P1M": PeriodType.MONTHLY}
        kinds.update({"P3M": PeriodType.QUARTERLY, "P1Y": PeriodType.YEARLY, "P12M": PeriodType.YEARLY})
        start_text, _sep, duration = (text or "").strip().upper().partition("/")
        try:
            start = dt.date.fromisoformat(start_text)
        except ValueError:
            start = None
        kind = kinds.get(duration)
        if start and kind:
            period = cls.containing(kind, start)
            if period.start == start:
                return period
        raise InvalidPeriod(
            _("“%(code)s” is not an ADX period. Use a start date and a duration, e.g. 2025-10-01/P1M.")
            % {"code": str(text)[:40]}
        )

    def next(self) -> Period:
        return Period.containing(self.type, self.end + dt.timedelta(days=1))

    def previous(self) -> Period:
        return Period.containing(self.type, self.start - dt.timedelta(days=1))

    def earlier(self, count: int) -> list[Period]:
        """The `count` periods of the same type before this one, latest first."""
        found, period = [], self
        for _step in range(count):
            period = period.previous()
            found.append(period)
        return found

    def same_period_last_year(self) -> Period:
        if self.type == PeriodType.WEEKLY:
            year, week = int(self.code[:4]) - 1, int(self.code[5:])
            return Period.week(year, min(week, dt.date(year, 12, 28).isocalendar()[1]))
        return Period.containing(self.type, self.start.replace(year=self.start.year - 1))

    @property
    def label(self) -> str:
        """How officials write it: Tháng 03/2025, Quý I/2025, Năm 2025, Tuần 12/2025."""
        year = self.code[:4]
        if self.type == PeriodType.MONTHLY:
            return _("Month %(month)s/%(year)s") % {"month": self.code[4:], "year": year}
        if self.type == PeriodType.QUARTERLY:
            return _("Quarter %(q)s/%(year)s") % {"q": ROMAN[int(self.code[-1])], "year": year}
        if self.type == PeriodType.WEEKLY:
            return _("Week %(week)s/%(year)s") % {"week": self.code[5:], "year": year}
        return _("Year %(year)s") % {"year": year}

    def __str__(self) -> str:
        return self.code


def periods_between(period_type: str, first: dt.date, last: dt.date) -> list[Period]:
    """Every period of the type from the one containing `first` to the one containing `last`."""
    result = []
    period = Period.containing(period_type, first)
    while period.start <= last:
        result.append(period)
        period = period.next()
    return result


def months_of_year_to(year: int, today: dt.date) -> list[Period]:
    """The year's months up to today's (all twelve for a past year, none for a year to come):
    the months a module's year-to-date figures are written for."""
    if year > today.year:
        return []
    return periods_between(PeriodType.MONTHLY, dt.date(year, 1, 1), min(today, dt.date(year, 12, 31)))


# How far back the period picker reaches by default, per type (older periods can still be typed
# into the address, and a chosen one outside the range is kept in the list).
PICKER_DEPTH = {PeriodType.MONTHLY: 36, PeriodType.QUARTERLY: 16, PeriodType.YEARLY: 8}


def picker_choices(
    types: Iterable[str], *, today: dt.date, selected: str = ""
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The periods a picker offers, newest first, grouped by type: [(group label, [(code,
    label)])]. The period in progress comes first; `selected` is always among them."""
    labels = {
        PeriodType.MONTHLY: _("Months"),
        PeriodType.QUARTERLY: _("Quarters"),
        PeriodType.YEARLY: _("Years"),
    }
    groups = []
    found = False
    for period_type in (PeriodType.MONTHLY, PeriodType.QUARTERLY, PeriodType.YEARLY):
        if period_type not in set(types):
            continue
        period = Period.containing(period_type, today)
        options = []
        for _step in range(PICKER_DEPTH[period_type]):
            options.append((period.code, period.label))
            found |= period.code == selected
            period = period.previous()
        groups.append((str(labels[period_type]), options))
    if selected and not found:
        try:
            chosen = Period.parse(selected)
        except InvalidPeriod:
            return groups
        groups.insert(0, (str(_("Chosen")), [(chosen.code, chosen.label)]))
    return groups
