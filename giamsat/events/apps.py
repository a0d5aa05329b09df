from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "giamsat.events"
    label = "events"
    verbose_name = _("Events")

    def ready(self) -> None:
        # Every app's subscribers live in its handlers.py.
        for config in apps.get_app_configs():
            module = f"{config.name}.handlers"
            if find_spec(module) is not None:
                import_module(module)
