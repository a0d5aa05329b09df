"""Users, their roles and unit scopes, and personal API tokens."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from giamsat.orgunits.models import OrgUnit

from .choices import Role, ScopeKind


class User(AbstractUser):
    """A person (or a machine client's owner) with one role and scoped access to units."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=30, choices=Role.choices, default=Role.PROVINCE_REPORTER)
    home_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("home unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # For ministry analysts: the domain codes they own (see choices.Domain).
    domains = models.JSONField(_("domains"), default=list, blank=True)

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class UserScope(models.Model):
    """One unit subtree a user may capture data for, or view."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="scopes")
    org_unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("scope kind"), max_length=10, choices=ScopeKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "org_unit", "kind"], name="user_scope_unique"),
        ]
        verbose_name = _("user scope")
        verbose_name_plural = _("user scopes")

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.org_unit.code}"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Tokens that are neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash is stored; the token is shown once."""

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, db_index=True)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
