"""Sign-in, sign-out, password change and reset, the user's profile and personal API tokens."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import LoginForm, TokenCreateForm
from .models import ApiToken
from .selectors import user_scope_units, user_tokens
from .services import TokenError, token_create, token_revoke, user_unlock


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
    return render(request, "accounts/profile.html", {"scope_units": user_scope_units(request.user)})


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
