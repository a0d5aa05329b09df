"""Plans routes, for the shared scope tests: a plan and its tasks belong to the plan's unit."""

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from giamsat.accounts.models import User
from giamsat.plans.choices import TASK_KIND
from giamsat.plans.models import Plan, Task
from giamsat.testing.scoping import RouteInventory, ScopedRoute
from giamsat.tracking.models import Attachment, WorkItem

YEAR = 2026


def plan_for(unit) -> Plan:
    """The unit's plan of the year (test scaffolding: any unit type)."""
    plan, _created = Plan.objects.get_or_create(
        org_unit=unit,
        year=YEAR,
        defaults={"title": f"Kế hoạch năm {YEAR}", "created_at": timezone.now()},
    )
    return plan


def task_for(unit) -> Task:
    """An open task of the unit's plan, given by the administrator (test scaffolding)."""
    plan = plan_for(unit)
    task = plan.tasks.select_related("item").first()
    if task is not None:
        return task
    now = timezone.now()
    item = WorkItem.objects.create(
        kind=TASK_KIND,
        title="Triển khai nền tảng dữ liệu dùng chung",
        owner_unit=unit,
        assigned_by=User.objects.get(username="admin"),
        due_date=dt.date(YEAR, 12, 31),
        original_due_date=dt.date(YEAR, 12, 31),
        created_at=now,
        updated_at=now,
    )
    return Task.objects.create(item=item, plan=plan, number="1")


def _file_url(unit):
    task = task_for(unit)
    now = timezone.now()
    attachment = Attachment.objects.create(
        item=task.item,
        file=ContentFile(b"bao cao", name="bao-cao.txt"),
        name="bao-cao.txt",
        size=7,
        uploaded_at=now,
    )
    return f"/plans/tasks/{task.pk}/files/{attachment.pk}/"


def _plan_url(suffix: str = ""):
    return lambda unit: f"/plans/{plan_for(unit).pk}/{suffix}"


def _task_url(suffix: str = ""):
    return lambda unit: f"/plans/tasks/{task_for(unit).pk}/{suffix}"


WRITE = frozenset({200, 302})

ROUTES = RouteInventory(
    scoped=(
        ScopedRoute("plan page", "/plans/<int:pk>/", _plan_url()),
        ScopedRoute(
            "add a task",
            "/plans/<int:pk>/tasks/new/",
            _plan_url("tasks/new/"),
            method="POST",
            data=lambda unit: {"title": "Số hóa hồ sơ", "due_date": f"{YEAR}-11-30"},
            ok_status=WRITE,
        ),
        ScopedRoute(
            "take a baseline",
            "/plans/<int:pk>/baselines/",
            _plan_url("baselines/"),
            method="POST",
            data=lambda unit: {"name": "Mốc quý I"},
            ok_status=WRITE,
        ),
        ScopedRoute("task page", "/plans/tasks/<int:pk>/", _task_url()),
        ScopedRoute(
            "report progress",
            "/plans/tasks/<int:pk>/report/",
            _task_url("report/"),
            method="POST",
            data=lambda unit: {"progress": "40", "note": "Đang triển khai"},
            ok_status=WRITE,
        ),
        ScopedRoute(
            "ask for an extension",
            "/plans/tasks/<int:pk>/extension/",
            _task_url("extension/"),
            method="POST",
            data=lambda unit: {"due_requested": f"{YEAR + 1}-01-31", "reason": "Chờ kinh phí"},
            ok_status=WRITE,
        ),
        ScopedRoute(
            "decide an extension",
            "/plans/tasks/<int:pk>/extension/decide/",
            _task_url("extension/decide/"),
            method="POST",
            data=lambda unit: {"decision": "approve"},
            ok_status=WRITE,
            user="a.leader",
        ),
        ScopedRoute(
            "review the evidence",
            "/plans/tasks/<int:pk>/review/",
            _task_url("review/"),
            method="POST",
            data=lambda unit: {"decision": "return", "note": "Thiếu minh chứng"},
            ok_status=WRITE,
            user="a.leader",
        ),
        ScopedRoute(
            "comment on a task",
            "/plans/tasks/<int:pk>/comments/",
            _task_url("comments/"),
            method="POST",
            data=lambda unit: {"text": "Đề nghị bổ sung"},
            ok_status=WRITE,
        ),
        ScopedRoute("download a task's file", "/plans/tasks/<int:pk>/files/<int:file_pk>/", _file_url),
    ),
    # Every visible unit's plans and tasks, filtered by the user's view scope (test_views).
    listed=("/plans/",),
)

from .routes_io import ROUTES_IO  # noqa: E402, F401
