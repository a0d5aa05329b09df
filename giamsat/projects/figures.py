"""The projects' figures in the catalogue, per evaluated unit and month, year to date: the year's
capital allocated and disbursed (billion đồng), projects under implementation and on schedule,
open red flags. Written through the one write path on the projects' own channel, so the
disbursement rate is on the scorecard, in the rankings and in the official report.

A month's figures go to the unit that owned each project that month (a former province's, to it
before the merger), a provincial department's to its province."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q
from django.utils import timezone

from giamsat.catalog.models import DataElement
from giamsat.core.periods import months_of_year_to
from giamsat.reporting.checks import computed_figures_register
from giamsat.reporting.choices import Channel
from giamsat.reporting.services import ValueInput, data_values_write, periods_get

from .choices import ACTIVE_STATUSES

ELEMENTS = {
    "allocated": "PROJECT_CAPITAL_ALLOCATED",
    "disbursed": "PROJECT_CAPITAL_DISBURSED",
    "active": "PROJECTS_ACTIVE",
    "on_schedule": "PROJECTS_ON_SCHEDULE",
    "flags": "PROJECT_FLAGS_OPEN",
}
EVALUATED_TYPES = ("PROVINCE", "MINISTRY_IT_UNIT", "MINISTRY_DEPT")
ON_SCHEDULE_SPI = 0.9
PROJECTS_USERNAME = "he.thong.duan"


def register() -> None:
    computed_figures_register(channel=Channel.PROJECTS, element_codes=ELEMENTS.values(), unit_types=EVALUATED_TYPES)


def evaluated_unit_id(unit_id: int, units: dict) -> int | None:
    unit = units.get(unit_id)
    if unit is None:
        return None
    if unit.type == "PROVINCIAL_DEPT":
        return unit.parent_id
    return unit.pk if unit.type in EVALUATED_TYPES else None


def _billions(amount: int) -> str:
    return f"{amount / 1e9:.3f}"


def project_figures_write(*, year: int, unit_ids=None, today: dt.date | None = None, at=None) -> int:
    """Recompute and write the year's figures, month by month up to today, for the evaluated
    units `unit_ids` (None: every unit that owned a project). Unchanged figures are not rewritten
    (the write path skips them). Returns the number of values sent."""
    from giamsat.orgunits.models import OrgUnit

    from .models import Project, ProjectOwnership, RedFlag
    from .selectors import projects_facts

    today = today or timezone.localdate()
    months = months_of_year_to(year, today)
    elements = {e.code: e for e in DataElement.objects.filter(code__in=ELEMENTS.values())}
    if not months or len(elements) < len(ELEMENTS):
        return 0  # the catalogue is not loaded (a bare test database)
    ownerships = list(
        ProjectOwnership.objects.filter(valid_from__lte=dt.date(year, 12, 31))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=dt.date(year, 1, 1)))
        .values_list("project_id", "unit_id", "valid_from", "valid_to")
    )
    owner_units = OrgUnit.objects.in_bulk({u for _p, u, _f, _t in ownerships})
    evaluated = {u: evaluated_unit_id(u, owner_units) for u in owner_units}
    if unit_ids is not None:
        wanted = set(unit_ids)
        ownerships = [o for o in ownerships if evaluated.get(o[1]) in wanted]
    project_ids = {o[0] for o in ownerships}
    projects = list(Project.objects.filter(pk__in=project_ids))
    flags = list(
        RedFlag.objects.filter(project_id__in=project_ids, raised_on__lte=dt.date(year, 12, 31))
        .filter(Q(cleared_on__isnull=True) | Q(cleared_on__gte=dt.date(year, 1, 1)))
        .values_list("project_id", "raised_on", "cleared_on")
    )
    targets = OrgUnit.objects.in_bulk({evaluated[o[1]] for o in ownerships if evaluated.get(o[1])})
    if unit_ids is not None:
        targets.update(OrgUnit.objects.in_bulk(set(unit_ids) - set(targets)))
    periods = periods_get(months)
    inputs = []
    for month in months:
        day = min(today, month.end)
        facts = projects_facts([p for p in projects if p.decision_date <= day], day)
        totals: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(ELEMENTS, 0))
        owner_on = {
            p: evaluated.get(u) for p, u, start, end in ownerships if start <= day and (end is None or end >= day)
        }
        for project in projects:
            unit_id = owner_on.get(project.pk)
            fact = facts.get(project.pk)
            if unit_id is None or fact is None:
                continue
            row = totals[unit_id]
            row["allocated"] += fact.allocated_year
            row["disbursed"] += fact.disbursed_ytd
            if project.status in ACTIVE_STATUSES:
                row["active"] += 1
                if fact.spi is None or fact.spi >= ON_SCHEDULE_SPI:
                    row["on_schedule"] += 1
        for project_id, raised, cleared in flags:
            unit_id = owner_on.get(project_id)
            if unit_id is not None and raised <= day and (cleared is None or cleared > day):
                totals[unit_id]["flags"] += 1
        for unit_id, unit in targets.items():
            if not (unit.is_active_on(month.start) or unit.is_active_on(month.end)):
                continue  # the write path refuses a unit outside its period
            row = totals.get(unit_id)
            for name, code in ELEMENTS.items():
                if row is None:
                    value = None
                elif name in ("allocated", "disbursed"):
                    value = _billions(row[name])
                else:
                    value = str(int(row[name]))
                inputs.append(
                    ValueInput(
                        data_element=elements[code],
                        org_unit=unit,
                        period=periods[month.code],
                        value=value,
                        row=len(inputs) + 1,
                    )
                )
    if not inputs:
        return 0
    result = data_values_write(inputs=inputs, by=projects_user(), channel=Channel.PROJECTS, at=at)
    if result.problems:
        raise RuntimeError(f"project figures refused: {result.problems[:3]}")
    return len(inputs)


def projects_user():
    """The account the projects' figures are written under; nobody can sign in as it."""
    from giamsat.accounts.models import User

    user = User.objects.filter(username=PROJECTS_USERNAME).first()
    if user is None:
        user = User(username=PROJECTS_USERNAME, full_name="Hệ thống — giám sát dự án đầu tư", is_active=False)
        user.set_unusable_password()
        user.save()
    return user
