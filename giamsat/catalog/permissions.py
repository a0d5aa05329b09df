"""Who may change the catalogue: the ministry's analysts (of the item's domain) and administrators."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from giamsat.accounts.choices import Role


def can_edit_catalog(user, domain_code: str | None = None) -> bool:
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    if user.role != Role.MINISTRY_ANALYST:
        return False
    return domain_code is None or not user.domains or domain_code in user.domains


def ensure_can_edit_catalog(user, domain_code: str | None = None) -> None:
    if not can_edit_catalog(user, domain_code):
        raise PermissionDenied(_("Only the ministry's analysts of this domain can change the catalogue."))
