"""The demo plans (`manage.py load_demo_plans`): loaded through the services only, idempotent,
with every status, extension history, and Hà Nội's tasks due soon and overdue on a fixed day."""

import datetime as dt
from collections import Counter

import pytest
from django.db.models import F, QuerySet

from giamsat.accounts.models import User
from giamsat.evaluation.models import IndicatorValue
from giamsat.events.services import events_dispatch
from giamsat.plans import demo
from giamsat.plans.models import AssigningDocument, Plan, Task
from giamsat.plans.selectors import TaskFilters, my_tasks, tasks_query
from giamsat.reporting.models import DataValue
from giamsat.tracking.choices import ExtensionState, WorkAction, WorkStatus
from giamsat.tracking.models import Baseline, Extension, ProgressReport, WorkEvent, WorkItem

from .conftest import TODAY

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_plans")]

WRITTEN = (WorkItem, WorkEvent, ProgressReport, Extension, Task, Plan, AssigningDocument)


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (*WRITTEN, Baseline, DataValue)}


@pytest.fixture
def loaded(settings, monkeypatch):
    """The demo loaded on TODAY, bulk writes of tracked work forbidden (services only)."""
    settings.EVENTS_DISPATCH = "off"
    original = QuerySet.bulk_create

    def bulk_create(self, objs, *args, **kwargs):
        assert self.model not in WRITTEN, f"bulk_create of {self.model.__name__} outside the services"
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", bulk_create)
    return demo.demo_plans_run(today=TODAY)


def _every_unit_three_years_and_idempotent(loaded):
    units = demo.demo_units()
    assert len(units["provinces"]) == 34 and len(units["depts"]) == 6 and units["it_units"]
    expected = {(u.pk, y) for group in units.values() for u in group for y in (2024, 2025, 2026)}
    assert expected <= set(Plan.objects.values_list("org_unit_id", "year"))
    assert loaded.tasks == Task.objects.count() > 1500
    before = _counts()
    again = demo.demo_plans_run(today=TODAY)
    assert again.tasks == 0
    assert _counts() == before


def _statuses_mixed_and_history_kept_by_the_services():
    leader = User.objects.get(username="lanhdao.bo")
    statuses = Counter(tasks_query(user=leader, filters=TaskFilters(), today=TODAY).values_list("status", flat=True))
    for status in (WorkStatus.DONE_ON_TIME, WorkStatus.DONE_LATE, WorkStatus.OVERDUE, WorkStatus.IN_PROGRESS):
        assert statuses[status] >= 10, statuses
    assert statuses[WorkStatus.NOT_STARTED] >= 1
    # Tasks given by the ministry to many units at once, with their document and assigner.
    given = Task.objects.filter(assignment__isnull=False)
    assert given.filter(document__issuing_body="Bộ Khoa học và Công nghệ").exists()
    assert set(given.values_list("item__assigned_by__username", flat=True)) == {"lanhdao.bo"}
    assert Task.objects.filter(parent__isnull=False).exists()
    # Every item has its creation in the history; every completion its report with evidence.
    items = WorkItem.objects.filter(kind="PLAN_TASK")
    assert not items.exclude(history__action=WorkAction.CREATE).exists()
    done = items.filter(completed_on__isnull=False)
    assert not done.exclude(progress_reports__completion=True).exists()
    assert ProgressReport.objects.filter(completion=True).exclude(link="").exists()
    assert WorkEvent.objects.filter(action=WorkAction.RETURN).exists()
    # Extensions approved and refused; an approved one keeps the original deadline.
    states = Counter(Extension.objects.values_list("state", flat=True))
    assert states[ExtensionState.APPROVED] and states[ExtensionState.REJECTED]
    moved = items.exclude(due_date=F("original_due_date"))
    assert moved.exists()
    item = moved.first()
    approvals = item.history.filter(action=WorkAction.EXTENSION_APPROVE)
    assert approvals.first().changes["due_date"][0] == item.original_due_date.isoformat()
    assert approvals.last().changes["due_date"][1] == item.due_date.isoformat()
    # Nothing dated after the day the demo is loaded.
    assert not WorkEvent.objects.filter(at__date__gte=TODAY).exists()


def _hanoi_has_tasks_due_soon_and_overdue():
    reporter = User.objects.get(username="hanoi.baocao")
    mine = my_tasks(user=reporter, today=TODAY, limit=50)
    assert {t.plan.org_unit.code for t in mine} == {"SKHCN_01"}
    soon = [t for t in mine if t.status == WorkStatus.IN_PROGRESS and t.item.due_date <= TODAY + dt.timedelta(days=9)]
    overdue = [t for t in mine if t.status == WorkStatus.OVERDUE]
    assert len(soon) >= 3 and len(overdue) >= 2
    assert Baseline.objects.filter(scope__startswith="plan:", taken_on=dt.date(2026, 3, 31)).exists()


def _on_time_rate_reaches_hanoi_scorecard():
    figures = dict(
        DataValue.objects.filter(
            org_unit__code="P01", period__code="202604", data_element__code__startswith="PLAN_"
        ).values_list("data_element__code", "value")
    )
    assert figures["PLAN_TASKS_DUE"] > 0
    events_dispatch()
    rate = IndicatorValue.objects.get(indicator__code="PLAN_ON_TIME_RATE", org_unit__code="P01", period__code="202604")
    assert rate.value == pytest.approx(100 * figures["PLAN_TASKS_ON_TIME"] / figures["PLAN_TASKS_DUE"])


def test_demo_plans(loaded):
    """One load (it takes a while), checked from every side; the second run changes nothing."""
    _statuses_mixed_and_history_kept_by_the_services()
    _hanoi_has_tasks_due_soon_and_overdue()
    _on_time_rate_reaches_hanoi_scorecard()
    _every_unit_three_years_and_idempotent(loaded)
