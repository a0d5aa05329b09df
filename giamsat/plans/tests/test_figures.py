"""The on-time rate reaches Hà Nội's scorecard through the one write path, and follows a task's
completion (events dispatched inline, as the worker would)."""

import datetime as dt
import types

import pytest
from django.utils import timezone as django_timezone

from giamsat.evaluation.models import IndicatorValue
from giamsat.evaluation.selectors import scorecard_get
from giamsat.events.services import events_dispatch
from giamsat.orgunits.models import OrgUnit
from giamsat.plans import services as plan_services
from giamsat.plans.services import plan_get_or_create, task_create
from giamsat.reporting.choices import Channel
from giamsat.reporting.models import DataValue, Period
from giamsat.reporting.services import ValueInput, data_values_write
from giamsat.tracking.services import work_progress_report

from .conftest import TODAY, at

d = dt.date


@pytest.fixture
def fixed_today(monkeypatch):
    monkeypatch.setattr(
        plan_services, "timezone", types.SimpleNamespace(localdate=lambda: TODAY, now=django_timezone.now)
    )


def _rate(unit, code="202605"):
    row = IndicatorValue.objects.filter(indicator__code="PLAN_ON_TIME_RATE", org_unit=unit, period__code=code).first()
    return None if row is None else row.value


@pytest.mark.django_db(transaction=False)
def test_on_time_rate_on_the_scorecard_changes_when_a_task_is_completed(
    settings, fixed_today, hanoi_dept, reporter, django_capture_on_commit_callbacks
):
    settings.EVENTS_DISPATCH = "inline"
    province = OrgUnit.objects.get(code="P01")
    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_get_or_create(unit=hanoi_dept, year=2026, by=reporter, at=at(d(2026, 1, 5)))
        first = task_create(plan=plan, title="Nhiệm vụ 1", due_date=d(2026, 3, 31), by=reporter, at=at(d(2026, 1, 5)))
        task_create(plan=plan, title="Nhiệm vụ 2", due_date=d(2026, 4, 30), by=reporter, at=at(d(2026, 1, 5)))
    work = dict(
        DataValue.objects.filter(
            org_unit=province, period__code="202605", data_element__code__startswith="PLAN_"
        ).values_list("data_element__code", "value")
    )
    assert work == {"PLAN_TASKS_DUE": 2, "PLAN_TASKS_ON_TIME": 0, "PLAN_TASKS_OVERDUE": 2}
    assert _rate(province) == 0
    work_progress_report(
        item=first.item, by=reporter, progress=100, note="Xong", completion=True, at=at(d(2026, 3, 30))
    )
    # The test's transaction never commits: deliver as the worker does after the commit.
    assert events_dispatch().delivered >= 1
    work = dict(
        DataValue.objects.filter(
            org_unit=province, period__code="202605", data_element__code__startswith="PLAN_"
        ).values_list("data_element__code", "value")
    )
    assert work == {"PLAN_TASKS_DUE": 2, "PLAN_TASKS_ON_TIME": 1, "PLAN_TASKS_OVERDUE": 1}
    assert _rate(province) == pytest.approx(50.0)
    assert _rate(province, "202603") == pytest.approx(100.0)  # March as it stood on 31/03
    card = scorecard_get(unit=province, period=Period.objects.get(code="202605"))
    rows = {row.indicator.code: row for block in card.pillars for row in block.rows}
    assert rows["PLAN_ON_TIME_RATE"].value.value == pytest.approx(50.0)


@pytest.mark.django_db
def test_the_figures_cannot_be_entered_by_hand(reporter, settings):
    settings.LANGUAGE_CODE = "en"
    from giamsat.catalog.models import DataElement

    result = data_values_write(
        inputs=[
            ValueInput(
                data_element=DataElement.objects.get(code="PLAN_TASKS_ON_TIME"),
                org_unit=OrgUnit.objects.get(code="P01"),
                period=Period.objects.get_or_create(
                    code="202605",
                    defaults={"period_type": "MONTHLY", "start_date": d(2026, 5, 1), "end_date": d(2026, 5, 31)},
                )[0],
                value="9",
            )
        ],
        by=reporter,
        channel=Channel.FORM,
    )
    assert [p.reason for p in result.problems] == [
        "This figure is computed by the platform from the module's records; it cannot be entered."
    ]
