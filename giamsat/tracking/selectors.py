"""Reads for tracked work: the status as a SQL expression (equal to engine/status.py, tested),
an item's state on a past day from its history, and a baseline compared with today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When

from .choices import WorkStatus
from .engine.status import work_status
from .models import Baseline, WorkItem


def status_expression(today: dt.date, prefix: str = "") -> Case:
    """The status on `today` for a queryset (of WorkItem, or of a model reaching it through
    `prefix`, e.g. "item__"), so lists filter and sort by it without a stored copy."""
    completed, due, start = f"{prefix}completed_on", f"{prefix}due_date", f"{prefix}start_date"
    return Case(
        When(Q(**{f"{completed}__isnull": False, f"{completed}__lte": F(due)}), then=Value(WorkStatus.DONE_ON_TIME)),
        When(Q(**{f"{completed}__isnull": False}), then=Value(WorkStatus.DONE_LATE)),
        When(Q(**{f"{due}__lt": today}), then=Value(WorkStatus.OVERDUE)),
        When(Q(**{f"{start}__gt": today}), then=Value(WorkStatus.NOT_STARTED)),
        default=Value(WorkStatus.IN_PROGRESS),
        output_field=CharField(),
    )


def status_q(status: str, today: dt.date, prefix: str = "") -> Q:
    """A filter for one status on `today`, written so the database can use the date indexes."""
    completed, due, start = f"{prefix}completed_on", f"{prefix}due_date", f"{prefix}start_date"
    if status == WorkStatus.DONE_ON_TIME:
        return Q(**{f"{completed}__isnull": False, f"{completed}__lte": F(due)})
    if status == WorkStatus.DONE_LATE:
        return Q(**{f"{completed}__isnull": False, f"{completed}__gt": F(due)})
    if status == WorkStatus.OVERDUE:
        return Q(**{f"{completed}__isnull": True, f"{due}__lt": today})
    if status == WorkStatus.NOT_STARTED:
        return Q(**{f"{completed}__isnull": True, f"{due}__gte": today, f"{start}__gt": today})
    if status == WorkStatus.IN_PROGRESS:
        return Q(**{f"{completed}__isnull": True, f"{due}__gte": today}) & (
            Q(**{f"{start}__isnull": True}) | Q(**{f"{start}__lte": today})
        )
    raise ValueError(status)


def item_status(item: WorkItem, today: dt.date) -> str:
    return work_status(start=item.start_date, due=item.due_date, completed_on=item.completed_on, today=today)


_TRACKED = ("title", "start_date", "due_date", "completed_on", "progress")


def _parse(name: str, value):
    if value is None:
        return None
    if name in ("start_date", "due_date", "completed_on"):
        return dt.date.fromisoformat(value)
    if name == "progress":
        return int(value)
    return value


def item_as_of(item: WorkItem, on: dt.date) -> dict | None:
    """The item's title, dates, completion and progress at the end of `on`, undoing the changes
    its history records after that day; None if it did not exist yet."""
    from django.utils import timezone

    if timezone.localtime(item.created_at).date() > on:
        return None
    state = {name: getattr(item, name) for name in _TRACKED}
    later = [e for e in item.history.all() if timezone.localtime(e.at).date() > on]
    for event in sorted(later, key=lambda e: (e.at, e.pk), reverse=True):
        for name, (old, _new) in (event.changes or {}).items():
            if name in state:
                state[name] = _parse(name, old)
    return state


@dataclass(frozen=True)
class BaselineChange:
    """One item that moved between a baseline and today."""

    item_id: int | None
    title: str
    what: str  # ADDED, REMOVED, CHANGED
    due_then: dt.date | None
    due_now: dt.date | None
    status_then: str
    status_now: str
    completed_then: dt.date | None
    completed_now: dt.date | None

    @property
    def due_shift_days(self) -> int | None:
        if self.due_then and self.due_now:
            return (self.due_now - self.due_then).days
        return None

    @property
    def status_then_label(self) -> str:
        return WorkStatus(self.status_then).label if self.status_then else ""

    @property
    def status_now_label(self) -> str:
        return WorkStatus(self.status_now).label if self.status_now else ""


def baseline_compare(baseline: Baseline, items: QuerySet[WorkItem], today: dt.date) -> list[BaselineChange]:
    """What moved since the baseline: deadlines, completion and status changed, items added
    and items gone. Unchanged items are left out."""
    then = {row.item_id: row for row in baseline.items.all()}
    changes = []
    seen = set()
    for item in items.order_by("due_date", "pk"):
        seen.add(item.pk)
        status_now = item_status(item, today)
        row = then.get(item.pk)
        if row is None:
            changes.append(
                BaselineChange(
                    item.pk, item.title, "ADDED", None, item.due_date, "", status_now, None, item.completed_on
                )
            )
            continue
        if (row.due_date, row.completed_on, row.status) != (item.due_date, item.completed_on, status_now):
            changes.append(
                BaselineChange(
                    item.pk,
                    item.title,
                    "CHANGED",
                    row.due_date,
                    item.due_date,
                    row.status,
                    status_now,
                    row.completed_on,
                    item.completed_on,
                )
            )
    for item_id, row in then.items():
        if item_id not in seen:
            changes.append(
                BaselineChange(
                    item_id, row.title, "REMOVED", row.due_date, None, row.status, "", row.completed_on, None
                )
            )
    return changes
