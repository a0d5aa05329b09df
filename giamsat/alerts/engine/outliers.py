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


# --- the same arithmetic over many units at once ---------------------------------------------
# Rows are units, columns periods; NaN where a unit has no value. Each function gives, row by
# row, exactly what its scalar counterpart above gives (NaN where that one gives None).


def median_rows(values: np.ndarray) -> np.ndarray:
    """The median of each row's values, NaN ignored (as np.median of the values present: the
    middle one, or the mean of the two middle ones); NaN for a row without values."""
    values = np.asarray(values, dtype=np.float64)
    rows = values.shape[0]
    counts = np.count_nonzero(~np.isnan(values), axis=1)
    if values.ndim != 2 or values.shape[1] == 0:
        return np.full(rows, np.nan)
    ordered = np.sort(values, axis=1)  # NaN last
    index = np.arange(rows)
    low = ordered[index, np.maximum((counts - 1) // 2, 0)]
    high = ordered[index, counts // 2]
    with np.errstate(invalid="ignore", over="ignore"):
        median = np.where(counts % 2 == 1, low, (low + high) / 2)
    median[counts == 0] = np.nan
    return median


def robust_z_rows(history: np.ndarray, values: np.ndarray) -> np.ndarray:
    """robust_z of each row's value against the row's history (NaN where robust_z is None)."""
    history = np.asarray(history, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    counts = np.count_nonzero(~np.isnan(history), axis=1)
    median = median_rows(history)
    scale = median_rows(np.abs(history - median[:, None])) * MAD_TO_SD
    scale = np.where(scale == 0, np.abs(median) * FLAT_SCALE, scale)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(
            scale != 0,
            (values - median) / np.where(scale != 0, scale, 1.0),
            np.where(values == median, 0.0, np.copysign(np.inf, values - median)),
        )
    z[(counts < MIN_HISTORY) | np.isnan(values)] = np.nan
    return z


def departs_rows(usual: np.ndarray, values: np.ndarray, percent: float) -> np.ndarray:
    """Whether each value is more than `percent` percent away from its usual value (any move
    away from a usual 0 is); False where either is missing."""
    usual = np.asarray(usual, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        far = np.abs(values / np.where(usual != 0, usual, 1.0) - 1) * 100 > percent
    return np.where(usual == 0, values != 0, far) & ~np.isnan(usual) & ~np.isnan(values)


def departs(usual: float | None, value: float, percent: float) -> bool:
    """The scalar departs_rows."""
    if usual is None:
        return False
    return usual == 0 and value != 0 or usual != 0 and abs(value / usual - 1) * 100 > percent


def change_percent_rows(previous: np.ndarray, values: np.ndarray) -> np.ndarray:
    """change_percent of each row (NaN where it is None or a value is missing)."""
    previous = np.asarray(previous, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        change = (values - previous) / np.abs(np.where(previous != 0, previous, 1.0)) * 100
    return np.where(previous == 0, np.nan, change)


def robust_z_groups(groups: np.ndarray, values: np.ndarray, min_members: int) -> tuple[np.ndarray, np.ndarray]:
    """Each value's robust_z against the values of its group (its peers, itself included), and
    the group's median; NaN for a missing value or a group with fewer than `min_members` values."""
    groups = np.asarray(groups)
    values = np.asarray(values, dtype=np.float64)
    z = np.full(len(values), np.nan)
    usual = np.full(len(values), np.nan)
    present = ~np.isnan(values)
    for group in np.unique(groups[present]):
        members = present & (groups == group)
        peers = values[members]
        if len(peers) < max(min_members, MIN_HISTORY):
            continue
        z[members] = robust_z_rows(np.broadcast_to(peers, (len(peers), len(peers))), peers)
        usual[members] = float(np.median(peers))
    return z, usual
