"""Plans: a unit's yearly plan and its tasks (tracked work plus the plan's own fields), grouped
by domain and by the document that assigned them; a task given to many units at once is one
assignment with one task per unit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from giamsat.accounts.choices import Domain
from giamsat.orgunits.models import OrgUnit
from giamsat.tracking.models import WorkItem


class AssigningDocument(models.Model):
    """The document that gave the tasks: number, date, issuing body (a resolution, a decision,
    a conference's conclusions)."""

    number = models.CharField(_("number"), max_length=80)
    issued_on = models.DateField(_("issued on"))
    issuing_body = models.CharField(_("issuing body"), max_length=255)
    title = models.CharField(_("title"), max_length=500)

    class Meta:
        ordering = ["-issued_on", "number"]
        verbose_name = _("assigning document")
        verbose_name_plural = _("assigning documents")
        constraints = [models.UniqueConstraint(fields=["number", "issued_on"], name="assigning_document_unique")]

    def __str__(self) -> str:
        return f"{self.number} ({self.issued_on:%d/%m/%Y})"


class Plan(models.Model):
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-year", "org_unit__code"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        constraints = [models.UniqueConstraint(fields=["org_unit", "year"], name="one_plan_per_unit_year")]

    def __str__(self) -> str:
        return self.title


class TaskAssignment(models.Model):
    """One task given by the ministry to many units at once; each unit's row is a Task with its
    own status."""

    title = models.CharField(_("title"), max_length=500)
    document = models.ForeignKey(
        AssigningDocument, verbose_name=_("assigning document"), on_delete=models.SET_NULL, null=True, blank=True
    )
    due_date = models.DateField(_("deadline"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("task given to many units")
        verbose_name_plural = _("tasks given to many units")

    def __str__(self) -> str:
        return self.title


class Task(models.Model):
    item = models.OneToOneField(
        WorkItem, verbose_name=_("tracked item"), on_delete=models.CASCADE, primary_key=True, related_name="plan_task"
    )
    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="tasks")
    number = models.CharField(_("number"), max_length=20, blank=True)  # as the plan numbers it: "2.1"
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices, blank=True)
    document = models.ForeignKey(
        AssigningDocument,
        verbose_name=_("assigning document"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )
    parent = models.ForeignKey(
        "self", verbose_name=_("part of"), on_delete=models.CASCADE, null=True, blank=True, related_name="subtasks"
    )
    assignment = models.ForeignKey(
        TaskAssignment,
        verbose_name=_("task given to many units"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tasks",
    )

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        indexes = [models.Index(fields=["plan", "domain"]), models.Index(fields=["document"])]

    def __str__(self) -> str:
        return self.item.title
