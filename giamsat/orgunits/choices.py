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


class RestructuringKind(models.TextChoices):
    MERGE = "MERGE", _("Merge")
    SPLIT = "SPLIT", _("Split")
    RENAME = "RENAME", _("Rename")
    TRANSFER = "TRANSFER", _("Transfer")
    REORGANIZE = "REORGANIZE", _("Reorganisation")
