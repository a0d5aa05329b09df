"""Job routes, for the shared scope tests: a user reaches only their own jobs."""

from giamsat.testing.scoping import RouteInventory

ROUTES = RouteInventory(owned=("/jobs/", "GET /api/v1/jobs/{job_id}"))
