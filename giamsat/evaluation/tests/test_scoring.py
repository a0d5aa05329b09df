"""Tests of the evaluation arithmetic (no Django models, no database)."""

import ast
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from giamsat.evaluation.choices import Status
from giamsat.evaluation.engine import scoring
from giamsat.evaluation.engine.scoring import (
    DTI_2022_WEIGHTS,
    STATUS_ACHIEVED,
    STATUS_AT_RISK,
    STATUS_NO_DATA,
    STATUS_NO_TARGET,
    STATUS_OFF_TRACK,
    STATUS_ON_TRACK,
    classify,
    competition_rank,
    dti_index,
    milestone,
    peer_minmax_score,
    peer_worst,
    present_in_groups,
    project_year_end,
    score_to_target,
    weighted_mean_with_gaps,
)
from giamsat.testing.properties import examples

NAN = float("nan")


def assert_same(actual, expected):
    """Equal values, NaN where NaN is expected."""
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=1e-12)


def test_module_is_pure():
    tree = ast.parse(Path(scoring.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    top = {name.split(".")[0] for name in imported}
    assert top <= set(sys.stdlib_module_names) | {"numpy", "__future__"}, top


def test_status_constants_match_choices():
    constants = {
        STATUS_ACHIEVED,
        STATUS_ON_TRACK,
        STATUS_AT_RISK,
        STATUS_OFF_TRACK,
        STATUS_NO_DATA,
        STATUS_NO_TARGET,
    }
    assert constants == set(Status.values)


# ---------------------------------------------------------------------------------------------------------------
# milestone


@pytest.mark.parametrize(
    ("start", "goal", "start_year", "goal_year", "year", "expected"),
    [
        (40, 80, 2020, 2025, 2022, 56),  # 40 + 40 × 2/5
        (40, 80, 2020, 2025, 2020, 40),  # the starting year: the starting value
        (40, 80, 2020, 2025, 2019, 40),  # before the starting year: still the starting value
        (40, 80, 2020, 2025, 2025, 80),  # the goal year: the goal
        (40, 80, 2020, 2025, 2030, 80),  # past the goal year: the goal
        (20, 5, 2020, 2025, 2023, 11),  # lower is better: 20 - 15 × 3/5
        (NAN, 80, 2020, 2025, 2022, 80),  # no starting value: the goal
        (40, NAN, 2020, 2025, 2022, NAN),  # no goal: no milestone
        (40, 80, 2025, 2025, 2025, 80),  # goal due the starting year
        (40, 80, 2025, 2025, 2024, 40),
        (40, 80, 2020, 2025, NAN, NAN),
        (0.1, 0.7, 2021, 2024, 2024, 0.7),  # exactly the goal, no float drift
    ],
)
def test_milestone(start, goal, start_year, goal_year, year, expected):
    result = milestone(start, goal, start_year, goal_year, year)
    assert_same(result, expected)
    if expected == goal:
        assert result == goal


def test_milestone_broadcasts():
    result = milestone([40, NAN, 10], 80, 2020, [2025, 2025, 2030], np.array([2022, 2022, 2025]))
    assert_same(result, [56, 80, 45])


# ---------------------------------------------------------------------------------------------------------------
# project_year_end


@pytest.mark.parametrize(
    ("value", "start", "months", "expected"),
    [
        (55, 40, 3, 100),  # the first quarter's +15 over the whole year: +60
        (45, 40, 6, 50),
        (18, 20, 6, 16),  # falling values fall further
        (55, 40, 12, 55),  # a whole year: the value itself
        (55, NAN, 3, 55),  # no starting value: the value itself
        (NAN, 40, 3, NAN),
        (40, 40, 1, 40),
    ],
)
def test_project_year_end(value, start, months, expected):
    assert_same(project_year_end(value, start, months), expected)


def test_project_year_end_columns():
    result = project_year_end([55, 45, 70], [40, 40, NAN], np.array([3, 6, 9], dtype=np.int8))
    assert_same(result, [100, 50, 70])


@pytest.mark.parametrize("months", [0, 13, NAN, -3])
def test_project_year_end_refuses_months_outside_the_year(months):
    with pytest.raises(ValueError, match="months_elapsed"):
        project_year_end(55, 40, months)


# ---------------------------------------------------------------------------------------------------------------
# classify


@pytest.mark.parametrize(
    ("value", "projected", "milestone_", "goal", "start", "direction", "expected"),
    [
        # higher is better, from 40 to 80: at risk means up to 4 behind the milestone
        (80, 80, 70, 80, 40, 1, STATUS_ACHIEVED),
        (85, 90, 70, 80, 40, 1, STATUS_ACHIEVED),
        (80 - 1e-11, 80, 70, 80, 40, 1, STATUS_ACHIEVED),  # 79.99999999999 counts as 80
        (60, 75, 70, 80, 40, 1, STATUS_ON_TRACK),
        (60, 70, 70, 80, 40, 1, STATUS_ON_TRACK),  # exactly on the milestone
        (60, 70 - 1e-11, 70, 80, 40, 1, STATUS_ON_TRACK),
        (60, 67, 70, 80, 40, 1, STATUS_AT_RISK),
        (60, 66, 70, 80, 40, 1, STATUS_AT_RISK),  # 4 behind: still at risk
        (60, 65.9, 70, 80, 40, 1, STATUS_OFF_TRACK),
        (50, 50, 70, 80, 40, 1, STATUS_OFF_TRACK),
        # lower is better, from 20 down to 5: at risk means up to 1.5 above the milestone
        (5, 5, 11, 5, 20, -1, STATUS_ACHIEVED),
        (4, 3, 11, 5, 20, -1, STATUS_ACHIEVED),
        (12, 10, 11, 5, 20, -1, STATUS_ON_TRACK),
        (12, 12, 11, 5, 20, -1, STATUS_AT_RISK),
        (12, 12.5, 11, 5, 20, -1, STATUS_AT_RISK),
        (12, 13, 11, 5, 20, -1, STATUS_OFF_TRACK),
        # no starting value: the tolerance is 10 % of the goal (8)
        (60, 62, 70, 80, NAN, 1, STATUS_AT_RISK),
        (60, 61, 70, 80, NAN, 1, STATUS_OFF_TRACK),
        # starting value equal to the goal: 10 % of the goal as well
        (60, 62, 70, 80, 80, 1, STATUS_AT_RISK),
        # goal 0 with no starting value: 10 % of 1
        (0.5, 0.5, 0.45, 0, NAN, -1, STATUS_AT_RISK),
        (0.5, 0.6, 0.45, 0, NAN, -1, STATUS_OFF_TRACK),
        # missing pieces
        (NAN, 70, 70, 80, 40, 1, STATUS_NO_DATA),
        (NAN, NAN, NAN, NAN, NAN, 1, STATUS_NO_DATA),
        (60, 70, NAN, NAN, 40, 1, STATUS_NO_TARGET),
        (60, NAN, 58, 80, 40, 1, STATUS_ON_TRACK),  # no projection: the value is compared
        (60, 75, NAN, 80, 40, 1, STATUS_OFF_TRACK),  # no milestone: the goal is compared
    ],
)
def test_classify(value, projected, milestone_, goal, start, direction, expected):
    assert classify(value, projected, milestone_, goal, start, direction) == expected


@pytest.mark.parametrize(
    ("tolerance", "expected"), [(0.10, STATUS_AT_RISK), (0.05, STATUS_OFF_TRACK), (0.0, STATUS_OFF_TRACK)]
)
def test_classify_tolerance(tolerance, expected):
    assert classify(60, 67, 70, 80, 40, 1, tolerance=tolerance) == expected  # 3 behind on a distance of 40


def test_classify_columns_with_direction_per_row():
    result = classify(
        value=[80, 60, 12, NAN, 60],
        projected=[80, 67, 13, NAN, 70],
        milestone=[70, 70, 11, 70, 70],
        goal=[80, 80, 5, 80, NAN],
        start=[40, 40, 20, 40, 40],
        direction=np.array([1, 1, -1, 1, 1], dtype=np.int8),
    )
    assert list(result) == [STATUS_ACHIEVED, STATUS_AT_RISK, STATUS_OFF_TRACK, STATUS_NO_DATA, STATUS_NO_TARGET]


# ---------------------------------------------------------------------------------------------------------------
# score_to_target


@pytest.mark.parametrize(
    ("value", "goal", "reference", "direction", "expected"),
    [
        (60, 80, 40, 1, 0.5),
        (50, 100, 0, 1, 0.5),  # no baseline: the floor is 0
        (80, 80, 40, 1, 1),
        (90, 80, 40, 1, 1),  # beyond the goal: still 1
        (30, 80, 40, 1, 0),  # below the baseline: 0
        (80 - 1e-11, 80, 40, 1, 1),  # meets the goal within rounding: exactly 1
        (10, 5, 20, -1, 2 / 3),  # lower is better: (20 - 10) / (20 - 5)
        (4, 5, 20, -1, 1),
        (25, 5, 20, -1, 0),
        # degenerate reference: met or not
        (80, 80, 80, 1, 1),
        (79, 80, 80, 1, 0),
        (85, 80, 90, 1, 1),  # floor above the goal
        (79, 80, 90, 1, 0),
        (4, 5, 3, -1, 1),  # ceiling below the goal
        (6, 5, 3, -1, 0),
        (90, 80, NAN, 1, 1),  # no reference
        (70, 80, NAN, 1, 0),
        # missing value or goal: no score
        (NAN, 80, 40, 1, NAN),
        (60, NAN, 40, 1, NAN),
    ],
)
def test_score_to_target(value, goal, reference, direction, expected):
    assert_same(score_to_target(value, goal, reference, direction), expected)


# ---------------------------------------------------------------------------------------------------------------
# peer_minmax_score and peer_worst


@pytest.mark.parametrize(
    ("groups", "values", "direction", "expected"),
    [
        ([1, 1, 1], [10, 20, 15], 1, [0, 1, 0.5]),
        ([1, 1, 1], [10, 20, 15], -1, [1, 0, 0.5]),
        ([1, 1, 1], [10, NAN, 30], 1, [0, NAN, 1]),  # no value: no score, and not a peer
        ([1, 1], [7, 7], 1, [1, 1]),  # all equal: everyone 1
        ([1, 1], [7, NAN], -1, [1, NAN]),  # a single value: 1
        ([1, 1], [NAN, NAN], 1, [NAN, NAN]),
        ([5, 3, 5, 3, 9], [1, 10, 3, 20, 4], 1, [0, 0, 1, 1, 1]),  # groups in any order
        ([1, 1, 2, 2], [0, 4, 0, 4], [1, 1, -1, -1], [0, 1, 1, 0]),  # direction per row
        ([], [], 1, []),
    ],
)
def test_peer_minmax_score(groups, values, direction, expected):
    assert_same(peer_minmax_score(np.array(groups, dtype=np.int64), values, direction), expected)


@pytest.mark.parametrize(
    ("groups", "values", "direction", "expected"),
    [
        ([1, 1, 1], [10, 20, 15], 1, [10, 10, 10]),
        ([1, 1, 1], [10, 20, 15], -1, [20, 20, 20]),
        ([1, 2, 1, 2], [10, 3, NAN, 5], [-1, 1, -1, 1], [10, 3, 10, 3]),
        ([1, 2], [NAN, 4], 1, [NAN, 4]),  # nobody in group 1 has a value
        ([], [], 1, []),
    ],
)
def test_peer_worst(groups, values, direction, expected):
    assert_same(peer_worst(np.array(groups, dtype=np.int64), values, direction), expected)


def test_peer_functions_refuse_mismatched_lengths():
    with pytest.raises(ValueError):
        peer_minmax_score([1, 1], [1.0], 1)
    with pytest.raises(ValueError):
        peer_worst([1], [1.0, 2.0], 1)


# ---------------------------------------------------------------------------------------------------------------
# competition_rank


def _fifteen_fifteen_seventeen():
    values = np.arange(17.0, 0.0, -1.0)
    values[15] = values[14]
    return values


@pytest.mark.parametrize(
    ("groups", "values", "direction", "decimals", "expected"),
    [
        ([1, 1, 1, 1], [0.9, 0.8, 0.8, 0.7], 1, None, [1, 2, 2, 4]),
        ([1, 1, 1, 1], [0.7, 0.8, 0.9, 0.8], 1, None, [4, 2, 1, 2]),
        ([1] * 17, _fifteen_fifteen_seventeen(), 1, None, [*range(1, 15), 15, 15, 17]),
        ([1, 1, 1, 1], [3, 1, 2, 1], -1, None, [4, 1, 3, 1]),  # lower is better
        ([1, 1, 1], [0.5, NAN, 0.4], 1, None, [1, 0, 2]),  # no value: unranked, takes no place
        ([1, 2, 1, 2], [1, 1, 2, 2], 1, None, [2, 2, 1, 1]),  # each group ranked apart
        ([1, 1, 2, 2], [1, 2, 1, 2], [1, 1, -1, -1], None, [2, 1, 1, 2]),  # direction per row
        ([1, 1], [-0.0, 0.0], 1, None, [1, 1]),
        ([1, 1], [NAN, NAN], 1, None, [0, 0]),
        ([], [], 1, None, []),
        # tied on the screen, tied in the ranking
        ([1, 1, 1], [0.70245, 0.70235, 0.7024], 1, None, [1, 3, 2]),
        ([1, 1, 1], [0.70245, 0.70235, 0.7024], 1, 4, [1, 2, 2]),  # 0.7025, 0.7024, 0.7024 (half away from 0)
        ([1, 1, 1], [2.675, 2.6749, 2.68], 1, 2, [1, 3, 1]),  # 2.675 shows as 2.68
        ([1, 1, 1], [-0.125, -0.13, -0.12], 1, 2, [2, 2, 1]),  # -0.13, -0.13, -0.12
        ([1, 1, 1], [1234, 1229, 1251], 1, -1, [2, 2, 1]),  # to tens: 1230, 1230, 1250
    ],
)
def test_competition_rank(groups, values, direction, decimals, expected):
    ranks = competition_rank(np.array(groups, dtype=np.int64), values, direction, decimals=decimals)
    assert ranks.dtype == np.int64
    assert ranks.tolist() == expected


# ---------------------------------------------------------------------------------------------------------------
# weighted_mean_with_gaps and present_in_groups


@pytest.mark.parametrize(
    ("matrix", "weights", "present", "expected"),
    [
        ([[0.5, 1.0]], [1, 3], [[True, True]], [0.875]),  # (0.5 + 3) / 4
        ([[0.5, NAN]], [1, 3], [[True, False]], [0.5]),  # nobody has item 2: left out
        ([[0.5, NAN]], [1, 3], [[True, True]], [0.125]),  # peers have item 2, this unit not: 0
        ([[NAN, NAN]], [1, 3], [[False, False]], [NAN]),
        ([[NAN, NAN]], [1, 3], [[True, False]], [0.0]),
        ([[0.5, 0.9]], [1, 3], [[True, False]], [0.8]),  # the unit's own value always counts
        ([[0.4, 0.8], [0.2, NAN]], [200, 150], [[True, True], [True, True]], [0.4 * 4 / 7 + 0.8 * 3 / 7, 0.2 * 4 / 7]),
        ([[0.5, 0.9]], [0, 0], [[True, True]], [NAN]),  # no weight at all
    ],
)
def test_weighted_mean_with_gaps(matrix, weights, present, expected):
    assert_same(weighted_mean_with_gaps(matrix, weights, present), expected)


def test_present_in_groups_with_the_composition_rule():
    groups = np.array([1, 1, 2])
    matrix = np.array([[0.4, NAN, 0.8], [0.6, NAN, NAN], [0.2, 0.9, NAN]])
    present = present_in_groups(groups, matrix)
    assert present.tolist() == [[True, False, True], [True, False, True], [True, True, False]]
    # group 1 has no item 2 (left out), and unit 2 lacks item 3 that unit 1 has (counts 0)
    assert_same(weighted_mean_with_gaps(matrix, [1, 1, 1], present), [0.6, 0.3, 0.55])


def test_present_in_groups_empty():
    assert present_in_groups(np.array([], dtype=int), np.empty((0, 3))).shape == (0, 3)


@pytest.mark.parametrize(
    ("matrix", "weights", "present"),
    [
        ([[0.5, 1.0]], [1, -1], [[True, True]]),  # negative weight
        ([[0.5, 1.0]], [1, NAN], [[True, True]]),
        ([[0.5, 1.0]], [1, 2, 3], [[True, True]]),
        ([[0.5, 1.0]], [1, 2], [[True]]),
        ([0.5, 1.0], [1, 2], [True, True]),
    ],
)
def test_weighted_mean_with_gaps_refuses_bad_shapes_and_weights(matrix, weights, present):
    with pytest.raises(ValueError):
        weighted_mean_with_gaps(matrix, weights, present)


# ---------------------------------------------------------------------------------------------------------------
# dti_index


def test_dti_2022_weights_total_1000():
    assert sum(DTI_2022_WEIGHTS.values()) == 1000
    assert DTI_2022_WEIGHTS["DIGITAL_GOVERNMENT"] == 200


# Published provincial DTI 2022 (PDTI), the first five provinces of the detailed ranking at
# https://dti.gov.vn/xep-hang-2022 ("Xếp hạng chi tiết"): the eight scored main indices in the order
# awareness, institutions, infrastructure, human resources, cybersecurity, digital government activity, digital
# economy activity, digital society activity, then the PDTI. The weights are those of table I.1 of Decision
# 922/QĐ-BTTTT, appendix 1 (reproduced at http://eballsviet.com/bo-chi-so-danh-gia-chuyen-doi-so-cap-tinh-59970).
# Every figure is published rounded to 4 decimals: the pillar roundings move the index by at most 0.00005 and the
# index's own rounding by 0.00005 more, so the computed index must lie within 0.0001 of the published one (Hồ Chí
# Minh City computes to 0.716355, published 0.7163; Đà Nẵng 0.800175, published 0.8002).
PUBLISHED_PDTI_2022 = [
    ("TP. Đà Nẵng", [1.0000, 0.9000, 0.8253, 0.8487, 0.7578, 0.8575, 0.7836, 0.5197], 0.8002),
    ("TP. Hồ Chí Minh", [0.8917, 0.9000, 0.8258, 0.6267, 0.5580, 0.8406, 0.7611, 0.3590], 0.7163),
    ("Quảng Ninh", [0.9581, 0.9000, 0.7648, 0.6250, 0.5382, 0.8385, 0.5904, 0.4505], 0.7024),
    ("Thừa Thiên - Huế", [0.9500, 0.9000, 0.6823, 0.6794, 0.6423, 0.8262, 0.6787, 0.3001], 0.6975),
    ("TP. Cần Thơ", [0.9000, 0.8000, 0.7233, 0.7376, 0.7226, 0.7325, 0.7556, 0.2947], 0.6924),
]
PILLARS_IN_PUBLISHED_ORDER = [
    "AWARENESS",
    "INSTITUTIONS",
    "INFRASTRUCTURE",
    "HUMAN_RESOURCES",
    "CYBERSECURITY",
    "DIGITAL_GOVERNMENT",
    "DIGITAL_ECONOMY",
    "DIGITAL_SOCIETY",
]


def test_dti_index_reproduces_the_published_2022_provincial_index():
    pillars = np.array([row for _, row, _ in PUBLISHED_PDTI_2022])
    published = np.array([index for _, _, index in PUBLISHED_PDTI_2022])
    values = {code: pillars[:, i] for i, code in enumerate(PILLARS_IN_PUBLISHED_ORDER)}
    computed = dti_index(values)
    np.testing.assert_allclose(computed, published, rtol=0, atol=1e-4 + 1e-12)
    assert np.all(competition_rank(np.zeros(5, dtype=int), computed, decimals=4) == [1, 2, 3, 4, 5])
    # an unweighted mean of the eight would be off by up to 0.016: the weights matter
    assert np.max(np.abs(pillars.mean(axis=1) - published)) > 0.01


@pytest.mark.parametrize(
    ("pillars", "expected"),
    [
        (dict.fromkeys(DTI_2022_WEIGHTS, 1.0), [1.0]),
        (dict.fromkeys(DTI_2022_WEIGHTS, 0.5), [0.5]),
        ({**dict.fromkeys(DTI_2022_WEIGHTS, 1.0), "DIGITAL_GOVERNMENT": NAN}, [0.8]),  # a missing pillar counts 0
        ({**dict.fromkeys(DTI_2022_WEIGHTS, 0.0), "DIGITAL_ECONOMY": [1.0, 0.5]}, [0.15, 0.075]),
    ],
)
def test_dti_index(pillars, expected):
    assert_same(dti_index(pillars), expected)


def test_dti_index_with_other_weights():
    assert_same(dti_index({"A": [1.0, 0.0], "B": [0.0, 1.0]}, {"A": 3, "B": 1}), [0.75, 0.25])


@pytest.mark.parametrize(
    "pillars",
    [
        {code: 1.0 for code in DTI_2022_WEIGHTS if code != "CYBERSECURITY"},
        {**dict.fromkeys(DTI_2022_WEIGHTS, 1.0), "SMART_CITY": 1.0},
    ],
)
def test_dti_index_refuses_other_pillars(pillars):
    with pytest.raises(ValueError, match="pillars"):
        dti_index(pillars)


# ---------------------------------------------------------------------------------------------------------------
# Properties

group_ids = st.integers(0, 3)
small_values = st.sampled_from([NAN, -1.0, 0.0, 0.25, 0.5, 0.5, 1.0, 2.0, 3.5])
directions = st.sampled_from([1, -1])


@st.composite
def grouped_rows(draw, values=small_values):
    n = draw(st.integers(0, 25))
    groups = np.array(draw(st.lists(group_ids, min_size=n, max_size=n)), dtype=np.int64)
    vals = np.array(draw(st.lists(values, min_size=n, max_size=n)), dtype=np.float64)
    dirs = np.array(draw(st.lists(directions, min_size=n, max_size=n)), dtype=np.int8)
    # one direction per group, as for a real indicator
    return groups, vals, dirs[0] if n else 1


@settings(max_examples=examples(200), deadline=None)
@given(grouped_rows(), st.randoms())
def test_rank_is_one_more_than_the_peers_strictly_better(rows, rnd):
    groups, values, direction = rows
    ranks = competition_rank(groups, values, direction)
    signed = direction * values
    better = (groups[:, None] == groups[None, :]) & (signed[None, :] > signed[:, None])
    expected = np.where(np.isnan(values), 0, 1 + better.sum(axis=1))
    assert ranks.tolist() == expected.tolist()
    # the order of the rows does not matter
    order = list(range(len(values)))
    rnd.shuffle(order)
    assert competition_rank(groups[order], values[order], direction).tolist() == ranks[order].tolist()


@settings(max_examples=examples(100), deadline=None)
@given(grouped_rows(st.floats(-100, 100) | st.just(NAN)), st.integers(0, 3))
def test_rounded_rank_keeps_the_order_of_values_clearly_different_on_screen(rows, decimals):
    groups, values, direction = rows
    ranks = competition_rank(groups, values, direction, decimals=decimals)
    shown = np.round(values, decimals)  # half to even, but off by at most one last place
    for i in range(len(values)):
        for j in range(len(values)):
            clearly_different = abs(shown[i] - shown[j]) > 1.5 * 10.0**-decimals  # on the screen
            if groups[i] == groups[j] and clearly_different:
                assert (ranks[i] < ranks[j]) == (direction * values[i] > direction * values[j])


@settings(max_examples=examples(200), deadline=None)
@given(grouped_rows(st.floats(-1e6, 1e6) | st.just(NAN)))
def test_peer_scores_span_the_worst_to_the_best(rows):
    groups, values, direction = rows
    scores = peer_minmax_score(groups, values, direction)
    worst = peer_worst(groups, values, direction)
    assert np.array_equal(np.isnan(scores), np.isnan(values))
    present = ~np.isnan(values)
    assert np.all((scores[present] >= 0) & (scores[present] <= 1))
    for group in np.unique(groups[present]):
        mine = present & (groups == group)
        assert np.all(worst[groups == group] == (values[mine].min() if direction > 0 else values[mine].max()))
        spread = values[mine].max() - values[mine].min()
        if spread > 1e-6 * max(1, np.abs(values[mine]).max()):
            assert scores[mine].max() == 1 and scores[mine].min() == 0
            assert np.all(scores[mine & (values == worst)] == 0)
        elif spread == 0:
            assert np.all(scores[mine] == 1)


finite = st.floats(-1e6, 1e6)


@settings(max_examples=examples(200), deadline=None)
@given(finite, finite, finite, finite, directions)
def test_score_to_target_is_between_0_and_1_and_grows_with_progress(v1, v2, goal, reference, direction):
    low, high = sorted([v1, v2], key=lambda v: direction * v)  # high is the better of the two
    scores = score_to_target([low, high], goal, reference, direction)
    assert np.all((scores >= 0) & (scores <= 1))
    assert scores[0] <= scores[1]
    if direction * (high - goal) >= 0:
        assert scores[1] == 1


@settings(max_examples=examples(200), deadline=None)
@given(finite, finite, finite, directions)
def test_classify_achieved_exactly_when_the_goal_is_met(value, goal, projected, direction):
    status = classify(value, projected, goal, goal, NAN, direction)
    meets = direction * (value - goal) >= 0
    if meets:
        assert status == STATUS_ACHIEVED
    elif direction * (value - goal) < -1e-6 * max(1, abs(value), abs(goal)):
        assert status != STATUS_ACHIEVED


@settings(max_examples=examples(200), deadline=None)
@given(finite, finite, st.integers(2000, 2030), st.integers(1, 10), st.lists(st.integers(1990, 2050), min_size=2))
def test_milestone_moves_steadily_from_start_to_goal(start, goal, start_year, span, years):
    years = np.sort(np.array(years, dtype=float))
    points = milestone(start, goal, start_year, start_year + span, years)
    low, high = min(start, goal), max(start, goal)
    slack = 1e-9 * max(1, abs(low), abs(high))
    assert np.all((points >= low - slack) & (points <= high + slack))
    steps = np.diff(points) * np.sign(goal - start)
    assert np.all(steps >= -slack)


@settings(max_examples=examples(200), deadline=None)
@given(
    st.integers(1, 6).flatmap(
        lambda k: st.tuples(
            st.lists(st.lists(st.floats(0, 1), min_size=k, max_size=k), min_size=1, max_size=8),
            st.lists(st.floats(0.5, 300), min_size=k, max_size=k),
        )
    )
)
def test_weighted_mean_with_everything_present_is_the_plain_weighted_mean(case):
    matrix, weights = np.array(case[0]), np.array(case[1])
    result = weighted_mean_with_gaps(matrix, weights, np.ones(matrix.shape, dtype=bool))
    np.testing.assert_allclose(result, matrix @ weights / weights.sum(), rtol=1e-12, atol=1e-15)


@settings(max_examples=examples(200), deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda k: st.tuples(
            st.lists(st.lists(st.floats(0, 1) | st.just(NAN), min_size=k, max_size=k), min_size=1, max_size=10),
            st.lists(st.floats(0.5, 300), min_size=k, max_size=k),
            st.lists(group_ids, min_size=10, max_size=10),
        )
    )
)
def test_gaps_left_out_for_the_group_count_zero_for_the_unit(case):
    matrix, weights = np.array(case[0]), np.array(case[1])
    groups = np.array(case[2][: len(matrix)])
    present = present_in_groups(groups, matrix)
    result = weighted_mean_with_gaps(matrix, weights, present)
    # the same as a plain weighted mean over the group's items, with the unit's gaps as 0
    for row in range(len(matrix)):
        items = present[row]
        if not items.any():
            assert np.isnan(result[row])
        else:
            expected = np.nan_to_num(matrix[row, items]) @ weights[items] / weights[items].sum()
            assert result[row] == pytest.approx(expected, rel=1e-12, abs=1e-15)


@settings(max_examples=examples(50), deadline=None)
@given(
    st.lists(st.tuples(st.integers(-5, 40), st.integers(0, 3), st.integers(10**6, 10**6 + 30)), min_size=1),
    st.booleans(),
)
def test_group_ids_number_the_distinct_key_combinations_in_order(rows, huge):
    from giamsat.evaluation.services import _group_ids

    keys = [np.array(column, dtype=np.int64) for column in zip(*rows, strict=True)]
    if huge:  # spans too wide for one int64: the row-wise path
        keys[0] = keys[0] * 2**40
    _unique, expected = np.unique(np.stack(keys, axis=1), axis=0, return_inverse=True)
    assert _group_ids(*keys).tolist() == expected.reshape(-1).tolist()
