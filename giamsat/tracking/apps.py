from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrackingConfig(AppConfig):
    """Tracked work: anything given to a unit with a deadline and evidence of completion (plan
    tasks now; project milestones, press questions, incidents and good-practice reviews later)."""

    name = "giamsat.tracking"
    label = "tracking"
    verbose_name = _("Tracked work")
