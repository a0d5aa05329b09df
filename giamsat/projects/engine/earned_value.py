"""Earned value, computed from the baseline and never typed (PMI's formulas):

PV (planned value) = the baseline's cumulative planned cost at the day,
EV (earned value)  = BAC × physical % complete,
AC (actual cost)   = cumulative disbursements to the day,
SPI = EV / PV, CPI = EV / AC, SV = EV − PV, CV = EV − AC, EAC = BAC / CPI."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def planned_value(curve: list[tuple[dt.date, int]], day: dt.date) -> float:
    """The baseline's cumulative planned value on `day`: the curve is [(month end, cumulative),
    ...] in order; between two points it grows linearly by day, before the first it grows from
    zero over the first month, after the last it stays."""
    if not curve:
        return 0.0
    previous_day, previous_value = curve[0][0] - dt.timedelta(days=curve[0][0].day), 0.0
    for point_day, value in curve:
        if day <= point_day:
            if day <= previous_day:
                return float(previous_value)
            share = (day - previous_day).days / max(1, (point_day - previous_day).days)
            return previous_value + (value - previous_value) * share
        previous_day, previous_value = point_day, float(value)
    return float(previous_value)


@dataclass(frozen=True)
class EarnedValue:
    bac: float
    pv: float
    ev: float
    ac: float

    @property
    def spi(self) -> float | None:
        return self.ev / self.pv if self.pv > 0 else None

    @property
    def cpi(self) -> float | None:
        return self.ev / self.ac if self.ac > 0 else None

    @property
    def sv(self) -> float:
        return self.ev - self.pv

    @property
    def cv(self) -> float:
        return self.ev - self.ac

    @property
    def eac(self) -> float | None:
        cpi = self.cpi
        return self.bac / cpi if cpi else None


def earned_value(*, bac: int, curve, percent_complete: float, actual_cost: int, day: dt.date) -> EarnedValue:
    return EarnedValue(
        bac=float(bac),
        pv=planned_value(curve, day),
        ev=float(bac) * float(percent_complete) / 100.0,
        ac=float(actual_cost),
    )


def month_ends(start: dt.date, end: dt.date) -> list[dt.date]:
    """The last day of every month from `start`'s to `end`'s."""
    days = []
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        next_first = dt.date(year + (month == 12), month % 12 + 1, 1)
        days.append(next_first - dt.timedelta(days=1))
        year, month = next_first.year, next_first.month
    return days


def planned_curve(
    *, start: dt.date, end: dt.date, total: int, year_plans: dict[int, int] | None = None
) -> list[tuple[dt.date, int]]:
    """A planned value curve: each year's planned amount spread evenly over the project's months
    in that year (the whole `total` evenly when no yearly plan is given); cumulative, in đồng."""
    months = month_ends(start, end)
    if not months:
        return []
    by_year: dict[int, list[dt.date]] = {}
    for day in months:
        by_year.setdefault(day.year, []).append(day)
    plans = {y: year_plans.get(y, 0) for y in by_year} if year_plans else None
    if not plans or not any(plans.values()):
        plans = {y: total * len(days) // len(months) for y, days in by_year.items()}
        plans[max(plans)] += total - sum(plans.values())
    curve, cumulative = [], 0
    for year, days in sorted(by_year.items()):
        amount = plans[year]
        for n, day in enumerate(days, start=1):
            cumulative_year = amount * n // len(days)
            curve.append((day, cumulative + cumulative_year))
        cumulative += amount
    return curve
