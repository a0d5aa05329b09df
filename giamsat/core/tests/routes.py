"""Project-level routes, for the shared scope tests."""

from giamsat.testing.scoping import RouteInventory

ROUTES = RouteInventory(
    listed=("/",),  # the overview counts only units in the user's scope
    unscoped={
        "/healthz": "liveness check, no data",
        "/i18n/setlang/": "language switch",
        "/api-docs/": "redirect to the API documentation",
    },
)
