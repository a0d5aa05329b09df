"""Navigation by role, available to every template as `nav`."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from giamsat.accounts.choices import Role

# (url name, label, roles that see it; None = every signed-in user)
NAV_ITEMS = [
    ("portal:home", _("Overview"), None),
    ("reporting:home", _("Reports"), None),
    ("evaluation:ranking", _("Evaluation"), None),
    ("plans:overview", _("Plans"), None),
    ("projects:portfolio", _("Projects"), None),
    ("alerts:list", _("Alerts"), None),
    ("documents:list", _("Documents"), None),
    ("catalog:home", _("Catalogue"), None),
    ("orgunits:tree", _("Unit registry"), None),
    ("api-docs", _("API"), {Role.ADMIN, Role.MINISTRY_ANALYST, Role.MINISTRY_IT_REPORTER, Role.PROVINCE_REPORTER}),
    ("admin:index", _("Administration"), {Role.ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    current = request.path
    items = []
    for url_name, label, roles in NAV_ITEMS:
        if roles is not None and user.role not in roles and not user.is_superuser:
            continue
        url = reverse(url_name)
        active = current == url if url == "/" else current.startswith(url)
        items.append({"url": url, "label": label, "active": active})
    return {"nav": items}
