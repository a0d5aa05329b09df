"""The Vietnamese working calendar on known dates (holidays from the `holidays` library)."""

import datetime as dt

import pytest

from giamsat.core.workdays import (
    add_working_days,
    holiday_name,
    is_working_day,
    next_working_day,
    working_days_between,
)

d = dt.date


@pytest.mark.parametrize(
    "day, working",
    [
        (d(2026, 2, 13), True),  # Friday before Tết
        (d(2026, 2, 16), False),  # Tết's eve (Monday)
        (d(2026, 2, 17), False),  # Tết Bính Ngọ
        (d(2026, 2, 20), False),  # fourth day of Tết (Friday)
        (d(2026, 2, 23), True),  # back to work
        (d(2026, 4, 27), False),  # Hùng Kings' day falls on Sunday 26/4: Monday off
        (d(2026, 4, 30), False),
        (d(2026, 5, 1), False),
        (d(2026, 9, 1), False),
        (d(2026, 9, 2), False),
        (d(2026, 8, 31), False),  # bridge day off ...
        (d(2026, 8, 22), True),  # ... worked on Saturday 22/8 instead
        (d(2026, 8, 29), False),  # an ordinary Saturday
        (d(2026, 12, 7), True),  # an ordinary Monday
        (d(2027, 2, 8), False),  # Tết 2027 moves with the lunar calendar
    ],
)
def test_is_working_day(day, working):
    assert is_working_day(day) is working


def test_holiday_names_are_vietnamese():
    assert holiday_name(d(2026, 2, 17)) == "Tết Nguyên Đán"
    assert holiday_name(d(2026, 12, 7)) is None


@pytest.mark.parametrize(
    "day, n, expected",
    [
        (d(2026, 2, 13), 1, d(2026, 2, 23)),  # across Tết
        (d(2026, 2, 23), -1, d(2026, 2, 13)),
        (d(2026, 4, 29), 1, d(2026, 5, 4)),  # across 30/4 and 1/5
        (d(2026, 5, 5), -3, d(2026, 4, 28)),
        (d(2026, 8, 28), 1, d(2026, 9, 3)),  # Friday → Thursday 3/9 (31/8 to 2/9 off)
        (d(2026, 12, 5), 0, d(2026, 12, 5)),
        (d(2026, 12, 5), 1, d(2026, 12, 7)),  # from a Saturday
    ],
)
def test_add_working_days(day, n, expected):
    assert add_working_days(day, n) == expected


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (d(2026, 2, 13), d(2026, 2, 23), 1),
        (d(2026, 2, 23), d(2026, 2, 13), -1),
        (d(2026, 4, 28), d(2026, 5, 5), 3),  # 29/4, 4/5, 5/5
        (d(2026, 12, 7), d(2026, 12, 7), 0),
        (d(2026, 8, 21), d(2026, 8, 24), 2),  # the worked Saturday counts
    ],
)
def test_working_days_between(start, end, expected):
    assert working_days_between(start, end) == expected


def test_next_working_day():
    assert next_working_day(d(2026, 2, 14)) == d(2026, 2, 23)
    assert next_working_day(d(2026, 12, 7)) == d(2026, 12, 7)
