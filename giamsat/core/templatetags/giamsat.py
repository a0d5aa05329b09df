"""Template helpers: dates in dd/mm/yyyy and the unit type badge."""

import datetime as dt
import math

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


@register.filter
def ddmmyyyy(value):
    """A date as dd/mm/yyyy whatever the language; empty for none."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)  # Asia/Ho_Chi_Minh, as the officials read the clock
        return date_format(value, "SHORT_DATETIME_FORMAT")
    return value.strftime("%d/%m/%Y")


@register.filter
def isodate(value):
    return value.isoformat() if value else ""


@register.simple_tag(takes_context=True)
def url_with(context, **params):
    """The current URL with some query parameters replaced (empty value removes one)."""
    query = context["request"].GET.copy()
    for key, value in params.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def num(value, decimals=None):
    """A number as the active language writes it (1.234,5 in Vietnamese); empty for none."""
    from decimal import ROUND_HALF_UP, Decimal

    from django.utils.formats import number_format

    if value is None or value == "":
        return ""
    if not isinstance(value, Decimal) and not math.isfinite(float(value)):
        return ""
    if isinstance(value, Decimal):
        value = value.normalize()  # 85.500000 → 85.5: show the digits that were entered
        places = max(0, -value.as_tuple().exponent) if decimals is None else int(decimals)
    else:
        places = 0 if decimals is None and float(value).is_integer() else (2 if decimals is None else int(decimals))
        value = Decimal(repr(float(value)))
    # Django's number_format cuts extra digits off (71.26 → 71,2): round half up first (71,3).
    value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


@register.filter
def delta_percent(value, previous):
    """Change from the previous value in %, or None when it cannot be computed."""
    if value is None or previous in (None, 0):
        return None
    return (float(value) - float(previous)) / abs(float(previous)) * 100


@register.filter
def minus(value, other):
    if value is None or other is None:
        return None
    return value - other
