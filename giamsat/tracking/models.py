"""Tracked work: an item given to a unit with a deadline and evidence of completion, its history,
comments and files, deadline extensions and baselines. Modules (plans, projects, press, ...) add
their own fields in their own table, one-to-one with a WorkItem."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from giamsat.orgunits.models import OrgUnit

from .choices import ExtensionState, Review, WorkAction


class WorkItem(models.Model):
    kind = models.CharField(_("kind"), max_length=30)  # the module's: PLAN_TASK, ...
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    deliverable = models.TextField(_("deliverable"), blank=True)
    owner_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit in charge"), on_delete=models.PROTECT, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person in charge"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_by_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("assigning body"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    due_date = models.DateField(_("deadline"))  # in force: the last approved extension's
    original_due_date = models.DateField(_("original deadline"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)  # as the unit reports it
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    review = models.CharField(_("evidence review"), max_length=10, choices=Review.choices, blank=True, default="")
    review_note = models.TextField(_("review note"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("tracked item")
        verbose_name_plural = _("tracked items")
        indexes = [
            models.Index(fields=["kind", "owner_unit", "due_date"]),
            models.Index(fields=["kind", "due_date"]),
            models.Index(fields=["assignee", "due_date"]),
            # Open work by deadline: the overdue and in-progress lists and scans (10× at 75,000).
            models.Index(fields=["completed_on", "due_date"]),
        ]

    def __str__(self) -> str:
        return self.title


class WorkEvent(models.Model):
    """One line of an item's history: who did what, when, and what changed (old → new)."""

    item = models.ForeignKey(WorkItem, verbose_name=_("tracked item"), on_delete=models.CASCADE, related_name="history")
    action = models.CharField(_("action"), max_length=20, choices=WorkAction.choices)
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
    changes = models.JSONField(_("changes"), default=dict, blank=True)  # field → [old, new]

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        indexes = [models.Index(fields=["item", "at"])]

    def __str__(self) -> str:
        return f"{self.item_id} {self.action} {self.at:%Y-%m-%d}"


class ProgressReport(models.Model):
    """What the unit reports: progress, a note and its evidence (a link, files, a figure of the
    catalogue). A completion report asks the assigner to accept the evidence."""

    item = models.ForeignKey(
        WorkItem, verbose_name=_("tracked item"), on_delete=models.CASCADE, related_name="progress_reports"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("written by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"))
    note = models.TextField(_("note"), blank=True)
    link = models.URLField(_("link to the evidence"), max_length=500, blank=True)
    data_element = models.ForeignKey(
        "catalog.DataElement",
        verbose_name=_("figure as evidence"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    data_period = models.ForeignKey(
        "reporting.Period", verbose_name=_("period of the figure"), on_delete=models.SET_NULL, null=True, blank=True
    )
    completion = models.BooleanField(_("reports completion"), default=False)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")

    def __str__(self) -> str:
        return f"{self.item_id} {self.progress}%"


class Attachment(models.Model):
    """A file of an item, kept through the storage API (STORAGES["default"])."""

    item = models.ForeignKey(
        WorkItem, verbose_name=_("tracked item"), on_delete=models.CASCADE, related_name="attachments"
    )
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="tracking/%Y/%m/", max_length=300)
    name = models.CharField(_("name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


class Extension(models.Model):
    """A request to move the deadline, with its reason, decided by the assigner."""

    item = models.ForeignKey(
        WorkItem, verbose_name=_("tracked item"), on_delete=models.CASCADE, related_name="extensions"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    due_before = models.DateField(_("deadline before"))
    due_requested = models.DateField(_("deadline requested"))
    reason = models.TextField(_("reason"))
    state = models.CharField(_("state"), max_length=10, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("deadline extension")
        verbose_name_plural = _("deadline extensions")
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(state="PENDING"), name="one_pending_extension_per_item"
            )
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.due_before} → {self.due_requested}"


class Baseline(models.Model):
    """A frozen copy of a set of items (a plan) at a date, to compare with later."""

    scope = models.CharField(_("scope"), max_length=60, db_index=True)  # the module's key: "plan:12"
    name = models.CharField(_("name"), max_length=255)
    taken_on = models.DateField(_("as of"))
    taken_at = models.DateTimeField(_("taken at"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-taken_on", "-pk"]
        verbose_name = _("baseline")
        verbose_name_plural = _("baselines")

    def __str__(self) -> str:
        return self.name


class BaselineItem(models.Model):
    baseline = models.ForeignKey(Baseline, verbose_name=_("baseline"), on_delete=models.CASCADE, related_name="items")
    item = models.ForeignKey(
        WorkItem, verbose_name=_("tracked item"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    title = models.CharField(_("title"), max_length=500)
    start_date = models.DateField(_("start date"), null=True)
    due_date = models.DateField(_("due date"))
    completed_on = models.DateField(_("completed on"), null=True)
    status = models.CharField(_("status"), max_length=20)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("baseline item")
        verbose_name_plural = _("baseline items")

    def __str__(self) -> str:
        return self.title
