"""Plans import, export and API routes, for the shared scope tests (a unit's plan belongs to
the unit)."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from giamsat.testing.scoping import RouteInventory, ScopedRoute

YEAR = 2026


def _user(username: str):
    from giamsat.accounts.models import User

    return User.objects.get(username=username)


def task_for(unit):
    """A task in the unit's 2026 plan (test scaffolding: any unit, even one keeping no plan)."""
    from giamsat.plans.choices import TASK_KIND
    from giamsat.plans.models import Plan, Task
    from giamsat.tracking.services import work_item_create

    admin = _user("admin")
    plan, _created = Plan.objects.get_or_create(
        org_unit=unit, year=YEAR, defaults={"title": f"Kế hoạch {YEAR}", "created_at": timezone.now()}
    )
    item = work_item_create(
        kind=TASK_KIND, title="Ban hành kế hoạch", owner_unit=unit, due_date=dt.date(YEAR, 6, 30), by=admin
    )
    return Task.objects.create(item=item, plan=plan, number="1")


def _workbook() -> SimpleUploadedFile:
    from giamsat.plans.excel import XLSX_CONTENT_TYPE, template_workbook

    return SimpleUploadedFile("ke_hoach.xlsx", template_workbook(), content_type=XLSX_CONTENT_TYPE)


def _upload(unit) -> dict:
    return {"unit": unit.code, "year": str(YEAR), "file": _workbook()}


def _confirm(unit) -> dict:
    from giamsat.plans.excel import FIELDS, template_workbook
    from giamsat.reporting.excel import upload_keep

    token = upload_keep(data=template_workbook(), name="ke_hoach.xlsx", problems=[], user_id=_user("a.reporter").pk)
    mapping = {f"map_{f.key}": str(index) for index, f in enumerate(FIELDS, start=1)}
    return {"unit": unit.code, "year": str(YEAR), "token": token, "sheet": "", "action": "import", **mapping}


ROUTES_IO = RouteInventory(
    scoped=(
        ScopedRoute(
            "api plans of a unit", "GET /api/v1/plans", lambda unit: f"/api/v1/plans?unit={unit.code}", api=True
        ),
        ScopedRoute(
            "api tasks of a unit",
            "GET /api/v1/plans/tasks",
            lambda unit: f"/api/v1/plans/tasks?unit={unit.code}",
            api=True,
        ),
        ScopedRoute(
            "api task",
            "GET /api/v1/plans/tasks/{task_id}",
            lambda unit: f"/api/v1/plans/tasks/{task_for(unit).pk}",
            api=True,
        ),
        ScopedRoute(
            "api create a plan",
            "POST /api/v1/plans",
            lambda unit: "/api/v1/plans",
            method="POST",
            data=lambda unit: {"unit": unit.code, "year": YEAR},
            ok_status=frozenset({200, 201}),
            api=True,
        ),
        ScopedRoute(
            "api create a task",
            "POST /api/v1/plans/tasks",
            lambda unit: "/api/v1/plans/tasks",
            method="POST",
            data=lambda unit: {"unit": unit.code, "title": "Ban hành kế hoạch", "dueDate": f"{YEAR}-12-31"},
            ok_status=frozenset({201}),
            api=True,
        ),
        ScopedRoute("export a plan", "/plans/export/", lambda unit: f"/plans/export/?unit={unit.code}&year={YEAR}"),
        ScopedRoute("upload a plan", "/plans/import/", lambda unit: "/plans/import/", method="POST", data=_upload),
        ScopedRoute(
            "import a plan",
            "/plans/import/confirm/",
            lambda unit: "/plans/import/confirm/",
            method="POST",
            data=_confirm,
        ),
    ),
    # Filtered by scope in plans.selectors (tasks_visible, plannable_units): tested in test_api.py / test_excel.py.
    listed=("GET /api/v1/plans", "GET /api/v1/plans/tasks", "/plans/export/", "/plans/import/"),
    unscoped={"/plans/import/template/": "a blank template, no unit data"},
)
