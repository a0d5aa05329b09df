from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    """Plan execution monitoring: every unit's yearly plan and the tasks it was given."""

    name = "giamsat.plans"
    label = "plans"
    verbose_name = _("Plans")

    def ready(self) -> None:
        # The plan warnings register as alert rule kinds; the figures as the plans' own channel.
        from . import kinds  # noqa: F401
        from .figures import register

        register()
