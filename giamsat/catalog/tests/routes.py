"""Catalogue routes: definitions, not unit data; changes are limited by role (test_views.py)."""

from giamsat.testing.scoping import RouteInventory

REASON = "catalogue definitions, the same for every unit; edits need the analyst role"

ROUTES = RouteInventory(
    unscoped={
        "/catalog/": REASON,
        "/catalog/elements/<str:code>/": REASON,
        "/catalog/elements/<str:code>/edit/": REASON,
        "/catalog/indicators/<str:code>/": REASON,
        "/catalog/indicators/<str:code>/edit/": REASON,
        "/catalog/data-sets/<str:code>/": REASON,
        "/catalog/data-sets/<str:code>/edit/": REASON,
        "/catalog/rules/<str:code>/": REASON,
        "/catalog/rules/<str:code>/edit/": REASON,
        "/catalog/elements/new/": REASON,
        "/catalog/data-sets/<str:code>/members/": REASON,
        "/catalog/data-sets/<str:code>/members/<str:element>/remove/": REASON,
        "/catalog/data-sets/<str:code>/assignments/": REASON,
        "/catalog/data-sets/<str:code>/assignments/<int:pk>/end/": REASON,
        "/catalog/indicators/new/": REASON,
        "/catalog/rules/new/": REASON,
        "/catalog/indicators/<str:code>/targets/new/": REASON,
        "/catalog/indicators/<str:code>/targets/<int:pk>/": REASON,
    },
)
