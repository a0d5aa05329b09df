"""Session lifetime: sign out a browser session idle too long or older than its absolute limit."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
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
