"""Task lists and the overview: scoped, filtered by the computed status, overdue first."""

import datetime as dt

import pytest

from giamsat.accounts.models import User
from giamsat.orgunits.models import OrgUnit
from giamsat.plans.selectors import TaskFilters, my_tasks, plans_overview, tasks_query
from giamsat.plans.services import plan_get_or_create, task_create
from giamsat.tracking.choices import WorkStatus
from giamsat.tracking.services import work_progress_report

from .conftest import at

d = dt.date
TODAY = d(2026, 5, 11)


@pytest.fixture
def two_plans(db):
    a, b = User.objects.get(username="a.reporter"), User.objects.get(username="b.reporter")
    plan_a = plan_get_or_create(unit=OrgUnit.objects.get(code="SKHCN_01"), year=2026, by=a, at=at(d(2026, 1, 5)))
    plan_b = plan_get_or_create(unit=OrgUnit.objects.get(code="SKHCN_08"), year=2026, by=b, at=at(d(2026, 1, 5)))
    made = {}
    for plan, by in ((plan_a, a), (plan_b, b)):
        for title, due in (("quá hạn", d(2026, 4, 30)), ("trong hạn", d(2026, 6, 30)), ("xong", d(2026, 3, 31))):
            made[(plan.org_unit.code, title)] = task_create(
                plan=plan, title=f"{title} {plan.org_unit.code}", due_date=due, by=by, at=at(d(2026, 1, 5))
            )
        work_progress_report(
            item=made[(plan.org_unit.code, "xong")].item,
            by=by,
            progress=100,
            note="x",
            completion=True,
            at=at(d(2026, 3, 20)),
        )
    return plan_a, plan_b, made


def test_a_provincial_reporter_sees_only_its_province(two_plans):
    a = User.objects.get(username="a.reporter")
    titles = [t.item.title for t in tasks_query(user=a, filters=TaskFilters(), today=TODAY)]
    assert titles == ["quá hạn SKHCN_01", "trong hạn SKHCN_01", "xong SKHCN_01"]  # overdue first
    assert not tasks_query(user=a, filters=TaskFilters(unit="P08"), today=TODAY).exists()
    assert [e.plan.org_unit.code for e in plans_overview(user=a, year=2026, today=TODAY)] == ["SKHCN_01"]


def test_filters_and_overview_for_the_ministry(two_plans):
    leader = User.objects.get(username="ministry.leader")
    overdue = tasks_query(user=leader, filters=TaskFilters(status=WorkStatus.OVERDUE), today=TODAY)
    assert sorted(t.item.title for t in overdue) == ["quá hạn SKHCN_01", "quá hạn SKHCN_08"]
    by_unit = tasks_query(user=leader, filters=TaskFilters(unit="P08", due_to=d(2026, 4, 30)), today=TODAY)
    assert sorted(t.item.title for t in by_unit) == ["quá hạn SKHCN_08", "xong SKHCN_08"]
    rows = plans_overview(user=leader, year=2026, today=TODAY)
    assert {r.plan.org_unit.code for r in rows} == {"SKHCN_01", "SKHCN_08"}
    for row in rows:
        assert (row.total, row.due, row.overdue, row.on_time_rate) == (3, 2, 1, 50.0)


def test_my_tasks_are_the_open_ones_of_my_units(two_plans):
    a = User.objects.get(username="a.reporter")
    assert [t.item.title for t in my_tasks(user=a, today=TODAY)] == ["quá hạn SKHCN_01", "trong hạn SKHCN_01"]
    assert my_tasks(user=User.objects.get(username="ministry.leader"), today=TODAY) == []
