"""Writes for plans: plans, their tasks (tracked work through the tracking services), tasks
given to many units at once, and the plans' figures refreshed from the tasks."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giamsat.events.choices import EventKind
from giamsat.events.services import event_record
from giamsat.tracking.permissions import can_assign, can_report_for, ensure
from giamsat.tracking.services import work_item_create

from .choices import PLAN_UNIT_TYPES, TASK_KIND
from .models import AssigningDocument, Plan, Task, TaskAssignment


def ensure_can_plan(user, unit) -> None:
    """A unit's plan is kept by its own people or by those who may assign work to it."""
    ensure(can_report_for(user, unit) or can_assign(user, unit), _("You may not change this unit's plan."))


def _plan_title(unit, year: int) -> str:
    return f"Kế hoạch năm {year} — {unit.name_vi}"


@transaction.atomic
def plan_get_or_create(*, unit, year: int, by, title: str = "", at: dt.datetime | None = None) -> Plan:
    """The unit's plan for the year, created (empty) if it has none."""
    if unit.type not in PLAN_UNIT_TYPES:
        raise ValidationError(_("Units of this type keep no yearly plan."))
    plan = Plan.objects.filter(org_unit=unit, year=year).first()
    if plan is not None:
        return plan
    ensure_can_plan(by, unit)
    plan = Plan.objects.create(
        org_unit=unit,
        year=year,
        title=(title or _plan_title(unit, year))[:500],
        created_by=by,
        created_at=at or timezone.now(),
    )
    event_record(kind=EventKind.PLAN_CHANGED, unit=unit, subject=plan, by=by, payload={"year": year}, at=at)
    return plan


def document_get_or_create(
    *, number: str, issued_on: dt.date, issuing_body: str = "", title: str = ""
) -> AssigningDocument:
    number = number.strip()
    if not number:
        raise ValidationError({"number": _("The document needs its number.")})
    document, _created = AssigningDocument.objects.get_or_create(
        number=number[:80],
        issued_on=issued_on,
        defaults={"issuing_body": issuing_body.strip()[:255], "title": (title or number).strip()[:500]},
    )
    return document


@transaction.atomic
def task_create(
    *,
    plan: Plan,
    title: str,
    due_date: dt.date,
    by,
    start_date: dt.date | None = None,
    number: str = "",
    domain: str = "",
    document: AssigningDocument | None = None,
    parent: Task | None = None,
    assignee=None,
    description: str = "",
    deliverable: str = "",
    assigned_by_unit=None,
    assignment: TaskAssignment | None = None,
    at: dt.datetime | None = None,
) -> Task:
    """Add a task to a plan (the unit's own people enter their plan; the assigner gives tasks)."""
    ensure_can_plan(by, plan.org_unit)
    if parent is not None and parent.plan_id != plan.pk:
        raise ValidationError({"parent": _("A sub-task belongs to the same plan as its task.")})
    if not (dt.date(plan.year, 1, 1) <= due_date <= dt.date(plan.year + 1, 12, 31)):
        raise ValidationError({"due_date": _("The deadline is outside the plan's year.")})
    item = work_item_create(
        kind=TASK_KIND,
        title=title,
        owner_unit=plan.org_unit,
        due_date=due_date,
        start_date=start_date,
        by=by,
        description=description,
        deliverable=deliverable,
        assignee=assignee,
        assigned_by_unit=assigned_by_unit or _assigning_body(by, plan.org_unit),
        check_permission=False,
        at=at,
    )
    return Task.objects.create(
        item=item, plan=plan, number=number[:20], domain=domain, document=document, parent=parent, assignment=assignment
    )


def _assigning_body(user, unit):
    """Who gave the task: the assigner's home unit, or the unit's province for its own plan."""
    if can_assign(user, unit) and user.home_unit_id:
        return user.home_unit
    return unit.parent if unit.type == "PROVINCIAL_DEPT" else unit


@transaction.atomic
def task_assign_many(
    *,
    units,
    title: str,
    due_date: dt.date,
    by,
    document: AssigningDocument | None = None,
    domain: str = "",
    start_date: dt.date | None = None,
    deliverable: str = "",
    at: dt.datetime | None = None,
) -> TaskAssignment:
    """Give one task to many units at once: one row per unit in its plan of the deadline's year,
    each with its own status."""
    units = list(units)
    if not units:
        raise ValidationError({"units": _("Choose at least one unit.")})
    for unit in units:
        ensure(can_assign(by, unit), _("You may not assign work to %(unit)s.") % {"unit": unit.name_vi})
    now = at or timezone.now()
    assignment = TaskAssignment.objects.create(
        title=title.strip()[:500], document=document, due_date=due_date, assigned_by=by, created_at=now
    )
    for unit in units:
        plan = plan_get_or_create(unit=unit, year=due_date.year, by=by, at=now)
        task_create(
            plan=plan,
            title=title,
            due_date=due_date,
            start_date=start_date,
            by=by,
            domain=domain,
            document=document,
            deliverable=deliverable,
            assignment=assignment,
            at=now,
        )
    return assignment


def plans_figures_refresh(*, unit_ids=None, years=None, today: dt.date | None = None) -> int:
    """Rewrite the plans' figures for the evaluated units behind `unit_ids` (all with a plan
    when None) and `years` (this year when None)."""
    from giamsat.orgunits.models import OrgUnit

    from .figures import evaluated_unit, plan_figures_write

    today = today or timezone.localdate()
    plans = Plan.objects.all()
    if unit_ids is not None:
        plans = plans.filter(org_unit_id__in=unit_ids)
    if years is not None:
        plans = plans.filter(year__in=years)
    else:
        plans = plans.filter(year=today.year)
    by_year: dict[int, dict[int, object]] = {}
    for plan in plans.select_related("org_unit__parent"):
        target = evaluated_unit(plan.org_unit)
        if target is not None:
            by_year.setdefault(plan.year, {})[target.pk] = target
    written = 0
    for year, units in sorted(by_year.items()):
        written += plan_figures_write(evaluated_units=OrgUnit.objects.filter(pk__in=units), year=year, today=today)
    return written


@transaction.atomic
def task_classify(*, task: Task, by, domain: str, document: AssigningDocument | None) -> Task:
    """Regroup a task: its domain and the document that assigned it."""
    ensure_can_plan(by, task.plan.org_unit)
    task.domain, task.document = domain, document
    task.save(update_fields=["domain", "document"])
    return task
