from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    INFO = "INFO", _("Information")
    WARNING = "WARNING", _("Warning")
    CRITICAL = "CRITICAL", _("Critical")


SEVERITY_ORDER = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class AlertState(models.TextChoices):
    OPEN = "OPEN", _("Open")
    ACKNOWLEDGED = "ACKNOWLEDGED", _("Acknowledged")
    RESOLVED = "RESOLVED", _("Resolved")


ACTIVE_STATES = (AlertState.OPEN, AlertState.ACKNOWLEDGED)


class AlertAction(models.TextChoices):
    OPENED = "OPENED", _("Opened")
    ACKNOWLEDGED = "ACKNOWLEDGED", _("Acknowledged")
    RESOLVED = "RESOLVED", _("Resolved")
    AUTO_RESOLVED = "AUTO_RESOLVED", _("Resolved automatically: the condition cleared")
    REOPENED = "REOPENED", _("Reopened: the condition returned")
    COMMENTED = "COMMENTED", _("Comment")
    ESCALATED = "ESCALATED", _("Escalated")
