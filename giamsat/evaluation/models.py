"""Stored evaluation results: figures per unit and period, indicator values with target,
status and score, and the composite index with ranks. Pages read these; they are refreshed
by the evaluation services whenever values change, never computed on request.

The composite index's weights are data with a validity period (IndexMethodology), so a new
methodology is a new version and past rankings keep the weights they were made with.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from giamsat.catalog.choices import Pillar
from giamsat.catalog.models import DataElement, Indicator
from giamsat.core.i18n import BilingualName
from giamsat.orgunits.models import OrgUnit, OrgUnitGroup
from giamsat.reporting.choices import Channel
from giamsat.reporting.models import Period

from .choices import Basis, ReportsState, Status

OVERALL = "OVERALL"
# Results are derived data, rewritten by the evaluation services in bulk (millions of rows at
# commune scale): their foreign keys are not checked by the database (Django still cascades
# deletions), and indexes that a composite index already covers are not built.
# Channels as bits, so a figure built from many values keeps where they all came from.
CHANNEL_BITS = {code: 1 << n for n, code in enumerate(Channel.values)}


def channel_bit(channel: str) -> int:
    return CHANNEL_BITS.get(channel, 0)


class ChannelsMixin:
    channels: int

    @property
    def channel_labels(self) -> list[str]:
        """The channels the underlying values came through: web form, Excel, API, ..."""
        return [str(Channel(code).label) for code, bit in CHANNEL_BITS.items() if self.channels & bit]


class IndexMethodology(BilingualName, models.Model):
    """A version of the composite index: pillar weights in force over a date range."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)
    # The missing-data policy, versioned with the weights.
    carry_periods = models.PositiveSmallIntegerField(
        _("periods a score is carried"),
        default=2,
        help_text=_(
            "Monthly and quarterly index: how many periods an indicator's last score stands in, marked as "
            "carried, when the unit has not reported it; beyond that the input has no data. The yearly index "
            "carries nothing."
        ),
    )
    min_coverage = models.DecimalField(
        _("minimum share of inputs"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("0.50"),
        help_text=_(
            "Monthly and quarterly index: a unit with fewer of its peers' inputs (reported or carried) gets no "
            "index for the period rather than one made of zeros."
        ),
    )
    missing_data_notes = models.TextField(_("missing-data policy"), blank=True)

    class Meta:
        ordering = ["valid_from"]
        verbose_name = _("index methodology")
        verbose_name_plural = _("index methodologies")

    def __str__(self) -> str:
        return self.name_vi

    @property
    def min_coverage_percent(self) -> int:
        return round(self.min_coverage * 100)


class PillarWeight(models.Model):
    """A pillar's weight (points) in a methodology; the index divides by the sum of weights."""

    methodology = models.ForeignKey(
        IndexMethodology, verbose_name=_("index methodology"), on_delete=models.CASCADE, related_name="weights"
    )
    pillar = models.CharField(_("pillar"), max_length=30, choices=Pillar.choices)
    weight = models.DecimalField(_("weight"), max_digits=8, decimal_places=3)

    class Meta:
        ordering = ["methodology", "pillar"]
        constraints = [models.UniqueConstraint(fields=["methodology", "pillar"], name="pillar_weight_unique")]
        verbose_name = _("pillar weight")
        verbose_name_plural = _("pillar weights")

    def __str__(self) -> str:
        return f"{self.methodology.code} {self.pillar}: {self.weight}"


class ElementFigure(ChannelsMixin, models.Model):
    """A data element's figure for a unit and period after roll-up over units, lineage and time:
    the inputs an indicator value is explained with. A figure that is just the unit's own
    reported value for that period is not stored again (half the rows at commune scale):
    readers take it from the values table (services.stored_figures, selectors.explanation_get)."""

    data_element = models.ForeignKey(
        DataElement,
        verbose_name=_("data element"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("period"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    value = models.FloatField(_("value"))
    basis = models.CharField(_("source"), max_length=10, choices=Basis.choices)
    channels = models.PositiveSmallIntegerField(_("channels"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "period", "data_element"], name="element_figure_unique")
        ]
        indexes = [models.Index(fields=["period"])]
        verbose_name = _("element figure")
        verbose_name_plural = _("element figures")

    def __str__(self) -> str:
        return f"{self.data_element_id}/{self.org_unit_id}/{self.period_id} = {self.value}"


class IndicatorValue(ChannelsMixin, models.Model):
    """An indicator for a unit and period: value, target, status, score and provenance."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("period"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    value = models.FloatField(_("value"))
    basis = models.CharField(_("source"), max_length=10, choices=Basis.choices)
    channels = models.PositiveSmallIntegerField(_("channels"), default=0)
    target = models.FloatField(_("target"), null=True)
    target_year = models.PositiveSmallIntegerField(_("target year"), null=True)
    milestone = models.FloatField(_("milestone for the year"), null=True)
    start = models.FloatField(_("start of the path"), null=True)
    projected = models.FloatField(_("projected year-end value"), null=True)
    reference = models.FloatField(
        _("score reference"), null=True, help_text=_("Where a score of 0 lies: the baseline, 0 or the worst peer.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    score = models.FloatField(_("score"), null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "period", "indicator"], name="indicator_value_unique")
        ]
        indexes = [models.Index(fields=["period", "indicator"])]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.org_unit_id}/{self.period_id} = {self.value} ({self.status})"


class IndexValue(models.Model):
    """A pillar value or the overall index (pillar OVERALL) for a unit and period, 0–1, with
    its rank among peers (same type and level) in the period's structure and in today's."""

    methodology = models.ForeignKey(
        IndexMethodology,
        verbose_name=_("index methodology"),
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+", db_constraint=False, db_index=False
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("period"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    pillar = models.CharField(_("pillar"), max_length=30)
    value = models.FloatField(_("value"))
    rank_period = models.PositiveIntegerField(_("rank (units of the period)"), null=True)
    previous_rank_period = models.PositiveIntegerField(_("previous rank (units of the period)"), null=True)
    peers_period = models.PositiveIntegerField(_("units ranked (units of the period)"), null=True)
    rank_current = models.PositiveIntegerField(_("rank (current units)"), null=True)
    previous_rank_current = models.PositiveIntegerField(_("previous rank (current units)"), null=True)
    peers_current = models.PositiveIntegerField(_("units ranked (current units)"), null=True)
    # Completeness: of the inputs its peers have, how many the unit reported for the period,
    # how many were carried from an earlier period, and how final its reports are.
    inputs_expected = models.PositiveSmallIntegerField(_("inputs expected"), db_default=0)
    inputs_reported = models.PositiveSmallIntegerField(_("inputs reported"), db_default=0)
    inputs_carried = models.PositiveSmallIntegerField(_("inputs carried"), db_default=0)
    reports_state = models.PositiveSmallIntegerField(
        _("state of the reports"), choices=ReportsState.choices, db_default=ReportsState.NONE
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_unit", "period", "pillar"], name="index_value_unique")]
        indexes = [models.Index(fields=["period", "pillar"])]
        verbose_name = _("index value")
        verbose_name_plural = _("index values")

    def __str__(self) -> str:
        return f"{self.pillar} {self.org_unit_id}/{self.period_id} = {self.value:.4f}"

    @property
    def inputs_missing(self) -> int:
        return max(0, self.inputs_expected - self.inputs_reported - self.inputs_carried)

    @property
    def provisional(self) -> bool:
        return self.reports_state < ReportsState.FINAL

    @property
    def complete_and_accepted(self) -> bool:
        return self.inputs_missing == 0 and self.inputs_carried == 0 and self.reports_state == ReportsState.ACCEPTED


class GroupIndicatorValue(ChannelsMixin, models.Model):
    """An indicator for a group of units (a region, the centrally-run cities) and a period:
    computed from the figures of the members in force at the period's end, summed (averaged,
    or the largest, by each input's aggregation), never from the members' indicator values."""

    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    group = models.ForeignKey(
        OrgUnitGroup,
        verbose_name=_("unit group"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    period = models.ForeignKey(
        Period,
        verbose_name=_("period"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    value = models.FloatField(_("value"))
    members = models.PositiveIntegerField(_("members counted"))
    channels = models.PositiveSmallIntegerField(_("channels"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "period", "indicator"], name="group_indicator_value_unique")
        ]
        indexes = [models.Index(fields=["period", "indicator"])]
        verbose_name = _("group indicator value")
        verbose_name_plural = _("group indicator values")

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.group_id}/{self.period_id} = {self.value}"
