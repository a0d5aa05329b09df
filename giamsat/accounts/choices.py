from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    MINISTRY_LEADER = "MINISTRY_LEADER", _("Ministry leader")
    MINISTRY_ANALYST = "MINISTRY_ANALYST", _("Ministry analyst")
    PROVINCE_REPORTER = "PROVINCE_REPORTER", _("Provincial reporter")
    PROVINCE_LEADER = "PROVINCE_LEADER", _("Provincial leader")
    MINISTRY_IT_REPORTER = "MINISTRY_IT_REPORTER", _("Ministry IT-unit reporter")
    ADMIN = "ADMIN", _("System administrator")


class ScopeKind(models.TextChoices):
    CAPTURE = "CAPTURE", _("Capture")
    VIEW = "VIEW", _("View")


class Domain(models.TextChoices):
    """The state-management domains; the catalogue's Domain rows use the same codes."""

    POST = "POST", _("Post")
    TELECOM = "TELECOM", _("Telecommunications")
    IT_DX = "IT_DX", _("IT and digital transformation")
    CYBERSEC = "CYBERSEC", _("Cyber security")
    ICT_INDUSTRY = "ICT_INDUSTRY", _("ICT industry")
    PRESS = "PRESS", _("Information and press")
    DIGITAL_ECONOMY = "DIGITAL_ECONOMY", _("Digital economy")
    DIGITAL_SOCIETY = "DIGITAL_SOCIETY", _("Digital society")
