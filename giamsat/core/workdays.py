"""The Vietnamese working calendar: Monday to Friday, less the public holidays (lunar Tết, Hùng
Kings, 30/4, 1/5, 2/9, New Year, substitute days off) and plus the Saturdays the government
swaps in as working days. The holidays come from the maintained `holidays` library (country
VN), never typed per year.

Deadlines, reminders, escalations and mute periods all count in working days through here.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=year, language="vi")


def holiday_name(day: dt.date) -> str | None:
    """The public holiday's Vietnamese name, or None on an ordinary day."""
    return _calendar(day.year).get(day)


def is_working_day(day: dt.date) -> bool:
    """A day offices work: a weekday that is no public holiday, or a Saturday worked in
    exchange for a bridge day off (as 22/08/2026 for 31/08/2026)."""
    return _calendar(day.year).is_working_day(day)


def next_working_day(day: dt.date) -> dt.date:
    """The day itself when it is a working day, else the first working day after it."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_working_days(day: dt.date, n: int) -> dt.date:
    """The date `n` working days after `day` (before it when n < 0); `day` itself need not be
    a working day. add_working_days(Friday, 1) is the next Monday (a working one)."""
    step = dt.timedelta(days=1 if n >= 0 else -1)
    left = abs(n)
    while left:
        day += step
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (negative when end < start):
    on the day before a working-day deadline it is 1, on the deadline itself 0."""
    if end < start:
        return -working_days_between(end, start)
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
