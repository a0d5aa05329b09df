"""A red flag raises an alert through the alerts service (its own rule kind) to the owner unit,
with the rule, its legal basis and the figures; the alert resolves when the flag clears."""

import datetime as dt

import pytest

from giamsat.alerts.defaults import alert_rules_defaults_load
from giamsat.alerts.models import Alert, AlertRule
from giamsat.alerts.services import rules_scan
from giamsat.projects.kinds import KIND_PREFIX, describe
from giamsat.projects.models import RedFlag
from giamsat.projects.services import flags_evaluate, package_save

from .conftest import make_project

d = dt.date
TODAY = d(2026, 12, 7)


@pytest.mark.django_db
def test_a_single_bidder_package_raises_an_alert_that_resolves_when_the_flag_clears(leader, hanoi, rules):
    from django.utils import translation

    alert_rules_defaults_load()
    project_rules = AlertRule.objects.filter(kind__startswith=KIND_PREFIX)
    assert project_rules.count() == 6
    project = make_project(hanoi, leader)
    package_save(
        project=project,
        code="G01",
        name="Mua sắm thiết bị",
        method="OPEN",
        stage="CONTRACT",
        estimated_value=500_000_000,
        contract_value=480_000_000,
        bidders=1,
        by=leader,
    )
    flags_evaluate(projects=[project], today=TODAY)
    flag = RedFlag.objects.get(project=project, code="SINGLE_BIDDER")
    assert flag.figures == {"package": "G01", "method": "OPEN", "bidders": 1}
    rules_scan(rules=project_rules, today=TODAY)
    alert = Alert.objects.get(kind="PROJECT_SINGLE_BIDDER", subject=f"flag:{flag.pk}")
    assert alert.state == "OPEN" and alert.org_unit == hanoi and alert.severity == "WARNING"
    assert "Luật Đấu thầu số 22/2023/QH15" in alert.evidence["legal_basis"]
    with translation.override("vi"):
        assert describe(alert) == (
            "Gói thầu chỉ có một nhà thầu tham dự — DA-2026-001 Nền tảng tích hợp, chia sẻ dữ liệu: "
            "Gói thầu G01 chỉ có 1 nhà thầu tham dự."
        )
    package_save(project=project, code="G01", bidders=3, by=leader)
    assert flags_evaluate(projects=[project], today=TODAY)["cleared"] == 1
    rules_scan(rules=project_rules, today=TODAY)
    alert.refresh_from_db()
    assert alert.state == "RESOLVED"
