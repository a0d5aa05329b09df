"""Reads for plans: tasks with their computed status, filtered and scoped; every unit's
execution for the overview; a plan and a task with what their pages show."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Value, When

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
    if scope.covers_every_root():
        return Task.objects.all()
    in_scope = scope.q("item__owner_unit") | capture.q("item__owner_unit")
    # "Or assigned by the user" only when they assigned work outside their scope: an OR across
    # the two defeats the indexes (a reporter's list went from 20 ms to 300 ms at 75,000 tasks).
    if Task.objects.filter(item__assigned_by=user).exclude(in_scope).exists():
        in_scope |= Q(item__assigned_by=user)
    return Task.objects.filter(in_scope)


def _status_rank(today: dt.date, prefix: str = "item__") -> Case:
    """STATUS_ORDER's position of the status, from the dates directly (ranking the status
    expression itself evaluates it once per rank, five times a row)."""
    completed, due, start = f"{prefix}completed_on", f"{prefix}due_date", f"{prefix}start_date"
    rank = {status: Value(i) for i, status in enumerate(STATUS_ORDER)}
    return Case(
        When(Q(**{f"{completed}__isnull": False, f"{completed}__lte": F(due)}), then=rank[WorkStatus.DONE_ON_TIME]),
        When(Q(**{f"{completed}__isnull": False}), then=rank[WorkStatus.DONE_LATE]),
        When(Q(**{f"{due}__lt": today}), then=rank[WorkStatus.OVERDUE]),
        When(Q(**{f"{start}__gt": today}), then=rank[WorkStatus.NOT_STARTED]),
        default=rank[WorkStatus.IN_PROGRESS],
        output_field=IntegerField(),
    )


def tasks_query(*, user, filters: TaskFilters, today: dt.date) -> QuerySet[Task]:
    """Scoped tasks with `status` annotated, filtered, overdue first then by deadline."""
    tasks = tasks_visible(user).select_related("item", "item__owner_unit", "item__assignee", "plan", "document")
    if filters.unit:
        from giamsat.orgunits.models import OrgUnit

        # The units first (a handful), then their tasks by the owner index: an OR across two
        # joins made the database read every task.
        units = OrgUnit.objects.filter(
            Q(code=filters.unit) | Q(parent__code=filters.unit, type="PROVINCIAL_DEPT")
        ).values("pk")
        tasks = tasks.filter(item__owner_unit_id__in=units)
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
    return (
        tasks.annotate(status=status_expression(today, prefix="item__"))
        .annotate(status_rank=_status_rank(today))
        .order_by("status_rank", "item__due_date", "item_id")
    )


def tasks_page(tasks: QuerySet[Task], *, offset: int = 0, limit: int = 50) -> list[Task]:
    """One page of a `tasks_query` result in two steps: the page's keys sorted alone, then their
    rows. Sorting whole rows, with their units, people and documents joined, cost 0.3 s for the
    25,000 tasks of a year on SQLite; the keys alone 40 ms."""
    ids = list(tasks.values_list("pk", flat=True)[offset : offset + limit])
    return list(tasks.filter(pk__in=ids)) if ids else []


class PagedTasks:
    """A `tasks_query` result for Django's Paginator, its pages read by `tasks_page`."""

    def __init__(self, tasks: QuerySet[Task]):
        self.tasks = tasks

    def count(self) -> int:
        return self.tasks.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key):
        if isinstance(key, slice):
            start = key.start or 0
            return tasks_page(self.tasks, offset=start, limit=max(0, (key.stop or start) - start))
        return tasks_page(self.tasks, offset=key, limit=1)[0]


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
    visible = tasks_visible(user)
    year_plans = Plan.objects.filter(year=year)
    if visible.query.has_filters():
        year_plans = year_plans.filter(pk__in=visible.filter(plan__year=year).values("plan_id"))
    else:  # everything visible: a subquery of every task cost 0.3 s at 75,000 tasks
        year_plans = year_plans.filter(Exists(Task.objects.filter(plan=OuterRef("pk"))))
    plans = {p.pk: UnitExecution(plan=p) for p in year_plans.select_related("org_unit", "org_unit__parent")}
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
