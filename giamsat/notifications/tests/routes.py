"""Notification routes, for the shared scope tests: a user reaches only their own inbox,
choices and notifications (tested in test_views.py and test_api.py)."""

from giamsat.testing.scoping import RouteInventory

ROUTES = RouteInventory(
    owned=(
        "/notifications/",
        "/notifications/read/",
        "/notifications/preferences/",
        "/notifications/<int:pk>/",
        "GET /api/v1/notifications",
        "POST /api/v1/notifications/read",
    )
)
