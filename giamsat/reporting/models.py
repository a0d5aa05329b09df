"""Periods, data values with their audit trail, and reports with their workflow history."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from giamsat.catalog.models import DataElement, DataSet
from giamsat.core.periods import Period as PeriodValue
from giamsat.orgunits.models import OrgUnit

from .choices import AuditAction, Channel, ReportAction, ReportStatus


class Period(models.Model):
    """A DHIS2-style period (202503, 2025Q1, 2025, 2025W12) stored once and referenced."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    period_type = models.CharField(_("period type"), max_length=20)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta:
        ordering = ["start_date", "period_type"]
        indexes = [models.Index(fields=["period_type", "start_date"])]
        verbose_name = _("period")
        verbose_name_plural = _("periods")

    def __str__(self) -> str:
        return self.code

    @property
    def value(self) -> PeriodValue:
        return PeriodValue.parse(self.code)

    @property
    def label(self) -> str:
        return self.value.label


class DataValue(models.Model):
    """One figure: (data element, unit, period) → value, with comment and follow-up flag."""

    # No index of their own: `data_value_unique` leads with the element, the (unit, period)
    # index with the unit.
    data_element = models.ForeignKey(
        DataElement, verbose_name=_("data element"), on_delete=models.PROTECT, related_name="values", db_index=False
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="data_values", db_index=False
    )
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="data_values")
    value = models.DecimalField(_("value"), max_digits=24, decimal_places=6, null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    follow_up = models.BooleanField(_("marked for follow-up"), default=False)
    # Who changed it last: set by the value services from the signed-in user, like the audit
    # row's `changed_by`, so not checked again by the database (Django applies `on_delete`)
    # and, as nothing reads values by who changed them, not indexed.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    updated_at = models.DateTimeField(_("updated at"))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["data_element", "org_unit", "period"], name="data_value_unique"),
        ]
        indexes = [models.Index(fields=["org_unit", "period"])]
        verbose_name = _("data value")
        verbose_name_plural = _("data values")

    def __str__(self) -> str:
        return f"{self.data_element_id}/{self.org_unit_id}/{self.period_id} = {self.value}"


class DataValueAudit(models.Model):
    """Every change to a value: old, new, who, when and through which channel.

    Append-only history written by the value services alongside the value they change (whose
    own foreign keys the database checks), so its references are not checked again by the
    database (`db_constraint=False`: Django still applies `on_delete`). Read by unit and period
    (the composite index) or by time; the references have no index of their own."""

    data_element = models.ForeignKey(
        DataElement,
        verbose_name=_("data element"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("period"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    old_value = models.DecimalField(_("old value"), max_digits=24, decimal_places=6, null=True)
    new_value = models.DecimalField(_("new value"), max_digits=24, decimal_places=6, null=True)
    old_comment = models.CharField(_("old comment"), max_length=500, blank=True)
    new_comment = models.CharField(_("new comment"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    changed_at = models.DateTimeField(_("changed at"), db_index=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["org_unit", "period", "data_element"])]
        verbose_name = _("data value change")
        verbose_name_plural = _("data value changes")

    def __str__(self) -> str:
        return f"{self.action} {self.data_element_id}: {self.old_value} → {self.new_value}"


class Report(models.Model):
    """A data set for one unit and one period, and where it stands in the workflow."""

    data_set = models.ForeignKey(DataSet, verbose_name=_("data set"), on_delete=models.PROTECT, related_name="reports")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="reports")
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="reports")
    status = models.CharField(_("status"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    deadline = models.DateField(_("deadline"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["data_set", "org_unit", "period"], name="report_unique"),
        ]
        indexes = [models.Index(fields=["status", "deadline"]), models.Index(fields=["org_unit", "period"])]
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return f"{self.data_set.code} {self.org_unit.code} {self.period.code}"

    @property
    def is_on_time(self) -> bool | None:
        """Submitted by the deadline (local date); None while not submitted."""
        if self.submitted_at is None:
            return None
        from django.utils import timezone

        return timezone.localtime(self.submitted_at).date() <= self.deadline


class ReportEvent(models.Model):
    """One step of a report's history: who did what, when, from which state to which, why."""

    report = models.ForeignKey(Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=ReportAction.choices)
    from_status = models.CharField(_("status before"), max_length=20, choices=ReportStatus.choices, blank=True)
    to_status = models.CharField(_("status after"), max_length=20, choices=ReportStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("done by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    comment = models.TextField(_("comment"), blank=True)
    # Why a report was submitted after its deadline (asked on a late first submission).
    late_reason = models.TextField(_("reason for the late submission"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self) -> str:
        return f"{self.report_id} {self.action} {self.from_status}→{self.to_status}"


class NoFigureMark(models.Model):
    """A required figure of a report that the unit says it has no figure for, and why: the
    report can be submitted without it, and the reviewer sees the mark and its reason."""

    report = models.ForeignKey(
        Report, verbose_name=_("report"), on_delete=models.CASCADE, related_name="no_figure_marks"
    )
    data_element = models.ForeignKey(
        DataElement, verbose_name=_("data element"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("marked by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("marked at"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "data_element"], name="no_figure_mark_unique"),
        ]
        verbose_name = _("“no figure” mark")
        verbose_name_plural = _("“no figure” marks")

    def __str__(self) -> str:
        return f"{self.report_id} {self.data_element_id}: {self.reason[:40]}"
