from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


def _values_changed(pairs: set[tuple[int, int]]) -> None:
    """Refresh results for changed values: in the background (default), inline, or not at all."""
    mode = getattr(settings, "EVALUATION_REFRESH", "task")
    if mode == "off":
        return
    if mode == "inline":
        from .services import evaluation_refresh

        evaluation_refresh(changes=pairs)
        return
    from .tasks import evaluation_refresh_task

    evaluation_refresh_task(sorted(pairs))


class EvaluationConfig(AppConfig):
    name = "giamsat.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")

    def ready(self) -> None:
        from giamsat.reporting.hooks import values_changed_listen

        values_changed_listen(_values_changed)
