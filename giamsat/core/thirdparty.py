"""Third-party apps named in Vietnamese in the admin, and their English strings the project translates.

django-axes and django-otp ship no Vietnamese and name their apps from the package ("Axes",
"Otp_Totp"): INSTALLED_APPS lists these subclasses instead, which change nothing but the name.
Django's own Vietnamese catalogue lacks a few strings the admin shows; the project's catalogue
(read first, LOCALE_PATHS) translates them, and they are listed below so that makemessages keeps them.
"""

from axes.apps import AppConfig as BaseAxesConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_otp.plugins.otp_totp.apps import DefaultConfig as BaseTOTPConfig


class AxesConfig(BaseAxesConfig):
    verbose_name = _("Sign-in attempts")


class TOTPConfig(BaseTOTPConfig):
    verbose_name = _("Two-step verification")


THIRD_PARTY_MESSAGES = (
    # django.contrib.admin: the index's table headers, read by screen readers
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    # django.contrib.auth: the user add form
    gettext_noop("Password-based authentication"),
    gettext_noop("Enabled"),
    gettext_noop("Disabled"),
    # django-axes: models and admin
    gettext_noop("Access Attempt"),
    gettext_noop("Access lock out"),
    gettext_noop("Attempt Remaining"),
    gettext_noop("Attempt Time"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Expires At"),
    gettext_noop("Failed Logins"),
    gettext_noop("Form Data"),
    gettext_noop("GET Data"),
    gettext_noop("HTTP Accept"),
    gettext_noop("IP Address"),
    gettext_noop("Locked Out"),
    gettext_noop("Logout Time"),
    gettext_noop("Meta Data"),
    gettext_noop("Not set"),
    gettext_noop("POST Data"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("The time when access attempt expires and is no longer valid."),
    gettext_noop("User Agent"),
    gettext_noop("access attempt expiration"),
    gettext_noop("access attempt expirations"),
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
)
