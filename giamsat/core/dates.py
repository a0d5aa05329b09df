"""Parsing of dates given by people and clients: dd/mm/yyyy first, ISO accepted."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y")


class InvalidDate(ValueError):
    """A date the user typed that we cannot read; the message says what we expected."""


def parse_date(value: str | None, *, default: dt.date | None = None) -> dt.date | None:
    """Read a date in dd/mm/yyyy (or yyyy-mm-dd); empty gives `default`."""
    if value is None or not str(value).strip():
        return default
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if parsed.year < 1900 or parsed.year > 2200:
            break
        return parsed
    raise InvalidDate(
        _("“%(value)s” is not a valid date. Use dd/mm/yyyy, for example 30/06/2025.") % {"value": text[:40]}
    )


def today() -> dt.date:
    """Today's date in the project's time zone (Asia/Ho_Chi_Minh)."""
    return timezone.localdate()
