"""Projects in the API: the portfolio in scope with its filters and paging, registering, one
project with its money, earned value and flags (and as OC4IDS), transactions and milestones,
errors in the API's shape; and a disbursement recorded through the API reaching the province's
scorecard (events dispatched inline, as the worker would)."""

import datetime as dt
import types

import pytest
from django.test import Client
from django.utils import timezone as django_timezone

from giamsat.accounts.services import token_create
from giamsat.evaluation.models import IndicatorValue
from giamsat.evaluation.selectors import scorecard_get
from giamsat.events.services import events_dispatch
from giamsat.orgunits.models import OrgUnit
from giamsat.projects import figures, handlers, services
from giamsat.projects.models import Project, Transaction
from giamsat.projects.services import (
    baseline_freeze,
    flags_evaluate,
    package_save,
    physical_progress_report,
    year_budget_set,
)
from giamsat.reporting.models import Period

from .conftest import make_project

d = dt.date
TODAY = d(2026, 5, 11)
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch, settings):
    settings.LANGUAGE_CODE = "en"  # the messages checked below are the English source
    clock = types.SimpleNamespace(localdate=lambda *args: TODAY, now=django_timezone.now)
    monkeypatch.setattr("giamsat.projects.api.today", lambda: TODAY)
    for module in (services, figures, handlers):
        monkeypatch.setattr(module, "timezone", clock)


def api_client(user) -> Client:
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_create(user=user, name='t')[1]}"
    return client


@pytest.fixture
def api_a(reporter):
    return api_client(reporter)


@pytest.fixture
def api_ministry(leader):
    return api_client(leader)


@pytest.fixture
def projects(leader, rules):
    hanoi = make_project(OrgUnit.objects.get(code="SKHCN_01"), leader, code="DA-HN-01")
    year_budget_set(project=hanoi, year=2026, planned=800_000_000, allocated=800_000_000, by=leader)
    baseline_freeze(project=hanoi, by=leader)
    physical_progress_report(project=hanoi, on=d(2026, 4, 30), percent=20, by=leader)
    package_save(
        project=hanoi,
        code="GT01",
        by=leader,
        name="Phần mềm",
        method="OPEN",
        stage="CONTRACT",
        estimated_value=500_000_000,
        contract_value=490_000_000,
        bidders=1,
        supplier="Công ty A",
    )
    other = make_project(OrgUnit.objects.get(code="SKHCN_08"), leader, code="DA-TQ-01", status="PIPELINE")
    flags_evaluate(today=TODAY)
    return {"hanoi": hanoi, "other": other}


def test_the_portfolio_is_in_scope_filtered_and_paged(api_a, api_ministry, projects):
    body = api_a.get("/api/v1/projects").json()
    assert [p["code"] for p in body["projects"]] == ["DA-HN-01"]
    assert body["pager"] == {"page": 1, "pageSize": 50, "total": 1, "pageCount": 1}
    row = body["projects"][0]
    assert row["owner"] == {"code": "SKHCN_01", "name": projects["hanoi"].owner_unit.name_vi}
    assert row["allocatedYear"] == 800_000_000 and row["openFlags"] >= 1
    everything = api_ministry.get("/api/v1/projects").json()
    assert {p["code"] for p in everything["projects"]} == {"DA-HN-01", "DA-TQ-01"}
    assert [p["code"] for p in api_ministry.get("/api/v1/projects", {"status": "PIPELINE"}).json()["projects"]] == [
        "DA-TQ-01"
    ]
    assert [p["code"] for p in api_ministry.get("/api/v1/projects", {"flag": "SINGLE_BIDDER"}).json()["projects"]] == [
        "DA-HN-01"
    ]
    assert api_ministry.get("/api/v1/projects", {"owner": "P08"}).json()["pager"]["total"] == 1
    page = api_ministry.get("/api/v1/projects", {"pageSize": "1", "page": "2"}).json()
    assert page["pager"]["pageCount"] == 2 and len(page["projects"]) == 1
    bad = api_a.get("/api/v1/projects", {"status": "NOPE"})
    assert bad.status_code == 400 and "status" in bad.json()["detail"]
    assert api_a.get("/api/v1/projects", {"owner": "P08"}).status_code == 403
    assert api_a.get("/api/v1/projects", {"owner": "KHONG"}).status_code == 404
    assert api_a.get("/api/v1/projects", {"page": "0"}).status_code == 400


def test_one_project_with_money_earned_value_and_flags(api_a, projects):
    response = api_a.get("/api/v1/projects/DA-HN-01")
    assert response.status_code == 200
    body = response.json()
    assert body["totalInvestment"] == 1_200_000_000 and body["physicalProgress"] == 20.0
    assert body["earnedValue"]["bac"] == 1_200_000_000 and body["earnedValue"]["ev"] == pytest.approx(240_000_000)
    (flag,) = [f for f in body["flags"] if f["code"] == "SINGLE_BIDDER"]
    assert flag["legalBasis"] and flag["ruleVersion"] == 1 and "GT01" in flag["explanation"]
    assert api_a.get("/api/v1/projects/DA-TQ-01").status_code == 403
    assert "Tuyên Quang" not in api_a.get("/api/v1/projects/DA-TQ-01").content.decode()
    assert api_a.get("/api/v1/projects/KHONG-CO").status_code == 404
    oc = api_a.get("/api/v1/projects/DA-HN-01", {"format": "oc4ids"}).json()
    assert oc["id"].endswith("-DA-HN-01") and oc["status"] == "implementation"
    assert api_a.get("/api/v1/projects/DA-HN-01", {"format": "xml"}).status_code == 400


def test_register_record_and_add_milestones(api_a, projects):
    new = {
        "code": "DA-HN-02",
        "name": "Hệ thống báo cáo",
        "ownerUnit": "SKHCN_01",
        "type": "SOFTWARE",
        "status": "IMPLEMENTATION",
        "decisionNumber": "45/QĐ-SKHCN",
        "decisionDate": "2026-02-01",
        "decisionBody": "Sở KH&CN",
        "totalInvestment": 900_000_000,
        "plannedStart": "2026-02-01",
        "plannedEnd": "2026-12-31",
        "funding": [{"source": "LOCAL_BUDGET", "amount": 900_000_000}],
    }
    created = api_a.post("/api/v1/projects", new, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["funding"] == [{"source": "LOCAL_BUDGET", "amount": 900_000_000}]
    again = api_a.post("/api/v1/projects", new, content_type="application/json")
    assert again.status_code == 400 and "already exists" in again.json()["errors"]["code"][0]
    bad = api_a.post(
        "/api/v1/projects", {**new, "code": "X", "plannedEnd": "2025-01-01"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "plannedEnd" in bad.json()["errors"]
    out = api_a.post("/api/v1/projects", {**new, "code": "Y", "ownerUnit": "SKHCN_08"}, content_type="application/json")
    assert out.status_code == 403
    assert api_a.post("/api/v1/projects", {**new, "type": "ROAD"}, content_type="application/json").status_code == 400
    assert api_a.post("/api/v1/projects", {"code": "Z"}, content_type="application/json").status_code == 422

    url = "/api/v1/projects/DA-HN-02/transactions"
    paid = api_a.post(
        url, {"date": "2026-03-20", "amount": 300_000_000, "document": "UNC 01"}, content_type="application/json"
    )
    assert paid.status_code == 201 and paid.json()["kind"] == "DISBURSEMENT"
    early = api_a.post(url, {"date": "2025-03-20", "amount": 5}, content_type="application/json")
    assert early.status_code == 400 and "before the project was approved" in early.json()["errors"]["date"][0]
    assert api_a.post(url, {"date": "2026-03-20", "amount": 0}, content_type="application/json").status_code == 422
    wrong = api_a.post(url, {"date": "2026-03-20", "amount": 5, "package": "GT99"}, content_type="application/json")
    assert wrong.status_code == 400 and "package" in wrong.json()["errors"]
    listed = api_a.get(url).json()
    assert listed["disbursedTotal"] == 300_000_000 and len(listed["transactions"]) == 1
    other = "/api/v1/projects/DA-TQ-01/transactions"
    assert api_a.post(other, {"date": "2026-03-20", "amount": 5}, content_type="application/json").status_code == 403
    assert Transaction.objects.filter(project__code="DA-TQ-01").count() == 0

    url = "/api/v1/projects/DA-HN-02/milestones"
    added = api_a.post(
        url,
        {"title": "Nghiệm thu", "type": "delivery", "dueDate": "2026-06-30", "weight": 40},
        content_type="application/json",
    )
    assert added.status_code == 201 and added.json()["weight"] == 40
    assert (
        api_a.post(
            url, {"title": "X", "type": "party", "dueDate": "2026-06-30"}, content_type="application/json"
        ).status_code
        == 400
    )
    assert [m["title"] for m in api_a.get(url).json()["milestones"]] == ["Nghiệm thu"]


def test_the_oc4ids_package_holds_the_visible_projects(api_a, api_ministry, projects):
    package = api_a.get("/api/v1/projects/export/oc4ids").json()
    assert [p["id"].rsplit("-", 3)[-3:] for p in package["projects"]] == [["DA", "HN", "01"]]
    assert package["version"] == "0.9" and package["uri"].startswith("http")
    assert len(api_ministry.get("/api/v1/projects/export/oc4ids").json()["projects"]) == 2
    assert api_a.get("/api/v1/projects/export/oc4ids", {"status": "CLOSED"}).status_code == 404


def _rate(unit, code="202605"):
    row = IndicatorValue.objects.filter(
        indicator__code="PROJECT_DISBURSEMENT_RATE", org_unit=unit, period__code=code
    ).first()
    return None if row is None else row.value


@pytest.mark.django_db(transaction=False)
def test_a_disbursement_through_the_api_moves_the_provinces_disbursement_rate(
    settings, api_a, leader, django_capture_on_commit_callbacks
):
    settings.EVENTS_DISPATCH = "inline"
    province = OrgUnit.objects.get(code="P01")
    with django_capture_on_commit_callbacks(execute=True):
        project = make_project(OrgUnit.objects.get(code="SKHCN_01"), leader, code="DA-HN-09")
        year_budget_set(project=project, year=2026, planned=1_000_000_000, allocated=1_000_000_000, by=leader)
    assert _rate(province) == 0
    response = api_a.post(
        f"/api/v1/projects/{project.code}/transactions",
        {"date": "2026-04-15", "amount": 400_000_000, "document": "UNC 05"},
        content_type="application/json",
    )
    assert response.status_code == 201
    # The test's transaction never commits: deliver as the worker does after the commit.
    assert events_dispatch().delivered >= 1
    assert _rate(province) == pytest.approx(40.0)
    assert _rate(province, "202603") == 0  # March as it stood on 31/03
    card = scorecard_get(unit=province, period=Period.objects.get(code="202605"))
    rows = {row.indicator.code: row for block in card.pillars for row in block.rows}
    assert rows["PROJECT_DISBURSEMENT_RATE"].value.value == pytest.approx(40.0)
    assert Project.objects.get(code="DA-HN-09").actual_start == d(2026, 4, 15)
