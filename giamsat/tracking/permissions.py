"""Who may do what with tracked work. The unit in charge (data-entry scope over it) reports
progress, completion and asks for more time; the assigner (or whoever may assign to that unit
from the assigning body) creates, reviews evidence and decides extensions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from giamsat.accounts.choices import Role, ScopeKind
from giamsat.accounts.selectors import user_scope

MINISTRY_ASSIGNERS = (Role.MINISTRY_LEADER, Role.MINISTRY_ANALYST)


def can_assign(user, unit) -> bool:
    """May give work to `unit`: an administrator; the ministry's leaders and analysts over the
    units they see; a provincial leader within their own province."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.role == Role.ADMIN or user.is_superuser:
        return True
    if user.role in MINISTRY_ASSIGNERS:
        return user_scope(user, ScopeKind.VIEW).contains(unit)
    if user.role == Role.PROVINCE_LEADER:
        return user_scope(user, ScopeKind.CAPTURE).contains(unit)
    return False


def can_report_for(user, unit) -> bool:
    """Is one of the unit's own people (data-entry scope over it)."""
    return user.is_authenticated and user_scope(user, ScopeKind.CAPTURE).contains(unit)


def can_report(user, item) -> bool:
    """May report progress on the item: the unit in charge's people."""
    return can_report_for(user, item.owner_unit)


def can_review(user, item) -> bool:
    """May accept or return evidence and decide extensions: the assigner, or someone who may
    assign to the unit and belongs to the assigning body's side (a province's leader does not
    review the ministry's tasks)."""
    if not user.is_authenticated:
        return False
    if item.assigned_by_id == user.pk:
        return True
    if not can_assign(user, item.owner_unit):
        return False
    if user.role == Role.PROVINCE_LEADER and item.assigned_by_unit is not None:
        return user_scope(user, ScopeKind.CAPTURE).contains(item.assigned_by_unit)
    return True


def can_view(user, item) -> bool:
    return user.is_authenticated and (
        user_scope(user, ScopeKind.VIEW).contains(item.owner_unit) or item.assigned_by_id == user.pk
    )


def ensure(allowed: bool, message: str | None = None) -> None:
    if not allowed:
        raise PermissionDenied(message or _("You do not have permission to do this."))
