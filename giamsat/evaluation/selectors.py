"""Evaluation reads for pages and the API: scorecards, rankings, an indicator across units and
the explanation of one value. Everything here reads stored results (never computes them) in
a fixed number of queries, whatever the number of indicators or units.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from giamsat.accounts.models import User
from giamsat.accounts.selectors import scope_filter, user_scope
from giamsat.catalog.choices import Pillar
from giamsat.catalog.engine.expressions import compile_expression
from giamsat.catalog.models import DataElement, Indicator
from giamsat.core.periods import Period as PeriodValue
from giamsat.core.periods import PeriodType
from giamsat.orgunits.models import OrgUnit, OrgUnitGroupMembership, OrgUnitLineage
from giamsat.reporting.models import DataValue, Period

from .choices import Basis, ReportsState, Structure
from .models import (
    OVERALL,
    ElementFigure,
    GroupIndicatorValue,
    IndexMethodology,
    IndexValue,
    IndicatorValue,
    channel_bit,
)

RANKS = {PeriodType.WEEKLY: 0, PeriodType.MONTHLY: 1, PeriodType.QUARTERLY: 2, PeriodType.YEARLY: 3}
SPARK_POINTS = 24
# How far back a sparkline reaches for each period type (24 points; at most 12 years).
SPARK_SPAN_DAYS = {
    PeriodType.WEEKLY: 7 * SPARK_POINTS,
    PeriodType.MONTHLY: 31 * SPARK_POINTS,
    PeriodType.QUARTERLY: 92 * SPARK_POINTS,
    PeriodType.YEARLY: 366 * 12,
}
INDEX_PERIOD_TYPES = (PeriodType.MONTHLY, PeriodType.YEARLY)


# --- periods -----------------------------------------------------------------------------------


def finest_type(indicator: Indicator) -> str:
    """The finest period type of an indicator's inputs (prefetch `data_elements` to save queries)."""
    types = {e.period_type for e in indicator.data_elements.all()}
    return min(types, key=lambda t: RANKS.get(t, 3)) if types else PeriodType.YEARLY


def as_of(kind: str, period: PeriodValue) -> PeriodValue:
    """The period of type `kind` an indicator is shown at for `period`: the period itself when
    `kind` is as fine or finer (its figures are rolled up), else the latest `kind` period that
    had ended by the end of `period` (the index's rule: the latest completed period)."""
    if RANKS.get(kind, 3) <= RANKS[period.type]:
        return period
    container = PeriodValue.containing(kind, period.end)
    return container if container.end <= period.end else container.previous()


def _with_index(unit: OrgUnit | None) -> QuerySet:
    """Periods that have an overall index (for a unit if given): one index probe per period
    (there are a few dozen), not a scan of every stored index row."""
    rows = IndexValue.objects.filter(period=OuterRef("pk"), pillar=OVERALL)
    if unit is not None:
        rows = rows.filter(org_unit=unit)
    return Period.objects.filter(Exists(rows))


def index_periods(*, unit: OrgUnit | None = None) -> list[Period]:
    """Periods (months and years) that have an overall index, newest first; for one unit if given."""
    return list(_with_index(unit).order_by("-end_date", "-period_type"))


def latest_index_period(*, unit: OrgUnit | None = None) -> Period | None:
    """The latest month with an overall index (for a unit if given), else the latest year."""
    periods = _with_index(unit).order_by("-end_date")
    return periods.filter(period_type=PeriodType.MONTHLY).first() or periods.first()


def stored_period(value: PeriodValue) -> Period | None:
    """The stored period row for a period value (None when nothing was ever stored for it)."""
    return Period.objects.filter(code=value.code).first()


# --- the scorecard of one unit -------------------------------------------------------------------


@dataclass
class SparkPoint:
    code: str
    label: str
    value: float


@dataclass
class ScorecardRow:
    """One indicator on a unit's scorecard: the value at its as-of period and its recent trend."""

    indicator: Indicator
    period_code: str
    period_label: str
    value: IndicatorValue | None
    trend: list[SparkPoint] = field(default_factory=list)
    # The index's stand-in where the unit has not reported the as-of period: its latest value
    # within the methodology's carry window (monthly and quarterly index only).
    carried: IndicatorValue | None = None

    @property
    def input_state(self) -> str:
        """How this indicator enters the unit's index: REPORTED, CARRIED or MISSING."""
        if self.value is not None:
            return "REPORTED"
        return "CARRIED" if self.carried is not None else "MISSING"


@dataclass
class PillarBlock:
    code: str
    label: str
    index: IndexValue | None
    rows: list[ScorecardRow]


@dataclass
class Scorecard:
    unit: OrgUnit
    period: Period
    structure: str
    overall: IndexValue | None
    pillars: list[PillarBlock]

    @property
    def indicator_count(self) -> int:
        return sum(len(p.rows) for p in self.pillars)


def rank_of(row: IndexValue | None, structure: str) -> tuple[int | None, int | None, int | None]:
    """(rank, previous rank, number of peers) of an index row in the chosen structure."""
    if row is None:
        return None, None, None
    if structure == Structure.CURRENT:
        return row.rank_current, row.previous_rank_current, row.peers_current
    return row.rank_period, row.previous_rank_period, row.peers_period


def _earlier(period: PeriodValue, count: int) -> list[PeriodValue]:
    found = []
    for _ in range(count):
        period = period.previous()
        found.append(period)
    return found


def indicators_with_inputs() -> list[Indicator]:
    """Every indicator with its data elements (two queries)."""
    return list(Indicator.objects.prefetch_related("data_elements").order_by("pillar", "code"))


def scorecard_get(*, unit: OrgUnit, period: Period, structure: str = Structure.PERIOD) -> Scorecard:
    """A unit's indicators at `period` (each at its latest completed period of its own type),
    with a trend of up to 24 periods, grouped by pillar with the pillar values and the index.
    Five queries, however many indicators the unit has."""
    value = period.value
    indicators = indicators_with_inputs()
    kinds = {i.pk: finest_type(i) for i in indicators}
    shown = {i.pk: as_of(kinds[i.pk], value) for i in indicators}

    # One query for all the trends: each indicator's finest type over its recent window.
    windows: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    for indicator in indicators:
        end = shown[indicator.pk].end
        kind = shown[indicator.pk].type
        windows[(kind, end)].append(indicator.pk)
    condition = Q(pk__in=[])
    for (kind, end), ids in windows.items():
        condition |= Q(
            indicator_id__in=ids,
            period__period_type=kind,
            period__end_date__lte=end,
            period__end_date__gt=end - dt.timedelta(days=SPARK_SPAN_DAYS[kind]),
        )
    rows = (
        IndicatorValue.objects.filter(condition, org_unit=unit)
        .select_related("period")
        .order_by("indicator_id", "period__end_date")
    )
    by_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    for row in rows:
        by_indicator[row.indicator_id].append(row)

    index_rows = {r.pillar: r for r in IndexValue.objects.filter(org_unit=unit, period=period)}
    methodology = methodology_in_force(period.end_date)
    carry = 0 if period.period_type == PeriodType.YEARLY or methodology is None else methodology.carry_periods
    labels = dict(Pillar.choices)
    blocks: dict[str, PillarBlock] = {}
    for indicator in indicators:
        history = by_indicator.get(indicator.pk)
        if not history:
            continue  # the indicator does not apply to this unit (or it never had data)
        current = shown[indicator.pk]
        block = blocks.setdefault(
            indicator.pillar,
            PillarBlock(indicator.pillar, str(labels.get(indicator.pillar, indicator.pillar)), None, []),
        )
        block.index = index_rows.get(indicator.pillar)
        last = history[-1] if history[-1].period.code == current.code else None
        carried = None
        if last is None and carry:
            window = {p.code for p in _earlier(current, carry)}
            carried = next((r for r in reversed(history) if r.period.code in window), None)
        block.rows.append(
            ScorecardRow(
                indicator=indicator,
                period_code=current.code,
                period_label=current.label,
                value=last,
                trend=[SparkPoint(r.period.code, r.period.label, r.value) for r in history[-SPARK_POINTS:]],
                carried=carried,
            )
        )
    order = list(labels)
    pillars = sorted(blocks.values(), key=lambda b: order.index(b.code) if b.code in order else len(order))
    return Scorecard(unit=unit, period=period, structure=structure, overall=index_rows.get(OVERALL), pillars=pillars)


# --- rankings ----------------------------------------------------------------------------------


@dataclass
class RankingRow:
    unit: OrgUnit
    value: float
    rank: int | None
    previous_rank: int | None
    peers: int | None
    pillars: dict[str, float]
    index: IndexValue | None = None  # the stored row: completeness, carried inputs, report state

    @property
    def change(self) -> int | None:
        """Places gained since the previous period (positive: moved up)."""
        if self.rank is None or self.previous_rank is None:
            return None
        return self.previous_rank - self.rank


class RankedUnits(Sequence):
    """A ranking's rows, best first, read from the database a window at a time: a page of 100
    among 3,321 communes costs two small queries, not all 33,000 index rows."""

    def __init__(self, ranked: QuerySet, base: QuerySet, structure: str) -> None:
        self._ranked = ranked.select_related("org_unit").order_by(_rank_field(structure), "org_unit__code")
        self._base = base
        self._structure = structure
        self._count: int | None = None

    def __len__(self) -> int:
        if self._count is None:
            self._count = self._ranked.count()
        return self._count

    def __iter__(self):
        return iter(self[0 : len(self)])

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        rows = [
            RankingRow(row.org_unit, row.value, *rank_of(row, self._structure), {}, row) for row in self._ranked[index]
        ]
        by_unit = {row.unit.pk: row for row in rows}
        pillars = self._base.filter(
            org_unit_id__in=list(by_unit), **{f"{_rank_field(self._structure)}__isnull": False}
        ).values_list("org_unit_id", "pillar", "value")
        for unit_id, pillar, value in pillars:
            by_unit[unit_id].pillars[pillar] = value
        return rows


@dataclass
class Ranking:
    period: Period
    pillar: str
    unit_type: str
    structure: str
    rows: RankedUnits
    unit_types: list[str]


def _rank_field(structure: str) -> str:
    return "rank_current" if structure == Structure.CURRENT else "rank_period"


def complete_and_accepted_q() -> Q:
    """Index rows whose every input was reported for the period, in reports the ministry accepted."""
    return Q(inputs_reported=F("inputs_expected"), inputs_carried=0, reports_state=ReportsState.ACCEPTED)


def ranking_get(
    *, user: User, period: Period, pillar: str, unit_type: str, structure: str, complete_only: bool = False
) -> Ranking:
    """Units of a type ranked on a pillar (or the overall index) for a period, in the period's
    structure (units in force at its end) or today's; only the units in the user's view scope,
    and with `complete_only` only those whose data are complete and accepted (their ranks stay
    those among all peers). One query, then two per window of rows read (see RankedUnits)."""
    rank_field = _rank_field(structure)
    base = scope_filter(IndexValue.objects.filter(period=period), user, unit_field="org_unit")
    unit_types = sorted(set(base.filter(pillar=OVERALL).values_list("org_unit__type", flat=True).distinct()))
    of_type = base.filter(org_unit__type=unit_type, **{f"{rank_field}__isnull": False})
    if complete_only:
        of_type = of_type.filter(complete_and_accepted_q())
    return Ranking(
        period=period,
        pillar=pillar,
        unit_type=unit_type,
        structure=structure,
        rows=RankedUnits(of_type.filter(pillar=pillar), base, structure),
        unit_types=unit_types,
    )


def methodology_in_force(day: dt.date) -> IndexMethodology | None:
    """The index methodology (weights and missing-data policy) in force on a day."""
    return (
        IndexMethodology.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .order_by("-valid_from")
        .first()
    )


def pillar_columns(rows: list[RankingRow]) -> list[str]:
    """The pillars the rows have values for, in the methodology's order (a ranking's columns)."""
    order = list(dict(Pillar.choices))
    present = {p for row in rows for p in row.pillars if p != OVERALL}
    return sorted(present, key=lambda p: order.index(p) if p in order else len(order))


# --- one indicator across units ----------------------------------------------------------------


def unit_in_force_q(structure: str, day: dt.date, unit_field: str = "org_unit") -> Q:
    """Units in force on `day` (the period's end) or, for today's structure, today."""
    if structure == Structure.CURRENT:
        day = timezone.localdate()
    return (Q(**{f"{unit_field}__valid_from__isnull": True}) | Q(**{f"{unit_field}__valid_from__lte": day})) & (
        Q(**{f"{unit_field}__valid_to__isnull": True}) | Q(**{f"{unit_field}__valid_to__gte": day})
    )


def indicator_latest_period(indicator: Indicator) -> Period | None:
    """The latest period of the indicator's finest type with a stored value."""
    row = (
        IndicatorValue.objects.filter(indicator=indicator, period__period_type=finest_type(indicator))
        .select_related("period")
        .order_by("-period__end_date")
        .first()
    )
    return row.period if row else None


def indicator_unit_types(*, user: User, indicator: Indicator, period: Period) -> list[str]:
    """The unit types with values of the indicator for the period, in the user's scope."""
    rows = scope_filter(
        IndicatorValue.objects.filter(indicator=indicator, period=period), user, unit_field="org_unit"
    ).values_list("org_unit__type", flat=True)
    return sorted(set(rows.distinct()))


def indicator_values(
    *, user: User, indicator: Indicator, period: Period, unit_type: str | None, structure: str
) -> list[IndicatorValue]:
    """The indicator's values for a period, for the units of a type in the user's scope that
    are in force in the chosen structure, best first. One query."""
    rows = IndicatorValue.objects.filter(indicator=indicator, period=period).filter(
        unit_in_force_q(structure, period.end_date)
    )
    if unit_type:
        rows = rows.filter(org_unit__type=unit_type)
    rows = scope_filter(rows, user, unit_field="org_unit").select_related("org_unit", "period")
    descending = indicator.direction != "LOWER_IS_BETTER"
    return sorted(rows, key=lambda r: (-r.value if descending else r.value, r.org_unit.code))


def indicator_values_query(
    *, user: User, indicator: Indicator | None, unit: OrgUnit | None, period: Period | None
) -> QuerySet[IndicatorValue]:
    """Stored indicator values for the API, filtered and scoped, newest period first."""
    rows = IndicatorValue.objects.all()
    if indicator is not None:
        rows = rows.filter(indicator=indicator)
    if unit is not None:
        rows = rows.filter(org_unit=unit)
    if period is not None:
        rows = rows.filter(period=period)
    rows = scope_filter(rows, user, unit_field="org_unit")
    return rows.select_related("indicator", "org_unit", "period").order_by("-period__end_date", "indicator__code")


# --- the explanation of one value --------------------------------------------------------------


@dataclass
class Part:
    """A former unit's share of a figure made through restructuring."""

    unit: OrgUnit
    value: float
    as_of: PeriodValue | None  # for a stock: the period of the former unit's latest figure within the period


@dataclass
class Input:
    element: DataElement
    period_code: str
    period_label: str
    figure: ElementFigure | None
    parts: list[Part] = field(default_factory=list)


@dataclass
class PeerRange:
    """The lowest and the highest value among the peers (same indicator, period, type, level)."""

    low: float | None
    high: float | None
    count: int
    visible: bool  # the user may see every peer, so the range reveals nothing they cannot see


@dataclass
class Explanation:
    indicator: Indicator
    unit: OrgUnit
    period: PeriodValue
    value: IndicatorValue | None
    inputs: list[Input]
    peers: PeerRange | None
    index: IndexValue | None = None  # the unit's index for the period: completeness, report state

    @property
    def higher_is_better(self) -> bool:
        return self.indicator.direction != "LOWER_IS_BETTER"


def explanation_get(*, user: User, indicator: Indicator, unit: OrgUnit, period: PeriodValue) -> Explanation:
    """Why an indicator has its value, status and score for a unit and period: its inputs (each
    at the period, or at the containing coarser period for a coarser input) with their basis,
    the stored target path, and the peers' range. Reads stored rows only (a unit's own figures
    are its reported values); eight queries at most."""
    text = indicator.expression
    references = sorted(compile_expression(text).references, key=lambda code: text.find("#{" + code + "}"))
    elements = {e.code: e for e in DataElement.objects.filter(code__in=references)}
    wanted: dict[str, PeriodValue] = {}
    carried: dict[str, PeriodValue] = {}  # last year's figure stands in until this year's is reported
    for code, element in elements.items():
        kind = element.period_type
        wanted[code] = PeriodValue.containing(kind, period.start) if RANKS.get(kind, 0) > RANKS[period.type] else period
        if kind == PeriodType.YEARLY and RANKS[period.type] < RANKS[kind]:
            carried[code] = wanted[code].previous()
    value = IndicatorValue.objects.filter(indicator=indicator, org_unit=unit, period__code=period.code).first()
    figures = {
        (f.data_element_id, f.period.code): f
        for f in ElementFigure.objects.filter(
            org_unit=unit,
            data_element__in=list(elements.values()),
            period__code__in={p.code for p in [*wanted.values(), *carried.values()]},
        ).select_related("period")
    }
    # A unit's own reported value is not stored again as a figure: it is the figure.
    for dv in DataValue.objects.filter(
        org_unit=unit,
        data_element__in=list(elements.values()),
        period__code__in={p.code for p in [*wanted.values(), *carried.values()]},
        value__isnull=False,
    ).select_related("period"):
        figures.setdefault(
            (dv.data_element_id, dv.period.code),
            ElementFigure(
                data_element_id=dv.data_element_id,
                org_unit=unit,
                period=dv.period,
                value=float(dv.value),
                basis=Basis.REPORTED,
                channels=channel_bit(dv.channel),
            ),
        )
    for code, older in carried.items():
        if (elements[code].pk, wanted[code].code) not in figures and (elements[code].pk, older.code) in figures:
            wanted[code] = older
    inputs = [
        Input(
            elements[code], wanted[code].code, wanted[code].label, figures.get((elements[code].pk, wanted[code].code))
        )
        for code in references
        if code in elements
    ]
    _lineage_parts(unit, [i for i in inputs if i.figure is not None and i.figure.basis == Basis.LINEAGE])
    peers = None
    if value is not None:
        # Peers as the engine scores them: same type and level, in the same structure (the 63
        # provinces in force at the period's end, or the 34 shown over a period before they began).
        end = period.end
        in_force = Q(org_unit__valid_from__isnull=True) | Q(org_unit__valid_from__lte=end)
        in_force &= Q(org_unit__valid_to__isnull=True) | Q(org_unit__valid_to__gte=end)
        unit_in_force = (unit.valid_from is None or unit.valid_from <= end) and (
            unit.valid_to is None or unit.valid_to >= end
        )
        peer_rows = IndicatorValue.objects.filter(
            indicator=indicator, period_id=value.period_id, org_unit__type=unit.type, org_unit__level=unit.level
        ).filter(in_force if unit_in_force else ~in_force)
        scope = user_scope(user)
        seen = {} if scope.everything else {"seen": Count("pk", filter=scope.q("org_unit"))}
        stats = peer_rows.aggregate(low=Min("value"), high=Max("value"), count=Count("pk"), **seen)
        visible = scope.everything or stats["seen"] == stats["count"]
        peers = PeerRange(stats["low"], stats["high"], stats["count"], visible)
    index = IndexValue.objects.filter(org_unit=unit, period__code=period.code, pillar=OVERALL).first()
    return Explanation(
        indicator=indicator, unit=unit, period=period, value=value, inputs=inputs, peers=peers, index=index
    )


STOCKS = {"SUM_LAST", "LAST"}


def _lineage_parts(unit: OrgUnit, inputs: list[Input]) -> None:
    """Each former unit's figure behind a figure made through restructuring (Đà Nẵng over 2024:
    the former Đà Nẵng's and Quảng Nam's), and for a stock the period it dates from (a former
    province that last reported in November counts with November's figure). Three queries."""
    if not inputs:
        return
    former = [link.predecessor for link in OrgUnitLineage.objects.filter(successor=unit).select_related("predecessor")]
    if not former:
        return
    periods = [PeriodValue.parse(i.period_code) for i in inputs]
    window = {
        "period__start_date__gte": min(p.start for p in periods),
        "period__end_date__lte": max(p.end for p in periods),
    }
    elements = [i.element.pk for i in inputs]
    found: dict[tuple[int, int], list[tuple[PeriodValue, float]]] = defaultdict(list)
    for element_id, unit_id, code, number in ElementFigure.objects.filter(
        org_unit__in=former, data_element_id__in=elements, **window
    ).values_list("data_element_id", "org_unit_id", "period__code", "value"):
        found[(element_id, unit_id)].append((PeriodValue.parse(code), number))
    for element_id, unit_id, code, number in DataValue.objects.filter(
        org_unit__in=former, data_element_id__in=elements, value__isnull=False, **window
    ).values_list("data_element_id", "org_unit_id", "period__code", "value"):
        found[(element_id, unit_id)].append((PeriodValue.parse(code), float(number)))
    for item, period in zip(inputs, periods, strict=True):
        for predecessor in former:
            rows = [
                (p, v)
                for p, v in found.get((item.element.pk, predecessor.pk), [])
                if period.start <= p.start and p.end <= period.end
            ]
            whole = next((v for p, v in rows if p.code == period.code), None)
            if whole is None:
                continue
            as_of = None
            if item.element.aggregation in STOCKS:
                native = item.element.period_type
                finer = sorted((p for p, _v in rows if p.type == native and p.code != period.code), key=lambda p: p.end)
                as_of = finer[-1] if finer else None
            item.parts.append(Part(predecessor, whole, as_of))


def group_values(*, user: User, indicator: Indicator, period: Period) -> list[GroupIndicatorValue]:
    """The indicator for every group of units (regions, centrally-run cities, all provinces) in
    the period, best first. A group's figure pools its members' data, so a user gets only the
    groups whose every member lies in their view scope. Two queries."""
    scope = user_scope(user)
    rows = GroupIndicatorValue.objects.filter(indicator=indicator, period=period).select_related(
        "group", "group__group_set", "period"
    )
    if not scope.everything:
        hidden = {
            group_id
            for group_id, path in OrgUnitGroupMembership.objects.values_list("group_id", "org_unit__path")
            if not any(path.startswith(p) for p in scope.paths)
        }
        rows = [r for r in rows if r.group_id not in hidden]
    descending = indicator.direction != "LOWER_IS_BETTER"
    return sorted(
        rows, key=lambda r: (r.group.group_set.code if r.group.group_set else "", -r.value if descending else r.value)
    )
