"""A tracked item's status, a pure function of its dates and evidence (never typed).

The Government Office's four official values plus "not started": completion is the day the unit
reported it with evidence (unless the assigner returned that evidence), judged against the
deadline in force (the last approved extension's, else the original)."""

from __future__ import annotations

import datetime as dt

from ..choices import WorkStatus


def work_status(*, start: dt.date | None, due: dt.date, completed_on: dt.date | None, today: dt.date) -> str:
    """The status on `today`. Due today and not completed is still within the deadline; completed
    after the deadline is "completed late" whenever it is looked at."""
    if completed_on is not None:
        return WorkStatus.DONE_ON_TIME if completed_on <= due else WorkStatus.DONE_LATE
    if today > due:
        return WorkStatus.OVERDUE
    if start is not None and today < start:
        return WorkStatus.NOT_STARTED
    return WorkStatus.IN_PROGRESS


def days_late(*, due: dt.date, completed_on: dt.date | None, today: dt.date) -> int:
    """Calendar days past the deadline: to completion, or to today while open (0 if not late)."""
    end = completed_on or today
    return max(0, (end - due).days)
