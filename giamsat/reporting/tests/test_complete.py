"""Issue 13, findings 5 and 6 replayed on the demo's units, catalogue and users.

5. A report is complete before it is approved: a required figure is filled or marked "no figure"
   with a reason; a late submission says why; the reviewer sees the fill rate and the big changes.
6. Values are written only where a data set covers the unit and period, and the figures of a
   submitted, approved or accepted report — its communes' included — are locked with it, through
   every channel (API, DHIS2 aliases, Excel, the set-based import)."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from giamsat.accounts.models import User
from giamsat.accounts.services import token_create
from giamsat.catalog.models import DataElement, DataSet
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting import bulk
from giamsat.reporting.choices import Channel, ReportAction, ReportStatus
from giamsat.reporting.models import DataValue, DataValueAudit, NoFigureMark, Report
from giamsat.reporting.readers import RawValue
from giamsat.reporting.services import (
    ReportStateError,
    ValueInput,
    data_values_write,
    period_get,
    report_accept,
    report_approve,
    report_no_figure_mark,
    report_open,
    report_submit,
)

from .conftest import LATE, mark_empty
from .test_excel import Sheet, template, upload

pytestmark = pytest.mark.django_db

MONTHLY = "BC_TINH_MONTHLY"
COMMUNE = "X00073"  # a commune of Hà Nội


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def api_for(username: str) -> Client:
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = (
        f"ApiToken {token_create(user=User.objects.get(username=username), name='t')[1]}"
    )
    return client


def write(username: str, period: str, figures: dict[str, object], unit: str = "P01"):
    result = data_values_write(
        inputs=[
            ValueInput(
                data_element=DataElement.objects.get(code=code),
                org_unit=OrgUnit.objects.get(code=unit),
                period=period_get(period),
                value=value,
            )
            for code, value in figures.items()
        ],
        by=User.objects.get(username=username),
        channel=Channel.FORM,
    )
    assert result.ok, result.problems
    return result


def hanoi_report(period: str) -> Report:
    return report_open(
        data_set=DataSet.objects.get(code=MONTHLY),
        org_unit=OrgUnit.objects.get(code="P01"),
        period=period_get(period),
        by=User.objects.get(username="hanoi.baocao"),
    )


def messages_of(response) -> list[str]:
    """The messages the request added (those of earlier requests not yet shown are left out)."""
    storage = get_messages(response.wsgi_request)
    return [str(m) for m in storage._queued_messages]


def set_deadline(report: Report, days_from_today: int) -> None:
    Report.objects.filter(pk=report.pk).update(deadline=timezone.localdate() + dt.timedelta(days=days_from_today))
    report.refresh_from_db()


# --- finding 5: complete before approved ------------------------------------------------


def test_a_report_with_6_of_29_figures_cannot_be_submitted_until_complete(users):
    members = list(
        DataSet.objects.get(code=MONTHLY)
        .members.select_related("data_element")
        .order_by("section__sort_order", "sort_order")
    )
    assert len(members) == 29 and all(m.compulsory for m in members)  # every provincial figure is required
    codes = [m.data_element.code for m in members]
    write("hanoi.baocao", "202610", {"DOSSIERS_TOTAL": 1000, "DOSSIERS_ONLINE": 900})  # last period
    report = hanoi_report("202611")
    set_deadline(report, 10)  # on time for now
    six = {"DOSSIERS_TOTAL": 5_000_000, "DOSSIERS_ONLINE": 2}  # −99.8 % and +499,900 % against October
    six |= dict.fromkeys([c for c in codes if c not in six][:4], 0)  # zeros keep every rule
    write("hanoi.baocao", "202611", six)

    reporter = client_for("hanoi.baocao")
    response = reporter.post(f"/reports/{report.pk}/submit/", {"comment": "Gửi"})
    assert response.status_code == 302
    (message,) = messages_of(response)
    assert message.startswith("Chưa thể gửi báo cáo: còn 23 chỉ tiêu bắt buộc chưa nhập:")
    missing = [m.data_element for m in members if m.data_element.code not in six]
    assert all(element.name_vi in message for element in missing)
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT

    # The rest: 21 filled, 2 marked "no figure" (a mark needs a reason).
    no_figure = [e.code for e in missing[:2]]
    write("hanoi.baocao", "202611", {e.code: 0 for e in missing[2:]})
    refused = reporter.post(f"/reports/{report.pk}/values/{no_figure[0]}/no-figure/", {"reason": "  "})
    assert messages_of(refused) == ["Hãy nêu lý do không có số liệu để người duyệt được biết."]
    for code in no_figure:
        reporter.post(f"/reports/{report.pk}/values/{code}/no-figure/", {"reason": "Sở chưa thống kê chỉ tiêu này"})
    mark = NoFigureMark.objects.get(report=report, data_element__code=no_figure[0])
    assert (mark.reason, mark.by.username) == ("Sở chưa thống kê chỉ tiêu này", "hanoi.baocao") and mark.at
    # A figure with a value cannot be marked.
    with pytest.raises(ReportStateError):
        report_no_figure_mark(
            report=report,
            data_element=DataElement.objects.get(code="DOSSIERS_TOTAL"),
            reason="x",
            by=users["hanoi.baocao"],
        )

    reporter.post(f"/reports/{report.pk}/submit/", {"comment": "Gửi"})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    submit = report.events.get(action=ReportAction.SUBMIT)
    assert submit.late_reason == ""  # on time: no reason asked

    # The reviewer (the province's leader, then the ministry) sees the fill rate and the big changes.
    for reviewer in ("hanoi.lanhdao", "lanhdao.bo"):
        html = client_for(reviewer).get(f"/reports/{report.pk}/").content.decode()
        assert "27/29 chỉ tiêu đã nhập, 2 đánh dấu không có số liệu" in html
        assert (
            "<strong>Tổng số hồ sơ thủ tục hành chính đã tiếp nhận</strong>: 5.000.000 (kỳ trước 1.000, +499.900 %)"
            in html
        )
        assert "(kỳ trước 900, -99,8 %)" in html
        assert "Sở chưa thống kê chỉ tiêu này" in html  # the marks and their reasons
    assert 'data-testid="approve-report"' in client_for("hanoi.lanhdao").get(f"/reports/{report.pk}/").content.decode()


def test_a_late_submission_needs_a_reason_that_the_history_keeps(users):
    report = mark_empty(hanoi_report("202611"), users["hanoi.baocao"])
    set_deadline(report, -2)
    reporter = client_for("hanoi.baocao")
    page = reporter.get(f"/reports/{report.pk}/").content.decode()
    assert 'data-testid="late-reason"' in page and "Lý do nộp muộn (bắt buộc: hạn nộp là" in page

    response = reporter.post(f"/reports/{report.pk}/submit/", {"comment": "Gửi", "late_reason": " "})
    deadline = report.deadline.strftime("%d/%m/%Y")
    assert messages_of(response) == [f"Hạn nộp là {deadline}: hãy nêu lý do nộp muộn."]
    assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT

    reason = "Chờ số liệu của Cục Thống kê thành phố"
    reporter.post(f"/reports/{report.pk}/submit/", {"comment": "Gửi", "late_reason": reason})
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.is_on_time is False
    assert report.events.get(action=ReportAction.SUBMIT).late_reason == reason
    history = client_for("hanoi.lanhdao").get(f"/reports/{report.pk}/").content.decode()
    assert f"Lý do nộp muộn: “{reason}”" in history
    assert "Đánh dấu “không có số liệu”" in history  # the marks are in the history too


def test_an_on_time_submission_asks_no_reason(users):
    report = mark_empty(hanoi_report("202611"), users["hanoi.baocao"])
    set_deadline(report, 0)  # the deadline is today: still on time
    assert 'data-testid="late-reason"' not in client_for("hanoi.baocao").get(f"/reports/{report.pk}/").content.decode()
    report_submit(report=report, by=users["hanoi.baocao"])
    assert Report.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


# --- finding 6: figures under a submitted report are locked, and written only where covered --


def reviewed(period: str, status: str, users) -> Report:
    """Hà Nội's report for the period taken through the real workflow to `status`."""
    report = mark_empty(hanoi_report(period), users["hanoi.baocao"])
    write("hanoi.baocao", period, {"DOSSIERS_TOTAL": 1000, "DOSSIERS_ONLINE": 950}, unit=COMMUNE)
    report_submit(report=report, by=users["hanoi.baocao"], late_reason=LATE)
    report_approve(report=report, by=users["hanoi.lanhdao"])
    if status == ReportStatus.ACCEPTED:
        report_accept(report=report, by=users["lanhdao.bo"])
    report.refresh_from_db()
    assert report.status == status
    return report


def snapshot():
    return (
        sorted(
            DataValue.objects.filter(org_unit__code=COMMUNE).values_list("data_element__code", "period__code", "value")
        ),
        DataValueAudit.objects.filter(org_unit__code=COMMUNE).count(),
    )


@pytest.mark.parametrize(
    "period, status, status_vi",
    [("202610", ReportStatus.ACCEPTED, "Bộ đã tiếp nhận"), ("202609", ReportStatus.APPROVED, "Đã phê duyệt")],
)
def test_commune_figures_under_a_reviewed_report_are_locked_on_every_channel(users, period, status, status_vi):
    reviewed(period, status, users)
    before = snapshot()
    month = period_get(period).label
    expected = (
        f"Số liệu này thuộc báo cáo “Báo cáo tháng của Sở Khoa học và Công nghệ” của Thành phố Hà Nội, {month}, "
        f"đang ở trạng thái “{status_vi}”: số liệu bị khóa cho đến khi báo cáo được trả lại."
    )
    values = [
        {"dataElement": "DOSSIERS_ONLINE", "period": period, "orgUnit": COMMUNE, "value": "0"},
        {"dataElement": "DOSSIERS_TOTAL", "period": period, "orgUnit": COMMUNE, "value": "5000000"},
    ]
    api = api_for("hanoi.baocao")
    for url in ("/api/v1/dataValueSets", "/api/dataValueSets"):
        response = api.post(url, {"dataValues": values}, content_type="application/json")
        body = response.json()
        assert response.status_code == 409, body
        conflicts = body["response"]["conflicts"]
        assert [c["value"] for c in conflicts] == [expected, expected]
        assert body["response"]["importCount"]["imported"] == 0
        assert snapshot() == before
    single = api.post("/api/dataValues", values[1], content_type="application/json")
    assert single.status_code == 409 and single.json()["message"] == expected
    # Sent again unchanged (re-importing an export) is no change, so it is not refused.
    same = {"dataElement": "DOSSIERS_TOTAL", "period": period, "orgUnit": COMMUNE, "value": "1000"}
    assert api.post("/api/v1/dataValueSets", {"dataValues": [same]}, content_type="application/json").status_code == 200
    # The set-based import (a large file, a background import) refuses alike.
    summary = bulk.data_values_write_bulk(
        rows=[RawValue(i, v["dataElement"], v["period"], v["orgUnit"], v["value"]) for i, v in enumerate(values, 1)],
        by=users["hanoi.baocao"],
        channel=Channel.IMPORT,
    )
    assert [c.reason for c in summary.conflicts] == [expected, expected] and summary.imported == 0
    assert snapshot() == before
    # And an Excel workbook: Hà Nội's template with a row moved to the commune.
    client = client_for("hanoi.baocao")
    sheet: Sheet = template(client, period)
    sheet.ws.cell(sheet.rows[("DOSSIERS_TOTAL", "P01")], 2).value = COMMUNE
    sheet.cell("DOSSIERS_TOTAL", period).value = 5_000_000
    result = upload(client, sheet.content(), valid_only=True).context["result"]
    assert [p.reason for p in result.problems] == [expected] and result.imported == 0
    assert snapshot() == before


def test_a_draft_covers_its_communes_and_an_uncovered_unit_is_refused_everywhere(users):
    report = hanoi_report("202610")
    assert report.status == ReportStatus.DRAFT
    # A draft: the commune's figures may be entered as part of Hà Nội's report.
    write("hanoi.baocao", "202610", {"DOSSIERS_TOTAL": 1200}, unit=COMMUNE)

    # Without a data set covering the sub-units, the commune has no data set: refused everywhere.
    DataSet.objects.filter(code=MONTHLY).update(covers_sub_units=False)
    before = snapshot()
    expected = (
        "Không có biểu mẫu báo cáo nào được giao cho đơn vị này (hoặc cho đơn vị cấp trên có báo cáo bao gồm đơn vị "
        "cấp dưới) chứa chỉ tiêu này cho kỳ 202610."
    )
    value = {"dataElement": "DOSSIERS_TOTAL", "period": "202610", "orgUnit": COMMUNE, "value": "5000000"}
    api = api_for("hanoi.baocao")
    for url in ("/api/v1/dataValueSets", "/api/dataValueSets"):
        response = api.post(url, {"dataValues": [value]}, content_type="application/json")
        assert [c["value"] for c in response.json()["response"]["conflicts"]] == [expected]
    assert api.post("/api/dataValues", value, content_type="application/json").json()["message"] == expected
    summary = bulk.data_values_write_bulk(
        rows=[RawValue(1, "DOSSIERS_TOTAL", "202610", COMMUNE, "5000000")], by=users["hanoi.baocao"], channel="IMPORT"
    )
    assert [c.reason for c in summary.conflicts] == [expected]
    client = client_for("hanoi.baocao")
    sheet = template(client, "202610")
    sheet.ws.cell(sheet.rows[("DOSSIERS_TOTAL", "P01")], 2).value = COMMUNE
    sheet.cell("DOSSIERS_TOTAL", "202610").value = 5_000_000
    assert [p.reason for p in upload(client, sheet.content(), valid_only=True).context["result"].problems] == [expected]
    assert snapshot() == before

    # A ministry IT unit reports its own data set: a province-only figure is not in it.
    refused = api_for("taichinh.cntt").post(
        "/api/v1/dataValueSets",
        {
            "dataValues": [
                {"dataElement": "MOBILE_DEAD_ZONES", "period": "202610", "orgUnit": "CNTT.BO_TAICHINH", "value": "3"}
            ]
        },
        content_type="application/json",
    )
    assert "Không có biểu mẫu báo cáo nào" in refused.json()["response"]["conflicts"][0]["value"]
    # The country has no data set at all, even for an administrator.
    result = data_values_write(
        inputs=[
            ValueInput(
                data_element=DataElement.objects.get(code="DOSSIERS_TOTAL"),
                org_unit=OrgUnit.objects.get(code="VN"),
                period=period_get("202610"),
                value=1,
            )
        ],
        by=users["admin"],
        channel=Channel.FORM,
    )
    assert [p.reason for p in result.problems] == [expected]


def test_the_catalogue_marks_provincial_reports():
    """The provincial data sets cover sub-units and require every figure (the catalogue load)."""
    for data_set in DataSet.objects.filter(code__startswith="BC_TINH_"):
        assert data_set.covers_sub_units
        assert not data_set.members.filter(compulsory=False).exists()
    for data_set in DataSet.objects.filter(code__startswith="BC_BONGANH_"):
        assert not data_set.covers_sub_units


def test_json_body_of_api_single_value(users):
    """The DHIS2 single-value alias takes its fields from the JSON body (used above)."""
    api = api_for("hanoi.baocao")
    body = json.dumps({"dataElement": "DOSSIERS_TOTAL", "period": "202510", "orgUnit": COMMUNE, "value": "7"})
    assert api.post("/api/dataValues", body, content_type="application/json").status_code == 201


@pytest.mark.parametrize(
    "value, previous, threshold, expected",
    [
        (5_000_000, 1000, 50, Decimal(499_900)),
        (2, 900, 50, Decimal("-99.77777777777777777777777778")),
        (1400, 1000, 50, False),  # +40 %: within the threshold
        (1600, 1000, 50, Decimal(60)),
        (1600, 1000, None, False),  # no threshold: never pointed out
        (5, 0, 50, True),  # from zero
        (0, 0, 50, False),
        (None, 1000, 50, False),  # no figure: nothing to compare
        (5, None, 50, False),
    ],
)
def test_change_beyond_the_threshold(value, previous, threshold, expected):
    from giamsat.reporting.selectors import change_beyond

    as_decimal = [None if v is None else Decimal(v) for v in (value, previous, threshold)]
    assert change_beyond(*as_decimal) == expected
