"""Plans and tasks: statuses nobody types, overdue alerts, extensions, baselines, scopes."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from giamsat.plans.engine.execution import execution_on
from giamsat.plans.kinds import TASK_DUE_SOON, TASK_OVERDUE, TASK_RETURNED, reminder_stage
from giamsat.plans.services import plan_get_or_create, task_assign_many, task_create
from giamsat.tracking.choices import WorkStatus
from giamsat.tracking.models import WorkItem
from giamsat.tracking.selectors import baseline_compare, item_status
from giamsat.tracking.services import (
    baseline_take,
    work_extension_decide,
    work_extension_request,
    work_progress_report,
    work_review_accept,
    work_review_return,
)

from .conftest import at

d = dt.date


@pytest.mark.parametrize(
    "today, due, expected",
    [
        (d(2026, 5, 11), d(2026, 5, 20), 7),  # 7 working days (Mon → Wed next week)
        (d(2026, 5, 11), d(2026, 5, 21), None),  # 8: not yet
        (d(2026, 5, 11), d(2026, 5, 14), 3),
        (d(2026, 5, 11), d(2026, 5, 12), 1),
        (d(2026, 5, 11), d(2026, 5, 11), 1),  # the deadline itself
        (d(2026, 5, 12), d(2026, 5, 11), None),  # past: the overdue alert takes over
        (d(2026, 4, 28), d(2026, 5, 4), 3),  # 30/4 and 1/5 are holidays: Wed 29/4, Mon 4/5 → 2 days
    ],
)
def test_reminder_stage_counts_working_days(today, due, expected):
    assert reminder_stage(today, due) == expected


def test_execution_counts_by_day():
    tasks = [
        (d(2026, 3, 31), d(2026, 3, 30)),
        (d(2026, 3, 31), d(2026, 4, 2)),
        (d(2026, 4, 30), None),
        (d(2026, 9, 1), d(2026, 4, 5)),
    ]
    march = execution_on(tasks, d(2026, 3, 31))
    assert (march.due, march.on_time, march.late, march.overdue) == (2, 1, 0, 0)
    april = execution_on(tasks, d(2026, 4, 30))
    assert (april.due, april.on_time, april.late, april.overdue) == (4, 2, 1, 0)
    may = execution_on(tasks, d(2026, 5, 1))
    assert (may.overdue, may.on_time_rate) == (1, 50.0)


@pytest.fixture
def plan(hanoi_dept, reporter):
    return plan_get_or_create(unit=hanoi_dept, year=2026, by=reporter, at=at(d(2026, 1, 5)))


def _task(plan, by, due, title="Ban hành kế hoạch chuyển đổi số năm 2026", **kw):
    return task_create(plan=plan, title=title, due_date=due, by=by, at=at(d(2026, 1, 5)), **kw)


def test_status_at_the_boundaries_without_anyone_typing_it(plan, reporter):
    due = d(2026, 5, 10)
    task = _task(plan, reporter, due)
    item = task.item
    assert item_status(item, due) == WorkStatus.IN_PROGRESS  # due today
    assert item_status(item, due + dt.timedelta(days=1)) == WorkStatus.OVERDUE  # due yesterday
    work_progress_report(
        item=item, by=reporter, progress=100, note="Đã ban hành", completion=True, at=at(due + dt.timedelta(days=1))
    )
    item.refresh_from_db()
    assert item.completed_on == due + dt.timedelta(days=1)
    assert item_status(item, d(2026, 6, 1)) == WorkStatus.DONE_LATE  # completed the day after


def test_overdue_task_raises_an_alert_and_completion_resolves_it(plan, reporter):
    from giamsat.alerts.defaults import alert_rules_defaults_load
    from giamsat.alerts.models import Alert, AlertRule
    from giamsat.alerts.services import rules_scan

    alert_rules_defaults_load()
    rules = AlertRule.objects.filter(kind__in=[TASK_DUE_SOON, TASK_OVERDUE, TASK_RETURNED])
    assert rules.count() == 3
    task = _task(plan, reporter, d(2026, 5, 8))  # a Friday
    rules_scan(rules=rules, today=d(2026, 5, 8))
    alerts = Alert.objects.filter(subject__startswith=f"task:{task.pk}")
    assert [(a.kind, a.state) for a in alerts] == [(TASK_DUE_SOON, "OPEN")]
    assert alerts[0].org_unit == plan.org_unit and alerts[0].period.code == "2026"
    rules_scan(rules=rules, today=d(2026, 5, 9))  # the day after: overdue, the reminder resolves
    states = {a.kind: a.state for a in Alert.objects.filter(subject__startswith=f"task:{task.pk}")}
    assert states == {TASK_DUE_SOON: "RESOLVED", TASK_OVERDUE: "OPEN"}
    work_progress_report(item=task.item, by=reporter, progress=100, note="Xong", completion=True, at=at(d(2026, 5, 11)))
    rules_scan(rules=rules, today=d(2026, 5, 11))
    assert Alert.objects.get(kind=TASK_OVERDUE, subject=f"task:{task.pk}").state == "RESOLVED"


def test_returned_evidence_reopens_the_task_and_warns(plan, reporter, leader):
    from giamsat.alerts.defaults import alert_rules_defaults_load
    from giamsat.alerts.models import Alert, AlertRule
    from giamsat.alerts.services import rules_scan

    alert_rules_defaults_load()
    rules = AlertRule.objects.filter(kind__in=[TASK_OVERDUE, TASK_RETURNED])
    task = task_assign_many(
        units=[plan.org_unit], title="Xóa vùng lõm sóng", due_date=d(2026, 6, 30), by=leader
    ).tasks.get()
    item = task.item
    assert item.assigned_by == leader
    work_progress_report(
        item=item,
        by=reporter,
        progress=100,
        note="Đã phủ sóng",
        link="https://example.vn/bc",
        completion=True,
        at=at(d(2026, 6, 20)),
    )
    with pytest.raises(PermissionDenied):
        work_review_accept(item=item, by=reporter)  # the unit does not accept its own evidence
    with pytest.raises(ValidationError):
        work_review_return(item=item, by=leader, reason=" ")
    work_review_return(item=item, by=leader, reason="Thiếu danh sách thôn đã phủ sóng", at=at(d(2026, 6, 22)))
    item.refresh_from_db()
    assert item.completed_on is None and item_status(item, d(2026, 7, 1)) == WorkStatus.OVERDUE
    rules_scan(rules=rules, today=d(2026, 7, 1))
    assert set(Alert.objects.filter(subject=f"task:{item.pk}").values_list("kind", flat=True)) == {
        TASK_OVERDUE,
        TASK_RETURNED,
    }
    work_progress_report(
        item=item, by=reporter, progress=100, note="Bổ sung danh sách", completion=True, at=at(d(2026, 7, 2))
    )
    work_review_accept(item=item, by=leader, at=at(d(2026, 7, 3)))
    item.refresh_from_db()
    assert item_status(item, d(2026, 7, 3)) == WorkStatus.DONE_LATE
    rules_scan(rules=rules, today=d(2026, 7, 3))
    assert not Alert.objects.filter(subject=f"task:{item.pk}", state="OPEN").exists()


def test_extension_keeps_the_original_deadline_and_moves_the_status(plan, reporter, leader):
    task = task_assign_many(units=[plan.org_unit], title="Số hóa hồ sơ", due_date=d(2026, 3, 31), by=leader).tasks.get()
    item = task.item
    with pytest.raises(ValidationError):
        work_extension_request(item=item, by=reporter, due_requested=d(2026, 4, 30), reason="")
    extension = work_extension_request(
        item=item, by=reporter, due_requested=d(2026, 4, 30), reason="Chờ kinh phí", at=at(d(2026, 3, 25))
    )
    assert item_status(item, d(2026, 4, 10)) == WorkStatus.OVERDUE  # not until it is approved
    with pytest.raises(PermissionDenied):
        work_extension_decide(extension=extension, by=reporter, approve=True)
    work_extension_decide(extension=extension, by=leader, approve=True, note="Đồng ý", at=at(d(2026, 3, 27)))
    item.refresh_from_db()
    assert (item.original_due_date, item.due_date) == (d(2026, 3, 31), d(2026, 4, 30))
    assert item_status(item, d(2026, 4, 10)) == WorkStatus.IN_PROGRESS
    changes = [e.changes.get("due_date") for e in item.history.filter(action="EXTENSION_APPROVE")]
    assert changes == [["2026-03-31", "2026-04-30"]]


def test_baseline_taken_in_march_lists_what_moved(plan, reporter, leader):
    kept = _task(plan, reporter, d(2026, 6, 30), title="Giữ nguyên")
    moved = task_assign_many(
        units=[plan.org_unit], title="Lùi hạn", due_date=d(2026, 4, 15), by=leader, at=at(d(2026, 1, 10))
    ).tasks.get()
    done = _task(plan, reporter, d(2026, 5, 31), title="Hoàn thành sớm")
    ext = work_extension_request(
        item=moved.item, by=reporter, due_requested=d(2026, 5, 15), reason="Lý do", at=at(d(2026, 4, 1))
    )
    work_extension_decide(extension=ext, by=leader, approve=True, at=at(d(2026, 4, 2)))
    work_progress_report(item=done.item, by=reporter, progress=100, note="Xong", completion=True, at=at(d(2026, 4, 20)))
    added = task_create(plan=plan, title="Thêm sau", due_date=d(2026, 9, 30), by=reporter, at=at(d(2026, 4, 25)))
    items = WorkItem.objects.filter(plan_task__plan=plan)
    # Taken today, as of 15 March: the history is read back to that day.
    baseline = baseline_take(
        scope=f"plan:{plan.pk}", name="Kế hoạch tháng 3", items=items, by=leader, on=d(2026, 3, 15)
    )
    assert baseline.items.count() == 3
    rows = {r.title: r for r in baseline_compare(baseline, items, d(2026, 5, 11))}
    assert set(rows) == {"Lùi hạn", "Hoàn thành sớm", "Thêm sau"}
    assert rows["Lùi hạn"].due_then == d(2026, 4, 15) and rows["Lùi hạn"].due_shift_days == 30
    assert rows["Hoàn thành sớm"].status_now == WorkStatus.DONE_ON_TIME
    assert rows["Hoàn thành sớm"].status_then == WorkStatus.IN_PROGRESS
    assert rows["Thêm sau"].what == "ADDED"
    assert kept.item.title not in rows and added.pk


def test_scopes(plan, reporter, other_reporter, hanoi_dept):
    from giamsat.orgunits.models import OrgUnit

    with pytest.raises(PermissionDenied):
        task_create(plan=plan, title="x", due_date=d(2026, 5, 1), by=other_reporter)
    with pytest.raises(PermissionDenied):
        task_assign_many(units=[hanoi_dept], title="x", due_date=d(2026, 5, 1), by=reporter)
    task = _task(plan, reporter, d(2026, 5, 1))
    with pytest.raises(PermissionDenied):
        work_progress_report(item=task.item, by=other_reporter, progress=10)
    with pytest.raises(PermissionDenied):
        plan_get_or_create(unit=OrgUnit.objects.get(code="SKHCN_08"), year=2026, by=reporter)
