"""The maps' routes, for the shared scope tests (portal/tests/test_scopes.py)."""

from giamsat.testing.scoping import RouteInventory, ScopedRoute

ROUTES = RouteInventory(
    scoped=(
        ScopedRoute(
            "api communes of a province as points",
            "GET /api/v1/maps/communes",
            lambda unit: f"/api/v1/maps/communes?province={unit.code}",
            api=True,
        ),
    ),
    # The indicator's values per province: filtered by the caller's view scope (test_api.py).
    listed=("GET /api/v1/maps/indicator",),
    unscoped={
        "GET /api/v1/maps/provinces": "the provinces' outlines and names: the country's geography, no unit's data",
    },
)
