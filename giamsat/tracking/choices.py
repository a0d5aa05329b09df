from django.db import models
from django.utils.translation import gettext_lazy as _


class WorkStatus(models.TextChoices):
    """The Government Office's four official values, plus "not started"; computed from the dates
    and the evidence (engine/status.py), never typed."""

    NOT_STARTED = "NOT_STARTED", _("Not started")
    IN_PROGRESS = "IN_PROGRESS", _("In progress, within the deadline")
    OVERDUE = "OVERDUE", _("Overdue, not completed")
    DONE_ON_TIME = "DONE_ON_TIME", _("Completed on time")
    DONE_LATE = "DONE_LATE", _("Completed late")


OPEN_STATUSES = (WorkStatus.NOT_STARTED, WorkStatus.IN_PROGRESS, WorkStatus.OVERDUE)
DONE_STATUSES = (WorkStatus.DONE_ON_TIME, WorkStatus.DONE_LATE)


class Review(models.TextChoices):
    """Where the evidence of completion stands with the assigner."""

    NONE = "", _("No evidence yet")
    PENDING = "PENDING", _("Evidence awaiting review")
    ACCEPTED = "ACCEPTED", _("Evidence accepted")
    RETURNED = "RETURNED", _("Evidence returned")


class WorkAction(models.TextChoices):
    CREATE = "CREATE", _("Assigned")
    UPDATE = "UPDATE", _("Changed")
    PROGRESS = "PROGRESS", _("Progress reported")
    COMPLETE = "COMPLETE", _("Completion reported")
    ACCEPT = "ACCEPT", _("Evidence accepted")
    RETURN = "RETURN", _("Evidence returned")
    REOPEN = "REOPEN", _("Reopened")
    EXTENSION_REQUEST = "EXTENSION_REQUEST", _("Extension requested")
    EXTENSION_APPROVE = "EXTENSION_APPROVE", _("Extension approved")
    EXTENSION_REJECT = "EXTENSION_REJECT", _("Extension refused")
    COMMENT = "COMMENT", _("Comment")
    ATTACH = "ATTACH", _("File attached")


class ExtensionState(models.TextChoices):
    PENDING = "PENDING", _("Awaiting decision")
    APPROVED = "APPROVED", _("Approved")
    REJECTED = "REJECTED", _("Refused")
