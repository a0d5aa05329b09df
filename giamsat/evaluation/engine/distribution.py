"""How an indicator's values spread across units: a histogram and the five-number summary.
Pure computation, no ORM."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MAX_BINS = 12


@dataclass(frozen=True)
class Bin:
    low: float
    high: float
    count: int


@dataclass(frozen=True)
class Distribution:
    """Bins of equal width from the smallest to the largest value (the last one closed), and the
    minimum, quartiles and maximum (quartiles by the inclusive method, as a spreadsheet's)."""

    bins: tuple[Bin, ...]
    minimum: float | None
    q1: float | None
    median: float | None
    q3: float | None
    maximum: float | None
    count: int


def distribution(values: Sequence[float], *, bins: int | None = None) -> Distribution:
    """The histogram (about √n bins, at most MAX_BINS) and five-number summary of `values`."""
    data = sorted(v for v in values if v is not None and math.isfinite(v))
    n = len(data)
    if n == 0:
        return Distribution((), None, None, None, None, None, 0)
    low, high = data[0], data[-1]
    if n == 1 or low == high:
        return Distribution((Bin(low, high, n),), low, low, low, high, high, n)
    count = bins or min(MAX_BINS, max(2, math.ceil(math.sqrt(n))))
    width = (high - low) / count
    counts = [0] * count
    for value in data:
        counts[min(count - 1, int((value - low) / width))] += 1
    edges = [low + i * width for i in range(count)] + [high]
    q1, median, q3 = statistics.quantiles(data, n=4, method="inclusive")
    return Distribution(
        tuple(Bin(edges[i], edges[i + 1], counts[i]) for i in range(count)), low, q1, median, q3, high, n
    )
