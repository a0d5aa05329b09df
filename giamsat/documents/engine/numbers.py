"""Numbers as Vietnamese official documents write them: 1.234,5 (as the pages show them in
Vietnamese); no value is "không có số liệu", never 0."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

NO_DATA = "không có số liệu"


def vn_number(value: float | int | Decimal | None, decimals: int = 0) -> str:
    """1234.56 → "1.234,6" (decimals=1), rounded half up like the pages' `num` filter."""
    if value is None or (not isinstance(value, Decimal) and not math.isfinite(float(value))):
        return NO_DATA
    number = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _dot, fraction = text.partition(".")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + fraction if fraction else "")


def vn_percent(value: float | None, decimals: int = 1) -> str:
    return NO_DATA if value is None else f"{vn_number(value, decimals)} %"
