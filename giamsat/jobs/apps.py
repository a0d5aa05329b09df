from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "giamsat.jobs"
    label = "jobs"
    verbose_name = _("Background jobs")

    def ready(self) -> None:
        # Every app's kinds of jobs are registered in its jobs.py.
        for config in apps.get_app_configs():
            module = f"{config.name}.jobs"
            if config.name != self.name and find_spec(module) is not None:
                import_module(module)
