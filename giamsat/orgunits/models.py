"""The unit registry: effective-dated units, groups and restructuring lineage.

History is never rewritten. A restructuring ends units (valid_to) and starts new ones
(valid_from); OrgUnitLineage links each predecessor to its successors, so a current unit's
past figures are its predecessors' and a former unit stays queryable for its own periods.
"""

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from giamsat.core.i18n import BilingualName

from .choices import OrgUnitType, RestructuringKind

PATH_SEPARATOR = "/"


class OrgUnitQuerySet(models.QuerySet):
    def active_on(self, on: dt.date) -> "OrgUnitQuerySet":
        """Units in force on the given date (both bounds inclusive)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        )

    def subtree_of(self, unit: "OrgUnit", *, include_self: bool = True) -> "OrgUnitQuerySet":
        """The unit and everything below it, at any depth, in one query (path prefix)."""
        qs = self.filter(path__startswith=unit.path)
        return qs if include_self else qs.exclude(pk=unit.pk)


class OrgUnit(BilingualName, models.Model):
    """A reporting or territorial unit: ministry, department, province, commune, ..."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    short_name_vi = models.CharField(_("short name"), max_length=120, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=OrgUnitType.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of codes, "VN/P01/X00004/": a subtree is one indexed prefix query.
    path = models.CharField(_("tree path"), max_length=255, unique=True, editable=False)
    level = models.PositiveSmallIntegerField(_("level"), editable=False)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    official_code = models.CharField(
        _("official code"), max_length=20, blank=True, help_text=_("GSO code where one exists.")
    )
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=10, decimal_places=2, null=True, blank=True)
    # Lower-case ASCII of both names, so "ha noi" finds "Hà Nội" on SQLite and PostgreSQL.
    search_text = models.CharField(_("search text"), max_length=600, editable=False, db_index=True)
    source = models.CharField(_("source"), max_length=255, blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        indexes = [
            models.Index(fields=["type", "level"]),
            models.Index(fields=["valid_from", "valid_to"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="orgunit_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def is_active_on(self, on: dt.date) -> bool:
        return (self.valid_from is None or self.valid_from <= on) and (self.valid_to is None or self.valid_to >= on)

    @property
    def display_name(self) -> str:
        """The name that identifies the unit on its own. A ministry IT unit carries its
        ministry's ("Trung tâm Công nghệ thông tin — Bộ Tài chính"): several ministries' units
        share a name. Select the parent with the unit (select_related) where many are shown."""
        if self.type == OrgUnitType.MINISTRY_IT_UNIT and self.parent_id:
            return f"{self.name} — {self.parent.name}"
        return self.name

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to the parent, read from the path (no query)."""
        return [c for c in self.path.split(PATH_SEPARATOR) if c][:-1]


class OrgUnitGroupSet(BilingualName, models.Model):
    """A way of grouping units, e.g. socio-economic regions."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit group set")
        verbose_name_plural = _("unit group sets")

    def __str__(self) -> str:
        return self.name_vi


class OrgUnitGroup(BilingualName, models.Model):
    """A named set of units, e.g. "Đồng bằng sông Hồng" or "centrally-run cities"."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    group_set = models.ForeignKey(
        OrgUnitGroupSet,
        verbose_name=_("unit group set"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="groups",
    )
    members = models.ManyToManyField(
        OrgUnit, verbose_name=_("member units"), through="OrgUnitGroupMembership", related_name="groups"
    )
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("unit group")
        verbose_name_plural = _("unit groups")

    def __str__(self) -> str:
        return self.name_vi


class OrgUnitGroupMembership(models.Model):
    """A unit's membership of a group, effective-dated (Huế became a city on 2025-01-01)."""

    group = models.ForeignKey(
        OrgUnitGroup, verbose_name=_("unit group"), on_delete=models.CASCADE, related_name="memberships"
    )
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="group_memberships"
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "org_unit"], name="group_membership_unique")]
        verbose_name = _("unit group membership")
        verbose_name_plural = _("unit group memberships")

    def __str__(self) -> str:
        return f"{self.group.code}: {self.org_unit.code}"


class RestructuringEvent(BilingualName, models.Model):
    """A merge, split, rename or transfer on a date, with its legal basis."""

    code = models.CharField(_("code"), max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=RestructuringKind.choices)
    date = models.DateField(_("effective date"))
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    legal_basis = models.CharField(_("legal basis"), max_length=255, blank=True)

    class Meta:
        ordering = ["date", "code"]
        verbose_name = _("restructuring event")
        verbose_name_plural = _("restructuring events")

    def __str__(self) -> str:
        return f"{self.name_vi} ({self.date:%d/%m/%Y})"


class OrgUnitLineage(models.Model):
    """Predecessor → successor through an event. Weight is the predecessor's share that went
    to this successor (1 for a whole unit merged; a fraction for a split, null if unknown)."""

    event = models.ForeignKey(
        RestructuringEvent, verbose_name=_("restructuring event"), on_delete=models.CASCADE, related_name="links"
    )
    predecessor = models.ForeignKey(
        OrgUnit, verbose_name=_("predecessor unit"), on_delete=models.CASCADE, related_name="successor_links"
    )
    successor = models.ForeignKey(
        OrgUnit, verbose_name=_("successor unit"), on_delete=models.CASCADE, related_name="predecessor_links"
    )
    weight = models.DecimalField(_("weight"), max_digits=7, decimal_places=6, null=True, blank=True)
    is_primary = models.BooleanField(
        _("main successor"), default=True, help_text=_("For a split: the successor that continues the unit by default.")
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="lineage_unique"),
        ]
        indexes = [models.Index(fields=["successor", "predecessor"])]
        verbose_name = _("unit lineage")
        verbose_name_plural = _("unit lineages")

    def __str__(self) -> str:
        return f"{self.predecessor.code} → {self.successor.code}"
