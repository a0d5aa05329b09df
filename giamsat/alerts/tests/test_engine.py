"""The arithmetic of the value rules, at their boundaries."""

import math
from statistics import median

import numpy as np
import pytest

from giamsat.alerts.engine.outliers import (
    change_percent,
    change_percent_rows,
    departs,
    departs_rows,
    median_rows,
    robust_z,
    robust_z_rows,
)


def test_robust_z_measures_against_the_median_and_its_spread():
    history = [100, 102, 98, 101, 99]  # median 100, MAD 1
    assert robust_z(history, 100) == 0
    assert robust_z(history, 101.4826) == pytest.approx(1.0)
    assert robust_z(history, 1000) > 500  # ten times the usual


def test_robust_z_of_a_flat_history_uses_a_tenth_of_its_value():
    assert robust_z([50, 50, 50], 55) == pytest.approx(1.0)
    assert robust_z([0, 0, 0], 0) == 0
    assert robust_z([0, 0, 0], 3) == math.inf


def test_robust_z_needs_three_values():
    assert robust_z([1, 2], 100) is None


def test_change_percent():
    assert change_percent(100, 150) == 50
    assert change_percent(100, 40) == -60
    assert change_percent(0, 5) is None


# --- the same arithmetic over many units at once equals the scalar one ------------------------


def _rows(seed: int, units: int = 400, width: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Histories with gaps, flat ones (a flat 0 among them), ties, fewer than three values."""
    rng = np.random.default_rng(seed)
    history = rng.choice([0.0, 1.0, 5.0, 10.0, 100.0, 1000.0], size=(units, width)) + rng.integers(0, 3, (units, 1))
    history[rng.random((units, width)) < 0.3] = np.nan
    history[: units // 8] = 50.0  # flat
    history[units // 8 : units // 4] = 0.0  # flat at 0
    history[units // 4 : units // 4 + 20, 2:] = np.nan  # at most two values
    values = rng.choice([0.0, 1.0, 50.0, 55.0, 1000.0, 10_000.0], size=units) + rng.normal(0, 1, units).round(1)
    values[rng.random(units) < 0.1] = np.nan
    values[units // 4 + 20 : units // 4 + 40] = 0.0
    return history, values


def _present(row: np.ndarray) -> list[float]:
    return [float(v) for v in row if not np.isnan(v)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_row_wise_functions_equal_the_scalar_ones(seed):
    history, values = _rows(seed)
    z = robust_z_rows(history, values)
    medians = median_rows(history)
    far = departs_rows(medians, values, 50)
    change = change_percent_rows(history[:, -1], values)
    for i in range(len(values)):
        past, value = _present(history[i]), values[i]
        assert (np.isnan(medians[i]) and not past) or medians[i] == median(past)
        if np.isnan(value):
            assert np.isnan(z[i]) and not far[i] and np.isnan(change[i])
            continue
        expected = robust_z(past, float(value))
        assert (np.isnan(z[i]) and expected is None) or z[i] == expected  # exactly, not approximately
        assert far[i] == departs(median(past) if past else None, float(value), 50)
        previous = history[i, -1]
        expected = None if np.isnan(previous) else change_percent(float(previous), float(value))
        assert (np.isnan(change[i]) and expected is None) or change[i] == expected


def test_the_row_wise_boundaries():
    history = np.array([[50, 50, 50], [0, 0, 0], [0, 0, 0], [1, 2, np.nan], [100, 102, 98]], dtype=float)
    values = np.array([55, 0, 3, 100, 101.4826])
    z = robust_z_rows(history, values)
    assert z[0] == pytest.approx(1.0)
    assert z[1] == 0 and z[2] == math.inf
    assert np.isnan(z[3])  # fewer than three values
    assert z[4] == robust_z([100, 102, 98], 101.4826)
    assert list(departs_rows(np.array([1010, 1010, 0, 0]), np.array([1515, 1516, 0, 1]), 50)) == [
        False,
        True,
        False,
        True,
    ]
    assert np.isnan(change_percent_rows(np.array([0.0]), np.array([5.0]))[0])
    assert np.isnan(median_rows(np.full((2, 0), np.nan))).all()


def test_robust_z_against_peers_equals_the_scalar_one_per_member():
    import numpy as np

    from giamsat.alerts.engine.outliers import robust_z_groups

    values = np.array([50, 51, 49, 10, 7, 7, 7, np.nan, 8, 300.0])
    groups = np.array(["a", "a", "a", "a", "b", "b", "b", "b", "b", "c"], dtype=object)
    z, usual = robust_z_groups(groups, values, min_members=3)
    for i in range(len(values)):
        peers = [v for v, g in zip(values, groups, strict=True) if g == groups[i] and not np.isnan(v)]
        if np.isnan(values[i]) or len(peers) < 3:
            assert np.isnan(z[i])
        else:
            assert z[i] == robust_z(peers, values[i])
            assert usual[i] == np.median(peers)
