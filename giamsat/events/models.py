"""The outbox: an event row is written in the same transaction as the change it records, and one
delivery row per subscriber that wants it; the dispatcher works through the pending deliveries
after commit. A crash between commit and delivery loses nothing: the rows wait for the next run."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import DeliveryStatus, EventKind


class Event(models.Model):
    """Something that changed: its kind, where (unit, period), what (subject), who and when.

    Units, periods and users are plain ids, as in the audit trail: an event outlives the rows it
    names and must never block their deletion."""

    kind = models.CharField(_("kind"), max_length=40, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"), db_index=True)
    unit_id = models.BigIntegerField(_("unit (ID)"), null=True, blank=True)
    period_id = models.BigIntegerField(_("period (ID)"), null=True, blank=True)
    subject_type = models.CharField(_("subject type"), max_length=60, blank=True)  # "<app label>.<model>"
    subject_id = models.CharField(_("subject (ID)"), max_length=64, blank=True)
    by_id = models.BigIntegerField(_("user (ID)"), null=True, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-id"]
        indexes = [models.Index(fields=["kind", "occurred_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} {self.subject_type}:{self.subject_id}"


class EventDelivery(models.Model):
    """One subscriber's copy of an event: pending until the subscriber has handled it."""

    event = models.ForeignKey(Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(_("subscriber"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        constraints = [models.UniqueConstraint(fields=["event", "subscriber"], name="event_delivery_once")]
        indexes = [models.Index(fields=["subscriber", "status", "event"], name="event_delivery_queue")]

    def __str__(self) -> str:
        return f"{self.subscriber} ← #{self.event_id} ({self.status})"
