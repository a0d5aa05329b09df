from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    """What happened. Modules add their kinds here as they arrive, so the list reads as the
    platform's vocabulary of changes."""

    VALUES_CHANGED = "VALUES_CHANGED", _("Figures changed")
    REPORT_SUBMITTED = "REPORT_SUBMITTED", _("Report submitted")
    REPORT_APPROVED = "REPORT_APPROVED", _("Report approved")
    REPORT_ACCEPTED = "REPORT_ACCEPTED", _("Report accepted")
    REPORT_RETURNED = "REPORT_RETURNED", _("Report returned")
    REPORT_OPENED = "REPORT_OPENED", _("Report opened")
    REPORT_REOPENED = "REPORT_REOPENED", _("Report reopened")
    TARGET_CHANGED = "TARGET_CHANGED", _("Target changed")
    INDICATOR_CHANGED = "INDICATOR_CHANGED", _("Indicator changed")
    DATA_ELEMENT_CHANGED = "DATA_ELEMENT_CHANGED", _("Data element changed")
    VALIDATION_RULE_CHANGED = "VALIDATION_RULE_CHANGED", _("Validation rule changed")
    INDEX_WEIGHTS_CHANGED = "INDEX_WEIGHTS_CHANGED", _("Index weights changed")
    DATA_SET_CHANGED = "DATA_SET_CHANGED", _("Data set or assignment changed")
    REGISTRY_CHANGED = "REGISTRY_CHANGED", _("Unit registry changed")
    ALERT_OPENED = "ALERT_OPENED", _("Alert opened")
    ALERT_REOPENED = "ALERT_REOPENED", _("Alert reopened")
    ALERT_RESOLVED = "ALERT_RESOLVED", _("Alert resolved")
    ALERT_ESCALATED = "ALERT_ESCALATED", _("Alert escalated")
    WORK_ITEM_CHANGED = "WORK_ITEM_CHANGED", _("Tracked work changed")
    PLAN_CHANGED = "PLAN_CHANGED", _("Plan changed")
    PROJECT_CHANGED = "PROJECT_CHANGED", _("Investment project changed")


class DeliveryStatus(models.TextChoices):
    PENDING = "PENDING", _("Pending")
    DELIVERED = "DELIVERED", _("Delivered")
    FAILED = "FAILED", _("Failed")
