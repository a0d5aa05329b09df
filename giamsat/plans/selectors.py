"""Reads for plans: tasks with their computed status, filtered and scoped; every unit's
execution for the overview; a plan and a task with what their pages show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from giamsat.accounts.choices import ScopeKind
from giamsat.accounts.selectors import user_scope
from giamsat.tracking.choices import WorkStatus
from giamsat.tracking.selectors import status_expression, status_q

from .choices import TASK_KIND
from .models import Plan, Task

# Overdue first, then the rest by how soon they are due (the overview's and lists' order).
STATUS_ORDER = [
    WorkStatus.OVERDUE,
    WorkStatus.IN_PROGRESS,
    WorkStatus.NOT_STARTED,
    WorkStatus.DONE_LATE,
    WorkStatus.DONE_ON_TIME,
]


@dataclass
class TaskFilters:
    """What a task list or the API may filter by (all optional)."""

    unit: str = ""  # a unit code: its tasks and its departments'
    year: int | None = None
    status: str = ""
    domain: str = ""
    document: int | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    assignee_id: int | None = None
    q: str = ""


def tasks_visible(user) -> QuerySet[Task]:
    """Tasks of the units the user sees (or assigned by the user)."""
    scope = user_scope(user, ScopeKind.VIEW)
    capture = user_scope(user, ScopeKind.CAPTURE)
    return Task.objects.filter(
        scope.q("item__owner_unit") | capture.q("item__owner_unit") | Q(item__assigned_by=user)
        if not scope.everything
        else Q()
    )


def tasks_query(*, user, filters: TaskFilters, today: dt.date) -> QuerySet[Task]:
    """Scoped tasks with `status` annotated, filtered, overdue first then by deadline."""
    from django.db.models import Case, IntegerField, Value, When

    tasks = tasks_visible(user).select_related("item", "item__owner_unit", "item__assignee", "plan", "document")
    if filters.unit:
        tasks = tasks.filter(
            Q(item__owner_unit__code=filters.unit)
            | Q(item__owner_unit__parent__code=filters.unit, item__owner_unit__type="PROVINCIAL_DEPT")
        )
    if filters.year:
        tasks = tasks.filter(plan__year=filters.year)
    if filters.status in WorkStatus.values:
        tasks = tasks.filter(status_q(filters.status, today, prefix="item__"))
    if filters.domain:
        tasks = tasks.filter(domain=filters.domain)
    if filters.document:
        tasks = tasks.filter(document_id=filters.document)
    if filters.due_from:
        tasks = tasks.filter(item__due_date__gte=filters.due_from)
    if filters.due_to:
        tasks = tasks.filter(item__due_date__lte=filters.due_to)
    if filters.assignee_id:
        tasks = tasks.filter(item__assignee_id=filters.assignee_id)
    if filters.q:
        tasks = tasks.filter(item__title__icontains=filters.q.strip())
    rank = Case(
        *[When(status=Value(s), then=Value(i)) for i, s in enumerate(STATUS_ORDER)], output_field=IntegerField()
    )
    return (
        tasks.annotate(status=status_expression(today, prefix="item__"))
        .annotate(status_rank=rank)
        .order_by("status_rank", "item__due_date", "item_id")
    )


@dataclass
class UnitExecution:
    """One unit's plan for a year as the overview shows it."""

    plan: Plan
    total: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def due(self) -> int:
        return (
            self.counts.get(WorkStatus.DONE_ON_TIME, 0)
            + self.counts.get(WorkStatus.DONE_LATE, 0)
            + self.counts.get(WorkStatus.OVERDUE, 0)
        )

    @property
    def on_time_rate(self) -> float | None:
        """Completed on time among the tasks due or completed (as the catalogue's figure)."""
        return round(self.counts.get(WorkStatus.DONE_ON_TIME, 0) * 100 / self.due, 1) if self.due else None

    @property
    def overdue(self) -> int:
        return self.counts.get(WorkStatus.OVERDUE, 0)


def plans_overview(*, user, year: int, today: dt.date, unit_type: str = "") -> list[UnitExecution]:
    """Every visible unit's plan of the year with its tasks counted by status (top-level tasks,
    as the figures count them), most overdue first. Two queries."""
    plans = {
        p.pk: UnitExecution(plan=p)
        for p in Plan.objects.filter(year=year, pk__in=tasks_visible(user).values("plan_id")).select_related(
            "org_unit", "org_unit__parent"
        )
    }
    if unit_type:
        plans = {pk: row for pk, row in plans.items() if row.plan.org_unit.type == unit_type}
    rows = (
        Task.objects.filter(plan_id__in=plans, parent__isnull=True)
        .annotate(status=status_expression(today, prefix="item__"))
        .values("plan_id", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        execution = plans[row["plan_id"]]
        execution.counts[row["status"]] = row["n"]
        execution.total += row["n"]
    return sorted(
        plans.values(),
        key=lambda e: (-e.overdue, e.on_time_rate if e.on_time_rate is not None else 101, e.plan.org_unit.code),
    )


def task_get(*, user, pk: int, today: dt.date) -> Task | None:
    """A task the user may see, with its status, or None."""
    return tasks_query(user=user, filters=TaskFilters(), today=today).filter(pk=pk).first()


def my_tasks(*, user, today: dt.date, limit: int = 8) -> list[Task]:
    """The open tasks of the user's own units (their data-entry scope), overdue and nearest
    deadlines first: the landing page's "my tasks"."""
    capture = user_scope(user, ScopeKind.CAPTURE)
    if capture.is_empty:
        return []
    tasks = (
        Task.objects.filter(capture.q("item__owner_unit"), item__completed_on__isnull=True, item__kind=TASK_KIND)
        .select_related("item", "item__owner_unit", "plan")
        .annotate(status=status_expression(today, prefix="item__"))
        .order_by("item__due_date", "item_id")
    )
    return list(tasks[:limit])


def plannable_units(user) -> QuerySet:
    """The units whose plan the user may keep: their own (data-entry scope) and those they may
    assign work to (as `ensure_can_plan`)."""
    from giamsat.accounts.choices import Role
    from giamsat.orgunits.models import OrgUnit
    from giamsat.tracking.permissions import MINISTRY_ASSIGNERS

    from .choices import PLAN_UNIT_TYPES

    if not user.is_authenticated or not user.is_active:
        return OrgUnit.objects.none()
    condition = user_scope(user, ScopeKind.CAPTURE).q()
    if user.role == Role.ADMIN or user.is_superuser:
        condition = Q()
    elif user.role in MINISTRY_ASSIGNERS:
        condition |= user_scope(user, ScopeKind.VIEW).q()
    return OrgUnit.objects.filter(condition, type__in=PLAN_UNIT_TYPES, valid_to__isnull=True).order_by("path")


def with_evidence_count(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Tasks annotated with `evidence_count`: files attached and progress reports that give a
    link or a figure."""
    from django.db.models import IntegerField, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from giamsat.tracking.models import Attachment, ProgressReport

    def counted(queryset):
        rows = queryset.filter(item=OuterRef("item_id")).order_by().values("item").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))

    reports = ProgressReport.objects.exclude(link="", data_element__isnull=True)
    return tasks.annotate(evidence_count=counted(Attachment.objects.all()) + counted(reports))
