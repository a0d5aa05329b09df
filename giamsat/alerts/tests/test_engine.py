"""The arithmetic of the value rules, at their boundaries."""

import math

import pytest

from giamsat.alerts.engine.outliers import change_percent, robust_z


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
