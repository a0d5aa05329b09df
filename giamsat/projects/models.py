"""Investment projects: the registry (owner effective-dated through restructuring), the money
(yearly budget, transactions), procurement packages through the Open Contracting stages,
milestones on the tracked-work base, physical progress, the baseline frozen at approval, and red
flags raised under versioned rules. Amounts are in đồng (whole VND)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from giamsat.accounts.choices import Domain
from giamsat.orgunits.models import OrgUnit
from giamsat.tracking.models import WorkItem

from .choices import (
    FlagCode,
    FundingSource,
    MilestoneType,
    PackageStage,
    ProcurementMethod,
    Programme,
    ProjectStatus,
    ProjectType,
    TransactionKind,
)


class Project(models.Model):
    code = models.CharField(_("project code"), max_length=40, unique=True)  # the national project code
    name = models.CharField(_("name"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    owner_unit = models.ForeignKey(  # in force today; the history is in ProjectOwnership
        OrgUnit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+"
    )
    type = models.CharField(_("type"), max_length=20, choices=ProjectType.choices)
    domain = models.CharField(_("domain"), max_length=20, choices=Domain.choices, default=Domain.IT_DX)
    programme = models.CharField(_("programme"), max_length=30, choices=Programme.choices, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProjectStatus.choices)
    decision_number = models.CharField(_("approving decision"), max_length=80)
    decision_date = models.DateField(_("approved on"))
    decision_body = models.CharField(_("approving body"), max_length=255)
    total_investment = models.BigIntegerField(_("total investment (VND)"))
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("investment project")
        verbose_name_plural = _("investment projects")
        indexes = [models.Index(fields=["owner_unit", "status"]), models.Index(fields=["status", "domain"])]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class ProjectOwnership(models.Model):
    """Who owned the project when: a former province's project passes to its successor on the
    day of the merger, and the former owner stays in the history."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="owners")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("owner unit"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)

    class Meta:
        ordering = ["project", "valid_from", "pk"]
        verbose_name = _("project owner")
        verbose_name_plural = _("project owners")
        indexes = [models.Index(fields=["unit", "project"])]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.unit_id} {self.valid_from}–{self.valid_to or ''}"


class Funding(models.Model):
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="funding")
    source = models.CharField(_("funding source"), max_length=20, choices=FundingSource.choices)
    amount = models.BigIntegerField(_("amount (VND)"))

    class Meta:
        ordering = ["project", "source"]
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        constraints = [models.UniqueConstraint(fields=["project", "source"], name="one_amount_per_funding_source")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.source}"


class YearBudget(models.Model):
    """A year's capital plan for the project and what was allocated of it."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))
    planned = models.BigIntegerField(_("planned (VND)"))
    allocated = models.BigIntegerField(_("allocated (VND)"))

    class Meta:
        ordering = ["project", "year"]
        verbose_name = _("yearly budget")
        verbose_name_plural = _("yearly budgets")
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="one_budget_per_project_year")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.year}"


class Package(models.Model):
    """A procurement package, through the Open Contracting stages."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="packages")
    code = models.CharField(_("package number"), max_length=40)
    name = models.CharField(_("name"), max_length=500)
    method = models.CharField(_("procurement method"), max_length=20, choices=ProcurementMethod.choices)
    stage = models.CharField(_("stage"), max_length=20, choices=PackageStage.choices, default=PackageStage.PLANNING)
    estimated_value = models.BigIntegerField(_("estimated value (VND)"))
    contract_value = models.BigIntegerField(_("contract value (VND)"), null=True, blank=True)
    bidders = models.PositiveSmallIntegerField(_("number of bidders"), null=True, blank=True)
    supplier = models.CharField(_("supplier"), max_length=255, blank=True)
    tender_date = models.DateField(_("tender opened"), null=True, blank=True)
    award_date = models.DateField(_("awarded on"), null=True, blank=True)
    contract_date = models.DateField(_("contract signed"), null=True, blank=True)

    class Meta:
        ordering = ["project", "code"]
        verbose_name = _("procurement package")
        verbose_name_plural = _("procurement packages")
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="one_package_number_per_project")]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Transaction(models.Model):
    """Money committed or paid out, with the document that moved it."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="transactions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=TransactionKind.choices)
    date = models.DateField(_("date"))
    amount = models.BigIntegerField(_("amount (VND)"))
    document = models.CharField(_("document"), max_length=255, blank=True)
    package = models.ForeignKey(
        Package, verbose_name=_("package"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        ordering = ["project", "date", "pk"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        indexes = [models.Index(fields=["project", "kind", "date"]), models.Index(fields=["kind", "date"])]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind} {self.date} {self.amount}"


class Milestone(models.Model):
    """A milestone is tracked work (dates, evidence, history, status) plus its OC4IDS type."""

    item = models.OneToOneField(
        WorkItem,
        verbose_name=_("tracked item"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="project_milestone",
    )
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="milestones")
    type = models.CharField(_("milestone type"), max_length=20, choices=MilestoneType.choices)
    weight = models.PositiveSmallIntegerField(_("weight (%)"), default=0)  # its share of the physical work

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.item.title


class PhysicalProgress(models.Model):
    """The physical progress as the owner reports it on a day (the earned value's % complete)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="physical_progress"
    )
    on = models.DateField(_("as of"))
    percent = models.DecimalField(_("physical progress (%)"), max_digits=5, decimal_places=2)
    note = models.CharField(_("note"), max_length=500, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("reported by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["project", "on", "pk"]
        verbose_name = _("physical progress")
        verbose_name_plural = _("physical progress")
        indexes = [models.Index(fields=["project", "on"])]

    def __str__(self) -> str:
        return f"{self.project_id} {self.on} {self.percent}%"


class ProjectBaseline(models.Model):
    """The plan frozen at approval (or re-baselined with a reason): budget at completion and the
    planned value curve month by month, against which SPI and CPI are computed."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="baselines")
    number = models.PositiveSmallIntegerField(_("number"))
    taken_on = models.DateField(_("as of"))
    reason = models.CharField(_("reason"), max_length=500)
    budget_at_completion = models.BigIntegerField(_("budget at completion (VND)"))
    curve = models.JSONField(_("planned value curve"))  # [["YYYY-MM-DD" month end, cumulative VND], ...]
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("taken by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["project", "-number"]
        verbose_name = _("project baseline")
        verbose_name_plural = _("project baselines")
        constraints = [models.UniqueConstraint(fields=["project", "number"], name="one_baseline_number_per_project")]

    def __str__(self) -> str:
        return f"{self.project_id} #{self.number}"


class FlagRuleSet(models.Model):
    """A version of the red-flag rules, in force from a day on: thresholds change by publishing
    a new version, and every flag keeps the rule it was raised under."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    valid_from = models.DateField(_("in force from"))
    note = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        ordering = ["-version"]
        verbose_name = _("red-flag rule set")
        verbose_name_plural = _("red-flag rule sets")

    def __str__(self) -> str:
        return f"v{self.version} ({self.valid_from:%d/%m/%Y})"


class FlagRule(models.Model):
    rule_set = models.ForeignKey(
        FlagRuleSet, verbose_name=_("rule set"), on_delete=models.PROTECT, related_name="rules"
    )
    code = models.CharField(_("flag"), max_length=30, choices=FlagCode.choices)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255)
    legal_basis = models.TextField(_("legal basis"))
    params = models.JSONField(_("thresholds"), default=dict)
    severity = models.CharField(_("severity"), max_length=10)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["rule_set", "code"]
        verbose_name = _("red-flag rule")
        verbose_name_plural = _("red-flag rules")
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="one_rule_per_flag_per_set")]

    def __str__(self) -> str:
        return f"{self.code} v{self.rule_set.version}"


class RedFlag(models.Model):
    """A red flag on a project (or one of its packages or milestones): raised under one rule
    version with the figures that raised it, cleared when the rule in force no longer finds it."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="flags")
    rule = models.ForeignKey(FlagRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="flags")
    code = models.CharField(_("flag"), max_length=30, choices=FlagCode.choices)
    subject = models.CharField(_("subject"), max_length=60, blank=True)  # "package:12", "milestone:40"
    raised_on = models.DateField(_("raised on"))
    cleared_on = models.DateField(_("cleared on"), null=True, blank=True)
    figures = models.JSONField(_("figures that raised it"), default=dict)
    latest = models.JSONField(_("latest figures"), default=dict)
    period = models.ForeignKey("reporting.Period", verbose_name=_("period"), on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-raised_on", "pk"]
        verbose_name = _("red flag")
        verbose_name_plural = _("red flags")
        indexes = [models.Index(fields=["code", "cleared_on"]), models.Index(fields=["project", "cleared_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "code", "subject"],
                condition=models.Q(cleared_on__isnull=True),
                name="one_open_flag_per_project_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.code} {self.subject}"
