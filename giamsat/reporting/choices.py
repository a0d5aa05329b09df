from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ReportStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Draft")
    SUBMITTED = "SUBMITTED", _("Submitted")
    APPROVED_1 = "APPROVED_1", _("Approved (level 1)")
    APPROVED = "APPROVED", _("Approved")
    ACCEPTED = "ACCEPTED", _("Accepted by the ministry")
    RETURNED = "RETURNED", _("Returned")


# Values can be changed only while a report is in one of these states.
EDITABLE_STATUSES = {ReportStatus.DRAFT, ReportStatus.RETURNED}


class ReportAction(models.TextChoices):
    CREATE = "CREATE", _("Report opened")
    SUBMIT = "SUBMIT", _("Sent for approval")
    APPROVE = "APPROVE", _("Approved by the unit's leader")
    ACCEPT = "ACCEPT", _("Accepted by the ministry")
    RETURN = "RETURN", _("Returned to the unit")
    REOPEN = "REOPEN", _("Reopened")
    MARK = "MARK", _("Marked “no figure”")
    UNMARK = "UNMARK", _("“No figure” mark removed")


class Channel(models.TextChoices):
    FORM = "FORM", _("Web form")
    EXCEL = "EXCEL", _("Excel")
    API = "API", _("API")
    IMPORT = "IMPORT", _("Import")
    DEMO = "DEMO", _("Demo data")
    PLANS = "PLANS", _("Plan execution (computed)")
    PROJECTS = "PROJECTS", _("Investment projects (computed)")


class AuditAction(models.TextChoices):
    CREATE = "CREATE", pgettext_lazy("figure change", "Created")  # not the "Created" date of tokens
    UPDATE = "UPDATE", _("Updated")
    DELETE = "DELETE", _("Deleted")
