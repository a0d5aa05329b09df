"""Alerts are states, not messages: one row per (rule, unit, period, subject) that opens,
is acknowledged, resolves (by hand or when its condition clears) and reopens, with every
change in its history. Rules say what to look for; their kinds are a registry (registry.py)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from giamsat.catalog.models import DataElement, DataSet, Indicator
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.models import Period

from .choices import AlertAction, AlertState, Severity


class AlertRule(models.Model):
    """What to watch for, configured by the analysts who own the domain: a kind from the
    registry, what it applies to (a data set, a data element or an indicator; none: all its kind
    covers), a severity and the kind's thresholds."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=40)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING)
    enabled = models.BooleanField(_("enabled"), default=True)
    data_set = models.ForeignKey(
        DataSet, verbose_name=_("data set"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    data_element = models.ForeignKey(
        DataElement, verbose_name=_("data element"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    params = models.JSONField(_("thresholds"), default=dict, blank=True)
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after (working days)"),
        null=True,
        blank=True,
        help_text=_("Unacknowledged this long, the alert goes to the leaders of the unit above. Empty: never."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")

    def __str__(self) -> str:
        return self.name_vi

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "vi").startswith("en") and self.name_en else self.name_vi


class Alert(models.Model):
    rule = models.ForeignKey(AlertRule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(_("kind"), max_length=40)  # the rule's, kept for filters without a join
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("subject"), max_length=120, blank=True)  # what within the unit and period
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    state = models.CharField(_("state"), max_length=14, choices=AlertState.choices, default=AlertState.OPEN)
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    changed_at = models.DateTimeField(_("last changed at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # Resolved by a person: it stays resolved while the same condition lasts (they judged it);
    # once the condition clears this is emptied, and a return reopens the alert.
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened = models.PositiveIntegerField(_("times reopened"), default=0)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)

    class Meta:
        constraints = [
            # One alert per (rule, unit, period, subject): a condition that returns reopens it.
            models.UniqueConstraint(fields=["rule", "org_unit", "period", "subject"], name="alert_key_unique")
        ]
        indexes = [models.Index(fields=["state", "severity"]), models.Index(fields=["kind", "state"])]
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return f"{self.kind} {self.org_unit_id}/{self.period_id} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.state != AlertState.RESOLVED


class AlertEvent(models.Model):
    """One change of an alert: opened, acknowledged, resolved, reopened, a comment, escalated."""

    alert = models.ForeignKey(Alert, verbose_name=_("alert"), on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=16, choices=AlertAction.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("alert event")
        verbose_name_plural = _("alert events")

    def __str__(self) -> str:
        return f"{self.action} {self.alert_id}"


class Silence(models.Model):
    """A time window in which matching alerts stay visible but tell nobody (a planned
    outage, a known cause being fixed). Matchers left empty match everything."""

    kind = models.CharField(_("kind"), max_length=40, blank=True)
    rule = models.ForeignKey(AlertRule, verbose_name=_("rule"), on_delete=models.CASCADE, null=True, blank=True)
    org_unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit (and the units below it)"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, blank=True)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("silence")
        verbose_name_plural = _("silences")

    def __str__(self) -> str:
        return f"{self.kind or '*'} {self.org_unit_id or '*'} {self.starts_at:%d/%m/%Y}–{self.ends_at:%d/%m/%Y}"

    def matches(self, alert: Alert, at) -> bool:
        if not (self.starts_at <= at < self.ends_at):
            return False
        if self.kind and alert.kind != self.kind:
            return False
        if self.rule_id and alert.rule_id != self.rule_id:
            return False
        if self.severity and alert.severity != self.severity:
            return False
        return not self.org_unit_id or alert.org_unit.path.startswith(self.org_unit.path)
