"""Issue 15, the demo's morning: provinces late with last month's report send it through the
real write path, each with one figure typed ten times too high; the events resolve their late
alert without anyone touching it and raise an unusual-value alert, which a ministry leader's
alert list shows beside the late reports."""

import datetime as dt
import re

import pytest
from django.test import Client

from giamsat.accounts.models import User
from giamsat.alerts.choices import AlertState
from giamsat.alerts.defaults import alert_rules_defaults_load
from giamsat.alerts.demo import LATE_REASON, TYPOS, demo_late_reports_submit
from giamsat.alerts.models import Alert
from giamsat.alerts.services import rules_scan
from giamsat.catalog.models import DataSet
from giamsat.core.periods import Period as PeriodValue
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.choices import ReportStatus
from giamsat.reporting.models import Report

from .conftest import put_report, put_values

pytestmark = pytest.mark.django_db

# The demo's morning, fixed: last month is September 2026, its deadline long past.
MORNING = dt.date(2026, 10, 20)
MONTH = "202609"


def _history(unit: OrgUnit, months: int = 12) -> None:
    """A unit's figures of the monthly report for a year before MONTH, all equal but the tasks
    assigned (so that every validation rule holds), and its draft report for MONTH with nothing
    entered."""
    data_set = DataSet.objects.get(code="BC_TINH_MONTHLY")
    period = PeriodValue.parse(MONTH)
    codes = []
    for _i in range(months):
        period = period.previous()
        codes.append(period.code)
    for member in data_set.members.select_related("data_element"):
        code = member.data_element.code
        put_values(code, unit, dict.fromkeys(codes, 300 if code == "DX_TASKS_ASSIGNED" else 100))
    put_report("BC_TINH_MONTHLY", unit, MONTH, ReportStatus.DRAFT)


def test_late_reports_sent_with_a_typo_resolve_their_late_alert_and_raise_an_unusual_value_alert(monkeypatch):
    # The scans the events start judge deadlines against today: the demo's morning.
    monkeypatch.setattr("giamsat.alerts.services.timezone.localdate", lambda *args, **kwargs: MORNING)
    units = [OrgUnit.objects.get(code=code) for code in ("P01", "P08")]
    for unit in units:
        _history(unit)
    alert_rules_defaults_load()
    rules_scan(today=MORNING)
    for unit in units:
        assert Alert.objects.get(kind="REPORT_LATE", org_unit=unit, period__code=MONTH).state == AlertState.OPEN

    assert demo_late_reports_submit(on=MORNING) == {"submitted": len(TYPOS)}
    for unit, element in zip(units, TYPOS, strict=True):
        report = Report.objects.get(data_set__code="BC_TINH_MONTHLY", org_unit=unit, period__code=MONTH)
        assert report.status == ReportStatus.SUBMITTED
        assert report.events.filter(late_reason=LATE_REASON).exists()
        late = Alert.objects.get(kind="REPORT_LATE", org_unit=unit, period__code=MONTH)
        assert late.state == AlertState.RESOLVED and late.resolved_by is None  # nobody touched it
        unusual = Alert.objects.get(kind="OUTLIER", org_unit=unit, period__code=MONTH)
        assert unusual.state == AlertState.OPEN and unusual.evidence["element"] == element
        assert unusual.evidence["value"] == 1000  # ten times the usual 100
    assert demo_late_reports_submit(on=MORNING) == {"submitted": 0}  # once

    client = Client()
    client.force_login(User.objects.get(username="ministry.leader"))
    for kind, state, shown in (("OUTLIER", "ACTIVE", 2), ("REPORT_LATE", "RESOLVED", 2)):
        page = client.get("/alerts/", {"kind": kind, "state": state}).content.decode()
        assert re.findall(r'data-kind="([A-Z_]+)"', page) == [kind] * shown


def test_without_a_history_no_demo_report_is_sent(monkeypatch):
    monkeypatch.setattr("giamsat.alerts.services.timezone.localdate", lambda *args, **kwargs: MORNING)
    put_report("BC_TINH_MONTHLY", OrgUnit.objects.get(code="P01"), MONTH, ReportStatus.DRAFT)
    assert demo_late_reports_submit(on=MORNING) == {"submitted": 0}
