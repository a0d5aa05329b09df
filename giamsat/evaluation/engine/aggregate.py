"""From reported figures to every unit's and period's figures and indicator values.

Three vectorised steps over whole columns (numpy; no loop per value):

1. **Across units** (:func:`map_values`): each reported value counts towards the units of the
   contributor map (itself, the units above it, its successors), weighted; per data element
   the counts are summed (SUM, SUM_LAST, LAST), averaged with the weights (AVERAGE) or the
   largest is taken (MAX). A yes/no figure with a lineage rule is never summed through a
   restructuring: the former units' answers give all / any / the share of them.
2. **Over time** (:func:`roll_up_time`): months into quarters and years, quarters into
   years, by the element's aggregation: flows (SUM) add up, stocks (SUM_LAST, LAST) take
   the latest period's value, AVERAGE takes the mean, MAX the largest. For stocks a unit
   made of several takes each contributor's own latest value within the period
   (:func:`stock_roll_up`: a former province that last reported in November still counts
   in the year, with November's figure), not only those that reported in the last month.
3. **Indicators** (:func:`evaluate_indicators`): each indicator's compiled expression over
   the columns of its inputs, at its own period types (the finest of its inputs', then every
   coarser one). An input reported for a coarser period (yearly population in a quarterly
   rate) is carried into the finer periods it contains; until the year's figure is reported,
   last year's is carried. Rates are computed from the rolled-up numerators and denominators,
   never averaged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .contributors import ContributorMap

# Aggregation codes as small integers (the catalogue's Aggregation choices).
AGG_SUM, AGG_SUM_LAST, AGG_AVERAGE, AGG_LAST, AGG_MAX = range(5)
AGGREGATION_CODES = {"SUM": AGG_SUM, "SUM_LAST": AGG_SUM_LAST, "AVERAGE": AGG_AVERAGE, "LAST": AGG_LAST, "MAX": AGG_MAX}
# Lineage rules of yes/no figures as small integers (0: none, counted like any other figure).
RULE_NONE, RULE_ALL, RULE_ANY, RULE_SHARE = range(4)
LINEAGE_RULE_CODES = {"": RULE_NONE, "ALL": RULE_ALL, "ANY": RULE_ANY, "SHARE": RULE_SHARE}
LINEAGE_KIND = 2  # contributors.LINEAGE
# Period types as ranks, finest first.
RANKS = {"WEEKLY": 0, "MONTHLY": 1, "QUARTERLY": 2, "YEARLY": 3}
TYPES = {rank: name for name, rank in RANKS.items()}


@dataclass
class PeriodTable:
    """The periods in play, by index: start and end (ordinals), type rank, and for each rank
    the index of the containing period of that rank (-1 where none is in the table)."""

    start: np.ndarray
    end: np.ndarray
    rank: np.ndarray
    parent: np.ndarray  # shape (4, n): parent[r, i] = index of the rank-r period containing i
    # Where an input of rank r has no figure for the containing period (this year's population
    # not published yet), the period whose figure is carried instead (last year's), or -1.
    fallback: np.ndarray | None = None
    # Periods whose indicator values are computed; False for periods only there to be carried.
    evaluated: np.ndarray | None = None


@dataclass
class Figures:
    """Figures keyed by (item, unit, period index): values with where they came from."""

    item: np.ndarray
    unit: np.ndarray
    period: np.ndarray
    value: np.ndarray
    basis: np.ndarray  # 0 reported by the unit, 1 rolled up from units below, 2 through lineage
    channels: np.ndarray  # bit mask of the channels the underlying values came through

    def __len__(self) -> int:
        return len(self.item)

    @classmethod
    def empty(cls) -> Figures:
        i = np.zeros(0, dtype=np.int64)
        return cls(i, i.copy(), i.copy(), np.zeros(0), np.zeros(0, dtype=np.int8), np.zeros(0, dtype=np.int64))

    @classmethod
    def concat(cls, parts: Sequence[Figures]) -> Figures:
        parts = [p for p in parts if len(p)] or [cls.empty()]
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in _FIGURE_FIELDS))

    def select(self, mask: np.ndarray) -> Figures:
        return Figures(*(getattr(self, f)[mask] for f in _FIGURE_FIELDS))


_FIGURE_FIELDS = ("item", "unit", "period", "value", "basis", "channels")


def _group_starts(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sort order by the keys (first key most significant) and where each run of equal keys starts."""
    order = np.lexsort(tuple(reversed(keys)))
    if len(order) == 0:
        return order, np.zeros(0, dtype=np.int64)
    change = np.zeros(len(order), dtype=bool)
    change[0] = True
    for key in keys:
        sorted_key = key[order]
        change[1:] |= sorted_key[1:] != sorted_key[:-1]
    return order, np.flatnonzero(change)


def first_per_key(figures: Figures) -> Figures:
    """One figure per (item, unit, period), the first given for each, sorted by that key."""
    order, starts = _group_starts(figures.item, figures.unit, figures.period)  # a stable sort
    return figures.select(order[starts])


def _reduce(
    order: np.ndarray, starts: np.ndarray, agg: np.ndarray, value: np.ndarray, weight: np.ndarray, recency: np.ndarray
) -> np.ndarray:
    """One value per group by the group's aggregation code (taken from its first row).

    Across units (`recency` None) stocks add up like flows; over time (`recency` gives each
    row's period start) a stock takes its most recent value."""
    v, w = value[order], weight[order]
    weighted_sum = np.add.reduceat(v * w, starts)
    weight_sum = np.add.reduceat(w, starts)
    largest = np.maximum.reduceat(v, starts)
    # The most recent row of each group: sort within groups by recency, take the group's last row.
    ends = np.append(starts[1:], len(order)) - 1
    last = weighted_sum if recency is None else _latest(order, starts, ends, v, recency)
    code = agg[order][starts]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = weighted_sum / weight_sum
    return np.select(
        [code == AGG_AVERAGE, code == AGG_MAX, (code == AGG_SUM_LAST) | (code == AGG_LAST)],
        [mean, largest, last],
        default=weighted_sum,
    )


def _latest(order, starts, ends, v, recency) -> np.ndarray:
    group = np.repeat(np.arange(len(starts)), np.diff(np.append(starts, len(order))))
    inner = np.lexsort((recency[order], group))  # by group, then by recency
    return v[inner][ends]


def map_values(
    *,
    element: np.ndarray,
    source: np.ndarray,
    period: np.ndarray,
    value: np.ndarray,
    aggregation: np.ndarray,
    contributors: ContributorMap,
    periods: PeriodTable,
    channel: np.ndarray | None = None,
    lineage_rule: np.ndarray | None = None,
) -> Figures:
    """Step 1: every reported value counted towards every unit it contributes to.

    `aggregation` gives each element's aggregation code, indexed by element id; `channel` each
    value's channel as a bit (1, 2, 4, ...), kept as a mask of where figures came from;
    `lineage_rule` each element's rule for figures made through restructuring (RULE_*)."""
    if channel is None:
        channel = np.zeros(len(source), dtype=np.int64)
    lo = np.searchsorted(contributors.source, source, side="left")
    hi = np.searchsorted(contributors.source, source, side="right")
    counts = hi - lo
    row = np.repeat(np.arange(len(source)), counts)
    offsets = np.arange(len(row)) - np.repeat(np.cumsum(counts) - counts, counts)
    link = np.repeat(lo, counts) + offsets
    p = period[row]
    start, end = periods.start[p], periods.end[p]
    keep = (
        (start <= contributors.source_to[link])
        & (end >= contributors.source_from[link])
        & (end >= contributors.end_from[link])
        & (end <= contributors.end_to[link])
    )
    row, link, p = row[keep], link[keep], p[keep]
    if len(row) == 0:
        return Figures.empty()
    elements = element[row]
    targets = contributors.target[link]
    order, starts = _group_starts(elements, targets, p)
    agg = aggregation[elements]
    values = _reduce(order, starts, agg, value[row], contributors.weight[link], None)
    basis = np.maximum.reduceat(contributors.kind[link][order], starts)
    channels = np.bitwise_or.reduceat(channel[row][order], starts)
    first = order[starts]
    if lineage_rule is not None:
        # A period's contributions to a unit are all its own and its units' below, or all its
        # former units' (lineage covers only the periods before the unit began): never mixed.
        rule = np.where(basis == LINEAGE_KIND, lineage_rule[elements[first]], RULE_NONE)
        if (rule != RULE_NONE).any():
            v, w = value[row][order], contributors.weight[link][order]
            with np.errstate(invalid="ignore", divide="ignore"):
                share = np.add.reduceat(v * w, starts) / np.add.reduceat(w, starts)
            values = np.select(
                [rule == RULE_ALL, rule == RULE_ANY, rule == RULE_SHARE],
                [np.minimum.reduceat(v, starts), np.maximum.reduceat(v, starts), share],
                default=values,
            )
    return Figures(elements[first], targets[first], p[first], values, basis.astype(np.int8), channels)


def roll_up_time(native: Figures, *, aggregation: np.ndarray, periods: PeriodTable) -> Figures:
    """Step 2: the native figures plus their roll-ups into every coarser period type."""
    parts = [native]
    native_rank = periods.rank[native.period]
    for rank in (RANKS["MONTHLY"], RANKS["QUARTERLY"], RANKS["YEARLY"]):
        finer = native_rank < rank
        if not finer.any():
            continue
        part = native.select(finer)
        parent = periods.parent[rank, part.period]
        inside = parent >= 0
        part, parent = part.select(inside), parent[inside]
        if len(part) == 0:
            continue
        order, starts = _group_starts(part.item, part.unit, parent)
        values = _reduce(
            order, starts, aggregation[part.item], part.value, np.ones(len(part)), periods.start[part.period]
        )
        basis = np.maximum.reduceat(part.basis[order], starts)
        channels = np.bitwise_or.reduceat(part.channels[order], starts)
        first = order[starts]
        parts.append(
            Figures(part.item[first], part.unit[first], parent[first], values, basis.astype(np.int8), channels)
        )
    return Figures.concat(parts)


def is_stock(aggregation: np.ndarray) -> np.ndarray:
    """Per element (by id): whether its figure is a stock, whose coarser periods take the last value."""
    return (aggregation == AGG_SUM_LAST) | (aggregation == AGG_LAST)


def roll_up_figures(
    native: Figures,
    reported: Figures,
    *,
    aggregation: np.ndarray,
    periods: PeriodTable,
    contributors: ContributorMap,
    lineage_rule: np.ndarray | None = None,
) -> Figures:
    """Step 2 for every element: the native figures (first, in their order), then the coarser
    periods' — flows, averages and maxima rolled up from the units' native figures, stocks
    from each contributor's own latest value within the period (:func:`stock_roll_up`).
    `reported` holds the values as reported (unit = the reporting unit, basis 0)."""
    stock = is_stock(aggregation)
    flows = native.select(~stock[native.item])
    coarser_flows = roll_up_time(flows, aggregation=aggregation, periods=periods)
    coarser_flows = coarser_flows.select(np.arange(len(coarser_flows)) >= len(flows))
    coarser_stocks = stock_roll_up(
        reported.select(stock[reported.item]),
        aggregation=aggregation,
        periods=periods,
        contributors=contributors,
        lineage_rule=lineage_rule,
    )
    return Figures.concat([native, coarser_flows, coarser_stocks])


def stock_roll_up(
    reported: Figures,
    *,
    aggregation: np.ndarray,
    periods: PeriodTable,
    contributors: ContributorMap,
    lineage_rule: np.ndarray | None = None,
) -> Figures:
    """Stocks over coarser periods: each reporting unit's latest value within the period, then
    counted towards the units it contributes to. A former province whose last report of the
    year is November's counts with November's figure; summing the units' December figures
    would drop it."""
    per_source = roll_up_time(reported, aggregation=aggregation, periods=periods)
    coarser = per_source.select(np.arange(len(per_source)) >= len(reported))
    if len(coarser) == 0:
        return Figures.empty()
    return map_values(
        element=coarser.item,
        source=coarser.unit,
        period=coarser.period,
        value=coarser.value,
        aggregation=aggregation,
        contributors=contributors,
        periods=periods,
        channel=coarser.channels,
        lineage_rule=lineage_rule,
    )


@dataclass(frozen=True)
class IndicatorSpec:
    id: int
    expression: object  # a CompiledExpression
    inputs: Mapping[str, int]  # code -> element id
    input_ranks: Mapping[str, int]  # code -> native period rank


def evaluation_ranks(spec: IndicatorSpec) -> list[int]:
    """The period types an indicator is computed at: its finest input's, then every coarser one."""
    if not spec.input_ranks:
        return []
    finest = min(spec.input_ranks.values())
    return [r for r in range(finest, RANKS["YEARLY"] + 1) if r != RANKS["WEEKLY"] or finest == RANKS["WEEKLY"]]


def evaluate_indicators(
    specs: Sequence[IndicatorSpec], figures: Figures, *, periods: PeriodTable, n_units: int
) -> Figures:
    """Step 3: indicator values for every (unit, period) where one of its inputs has a figure."""
    n_periods = len(periods.start)
    key = figures.unit * n_periods + figures.period
    by_element: dict[int, tuple[np.ndarray, ...]] = {}
    order = np.lexsort((key, figures.item))
    items_sorted = figures.item[order]
    bounds = np.flatnonzero(np.diff(items_sorted)) + 1
    for chunk in np.split(order, bounds):
        if len(chunk):
            by_element[int(figures.item[chunk[0]])] = (
                key[chunk],
                figures.value[chunk],
                figures.basis[chunk],
                figures.channels[chunk],
            )
    results = []
    for spec in specs:
        for rank in evaluation_ranks(spec):
            own = [code for code, r in spec.input_ranks.items() if r <= rank]
            candidate = [by_element[spec.inputs[c]][0] for c in own if spec.inputs[c] in by_element]
            if not candidate:
                continue
            keys = np.unique(np.concatenate(candidate))
            wanted = periods.rank[keys % n_periods] == rank
            if periods.evaluated is not None:
                wanted &= periods.evaluated[keys % n_periods]
            keys = keys[wanted]
            if len(keys) == 0:
                continue
            units, period_index = keys // n_periods, keys % n_periods
            columns, basis = {}, np.zeros(len(keys), dtype=np.int8)
            channels = np.zeros(len(keys), dtype=np.int64)
            for code, element in spec.inputs.items():
                if element not in by_element:
                    continue
                native = spec.input_ranks[code]
                lookup = keys if native <= rank else units * n_periods + periods.parent[native, period_index]
                valid = lookup >= 0 if native <= rank else periods.parent[native, period_index] >= 0
                column, found_basis, found_channels = _lookup(by_element[element], lookup, valid)
                if native > rank and periods.fallback is not None:
                    carried = periods.fallback[native, period_index]
                    gap = np.isnan(column) & (carried >= 0)
                    if gap.any():
                        older, older_basis, older_channels = _lookup(
                            by_element[element], units * n_periods + carried, carried >= 0
                        )
                        column = np.where(gap, older, column)
                        found_basis = np.where(gap, older_basis, found_basis)
                        found_channels = np.where(gap, older_channels, found_channels)
                columns[code] = column
                basis = np.maximum(basis, found_basis)
                channels |= found_channels
            values = spec.expression.evaluate_columns(columns, len(keys))
            finite = np.isfinite(values)
            results.append(
                Figures(
                    np.full(int(finite.sum()), spec.id, dtype=np.int64),
                    units[finite],
                    period_index[finite],
                    values[finite],
                    basis[finite],
                    channels[finite],
                )
            )
    return Figures.concat(results)


def _lookup(table: tuple[np.ndarray, ...], keys: np.ndarray, valid: np.ndarray):
    sorted_keys, values, basis, channels = table
    position = np.searchsorted(sorted_keys, keys)
    position = np.minimum(position, len(sorted_keys) - 1)
    hit = valid & (sorted_keys[position] == keys)
    return (
        np.where(hit, values[position], np.nan),
        np.where(hit, basis[position], 0).astype(np.int8),
        np.where(hit, channels[position], 0),
    )
