"""Reads: a user's inbox and choices, and who is concerned by a unit's reports."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from giamsat.accounts.choices import Role, ScopeKind
from giamsat.accounts.models import User, UserScope
from giamsat.accounts.selectors import user_scope
from giamsat.orgunits.models import OrgUnit

from .choices import DeliveryMode
from .models import Notification, NotificationPreference
from .registry import NotificationKind, kinds

REPORTER_ROLES = frozenset({Role.PROVINCE_REPORTER, Role.MINISTRY_IT_REPORTER})
APPROVER_ROLES = frozenset({Role.PROVINCE_LEADER})


def notifications_for(user, *, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's own inbox, newest first (never anyone else's)."""
    rows = Notification.objects.filter(user=user).select_related("unit")
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-created_at", "-pk")


def unread_count(user) -> int:
    """For the header's badge: one indexed count."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def preferences_for(user) -> list[tuple[NotificationKind, str]]:
    """Every registered kind with the user's delivery for it (their choice or the default)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "mode"))
    return [(kind, chosen.get(kind.code, kind.default_mode or DeliveryMode.DAILY)) for kind in kinds()]


def _ancestor_codes(unit: OrgUnit) -> list[str]:
    return [code for code in unit.path.split("/") if code]


def unit_users(unit: OrgUnit, *, roles: Iterable[str], kind: str = ScopeKind.CAPTURE) -> list[User]:
    """Active users of these roles whose scope of this kind covers the unit (a scope on the unit
    or on a unit above it)."""
    kinds_ = [ScopeKind.CAPTURE] if kind == ScopeKind.CAPTURE else [ScopeKind.CAPTURE, ScopeKind.VIEW]
    return list(
        User.objects.filter(
            is_active=True,
            role__in=list(roles),
            scopes__kind__in=kinds_,
            scopes__org_unit__code__in=_ancestor_codes(unit),
        )
        .distinct()
        .order_by("pk")
    )


def reporters_by_unit(units: Iterable[OrgUnit]) -> list[tuple[OrgUnit, list[User]]]:
    """Each unit with the reporters who enter its data, in two queries whatever the count."""
    units = list(units)
    scopes = list(
        UserScope.objects.filter(kind=ScopeKind.CAPTURE, user__is_active=True, user__role__in=list(REPORTER_ROLES))
        .select_related("user", "org_unit")
        .order_by("user_id")
    )
    result = []
    for unit in units:
        users = {s.user.pk: s.user for s in scopes if unit.path.startswith(s.org_unit.path)}
        if users:
            result.append((unit, list(users.values())))
    return result


def report_reporters(report) -> list[User]:
    return unit_users(report.org_unit, roles=REPORTER_ROLES)


def report_approvers(report) -> list[User]:
    """The unit's leaders, who approve its reports before they go up."""
    return unit_users(report.org_unit, roles=APPROVER_ROLES)


def report_reviewers(report) -> list[User]:
    """The ministry's analysts of the report's domain who see the unit; without any, the
    ministry's leaders who see it (someone must know a report waits)."""
    domain = report.data_set.domain.code if report.data_set.domain_id else None
    analysts = [
        user
        for user in User.objects.filter(is_active=True, role=Role.MINISTRY_ANALYST).order_by("pk")
        if (domain is None or not user.domains or domain in user.domains) and user_scope(user).contains(report.org_unit)
    ]
    if analysts:
        return analysts
    leaders = User.objects.filter(is_active=True, role=Role.MINISTRY_LEADER).order_by("pk")
    return [user for user in leaders if user_scope(user).contains(report.org_unit)]
