"""The plans' warnings, as alert rule kinds (the alerts service opens, notifies, escalates and
resolves them): reminders 7, 3 and 1 working days before a deadline, an alert the day after it
when the task is not completed (overdue), and an alert when the assigner returns the evidence.
Reminders count working days on the Vietnamese calendar (core/workdays.py)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from giamsat.alerts.choices import Severity
from giamsat.alerts.registry import AlertKind, Finding, Scan, ScanScope, alert_kind_register, default_rules_register
from giamsat.core.periods import Period as PeriodValue
from giamsat.core.workdays import working_days_between
from giamsat.reporting.services import periods_get
from giamsat.tracking.choices import Review

from .choices import TASK_KIND

TASK_DUE_SOON = "TASK_DUE_SOON"
TASK_OVERDUE = "TASK_OVERDUE"
TASK_RETURNED = "TASK_RETURNED"
REMINDER_STAGES = (1, 3, 7)  # working days before the deadline


def reminder_stage(today: dt.date, due: dt.date) -> int | None:
    """Which reminder is due on `today`: 7, 3 or 1 (working days left at most that many; on the
    deadline itself, 1), or None (further off, or past)."""
    if today > due:
        return None
    left = working_days_between(today, due)
    for stage in REMINDER_STAGES:
        if left <= stage:
            return stage
    return None


def _open_tasks():
    from giamsat.tracking.models import WorkItem

    return WorkItem.objects.filter(kind=TASK_KIND, completed_on__isnull=True, plan_task__isnull=False)


def _year_periods(years) -> dict[int, int]:
    periods = periods_get([PeriodValue.parse(str(y)) for y in years])
    return {int(code): p.pk for code, p in periods.items()}


def _findings(rows, subject_suffix=lambda row: "", evidence=lambda row: {}) -> Scan:
    rows = list(rows)
    year_period = _year_periods({r[3] for r in rows}) if rows else {}
    return Scan(
        [
            Finding(
                unit_id,
                year_period[year],
                subject=f"task:{pk}{subject_suffix(row)}",
                evidence={"task": pk, "title": title[:200], **evidence(row)},
            )
            for row in rows
            for pk, unit_id, title, year, *_rest in [row]
        ]
    )


def scan_due_soon(rule, scope: ScanScope) -> Scan:
    """Open tasks whose deadline is 7, 3 or 1 working days away (a new alert at each stage)."""
    today = scope.today
    horizon = today + dt.timedelta(days=21)  # 7 working days are never more than 3 weeks (Tết)
    rows = []
    for pk, unit_id, title, year, due in (
        _open_tasks()
        .filter(due_date__gte=today, due_date__lte=horizon)
        .values_list("pk", "owner_unit_id", "title", "plan_task__plan__year", "due_date")
    ):
        stage = reminder_stage(today, due)
        if stage is not None:
            rows.append((pk, unit_id, title, year, due, stage, working_days_between(today, due)))
    return _findings(
        rows,
        subject_suffix=lambda r: f":{r[5]}",
        evidence=lambda r: {"due": r[4].isoformat(), "stage": r[5], "working_days_left": r[6]},
    )


def scan_overdue(rule, scope: ScanScope) -> Scan:
    """Open tasks past their deadline (from the day after it)."""
    rows = (
        _open_tasks()
        .filter(due_date__lt=scope.today)
        .values_list("pk", "owner_unit_id", "title", "plan_task__plan__year", "due_date")
    )
    return _findings(rows, evidence=lambda r: {"due": r[4].isoformat(), "days_late": (scope.today - r[4]).days})


def scan_returned(rule, scope: ScanScope) -> Scan:
    """Tasks whose evidence the assigner returned, until the unit reports again."""
    from giamsat.tracking.models import WorkItem

    rows = WorkItem.objects.filter(kind=TASK_KIND, review=Review.RETURNED, plan_task__isnull=False).values_list(
        "pk", "owner_unit_id", "title", "plan_task__plan__year", "review_note"
    )
    return _findings(rows, evidence=lambda r: {"reason": (r[4] or "")[:300]})


def _date(text: str | None) -> str:
    return dt.date.fromisoformat(text).strftime("%d/%m/%Y") if text else "—"


def describe_due_soon(alert) -> str:
    e = alert.evidence
    left = e.get("working_days_left", 0)
    when = _("due today") if not left else _("%(n)s working day(s) left") % {"n": left}
    return _("Task due %(due)s (%(when)s): %(title)s") % {
        "due": _date(e.get("due")),
        "when": when,
        "title": e.get("title", ""),
    }


def describe_overdue(alert) -> str:
    e = alert.evidence
    return _("Task overdue since %(due)s: %(title)s") % {"due": _date(e.get("due")), "title": e.get("title", "")}


def describe_returned(alert) -> str:
    e = alert.evidence
    return _("Evidence returned (%(reason)s): %(title)s") % {"reason": e.get("reason", ""), "title": e.get("title", "")}


def task_link(alert) -> str | None:
    task = (alert.evidence or {}).get("task")
    return reverse("plans:task_detail", args=[task]) if task else None


alert_kind_register(
    AlertKind(
        TASK_DUE_SOON,
        _lazy("Task deadline approaching"),
        scan_due_soon,
        describe_due_soon,
        time_based=True,
        subject_link=task_link,
    )
)
alert_kind_register(
    AlertKind(
        TASK_OVERDUE, _lazy("Task overdue"), scan_overdue, describe_overdue, time_based=True, subject_link=task_link
    )
)
alert_kind_register(
    AlertKind(
        TASK_RETURNED,
        _lazy("Task evidence returned"),
        scan_returned,
        describe_returned,
        time_based=True,
        subject_link=task_link,
    )
)


@default_rules_register
def plan_alert_rules() -> list[tuple[str, dict]]:
    return [
        (
            "PLAN_TASK_DUE_SOON",
            {
                "name_vi": "Nhắc hạn nhiệm vụ kế hoạch (7, 3, 1 ngày làm việc)",
                "name_en": "Plan task deadline reminder (7, 3, 1 working days)",
                "kind": TASK_DUE_SOON,
                "severity": Severity.INFO,
            },
        ),
        (
            "PLAN_TASK_OVERDUE",
            {
                "name_vi": "Nhiệm vụ kế hoạch quá hạn chưa hoàn thành",
                "name_en": "Plan task overdue and not completed",
                "kind": TASK_OVERDUE,
                "severity": Severity.WARNING,
            },
        ),
        (
            "PLAN_TASK_RETURNED",
            {
                "name_vi": "Kết quả nhiệm vụ bị trả lại",
                "name_en": "Plan task evidence returned",
                "kind": TASK_RETURNED,
                "severity": Severity.WARNING,
            },
        ),
    ]
