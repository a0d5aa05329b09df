"""Sign-in (with its TOTP second step), sign-out, password change and reset, the user's profile,
two-step verification and personal API tokens."""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import LoginForm, SecondFactorCodeForm, SecondFactorDisableForm, TokenCreateForm
from .lockout import lockout_response
from .middleware import (
    PENDING,
    SECOND_FACTOR_FAILURES_KEY,
    SECOND_FACTOR_KEY,
    SETUP,
    second_factor_mark_done,
    second_factor_state,
)
from .models import ApiToken
from .selectors import (
    second_factor_eligible,
    second_factor_required,
    totp_device_confirmed,
    totp_device_pending,
    totp_setup_details,
    user_scope_units,
    user_tokens,
)
from .services import (
    SecondFactorError,
    TokenError,
    token_create,
    token_revoke,
    totp_confirm,
    totp_disable,
    totp_setup_start,
    totp_token_verify,
    user_unlock,
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (the old one is asked again); the session stays signed in."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail; the answer is the same whether the address is known or not."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from the e-mailed link; a successful reset also unlocks sign-in."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        user_unlock(user=form.user)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


@login_required
def profile(request):
    user = request.user
    eligible = second_factor_eligible(user)
    return render(
        request,
        "accounts/profile.html",
        {
            "scope_units": user_scope_units(user),
            "second_factor_eligible": eligible,
            "second_factor_on": eligible and totp_device_confirmed(user) is not None,
        },
    )


def _next_or_home(request, next_url: str) -> str:
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_required
def second_factor_verify(request):
    """The sign-in's second step: the code from the authenticator app. A wrong code counts as a
    failed sign-in (django-axes); after SECOND_FACTOR_MAX_ATTEMPTS the password is asked again."""
    next_url = request.POST.get("next", request.GET.get("next", ""))
    if request.session.get(SECOND_FACTOR_KEY) != PENDING:
        return redirect(_next_or_home(request, next_url))
    user = request.user
    form = SecondFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.get_username()}
        if settings.AXES_ENABLED and AxesProxyHandler.is_locked(request, credentials):
            logout(request)
            return lockout_response(request, credentials=credentials)
        device = totp_device_confirmed(user)
        if device is None:
            # Reset by an administrator meanwhile: nothing to ask for any more.
            request.session[SECOND_FACTOR_KEY] = second_factor_state(user)
            return redirect(_next_or_home(request, next_url))
        if not device.verify_is_allowed()[0]:
            # The device waits after wrong codes (OTP_TOTP_THROTTLE_FACTOR); nothing is tried.
            form.add_error("code", _("After a wrong code, wait a few seconds before entering the next one."))
            return render(request, "accounts/second_factor_verify.html", {"form": form, "next": next_url})
        if totp_token_verify(device=device, token=form.cleaned_data["code"]):
            second_factor_mark_done(request, device)
            return redirect(_next_or_home(request, next_url))
        failures = request.session.get(SECOND_FACTOR_FAILURES_KEY, 0) + 1
        request.session[SECOND_FACTOR_FAILURES_KEY] = failures
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            logout(request)
            return lockout_response(request, credentials=credentials)
        if failures >= settings.SECOND_FACTOR_MAX_ATTEMPTS:
            logout(request)
            messages.error(request, _("Too many wrong codes. Sign in again with your password."))
            return redirect("accounts:login")
        form.add_error("code", _("The code is wrong or has expired. Enter the code your app shows now."))
    return render(request, "accounts/second_factor_verify.html", {"form": form, "next": next_url})


def _second_factor_page(request, *, confirm_form=None, disable_form=None, status: int = 200):
    user = request.user
    device = totp_device_confirmed(user)
    pending = None if device else totp_device_pending(user)
    return render(
        request,
        "accounts/second_factor.html",
        {
            "device": device,
            "pending": pending,
            "setup": totp_setup_details(pending) if pending else None,
            "required": second_factor_required(user),
            "must_set_up": request.session.get(SECOND_FACTOR_KEY) == SETUP,
            "confirm_form": confirm_form or SecondFactorCodeForm(),
            "disable_form": disable_form or SecondFactorDisableForm(),
        },
        status=status,
    )


def _ensure_eligible(request) -> None:
    if not second_factor_eligible(request.user):
        raise PermissionDenied(_("Two-step verification is available to leaders and administrators only."))


@login_required
def second_factor(request):
    """Two-step verification: its state, the set-up (QR code, secret, confirmation) or turning it off."""
    _ensure_eligible(request)
    return _second_factor_page(request)


@login_required
@require_POST
def second_factor_setup(request):
    """Draw a new secret and show it with its QR code."""
    _ensure_eligible(request)
    try:
        totp_setup_start(user=request.user)
    except SecondFactorError as exc:
        messages.error(request, str(exc))
    return redirect("accounts:second_factor")


@login_required
@require_POST
def second_factor_confirm(request):
    """Turn two-step verification on with a first code from the app."""
    _ensure_eligible(request)
    form = SecondFactorCodeForm(request.POST)
    if form.is_valid():
        try:
            device = totp_confirm(user=request.user, token=form.cleaned_data["code"])
        except SecondFactorError as exc:
            form.add_error("code", str(exc))
        else:
            second_factor_mark_done(request, device)
            messages.success(request, _("Two-step verification is on. Sign-in will ask for a code from your app."))
            return redirect("accounts:profile")
    return _second_factor_page(request, confirm_form=form, status=400)


@login_required
@require_POST
def second_factor_disable(request):
    """Turn two-step verification off, with a current code or the password."""
    _ensure_eligible(request)
    form = SecondFactorDisableForm(request.POST)
    if form.is_valid():
        try:
            totp_disable(user=request.user, token=form.cleaned_data["code"], password=form.cleaned_data["password"])
        except SecondFactorError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Two-step verification is off."))
            return redirect("accounts:profile")
    return _second_factor_page(request, disable_form=form, status=400)


@login_required
def tokens(request):
    """List the user's tokens and create a new one (shown once, then only its hash is kept)."""
    new_token = None
    form = TokenCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = token_create(
                user=request.user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
            )
            form = TokenCreateForm()
        except TokenError as exc:
            form.add_error(None, str(exc))
    status = 400 if request.method == "POST" and form.errors else 200
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": user_tokens(request.user), "new_token": new_token},
        status=status,
    )


@login_required
@require_POST
def token_revoke_view(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token_revoke(token=token, by=request.user)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
