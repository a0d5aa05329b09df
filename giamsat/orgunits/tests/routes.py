"""The registry's routes, for the shared scope tests (core/tests/test_scopes.py)."""

from giamsat.testing.scoping import RouteInventory, ScopedRoute

ROUTES = RouteInventory(
    scoped=(
        ScopedRoute("unit page", "/units/<str:code>/", lambda u: f"/units/{u.code}/"),
        ScopedRoute("unit children", "/units/<str:code>/children/", lambda u: f"/units/{u.code}/children/"),
        ScopedRoute("api unit", "GET /api/v1/orgunits/{code}", lambda u: f"/api/v1/orgunits/{u.code}", api=True),
        ScopedRoute(
            "api unit children",
            "GET /api/v1/orgunits/{code}/children",
            lambda u: f"/api/v1/orgunits/{u.code}/children",
            api=True,
        ),
        ScopedRoute(
            "api units by parent",
            "GET /api/v1/orgunits",
            lambda u: f"/api/v1/orgunits?parent={u.code}",
            api=True,
        ),
    ),
    listed=("/units/", "GET /api/v1/orgunits"),
)
