"""The spread of an indicator across units: histogram bins and the five-number summary."""

import pytest

from giamsat.evaluation.engine.distribution import distribution


@pytest.mark.parametrize(
    "values, counts, summary",
    [
        ([], [], (None, None, None, None, None)),
        ([5.0], [1], (5.0, 5.0, 5.0, 5.0, 5.0)),
        ([2.0, 2.0, 2.0], [3], (2.0, 2.0, 2.0, 2.0, 2.0)),
        ([1.0, 2.0, 3.0, 4.0], [2, 2], (1.0, 1.75, 2.5, 3.25, 4.0)),
        ([0.0, 10.0, 10.0, 0.0, 5.0, None, float("nan")], [2, 1, 2], (0.0, 0.0, 5.0, 10.0, 10.0)),
    ],
)
def test_distribution(values, counts, summary):
    result = distribution(values, bins=len(counts) if len(counts) > 1 else None)
    assert [b.count for b in result.bins] == counts
    assert (result.minimum, result.q1, result.median, result.q3, result.maximum) == summary
    assert result.count == sum(counts)


def test_bins_cover_the_range_and_every_value_once():
    values = [float(v) for v in range(34)]
    result = distribution(values)
    assert len(result.bins) == 6  # about √34
    assert result.bins[0].low == 0.0 and result.bins[-1].high == 33.0
    assert sum(b.count for b in result.bins) == 34
