from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "giamsat.alerts"
    verbose_name = _("Alerts")

    def ready(self) -> None:
        # The built-in rule kinds register themselves; modules register theirs the same way.
        from . import kinds  # noqa: F401
