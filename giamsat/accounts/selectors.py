"""Reads about users, and the one mechanism that enforces unit scopes everywhere.

Every view and API handler that touches unit-bound data passes its queryset through
`scope_filter` (or checks one unit with `ensure_can_view` / `ensure_can_capture`). A scope is
a set of unit subtrees; a subtree is a path prefix, so filtering is one SQL condition.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from giamsat.orgunits.models import OrgUnit
from giamsat.orgunits.selectors import lineage_predecessor_paths

from .choices import ScopeKind
from .constants import SECOND_FACTOR_ROLES
from .models import ApiToken, User


class ScopeDenied(PermissionDenied):
    """The unit lies outside the user's scope."""


@dataclass(frozen=True)
class Scope:
    """A set of unit subtrees, given by their paths. `everything` is the superuser's scope."""

    paths: tuple[str, ...] = ()
    everything: bool = False

    def q(self, unit_field: str = "") -> Q:
        """A filter for a queryset whose unit is reached through `unit_field` ('' = OrgUnit)."""
        if self.everything:
            return Q()
        lookup = f"{unit_field}__path__startswith" if unit_field else "path__startswith"
        condition = Q(pk__in=[])
        for path in self.paths:
            condition |= Q(**{lookup: path})
        return condition

    def contains(self, unit: OrgUnit) -> bool:
        return self.everything or any(unit.path.startswith(p) for p in self.paths)

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.paths

    def covers_every_root(self) -> bool:
        """The scope holds every tree of the registry (the ministry's view of the country and
        the Government): a filter by it would keep every row, at the cost of an OR per root."""
        if self.everything:
            return True
        roots = OrgUnit.objects.filter(parent__isnull=True).values_list("path", flat=True)
        return bool(self.paths) and all(any(root.startswith(p) for p in self.paths) for root in roots)


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one, so filters stay short."""
    result: list[str] = []
    for path in sorted(paths, key=len):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return tuple(sorted(result))


def user_scope(user: User, kind: str = ScopeKind.VIEW) -> Scope:
    """The user's capture or view scope, memoised on the user object for the request.

    The view scope contains the capture scope, and reaches back through restructuring: a
    current province's users see its former provinces' history (their predecessors).
    """
    cache = user.__dict__.setdefault("_giamsat_scopes", {})
    if kind in cache:
        return cache[kind]
    if not user.is_authenticated or not user.is_active:
        scope = Scope()
    elif user.is_superuser:
        scope = Scope(everything=True)
    else:
        kinds = [ScopeKind.CAPTURE] if kind == ScopeKind.CAPTURE else [ScopeKind.CAPTURE, ScopeKind.VIEW]
        roots = set(user.scopes.filter(kind__in=kinds).values_list("org_unit__path", flat=True))
        if kind == ScopeKind.VIEW and roots:
            roots |= lineage_predecessor_paths(roots)
        scope = Scope(paths=_minimal(roots))
    cache[kind] = scope
    return scope


def scope_filter(queryset: QuerySet, user: User, *, kind: str = ScopeKind.VIEW, unit_field: str = "") -> QuerySet:
    """Restrict any queryset to the rows whose unit is inside the user's scope."""
    return queryset.filter(user_scope(user, kind).q(unit_field))


def ensure_can_view(user: User, unit: OrgUnit) -> None:
    """Raise ScopeDenied unless the user may see the unit's data."""
    if not user_scope(user, ScopeKind.VIEW).contains(unit):
        raise ScopeDenied(_("This unit is outside your scope."))


def ensure_can_capture(user: User, unit: OrgUnit) -> None:
    """Raise ScopeDenied unless the user may enter or change the unit's data."""
    if not user_scope(user, ScopeKind.CAPTURE).contains(unit):
        raise ScopeDenied(_("You may not enter data for this unit: it is outside your data-entry scope."))


def navigable_units(user: User) -> QuerySet[OrgUnit]:
    """Units the user can see in the registry: their view scope plus the ancestors of its
    roots (so the tree can be browsed from the top down to their own units)."""
    scope = user_scope(user, ScopeKind.VIEW)
    if scope.everything:
        return OrgUnit.objects.all()
    ancestor_codes = {code for path in scope.paths for code in path.split("/") if code}
    return OrgUnit.objects.filter(scope.q() | Q(code__in=ancestor_codes))


def ensure_can_navigate(user: User, unit: OrgUnit) -> None:
    """Raise ScopeDenied unless the unit is in the user's view scope or above it."""
    scope = user_scope(user, ScopeKind.VIEW)
    if scope.contains(unit):
        return
    if any(p.startswith(unit.path) for p in scope.paths):
        return
    raise ScopeDenied(_("This unit is outside your scope."))


def user_tokens(user: User) -> QuerySet[ApiToken]:
    """A user's API tokens, newest first."""
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def user_scope_units(user: User) -> dict[str, list[OrgUnit]]:
    """The units a user's scopes are rooted at, by kind, for display."""
    result: dict[str, list[OrgUnit]] = {ScopeKind.CAPTURE: [], ScopeKind.VIEW: []}
    for scope in user.scopes.select_related("org_unit").order_by("org_unit__path"):
        result[scope.kind].append(scope.org_unit)
    return result


# Second factor (TOTP) ---------------------------------------------------------------------------


def second_factor_eligible(user: User) -> bool:
    """Whether the user may turn on a TOTP second factor (leaders, administrators, and any role
    for which settings.TOTP_REQUIRED_ROLES makes it compulsory)."""
    return user.is_authenticated and (user.role in SECOND_FACTOR_ROLES or user.role in settings.TOTP_REQUIRED_ROLES)


def second_factor_required(user: User) -> bool:
    """Whether the user's role must use a second factor (settings.TOTP_REQUIRED_ROLES)."""
    return user.is_authenticated and user.role in settings.TOTP_REQUIRED_ROLES


def totp_device_confirmed(user: User) -> TOTPDevice | None:
    """The user's confirmed TOTP device, or None when the second factor is off."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def totp_device_pending(user: User) -> TOTPDevice | None:
    """The TOTP device being set up (not yet confirmed with a code), or None."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


@dataclass(frozen=True)
class TotpSetup:
    """What an authenticator app needs: the secret in text (base32, in groups of four), the
    otpauth:// address and that address as a QR code (an SVG data: URI, drawn here)."""

    secret: str
    config_url: str
    qr_data_uri: str


def totp_setup_details(device: TOTPDevice) -> TotpSetup:
    """The secret and QR code of a device being set up; nothing leaves the server to draw them."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    qr = segno.make(device.config_url, error="m")
    return TotpSetup(
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        config_url=device.config_url,
        qr_data_uri=qr.svg_data_uri(scale=5, border=2),
    )


def unit_filter_choices(user: User, *, on: dt.date) -> list[OrgUnit]:
    """The units a unit filter offers by name: each root of the user's view scope in force on the
    date and the units just below it (the ministry: the country and its provinces; a province: the
    province and its communes). Any other unit in scope can still be typed by its code."""
    scope = user_scope(user, ScopeKind.VIEW)
    units = OrgUnit.objects.active_on(on)
    roots = units.filter(parent__isnull=True) if scope.everything else units.filter(path__in=scope.paths)
    root_ids = list(roots.values_list("pk", flat=True))
    return list(units.filter(Q(pk__in=root_ids) | Q(parent_id__in=root_ids)).select_related("parent").order_by("path"))
