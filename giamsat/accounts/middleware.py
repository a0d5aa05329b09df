"""Session lifetime: sign out a browser session idle too long or older than its absolute limit;
keep a session that still owes its second-factor code on the code page."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

LAST_ACTIVITY_KEY = "_giamsat_last_activity"
STARTED_KEY = "_giamsat_session_started"
# The last-activity stamp is rewritten at most this often, so most requests do not save the session.
ACTIVITY_RESOLUTION_SECONDS = 60


def session_expiry_reason(*, started: float | None, last_activity: float | None, now: float) -> str | None:
    """Why a session must end now ("idle" or "age"), or None while it is still valid."""
    idle_limit = settings.SESSION_IDLE_TIMEOUT_MINUTES * 60
    if idle_limit and last_activity is not None and now - last_activity > idle_limit:
        return "idle"
    if started is not None and now - started > settings.SESSION_COOKIE_AGE:
        return "age"
    return None


def session_stamp_on_login(sender, request: HttpRequest, user, **kwargs) -> None:
    """user_logged_in receiver (AccountsConfig.ready): a new session starts its clocks at sign-in,
    so the first page after it does not write the session again."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[STARTED_KEY] = now
        request.session[LAST_ACTIVITY_KEY] = now


class SessionTimeoutMiddleware:
    """After AuthenticationMiddleware and MessageMiddleware. Only session sign-ins are timed:
    a request with an Authorization header (a personal API token) passes through untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Authorization" not in request.headers:
            now = time.time()
            session = request.session
            reason = session_expiry_reason(
                started=session.get(STARTED_KEY), last_activity=session.get(LAST_ACTIVITY_KEY), now=now
            )
            if reason is not None:
                return self._signed_out(request, reason)
            if STARTED_KEY not in session:
                session[STARTED_KEY] = now
            if now - session.get(LAST_ACTIVITY_KEY, 0) >= ACTIVITY_RESOLUTION_SECONDS:
                session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)

    def _signed_out(self, request: HttpRequest, reason: str) -> HttpResponse:
        logout(request)
        if request.path.startswith("/api/"):
            # The API answers 401 itself to a request without a user.
            return self.get_response(request)
        if reason == "idle":
            message = _("You were signed out after %(minutes)s minutes without activity. Please sign in again.") % {
                "minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES
            }
        else:
            message = _("Your session has expired. Please sign in again.")
        messages.info(request, message)
        response = redirect_to_login(request.get_full_path() if request.method == "GET" else request.path)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = redirect_to_login(request.path).url
        return response


# Second factor ----------------------------------------------------------------------------------

SECOND_FACTOR_KEY = "_giamsat_second_factor"
SECOND_FACTOR_FAILURES_KEY = "_giamsat_second_factor_failures"
# What a session still owes after the password: the code ("pending"), setting the factor up
# because the role must have one ("setup"), or nothing ("done").
PENDING, SETUP, DONE = "pending", "setup", "done"


def second_factor_state(user) -> str:
    """What a fresh sign-in of this user owes: PENDING when a confirmed TOTP device exists,
    SETUP when the role must have one and has none, else DONE."""
    from .selectors import second_factor_required, totp_device_confirmed

    if totp_device_confirmed(user) is not None:
        return PENDING
    if second_factor_required(user):
        return SETUP
    return DONE


def second_factor_on_login(sender, request: HttpRequest, user, **kwargs) -> None:
    """user_logged_in receiver (AccountsConfig.ready): every sign-in, ours or the admin's,
    starts by owing the code when the user has a second factor."""
    if request is not None and hasattr(request, "session"):
        request.session[SECOND_FACTOR_KEY] = second_factor_state(user)
        request.session.pop(SECOND_FACTOR_FAILURES_KEY, None)


def second_factor_mark_done(request: HttpRequest, device=None) -> None:
    """The session has given its code (or just set the factor up): it is fully signed in."""
    from django_otp import login as otp_login

    if device is not None:
        otp_login(request, device)
    request.session[SECOND_FACTOR_KEY] = DONE
    request.session.pop(SECOND_FACTOR_FAILURES_KEY, None)


class SecondFactorMiddleware:
    """After SessionTimeoutMiddleware. A browser session that has not given its TOTP code reaches
    the code page, sign-out and the language switch only; everything else (the admin too) sends
    it to the code page, and the API treats it as anonymous. A user whose role must have a second
    factor (settings.TOTP_REQUIRED_ROLES) is likewise kept on the set-up page. Personal API tokens
    are not affected: they never rely on the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        state = request.session.get(SECOND_FACTOR_KEY)
        if state is None:
            # A session begun before the second factor existed.
            state = request.session[SECOND_FACTOR_KEY] = second_factor_state(user)
        if state == DONE:
            return self.get_response(request)
        target = reverse("accounts:second_factor_verify" if state == PENDING else "accounts:second_factor")
        if request.path in self._allowed_paths(state) or request.path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            request.user = AnonymousUser()
            return self.get_response(request)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        next_url = request.get_full_path() if request.method == "GET" else ""
        return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)

    @staticmethod
    def _allowed_paths(state: str) -> set[str]:
        common = {reverse("accounts:logout"), reverse("set_language")}
        if state == PENDING:
            return common | {reverse("accounts:second_factor_verify")}
        return common | {
            reverse("accounts:second_factor"),
            reverse("accounts:second_factor_setup"),
            reverse("accounts:second_factor_confirm"),
        }
