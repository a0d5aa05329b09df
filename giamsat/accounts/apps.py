from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "giamsat.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .middleware import second_factor_on_login, session_stamp_on_login

        user_logged_in.connect(session_stamp_on_login, dispatch_uid="giamsat_session_stamp_on_login")
        user_logged_in.connect(second_factor_on_login, dispatch_uid="giamsat_second_factor_on_login")
