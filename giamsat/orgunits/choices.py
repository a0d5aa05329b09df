from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgUnitType(models.TextChoices):
    COUNTRY = "COUNTRY", _("Country")
    GOVERNMENT = "GOVERNMENT", _("Government")
    MINISTRY = "MINISTRY", _("Ministry")
    MINISTRY_DEPT = "MINISTRY_DEPT", _("Ministry department")
    MINISTRY_IT_UNIT = "MINISTRY_IT_UNIT", _("Ministry IT unit")
    PROVINCE = "PROVINCE", _("Province")
    PROVINCIAL_DEPT = "PROVINCIAL_DEPT", _("Provincial department")
    DISTRICT = "DISTRICT", _("District")
    COMMUNE = "COMMUNE", _("Commune")
    ENTERPRISE = "ENTERPRISE", _("Enterprise")
    PRESS_AGENCY = "PRESS_AGENCY", _("Press agency")


# How units of different types are listed side by side: departments before communes.
TYPE_DISPLAY_ORDER = [
    OrgUnitType.COUNTRY,
    OrgUnitType.GOVERNMENT,
    OrgUnitType.MINISTRY,
    OrgUnitType.MINISTRY_DEPT,
    OrgUnitType.MINISTRY_IT_UNIT,
    OrgUnitType.PROVINCE,
    OrgUnitType.PROVINCIAL_DEPT,
    OrgUnitType.DISTRICT,
    OrgUnitType.COMMUNE,
    OrgUnitType.ENTERPRISE,
    OrgUnitType.PRESS_AGENCY,
]


class RestructuringKind(models.TextChoices):
    MERGE = "MERGE", _("Merge")
    SPLIT = "SPLIT", _("Split")
    RENAME = "RENAME", _("Rename")
    TRANSFER = "TRANSFER", _("Transfer")
    REORGANIZE = "REORGANIZE", _("Reorganisation")
