"""A reviewer's queue says how complete each report is, as its own page does."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from giamsat.accounts.models import User
from giamsat.catalog.models import DataSet
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.models import DataValue, NoFigureMark, Report
from giamsat.reporting.selectors import report_fill, reports_fill
from giamsat.reporting.services import period_get

pytestmark = pytest.mark.django_db


def _report(code: str, period: str, filled: int, marked: int) -> Report:
    data_set = DataSet.objects.get(code="BC_TINH_MONTHLY")
    unit = OrgUnit.objects.get(code=code)
    stored = period_get(period)
    now = timezone.now()
    report = Report.objects.create(
        data_set=data_set,
        org_unit=unit,
        period=stored,
        status="SUBMITTED",
        deadline=stored.end_date + dt.timedelta(days=5),
        submitted_at=now,
        created_at=now,
        updated_at=now,
    )
    members = list(data_set.members.order_by("pk"))
    for member in members[:filled]:
        DataValue.objects.create(
            data_element_id=member.data_element_id,
            org_unit=unit,
            period=stored,
            value=Decimal(1),
            updated_at=now,
            channel="FORM",
        )
    for member in members[filled : filled + marked]:
        NoFigureMark.objects.create(report=report, data_element_id=member.data_element_id, reason="Không có", at=now)
    return report


def test_the_queue_shows_each_reports_fill_as_its_page_counts_it(client_leader, client):
    reports = [_report("P01", "202610", 27, 2), _report("P08", "202610", 6, 0), _report("P01", "202609", 29, 0)]
    many = reports_fill(reports)
    for report in reports:
        one = report_fill(report)
        assert (many[report.pk].filled, many[report.pk].marked, many[report.pk].total) == (
            one.filled,
            one.marked,
            one.total,
        )
        assert sorted(many[report.pk].missing) == sorted(e.pk for e in one.missing)
    assert (many[reports[0].pk].filled, many[reports[0].pk].marked) == (27, 2)
    client.force_login(User.objects.get(username="a.leader"))
    body = client.get("/reports/").content.decode()
    assert 'data-testid="queue-fill"' in body and "27/29" in body and "29/29" in body
    assert "6/29" not in body  # Tuyên Quang's report is not Hà Nội's leader's to review
