"""Evaluation arithmetic: milestones, year-end projections, status against a target, scores, ranks and the
composite index.

Pure computation on numpy arrays (no database): the evaluation services load the figures, call these functions on
whole columns at once and store the results. Conventions shared by every function:

- A missing value is NaN in a float64 array; a missing input gives a missing result, never an exception.
- ``direction`` says which way is better: +1 higher is better, -1 lower is better (any negative number counts as
  -1, anything else as +1). It may be one number or one per row.
- Two numbers closer than one billionth of the larger of them (or of 1, for numbers below 1) count as equal, so
  that a computed 79.99999999999 meets a target of 80.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "DTI_2022_WEIGHTS",
    "STATUS_ACHIEVED",
    "STATUS_AT_RISK",
    "STATUS_NO_DATA",
    "STATUS_NO_TARGET",
    "STATUS_OFF_TRACK",
    "STATUS_ON_TRACK",
    "classify",
    "competition_rank",
    "dti_index",
    "milestone",
    "peer_minmax_score",
    "peer_worst",
    "present_in_groups",
    "project_year_end",
    "score_to_target",
    "weighted_mean_with_gaps",
]

# The values of evaluation.choices.Status (kept as plain strings: this module does not import Django).
STATUS_ACHIEVED = "ACHIEVED"
STATUS_ON_TRACK = "ON_TRACK"
STATUS_AT_RISK = "AT_RISK"
STATUS_OFF_TRACK = "OFF_TRACK"
STATUS_NO_DATA = "NO_DATA"
STATUS_NO_TARGET = "NO_TARGET"

# Provincial DTI (Decision 922/QĐ-BTTTT of 20/05/2022, appendix 1, table I.1): points of each main index out of
# 1000. The ninth main index, smart city, is assessed but scores no points.
DTI_2022_WEIGHTS: dict[str, float] = {
    "AWARENESS": 100,
    "INSTITUTIONS": 100,
    "INFRASTRUCTURE": 100,
    "HUMAN_RESOURCES": 100,
    "CYBERSECURITY": 100,
    "DIGITAL_GOVERNMENT": 200,
    "DIGITAL_ECONOMY": 150,
    "DIGITAL_SOCIETY": 150,
}

_EPSILON = 1e-9  # relative tolerance for "equal"
_TIE_TOLERANCE = 2.0**-50  # rounding: a half is recognised within a few units in the last place
_INTEGRAL = 2.0**52  # from here on every float is a whole number


# ---------------------------------------------------------------------------------------------------------------
# Small helpers


def _floats(x: ArrayLike) -> np.ndarray:
    return np.asarray(x, dtype=np.float64)


def _sign(direction: ArrayLike) -> np.ndarray:
    """+1.0 or -1.0 for each direction (negative numbers are lower-is-better, everything else higher)."""
    return np.where(_floats(direction) < 0, -1.0, 1.0)


def _tolerance(*values: np.ndarray) -> np.ndarray:
    """How close two numbers must be to count as equal: one billionth of the largest magnitude, at least 1e-9."""
    largest = np.ones(np.broadcast_shapes(*(v.shape for v in values)))
    for v in values:
        largest = np.fmax(largest, np.abs(v))  # fmax ignores NaN
    return _EPSILON * largest


def _round_half_away(x: np.ndarray, decimals: int) -> np.ndarray:
    """Round half away from zero to ``decimals`` places (negative: tens, hundreds...), as the screen shows it."""
    scale = 10.0 ** abs(decimals)
    y = x * scale if decimals >= 0 else x / scale
    ay = np.abs(y)
    r = np.copysign(np.floor(ay + 0.5 + ay * _TIE_TOLERANCE), y)
    rounded = r / scale if decimals >= 0 else r * scale
    return np.where(~np.isfinite(y) | (ay >= _INTEGRAL), x, rounded) + 0.0  # + 0.0 turns -0.0 into 0.0


def _group_layout(groups: ArrayLike) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows sorted by group: (group number of each row 0..g-1, row order sorting by group, start of each group in
    that order)."""
    groups = np.asarray(groups)
    if groups.ndim != 1:
        raise ValueError("groups must be one-dimensional")
    _, inverse = np.unique(groups, return_inverse=True)
    inverse = inverse.reshape(-1)
    order = np.argsort(inverse, kind="stable")
    sorted_inverse = inverse[order]
    starts = np.flatnonzero(np.r_[True, sorted_inverse[1:] != sorted_inverse[:-1]]) if len(order) else order
    return inverse, order, starts


def _group_min_max(groups: ArrayLike, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the smallest and the largest value of its group, ignoring NaN (NaN when the group has none)."""
    if values.ndim != 1 or len(values) != len(np.asarray(groups)):
        raise ValueError("groups and values must be one-dimensional and of the same length")
    if len(values) == 0:
        return values.copy(), values.copy()
    inverse, order, starts = _group_layout(groups)
    missing = np.isnan(values)
    low = np.minimum.reduceat(np.where(missing, np.inf, values)[order], starts)[inverse]
    high = np.maximum.reduceat(np.where(missing, -np.inf, values)[order], starts)[inverse]
    empty = low > high  # +inf > -inf: the group has only missing values
    return np.where(empty, np.nan, low), np.where(empty, np.nan, high)


# ---------------------------------------------------------------------------------------------------------------
# Targets: milestones, projections, status


def milestone(
    start: ArrayLike, goal: ArrayLike, start_year: ArrayLike, goal_year: ArrayLike, year: ArrayLike
) -> np.ndarray:
    """Where a unit should be at the end of ``year`` to reach its goal on time.

    The path is a straight line from the starting value (at the end of the starting year) to the goal (at the end
    of the goal year): start + (goal - start) × (year - starting year) / (goal year - starting year). From the goal
    year on the milestone is the goal itself; before the starting year it is the starting value. With no starting
    value the milestone is the goal. With no goal there is no milestone (NaN).
    """
    start, goal, start_year, goal_year, year = np.broadcast_arrays(
        _floats(start), _floats(goal), _floats(start_year), _floats(goal_year), _floats(year)
    )
    span = goal_year - start_year
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(span > 0, np.clip((year - start_year) / span, 0.0, 1.0), 0.0)
    fraction = np.where(year >= goal_year, 1.0, fraction)
    fraction = np.where(np.isnan(year) | np.isnan(start_year) | np.isnan(goal_year), np.nan, fraction)
    on_path = start + (goal - start) * fraction
    result = np.where((fraction >= 1.0) | np.isnan(start), goal, on_path)
    return np.where(np.isnan(fraction), np.nan, result)


def project_year_end(value: ArrayLike, start: ArrayLike, months_elapsed: ArrayLike) -> np.ndarray:
    """The value expected at the end of the year if the trend since the start of the year continues.

    ``start`` is the value at the end of last year and ``value`` the value at the end of the period, which ends
    ``months_elapsed`` months into the year (March or the first quarter: 3; the whole year: 12). The change so far
    is stretched in proportion to the whole year: start + (value - start) × 12 / months elapsed. For a whole year,
    or with no starting value, the projection is the value itself.
    """
    value, start, months = np.broadcast_arrays(_floats(value), _floats(start), _floats(months_elapsed))
    if not np.all((months >= 1) & (months <= 12)):
        raise ValueError("months_elapsed must be between 1 and 12")
    trend = start + (value - start) * 12.0 / months
    return np.where((months >= 12) | np.isnan(start), value, trend)


def classify(
    value: ArrayLike,
    projected: ArrayLike,
    milestone: ArrayLike,
    goal: ArrayLike,
    start: ArrayLike,
    direction: ArrayLike,
    tolerance: float = 0.10,
) -> np.ndarray:
    """Where each unit stands against its target.

    - No data: the unit has no value.
    - No target: there is no goal.
    - Achieved: the value already meets the goal (at or above it when higher is better, at or below it when lower
      is better).
    - Otherwise the projected year-end value is compared with this year's milestone. The shortfall is how far the
      projection falls behind the milestone, in the direction of better. On track: no shortfall. At risk: a
      shortfall of at most ``tolerance`` (10 % by default) of the whole distance from the starting value to the
      goal (of the goal itself when there is no starting value or it equals the goal; of 1 when the goal is 0).
      Off track: a larger shortfall.

    Without a projection the value itself is compared; without a milestone, the goal.
    """
    value, projected, milestone, goal, start, sign = np.broadcast_arrays(
        _floats(value), _floats(projected), _floats(milestone), _floats(goal), _floats(start), _sign(direction)
    )
    projected = np.where(np.isnan(projected), value, projected)
    milestone = np.where(np.isnan(milestone), goal, milestone)
    achieved = sign * (value - goal) >= -_tolerance(value, goal)
    shortfall = sign * (milestone - projected)
    distance = np.abs(goal - start)
    scale = np.where(
        np.isfinite(start) & (distance > _tolerance(goal, start)),
        distance,
        np.where(goal != 0, np.abs(goal), 1.0),
    )
    equal = _tolerance(milestone, projected)
    return np.select(
        [
            np.isnan(value),
            np.isnan(goal),
            achieved,
            shortfall <= equal,
            shortfall <= tolerance * scale + equal,
        ],
        [STATUS_NO_DATA, STATUS_NO_TARGET, STATUS_ACHIEVED, STATUS_ON_TRACK, STATUS_AT_RISK],
        default=STATUS_OFF_TRACK,
    )


# ---------------------------------------------------------------------------------------------------------------
# Scores from 0 to 1


def score_to_target(value: ArrayLike, goal: ArrayLike, reference: ArrayLike, direction: ArrayLike) -> np.ndarray:
    """How far a unit has come from a reference point to its goal, from 0 (at the reference or worse) to 1 (goal
    met).

    When higher is better the reference is the floor (the baseline, or 0): score = (value - reference) /
    (goal - reference). When lower is better it is the ceiling (the baseline, or the worst value among the peers):
    score = (reference - value) / (reference - goal). The score is kept between 0 and 1, and is 1 whenever the
    goal is met. When the reference equals the goal, lies beyond it or is missing, the score is 1 if the goal is
    met and 0 if not. No value or no goal: no score (NaN).
    """
    value, goal, reference, sign = np.broadcast_arrays(
        _floats(value), _floats(goal), _floats(reference), _sign(direction)
    )
    meets = sign * (value - goal) >= -_tolerance(value, goal)
    span = sign * (goal - reference)
    usable = span > _tolerance(goal, reference)  # False for NaN too
    with np.errstate(divide="ignore", invalid="ignore"):
        progress = np.clip(sign * (value - reference) / span, 0.0, 1.0)
    score = np.where(meets, 1.0, np.where(usable, progress, 0.0))
    return np.where(np.isnan(value) | np.isnan(goal), np.nan, score)


def peer_minmax_score(groups: ArrayLike, values: ArrayLike, direction: ArrayLike) -> np.ndarray:
    """For an indicator without a target: where a unit stands between the worst and the best of its peers, from 0
    (the worst) to 1 (the best).

    Peers are the rows with the same group number (for example the same indicator, period and kind of unit).
    Higher is better: (value - lowest) / (highest - lowest); lower is better: (highest - value) / (highest -
    lowest). When all peers have the same value, every one of them scores 1. No value: no score (NaN).
    """
    values = _floats(values)
    sign = np.broadcast_to(_sign(direction), values.shape)
    low, high = _group_min_max(groups, values)
    spread = high - low
    flat = spread <= _tolerance(low, high)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(sign > 0, values - low, high - values) / spread
    score = np.where(flat, 1.0, np.clip(score, 0.0, 1.0))
    return np.where(np.isnan(values), np.nan, score)


def peer_worst(groups: ArrayLike, values: ArrayLike, direction: ArrayLike) -> np.ndarray:
    """For each row, the worst value among its peers (same group number): the highest when lower is better, the
    lowest when higher is better. NaN when no peer has a value."""
    values = _floats(values)
    sign = np.broadcast_to(_sign(direction), values.shape)
    low, high = _group_min_max(groups, values)
    return np.where(sign > 0, low, high)


# ---------------------------------------------------------------------------------------------------------------
# Ranks


def competition_rank(
    groups: ArrayLike, values: ArrayLike, direction: ArrayLike = 1, decimals: int | None = None
) -> np.ndarray:
    """Rank of each unit among its peers (same group number), 1 for the best.

    Standard competition ranking: units with equal values share the best of their places and the places they
    take up are skipped, so 0.9, 0.8, 0.8, 0.7 rank 1, 2, 2, 4. A unit's rank is one more than the number of its
    peers that do strictly better. With ``decimals``, values are first rounded (half away from zero) to that many
    decimal places, so units that look tied on the screen are tied. Without it, values are compared exactly. A
    unit with no value is not ranked (rank 0) and takes no place.
    """
    values = _floats(values)
    if values.ndim != 1 or len(values) != len(np.asarray(groups)):
        raise ValueError("groups and values must be one-dimensional and of the same length")
    if decimals is not None:
        values = _round_half_away(values, int(decimals))
    sign = np.broadcast_to(_sign(direction), values.shape)
    ranks = np.zeros(len(values), dtype=np.int64)
    rows = np.flatnonzero(~np.isnan(values))
    if len(rows) == 0:
        return ranks
    inverse, _, _ = _group_layout(np.asarray(groups)[rows])
    key = -sign[rows] * values[rows] + 0.0  # ascending key: best first; + 0.0 turns -0.0 into 0.0
    order = np.lexsort((key, inverse))
    group_sorted, key_sorted = inverse[order], key[order]
    position = np.arange(len(order))
    new_group = np.r_[True, group_sorted[1:] != group_sorted[:-1]]
    new_value = new_group | np.r_[True, key_sorted[1:] != key_sorted[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, position, 0))
    tie_start = np.maximum.accumulate(np.where(new_value, position, 0))
    ranks[rows[order]] = tie_start - group_start + 1
    return ranks


# ---------------------------------------------------------------------------------------------------------------
# Composition: pillar values and the composite index


def present_in_groups(groups: ArrayLike, matrix: ArrayLike) -> np.ndarray:
    """For each row and item (column), whether at least one row of the same group has a value for that item."""
    matrix = _floats(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != len(np.asarray(groups)):
        raise ValueError("matrix must have one row per group number")
    has_value = ~np.isnan(matrix)
    if matrix.shape[0] == 0:
        return has_value
    inverse, order, starts = _group_layout(groups)
    return np.logical_or.reduceat(has_value[order], starts, axis=0)[inverse]


def weighted_mean_with_gaps(matrix: ArrayLike, weights: ArrayLike, present_in_group: ArrayLike) -> np.ndarray:
    """Combine a unit's item values (indicator scores into a pillar value, pillar values into the composite index)
    as a weighted mean: Σ weight × value / Σ weights.

    Gaps are handled the same way for every unit of a group of peers:
    - an item that none of the peers has is left out, and the weights of the remaining items are scaled up to
      fill its place;
    - an item that some peers have but this unit does not counts as 0 for this unit.
    A unit for which no item is present among its peers gets no value (NaN). An item the unit has always counts,
    even if ``present_in_group`` says otherwise.
    """
    matrix = _floats(matrix)
    weights = _floats(weights)
    present = np.asarray(present_in_group, dtype=bool)
    if matrix.ndim != 2 or weights.shape != (matrix.shape[1],) or present.shape != matrix.shape:
        raise ValueError("matrix and present_in_group must be rows × items and weights one per item")
    if not np.all(weights >= 0):
        raise ValueError("weights must be numbers of zero or more")
    has_value = ~np.isnan(matrix)
    counted = np.where(present | has_value, weights, 0.0)
    total_weight = counted.sum(axis=1)
    total = (counted * np.where(has_value, matrix, 0.0)).sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total_weight > 0, total / total_weight, np.nan)


def dti_index(pillar_values: Mapping[str, ArrayLike], weights: Mapping[str, float] = DTI_2022_WEIGHTS) -> np.ndarray:
    """The composite digital transformation index (DTI) of each unit, from 0 to 1.

    Each pillar value (0 to 1) is multiplied by its points and the sum divided by the total points: with the
    provincial structure of Decision 922/QĐ-BTTTT (2022) — awareness, institutions, infrastructure, human
    resources and cybersecurity 100 points each, digital government activity 200, digital economy activity 150 and
    digital society activity 150, 1000 in all — the index is Σ points × pillar value / 1000. A missing pillar
    counts 0. ``pillar_values`` maps each pillar code to one value per unit and must name exactly the pillars of
    ``weights``.
    """
    missing, extra = set(weights) - set(pillar_values), set(pillar_values) - set(weights)
    if missing or extra:
        raise ValueError(f"pillars missing: {sorted(missing)}; pillars without weight: {sorted(extra)}")
    codes = list(weights)
    columns = np.broadcast_arrays(*(np.atleast_1d(_floats(pillar_values[code])) for code in codes))
    matrix = np.stack(columns, axis=1)
    present = np.ones(matrix.shape, dtype=bool)
    return weighted_mean_with_gaps(matrix, np.array([weights[code] for code in codes], dtype=np.float64), present)
