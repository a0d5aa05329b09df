from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """Where an indicator stands against its target for a unit and period."""

    ACHIEVED = "ACHIEVED", _("Achieved")
    ON_TRACK = "ON_TRACK", _("On track")
    AT_RISK = "AT_RISK", _("At risk")
    OFF_TRACK = "OFF_TRACK", _("Off track")
    NO_DATA = "NO_DATA", _("No data")
    NO_TARGET = "NO_TARGET", _("No target")


class Basis(models.TextChoices):
    """Where a computed value came from, so a ranking can be trusted."""

    REPORTED = "REPORTED", _("Computed from the unit's reported data")
    ROLLUP = "ROLLUP", _("Rolled up from units below")
    LINEAGE = "LINEAGE", _("From former units (restructuring)")


class Structure(models.TextChoices):
    """Which unit structure a ranking is shown in."""

    PERIOD = "PERIOD", _("Structure of the period")
    CURRENT = "CURRENT", _("Today's structure")


class ReportsState(models.IntegerChoices):
    """How final the reports behind a unit's index for a period are (the least final counts)."""

    NONE = 0, _("No report")
    ENTERED = 1, _("Being entered")
    SUBMITTED = 2, _("Submitted, awaiting approval")
    FINAL = 3, _("Approved")
    ACCEPTED = 4, _("Accepted by the ministry")
