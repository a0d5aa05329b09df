"""A unit's plan execution on a day, from its tasks' deadlines and completion dates (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Execution:
    due: int  # due by that day, or completed by then (early completions count)
    on_time: int  # completed by that day, on or before the deadline
    late: int  # completed by that day, after the deadline
    overdue: int  # past the deadline that day and not completed by then

    @property
    def on_time_rate(self) -> float | None:
        return round(self.on_time * 100 / self.due, 1) if self.due else None


def execution_on(tasks: Iterable[tuple[dt.date, dt.date | None]], day: dt.date) -> Execution:
    """Year-to-date counts as they stood at the end of `day`, for (deadline, completed on) pairs."""
    due = on_time = late = overdue = 0
    for deadline, completed in tasks:
        done = completed is not None and completed <= day
        if done:
            due += 1
            if completed <= deadline:
                on_time += 1
            else:
                late += 1
        elif deadline <= day:
            due += 1
            if deadline < day:
                overdue += 1
    return Execution(due=due, on_time=on_time, late=late, overdue=overdue)
