"""Account routes, for the shared scope tests."""

from giamsat.testing.scoping import RouteInventory

ROUTES = RouteInventory(
    owned=("/accounts/tokens/<int:pk>/revoke/",),
    unscoped={
        "/accounts/login/": "sign-in form",
        "/accounts/logout/": "sign-out",
        "/accounts/profile/": "the signed-in user's own profile",
        "/accounts/tokens/": "the signed-in user's own tokens",
        "GET /api/v1/me": "the authenticated user's own record",
    },
)
