from django.db import models
from django.utils.translation import gettext_lazy as _


class DeliveryMode(models.TextChoices):
    """How a user wants one kind of notification: the inbox always has it; e-mail at once, in a
    daily or weekly digest, or not at all. The daily digest is the default: floods of single
    e-mails are why officials switch notifications off."""

    IMMEDIATE = "IMMEDIATE", _("E-mail at once")
    DAILY = "DAILY", _("Daily digest")
    WEEKLY = "WEEKLY", _("Weekly digest")
    INBOX = "INBOX", _("Inbox only")


class DigestFrequency(models.TextChoices):
    DAILY = "DAILY", _("Daily")
    WEEKLY = "WEEKLY", _("Weekly")


class DeliveryStatus(models.TextChoices):
    """Where one message to one user through one outside channel stands (services.py explains
    what each state guarantees after a crash)."""

    PENDING = "PENDING", _("Waiting")
    CLAIMED = "CLAIMED", _("Being prepared")
    HANDED = "HANDED", _("Handed to the channel")
    SENT = "SENT", _("Sent")
    UNCERTAIN = "UNCERTAIN", _("Interrupted while handed over")
    FAILED = "FAILED", _("Failed")
