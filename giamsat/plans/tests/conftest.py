import datetime as dt

import pytest

from giamsat.accounts.models import User
from giamsat.orgunits.models import OrgUnit

TODAY = dt.date(2026, 5, 11)  # a Monday


@pytest.fixture
def hanoi_dept(db):
    return OrgUnit.objects.get(code="SKHCN_01")


@pytest.fixture
def leader(db):
    return User.objects.get(username="ministry.leader")


@pytest.fixture
def reporter(db):
    return User.objects.get(username="a.reporter")


@pytest.fixture
def other_reporter(db):
    return User.objects.get(username="b.reporter")


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
