from django.db import models
from django.utils.translation import gettext_lazy as _


class ValueType(models.TextChoices):
    INTEGER = "INTEGER", _("Whole number")
    NUMBER = "NUMBER", _("Number")
    PERCENTAGE = "PERCENTAGE", _("Percentage")
    BOOLEAN = "BOOLEAN", _("Yes/no")


class Aggregation(models.TextChoices):
    SUM = "SUM", _("Sum (flows)")
    SUM_LAST = "SUM_LAST", _("Sum across units, last value over time (stocks)")
    AVERAGE = "AVERAGE", _("Average")
    LAST = "LAST", _("Last value")
    MAX = "MAX", _("Maximum")


class LineageRule(models.TextChoices):
    """How a yes/no figure of former units makes the figure of the unit they became."""

    ALL = "ALL", _("Yes when every former unit says yes")
    ANY = "ANY", _("Yes when any former unit says yes")
    SHARE = "SHARE", _("Share of the former units that say yes")


class PeriodTypeChoice(models.TextChoices):
    WEEKLY = "WEEKLY", _("Weekly")
    MONTHLY = "MONTHLY", _("Monthly")
    QUARTERLY = "QUARTERLY", _("Quarterly")
    YEARLY = "YEARLY", _("Yearly")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "HIGHER_IS_BETTER", _("Higher is better")
    LOWER_IS_BETTER = "LOWER_IS_BETTER", _("Lower is better")


class Pillar(models.TextChoices):
    AWARENESS = "AWARENESS", _("Digital awareness")
    INSTITUTIONS = "INSTITUTIONS", _("Institutions")
    INFRASTRUCTURE = "INFRASTRUCTURE", _("Digital infrastructure and platforms")
    HUMAN_RESOURCES = "HUMAN_RESOURCES", _("Digital human resources")
    CYBERSECURITY = "CYBERSECURITY", _("Cyber security")
    DIGITAL_GOVERNMENT = "DIGITAL_GOVERNMENT", _("Digital government")
    DIGITAL_ECONOMY = "DIGITAL_ECONOMY", _("Digital economy")
    DIGITAL_SOCIETY = "DIGITAL_SOCIETY", _("Digital society")
    SECTOR = "SECTOR", _("Sector management")


class TargetScope(models.TextChoices):
    NATIONAL = "NATIONAL", _("National (and every unit by default)")
    UNIT = "UNIT", _("One unit")
    GROUP = "GROUP", _("A group of units")
    UNIT_TYPE = "UNIT_TYPE", _("Every unit of a type")


class AssignmentKind(models.TextChoices):
    UNIT = "UNIT", _("A unit")
    GROUP = "GROUP", _("A group")
    UNIT_TYPE = "UNIT_TYPE", _("Every unit of a type")


class RuleOperator(models.TextChoices):
    EQ = "==", "="
    NE = "!=", "≠"
    LT = "<", "<"
    LE = "<=", "≤"
    GT = ">", ">"
    GE = ">=", "≥"


class Severity(models.TextChoices):
    ERROR = "ERROR", _("Error (blocks submission)")
    WARNING = "WARNING", _("Warning")
