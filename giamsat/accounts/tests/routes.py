"""Account routes, for the shared scope tests."""

from giamsat.testing.scoping import RouteInventory

ROUTES = RouteInventory(
    owned=("/accounts/tokens/<int:pk>/revoke/",),
    unscoped={
        "/accounts/login/": "sign-in form",
        "/accounts/logout/": "sign-out",
        "/accounts/profile/": "the signed-in user's own profile",
        "/accounts/tokens/": "the signed-in user's own tokens",
        "/accounts/two-factor/": "the signed-in user's own second factor",
        "/accounts/two-factor/setup/": "draws a secret for the signed-in user's own second factor",
        "/accounts/two-factor/confirm/": "turns on the signed-in user's own second factor",
        "/accounts/two-factor/disable/": "turns off the signed-in user's own second factor",
        "/accounts/two-factor/verify/": "the sign-in's second step, for the session's own user",
        "/accounts/password/change/": "the signed-in user's own password",
        "/accounts/password/reset/": "asks for a reset link by e-mail; says nothing about accounts",
        "/accounts/password/reset/sent/": "static confirmation page",
        "/accounts/password/reset/<uidb64>/<token>/": "new password for the account the signed link names",
        "/accounts/password/reset/complete/": "static confirmation page",
        "GET /api/v1/me": "the authenticated user's own record",
    },
)
