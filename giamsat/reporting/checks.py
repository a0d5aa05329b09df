"""Every check a value goes through, and every refusal reason, defined once.

The per-row service (`services.data_values_write`), the set-based import (`bulk._Checker`) and
the code resolution of the exchange formats (`exchange.resolve`) all ask these functions; a test
greps the tree to make sure no reason is written anywhere else. A new rule goes here, once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _


def unknown_element() -> str:
    return _("No data element has this code.")


def unknown_unit() -> str:
    return _("No unit has this code.")


def unknown_period() -> str:
    return _("This is not a period (use e.g. 202510, 2025Q3, 2025).")


def _exists_on(valid_from: dt.date | None, valid_to: dt.date | None, day: dt.date) -> bool:
    return (valid_from is None or valid_from <= day) and (valid_to is None or valid_to >= day)


def placement_refusal(
    *,
    in_scope: bool,
    unit_from: dt.date | None,
    unit_to: dt.date | None,
    period_start: dt.date,
    period_end: dt.date,
    period_type: str,
    period_code: str,
    element_period_type: str,
    element_period_label,
    duplicate: bool,
) -> str | None:
    """Why this figure cannot be written for this unit and period by this user, or None: outside
    the user's data-entry scope, a unit that did not exist, a period of another type than the
    figure's, or the same figure twice in one write."""
    if not in_scope:
        return _("The unit is outside your data-entry scope.")
    if (unit_from is not None or unit_to is not None) and not (
        _exists_on(unit_from, unit_to, period_end) or _exists_on(unit_from, unit_to, period_start)
    ):
        return _("The unit did not exist in this period.")
    if period_type != element_period_type:
        return _("This figure is reported %(type)s, not for period %(period)s.") % {
            "type": str(element_period_label).lower(),
            "period": period_code,
        }
    if duplicate:
        return _("The same figure appears twice for this unit and period.")
    return None


def stale_refusal(
    *,
    expected: str,
    stored_at: dt.datetime | None,
    stored_value: Decimal | None,
    stored_by: str,
) -> str | None:
    """A conditional write (a form opened earlier, an API client sending the `lastUpdated` it
    read) is refused when the figure changed since: the reason shows the newer value, who wrote
    it and when, so the person can decide. `expected` is "" when there was no value yet."""
    from django.utils import timezone

    from giamsat.core.templatetags.giamsat import num

    if expected:
        try:
            seen = dt.datetime.fromisoformat(expected.strip().replace("Z", "+00:00"))
        except ValueError:
            return _("“%(value)s” is not a lastUpdated time as the export gives it.") % {"value": expected[:40]}
        if timezone.is_naive(seen):
            seen = timezone.make_aware(seen)
        if stored_at is not None and stored_at == seen:
            return None
    elif stored_at is None:
        return None
    if stored_at is None:
        return _("This figure was deleted after you read it. Your value was not saved; send it again to enter it.")
    return _(
        "This figure was changed after you read it: it is now %(value)s (%(who)s, %(when)s). "
        "Your value was not saved; send it again to replace that one."
    ) % {
        "value": num(stored_value) if stored_value is not None else "—",
        "who": stored_by or "—",
        "when": timezone.localtime(stored_at).strftime("%d/%m/%Y %H:%M"),
    }


def locked_change_refusal(
    *, value: Decimal | None, comment: str | None, stored: tuple[Decimal | None, str] | None
) -> str | None:
    """A figure under a submitted or approved report may be sent again unchanged (re-importing an
    export); a change is refused. `comment` None keeps the stored comment."""
    stored_value, stored_comment = stored or (None, "")
    if (value, stored_comment if comment is None else comment) != (stored_value, stored_comment):
        return _("The report holding this value is submitted or approved: it is locked until returned.")
    return None
