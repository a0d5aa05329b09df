from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "giamsat.events"
    label = "events"
    verbose_name = _("System events")

    def ready(self) -> None:
        autodiscover_modules("handlers")  # every app's subscribers live in its handlers.py
