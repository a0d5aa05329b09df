"""Template helpers: dates in dd/mm/yyyy and the unit type badge."""

import datetime as dt

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
def ddmmyyyy(value):
    """A date as dd/mm/yyyy whatever the language; empty for none."""
    if not value:
        return ""
    if isinstance(value, dt.datetime):
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
