"""The aggregation engine on a small made-up registry: no database.

VN ─ A (until 2025-06-30) ─ a1, a2 (communes)
   ─ B (until 2025-06-30) ─ b1
   ─ AB (from 2025-07-01, formed from A and B) ─ n1 (area 30), n2 (area 10)
a1 went whole to n1, b1 whole to n2, and a2 was split between n1 and n2 with no recorded
shares, so by area: 3/4 and 1/4.
"""

import datetime as dt

import numpy as np
import pytest

from giamsat.catalog.engine.expressions import compile_expression
from giamsat.core.periods import Period
from giamsat.evaluation.engine.aggregate import (
    AGGREGATION_CODES,
    LINEAGE_RULE_CODES,
    RANKS,
    Figures,
    IndicatorSpec,
    PeriodTable,
    evaluate_indicators,
    map_values,
    roll_up_figures,
    roll_up_time,
)
from giamsat.evaluation.engine.contributors import LINEAGE, ROLLUP, SELF, LinkFacts, UnitFacts, contributor_map

MERGER = dt.date(2025, 7, 1)
END_63 = dt.date(2025, 6, 30)
UNITS = [
    UnitFacts(1, "VN/", "VN", None, None),
    UnitFacts(2, "VN/A/", "A", None, END_63),
    UnitFacts(3, "VN/A/a1/", "a1", None, END_63),
    UnitFacts(4, "VN/A/a2/", "a2", None, END_63),
    UnitFacts(5, "VN/B/", "B", None, END_63),
    UnitFacts(6, "VN/B/b1/", "b1", None, END_63),
    UnitFacts(7, "VN/AB/", "AB", MERGER, None),
    UnitFacts(8, "VN/AB/n1/", "n1", MERGER, None, area=30.0),
    UnitFacts(9, "VN/AB/n2/", "n2", MERGER, None, area=10.0),
]
LINKS = [
    LinkFacts(2, 7, 1.0),
    LinkFacts(5, 7, 1.0),
    LinkFacts(3, 8, 1.0),
    LinkFacts(4, 8, None),  # split: shares by area, 30/40 and 10/40
    LinkFacts(4, 9, None),
    LinkFacts(6, 9, 1.0),
]
CODES = {u.code: u.id for u in UNITS}


@pytest.fixture(scope="module")
def cmap():
    return contributor_map(UNITS, LINKS)


def periods_of(codes: list[str]) -> tuple[PeriodTable, dict[str, int]]:
    values = [Period.parse(c) for c in codes]
    index = {p.code: i for i, p in enumerate(values)}
    parent = np.full((4, len(values)), -1, dtype=np.int64)
    for i, p in enumerate(values):
        for rank, kind in ((1, "MONTHLY"), (2, "QUARTERLY"), (3, "YEARLY")):
            if rank > RANKS[p.type]:
                parent[rank, i] = index.get(Period.containing(kind, p.start).code, -1)
    table = PeriodTable(
        start=np.array([p.start.toordinal() for p in values]),
        end=np.array([p.end.toordinal() for p in values]),
        rank=np.array([RANKS[p.type] for p in values]),
        parent=parent,
    )
    return table, index


def figures_for(cmap, rows, aggregation="SUM", periods=None, lineage_rule=""):
    """rows: (unit code, period code, value) of one element (id 0), through steps 1 and 2 as the
    evaluation runs them."""
    table, index = periods
    agg = np.array([AGGREGATION_CODES[aggregation]])
    rule = np.array([LINEAGE_RULE_CODES[lineage_rule]])
    n = len(rows)
    reported = Figures(
        np.zeros(n, dtype=np.int64),
        np.array([CODES[u] for u, _p, _v in rows], dtype=np.int64),
        np.array([index[p] for _u, p, _v in rows], dtype=np.int64),
        np.array([v for _u, _p, v in rows], dtype=float),
        np.zeros(n, dtype=np.int8),
        np.zeros(n, dtype=np.int64),
    )
    native = map_values(
        element=reported.item,
        source=reported.unit,
        period=reported.period,
        value=reported.value,
        aggregation=agg,
        contributors=cmap,
        periods=table,
        lineage_rule=rule,
    )
    figures = roll_up_figures(native, reported, aggregation=agg, periods=table, contributors=cmap, lineage_rule=rule)
    return figures, index


def as_dict(figures, index):
    code_of = {i: c for c, i in index.items()}
    unit_of = {u.id: u.code for u in UNITS}
    return {
        (unit_of[u], code_of[p]): round(v, 9)
        for u, p, v in zip(figures.unit.tolist(), figures.period.tolist(), figures.value.tolist(), strict=True)
    }


def test_split_commune_is_shared_by_area(cmap):
    rows = [(cmap.weight[i], cmap.kind[i]) for i in range(len(cmap)) if cmap.target[i] == 8 and cmap.source[i] == 4]
    assert rows == [(pytest.approx(0.75), LINEAGE)]
    rows = [cmap.weight[i] for i in range(len(cmap)) if cmap.target[i] == 9 and cmap.source[i] == 4]
    assert rows == [pytest.approx(0.25)]


def test_a_unit_counts_towards_itself_and_its_ancestors(cmap):
    kinds = {int(cmap.target[i]): int(cmap.kind[i]) for i in range(len(cmap)) if cmap.source[i] == CODES["a1"]}
    assert kinds[CODES["a1"]] == SELF
    assert kinds[CODES["A"]] == ROLLUP and kinds[CODES["VN"]] == ROLLUP
    assert kinds[CODES["AB"]] == LINEAGE and kinds[CODES["n1"]] == LINEAGE


PERIODS = ["202505", "202506", "202507", "202508", "2025Q2", "2025Q3", "2025"]


def test_flows_through_the_merger():
    cmap = contributor_map(UNITS, LINKS)
    rows = [
        ("a1", "202506", 10),
        ("a2", "202506", 4),
        ("b1", "202506", 1),
        ("n1", "202507", 20),
        ("n2", "202507", 5),
    ]
    figures, index = figures_for(cmap, rows, "SUM", periods_of(PERIODS))
    got = as_dict(figures, index)
    # Before the merger the new units take their predecessors' figures (a2 split 3:1 by area).
    assert got[("n1", "202506")] == 13.0 and got[("n2", "202506")] == 2.0
    assert got[("AB", "202506")] == 15.0 and got[("A", "202506")] == 14.0
    # After, their own; the former units have nothing for July.
    assert got[("AB", "202507")] == 25.0 and ("A", "202507") not in got
    # The nation counts every unit once, either side of the merger.
    assert got[("VN", "202506")] == 15.0 and got[("VN", "202507")] == 25.0
    # Over time, flows add up across the merger for the new unit, and a former unit keeps its part.
    assert got[("AB", "2025")] == 40.0 and got[("VN", "2025")] == 40.0 and got[("A", "2025")] == 14.0


def test_stocks_take_the_latest_period_and_averages_the_mean():
    cmap = contributor_map(UNITS, LINKS)
    rows = [("a1", "202505", 3), ("a1", "202506", 5), ("n1", "202507", 8), ("n1", "202508", 9)]
    stocks, index = figures_for(cmap, rows, "SUM_LAST", periods_of(PERIODS))
    got = as_dict(stocks, index)
    assert got[("n1", "2025Q2")] == 5.0 and got[("n1", "2025Q3")] == 9.0 and got[("n1", "2025")] == 9.0
    means, index = figures_for(cmap, rows, "AVERAGE", periods_of(PERIODS))
    got = as_dict(means, index)
    assert got[("n1", "2025Q2")] == 4.0 and got[("n1", "2025")] == pytest.approx(6.25)
    largest, index = figures_for(cmap, rows, "MAX", periods_of(PERIODS))
    assert as_dict(largest, index)[("VN", "2025")] == 9.0


def test_a_stock_takes_each_former_units_latest_value_within_the_period():
    # Issue 13, finding 2: A last reported in May, B in June. The merged unit's quarter holds
    # both (A's May figure and B's June one), not only what was reported in the last month.
    cmap = contributor_map(UNITS, LINKS)
    rows = [("A", "202505", 60), ("B", "202505", 15), ("B", "202506", 20)]
    got = as_dict(*figures_for(cmap, rows, "SUM_LAST", periods_of(PERIODS)))
    assert got[("AB", "202506")] == 20.0  # the month: only what was reported for it
    assert got[("AB", "2025Q2")] == 80.0 and got[("VN", "2025Q2")] == 80.0
    assert got[("A", "2025Q2")] == 60.0 and got[("B", "2025Q2")] == 20.0


def test_yes_no_figures_through_a_merger_follow_the_lineage_rule_and_count_up_the_hierarchy():
    # Issue 13, finding 4: a merged province "has a DX resolution" is yes or no, never 2.
    cmap = contributor_map(UNITS, LINKS)
    both = [("A", "202506", 1), ("B", "202506", 1)]
    one = [("A", "202506", 1), ("B", "202506", 0)]
    periods = periods_of(PERIODS)
    assert as_dict(*figures_for(cmap, both, "SUM_LAST", periods, "ALL"))[("AB", "202506")] == 1.0
    assert as_dict(*figures_for(cmap, one, "SUM_LAST", periods, "ALL"))[("AB", "2025Q2")] == 0.0
    assert as_dict(*figures_for(cmap, one, "SUM_LAST", periods, "ANY"))[("AB", "2025Q2")] == 1.0
    assert as_dict(*figures_for(cmap, one, "SUM_LAST", periods, "SHARE"))[("AB", "202506")] == 0.5
    # Up the hierarchy a yes/no figure still counts the units that say yes.
    assert as_dict(*figures_for(cmap, both, "SUM_LAST", periods, "ALL"))[("VN", "202506")] == 2.0


def test_rates_come_from_summed_parts_and_coarser_inputs_are_carried():
    cmap = contributor_map(UNITS, LINKS)
    table, index = periods_of(["2024Q4", "2024"])
    agg = np.array([AGGREGATION_CODES["SUM_LAST"]] * 3)
    # element 1: households with fibre (quarterly), 2: households (quarterly), 0: population (yearly)
    rows = [(1, "a1", "2024Q4", 90), (2, "a1", "2024Q4", 100), (1, "b1", "2024Q4", 10), (2, "b1", "2024Q4", 100)]
    rows += [(0, "A", "2024", 1000), (0, "B", "2024", 3000)]
    native = map_values(
        element=np.array([r[0] for r in rows]),
        source=np.array([CODES[r[1]] for r in rows]),
        period=np.array([index[r[2]] for r in rows]),
        value=np.array([r[3] for r in rows], dtype=float),
        aggregation=agg,
        contributors=cmap,
        periods=table,
    )
    figures = roll_up_time(native, aggregation=agg, periods=table)
    specs = [
        IndicatorSpec(1, compile_expression("#{F} / #{H} * 100"), {"F": 1, "H": 2}, {"F": 2, "H": 2}),
        IndicatorSpec(2, compile_expression("#{F} / #{P} * 1000"), {"F": 1, "P": 0}, {"F": 2, "P": 3}),
    ]
    values = evaluate_indicators(specs, figures, periods=table, n_units=10)
    got = {
        (int(i), int(u), int(p)): v
        for i, u, p, v in zip(values.item, values.unit, values.period, values.value, strict=True)
    }
    # The nation's rate is 100 fibre households of 200, from the summed parts.
    assert got[(1, CODES["VN"], index["2024Q4"])] == 50.0
    assert got[(1, CODES["AB"], index["2024"])] == 50.0  # through lineage, the year from its last quarter
    # The yearly population is carried into the quarter: 100 fibre households per 4000 people.
    assert got[(2, CODES["VN"], index["2024Q4"])] == 25.0
    assert got[(2, CODES["A"], index["2024Q4"])] == 90.0


def test_figures_keep_every_channel_their_values_came_through():
    cmap = contributor_map(UNITS, LINKS)
    table, index = periods_of(PERIODS)
    agg = np.array([AGGREGATION_CODES["SUM"]])
    rows = [("a1", "202506", 1), ("b1", "202506", 2), ("n1", "202507", 3)]
    native = map_values(
        element=np.zeros(3, dtype=np.int64),
        source=np.array([CODES[u] for u, _p, _v in rows]),
        period=np.array([index[p] for _u, p, _v in rows]),
        value=np.array([v for _u, _p, v in rows], dtype=float),
        aggregation=agg,
        contributors=cmap,
        periods=table,
        channel=np.array([1, 4, 2]),  # form, API, Excel
    )
    figures = roll_up_time(native, aggregation=agg, periods=table)
    got = {(int(u), int(p)): int(c) for u, p, c in zip(figures.unit, figures.period, figures.channels, strict=True)}
    assert got[(CODES["A"], index["202506"])] == 1
    assert got[(CODES["VN"], index["202506"])] == 5
    assert got[(CODES["VN"], index["2025"])] == 7


def test_last_years_yearly_figure_is_carried_until_this_years_is_reported():
    values = [Period.parse(c) for c in ["2026Q1", "2026Q2", "2026", "2025"]]
    table = PeriodTable(
        start=np.array([p.start.toordinal() for p in values]),
        end=np.array([p.end.toordinal() for p in values]),
        rank=np.array([RANKS[p.type] for p in values]),
        parent=np.array([[-1] * 4, [-1] * 4, [-1] * 4, [2, 2, -1, -1]]),
        fallback=np.array([[-1] * 4, [-1] * 4, [-1] * 4, [3, 3, 3, -1]]),
        evaluated=np.array([True, True, True, False]),
    )
    # element 1 quarterly in both quarters; element 0 (population) reported for 2025 only.
    figures = Figures(
        item=np.array([1, 1, 0]),
        unit=np.array([5, 5, 5]),
        period=np.array([0, 1, 3]),
        value=np.array([10.0, 20.0, 1000.0]),
        basis=np.zeros(3, dtype=np.int8),
        channels=np.zeros(3, dtype=np.int64),
    )
    spec = IndicatorSpec(1, compile_expression("#{F} / #{P} * 1000"), {"F": 1, "P": 0}, {"F": 2, "P": 3})
    values = evaluate_indicators([spec], figures, periods=table, n_units=10)
    got = dict(zip(values.period.tolist(), values.value.tolist(), strict=True))
    assert got == {0: 10.0, 1: 20.0}  # last year's population carried; nothing computed for 2025 itself
