"""Projects import, export and API routes, for the shared scope tests: a project belongs to the
units that owned it."""

import datetime as dt

from django.utils import timezone

from giamsat.testing.scoping import RouteInventory, ScopedRoute

YEAR = 2026


def project_for(unit):
    """A project owned by the unit (test scaffolding: any unit type, even one that cannot own
    a project, so written directly)."""
    from giamsat.accounts.models import User
    from giamsat.projects.models import Project, ProjectOwnership

    code = f"DA-{unit.code}"
    project = Project.objects.filter(code=code).first()
    if project is not None:
        return project
    now = timezone.now()
    project = Project.objects.create(
        code=code,
        name="Nền tảng tích hợp, chia sẻ dữ liệu",
        owner_unit=unit,
        type="INVESTMENT",
        status="IMPLEMENTATION",
        decision_number="123/QĐ-UBND",
        decision_date=dt.date(YEAR, 1, 5),
        decision_body="UBND",
        total_investment=1_200_000_000,
        planned_start=dt.date(YEAR, 1, 5),
        planned_end=dt.date(YEAR, 12, 31),
        created_by=User.objects.get(username="admin"),
        created_at=now,
        updated_at=now,
    )
    ProjectOwnership.objects.create(project=project, unit=unit, valid_from=dt.date(YEAR, 1, 5))
    return project


def _new_project(unit) -> dict:
    return {
        "code": f"DA-MOI-{unit.code}",
        "name": "Hệ thống thông tin báo cáo",
        "ownerUnit": unit.code,
        "type": "INVESTMENT",
        "status": "IMPLEMENTATION",
        "decisionNumber": "45/QĐ-UBND",
        "decisionDate": f"{YEAR}-02-01",
        "decisionBody": "UBND",
        "totalInvestment": 900_000_000,
        "plannedStart": f"{YEAR}-02-01",
        "plannedEnd": f"{YEAR}-12-31",
    }


def _path(suffix: str = ""):
    return lambda unit: f"/api/v1/projects/{project_for(unit).code}{suffix}"


ROUTES_IO = RouteInventory(
    scoped=(
        ScopedRoute("api project", "GET /api/v1/projects/{code}", _path(), api=True),
        ScopedRoute(
            "api project transactions", "GET /api/v1/projects/{code}/transactions", _path("/transactions"), api=True
        ),
        ScopedRoute("api project milestones", "GET /api/v1/projects/{code}/milestones", _path("/milestones"), api=True),
        ScopedRoute(
            "api register a project",
            "POST /api/v1/projects",
            lambda unit: "/api/v1/projects",
            method="POST",
            data=_new_project,
            ok_status=frozenset({201}),
            api=True,
        ),
        ScopedRoute(
            "api record a disbursement",
            "POST /api/v1/projects/{code}/transactions",
            _path("/transactions"),
            method="POST",
            data=lambda unit: {"date": f"{YEAR}-03-20", "amount": 100_000_000, "document": "UNC 01"},
            ok_status=frozenset({201}),
            api=True,
        ),
        ScopedRoute(
            "api add a milestone",
            "POST /api/v1/projects/{code}/milestones",
            _path("/milestones"),
            method="POST",
            data=lambda unit: {"title": "Nghiệm thu", "type": "delivery", "dueDate": f"{YEAR}-06-30"},
            ok_status=frozenset({201}),
            api=True,
        ),
    ),
    # Filtered by scope (projects_visible; each import row checked against the user's scope):
    # tested in test_api.py and test_excel.py.
    listed=("GET /api/v1/projects", "GET /api/v1/projects/export/oc4ids", "/projects/export/", "/projects/import/"),
    unscoped={"/projects/import/template/": "a blank template, no unit data"},
)
