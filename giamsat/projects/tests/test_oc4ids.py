"""Projects as OC4IDS: one project and a package of the visible projects, valid against the
published schema (vendored in giamsat/projects/schema, validated offline)."""

import datetime as dt

import jsonschema_rs
import pytest

from giamsat.orgunits.models import OrgUnit
from giamsat.projects import oc4ids
from giamsat.projects.selectors import projects_visible
from giamsat.projects.services import (
    milestone_add,
    package_save,
    physical_progress_report,
    transaction_record,
)

from .conftest import at, make_project

d = dt.date
pytestmark = pytest.mark.django_db


def _offline(uri: str):
    raise AssertionError(f"the schema validation tried to fetch {uri}")


def errors(package: dict) -> list[str]:
    package_schema, project_schema = oc4ids.schemas()
    registry = jsonschema_rs.Registry([(project_schema["id"], project_schema)], retriever=_offline)
    validator = jsonschema_rs.Draft4Validator(package_schema, registry=registry, validate_formats=True)
    return [f"{list(e.instance_path)}: {e.message}" for e in validator.iter_errors(package)]


@pytest.fixture
def project(leader):
    project = make_project(OrgUnit.objects.get(code="SKHCN_01"), leader, code="DA-HN-01", description="Mô tả")
    package_save(
        project=project,
        code="GT01",
        by=leader,
        name="Xây dựng phần mềm",
        method="OPEN",
        stage="CONTRACT",
        estimated_value=900_000_000,
        contract_value=880_000_000,
        bidders=3,
        supplier="Công ty Cổ phần Phần mềm Hà Nội",
        tender_date=d(2026, 2, 10),
        at=at(d(2026, 3, 1)),
    )
    package_save(project=project, code="GT02", by=leader, name="Tư vấn", method="DIRECT", estimated_value=50_000_000)
    milestone_add(
        project=project, title="Nghiệm thu giai đoạn 1", type="delivery", due_date=d(2026, 6, 30), by=leader, weight=40
    )
    transaction_record(
        project=project, kind="DISBURSEMENT", date=d(2026, 3, 20), amount=300_000_000, by=leader, at=at(d(2026, 4, 1))
    )
    transaction_record(
        project=project, kind="COMMITMENT", date=d(2026, 3, 1), amount=880_000_000, by=leader, at=at(d(2026, 4, 1))
    )
    physical_progress_report(project=project, on=d(2026, 4, 30), percent=25, by=leader)
    return project


def test_a_project_package_is_valid_oc4ids(project, leader):
    make_project(OrgUnit.objects.get(code="P08"), leader, code="DA-TQ-01", type="SERVICE_HIRE", status="PIPELINE")
    package = oc4ids.project_package(
        projects_visible(leader), uri="https://giamsat.example/api/v1/x", today=d(2026, 5, 11)
    )
    assert errors(package) == []
    first = {p["id"]: p for p in package["projects"]}[f"{oc4ids.prefix()}-DA-HN-01"]
    assert first["status"] == "implementation" and first["budget"]["amount"] == {
        "amount": 1_200_000_000,
        "currency": "VND",
    }
    assert first["publicAuthority"]["name"] == project.owner_unit.name_vi
    (open_tender, direct) = first["contractingProcesses"]
    assert open_tender["summary"]["tender"]["procurementMethod"] == "open"
    assert open_tender["summary"]["tender"]["numberOfTenderers"] == 3
    assert open_tender["summary"]["contractValue"]["amount"] == 880_000_000
    assert direct["summary"]["tender"]["procurementMethod"] == "direct" and direct["summary"]["status"] == "pre-award"
    assert [t["value"]["amount"] for t in first["transactions"]] == [300_000_000]  # disbursements only
    assert first["milestones"][0]["type"] == "delivery"
    metrics = {m["id"]: m for m in first["metrics"]}
    assert metrics["financialProgress"]["observations"][0]["value"]["amount"] == 300_000_000
    assert metrics["physicalProgress"]["observations"][0]["measure"] == 25.0
    assert {"supplier"} in [set(p["roles"]) for p in first["parties"]]


def test_the_check_finds_invalid_data(project):
    package = oc4ids.project_package([project], uri="https://giamsat.example/x")
    package["projects"][0]["status"] = "bogus"
    del package["publisher"]
    assert len(errors(package)) == 2
