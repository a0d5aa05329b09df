from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "giamsat.documents"
    label = "documents"
    verbose_name = _("Official documents")

    def ready(self) -> None:
        # The job kind that renders an issued document registers itself with the jobs app.
        from . import jobs  # noqa: F401
