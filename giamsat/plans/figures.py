"""The plans' figures in the catalogue: each unit's tasks due, completed on time and overdue,
year to date per month, written through the one write path on the plans' own channel, so the
on-time rate appears on the scorecard, in the rankings and in the official report.

Figures go to the unit that is evaluated: a provincial department's to its province, the
ministries' IT units' and departments' to themselves."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.utils import timezone

from giamsat.catalog.models import DataElement
from giamsat.core.periods import months_of_year_to
from giamsat.reporting.checks import computed_figures_register
from giamsat.reporting.choices import Channel
from giamsat.reporting.services import ValueInput, data_values_write, periods_get

from .choices import PLAN_UNIT_TYPES, TASK_KIND
from .engine.execution import execution_on

ELEMENTS = {"due": "PLAN_TASKS_DUE", "on_time": "PLAN_TASKS_ON_TIME", "overdue": "PLAN_TASKS_OVERDUE"}
EVALUATED_TYPES = ("PROVINCE", "MINISTRY_IT_UNIT", "MINISTRY_DEPT")


def register() -> None:
    computed_figures_register(channel=Channel.PLANS, element_codes=ELEMENTS.values(), unit_types=EVALUATED_TYPES)


def evaluated_unit(unit):
    """The unit whose scorecard shows a plan's execution."""
    if unit.type == "PROVINCIAL_DEPT" and unit.parent_id is not None:
        return unit.parent
    return unit if unit.type in EVALUATED_TYPES else None


def plan_figures_write(*, evaluated_units, year: int, today: dt.date | None = None, at=None) -> int:
    """Recompute and write the figures of `evaluated_units` for each month of `year` up to
    today (the current month as of today, past months as of their last day). Unchanged figures
    are not rewritten (the write path skips them). Returns the number of values sent."""
    from giamsat.tracking.models import WorkItem

    today = today or timezone.localdate()
    months = months_of_year_to(year, today)
    units = {u.pk: u for u in evaluated_units}
    if not months or not units:
        return 0
    # A plan of the unit itself or of its departments, top-level tasks only (sub-tasks are steps).
    tasks: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    rows = WorkItem.objects.filter(
        kind=TASK_KIND, plan_task__plan__year=year, plan_task__parent__isnull=True, owner_unit__type__in=PLAN_UNIT_TYPES
    ).filter(_owners_q(units.values()))
    for owner_id, parent_id, owner_type, due, completed in rows.values_list(
        "owner_unit_id", "owner_unit__parent_id", "owner_unit__type", "due_date", "completed_on"
    ):
        unit_id = parent_id if owner_type == "PROVINCIAL_DEPT" else owner_id
        if unit_id in units:
            tasks[unit_id].append((due, completed))
    periods = periods_get(months)
    elements = {e.code: e for e in DataElement.objects.filter(code__in=ELEMENTS.values())}
    if len(elements) < len(ELEMENTS):
        return 0  # the catalogue is not loaded (a bare test database)
    inputs = []
    for unit_id, unit in units.items():
        for month in months:
            if not (unit.is_active_on(month.start) or unit.is_active_on(month.end)):
                continue  # the write path refuses a unit outside its period (a unit created mid-year)
            day = min(today, month.end)
            counts = execution_on(tasks.get(unit_id, ()), day)
            for name, code in ELEMENTS.items():
                inputs.append(
                    ValueInput(
                        data_element=elements[code],
                        org_unit=unit,
                        period=periods[month.code],
                        value=str(getattr(counts, name)) if counts.due or tasks.get(unit_id) else None,
                        row=len(inputs) + 1,
                    )
                )
    result = data_values_write(inputs=inputs, by=plans_user(), channel=Channel.PLANS, at=at)
    if result.problems:
        raise RuntimeError(f"plan figures refused: {result.problems[:3]}")
    return len(inputs)


def _owners_q(units):
    from django.db.models import Q

    q = Q()
    for unit in units:
        q |= Q(owner_unit_id=unit.pk) | Q(owner_unit__parent_id=unit.pk, owner_unit__type="PROVINCIAL_DEPT")
    return q


PLANS_USERNAME = "he.thong.kehoach"


def plans_user():
    """The account the plans' figures are written under (the history says "computed from the
    plans"); nobody can sign in as it."""
    from giamsat.accounts.models import User

    user = User.objects.filter(username=PLANS_USERNAME).first()
    if user is None:
        user = User(username=PLANS_USERNAME, full_name="Hệ thống — theo dõi thực hiện kế hoạch", is_active=False)
        user.set_unusable_password()
        user.save()
    return user
