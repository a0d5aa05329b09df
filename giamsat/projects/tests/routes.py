"""Projects routes, for the shared scope tests: a project belongs to its owner unit (and is seen
through every owner it had)."""

import datetime as dt

from django.utils import timezone

from giamsat.projects.models import Project, ProjectOwnership
from giamsat.testing.scoping import RouteInventory, ScopedRoute

YEAR = 2026
APPROVED = dt.date(2025, 1, 2)


def project_for(unit) -> Project:
    """A project owned by the unit (test scaffolding: any unit type, written directly)."""
    code = f"DA-TEST-{unit.code}"
    project = Project.objects.filter(code=code).first()
    if project is not None:
        return project
    now = timezone.now()
    project = Project.objects.create(
        code=code,
        name="Nền tảng tích hợp, chia sẻ dữ liệu dùng chung",
        owner_unit=unit,
        type="INVESTMENT",
        status="IMPLEMENTATION",
        decision_number="12/QĐ-UBND",
        decision_date=APPROVED,
        decision_body="Ủy ban nhân dân",
        total_investment=12_000_000_000,
        planned_start=APPROVED,
        planned_end=dt.date(YEAR, 12, 31),
        created_at=now,
        updated_at=now,
    )
    ProjectOwnership.objects.create(project=project, unit=unit, valid_from=APPROVED)
    return project


def _url(suffix: str = ""):
    return lambda unit: f"/projects/{project_for(unit).code}/{suffix}"


WRITE = frozenset({200, 302})


def _post(name, suffix, data):
    return ScopedRoute(
        name, f"/projects/<str:code>/{suffix}", _url(suffix), method="POST", data=lambda unit: data, ok_status=WRITE
    )


ROUTES = RouteInventory(
    scoped=(
        ScopedRoute("project page", "/projects/<str:code>/", _url()),
        ScopedRoute("edit a project", "/projects/<str:code>/edit/", _url("edit/")),
        _post("set a year budget", "budget/", {"year": YEAR, "planned": "2.000.000.000", "allocated": "1.500.000.000"}),
        _post(
            "record a transaction",
            "transactions/",
            {"kind": "DISBURSEMENT", "date": "02/03/2025", "amount": "250.000.000", "document": "UNC 15"},
        ),
        _post("report physical progress", "progress/", {"on": "30/06/2025", "percent": "35,5"}),
        _post(
            "save a package",
            "packages/",
            {"code": "GT01", "name": "Phần mềm", "method": "OPEN", "stage": "PLANNING", "estimated_value": "5.000.000"},
        ),
        _post("add a milestone", "milestones/", {"title": "Nghiệm thu", "type": "delivery", "due_date": "30/09/2026"}),
        _post("freeze a baseline", "baselines/", {"reason": ""}),
        _post("report a milestone", "milestones/report/", {"milestone": "", "progress": "50"}),
    ),
    # Every visible project, filtered by the user's view scope (test_views).
    listed=("/projects/", "/projects/map/"),
    unscoped={
        "/projects/rules/": "the red-flag rules are the same for every unit; the open counts are the user's scope's",
        "/projects/new/": "offers only the units the user may register projects for; the service refuses others",
    },
)


from .routes_io import ROUTES_IO  # noqa: E402, F401
