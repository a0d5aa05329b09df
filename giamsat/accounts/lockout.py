"""Sign-in throttling: the edges django-axes calls (client address, lockout page).

Axes counts wrong passwords per account and per client address (settings: LOGIN_FAILURE_LIMIT,
LOGIN_LOCKOUT_MINUTES, LOGIN_LOCKOUT_BY) and refuses further sign-ins, ours and the admin's,
until the wait is over or an administrator unlocks (services.user_unlock).
"""

from __future__ import annotations

import datetime as dt
import math

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address: the trusted proxy's header when configured, else REMOTE_ADDR."""
    header = settings.LOGIN_CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[0].strip()
    return request.META.get("REMOTE_ADDR")


def lockout_minutes_left(*, username: str, ip_address: str | None, now: dt.datetime | None = None) -> int | None:
    """Whole minutes until the latest failure of this account or address is forgotten, or None
    when a lockout lasts until an administrator unlocks."""
    cool_off = get_cool_off()
    if not cool_off:
        return None
    latest = AccessAttempt.objects.filter(Q(username=username) | Q(ip_address=ip_address)).aggregate(
        at=Max("attempt_time")
    )["at"]
    if latest is None:
        return max(1, math.ceil(cool_off.total_seconds() / 60))
    left = latest + cool_off - (now or timezone.now())
    return max(1, math.ceil(left.total_seconds() / 60))


def lockout_message(*, minutes: int | None) -> str:
    """What a locked-out person reads on the sign-in page."""
    if minutes is None:
        return _("Sign-in is locked after too many wrong passwords. Contact the administrator to unlock your account.")
    return _(
        "Sign-in is locked after too many wrong passwords. Try again in %(minutes)s minutes, "
        "or contact the administrator to unlock your account."
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """Axes' AXES_LOCKOUT_CALLABLE: the sign-in page again, with the reason and the wait (429)."""
    from .forms import LoginForm

    username = (credentials or {}).get("username") or request.POST.get("username", "")
    minutes = lockout_minutes_left(username=username, ip_address=client_ip_address(request))
    form = LoginForm(request, initial={"username": username})
    return render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "next": request.POST.get("next", request.GET.get("next", "")),
            "lockout_message": lockout_message(minutes=minutes),
        },
        status=429,
    )
