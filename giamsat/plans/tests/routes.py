"""Plans routes, for the shared scope tests."""

from .routes_io import ROUTES_IO  # noqa: F401  (import, export and API: giamsat/plans/tests/routes_io.py)
