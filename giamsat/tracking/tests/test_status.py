"""The status nobody types: a pure function of dates and evidence, and the SQL expression the
lists filter by, equal to it on every row of the table."""

import datetime as dt

import pytest

from giamsat.tracking.choices import WorkStatus
from giamsat.tracking.engine.status import days_late, work_status


def d(y, m, day):
    return dt.date(y, m, day)


CASES = [
    # start, due, completed, today, expected
    (None, d(2026, 5, 10), None, d(2026, 5, 10), WorkStatus.IN_PROGRESS),  # due today: still in time
    (None, d(2026, 5, 10), None, d(2026, 5, 11), WorkStatus.OVERDUE),  # due yesterday
    (None, d(2026, 5, 10), d(2026, 5, 11), d(2026, 6, 1), WorkStatus.DONE_LATE),  # completed the day after
    (None, d(2026, 5, 10), d(2026, 5, 10), d(2026, 6, 1), WorkStatus.DONE_ON_TIME),  # completed on the day
    (None, d(2026, 5, 10), d(2026, 4, 1), d(2026, 3, 1), WorkStatus.DONE_ON_TIME),  # early (looked at before)
    (d(2026, 4, 1), d(2026, 5, 10), None, d(2026, 3, 31), WorkStatus.NOT_STARTED),
    (d(2026, 4, 1), d(2026, 5, 10), None, d(2026, 4, 1), WorkStatus.IN_PROGRESS),
    (d(2026, 4, 1), d(2026, 5, 10), None, d(2026, 5, 11), WorkStatus.OVERDUE),
]


@pytest.mark.parametrize("start, due, completed, today, expected", CASES)
def test_work_status(start, due, completed, today, expected):
    assert work_status(start=start, due=due, completed_on=completed, today=today) == expected


@pytest.mark.parametrize(
    "due, completed, today, expected",
    [
        (d(2026, 5, 10), None, d(2026, 5, 10), 0),
        (d(2026, 5, 10), None, d(2026, 5, 13), 3),
        (d(2026, 5, 10), d(2026, 5, 11), d(2026, 9, 1), 1),
    ],
)
def test_days_late(due, completed, today, expected):
    assert days_late(due=due, completed_on=completed, today=today) == expected


@pytest.mark.django_db
def test_sql_status_equals_the_engine(unit):
    """status_expression and status_q give every row the engine's answer."""
    from django.utils import timezone

    from giamsat.tracking.models import WorkItem
    from giamsat.tracking.selectors import status_expression, status_q

    owner = unit("P01")
    now = timezone.now()
    for i, (start, due, completed, _today, _expected) in enumerate(CASES):
        WorkItem.objects.create(
            kind="TEST",
            title=f"case {i}",
            owner_unit=owner,
            start_date=start,
            due_date=due,
            original_due_date=due,
            completed_on=completed,
            created_at=now,
            updated_at=now,
        )
    items = WorkItem.objects.filter(kind="TEST")
    for today in sorted({c[3] for c in CASES}):
        annotated = dict(items.annotate(status=status_expression(today)).values_list("pk", "status"))
        for item in items:
            expected = work_status(
                start=item.start_date, due=item.due_date, completed_on=item.completed_on, today=today
            )
            assert annotated[item.pk] == expected, (item.title, today)
            assert item.pk in set(items.filter(status_q(expected, today)).values_list("pk", flat=True))
            for other in WorkStatus.values:
                if other != expected:
                    assert not items.filter(status_q(other, today), pk=item.pk).exists(), (item.title, today, other)
