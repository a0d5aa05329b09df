"""Numbers on pages: Vietnamese separators, rounded (half up) to the places asked, never cut."""

from decimal import Decimal

import pytest
from django.utils import translation

from giamsat.core.templatetags.giamsat import num


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (71.26, 1, "71,3"),  # Django's number_format alone would cut it to 71,2
        (71.25, 1, "71,3"),
        (0.61235, 4, "0,6124"),
        (1234567.891, 1, "1.234.567,9"),
        (Decimal("85.500000"), None, "85,5"),
        (Decimal("2.675"), 2, "2,68"),
        (1000.0, None, "1.000"),
        (float("nan"), 1, ""),
        (None, 1, ""),
    ],
)
def test_num(value, decimals, expected):
    with translation.override("vi"):
        assert num(value, decimals) == expected
