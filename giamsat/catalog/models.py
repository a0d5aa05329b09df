"""The indicator catalogue: domains, data elements, indicators, data sets, rules, targets."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from giamsat.core.i18n import BilingualName
from giamsat.orgunits.models import OrgUnit, OrgUnitGroup

from .choices import (
    Aggregation,
    AssignmentKind,
    Direction,
    LineageRule,
    PeriodTypeChoice,
    Pillar,
    RuleOperator,
    Severity,
    TargetScope,
    ValueType,
)

CODE_HELP = _("Upper case letters, digits and underscores; stable once data exists.")


class Domain(BilingualName, models.Model):
    """A state-management domain (post, telecom, ...) or digital economy/society."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self) -> str:
        return self.name_vi


class DomainOwnership(models.Model):
    """Which unit owns a domain over time (the press domain moved ministries on 01/03/2025)."""

    domain = models.ForeignKey(Domain, verbose_name=_("domain"), on_delete=models.CASCADE, related_name="ownerships")
    owner = models.ForeignKey(OrgUnit, verbose_name=_("owning unit"), on_delete=models.PROTECT, related_name="+")
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["domain", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["domain", "owner"], name="domain_owner_unique")]
        verbose_name = _("domain ownership")
        verbose_name_plural = _("domain ownerships")

    def __str__(self) -> str:
        return f"{self.domain.code}: {self.owner.code}"


class DataElement(BilingualName, models.Model):
    """A raw figure a unit reports."""

    code = models.CharField(_("code"), max_length=60, unique=True, help_text=CODE_HELP)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    domain = models.ForeignKey(Domain, verbose_name=_("domain"), on_delete=models.PROTECT, related_name="data_elements")
    value_type = models.CharField(_("value type"), max_length=20, choices=ValueType.choices)
    unit_vi = models.CharField(_("unit of measure (Vietnamese)"), max_length=60, blank=True)
    unit_en = models.CharField(_("unit of measure (English)"), max_length=60, blank=True)
    aggregation = models.CharField(_("aggregation"), max_length=20, choices=Aggregation.choices)
    # Yes/no figures are counted up the hierarchy (how many provinces say yes) but never summed
    # through a merger: a province made of two says yes by this rule, not "2".
    lineage_rule = models.CharField(
        _("yes/no through restructuring"),
        max_length=10,
        choices=LineageRule.choices,
        blank=True,
        help_text=_("For yes/no figures: how the former units' answers make the new unit's answer."),
    )
    period_type = models.CharField(_("period type"), max_length=20, choices=PeriodTypeChoice.choices)
    reported_by = models.CharField(_("reported by"), max_length=120, blank=True)
    min_value = models.DecimalField(_("minimum"), max_digits=20, decimal_places=6, null=True, blank=True)
    max_value = models.DecimalField(_("maximum"), max_digits=20, decimal_places=6, null=True, blank=True)
    zero_is_significant = models.BooleanField(_("zero is significant"), default=True)
    # A change against last period beyond this share is pointed out to the report's reviewer.
    change_threshold = models.DecimalField(
        _("change threshold (%)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        default=50,
        help_text=_("A change against last period beyond this (in %) is shown to the reviewer; empty: never."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["domain__sort_order", "code"]
        verbose_name = _("data element")
        verbose_name_plural = _("data elements")

    def __str__(self) -> str:
        return f"{self.code} — {self.name_vi}"

    @property
    def unit_label(self) -> str:
        from django.utils.translation import get_language

        return self.unit_en if (get_language() or "vi").startswith("en") and self.unit_en else self.unit_vi


class Indicator(BilingualName, models.Model):
    """A computed figure: an expression over data element codes."""

    code = models.CharField(_("code"), max_length=60, unique=True, help_text=CODE_HELP)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    domain = models.ForeignKey(Domain, verbose_name=_("domain"), on_delete=models.PROTECT, related_name="indicators")
    pillar = models.CharField(_("pillar"), max_length=30, choices=Pillar.choices)
    expression = models.TextField(_("expression"))
    unit_vi = models.CharField(_("unit (Vietnamese)"), max_length=60, blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=60, blank=True)
    direction = models.CharField(_("direction"), max_length=20, choices=Direction.choices)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=1)
    source = models.TextField(_("source"), blank=True)
    data_elements = models.ManyToManyField(
        DataElement, verbose_name=_("data elements"), related_name="indicators", blank=True, editable=False
    )

    class Meta:
        ordering = ["domain__sort_order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} — {self.name_vi}"


class DataSet(BilingualName, models.Model):
    """The form a unit fills for a period: elements in sections, a deadline, approval levels."""

    code = models.CharField(_("code"), max_length=60, unique=True, help_text=CODE_HELP)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    domain = models.ForeignKey(
        Domain, verbose_name=_("domain"), null=True, blank=True, on_delete=models.PROTECT, related_name="data_sets"
    )
    period_type = models.CharField(_("period type"), max_length=20, choices=PeriodTypeChoice.choices)
    # Deadline rule: this many days after the period ends (5 → day 5 of the next month).
    deadline_days = models.PositiveSmallIntegerField(_("deadline (days after the period)"), default=5)
    approval_levels = models.PositiveSmallIntegerField(
        _("approval levels"), default=1, help_text=_("0: straight to the ministry; 1 or 2 leaders of the unit.")
    )
    open_from = models.DateField(_("first period starting on or after"), null=True, blank=True)
    # A unit's report covers the figures of the units below it (a province's report holds its
    # communes' figures): they may be written as part of it and are locked with it.
    covers_sub_units = models.BooleanField(
        _("covers its sub-units"),
        default=False,
        help_text=_("The report of a unit also holds the figures of the units below it, locked with it."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("data set")
        verbose_name_plural = _("data sets")

    def __str__(self) -> str:
        return self.name_vi


class DataSetSection(BilingualName, models.Model):
    data_set = models.ForeignKey(DataSet, verbose_name=_("data set"), on_delete=models.CASCADE, related_name="sections")
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        ordering = ["data_set", "sort_order"]
        verbose_name = _("data set section")
        verbose_name_plural = _("data set sections")

    def __str__(self) -> str:
        return self.name_vi


class DataSetElement(models.Model):
    data_set = models.ForeignKey(DataSet, verbose_name=_("data set"), on_delete=models.CASCADE, related_name="members")
    section = models.ForeignKey(
        DataSetSection,
        verbose_name=_("data set section"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    data_element = models.ForeignKey(
        DataElement, verbose_name=_("data element"), on_delete=models.PROTECT, related_name="data_set_members"
    )
    sort_order = models.PositiveSmallIntegerField(_("display order"), default=0)
    # Required: the report cannot be submitted while it is empty (unless marked "no figure").
    compulsory = models.BooleanField(_("required"), default=False)

    class Meta:
        ordering = ["data_set", "section__sort_order", "sort_order"]
        constraints = [models.UniqueConstraint(fields=["data_set", "data_element"], name="data_set_element_unique")]
        verbose_name = _("data set element")
        verbose_name_plural = _("data set elements")

    def __str__(self) -> str:
        return f"{self.data_set.code}: {self.data_element.code}"


class DataSetAssignment(models.Model):
    """Who reports a data set: a unit, a group, or every unit of a type; effective-dated."""

    data_set = models.ForeignKey(
        DataSet, verbose_name=_("data set"), on_delete=models.CASCADE, related_name="assignments"
    )
    kind = models.CharField(_("assignment kind"), max_length=20, choices=AssignmentKind.choices)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        OrgUnitGroup, verbose_name=_("unit group"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit_type = models.CharField(_("unit type"), max_length=20, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("data set assignment")
        verbose_name_plural = _("data set assignments")

    def __str__(self) -> str:
        target = self.org_unit or self.group or self.unit_type
        return f"{self.data_set.code} → {target}"


class ValidationRule(BilingualName, models.Model):
    """left operator right, e.g. households with fibre ≤ households."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    left_expression = models.TextField(_("left side"))
    operator = models.CharField(_("operator"), max_length=2, choices=RuleOperator.choices)
    right_expression = models.TextField(_("right side"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, default=Severity.ERROR)
    message_vi = models.CharField(_("message (Vietnamese)"), max_length=255)
    message_en = models.CharField(_("message (English)"), max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")

    def __str__(self) -> str:
        return f"{self.code}: {self.left_expression} {self.operator} {self.right_expression}"

    @property
    def message(self) -> str:
        from django.utils.translation import get_language

        return self.message_en if (get_language() or "vi").startswith("en") and self.message_en else self.message_vi


class Target(models.Model):
    """An indicator's goal for a scope and year, with an optional baseline."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    scope = models.CharField(_("scope"), max_length=20, choices=TargetScope.choices)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    group = models.ForeignKey(
        OrgUnitGroup, verbose_name=_("unit group"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit_type = models.CharField(_("unit type"), max_length=20, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), max_digits=20, decimal_places=6)
    baseline_value = models.DecimalField(_("baseline"), max_digits=20, decimal_places=6, null=True, blank=True)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["indicator", "year"]
        verbose_name = _("target")
        verbose_name_plural = _("targets")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.value}"
