"""Reading a typed-in value for a data element: the checks every channel shares (pure)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from giamsat.catalog.choices import ValueType

MAX_ABS = Decimal("1e17")


class ValueRejected(ValueError):
    """A value that does not fit its data element; the message says why, in the user's language."""


def _normalise(raw: str, decimal_separator: str | None) -> str:
    """Plain digits with a dot for decimals. People type 1.234,5 in Vietnamese and 1,234.5 in
    English (`decimal_separator` "," or "."); machines (None) send 1234.5."""
    text = raw.strip().replace("\u00a0", "").replace(" ", "")
    if text.endswith("%"):
        text = text[:-1]
    if decimal_separator == ",":
        return text.replace(".", "").replace(",", ".")
    if decimal_separator == ".":
        return text.replace(",", "")
    return text


def parse_value(
    raw: str | int | float | Decimal | None,
    *,
    value_type: str,
    min_value: Decimal | None = None,
    max_value: Decimal | None = None,
    decimal_separator: str | None = None,
) -> Decimal | None:
    """The value as a Decimal, None for empty; ValueRejected with the reason otherwise."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        raw = int(raw)
    if isinstance(raw, int | float | Decimal):
        text = str(raw)
    else:
        text = _normalise(str(raw), decimal_separator)
        if not text:
            return None
        if value_type == ValueType.BOOLEAN:
            lowered = text.lower()
            if lowered in {"có", "co", "yes", "true", "x"}:
                text = "1"
            elif lowered in {"không", "khong", "no", "false"}:
                text = "0"
    try:
        value = Decimal(text)
    except (InvalidOperation, ValueError):
        raise ValueRejected(_("“%(raw)s” is not a number.") % {"raw": str(raw)[:40]}) from None
    if not value.is_finite() or abs(value) >= MAX_ABS:
        raise ValueRejected(_("“%(raw)s” is not a usable number.") % {"raw": str(raw)[:40]})
    if value_type == ValueType.INTEGER and value != value.to_integral_value():
        raise ValueRejected(_("Enter a whole number (no decimals)."))
    if value_type == ValueType.BOOLEAN and value not in (0, 1):
        raise ValueRejected(_("Answer 1 (yes) or 0 (no)."))
    if min_value is not None and value < min_value:
        raise ValueRejected(_("The value cannot be below %(min)s.") % {"min": number_format(min_value, decimal_pos=0)})
    if max_value is not None and value > max_value:
        if value_type == ValueType.PERCENTAGE:
            raise ValueRejected(_("A percentage cannot be above %(max)s %%.") % {"max": number_format(max_value, 0)})
        raise ValueRejected(_("The value cannot be above %(max)s.") % {"max": number_format(max_value, 0)})
    return value.normalize() if value == value.to_integral_value() else value
