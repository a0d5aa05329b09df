"""The landing pages' reads: one overview per role, composed from the stored results of the
evaluation, the reports and the alerts (never computed here), each within the user's scope."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q

from giamsat.accounts.choices import Role, ScopeKind
from giamsat.accounts.models import User
from giamsat.accounts.selectors import scope_filter, user_scope_units
from giamsat.alerts.choices import Severity
from giamsat.alerts.models import Alert
from giamsat.alerts.selectors import AlertFilters, alert_counts, alert_summary, alerts_list
from giamsat.catalog.choices import Pillar, TargetScope
from giamsat.catalog.models import DataSet, Indicator, Target
from giamsat.core.dates import today
from giamsat.core.periods import Period as PeriodValue
from giamsat.evaluation import selectors as evaluation
from giamsat.evaluation.choices import Status, Structure
from giamsat.evaluation.models import OVERALL, IndexValue, IndicatorValue
from giamsat.orgunits.choices import OrgUnitType
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting import selectors as reporting
from giamsat.reporting.models import Period

# The targets the ministry set for the sector (../shared/CATALOG.md): a leader's headline cards.
HEADLINE_INDICATORS = (
    "MOBILE_DEAD_ZONES_LEFT",
    "HH_SMART_DEVICE_RATE",
    "HH_FIBER_RATE",
    "MOBILE_2G_ONLY_RATE",
    "FIXED_BB_SPEED_GROWTH",
    "MOBILE_BB_SPEED_GROWTH",
    "DVC_FULL_ONLINE_RATE_MIN",
    "DVC_FULL_ONLINE_RATE_PROV",
    "DE_SHARE_GRDP",
)
# Units counted as "off track" under a headline: the indicator's target applies to them.
COUNTED_TYPES = (OrgUnitType.PROVINCE, OrgUnitType.MINISTRY_IT_UNIT)
TOP_UNITS = 5
# An indicator's latest value counts as "now" for a province if its period ended within this
# window (a yearly figure of last year included).
OFF_TRACK_WINDOW_DAYS = 550
RECENT_ALERTS = 5
MINISTRY_ROLES = {Role.MINISTRY_LEADER, Role.MINISTRY_ANALYST, Role.ADMIN}


def landing_kind(user: User) -> str:
    """Which overview a user lands on: MINISTRY, PROVINCE (a provincial leader) or REPORTER."""
    if user.is_superuser or user.role in MINISTRY_ROLES:
        return "MINISTRY"
    if user.role == Role.PROVINCE_LEADER and landing_unit(user) is not None:
        return "PROVINCE"
    return "REPORTER"


def landing_unit(user: User) -> OrgUnit | None:
    """The unit a provincial user's overview is about: the province their scopes are rooted at."""
    roots = user_scope_units(user)
    for unit in roots[ScopeKind.VIEW] + roots[ScopeKind.CAPTURE]:
        if unit.type == OrgUnitType.PROVINCE:
            return unit
    return None


# --- headline targets ----------------------------------------------------------------------------


@dataclass
class HeadlineCard:
    """One of the ministry's targets: the national value at its latest period, its trend and
    how many of the units the target applies to are off track."""

    indicator: Indicator
    value: IndicatorValue | None
    target: Target | None = None  # the published target: the national one, else each unit's
    trend: list[evaluation.SparkPoint] = field(default_factory=list)
    counted_type: str = ""
    judged: int = 0  # units with a status against the target for the period
    off_track: int = 0
    at_risk: int = 0

    @property
    def status(self) -> str:
        """The national figure's status against its target; where the target is set for each
        province (or ministry) and not for the country, where those units stand: off track when
        most of them are, at risk when some are, on track otherwise."""
        if self.value is None:
            return Status.NO_DATA
        if self.value.status not in (Status.NO_TARGET, Status.NO_DATA) or not self.judged:
            return self.value.status
        if 2 * self.off_track > self.judged:
            return Status.OFF_TRACK
        return Status.AT_RISK if self.off_track or self.at_risk else Status.ON_TRACK

    @property
    def status_of_units(self) -> bool:
        """Whether the status summarises the units rather than judging the national figure."""
        return self.value is not None and self.value.status in (Status.NO_TARGET, Status.NO_DATA) and bool(self.judged)


def headline_cards(codes: tuple[str, ...] = HEADLINE_INDICATORS) -> list[HeadlineCard]:
    """The national figures of the headline indicators (national figures every role may see)
    with their published targets and trends, and the off-track counts among the provinces or
    ministries. Seven queries."""
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes).prefetch_related("data_elements")}
    ordered = [indicators[c] for c in codes if c in indicators]
    country = OrgUnit.objects.filter(type=OrgUnitType.COUNTRY).order_by("code").first()
    by_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    if country is not None and ordered:
        national = IndicatorValue.objects.filter(evaluation.finest_types_q(ordered), org_unit=country)
        latest = dict(
            national.values("indicator_id").annotate(end=Max("period__end_date")).values_list("indicator_id", "end")
        )
        kinds = Q(pk__in=[])
        for indicator in ordered:
            end = latest.get(indicator.pk)
            if end is None:
                continue
            # The sparkline's reach back from the latest figure (however old): its points only.
            since = end - dt.timedelta(days=evaluation.SPARK_SPAN_DAYS[evaluation.finest_type(indicator)])
            kinds |= Q(indicator=indicator, period__end_date__gt=since)
        for row in national.filter(kinds).select_related("period").order_by("indicator_id", "period__end_date"):
            by_indicator[row.indicator_id].append(row)
    targets: dict[int, Target] = {}
    for target in Target.objects.filter(
        Q(scope=TargetScope.NATIONAL) | Q(scope=TargetScope.UNIT_TYPE, unit_type__in=COUNTED_TYPES),
        indicator__in=ordered,
    ).order_by("year"):
        held = targets.get(target.indicator_id)
        if held is None or held.scope != TargetScope.NATIONAL or target.scope == TargetScope.NATIONAL:
            targets[target.indicator_id] = target  # the latest year; a national target first
    cards = []
    for indicator in ordered:
        history = by_indicator.get(indicator.pk, [])
        cards.append(
            HeadlineCard(
                indicator=indicator,
                value=history[-1] if history else None,
                target=targets.get(indicator.pk),
                trend=[
                    evaluation.SparkPoint(r.period.code, r.period.label, r.value)
                    for r in history[-evaluation.SPARK_POINTS :]
                ],
            )
        )
    _count_statuses([c for c in cards if c.value is not None])
    return cards


def _count_statuses(cards: list[HeadlineCard]) -> None:
    """Fill each card's off-track and at-risk counts among the units in force at its period's
    end, of the type that has most values (provinces, or ministries for a ministries' target)."""
    if not cards:
        return
    condition = Q(pk__in=[])
    for card in cards:
        end = card.value.period.end_date
        condition |= Q(indicator_id=card.indicator.pk, period_id=card.value.period_id) & evaluation.unit_in_force_q(
            Structure.PERIOD, end
        )
    counts: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    rows = (
        IndicatorValue.objects.filter(condition, org_unit__type__in=COUNTED_TYPES)
        .values_list("indicator_id", "org_unit__type", "status")
        .annotate(n=Count("pk"))
    )
    for indicator_id, unit_type, status, n in rows:
        counts[indicator_id][unit_type][status] = n
    for card in cards:
        by_type = counts.get(card.indicator.pk)
        if not by_type:
            continue
        judged = {
            unit_type: sum(n for s, n in statuses.items() if s not in (Status.NO_DATA, Status.NO_TARGET))
            for unit_type, statuses in by_type.items()
        }
        # The type the target is judged for (the ministries' dossiers rate has provinces' values
        # too, none of them judged against the ministries' target).
        card.counted_type = max(by_type, key=lambda t: (judged[t], t == OrgUnitType.PROVINCE))
        statuses = by_type[card.counted_type]
        card.off_track = statuses.get(Status.OFF_TRACK, 0)
        card.at_risk = statuses.get(Status.AT_RISK, 0)
        card.judged = judged[card.counted_type]


def map_default(cards: list[HeadlineCard]) -> HeadlineCard | None:
    """The target the ministry's map opens on: the one judged for the most provinces (a map
    with every province coloured), then the one whose provinces differ most (on track, at risk,
    off track side by side), then the catalogue's order."""

    def spread(card: HeadlineCard) -> int:
        on_track = card.judged - card.off_track - card.at_risk
        return sum(1 for n in (card.off_track, card.at_risk, on_track) if n)

    return max(cards, key=lambda c: (c.judged, spread(c)), default=None)


# --- reports of the period -----------------------------------------------------------------------


def reports_due(user: User, *, on: dt.date | None = None) -> list[reporting.ReportsReceived]:
    """Each data set's last closed period: expected, received, on time and late reports, for
    the data sets the user's scope is expected to report."""
    on = on or today()
    periods = {d: PeriodValue.containing(d.period_type, on).previous() for d in DataSet.objects.order_by("code")}
    return [row for row in reporting.reports_received(user, periods) if row.expected]


# --- alerts --------------------------------------------------------------------------------------


@dataclass
class AlertsPanel:
    by_severity: dict[str, int]
    recent: list[tuple[Alert, str]]  # (alert, its one-line summary)

    @property
    def total(self) -> int:
        return sum(self.by_severity.values())

    @property
    def severities(self) -> list[tuple[str, str, int]]:
        """(code, label, active alerts), the most severe first."""
        return [(code, label, self.by_severity.get(code, 0)) for code, label in reversed(Severity.choices)]


def alerts_panel(user: User) -> AlertsPanel:
    """Active alerts by severity and the most pressing few (most severe, newest first)."""
    recent = [(a, alert_summary(a)) for a in alerts_list(user, AlertFilters(state="ACTIVE"))[:RECENT_ALERTS]]
    return AlertsPanel(by_severity=alert_counts(user), recent=recent)


# --- the three overviews -------------------------------------------------------------------------


@dataclass
class IndexOverview:
    period: Period | None
    summary: evaluation.RankingSummary | None = None
    top: list[evaluation.RankingRow] = field(default_factory=list)
    bottom: list[evaluation.RankingRow] = field(default_factory=list)
    ranked: int = 0


def index_overview(user: User, *, unit_type: str = OrgUnitType.PROVINCE) -> IndexOverview:
    """The national and regional medians of the latest index and its best and last units."""
    period = evaluation.latest_index_period()
    if period is None:
        return IndexOverview(None)
    summary = evaluation.ranking_summary(user=user, period=period, unit_type=unit_type, structure=Structure.PERIOD)
    # The ranking page's order and names, but only the ten rows shown (no pillar columns).
    ranked_rows = scope_filter(
        IndexValue.objects.filter(period=period, pillar=OVERALL, org_unit__type=unit_type, rank_period__isnull=False),
        user,
        unit_field="org_unit",
    ).select_related("org_unit__parent")
    ranked = ranked_rows.count()
    first = list(ranked_rows.order_by("rank_period", "org_unit__code")[:TOP_UNITS])
    last = list(ranked_rows.order_by("-rank_period", "-org_unit__code")[: max(0, min(TOP_UNITS, ranked - TOP_UNITS))])
    rows = [
        evaluation.RankingRow(r.org_unit, r.value, *evaluation.rank_of(r, Structure.PERIOD), {}, index=r)
        for r in first + last[::-1]
    ]
    evaluation.ranking_labels(rows, structure=Structure.PERIOD, end=period.end_date)
    return IndexOverview(period, summary, rows[: len(first)], rows[len(first) :], ranked)


@dataclass
class PlansCard:
    """The units' plans of the year in two figures: overdue tasks and the on-time rate."""

    year: int
    units: int
    overdue: int
    on_time_rate: float | None


def plans_card(user: User) -> PlansCard:
    """Every visible unit's plan of this year, summed (two queries)."""
    from giamsat.plans.selectors import plans_overview
    from giamsat.tracking.choices import WorkStatus

    on = today()
    rows = plans_overview(user=user, year=on.year, today=on)
    on_time = sum(r.counts.get(WorkStatus.DONE_ON_TIME, 0) for r in rows)
    due = sum(r.due for r in rows)
    return PlansCard(
        year=on.year,
        units=len(rows),
        overdue=sum(r.overdue for r in rows),
        on_time_rate=round(on_time * 100 / due, 1) if due else None,
    )


@dataclass
class ProjectsCard:
    """The visible investment projects: how many, the flagged ones and this year's disbursement."""

    year: int
    projects: int
    flagged: int
    flags_by_code: list[tuple[str, str, int]]  # (code, label, open flags), most first
    rate: float | None


def projects_card(user: User) -> ProjectsCard | None:
    """None when the user sees no project."""
    from giamsat.projects.choices import FlagCode
    from giamsat.projects.selectors import PortfolioFilters, open_flags_by_code, portfolio, portfolio_totals

    on = today()
    projects = portfolio(user, PortfolioFilters(), year=on.year)
    totals = portfolio_totals(projects, year=on.year)
    if not totals["projects"]:
        return None
    by_code = open_flags_by_code(projects)
    return ProjectsCard(
        year=on.year,
        projects=totals["projects"],
        flagged=projects.filter(open_flags__gt=0).count(),
        flags_by_code=sorted(
            ((code, str(FlagCode(code).label), n) for code, n in by_code.items() if n), key=lambda row: -row[2]
        ),
        rate=totals["rate"],
    )


def my_tasks(user: User) -> list:
    """The open plan tasks of the user's own units, most urgent first."""
    from giamsat.plans.selectors import my_tasks as plan_tasks

    return plan_tasks(user=user, today=today())


@dataclass
class MinistryOverview:
    headlines: list[HeadlineCard]
    index: IndexOverview
    reports: list[reporting.ReportsReceived]
    alerts: AlertsPanel
    plans: PlansCard | None = None
    projects: ProjectsCard | None = None


def ministry_overview(user: User) -> MinistryOverview:
    return MinistryOverview(
        headlines=headline_cards(),
        index=index_overview(user),
        reports=reports_due(user),
        alerts=alerts_panel(user),
        plans=plans_card(user),
        projects=projects_card(user),
    )


@dataclass
class PillarStanding:
    code: str
    label: str
    value: float | None
    national: float | None
    region: float | None


@dataclass
class ProvinceOverview:
    unit: OrgUnit
    period: Period | None
    overall: IndexValue | None  # the unit's index for the period
    rank: int | None
    previous_rank: int | None
    peers: int | None
    comparison: evaluation.UnitComparison | None
    pillars: list[PillarStanding]
    off_track: list[evaluation.LatestStatus]
    reports: list[reporting.ReportsReceived]
    alerts: AlertsPanel
    tasks: list = field(default_factory=list)
    projects: ProjectsCard | None = None


def province_overview(user: User, unit: OrgUnit) -> ProvinceOverview:
    """A province against the national and regional medians: its index, rank and pillars, the
    indicators it is off track on at their latest period, its reports of the period and its
    alerts."""
    period = evaluation.latest_index_period(unit=unit)
    index = evaluation.unit_index(unit=unit, period=period) if period else {}
    overall = index.get(OVERALL)
    rank, previous, peers = evaluation.rank_of(overall, Structure.PERIOD)
    comparison = (
        evaluation.unit_comparison(user=user, unit=unit, period=period, structure=Structure.PERIOD, value=overall.value)
        if overall is not None
        else None
    )
    pillars = [
        PillarStanding(
            code,
            str(label),
            index[code].value,
            _median(comparison.national if comparison else None, code),
            _median(comparison.region if comparison else None, code),
        )
        for code, label in Pillar.choices
        if code in index
    ]
    return ProvinceOverview(
        unit=unit,
        period=period,
        overall=overall,
        rank=rank,
        previous_rank=previous,
        peers=peers,
        comparison=comparison,
        pillars=pillars,
        off_track=evaluation.unit_latest_statuses(
            unit=unit, statuses={Status.OFF_TRACK}, since=today() - dt.timedelta(days=OFF_TRACK_WINDOW_DAYS)
        ),
        reports=reports_due(user),
        alerts=alerts_panel(user),
        tasks=my_tasks(user),
        projects=projects_card(user),
    )


def _median(group: evaluation.GroupSummary | None, pillar: str) -> float | None:
    return group.median.get(pillar) if group is not None else None


@dataclass
class ReporterOverview:
    lists: reporting.ReporterLists
    alerts: AlertsPanel
    tasks: list = field(default_factory=list)
    projects: ProjectsCard | None = None


def reporter_overview(user: User) -> ReporterOverview:
    """What a reporter must do: reports due, overdue and returned, its units' alerts and its
    units' open plan tasks."""
    return ReporterOverview(lists=reporting.reporter_lists(user), alerts=alerts_panel(user), tasks=my_tasks(user))
