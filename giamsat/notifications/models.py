"""The inbox (one row per user and notification), the users' choices, the digests, and the
delivery log that makes every outside message go out once (services.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from giamsat.orgunits.models import OrgUnit

from .choices import DeliveryMode, DeliveryStatus, DigestFrequency


class Notification(models.Model):
    """One thing one user is told, in their inbox. `key` is the caller's idempotency key:
    (user, key) is unique, so a retried caller never tells anyone twice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=60)
    key = models.CharField(_("deduplication key"), max_length=200)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("content"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    urgent = models.BooleanField(_("urgent"), default=False)
    # How it goes out, fixed when it is made (the user's choice then, or "at once" when urgent).
    mode = models.CharField(_("delivery"), max_length=10, choices=DeliveryMode.choices)
    digest = models.ForeignKey(
        "Digest",
        verbose_name=_("digest"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="notification_once_per_key")]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["mode", "digest"], name="notification_digest_queue"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"


class NotificationPreference(models.Model):
    """A user's choice for one kind; without a row the kind's default (the daily digest)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("notification kind"), max_length=60)
    mode = models.CharField(_("delivery"), max_length=10, choices=DeliveryMode.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.mode}"


class Digest(models.Model):
    """One user's daily or weekly summary for one period (a day "2026-12-07", an ISO week
    "2026-W50"): the notifications it holds are fixed when it is made, so a retry sends the same."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    frequency = models.CharField(_("frequency"), max_length=10, choices=DigestFrequency.choices)
    period = models.CharField(_("digest period"), max_length=10)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("digest")
        verbose_name_plural = _("digests")
        constraints = [models.UniqueConstraint(fields=["user", "frequency", "period"], name="digest_once_per_period")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.frequency} {self.period}"


class DigestRun(models.Model):
    """That the digests of a period were made (once per frequency and period)."""

    frequency = models.CharField(_("frequency"), max_length=10, choices=DigestFrequency.choices)
    period = models.CharField(_("digest period"), max_length=10)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("digest run")
        verbose_name_plural = _("digest runs")
        constraints = [models.UniqueConstraint(fields=["frequency", "period"], name="digest_run_once")]

    def __str__(self) -> str:
        return f"{self.frequency} {self.period}"


class Delivery(models.Model):
    """One message to one user through one outside channel: a notification sent at once, or a
    digest. (user, channel, key) is unique, so nothing is queued twice; the status says how far
    it went, so nothing is sent twice (services.delivery_send)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=20)
    key = models.CharField(
        _("deduplication key"), max_length=200
    )  # the notification's key, or "digest:DAILY:2026-12-07"
    notification = models.ForeignKey(
        Notification, verbose_name=_("notification"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    digest = models.ForeignKey(
        Digest, verbose_name=_("digest"), null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    claimed_by = models.CharField(_("claimed by worker"), max_length=100, blank=True)  # "host:pid" of the worker
    lease_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    handed_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        constraints = [models.UniqueConstraint(fields=["user", "channel", "key"], name="delivery_once")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_queue")]

    def __str__(self) -> str:
        return f"{self.channel} {self.key} → {self.user_id} ({self.status})"
