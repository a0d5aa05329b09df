"""Reads for projects: what a user may see (through every owner a project had), each project's
money and earned value on a day, the facts the red flags test, and the portfolio."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from giamsat.accounts.choices import ScopeKind
from giamsat.accounts.selectors import user_scope
from giamsat.tracking.models import WorkItem

from .choices import MILESTONE_KIND, TransactionKind
from .engine.earned_value import EarnedValue, earned_value, planned_value
from .engine.flags import MilestoneFacts, PackageFacts, ProjectFacts
from .models import (
    FlagRule,
    FlagRuleSet,
    Package,
    PhysicalProgress,
    Project,
    ProjectBaseline,
    ProjectOwnership,
    RedFlag,
    Transaction,
    YearBudget,
)


def projects_visible(user) -> QuerySet[Project]:
    """The projects any of whose owners, then or now, lies in the user's view scope: a merged
    province sees its former provinces' projects with their history."""
    scope = user_scope(user, ScopeKind.VIEW)
    if scope.covers_every_root():
        return Project.objects.all()
    if scope.is_empty:
        return Project.objects.none()
    # The ids read once (a province's few hundred): every later count and sum of the page then
    # filters by a plain list instead of repeating the scope's paths and the owners' history.
    ids = set(Project.objects.filter(scope.q("owner_unit")).values_list("pk", flat=True))
    ids |= set(ProjectOwnership.objects.filter(scope.q("unit")).values_list("project_id", flat=True))
    return Project.objects.filter(pk__in=sorted(ids))


def project_can_edit(user, project: Project) -> bool:
    """The owner unit's people, or whoever may give work to it (the ministry, the province's
    leaders)."""
    from giamsat.tracking.permissions import can_assign, can_report_for

    return can_report_for(user, project.owner_unit) or can_assign(user, project.owner_unit)


def baseline_in_force(project_ids, day: dt.date) -> dict[int, ProjectBaseline]:
    """Each project's latest baseline taken on or before `day`."""
    found: dict[int, ProjectBaseline] = {}
    for baseline in ProjectBaseline.objects.filter(project_id__in=project_ids, taken_on__lte=day).order_by(
        "project_id", "-number"
    ):
        found.setdefault(baseline.project_id, baseline)
    return found


def curve_of(baseline: ProjectBaseline | None) -> list[tuple[dt.date, int]]:
    if baseline is None:
        return []
    return [(dt.date.fromisoformat(day), int(value)) for day, value in baseline.curve]


def physical_progress_on(project_ids, day: dt.date) -> dict[int, float]:
    """Each project's last reported physical progress on or before `day` (absent: 0)."""
    latest = PhysicalProgress.objects.filter(project=OuterRef("project"), on__lte=day).order_by("-on", "-pk")
    rows = (
        PhysicalProgress.objects.filter(project_id__in=project_ids, on__lte=day)
        .filter(pk=Subquery(latest.values("pk")[:1]))
        .values_list("project_id", "percent")
    )
    return {pk: float(percent) for pk, percent in rows}


def disbursed(project_ids, *, to: dt.date, since: dt.date | None = None) -> dict[int, int]:
    """Disbursements per project up to `to` (from `since`)."""
    rows = Transaction.objects.filter(project_id__in=project_ids, kind=TransactionKind.DISBURSEMENT, date__lte=to)
    if since is not None:
        rows = rows.filter(date__gte=since)
    return dict(rows.values("project_id").annotate(total=Sum("amount")).values_list("project_id", "total"))


def project_earned_value(project: Project, day: dt.date) -> EarnedValue | None:
    """SPI, CPI and the rest on `day`, from the baseline in force that day (None before one)."""
    baseline = baseline_in_force([project.pk], day).get(project.pk)
    if baseline is None:
        return None
    return earned_value(
        bac=baseline.budget_at_completion,
        curve=curve_of(baseline),
        percent_complete=physical_progress_on([project.pk], day).get(project.pk, 0.0),
        actual_cost=disbursed([project.pk], to=day).get(project.pk, 0),
        day=day,
    )


def projects_earned_value(project_ids, day: dt.date) -> dict[int, EarnedValue]:
    """Earned value on `day` for many projects in three queries (those with a baseline)."""
    baselines = baseline_in_force(project_ids, day)
    progress = physical_progress_on(list(baselines), day)
    spent = disbursed(list(baselines), to=day)
    return {
        pk: earned_value(
            bac=baseline.budget_at_completion,
            curve=curve_of(baseline),
            percent_complete=progress.get(pk, 0.0),
            actual_cost=spent.get(pk, 0),
            day=day,
        )
        for pk, baseline in baselines.items()
    }


def _year_share(curve, day: dt.date) -> float | None:
    """Of the baseline's planned value for `day`'s year, the share planned by `day`."""
    start, end = dt.date(day.year - 1, 12, 31), dt.date(day.year, 12, 31)
    at_start, at_end = planned_value(curve, start), planned_value(curve, end)
    if at_end <= at_start:
        return None
    return (planned_value(curve, day) - at_start) / (at_end - at_start)


def projects_facts(projects, day: dt.date) -> dict[int, ProjectFacts]:
    """What the red flags test, for many projects in a fixed number of queries."""
    projects = list(projects)
    ids = [p.pk for p in projects]
    baselines = baseline_in_force(ids, day)
    progress = physical_progress_on(ids, day)
    spent = disbursed(ids, to=day)
    spent_ytd = disbursed(ids, to=day, since=dt.date(day.year, 1, 1))
    allocated = dict(
        YearBudget.objects.filter(project_id__in=ids, year=day.year).values_list("project_id", "allocated")
    )
    packages: dict[int, list[PackageFacts]] = defaultdict(list)
    for project_id, pk, code, method, stage, estimate, value, bidders, awarded, signed in Package.objects.filter(
        project_id__in=ids
    ).values_list(
        "project_id",
        "pk",
        "code",
        "method",
        "stage",
        "estimated_value",
        "contract_value",
        "bidders",
        "award_date",
        "contract_date",
    ):
        # As of `day`: bids not yet known before the award, no contract before its signature.
        if awarded is not None and awarded > day:
            stage, bidders = "TENDER", None
        if signed is not None and signed > day:
            value = None
        packages[project_id].append(PackageFacts(pk, code, method, stage, estimate, value, bidders))
    milestones: dict[int, list[MilestoneFacts]] = defaultdict(list)
    for project_id, pk, title, due, completed in WorkItem.objects.filter(
        kind=MILESTONE_KIND, project_milestone__project_id__in=ids
    ).values_list("project_milestone__project_id", "pk", "title", "due_date", "completed_on"):
        # As of `day`: a milestone met later was still open then.
        milestones[project_id].append(
            MilestoneFacts(pk, title, due, completed if completed and completed <= day else None)
        )
    facts = {}
    for project in projects:
        baseline = baselines.get(project.pk)
        curve = curve_of(baseline)
        ev = (
            earned_value(
                bac=baseline.budget_at_completion,
                curve=curve,
                percent_complete=progress.get(project.pk, 0.0),
                actual_cost=spent.get(project.pk, 0),
                day=day,
            )
            if baseline
            else None
        )
        facts[project.pk] = ProjectFacts(
            day=day,
            status=project.status,
            decision_date=project.decision_date,
            actual_start=project.actual_start if project.actual_start and project.actual_start <= day else None,
            allocated_year=allocated.get(project.pk, 0),
            planned_share_ytd=_year_share(curve, day) if curve else None,
            disbursed_ytd=spent_ytd.get(project.pk, 0),
            disbursed_total=spent.get(project.pk, 0),
            spi=ev.spi if ev else None,
            cpi=ev.cpi if ev else None,
            bac=baseline.budget_at_completion if baseline else project.total_investment,
            packages=packages.get(project.pk, []),
            milestones=milestones.get(project.pk, []),
        )
    return facts


def rule_set_in_force(day: dt.date) -> FlagRuleSet | None:
    return FlagRuleSet.objects.filter(valid_from__lte=day).order_by("-valid_from", "-version").first()


def rules_in_force(day: dt.date) -> list[FlagRule]:
    rule_set = rule_set_in_force(day)
    if rule_set is None:
        return []
    return list(rule_set.rules.filter(enabled=True).select_related("rule_set"))


def open_flags(projects=None) -> QuerySet[RedFlag]:
    flags = RedFlag.objects.filter(cleared_on__isnull=True)
    return flags if projects is None else flags.filter(project__in=projects)


@dataclass
class PortfolioFilters:
    owner: str = ""  # a unit code: its projects and its departments'
    domain: str = ""
    status: str = ""
    programme: str = ""
    flag: str = ""  # a flag code, or "any"
    q: str = ""


def portfolio(user, filters: PortfolioFilters, *, year: int) -> QuerySet[Project]:
    """The projects a user sees, filtered, with their open flags, this year's allocation and
    disbursement; flagged first (most flags, then the largest), then by code."""
    projects = projects_visible(user)
    if filters.owner:
        projects = projects.filter(
            Q(owner_unit__code=filters.owner)
            | Q(owner_unit__parent__code=filters.owner)
            | Q(owners__unit__code=filters.owner)
        ).distinct()
    for field, value in (("domain", filters.domain), ("status", filters.status), ("programme", filters.programme)):
        if value:
            projects = projects.filter(**{field: value})
    if filters.q:
        projects = projects.filter(Q(code__icontains=filters.q) | Q(name__icontains=filters.q))
    open_by_project = (
        RedFlag.objects.filter(project=OuterRef("pk"), cleared_on__isnull=True)
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    if filters.flag == "any":
        projects = projects.filter(Exists(RedFlag.objects.filter(project=OuterRef("pk"), cleared_on__isnull=True)))
    elif filters.flag:
        projects = projects.filter(
            Exists(RedFlag.objects.filter(project=OuterRef("pk"), cleared_on__isnull=True, code=filters.flag))
        )
    allocated = YearBudget.objects.filter(project=OuterRef("pk"), year=year).values("allocated")[:1]
    paid = (
        Transaction.objects.filter(project=OuterRef("pk"), kind=TransactionKind.DISBURSEMENT, date__year=year)
        .values("project")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return (
        projects.select_related("owner_unit", "owner_unit__parent")
        .annotate(
            open_flags=Coalesce(Subquery(open_by_project), Value(0)),
            allocated_year=Coalesce(Subquery(allocated), Value(0)),
            disbursed_year=Coalesce(Subquery(paid), Value(0)),
        )
        .order_by(F("open_flags").desc(), F("total_investment").desc(), "code")
    )


# --- for the pages ------------------------------------------------------------------------------


def project_get(user, code: str) -> Project | None:
    """A project the user may see, by its code (None otherwise: the page answers 404)."""
    return projects_visible(user).select_related("owner_unit", "owner_unit__parent").filter(code=code).first()


def owner_units_for(user, on: dt.date):
    """The units in force on `on` for which the user may register a project: its own units, or
    those it may give work to (the ministry's leaders and analysts, a province's leaders)."""
    from giamsat.accounts.choices import Role
    from giamsat.orgunits.models import OrgUnit
    from giamsat.tracking.permissions import MINISTRY_ASSIGNERS

    from .choices import OWNER_UNIT_TYPES

    units = OrgUnit.objects.active_on(on).filter(type__in=OWNER_UNIT_TYPES).order_by("path")
    if user.role == Role.ADMIN or user.is_superuser:
        return units
    condition = user_scope(user, ScopeKind.CAPTURE).q()
    if user.role in MINISTRY_ASSIGNERS:
        condition |= user_scope(user, ScopeKind.VIEW).q()
    return units.filter(condition)


def portfolio_totals(projects: QuerySet[Project], *, year: int) -> dict:
    """The filtered portfolio's count and money (the queryset of `portfolio`). Three plain sums
    over the projects' ids: summing the per-row subqueries cost 4× as much at 5,000 projects."""
    ids = projects.order_by().values("pk")
    totals = Project.objects.filter(pk__in=ids).aggregate(n=Count("pk"), total=Sum("total_investment"))
    allocated = YearBudget.objects.filter(project__in=ids, year=year).aggregate(s=Sum("allocated"))["s"] or 0
    paid = (
        Transaction.objects.filter(project__in=ids, kind=TransactionKind.DISBURSEMENT, date__year=year).aggregate(
            s=Sum("amount")
        )["s"]
        or 0
    )
    return {
        "projects": totals["n"] or 0,
        "total_investment": totals["total"] or 0,
        "allocated": allocated,
        "disbursed": paid,
        "rate": round(paid * 100 / allocated, 1) if allocated else None,
    }


def open_flags_by_code(projects: QuerySet[Project]) -> dict[str, int]:
    """The open red flags of these projects, counted by flag."""
    rows = (
        RedFlag.objects.filter(cleared_on__isnull=True, project__in=projects.order_by().values("pk"))
        .values("code")
        .annotate(n=Count("pk"))
        .values_list("code", "n")
    )
    return dict(rows)


def open_flags_of(project_ids) -> dict[int, list[RedFlag]]:
    found: dict[int, list[RedFlag]] = defaultdict(list)
    for flag in (
        RedFlag.objects.filter(project_id__in=project_ids, cleared_on__isnull=True)
        .select_related("rule")
        .order_by("project_id", "code", "pk")
    ):
        found[flag.project_id].append(flag)
    return found


def flags_by_province(user, on: dt.date) -> dict[str, dict]:
    """For each province in force on `on` that the user sees: its projects and their open red
    flags (a provincial department's projects count for its province)."""
    from giamsat.orgunits.models import OrgUnit

    projects = projects_visible(user).filter(owner_unit__type__in=("PROVINCE", "PROVINCIAL_DEPT"))
    open_by_project = (
        RedFlag.objects.filter(project=OuterRef("pk"), cleared_on__isnull=True)
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = projects.annotate(open_n=Coalesce(Subquery(open_by_project), Value(0))).values_list(
        "owner_unit__type", "owner_unit_id", "owner_unit__parent_id", "open_n"
    )
    by_unit: dict[int, dict] = defaultdict(lambda: {"projects": 0, "flags": 0})
    # Every province in force the user sees, with none counted yet (the map shades them too).
    provinces = OrgUnit.objects.active_on(on).filter(user_scope(user, ScopeKind.VIEW).q(), type="PROVINCE")
    for pk in provinces.values_list("pk", flat=True):
        by_unit[pk]  # noqa: B018 (the default counts)
    for unit_type, unit_id, parent_id, flags in rows:
        province = unit_id if unit_type == "PROVINCE" else parent_id
        by_unit[province]["projects"] += 1
        by_unit[province]["flags"] += flags
    units = OrgUnit.objects.in_bulk(list(by_unit))
    return {units[pk].code: {"name": units[pk].display_name, **counts} for pk, counts in by_unit.items() if pk in units}


def disbursement_curve(project: Project) -> list[tuple[dt.date, int]]:
    """The project's cumulative disbursement, day by day of payment."""
    points, total = [], 0
    for day, amount in (
        Transaction.objects.filter(project=project, kind=TransactionKind.DISBURSEMENT)
        .values("date")
        .annotate(total=Sum("amount"))
        .order_by("date")
        .values_list("date", "total")
    ):
        total += amount
        points.append((day, total))
    return points


def rule_sets() -> list[FlagRuleSet]:
    """Every version of the red-flag rules, newest first, with its rules."""
    return list(FlagRuleSet.objects.prefetch_related("rules").select_related("created_by").order_by("-version"))
