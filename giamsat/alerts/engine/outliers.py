"""Pure arithmetic of the value rules: robust z-scores and changes against the last period."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

MAD_TO_SD = 1.4826  # the median absolute deviation of a normal sample, as its standard deviation
FLAT_SCALE = 0.1  # a flat history: departures are measured against a tenth of its value
MIN_HISTORY = 3


def robust_z(history: Sequence[float], value: float) -> float | None:
    """How unusual `value` is against `history`: (value − median) / (1.4826 × MAD). A history
    of identical values has no spread: departures are measured against a tenth of the value
    instead (a flat 0 makes any other value infinitely unusual). None below three values."""
    past = np.asarray(history, dtype=np.float64)
    if len(past) < MIN_HISTORY:
        return None
    median = float(np.median(past))
    scale = float(np.median(np.abs(past - median))) * MAD_TO_SD
    if scale == 0:
        scale = abs(median) * FLAT_SCALE
    if scale == 0:
        return 0.0 if value == median else math.copysign(math.inf, value - median)
    return (value - median) / scale


def change_percent(previous: float, value: float) -> float | None:
    """The change against last period, in percent of last period's value (None from zero)."""
    if previous == 0:
        return None
    return (value - previous) / abs(previous) * 100
