"""DHIS2-compatible aliases (/api/...), for the shared scope tests."""

from giamsat.testing.scoping import RouteInventory, ScopedRoute

ROUTES = RouteInventory(
    scoped=(
        ScopedRoute(
            "dhis2 data values of a unit",
            "/api/dataValueSets",
            lambda unit: f"/api/dataValueSets?orgUnit={unit.code}",
            api=True,
        ),
        ScopedRoute(
            "dhis2 unit", "/api/organisationUnits/<code>", lambda unit: f"/api/organisationUnits/{unit.code}", api=True
        ),
    ),
    # Scope applied in the value service / the navigable-units selector: tested in test_dhis2.py.
    listed=("/api/dataValueSets", "/api/dataValues", "/api/organisationUnits"),
    unscoped={
        "/api/": "API root",
        "/api/docs": "documentation",
        "/api/openapi.json": "documentation",
        "/api/system/info": "system information, no unit data",
        "/api/me": "the authenticated user's own record",
        "/api/dataElements": "catalogue definitions, the same for every unit",
        "/api/dataSets": "catalogue definitions, the same for every unit",
    },
)
