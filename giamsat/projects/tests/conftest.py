import datetime as dt

import pytest

from giamsat.accounts.models import User
from giamsat.orgunits.models import OrgUnit

d = dt.date


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def leader(db):
    return User.objects.get(username="ministry.leader")


@pytest.fixture
def reporter(db):
    return User.objects.get(username="a.reporter")


@pytest.fixture
def other_reporter(db):
    return User.objects.get(username="b.reporter")


@pytest.fixture
def hanoi(db):
    return OrgUnit.objects.get(code="P01")


@pytest.fixture
def rules(db):
    from giamsat.projects.services import flag_rules_load_default

    return flag_rules_load_default()


START, END = d(2026, 1, 1), d(2026, 12, 31)


def make_project(owner, by, *, code="DA-2026-001", start=START, end=END, total=1_200_000_000, **extra):
    from giamsat.projects.services import project_create

    fields = {
        "code": code,
        "name": "Nền tảng tích hợp, chia sẻ dữ liệu",
        "owner_unit": owner,
        "type": "INVESTMENT",
        "status": "IMPLEMENTATION",
        "decision_number": "123/QĐ-UBND",
        "decision_date": start,
        "decision_body": "UBND thành phố Hà Nội",
        "total_investment": total,
        "planned_start": start,
        "planned_end": end,
    }
    fields.update(extra)
    return project_create(by=by, check_permission=False, at=at(fields["decision_date"]), **fields)
