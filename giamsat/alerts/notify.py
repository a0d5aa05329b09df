"""Who hears about an alert, through the one notification service: the unit's reporters and
leaders when it opens (the ministry's leaders too when it is critical), the leaders of the
unit above when nobody acknowledges it in time. A silenced alert tells nobody."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from giamsat.accounts.choices import Role, ScopeKind
from giamsat.notifications.choices import DeliveryMode
from giamsat.notifications.registry import kind_register
from giamsat.notifications.selectors import unit_users
from giamsat.notifications.services import notification_send

from .choices import Severity
from .models import Alert
from .selectors import alert_silenced, alert_summary

ALERT_OPENED = "ALERT_OPENED"
ALERT_ESCALATED = "ALERT_ESCALATED"
kind_register(ALERT_OPENED, _lazy("An alert about your unit"), order=30)
kind_register(ALERT_ESCALATED, _lazy("An alert escalated to you"), default_mode=DeliveryMode.IMMEDIATE, order=31)

UNIT_ROLES = (Role.PROVINCE_REPORTER, Role.PROVINCE_LEADER, Role.MINISTRY_IT_REPORTER)
LEADER_ROLES = (Role.PROVINCE_LEADER, Role.MINISTRY_LEADER)


def alert_opened_notify(alert: Alert) -> int:
    """Tell the unit's people (once per opening: the key carries how often it reopened)."""
    if alert_silenced(alert):
        return 0
    users = {u.pk: u for u in unit_users(alert.org_unit, roles=UNIT_ROLES)}
    if alert.severity == Severity.CRITICAL:
        for user in unit_users(alert.org_unit, roles=(Role.MINISTRY_LEADER,), kind=ScopeKind.VIEW):
            users.setdefault(user.pk, user)
    sent = 0
    for user in users.values():
        sent += (
            notification_send(
                user=user,
                kind=ALERT_OPENED,
                title=alert_summary(alert),
                body=_("%(unit)s · %(period)s") % {"unit": alert.org_unit.name, "period": alert.period.label},
                link=reverse("alerts:detail", args=[alert.pk]),
                unit=alert.org_unit,
                key=f"alert:{alert.pk}:opened:{alert.reopened}",
            )
            is not None
        )
    return sent


def alert_escalated_notify(alert: Alert) -> int:
    """Tell the leaders of the unit above (the ministry's, for a province) that nobody has
    acknowledged the alert in time."""
    above = alert.org_unit.parent or alert.org_unit
    sent = 0
    for user in unit_users(above, roles=LEADER_ROLES, kind=ScopeKind.VIEW):
        sent += (
            notification_send(
                user=user,
                kind=ALERT_ESCALATED,
                title=_("Not acknowledged: %(what)s") % {"what": alert_summary(alert)},
                body=_("%(unit)s · %(period)s") % {"unit": alert.org_unit.name, "period": alert.period.label},
                link=reverse("alerts:detail", args=[alert.pk]),
                unit=alert.org_unit,
                key=f"alert:{alert.pk}:escalated:{alert.escalation_level}",
            )
            is not None
        )
    return sent
