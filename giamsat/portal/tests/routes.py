"""Site-level routes, for the shared scope tests: the home page, and the routes the project
URLconf wires itself. Core's /healthz is declared here too: core imports no other package,
so it cannot declare its route with the test scaffolding."""

from giamsat.testing.scoping import RouteInventory

ROUTES = RouteInventory(
    listed=("/",),  # the overview counts only units in the user's scope
    unscoped={
        "/healthz": "liveness check, no data",
        "/i18n/setlang/": "language switch",
        "/api-docs/": "redirect to the API documentation",
    },
)
