"""Projects routes, for the shared scope tests (the pages' routes join ROUTES here; the import,
export and API routes are in routes_io.py)."""

from .routes_io import ROUTES_IO  # noqa: F401
