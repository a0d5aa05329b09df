"""Evaluation reads for pages and the API: scorecards, rankings, an indicator across units and
the explanation of one value. Everything here reads stored results (never computes them) in
a fixed number of queries, whatever the number of indicators or units.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from giamsat.accounts.models import User
from giamsat.accounts.selectors import scope_filter, user_scope
from giamsat.catalog.choices import Pillar
from giamsat.catalog.engine.expressions import compile_expression
from giamsat.catalog.models import DataElement, Indicator
from giamsat.core.periods import Period as PeriodValue
from giamsat.core.periods import PeriodType
from giamsat.orgunits.models import OrgUnit, OrgUnitGroup, OrgUnitGroupMembership, OrgUnitLineage
from giamsat.orgunits.reference import STRUCTURE_34_FROM
from giamsat.orgunits.selectors import orgunit_built_from, orgunit_labels, orgunit_region_of, predecessor_names
from giamsat.reporting.models import DataValue, Period

from .choices import Basis, ReportsState, Structure
from .models import (
    OVERALL,
    ElementFigure,
    GroupIndicatorValue,
    IndexMethodology,
    IndexValue,
    IndicatorValue,
    PillarWeight,
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
INDEX_PERIOD_TYPES = (PeriodType.MONTHLY, PeriodType.QUARTERLY, PeriodType.YEARLY)


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


def _with_index(unit: OrgUnit | None, *, reported: bool = False) -> QuerySet:
    """Periods that have an overall index (for a unit if given), with `reported` only those
    where some of it was reported, not all carried: one index probe per period (there are a
    few dozen), not a scan of every stored index row."""
    rows = IndexValue.objects.filter(period=OuterRef("pk"), pillar=OVERALL)
    if unit is not None:
        rows = rows.filter(org_unit=unit)
    if reported:
        rows = rows.filter(inputs_reported__gt=0)
    return Period.objects.filter(Exists(rows))


def index_periods(*, unit: OrgUnit | None = None) -> list[Period]:
    """Periods (months, quarters and years) that have an overall index, newest first; for one
    unit if given."""
    return list(_with_index(unit).order_by("-end_date", "-period_type"))


def index_period_choices(
    *, unit: OrgUnit | None = None, periods: list[Period] | None = None
) -> list[tuple[str, list[Period]]]:
    """The periods with an overall index (or those given) grouped for a picker, newest first in
    each group: [("Tháng", [...]), ("Quý", [...]), ("Năm", [...])]; empty groups are left out."""
    labels = {PeriodType.MONTHLY: _("Months"), PeriodType.QUARTERLY: _("Quarters"), PeriodType.YEARLY: _("Years")}
    if periods is None:
        periods = index_periods(unit=unit)
    groups = [(str(label), [p for p in periods if p.period_type == kind]) for kind, label in labels.items()]
    return [(label, group) for label, group in groups if group]


def latest_index_period(*, unit: OrgUnit | None = None) -> Period | None:
    """The latest month with an overall index (for a unit if given), else the latest year.
    A month whose index is carried only (the month under way, before anyone has reported it)
    is not the latest: the pages open on the last month with reported figures."""
    for reported in (True, False):
        periods = _with_index(unit, reported=reported).order_by("-end_date")
        found = periods.filter(period_type=PeriodType.MONTHLY).first() or periods.first()
        if found is not None:
            return found
    return None


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

    index_rows = unit_index(unit=unit, period=period)
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
            window = {p.code for p in current.earlier(carry)}
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


def finest_types_q(indicators: list[Indicator]) -> Q:
    """Rows of each indicator at its finest period type: one clause per type, not per indicator."""
    by_type: dict[str, list[int]] = defaultdict(list)
    for indicator in indicators:
        by_type[finest_type(indicator)].append(indicator.pk)
    condition = Q(pk__in=[])
    for kind, ids in sorted(by_type.items()):
        condition |= Q(indicator_id__in=ids, period__period_type=kind)
    return condition


@dataclass
class LatestStatus:
    """An indicator's latest stored value for a unit (of its finest period type) and its trend."""

    indicator: Indicator
    value: IndicatorValue
    trend: list[SparkPoint]


def unit_latest_statuses(*, unit: OrgUnit, statuses: set[str], since: dt.date) -> list[LatestStatus]:
    """The indicators whose latest value for the unit (ending on or after `since`, each of its
    finest type) has one of `statuses`: what a province is off track on now, whatever period
    each indicator is reported for. Four queries; the window is read as plain tuples and only
    the rows found are read whole."""
    indicators = indicators_with_inputs()
    history: dict[int, list[tuple]] = defaultdict(list)
    for row in (
        IndicatorValue.objects.filter(finest_types_q(indicators), org_unit=unit, period__end_date__gte=since)
        .order_by("indicator_id", "period__end_date")
        .values_list("indicator_id", "pk", "status", "value", "period__code")
    ):
        history[row[0]].append(row)
    latest = {rows[-1][1]: indicator_id for indicator_id, rows in history.items() if rows[-1][2] in statuses}
    found = {
        row.indicator_id: row for row in IndicatorValue.objects.filter(pk__in=list(latest)).select_related("period")
    }
    return [
        LatestStatus(
            indicator,
            found[indicator.pk],
            [
                SparkPoint(code, PeriodValue.parse(code).label, value)
                for _i, _pk, _status, value, code in history[indicator.pk][-SPARK_POINTS:]
            ],
        )
        for indicator in indicators
        if indicator.pk in found
    ]


def unit_index(*, unit: OrgUnit, period: Period) -> dict[str, IndexValue]:
    """A unit's stored index for a period: the overall value and each pillar's, by pillar."""
    return {row.pillar: row for row in IndexValue.objects.filter(org_unit=unit, period=period)}


# --- rankings ----------------------------------------------------------------------------------


@dataclass
class RankingRow:
    unit: OrgUnit
    value: float
    rank: int | None
    previous_rank: int | None
    peers: int | None
    pillars: dict[str, float]
    label: str = ""  # the unit's name as shown: its ministry, or what it is built from (ranking_labels)
    restructured: bool = False  # its 63 / 34 explanation exists (structure_explanation_get)
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

    def __init__(
        self,
        ranked: QuerySet,
        base: QuerySet,
        structure: str,
        end: dt.date | None = None,
        official: dict[int, tuple[int, int]] | None = None,
    ) -> None:
        self._ranked = ranked.select_related("org_unit__parent").order_by(_rank_field(structure), "org_unit__code")
        self._base = base
        self._structure = structure
        self._official = official  # unit id -> (rank, peers) among the complete, accepted units
        self._end = end  # the period's end: names say what a unit is built from then
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
            RankingRow(row.org_unit, row.value, *rank_of(row, self._structure), {}, index=row)
            for row in self._ranked[index]
        ]
        if self._official is not None:
            for row in rows:
                row.rank, row.peers = self._official.get(row.unit.pk, (None, None))
                row.previous_rank = None
        by_unit = {row.unit.pk: row for row in rows}
        pillars = self._base.filter(
            org_unit_id__in=list(by_unit), **{f"{_rank_field(self._structure)}__isnull": False}
        ).values_list("org_unit_id", "pillar", "value")
        for unit_id, pillar, value in pillars:
            by_unit[unit_id].pillars[pillar] = value
        if self._end is not None:
            ranking_labels(rows, structure=self._structure, end=self._end)
        return rows


def ranking_labels(rows: list[RankingRow], *, structure: str, end: dt.date) -> None:
    """Fill each row's label and whether it has a 63 / 34 explanation: in today's structure over
    a period before a unit existed, it is built from its predecessors ("Thành phố Đà Nẵng
    (Đà Nẵng cũ + Quảng Nam)"); in the period's structure, a unit restructured since has one
    through its successor. One query per lineage step."""
    units = [row.unit for row in rows]
    current = structure == Structure.CURRENT
    labels = orgunit_labels(units, on=end if current else None)
    built = orgunit_built_from(units, on=end) if current else {}
    today = timezone.localdate()
    for row in rows:
        row.label = labels[row.unit.pk]
        if current:
            row.restructured = row.unit.pk in built
        else:
            row.restructured = row.unit.valid_to is not None and end <= row.unit.valid_to < today


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
    and with `complete_only` the official ranking: only the units whose data are complete and
    accepted, ranked among themselves (official_ranks). One query, then two per window of rows
    read (see RankedUnits)."""
    rank_field = _rank_field(structure)
    base = scope_filter(IndexValue.objects.filter(period=period), user, unit_field="org_unit")
    unit_types = sorted(set(base.filter(pillar=OVERALL).values_list("org_unit__type", flat=True).distinct()))
    of_type = base.filter(org_unit__type=unit_type, **{f"{rank_field}__isnull": False})
    official = None
    if complete_only:
        of_type = of_type.filter(complete_and_accepted_q())
        official = official_ranks(period=period, pillar=pillar, unit_type=unit_type, structure=structure)
    return Ranking(
        period=period,
        pillar=pillar,
        unit_type=unit_type,
        structure=structure,
        rows=RankedUnits(of_type.filter(pillar=pillar), base, structure, period.end_date, official),
        unit_types=unit_types,
    )


def official_ranks(*, period: Period, pillar: str, unit_type: str, structure: str) -> dict[int, tuple[int, int]]:
    """The official ranking: ranks among the units whose data for the period are complete and
    accepted by the ministry only (every such unit, whoever asks: a rank does not depend on
    the viewer), with the index's rounding and competition ranking (1, 2, 2, 4). One query."""
    from .engine.scoring import competition_rank

    rows = list(
        IndexValue.objects.filter(
            complete_and_accepted_q(),
            period=period,
            pillar=pillar,
            org_unit__type=unit_type,
            **{f"{_rank_field(structure)}__isnull": False},
        ).values_list("org_unit_id", "value")
    )
    if not rows:
        return {}
    ranks = competition_rank([0] * len(rows), [v for _u, v in rows], direction=1, decimals=4)
    return {unit: (int(rank), len(rows)) for (unit, _v), rank in zip(rows, ranks, strict=True)}


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
    """The latest period of the indicator's finest type with a stored value: the periods newest
    first, each probed through the (period, indicator) index until one has a value (a few
    dozen periods), not a sort of the indicator's millions of values at commune scale."""
    stored = IndicatorValue.objects.filter(period=OuterRef("pk"), indicator=indicator)
    return Period.objects.filter(Exists(stored), period_type=finest_type(indicator)).order_by("-end_date").first()


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
    rows = scope_filter(rows, user, unit_field="org_unit").select_related("org_unit__parent", "period")
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
    return rows.select_related("indicator", "org_unit__parent", "period").order_by(
        "-period__end_date", "indicator__code"
    )


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
        hidden = _groups_hidden(scope)
        rows = [r for r in rows if r.group_id not in hidden]
    descending = indicator.direction != "LOWER_IS_BETTER"
    return sorted(
        rows, key=lambda r: (r.group.group_set.code if r.group.group_set else "", -r.value if descending else r.value)
    )


def _groups_hidden(scope) -> set[int]:
    """The groups with a member outside the scope: their pooled figures would give it away."""
    return {
        group_id
        for group_id, path in OrgUnitGroupMembership.objects.values_list("group_id", "org_unit__path")
        if not any(path.startswith(p) for p in scope.paths)
    }


# The country's figure in each structure: the pooled figure of every province in force then.
NATIONAL_GROUPS = {"63": "PROVINCES_63", "34": "PROVINCES_34"}
TREND_POINTS = 12


@dataclass
class TrendSeries:
    code: str  # NATIONAL or the unit's code
    name: str
    values: list[float | None]


@dataclass
class Trend:
    """An indicator over the periods of one type up to a period: the country and chosen units."""

    periods: list[Period]
    series: list[TrendSeries]


def indicator_trend(
    *, user: User, indicator: Indicator, period: Period, units: Sequence[OrgUnit], points: int = TREND_POINTS
) -> Trend:
    """The indicator for the last `points` periods of the period's type (up to it) that hold a
    value: the national figure (the pooled figure of the provinces in force in each period, for a
    user who sees every province) and each chosen unit's stored value. Three queries."""
    scope = user_scope(user)
    codes = [u.code for u in units]
    unit_rows = (
        IndicatorValue.objects.filter(
            indicator=indicator,
            org_unit__code__in=codes,
            period__period_type=period.period_type,
            period__end_date__lte=period.end_date,
        )
        .filter(scope.q("org_unit"))
        .values_list("org_unit__code", "period_id", "value")
    )
    national_rows = []
    if scope.everything or not (
        _groups_hidden(scope)
        & set(OrgUnitGroup.objects.filter(code__in=NATIONAL_GROUPS.values()).values_list("pk", flat=True))
    ):
        national_rows = GroupIndicatorValue.objects.filter(
            indicator=indicator,
            group__code__in=NATIONAL_GROUPS.values(),
            period__period_type=period.period_type,
            period__end_date__lte=period.end_date,
        ).values_list("group__code", "period_id", "value", "period__end_date")
    values: dict[tuple[str, int], float] = {(code, pid): v for code, pid, v in unit_rows}
    for group, pid, value, end in national_rows:
        # Each period's own structure: the 63 provinces until 30/06/2025, the 34 after.
        if group == NATIONAL_GROUPS["34" if end >= STRUCTURE_34_FROM else "63"]:
            values[(NATIONAL, pid)] = value
    period_ids = {pid for _code, pid in values}
    periods = list(Period.objects.filter(pk__in=period_ids).order_by("-end_date")[:points])[::-1]
    series = []
    if national_rows:
        series.append(TrendSeries(NATIONAL, _("National"), [values.get((NATIONAL, p.pk)) for p in periods]))
    labels = orgunit_labels(list(units), on=None)
    for unit in units:
        series.append(
            TrendSeries(unit.code, labels.get(unit.pk, unit.name), [values.get((unit.code, p.pk)) for p in periods])
        )
    return Trend(periods=periods, series=series)


# --- medians and averages beside a ranking ------------------------------------------------------

# A group's median and average are shown to a user who cannot see all its units only when it
# has at least this many: with two or three, they would give away another unit's value.
MIN_UNITS_FOR_SUMMARY = 5
NATIONAL = "NATIONAL"


@dataclass
class GroupSummary:
    """The median and the average of the ranked units of a group, per pillar (and OVERALL)."""

    code: str  # NATIONAL or the region's group code
    label: str
    count: int
    median: dict[str, float]
    average: dict[str, float]

    @property
    def stats(self) -> list[tuple[str, str, dict[str, float]]]:
        """(code, label, values per pillar) of the median and the average, for a table's rows."""
        return [("median", _("Median"), self.median), ("average", _("Average"), self.average)]


@dataclass
class RankingSummary:
    national: GroupSummary | None
    regions: list[GroupSummary]
    region_of: dict[int, str]  # unit id -> region code, for the units shown
    hidden_regions: int = 0  # regions left out: too few units for a user who cannot see them all

    @property
    def groups(self) -> list[GroupSummary]:
        return ([self.national] if self.national else []) + self.regions

    def region(self, code: str | None) -> GroupSummary | None:
        return next((r for r in self.regions if r.code == code), None)


def _group_summary(code: str, label: str, values: dict[str, list[float]], count: int) -> GroupSummary:
    return GroupSummary(
        code=code,
        label=label,
        count=count,
        median={p: statistics.median(v) for p, v in values.items() if v},
        average={p: statistics.fmean(v) for p, v in values.items() if v},
    )


def ranking_summary(*, user: User, period: Period, unit_type: str, structure: str) -> RankingSummary:
    """The national and regional median and average of every pillar and the index over the
    ranked units of a type in a period (in the chosen structure), read from the stored index
    rows, not only the user's: a provincial leader compares their province with the country and
    their region. A user who cannot see every unit of a group gets its figures only when it has
    at least MIN_UNITS_FOR_SUMMARY units, and only the regions of units in their scope.
    Two queries."""
    rank_field = _rank_field(structure)
    rows = IndexValue.objects.filter(
        period=period, org_unit__type=unit_type, **{f"{rank_field}__isnull": False}
    ).values_list("org_unit_id", "pillar", "value", "org_unit__path")
    scope = user_scope(user)
    by_unit: dict[int, dict[str, float]] = defaultdict(dict)
    seen: set[int] = set()  # the units the user may see
    for unit_id, pillar, value, path in rows:
        by_unit[unit_id][pillar] = value
        if scope.everything or any(path.startswith(p) for p in scope.paths):
            seen.add(unit_id)
    if not by_unit:
        return RankingSummary(None, [], {})
    day = timezone.localdate() if structure == Structure.CURRENT else period.end_date
    regions = orgunit_region_of(list(by_unit), on=day)

    def collect(units: list[int]) -> dict[str, list[float]]:
        values: dict[str, list[float]] = defaultdict(list)
        for unit_id in units:
            for pillar, value in by_unit[unit_id].items():
                values[pillar].append(value)
        return values

    def shown(units: list[int]) -> bool:
        return all(u in seen for u in units) or len(units) >= MIN_UNITS_FOR_SUMMARY

    everyone = sorted(by_unit)
    national = (
        _group_summary(NATIONAL, _("Whole country"), collect(everyone), len(everyone)) if shown(everyone) else None
    )
    members: dict[str, list[int]] = defaultdict(list)
    groups = {}
    for unit_id, group in regions.items():
        members[group.code].append(unit_id)
        groups[group.code] = group
    summaries, hidden = [], 0
    for code in sorted(members):
        units = members[code]
        if not any(u in seen for u in units):
            continue  # a region the user has no unit in
        if not shown(units):
            hidden += 1
            continue
        summaries.append(_group_summary(code, groups[code].name, collect(units), len(units)))
    return RankingSummary(
        national=national,
        regions=summaries,
        region_of={u: g.code for u, g in regions.items()},
        hidden_regions=hidden,
    )


@dataclass
class UnitComparison:
    """A unit's value (index or pillar) beside the national and its region's median and average."""

    value: float | None
    national: GroupSummary | None
    region: GroupSummary | None
    pillar: str = OVERALL

    @property
    def groups(self) -> list[GroupSummary]:
        return [g for g in (self.national, self.region) if g is not None]


def unit_comparison(
    *, user: User, unit: OrgUnit, period: Period, structure: str, value: float | None
) -> UnitComparison:
    """The unit's index beside the national and its region's median (a scorecard's panel)."""
    summary = ranking_summary(user=user, period=period, unit_type=unit.type, structure=structure)
    return UnitComparison(value=value, national=summary.national, region=summary.region(summary.region_of.get(unit.pk)))


# --- the 63 / 34 explanation of one unit ---------------------------------------------------------


@dataclass
class StructurePillar:
    """One pillar (or OVERALL) of a unit in both structures: each former unit's value and rank
    among the period's units, and the current unit's among today's."""

    code: str
    label: str
    weight: float | None
    former: list[IndexValue | None]  # one per predecessor, in the explanation's order
    current: IndexValue | None

    @property
    def main(self) -> IndexValue | None:
        return self.former[0] if self.former else None

    @property
    def change(self) -> float | None:
        """The current value minus the main former unit's."""
        if self.current is None or self.main is None:
            return None
        return self.current.value - self.main.value


@dataclass
class StructureExplanation:
    unit: OrgUnit  # the current unit
    period: Period
    predecessors: list[OrgUnit]  # the main one (same name) first
    short_names: list[str]  # of the predecessors: "Đà Nẵng cũ", "Quảng Nam"
    label: str  # "Thành phố Đà Nẵng (Đà Nẵng cũ + Quảng Nam)"
    overall: StructurePillar
    pillars: list[StructurePillar]
    periods: list[Period]  # index periods this explanation exists for

    @property
    def merged(self) -> bool:
        return len(self.predecessors) > 1

    @property
    def predecessor_index(self) -> list[tuple[OrgUnit, str, IndexValue | None]]:
        """Each former unit with its short name and its overall index row in the period."""
        return list(zip(self.predecessors, self.short_names, self.overall.former, strict=True))

    @property
    def peers_before(self) -> int | None:
        return self.overall.main.peers_period if self.overall.main else None

    @property
    def peers_after(self) -> int | None:
        return self.overall.current.peers_current if self.overall.current else None

    @property
    def drivers(self) -> list[StructurePillar]:
        """The pillars that moved the index most (weighted change against the main former
        unit), largest first: the reason a rank moves, beside the change of peers."""
        total = sum(p.weight or 0 for p in self.pillars) or 1
        moved = [p for p in self.pillars if p.change is not None and p.weight and round(p.change, 4)]
        return sorted(moved, key=lambda p: -abs(p.change * p.weight / total))[:3]

    def contribution(self, pillar: StructurePillar) -> float | None:
        total = sum(p.weight or 0 for p in self.pillars)
        if pillar.change is None or not pillar.weight or not total:
            return None
        return pillar.change * pillar.weight / total


def structure_current_unit(unit: OrgUnit) -> OrgUnit:
    """The unit in force today that continues `unit` (itself if it is still in force): a
    former province leads to the province it was merged into. One query per step."""
    today = timezone.localdate()
    for _step in range(10):
        if unit.is_active_on(today):
            return unit
        link = (
            OrgUnitLineage.objects.filter(predecessor=unit)
            .select_related("successor__parent")
            .order_by("-is_primary", "-weight", "successor__code")
            .first()
        )
        if link is None:
            return unit
        unit = link.successor
    return unit


def structure_periods(unit: OrgUnit) -> list[Period]:
    """Index periods in which the unit did not yet exist but has an index in today's structure."""
    if unit.valid_from is None:
        return []
    return [p for p in index_periods(unit=unit) if p.end_date < unit.valid_from]


def structure_explanation_get(*, unit: OrgUnit, period: Period) -> StructureExplanation | None:
    """Why a current unit's place differs between the period's structure and today's (63 and
    34 provinces): the former units it is built from, each pillar's value and rank in both, and
    the pillars that moved its index most. None when the unit existed at the period's end or
    has no former units then. Five queries."""
    built = orgunit_built_from([unit], on=period.end_date).get(unit.pk, [])
    if not built:
        return None
    named = predecessor_names(unit, built)  # the one of the unit's own name first
    predecessors = [p for p, _name in named]
    rows = IndexValue.objects.filter(period=period, org_unit__in=[unit, *predecessors])
    by_key = {(r.org_unit_id, r.pillar): r for r in rows}
    current_overall = by_key.get((unit.pk, OVERALL))
    methodology = current_overall.methodology_id if current_overall else None
    weights = dict(PillarWeight.objects.filter(methodology_id=methodology).values_list("pillar", "weight"))
    labels = dict(Pillar.choices)
    present = {pillar for (_unit, pillar) in by_key if pillar != OVERALL}
    order = list(labels)

    def block(code: str, label: str) -> StructurePillar:
        weight = weights.get(code)
        return StructurePillar(
            code=code,
            label=str(label),
            weight=float(weight) if weight is not None else None,
            former=[by_key.get((p.pk, code)) for p in predecessors],
            current=by_key.get((unit.pk, code)),
        )

    pillars = [
        block(code, labels.get(code, code))
        for code in sorted(present, key=lambda p: order.index(p) if p in order else len(order))
    ]
    return StructureExplanation(
        unit=unit,
        period=period,
        predecessors=predecessors,
        short_names=[name for _p, name in named],
        label=orgunit_labels([unit], on=period.end_date)[unit.pk],
        overall=block(OVERALL, _("Overall index")),
        pillars=pillars,
        periods=structure_periods(unit),
    )
