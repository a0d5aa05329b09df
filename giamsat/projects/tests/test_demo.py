"""The demo projects (`manage.py load_demo_projects`): loaded through the services only,
idempotent, every red flag raised somewhere, Hà Nội's reporter sees flagged projects, a former
province's project passed to its successor with the history."""

import datetime as dt

import pytest
from django.db.models import QuerySet

from giamsat.accounts.models import User
from giamsat.projects import demo
from giamsat.projects.choices import FlagCode
from giamsat.projects.models import (
    Milestone,
    Package,
    PhysicalProgress,
    Project,
    ProjectBaseline,
    ProjectOwnership,
    RedFlag,
    Transaction,
    YearBudget,
)
from giamsat.projects.selectors import projects_visible
from giamsat.tracking.models import WorkItem

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_projects")]

TODAY = dt.date(2026, 12, 7)
WRITTEN = (Project, ProjectOwnership, YearBudget, ProjectBaseline, Package, Transaction, Milestone, WorkItem)


def _counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (*WRITTEN, PhysicalProgress, RedFlag)}


@pytest.fixture
def loaded(settings, monkeypatch):
    """A reduced demo loaded on TODAY, bulk writes of the projects' records forbidden."""
    settings.EVENTS_DISPATCH = "off"
    original = QuerySet.bulk_create

    def bulk_create(self, objs, *args, **kwargs):
        assert self.model not in WRITTEN, f"bulk_create of {self.model.__name__} outside the services"
        return original(self, objs, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "bulk_create", bulk_create)
    return demo.demo_projects_run(today=TODAY, size=100)


def test_demo_projects(loaded):
    assert loaded.projects == Project.objects.count() == 100
    # Every flag raised, on projects made to raise it; most projects have none.
    open_flags = RedFlag.objects.filter(cleared_on__isnull=True)
    for code in FlagCode.values:
        assert open_flags.filter(code=code).exists(), code
        assert loaded.flags[code] == open_flags.filter(code=code).count()
    flagged = open_flags.values("project").distinct().count()
    assert 10 <= flagged <= 50
    behind = open_flags.filter(code=FlagCode.DISBURSEMENT_BEHIND).count()
    assert 0.08 <= behind / 100 <= 0.25
    # Money, packages, milestones met through the tracked-work base, progress.
    assert Transaction.objects.filter(kind="DISBURSEMENT").count() > 1000
    assert Transaction.objects.filter(kind="COMMITMENT").exists()
    assert WorkItem.objects.filter(kind="PROJECT_MILESTONE", completed_on__isnull=False).count() > 100
    assert (
        not WorkItem.objects.filter(kind="PROJECT_MILESTONE", completed_on__isnull=False)
        .exclude(progress_reports__completion=True)
        .exists()
    )
    assert PhysicalProgress.objects.exists() and ProjectBaseline.objects.count() == 100
    assert Project.objects.filter(status="CLOSED").exists() and Project.objects.filter(status="PIPELINE").exists()
    totals = Project.objects.values_list("total_investment", flat=True)
    assert min(totals) >= 2_000_000_000 and max(totals) < 301_000_000_000
    # Hà Nội's reporter sees the city's projects, one at least flagged.
    reporter = User.objects.get(username="hanoi.baocao")
    hanoi = projects_visible(reporter)
    assert hanoi.count() >= 3
    assert set(hanoi.values_list("owner_unit__code", flat=True)) <= {"P01", "SKHCN_01"}
    assert RedFlag.objects.filter(project__in=hanoi, cleared_on__isnull=True).exists()
    # Quảng Nam's project is Đà Nẵng's since the merger, Quảng Nam kept in its history.
    former = Project.objects.get(owners__unit__code="P49_63")
    assert former.owner_unit.code == "P48"
    history = list(former.owners.order_by("valid_from").values_list("unit__code", "valid_to"))
    assert history == [("P49_63", dt.date(2025, 6, 30)), ("P48", None)]
    assert former.decision_body == "Ủy ban nhân dân tỉnh Quảng Nam"
    # Nothing recorded after the day it is loaded; loading again adds nothing.
    assert not Transaction.objects.filter(date__gte=TODAY).exists()
    before = _counts()
    assert demo.demo_projects_run(today=TODAY, size=100).projects == 0
    assert _counts() == before


def test_the_demo_projects_export_as_valid_oc4ids(loaded):
    """Every demo project, flagged, former province's or closed, passes the published schema."""
    from giamsat.projects import oc4ids

    from .test_oc4ids import errors

    package = oc4ids.project_package(
        Project.objects.order_by("code"), uri="https://giamsat.example/oc4ids", today=TODAY
    )
    assert len(package["projects"]) == 100
    assert errors(package) == []
