"""Evaluation writes: compute and store figures, indicator values with target, status and
score, and the composite index with ranks — for everything, or for what changed.

Work goes year by year, in order (a year's start values are the previous year's results):

1. figures: reported values → every unit (hierarchy, lineage) → every period type (engine.aggregate);
2. indicator values from the figures (each indicator's expression over whole columns);
3. judgement: the year's target, milestone, projection, status and score of every value (engine.scoring);
4. the composite index per pillar and overall, monthly, quarterly and yearly, with ranks among peers.

A full run (`evaluation_recompute`) does all years for all units. When values change
(`evaluation_refresh`, called by a Huey task after the change commits), steps 1–2 are redone
only for the units the changed values count towards (the unit, the units above it, its
successors and theirs) in the changed years and the next (which carries their yearly figures
and starts from their values); steps 3–4 are redone for those years for every unit, because
scores and ranks compare peers. Both paths run the same code on
the same inputs, so an incremental update gives what a full recompute gives.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef
from django.utils import timezone

from giamsat.catalog.engine.expressions import compile_expression
from giamsat.catalog.models import DataElement, Indicator, Target
from giamsat.core.db import analyze, plan_for_large_reads
from giamsat.core.periods import Period as PeriodValue
from giamsat.core.periods import PeriodType
from giamsat.orgunits.models import OrgUnit, OrgUnitGroupMembership, OrgUnitLineage
from giamsat.reporting.choices import ReportStatus
from giamsat.reporting.models import DataValue, Period, Report
from giamsat.reporting.services import periods_get

from .choices import Basis, ReportsState
from .engine import scoring
from .engine.aggregate import (
    AGGREGATION_CODES,
    LINEAGE_RULE_CODES,
    RANKS,
    Figures,
    IndicatorSpec,
    PeriodTable,
    evaluate_indicators,
    first_per_key,
    map_values,
    roll_up_figures,
)
from .engine.contributors import (
    FAR_FUTURE,
    FAR_PAST,
    ROLLUP,
    SELF,
    ContributorMap,
    LinkFacts,
    UnitFacts,
    contributor_map,
)
from .models import (
    CHANNEL_BITS,
    OVERALL,
    ElementFigure,
    GroupIndicatorValue,
    IndexMethodology,
    IndexValue,
    IndicatorValue,
)
from .storage import in_list, read_columns, replace_rows

log = logging.getLogger(__name__)

BASIS_CODES = [Basis.REPORTED, Basis.ROLLUP, Basis.LINEAGE]
HIGHER = "HIGHER_IS_BETTER"
NOT_IN_INDEX = {"SECTOR"}
INDEX_DECIMALS = 4
# IN lists longer than this are not worth it: read the whole year instead.
MAX_SOURCE_FILTER = 5000

Progress = Callable[[str, int, int], None]


# --- what a run needs to know, loaded once ---------------------------------------------------


@dataclass
class Context:
    contributors: ContributorMap
    unit_type: np.ndarray  # by unit id: small int per type
    unit_level: np.ndarray
    unit_start: np.ndarray  # ordinals
    unit_end: np.ndarray
    type_codes: dict[str, int]
    aggregation: np.ndarray  # by element id
    lineage_rule: np.ndarray  # by element id: RULE_* of yes/no figures through restructuring
    element_rank: dict[int, int]
    specs: list[IndicatorSpec]
    direction: dict[int, int]  # indicator id -> +1 / -1
    direction_of: np.ndarray  # the same, indexed by indicator id
    pillar: dict[int, str]
    finest_rank: dict[int, int]
    targets: dict[int, list[Target]]
    memberships: dict[int, list[tuple[int, dt.date | None, dt.date | None]]]  # group id -> members
    methodologies: list[tuple[IndexMethodology, dict[str, float]]]
    today: dt.date = field(default_factory=lambda: timezone.localdate())


_MAP_CACHE: dict[tuple, ContributorMap] = {}


def _registry_fingerprint() -> tuple:
    units = OrgUnit.objects.aggregate(n=Count("pk"), m=Max("pk"), f=Max("valid_from"), t=Max("valid_to"))
    links = OrgUnitLineage.objects.aggregate(n=Count("pk"), m=Max("pk"), w=Max("weight"), v=Min("weight"))
    return tuple(units.values()) + tuple(links.values())


def contributors_load() -> ContributorMap:
    """The contributor map of the registry, built once per registry state (cached in the process)."""
    fingerprint = _registry_fingerprint()
    if fingerprint not in _MAP_CACHE:
        units = [
            UnitFacts(id=pk, path=path, code=code, valid_from=start, valid_to=end, area=float(area) if area else None)
            for pk, path, code, start, end, area in OrgUnit.objects.values_list(
                "pk", "path", "code", "valid_from", "valid_to", "area_km2"
            )
        ]
        links = [
            LinkFacts(predecessor=p, successor=s, weight=None if w is None else float(w))
            for p, s, w in OrgUnitLineage.objects.values_list("predecessor_id", "successor_id", "weight")
        ]
        _MAP_CACHE.clear()
        _MAP_CACHE[fingerprint] = contributor_map(units, links)
    return _MAP_CACHE[fingerprint]


def context_load() -> Context:
    """Everything a run reads besides the values: registry, catalogue, targets, weights."""
    units = list(OrgUnit.objects.values_list("pk", "type", "level", "valid_from", "valid_to"))
    size = max((u[0] for u in units), default=0) + 1
    type_codes: dict[str, int] = {}
    unit_type = np.full(size, -1, dtype=np.int64)
    unit_level = np.zeros(size, dtype=np.int64)
    unit_start = np.zeros(size, dtype=np.int64)
    unit_end = np.zeros(size, dtype=np.int64)
    for pk, kind, level, start, end in units:
        unit_type[pk] = type_codes.setdefault(kind, len(type_codes))
        unit_level[pk] = level
        unit_start[pk] = start.toordinal() if start else 1
        unit_end[pk] = end.toordinal() if end else dt.date.max.toordinal()

    elements = list(DataElement.objects.values_list("pk", "code", "aggregation", "period_type", "lineage_rule"))
    aggregation = np.zeros(max((e[0] for e in elements), default=0) + 1, dtype=np.int64)
    lineage_rule = np.zeros(len(aggregation), dtype=np.int64)
    codes, element_rank = {}, {}
    for pk, code, agg, period_type, rule in elements:
        aggregation[pk] = AGGREGATION_CODES.get(agg, 0)
        lineage_rule[pk] = LINEAGE_RULE_CODES.get(rule, 0)
        codes[code] = pk
        element_rank[pk] = RANKS[period_type]

    specs, direction, pillar, finest = [], {}, {}, {}
    for indicator in Indicator.objects.all():
        expression = compile_expression(indicator.expression)
        inputs = {code: codes[code] for code in expression.references if code in codes}
        spec = IndicatorSpec(
            id=indicator.pk,
            expression=expression,
            inputs=inputs,
            input_ranks={code: element_rank[pk] for code, pk in inputs.items()},
        )
        specs.append(spec)
        direction[indicator.pk] = 1 if indicator.direction == HIGHER else -1
        pillar[indicator.pk] = indicator.pillar
        if spec.input_ranks:
            finest[indicator.pk] = min(spec.input_ranks.values())

    targets: dict[int, list[Target]] = defaultdict(list)
    for target in Target.objects.all():
        targets[target.indicator_id].append(target)
    memberships = defaultdict(list)
    for group_id, unit_id, start, end in OrgUnitGroupMembership.objects.values_list(
        "group_id", "org_unit_id", "valid_from", "valid_to"
    ):
        memberships[group_id].append((unit_id, start, end))
    methodologies = [
        (m, {w.pillar: float(w.weight) for w in m.weights.all()})
        for m in IndexMethodology.objects.prefetch_related("weights")
    ]
    direction_of = np.ones(max(direction, default=0) + 1, dtype=np.int64)
    for indicator_id, sign in direction.items():
        direction_of[indicator_id] = sign
    return Context(
        contributors=contributors_load(),
        direction_of=direction_of,
        unit_type=unit_type,
        unit_level=unit_level,
        unit_start=unit_start,
        unit_end=unit_end,
        type_codes=type_codes,
        aggregation=aggregation,
        lineage_rule=lineage_rule,
        element_rank=element_rank,
        specs=specs,
        direction=direction,
        pillar=pillar,
        finest_rank=finest,
        targets=targets,
        memberships=memberships,
        methodologies=methodologies,
    )


# --- periods of a year -----------------------------------------------------------------------


@dataclass
class YearPeriods:
    year: int
    periods: list[Period]
    index: dict[int, int]  # period pk -> position
    table: PeriodTable
    last_year: Period  # at position len(periods) in the table, for carried yearly figures

    @property
    def pks(self) -> np.ndarray:
        return np.array([p.pk for p in self.periods], dtype=np.int64)


def year_periods(year: int) -> YearPeriods:
    """The year's months, quarters and the year itself (created if missing), plus any stored weeks."""
    values = [PeriodValue.month(year, m) for m in range(1, 13)]
    values += [PeriodValue.quarter(year, q) for q in range(1, 5)] + [PeriodValue.year(year)]
    stored = periods_get(values)
    weeks = Period.objects.filter(period_type=PeriodType.WEEKLY, start_date__year=year, end_date__year=year).order_by(
        "start_date"
    )
    periods = sorted([*stored.values(), *weeks], key=lambda p: (RANKS[p.period_type], p.start_date))
    index = {p.pk: i for i, p in enumerate(periods)}
    by_code = {p.code: i for i, p in enumerate(periods)}
    parent = np.full((4, len(periods)), -1, dtype=np.int64)
    for i, period in enumerate(periods):
        for rank, kind in enumerate(("WEEKLY", "MONTHLY", "QUARTERLY", "YEARLY")):
            if rank > RANKS[period.period_type] and kind != "WEEKLY":
                container = PeriodValue.containing(kind, period.start_date)
                if container.end >= period.end_date:
                    parent[rank, i] = by_code.get(container.code, -1)
    # One more period at the end, last year, only to carry its yearly figures into this year's
    # periods until this year's are reported; nothing is computed or written for it.
    last_year = periods_get([PeriodValue.year(year - 1)])[str(year - 1)]
    carried = len(periods)
    fallback = np.full((4, carried + 1), -1, dtype=np.int64)
    fallback[RANKS["YEARLY"], :carried] = carried
    every = [*periods, last_year]
    table = PeriodTable(
        start=np.array([p.start_date.toordinal() for p in every], dtype=np.int64),
        end=np.array([p.end_date.toordinal() for p in every], dtype=np.int64),
        rank=np.array([RANKS[p.period_type] for p in every], dtype=np.int64),
        parent=np.concatenate([parent, np.full((4, 1), -1, dtype=np.int64)], axis=1),
        fallback=fallback,
        evaluated=np.arange(carried + 1) < carried,
    )
    return YearPeriods(year=year, periods=periods, index=index, table=table, last_year=last_year)


# --- steps 1 and 2: figures and indicator values -----------------------------------------------


def _values_of_year(ctx: Context, yp: YearPeriods, targets: np.ndarray | None):
    where = [_in("period_id", [p.pk for p in yp.periods]), ("value IS NOT NULL", [])]
    if targets is not None:
        sources = ctx.contributors.sources_of(targets)
        if len(sources) <= MAX_SOURCE_FILTER:
            where.append(_in("org_unit_id", sources.tolist()))
    element, unit, period, value, channel = read_columns(*_query(DATA_VALUES, REPORTED_COLUMNS, where), "iiifi")
    local = _local(yp.index, period)
    # A fixed order, so sums are added in the same order whatever the database returned.
    order = np.lexsort((local, unit, element))
    return element[order], unit[order], local[order], value[order], channel[order]


def compute_figures(ctx: Context, yp: YearPeriods, targets: np.ndarray | None) -> tuple[Figures, Figures, np.ndarray]:
    """Element figures and indicator values of the year for the targets (None: every unit), and
    which figures are a unit's own reported values (not stored: the values table has them)."""
    element, source, period, value, channel = _values_of_year(ctx, yp, targets)
    contributors = ctx.contributors if targets is None else ctx.contributors.restricted_to(targets)
    native = map_values(
        element=element,
        source=source,
        period=period,
        value=value,
        aggregation=ctx.aggregation,
        contributors=contributors,
        periods=yp.table,
        channel=channel,
        lineage_rule=ctx.lineage_rule,
    )
    reported = Figures(element, source, period, value, np.zeros(len(value), dtype=np.int8), channel)
    figures = roll_up_figures(
        native,
        reported,
        aggregation=ctx.aggregation,
        periods=yp.table,
        contributors=contributors,
        lineage_rule=ctx.lineage_rule,
    )
    # roll_up_figures puts the native figures first; those counting only the unit's own value
    # (basis SELF, a single contribution of weight 1) equal that reported value exactly.
    own = np.zeros(len(figures), dtype=bool)
    own[: len(native)] = native.basis == SELF
    n_units = len(ctx.unit_type)
    with_last_year = Figures.concat([figures, _last_year_figures(ctx, yp, targets)])
    indicators = evaluate_indicators(ctx.specs, with_last_year, periods=yp.table, n_units=n_units)
    return figures, indicators, own


def _last_year_figures(ctx: Context, yp: YearPeriods, targets: np.ndarray | None) -> Figures:
    """Last year's figures of the yearly elements, to carry where this year's are missing."""
    yearly = [pk for pk, rank in ctx.element_rank.items() if rank == RANKS["YEARLY"]]
    units = None if targets is None else targets.tolist()
    carried = {yp.last_year.pk: len(yp.periods)}
    return stored_figures(elements=yearly, units=units, periods=carried)


def stored_figures(*, elements: list[int] | None, units: list[int] | None, periods: dict[int, int]) -> Figures:
    """Figures as stored for the given period pks (mapped to local indices): the element
    figures table, completed by the units' own reported values, which are not stored twice."""
    where = [_in("period_id", list(periods))]
    if elements is not None:
        where.append(_in("data_element_id", elements))
    if units is not None:
        where.append(_in("org_unit_id", units))
    figure_columns = [*FIGURE_KEY, ("value", []), _case("basis", BASIS_NUMBERS), ("channels", [])]
    element, unit, period, value, basis, channels = read_columns(*_query(FIGURES, figure_columns, where), "iiifii")
    computed = Figures(element, unit, _local(periods, period), value, basis.astype(np.int8), channels)
    where.append(("value IS NOT NULL", []))
    element, unit, period, value, channels = read_columns(*_query(DATA_VALUES, REPORTED_COLUMNS, where), "iiifi")
    own = Figures(element, unit, _local(periods, period), value, np.zeros(len(value), dtype=np.int8), channels)
    # A stored figure wins over the unit's own value: it adds units below or former units to it.
    return first_per_key(Figures.concat([computed, own]))


# --- groups of units -----------------------------------------------------------------------------


def group_contributors(ctx: Context) -> ContributorMap:
    """Each group's members as a contributor map: a member counts for the periods that end
    while both its membership and the unit itself are in force (so a region listing former
    and current provinces counts the 63 up to June 2025 and the 34 from July, never both)."""
    rows = []
    for group_id, members in ctx.memberships.items():
        for unit_id, start, end in members:
            if unit_id >= len(ctx.unit_start):
                continue
            end_from = max(start.toordinal() if start else FAR_PAST, int(ctx.unit_start[unit_id]))
            end_to = min(end.toordinal() if end else FAR_FUTURE, int(ctx.unit_end[unit_id]))
            if end_from <= end_to:
                rows.append((group_id, unit_id, end_from, end_to))
    rows.sort(key=lambda r: (r[1], r[0]))
    n = len(rows)
    return ContributorMap(
        target=np.array([r[0] for r in rows], dtype=np.int64),
        source=np.array([r[1] for r in rows], dtype=np.int64),
        weight=np.ones(n),
        kind=np.full(n, ROLLUP, dtype=np.int8),
        source_from=np.full(n, FAR_PAST, dtype=np.int64),
        source_to=np.full(n, FAR_FUTURE, dtype=np.int64),
        end_from=np.array([r[2] for r in rows], dtype=np.int64),
        end_to=np.array([r[3] for r in rows], dtype=np.int64),
    )


def compute_group_values(ctx: Context, yp: YearPeriods) -> tuple[Figures, dict[tuple[int, int], int]]:
    """Indicator values of every group for the year, from its members' stored figures (this
    year's, and last year's yearly ones to carry), and how many members count per (group, period)."""
    groups = group_contributors(ctx)
    members = np.unique(groups.source).tolist()
    if not members:
        return Figures.empty(), {}
    carried = len(yp.periods)
    member_figures = stored_figures(elements=None, units=members, periods={**yp.index, yp.last_year.pk: carried})
    figures = map_values(
        element=member_figures.item,
        source=member_figures.unit,
        period=member_figures.period,
        value=member_figures.value,
        aggregation=ctx.aggregation,
        contributors=groups,
        periods=yp.table,
        channel=member_figures.channels,
    )
    values = evaluate_indicators(ctx.specs, figures, periods=yp.table, n_units=0)
    counts = {}
    for i in range(carried):
        end = yp.table.end[i]
        in_force = (groups.end_from <= end) & (end <= groups.end_to)
        for group_id, n in zip(*np.unique(groups.target[in_force], return_counts=True), strict=True):
            counts[(int(group_id), i)] = int(n)
    return values, counts


# --- keyed lookups without a loop per value --------------------------------------------------


class Lookup:
    """Values by int64 key, looked up for whole arrays of keys at once (NaN where absent)."""

    def __init__(self, keys: np.ndarray, values: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys, self.values = keys[order], values[order]

    def get(self, keys: np.ndarray) -> np.ndarray:
        if len(self.keys) == 0:
            return np.full(len(keys), np.nan)
        position = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        return np.where(self.keys[position] == keys, self.values[position], np.nan)


def _pair_key(ctx: Context, indicator: np.ndarray, unit: np.ndarray) -> np.ndarray:
    return np.asarray(indicator, dtype=np.int64) * len(ctx.unit_type) + np.asarray(unit, dtype=np.int64)


# --- numeric reads, straight into columns (storage.read_columns) --------------------------------

DATA_VALUES = DataValue._meta.db_table
FIGURES = ElementFigure._meta.db_table
VALUES = IndicatorValue._meta.db_table
BASIS_NUMBERS = {code: n for n, code in enumerate(BASIS_CODES)}
Clause = tuple[str, list]


def _in(column: str, values: list, *, negate: bool = False) -> Clause:
    if negate and not values:
        return "1 = 1", []
    return f"{column} {'NOT IN' if negate else 'IN'} ({in_list(values)})", list(values)


def _case(column: str, numbers: dict[str, int]) -> Clause:
    """A text code as its number (0 when unknown)."""
    whens = " ".join("WHEN %s THEN %s" for _ in numbers)
    return f"CASE {column} {whens} ELSE 0 END", [x for pair in numbers.items() for x in pair]


def _query(table: str, columns: list[Clause], where: list[Clause]) -> Clause:
    sql = f"SELECT {', '.join(c for c, _ in columns)} FROM {table} WHERE {' AND '.join(w for w, _ in where)}"
    return sql, [p for _, params in (*columns, *where) for p in params]


FIGURE_KEY: list[Clause] = [("data_element_id", []), ("org_unit_id", []), ("period_id", [])]
VALUE_KEY: list[Clause] = [("indicator_id", []), ("org_unit_id", []), ("period_id", [])]
REPORTED_COLUMNS: list[Clause] = [
    *FIGURE_KEY,
    ("CAST(value AS DOUBLE PRECISION)", []),
    _case("channel", CHANNEL_BITS),
]


def _local(index: dict[int, int], pks: np.ndarray) -> np.ndarray:
    """Period pks as the local positions `index` gives them (every pk must be in it)."""
    keys = np.fromiter(index, dtype=np.int64, count=len(index))
    positions = np.fromiter(index.values(), dtype=np.int64, count=len(index))
    order = np.argsort(keys)
    return positions[order][np.searchsorted(keys[order], pks)]


# --- step 3: judgement against targets ---------------------------------------------------------


@dataclass
class Judged:
    """A year's indicator values, one row each, with everything the scorecard shows."""

    indicator: np.ndarray
    unit: np.ndarray
    period: np.ndarray  # local index in the year
    value: np.ndarray
    basis: np.ndarray
    channels: np.ndarray
    target: np.ndarray
    target_year: np.ndarray
    milestone: np.ndarray
    start: np.ndarray
    projected: np.ndarray
    reference: np.ndarray
    status: np.ndarray
    score: np.ndarray


def _pick_target(targets: list[Target], year: int):
    """The goal in force for a year: the first target of that year or later, else the latest one."""
    later = [t for t in targets if t.year >= year]
    chosen = min(later, key=lambda t: t.year) if later else max(targets, key=lambda t: t.year)
    baseline = None if chosen.baseline_value is None else float(chosen.baseline_value)
    return float(chosen.value), chosen.year, baseline, chosen.baseline_year


def _resolve_targets(ctx: Context, indicator: np.ndarray, unit: np.ndarray, year: int):
    """Goal, goal year, baseline and baseline year per row: the unit's own target first, then its
    group's, then its type's, then the national default."""
    n = len(indicator)
    goal, goal_year = np.full(n, np.nan), np.zeros(n, dtype=np.int64)
    baseline, baseline_year = np.full(n, np.nan), np.zeros(n, dtype=np.int64)
    year_end = dt.date(year, 12, 31)
    for indicator_id, targets in ctx.targets.items():
        rows = indicator == indicator_id
        if not rows.any():
            continue
        scopes: list[tuple[np.ndarray, list[Target]]] = []
        national = [t for t in targets if t.scope == "NATIONAL"]
        if national:
            scopes.append((rows, national))
        by_type = defaultdict(list)
        for t in targets:
            if t.scope == "UNIT_TYPE":
                by_type[t.unit_type].append(t)
        for kind, ts in by_type.items():
            if kind in ctx.type_codes:
                scopes.append((rows & (ctx.unit_type[unit] == ctx.type_codes[kind]), ts))
        by_group = defaultdict(list)
        for t in targets:
            if t.scope == "GROUP" and t.group_id:
                by_group[t.group_id].append(t)
        for group_id, ts in by_group.items():
            members = [
                u
                for u, start, end in ctx.memberships.get(group_id, ())
                if (start is None or start <= year_end) and (end is None or end >= year_end)
            ]
            scopes.append((rows & np.isin(unit, members), ts))
        by_unit = defaultdict(list)
        for t in targets:
            if t.scope == "UNIT" and t.org_unit_id:
                by_unit[t.org_unit_id].append(t)
        for unit_id, ts in by_unit.items():
            scopes.append((rows & (unit == unit_id), ts))
        for mask, ts in scopes:  # from the broadest to the most specific: the last one wins
            if not mask.any():
                continue
            g, gy, b, by = _pick_target(ts, year)
            goal[mask], goal_year[mask] = g, gy
            baseline[mask] = np.nan if b is None else b
            baseline_year[mask] = by or 0
    return goal, goal_year, baseline, baseline_year


def judge(
    ctx: Context,
    yp: YearPeriods,
    indicator: np.ndarray,
    unit: np.ndarray,
    period: np.ndarray,
    value: np.ndarray,
    basis: np.ndarray,
    channels: np.ndarray,
    previous_year: Lookup,
) -> Judged:
    """Target, milestone, projection, status and score for every value of the year."""
    year = yp.year
    n = len(value)
    direction = ctx.direction_of[indicator]
    start_of_year = previous_year.get(_pair_key(ctx, indicator, unit))
    months = np.array([p.end_date.month for p in yp.periods], dtype=np.int64)[period]
    months = np.where(yp.table.rank[period] == RANKS["YEARLY"], 12, months)

    goal, goal_year, baseline, baseline_year = _resolve_targets(ctx, indicator, unit, year)
    use_baseline = np.isfinite(baseline) & (baseline_year > 0) & (baseline_year < year)
    start = np.where(use_baseline, baseline, start_of_year)
    start_year = np.where(use_baseline, baseline_year, year - 1)
    has_goal = np.isfinite(goal)
    safe_goal_year = np.where(has_goal, goal_year, year)
    milestone = np.where(
        has_goal, scoring.milestone(start, goal, start_year, np.maximum(safe_goal_year, start_year + 1), year), np.nan
    )
    projected = scoring.project_year_end(value, start_of_year, months)
    status = scoring.classify(value, projected, milestone, goal, start, direction)

    # Peers: the same indicator, period, type of unit and level, in the same structure.
    groups = _group_ids(
        indicator, period, ctx.unit_type[unit], ctx.unit_level[unit], in_structure_of(ctx, unit, yp.table.end[period])
    )
    worst = scoring.peer_worst(groups, value, direction)
    reference = np.where(np.isfinite(baseline), baseline, np.where(direction > 0, 0.0, worst))
    score = np.where(
        has_goal,
        scoring.score_to_target(value, goal, reference, direction),
        scoring.peer_minmax_score(groups, value, direction),
    )
    score = score + 0.0  # no -0.0: PostgreSQL would keep the sign, SQLite not
    return Judged(
        indicator=indicator,
        unit=unit,
        period=period,
        value=value,
        basis=basis,
        channels=channels,
        target=goal,
        target_year=np.where(has_goal, goal_year, 0),
        milestone=milestone,
        start=np.where(has_goal, start, np.nan) if n else start,
        projected=np.where(has_goal, projected, np.nan) if n else projected,
        reference=np.where(has_goal, reference, np.nan),
        status=np.asarray(status, dtype=object),
        score=score,
    )


def in_structure_of(ctx: Context, unit: np.ndarray, end: np.ndarray) -> np.ndarray:
    """1 where the unit was in force at the period's end (the structure of that time: the 63
    provinces before July 2025), 0 for a unit shown over a period before it began (the 34
    over 2024, built from their former units). Peers are compared within one structure only."""
    return ((ctx.unit_start[unit] <= end) & (end <= ctx.unit_end[unit])).astype(np.int64)


def _group_ids(*keys: np.ndarray) -> np.ndarray:
    """Ids 0..n-1 of the distinct combinations of the keys, in the combinations' order."""
    if len(keys[0]) == 0:
        return np.zeros(0, dtype=np.int64)
    arrays = [np.asarray(k, dtype=np.int64) for k in keys]
    # The keys as digits of one int64 (unique over a flat array is several times faster than
    # over rows); ids, types, levels and periods always fit.
    combined, span = np.zeros(len(arrays[0]), dtype=np.int64), 1
    for key in arrays:
        low, width = int(key.min()), int(key.max()) - int(key.min()) + 1
        span *= width
        if span >= 2**62:
            _unique, inverse = np.unique(np.stack(arrays, axis=1), axis=0, return_inverse=True)
            return inverse.reshape(-1).astype(np.int64)
        combined = combined * width + (key - low)
    _unique, inverse = np.unique(combined, return_inverse=True)
    return inverse.reshape(-1).astype(np.int64)


# --- step 4: the composite index and ranks -----------------------------------------------------


def _index_input(period: Period, rank: int) -> str | None:
    """The period whose scores an index period takes for indicators of the given finest type:
    the index period itself when the indicator is as fine or finer (a quarter takes its monthly
    indicators' quarterly values, a year all its indicators' yearly ones), else the latest
    period of the indicator's type that had ended by the end of the index period."""
    if period.period_type == "YEARLY" or 0 < rank <= RANKS[period.period_type]:
        return period.code
    return _as_of(period, rank)


def _as_of(period: Period, rank: int) -> str | None:
    """The code of the latest period of the given type that had ended by the end of `period`."""
    kind = ("WEEKLY", "MONTHLY", "QUARTERLY", "YEARLY")[rank]
    if kind == "WEEKLY":
        return None
    container = PeriodValue.containing(kind, period.end_date)
    if container.end <= period.end_date:
        return container.code
    return container.previous().code


def _methodology_for(ctx: Context, day: dt.date):
    for methodology, weights in reversed(ctx.methodologies):
        if methodology.valid_from <= day and (methodology.valid_to is None or day <= methodology.valid_to):
            return methodology, weights
    return None, None


@dataclass
class ScoreTable:
    """Stored scores of this year and the one before, keyed by (indicator, unit, period)."""

    lookup: Lookup
    units: np.ndarray  # every unit with a score
    period_pk: dict[str, int]  # period code -> pk, for as-of references


def _score_key(ctx: Context, indicator, unit, period_pk) -> np.ndarray:
    return _pair_key(ctx, indicator, unit) * PERIOD_KEY_SPACE + np.asarray(period_pk, dtype=np.int64)


PERIOD_KEY_SPACE = 1 << 24


def _earlier_codes(code: str | None, count: int) -> list[str | None]:
    """The codes of the `count` periods of the same type before `code`, latest first."""
    if code is None:
        return [None] * count
    return [p.code for p in PeriodValue.parse(code).earlier(count)]


def _carried_scores(ctx, scores: ScoreTable, members, units, as_of: list[str | None], carry: int):
    """Each unit's score of each member indicator at its as-of period, or, where the unit has
    none, its latest score within the `carry` periods before (the live index's policy), and
    which ones were carried."""

    def lookup(codes: list[str | None]) -> np.ndarray:
        pks = np.array([scores.period_pk.get(c, -1) if c else -1 for c in codes], dtype=np.int64)
        keys = _score_key(ctx, members[None, :], units[:, None], pks[None, :])
        return np.where(pks[None, :] >= 0, scores.lookup.get(keys.ravel()).reshape(keys.shape), np.nan)

    matrix = lookup(as_of)
    carried = np.zeros(matrix.shape, dtype=bool)
    earlier = [_earlier_codes(c, carry) for c in as_of]
    for k in range(carry):
        gap = np.isnan(matrix)
        if not gap.any():
            break
        older = lookup([codes[k] for codes in earlier])
        fill = gap & ~np.isnan(older)
        matrix = np.where(fill, older, matrix)
        carried |= fill
    return matrix, carried


def report_states(ctx: Context, yp: YearPeriods) -> Lookup:
    """(unit, local period) -> the least final state (ReportsState) of the reports behind the
    unit's figures for the period: its own reports of the period and of the periods within it,
    its former units' (through lineage) and its units' below. Absent: no report."""
    rows = list(
        Report.objects.filter(period_id__in=yp.pks.tolist()).values_list(
            "org_unit_id", "period_id", "status", "data_set__approval_levels"
        )
    )
    if not rows:
        return Lookup(np.zeros(0, dtype=np.int64), np.zeros(0))
    unit = np.array([r[0] for r in rows], dtype=np.int64)
    local = _local(yp.index, np.array([r[1] for r in rows], dtype=np.int64))
    state = np.array([_report_state(status, levels) for _u, _p, status, levels in rows], dtype=np.float64)
    # A report counts for its period and every coarser period of the year containing it.
    parts_unit, parts_period, parts_state = [unit], [local], [state]
    for rank in (RANKS["MONTHLY"], RANKS["QUARTERLY"], RANKS["YEARLY"]):
        parent = yp.table.parent[rank, local]
        inside = parent >= 0
        parts_unit.append(unit[inside])
        parts_period.append(parent[inside])
        parts_state.append(state[inside])
    unit, local, state = (np.concatenate(p) for p in (parts_unit, parts_period, parts_state))
    # The least final wins: the largest "distance from accepted" across contributors.
    mapped = map_values(
        element=np.zeros(len(unit), dtype=np.int64),
        source=unit,
        period=local,
        value=ReportsState.ACCEPTED - state,
        aggregation=np.array([AGGREGATION_CODES["MAX"]]),
        contributors=ctx.contributors,
        periods=yp.table,
    )
    n_periods = len(yp.table.start)
    return Lookup(mapped.unit * n_periods + mapped.period, ReportsState.ACCEPTED - mapped.value)


def _report_state(status: str, approval_levels: int) -> int:
    if status == ReportStatus.ACCEPTED:
        return ReportsState.ACCEPTED
    if status == ReportStatus.APPROVED or (status == ReportStatus.SUBMITTED and not approval_levels):
        return ReportsState.FINAL
    if status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED_1):
        return ReportsState.SUBMITTED
    return ReportsState.ENTERED


def compute_index(
    ctx: Context,
    yp: YearPeriods,
    scores: ScoreTable,
    previous_ranks: dict,
    periods: list[Period],
    states: Lookup | None = None,
) -> tuple[np.ndarray, ...]:
    """Pillar values and the overall index per unit for the year's months, quarters and the year.

    `scores` holds this year's and last year's scores (as-of references reach back);
    `previous_ranks` maps (pillar, period code) to (units, rank in the period's structure,
    rank in today's) stored for the periods before; `states` the units' report states
    (report_states). Returns IndexValue columns (INDEX_COLUMNS).

    The missing-data policy is the methodology's: an input the unit's peers have and the unit
    has not earns no points; the monthly and quarterly index first carries the unit's last
    score for up to `carry_periods` periods (marked), and gives no index to a unit with less
    than `min_coverage` of its inputs. Every row counts its inputs expected, reported and carried."""
    indicators = [i for i, p in ctx.pillar.items() if p not in NOT_IN_INDEX and i in ctx.finest_rank]
    pillars = sorted({ctx.pillar[i] for i in indicators})
    units = scores.units
    columns: list[tuple] = []
    targets = sorted(periods, key=lambda p: (p.period_type != "MONTHLY", p.start_date))
    ranks_so_far: dict = dict(previous_ranks)
    today = ctx.today.toordinal()
    in_current = (ctx.unit_start[units] <= today) & (today <= ctx.unit_end[units])
    groups = _group_ids(ctx.unit_type[units], ctx.unit_level[units])  # ranks: masked to one structure each
    for period in targets:
        # Which items the peers have (an item none has is left out): within the unit's structure.
        structure_groups = _group_ids(
            ctx.unit_type[units], ctx.unit_level[units], in_structure_of(ctx, units, period.end_date.toordinal())
        )
        methodology, weights = _methodology_for(ctx, period.end_date)
        if methodology is None or len(units) == 0:
            continue
        yearly = period.period_type == "YEARLY"
        carry = 0 if yearly else methodology.carry_periods
        pillar_matrix = np.full((len(units), len(pillars)), np.nan)
        counts = np.zeros((3, len(units), len(pillars)), dtype=np.int64)  # expected, reported, carried
        for j, pillar in enumerate(pillars):
            members = np.array([i for i in indicators if ctx.pillar[i] == pillar], dtype=np.int64)
            as_of = [_index_input(period, ctx.finest_rank[i]) for i in members.tolist()]
            matrix, carried = _carried_scores(ctx, scores, members, units, as_of, carry)
            present = scoring.present_in_groups(structure_groups, matrix)
            has = ~np.isnan(matrix)
            counts[0, :, j] = (present | has).sum(axis=1)
            counts[1, :, j] = (has & ~carried).sum(axis=1)
            counts[2, :, j] = carried.sum(axis=1)
            pillar_matrix[:, j] = scoring.weighted_mean_with_gaps(matrix, np.ones(len(members)), present)
        weight_vector = np.array([weights.get(p, 0.0) for p in pillars])
        present = scoring.present_in_groups(structure_groups, pillar_matrix) & (weight_vector > 0)
        overall = scoring.weighted_mean_with_gaps(pillar_matrix, weight_vector, present)
        totals = counts.sum(axis=2)
        if not yearly:
            # Too little to judge: no index rather than one made of zeros.
            with np.errstate(invalid="ignore", divide="ignore"):
                coverage = (totals[1] + totals[2]) / totals[0]
            thin = coverage < float(methodology.min_coverage)
            pillar_matrix[thin, :] = np.nan
            overall = np.where(thin, np.nan, overall)
        local = yp.index[period.pk]
        state = np.nan_to_num(states.get(units * len(yp.table.start) + local)) if states is not None else None
        state = np.zeros(len(units)) if state is None else state
        end = period.end_date.toordinal()
        in_period = (ctx.unit_start[units] <= end) & (end <= ctx.unit_end[units])
        previous = _previous_code(period)
        rows = [(p, pillar_matrix[:, j], counts[:, :, j]) for j, p in enumerate(pillars)]
        for name, values, inputs in [*rows, (OVERALL, overall, totals)]:
            has = np.isfinite(values)
            rank_p = scoring.competition_rank(
                groups, np.where(in_period, values, np.nan), direction=1, decimals=INDEX_DECIMALS
            )
            rank_c = scoring.competition_rank(
                groups, np.where(in_current, values, np.nan), direction=1, decimals=INDEX_DECIMALS
            )
            peers_p = _peer_counts(groups, has & in_period)
            peers_c = _peer_counts(groups, has & in_current)
            before_p, before_c = _ranks_of(ranks_so_far.get((name, previous)), units)
            ranks_so_far[(name, period.code)] = (units, rank_p, rank_c)
            # Former units over later periods (a former province in 2026) get no index.
            keep = has & (in_period | in_current)
            ranked_p, ranked_c = rank_p > 0, rank_c > 0
            n = int(keep.sum())
            columns.append(
                (
                    np.full(n, methodology.pk, dtype=np.int64),
                    units[keep],
                    np.full(n, period.pk, dtype=np.int64),
                    np.full(n, name, dtype=object),
                    values[keep],
                    _rank_or_null(np.where(ranked_p, rank_p, 0)[keep]),
                    _rank_or_null(np.where(ranked_p, before_p, 0)[keep]),
                    _rank_or_null(np.where(ranked_p, peers_p, 0)[keep]),
                    _rank_or_null(np.where(ranked_c, rank_c, 0)[keep]),
                    _rank_or_null(np.where(ranked_c, before_c, 0)[keep]),
                    _rank_or_null(np.where(ranked_c, peers_c, 0)[keep]),
                    inputs[0][keep],
                    inputs[1][keep],
                    inputs[2][keep],
                    state[keep].astype(np.int64),
                )
            )
    if not columns:
        return tuple(np.zeros(0, dtype=object) for _ in INDEX_COLUMNS)
    return tuple(np.concatenate(parts) for parts in zip(*columns, strict=True))


def _rank_or_null(ranks: np.ndarray) -> np.ndarray:
    """Ranks and counts as stored: 0 (none) is NULL."""
    return np.where(ranks > 0, ranks, None)


def _codes(names: list[str], codes: np.ndarray) -> np.ndarray:
    """Small integer codes as their names."""
    return np.asarray(names, dtype=object)[np.asarray(codes, dtype=np.int64)]


def _ranks_of(stored, units: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The ranks (0: none) the units had in an earlier period, from (units, ranks, ranks)."""
    if stored is None:
        zeros = np.zeros(len(units), dtype=np.int64)
        return zeros, zeros
    earlier_units, rank_p, rank_c = stored
    by_p = Lookup(earlier_units, rank_p.astype(np.float64)).get(units)
    by_c = Lookup(earlier_units, rank_c.astype(np.float64)).get(units)
    return np.nan_to_num(by_p).astype(np.int64), np.nan_to_num(by_c).astype(np.int64)


def _previous_code(period: Period) -> str:
    return PeriodValue.parse(period.code).previous().code


def _peer_counts(groups: np.ndarray, member: np.ndarray) -> np.ndarray:
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64)
    counts = np.bincount(groups, weights=member.astype(np.float64), minlength=int(groups.max()) + 1)
    return counts[groups].astype(np.int64)


# --- putting it together -------------------------------------------------------------------------

INDICATOR_COLUMNS = (
    "indicator_id",
    "org_unit_id",
    "period_id",
    "value",
    "basis",
    "channels",
    "target",
    "target_year",
    "milestone",
    "start",
    "projected",
    "reference",
    "status",
    "score",
)
INDEX_COLUMNS = (
    "methodology_id",
    "org_unit_id",
    "period_id",
    "pillar",
    "value",
    "rank_period",
    "previous_rank_period",
    "peers_period",
    "rank_current",
    "previous_rank_current",
    "peers_current",
    "inputs_expected",
    "inputs_reported",
    "inputs_carried",
    "reports_state",
)


@dataclass
class RecomputeSummary:
    years: list[int] = field(default_factory=list)
    units: int | None = None
    element_figures: int = 0
    indicator_values: int = 0
    index_values: int = 0
    seconds: float = 0.0


def _stored_indicator_rows(
    yp: YearPeriods,
    *,
    exclude_units: np.ndarray | None = None,
    only_units: np.ndarray | None = None,
    periods: list[int] | None = None,
):
    """Stored indicator values of the year (or of some of its periods, by local index) as columns."""
    pks = [p.pk for p in yp.periods] if periods is None else [yp.periods[i].pk for i in periods]
    where = [_in("period_id", pks)]
    if exclude_units is not None and len(exclude_units):
        where.append(_in("org_unit_id", exclude_units.tolist(), negate=True))
    if only_units is not None:
        where.append(_in("org_unit_id", only_units.tolist()))
    value_columns = [*VALUE_KEY, ("value", []), _case("basis", BASIS_NUMBERS), ("channels", [])]
    indicator, unit, period, value, basis, channels = read_columns(*_query(VALUES, value_columns, where), "iiifii")
    return indicator, unit, _local(yp.index, period), value, basis.astype(np.int8), channels


def _changed_periods(fresh: tuple, stored: tuple) -> list[int]:
    """The periods (local indices) where the fresh values of some units differ from those stored."""

    def by_period(columns):
        rows = defaultdict(set)
        for i, u, p, v, b, c in zip(*(c.tolist() for c in columns), strict=True):
            rows[p].add((i, u, v, b, c))
        return rows

    new, old = by_period(fresh), by_period(stored)
    return sorted(p for p in new.keys() | old.keys() if new.get(p) != old.get(p))


def _yearly_values(ctx: Context, year: int, units: np.ndarray) -> Lookup:
    """(indicator, unit) -> value for the year's yearly period (a next year's start values), for
    the units given (all of them when they are many: then one scan beats a long IN list)."""
    pks = list(Period.objects.filter(code=str(year)).values_list("pk", flat=True))
    where = [_in("period_id", pks)]
    if len(units) <= MAX_SOURCE_FILTER:
        where.append(_in("org_unit_id", units.tolist()))
    columns = [("indicator_id", []), ("org_unit_id", []), ("value", [])]
    indicator, unit, value = read_columns(*_query(VALUES, columns, where), "iif")
    return Lookup(_pair_key(ctx, indicator, unit), value)


def _scores_for_index(
    ctx: Context, years: list[int], only_codes: set[str], fresh: tuple[np.ndarray, ...], fresh_pks: set[int]
) -> ScoreTable:
    """Scores of the periods named (within the years), and every unit scored in them: those of
    the periods just judged from memory (`fresh`: indicator, unit, period pk and score columns
    for every unit of the periods `fresh_pks`, about to be stored), the others as stored."""
    codes = dict(
        Period.objects.filter(
            start_date__gte=dt.date(min(years), 1, 1), start_date__lte=dt.date(max(years), 12, 31)
        ).values_list("pk", "code")
    )
    wanted = [pk for pk, code in codes.items() if code in only_codes]
    scored = ("score IS NOT NULL", [])
    stored_pks = [pk for pk in wanted if pk not in fresh_pks]
    indicator, unit, period, score = read_columns(
        *_query(VALUES, [*VALUE_KEY, ("score", [])], [_in("period_id", stored_pks), scored]), "iiif"
    )
    fresh_indicator, fresh_unit, fresh_period, fresh_score = fresh
    use = np.isin(fresh_period, wanted) & ~np.isnan(fresh_score)
    indicator = np.concatenate([indicator, fresh_indicator[use]])
    unit = np.concatenate([unit, fresh_unit[use]])
    period = np.concatenate([period, fresh_period[use]])
    score = np.concatenate([score, fresh_score[use]])
    # Units without a score in these periods would only add rows of NaN, which get no index.
    units = np.unique(unit)
    return ScoreTable(
        lookup=Lookup(_score_key(ctx, indicator, unit, period), score),
        units=units,
        period_pk={code: pk for pk, code in codes.items()},
    )


def _ranks_stored(codes: list[str]) -> dict:
    """Ranks stored for the periods named (previous-rank references):
    (pillar, period code) -> (units, rank in the period's structure, rank in today's)."""
    rows = IndexValue.objects.filter(period__code__in=codes).values_list(
        "pillar", "period__code", "org_unit_id", "rank_period", "rank_current"
    )
    grouped = defaultdict(list)
    for pillar, code, unit, rank_p, rank_c in rows:
        grouped[(pillar, code)].append((unit, rank_p or 0, rank_c or 0))
    return {
        key: tuple(np.array(c, dtype=np.int64) for c in zip(*values, strict=True)) for key, values in grouped.items()
    }


def _index_periods(ctx: Context, yp: YearPeriods, changed: list[int] | None) -> list[Period]:
    """The year's index periods to redo: all, or those whose inputs changed — a month (a
    quarter) whose input period of some indicator type changed, and every later month (quarter),
    whose previous ranks follow, and the year when the year's values changed."""
    months = sorted((p for p in yp.periods if p.period_type == "MONTHLY"), key=lambda p: p.start_date)
    quarters = sorted((p for p in yp.periods if p.period_type == "QUARTERLY"), key=lambda p: p.start_date)
    year = [p for p in yp.periods if p.period_type == "YEARLY"]
    if changed is None:
        return months + quarters + year
    codes = {yp.periods[i].code for i in changed}
    ranks = sorted(set(ctx.finest_rank.values()))

    def from_first_changed(periods: list[Period]) -> list[Period]:
        first = next(
            (n for n, p in enumerate(periods) if any(_index_input(p, r) in codes for r in ranks)), len(periods)
        )
        return periods[first:]

    return from_first_changed(months) + from_first_changed(quarters) + [p for p in year if p.code in codes]


@transaction.atomic
def evaluate_year(ctx: Context, year: int, *, targets: np.ndarray | None, narrow: bool = False) -> tuple[int, int, int]:
    """Recompute one year: figures and values for the targets (None: every unit; an empty array:
    none), then judgement, index and ranks for every unit. With `narrow` (a refresh of the
    year whose values changed), judgement and index are redone only for the periods where the
    targets' values changed. Only rows that change are written; returns how many were written."""
    plan_for_large_reads()
    yp = year_periods(year)
    pks = yp.pks
    written_figures = 0
    changed: list[int] | None = None  # None: every period of the year
    if targets is None or len(targets):
        figures, values, own = compute_figures(ctx, yp, targets)
        written_figures = _write_figures(yp, figures.select(~own), targets)
        _write_group_values(ctx, yp, diff=targets is not None)
        fresh = (values.item, values.unit, values.period, values.value, values.basis, values.channels)
        if targets is None:
            columns = fresh
        elif narrow:
            changed = _changed_periods(fresh, _stored_indicator_rows(yp, only_units=targets))
            if not changed:
                return written_figures, 0, 0
            in_changed = np.isin(values.period, changed)
            kept = _stored_indicator_rows(yp, exclude_units=targets, periods=changed)
            columns = tuple(np.concatenate([f[in_changed], k]) for f, k in zip(fresh, kept, strict=True))
        else:
            kept = _stored_indicator_rows(yp, exclude_units=targets)
            columns = tuple(np.concatenate(pair) for pair in zip(fresh, kept, strict=True))
    else:
        columns = _stored_indicator_rows(yp)
    judged = judge(ctx, yp, *columns, previous_year=_yearly_values(ctx, year - 1, np.unique(columns[1])))
    periods = list(range(len(yp.periods))) if changed is None else changed
    _deleted, written_values = replace_rows(
        IndicatorValue,
        diff=targets is not None,
        scope={"period_id__in": pks[periods].tolist()},
        names=INDICATOR_COLUMNS,
        columns=(
            judged.indicator,
            judged.unit,
            pks[judged.period],
            judged.value,
            _codes(BASIS_CODES, judged.basis),
            judged.channels,
            judged.target,
            np.where(judged.target_year > 0, judged.target_year, None),
            judged.milestone,
            judged.start,
            judged.projected,
            judged.reference,
            judged.status,
            judged.score,
        ),
    )
    fresh_scores = (judged.indicator, judged.unit, pks[judged.period], judged.score)
    written_index = _write_index(
        ctx, yp, _index_periods(ctx, yp, changed), fresh_scores, set(pks[periods].tolist()), diff=targets is not None
    )
    return written_figures, written_values, written_index


def _write_figures(yp: YearPeriods, figures: Figures, targets: np.ndarray | None) -> int:
    scope = {"period_id__in": yp.pks.tolist()}
    if targets is not None:
        scope["org_unit_id__in"] = targets.tolist()
    _deleted, written = replace_rows(
        ElementFigure,
        diff=targets is not None,
        scope=scope,
        names=("data_element_id", "org_unit_id", "period_id", "value", "basis", "channels"),
        columns=(
            figures.item,
            figures.unit,
            yp.pks[figures.period],
            figures.value,
            _codes(BASIS_CODES, figures.basis),
            figures.channels,
        ),
    )
    return written


def _write_group_values(ctx: Context, yp: YearPeriods, *, diff: bool) -> None:
    values, members = compute_group_values(ctx, yp)
    counted = np.array(
        [members.get(k, 0) for k in zip(values.unit.tolist(), values.period.tolist(), strict=True)], dtype=np.int64
    )
    replace_rows(
        GroupIndicatorValue,
        diff=diff,
        scope={"period_id__in": yp.pks.tolist()},
        names=("indicator_id", "group_id", "period_id", "value", "members", "channels"),
        columns=(values.item, values.unit, yp.pks[values.period], values.value, counted, values.channels),
    )


def _write_index(
    ctx: Context,
    yp: YearPeriods,
    periods: list[Period],
    fresh_scores: tuple[np.ndarray, ...],
    fresh_pks: set[int],
    *,
    diff: bool,
) -> int:
    if not periods:
        return 0
    # Only the scores the index reads: each period's own and its as-of periods' (the latest
    # ended quarter or year, which reach back into last year), not two whole years of them.
    ranks = sorted(set(ctx.finest_rank.values()))
    codes = {p.code for p in periods} | {c for p in periods for r in ranks if (c := _as_of(p, r))}
    carry = max((m.carry_periods for m, _w in ctx.methodologies), default=0)
    codes |= {c for code in list(codes) for c in _earlier_codes(code, carry) if c}
    scores = _scores_for_index(ctx, [yp.year - 1, yp.year], codes, fresh_scores, fresh_pks)
    before = [_previous_code(p) for p in periods]
    columns = compute_index(ctx, yp, scores, _ranks_stored(before), periods, report_states(ctx, yp))
    _deleted, written = replace_rows(
        IndexValue,
        diff=diff,
        scope={"period_id__in": [p.pk for p in periods]},
        names=INDEX_COLUMNS,
        columns=columns,
    )
    return written


@transaction.atomic
def report_states_refresh(pairs: Iterable[tuple[int, int]]) -> int:
    """Rewrite the index of the periods a report step touched ((unit id, report period id)
    pairs): its month, quarter and year, for every unit (only rows that change are written),
    so the rows' report state (provisional, final, accepted) follows the workflow. Values and
    scores are unchanged; returns how many index rows were written."""
    pairs = list(pairs)
    reported = {p.pk: p for p in Period.objects.filter(pk__in={period for _u, period in pairs})}
    ctx = context_load()
    written = 0
    for year in sorted({p.start_date.year for p in reported.values()}):
        yp = year_periods(year)
        inside = [p for p in reported.values() if p.start_date.year == year]
        periods = [
            p
            for p in _index_periods(ctx, yp, None)
            if any(p.start_date <= r.start_date and r.end_date <= p.end_date for r in inside)
        ]
        empty = tuple(np.zeros(0, dtype=np.int64) for _ in range(3)) + (np.zeros(0),)
        written += _write_index(ctx, yp, periods, empty, set(), diff=True)
    return written


def data_years() -> list[int]:
    """The years that have reported values, in order."""
    # Over the periods (a few hundred) that have a value, not over every value (millions).
    with_values = Period.objects.filter(Exists(DataValue.objects.filter(period=OuterRef("pk"))))
    bounds = with_values.aggregate(first=Min("start_date"), last=Max("start_date"))
    if bounds["first"] is None:
        return []
    return list(range(bounds["first"].year, bounds["last"].year + 1))


def evaluation_recompute(*, years: Iterable[int] | None = None, progress: Progress | None = None) -> RecomputeSummary:
    """Recompute everything (or the given years and the one after each) for every unit."""
    started = timezone.now()
    ctx = context_load()
    all_years = data_years()
    chosen = sorted(set(years)) if years is not None else all_years
    summary = RecomputeSummary(years=chosen)
    for n, year in enumerate(chosen, 1):
        f, v, i = evaluate_year(ctx, year, targets=None)
        summary.element_figures += f
        summary.indicator_values += v
        summary.index_values += i
        if progress:
            progress(str(year), n, len(chosen))
    if years is not None:
        # Later years carry these years' yearly figures and take their start values and previous
        # ranks from them.
        for year in sorted({y + 1 for y in chosen} - set(chosen)):
            if all_years and year <= all_years[-1]:
                evaluate_year(ctx, year, targets=None)
    analyze(ElementFigure, IndicatorValue, IndexValue, GroupIndicatorValue)  # millions of rows rewritten
    summary.seconds = (timezone.now() - started).total_seconds()
    return summary


def evaluation_refresh(*, changes: Iterable[tuple[int, int]]) -> RecomputeSummary:
    """Bring results up to date after values changed: `changes` are (unit id, period id) pairs.

    Recomputes the affected units (the changed units, everything they count towards) in the
    changed years, then judgement, index and ranks of those years and the next."""
    started = timezone.now()
    changes = list(changes)
    if not changes:
        return RecomputeSummary()
    ctx = context_load()
    period_years = dict(Period.objects.filter(pk__in={p for _u, p in changes}).values_list("pk", "start_date__year"))
    by_year: dict[int, set[int]] = defaultdict(set)
    for unit, period in changes:
        if period in period_years:
            by_year[period_years[period]].add(unit)
    # A year's figures carry last year's yearly figures and its judgement starts from last
    # year's values: a change also redoes the next year for the same units.
    last_year = max(data_years() or [0])
    years = sorted(set(by_year) | {y + 1 for y in by_year if y + 1 <= last_year})
    summary = RecomputeSummary(years=years)
    affected_all: set[int] = set()
    for year in years:
        units = by_year.get(year, set()) | by_year.get(year - 1, set())
        targets = ctx.contributors.targets_of(units)
        affected_all |= set(targets.tolist())
        # The year whose values changed is narrowed to the periods that did; the next one (new
        # start values for every period) is redone whole.
        f, v, i = evaluate_year(ctx, year, targets=targets, narrow=year in by_year and year - 1 not in by_year)
        summary.element_figures += f
        summary.indicator_values += v
        summary.index_values += i
    summary.units = len(affected_all)
    summary.seconds = (timezone.now() - started).total_seconds()
    log.info("evaluation refresh: %s", summary)
    return summary
