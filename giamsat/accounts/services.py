"""Writes about users: creation with scopes, API tokens, the TOTP second factor."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from giamsat.orgunits.models import OrgUnit

from .choices import Role, ScopeKind
from .models import ApiToken, User, UserScope
from .selectors import second_factor_eligible, second_factor_required, totp_device_confirmed, totp_device_pending

TOKEN_PREFIX = "gs_"


class TokenError(ValueError):
    """A token request that cannot be honoured; the message says why."""


class SecondFactorError(ValueError):
    """A second-factor request that cannot be honoured; the message says why."""


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    email: str = "",
    home_unit: OrgUnit | None = None,
    capture_units: list[OrgUnit] = (),
    view_units: list[OrgUnit] = (),
    domains: list[str] = (),
) -> User:
    """Create a user with a role and its capture and view subtrees."""
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        role=role,
        home_unit=home_unit,
        domains=list(domains),
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    user.set_password(password)
    user.save()
    scope_grant(user=user, units=capture_units, kind=ScopeKind.CAPTURE)
    scope_grant(user=user, units=view_units, kind=ScopeKind.VIEW)
    return user


@transaction.atomic
def user_reset(
    *,
    user: User,
    password: str,
    role: str,
    full_name: str,
    email: str,
    home_unit: OrgUnit | None,
    capture_units: list[OrgUnit],
    view_units: list[OrgUnit],
    domains: list[str],
) -> User:
    """Put a user back to the given role, password and scopes (used for demo accounts)."""
    user.role, user.full_name, user.email, user.home_unit, user.domains = (
        role,
        full_name,
        email,
        home_unit,
        list(domains),
    )
    user.is_staff = user.is_superuser = role == Role.ADMIN
    user.is_active = True
    user.set_password(password)
    user.save()
    user.scopes.all().delete()
    scope_grant(user=user, units=capture_units, kind=ScopeKind.CAPTURE)
    scope_grant(user=user, units=view_units, kind=ScopeKind.VIEW)
    return user


def user_unlock(*, user: User) -> int:
    """Forget the account's failed sign-ins, so a locked-out user can sign in again at once.
    Returns how many attempt records were cleared."""
    from axes.utils import reset

    return reset(username=user.get_username())


def scope_grant(*, user: User, units: list[OrgUnit], kind: str) -> None:
    """Add unit subtrees to a user's capture or view scope (existing ones are kept)."""
    for unit in units:
        UserScope.objects.get_or_create(user=user, org_unit=unit, kind=kind)
    user.__dict__.pop("_giamsat_scopes", None)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Issue a personal token; returns the row and the raw token, which is never stored."""
    name = (name or "").strip()
    if not name:
        raise TokenError(_("Give the token a name, for example the system that will use it."))
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise TokenError(_("A token must expire in 1 to %(max)s days.") % {"max": settings.API_TOKEN_MAX_DAYS})
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=prefix,
        token_hash=hash_token(raw),
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    return token, raw


def token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a token at once; only its owner or an administrator may."""
    if token.user_id != by.pk and not by.is_superuser:
        raise TokenError(_("You can only revoke your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(raw: str) -> User | None:
    """The active user behind a usable token, or None. Records when it was last used."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.usable().select_related("user").filter(token_hash=hash_token(raw)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# Second factor (TOTP) ---------------------------------------------------------------------------


@transaction.atomic
def totp_setup_start(*, user: User) -> TOTPDevice:
    """Draw a new secret for the user's authenticator app; it is used only once confirmed with a
    code (totp_confirm). A secret drawn earlier and never confirmed is discarded."""
    if not second_factor_eligible(user):
        raise SecondFactorError(_("Two-step verification is available to leaders and administrators only."))
    if totp_device_confirmed(user) is not None:
        raise SecondFactorError(_("Two-step verification is already on."))
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="GiamSat", confirmed=False)


@transaction.atomic
def totp_confirm(*, user: User, token: str) -> TOTPDevice:
    """Turn the second factor on once the app shows a right code for the new secret."""
    device = totp_device_pending(user)
    if device is None or not second_factor_eligible(user):
        raise SecondFactorError(_("Start the set-up again: no secret is waiting for confirmation."))
    if not totp_token_verify(device=device, token=token):
        raise SecondFactorError(_("The code is wrong or has expired. Enter the code your app shows now."))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


@transaction.atomic
def totp_disable(*, user: User, token: str = "", password: str = "") -> int:
    """Turn the second factor off; a current code or the account password proves it is the owner.
    Refused for a role that must use it (settings.TOTP_REQUIRED_ROLES)."""
    device = totp_device_confirmed(user)
    if device is None:
        raise SecondFactorError(_("Two-step verification is not on."))
    if second_factor_required(user):
        raise SecondFactorError(_("Your role must use two-step verification; it cannot be turned off."))
    proved = (token and totp_token_verify(device=device, token=token)) or (password and user.check_password(password))
    if not proved:
        raise SecondFactorError(_("Enter a current code from your app or your password."))
    deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def totp_reset(*, user: User, by: User) -> int:
    """An administrator removes a user's second factor (a lost phone); the user signs in with the
    password alone until they set it up again. Returns how many devices were removed."""
    if not by.is_superuser:
        raise SecondFactorError(_("Only an administrator can reset another user's two-step verification."))
    deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
    return deleted


def totp_token_verify(*, device: TOTPDevice, token: str) -> bool:
    """Whether the code is right for the device now. A code is accepted once (the device keeps
    the last time step used) and a wrong one may make the device wait (OTP_TOTP_THROTTLE_FACTOR)."""
    token = "".join((token or "").split())
    if not (token.isdigit() and len(token) == device.digits):
        return False
    return device.verify_token(token)
