from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    """Digital-transformation investment projects: money, procurement, milestones, earned value
    and red flags raised early."""

    name = "giamsat.projects"
    label = "projects"
    verbose_name = _("Investment projects")

    def ready(self) -> None:
        # The red flags register as alert rule kinds; the figures as the projects' own channel.
        from . import handlers, kinds  # noqa: F401
        from .figures import register

        register()
