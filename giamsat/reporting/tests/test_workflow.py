"""The report workflow: draft → submitted → approved → accepted, returns with a reason, locks."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from giamsat.catalog.models import DataSet
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting import selectors
from giamsat.reporting.choices import Channel, ReportAction, ReportStatus
from giamsat.reporting.models import Report
from giamsat.reporting.services import (
    ReportStateError,
    data_values_write,
    period_get,
    report_accept,
    report_approve,
    report_open,
    report_return,
    report_submit,
)

from .conftest import LATE, mark_empty

pytestmark = pytest.mark.django_db


def test_full_path_is_recorded(report_a, users):
    report_submit(late_reason=LATE, report=report_a, by=users["a.reporter"], comment="Gửi đúng hạn")
    report_approve(report=report_a, by=users["a.leader"])
    report_accept(report=report_a, by=users["phantich.vienthong"])
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.ACCEPTED
    history = list(selectors.report_history(report_a))
    marks = [e for e in history if e.action == ReportAction.MARK]  # its empty figures, marked "no figure"
    assert len(marks) == report_a.data_set.members.count() and all(e.to_status == ReportStatus.DRAFT for e in marks)
    events = [e for e in history if e.action != ReportAction.MARK]
    assert [e.action for e in events] == [
        ReportAction.CREATE,
        ReportAction.SUBMIT,
        ReportAction.APPROVE,
        ReportAction.ACCEPT,
    ]
    assert [e.by.username for e in events] == ["a.reporter", "a.reporter", "a.leader", "phantich.vienthong"]
    assert events[1].comment == "Gửi đúng hạn" and events[1].late_reason == LATE
    assert (events[2].from_status, events[2].to_status) == (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


def test_return_needs_a_reason_and_reopens_values(report_a, users, value_input):
    report_submit(late_reason=LATE, report=report_a, by=users["a.reporter"])
    locked = data_values_write(
        inputs=[value_input("DOSSIERS_TOTAL", "10")], by=users["a.reporter"], channel=Channel.FORM
    )
    assert not locked.ok
    with pytest.raises(ReportStateError):
        report_return(report=report_a, by=users["a.leader"], reason="  ")
    report_return(report=report_a, by=users["a.leader"], reason="Thiếu số hồ sơ trực tuyến")
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.RETURNED
    assert data_values_write(
        inputs=[value_input("DOSSIERS_TOTAL", "10")], by=users["a.reporter"], channel=Channel.FORM
    ).ok
    report_submit(late_reason=LATE, report=report_a, by=users["a.reporter"])
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.SUBMITTED
    assert report_a.events.filter(action=ReportAction.RETURN, comment="Thiếu số hồ sơ trực tuyến").exists()


def test_roles_and_scopes_are_enforced(report_a, users):
    with pytest.raises(PermissionDenied):
        report_submit(late_reason=LATE, report=report_a, by=users["b.reporter"])
    report_submit(late_reason=LATE, report=report_a, by=users["a.reporter"])
    for user in ["a.reporter", "b.leader"]:
        with pytest.raises(PermissionDenied):
            report_approve(report=report_a, by=users[user])
    with pytest.raises(ReportStateError):
        report_accept(report=report_a, by=users["phantich.vienthong"])  # not approved yet
    with pytest.raises(PermissionDenied):
        report_return(report=report_a, by=users["b.leader"], reason="x")


def test_error_rule_blocks_submission_and_warning_does_not(quarterly, hanoi, users, value_input):
    report = report_open(data_set=quarterly, org_unit=hanoi, period=period_get("2025Q3"), by=users["a.reporter"])
    data_values_write(
        inputs=[value_input("HH_TOTAL", "1000", "2025Q3"), value_input("HH_FIBER", "1200", "2025Q3")],
        by=users["a.reporter"],
        channel=Channel.FORM,
    )
    with pytest.raises(ReportStateError) as error:
        report_submit(late_reason=LATE, report=report, by=users["a.reporter"])
    assert "cáp quang" in str(error.value)
    data_values_write(
        inputs=[
            value_input("HH_FIBER", "900", "2025Q3"),
            value_input("POP_MBB_COVERED", "1000", "2025Q3"),
            value_input("POP_5G_COVERED", "1100", "2025Q3"),  # a warning only
        ],
        by=users["a.reporter"],
        channel=Channel.FORM,
    )
    mark_empty(report, users["a.reporter"])
    report_submit(late_reason=LATE, report=report, by=users["a.reporter"])


def test_rules_use_a_coarser_period_figure(quarterly, hanoi, users, value_input):
    """ADULTS_SMARTPHONE (quarterly) is checked against POP_ADULT of the year (yearly)."""
    data_values_write(inputs=[value_input("POP_ADULT", "5000", "2025")], by=users["a.reporter"], channel=Channel.FORM)
    report = report_open(data_set=quarterly, org_unit=hanoi, period=period_get("2025Q3"), by=users["a.reporter"])
    data_values_write(
        inputs=[value_input("ADULTS_SMARTPHONE", "6000", "2025Q3")], by=users["a.reporter"], channel=Channel.FORM
    )
    with pytest.raises(ReportStateError):
        report_submit(late_reason=LATE, report=report, by=users["a.reporter"])


def test_the_submitter_may_not_approve(report_a, users):
    """A leader (who may also enter data) cannot approve a report they submitted themselves."""
    report_submit(late_reason=LATE, report=report_a, by=users["a.leader"])
    with pytest.raises(ReportStateError) as error:
        report_approve(report=report_a, by=users["a.leader"])
    assert str(error.value) == "Bạn là người gửi báo cáo này nên một lãnh đạo khác phải phê duyệt."
    report_approve(report=report_a, by=users["hanoi.lanhdao"])
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.APPROVED


def test_the_submitter_may_not_give_the_second_approval_either(report_a, users):
    DataSet.objects.filter(pk=report_a.data_set_id).update(approval_levels=2)
    report_a.refresh_from_db()
    report_submit(late_reason=LATE, report=report_a, by=users["hanoi.lanhdao"])
    report_approve(report=report_a, by=users["a.leader"])
    with pytest.raises(ReportStateError):
        report_approve(report=report_a, by=users["hanoi.lanhdao"])


def test_the_submitter_may_approve_when_the_rule_is_off(report_a, users, settings):
    settings.REPORT_APPROVER_NOT_SUBMITTER = False
    report_submit(late_reason=LATE, report=report_a, by=users["a.leader"])
    report_approve(report=report_a, by=users["a.leader"])
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.APPROVED


def test_two_levels_need_two_leaders(report_a, users):
    DataSet.objects.filter(pk=report_a.data_set_id).update(approval_levels=2)
    report_a.refresh_from_db()
    report_submit(late_reason=LATE, report=report_a, by=users["a.reporter"])
    report_approve(report=report_a, by=users["a.leader"])
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.APPROVED_1
    with pytest.raises(ReportStateError):
        report_approve(report=report_a, by=users["a.leader"])
    report_approve(report=report_a, by=users["hanoi.lanhdao"])
    report_a.refresh_from_db()
    assert report_a.status == ReportStatus.APPROVED


def test_no_approval_level_goes_straight_to_the_ministry(users):
    it_unit = OrgUnit.objects.get(code="CNTT.BO_TAICHINH")
    data_set = DataSet.objects.get(code="BC_BONGANH_MONTHLY")
    report = report_open(data_set=data_set, org_unit=it_unit, period=period_get("202510"), by=users["it.reporter"])
    report_submit(late_reason=LATE, report=report, by=users["it.reporter"])
    report_accept(report=report, by=users["lanhdao.bo"])
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED


def test_open_refuses_unassigned_units_and_wrong_periods(monthly, users):
    with pytest.raises(ReportStateError):
        report_open(
            data_set=monthly,
            org_unit=OrgUnit.objects.get(code="P01"),
            period=period_get("2025Q3"),
            by=users["a.reporter"],
        )
    with pytest.raises(ReportStateError):  # Hà Nội of today did not exist in 2024
        report_open(
            data_set=monthly,
            org_unit=OrgUnit.objects.get(code="P01"),
            period=period_get("202406"),
            by=users["a.reporter"],
        )


def test_timeliness(report_a, users):
    report_submit(late_reason=LATE, report=report_a, by=users["a.reporter"])
    report_a.refresh_from_db()
    assert report_a.deadline == dt.date(2025, 11, 5)
    assert report_a.is_on_time is False  # submitted today, long after 05/11/2025
    Report.objects.filter(pk=report_a.pk).update(submitted_at=timezone.make_aware(dt.datetime(2025, 11, 5, 23, 0)))
    report_a.refresh_from_db()
    assert report_a.is_on_time is True


def test_completeness_counts(monthly, report_a, users, value_input):
    data_values_write(inputs=[value_input("DOSSIERS_TOTAL", "10")], by=users["a.reporter"], channel=Channel.FORM)
    report_submit(late_reason=LATE, report=report_a, by=users["a.reporter"])
    from giamsat.core.periods import Period

    row = selectors.completeness(monthly, Period.parse("202510"), users["lanhdao.bo"])
    assert (row.expected, row.received, row.values_filled) == (34, 1, 1)
    assert row.values_expected == 34 * monthly.members.count()
    row_a = selectors.completeness(monthly, Period.parse("202510"), users["a.reporter"])
    assert (row_a.expected, row_a.received) == (1, 1)


def test_reporter_lists(users):
    lists = selectors.reporter_lists(users["a.reporter"], on=dt.date(2025, 11, 3))
    due = {(e.data_set.code, e.period.code) for e in lists.due_soon}
    overdue = {(e.data_set.code, e.period.code) for e in lists.overdue}
    assert ("BC_TINH_MONTHLY", "202510") in due
    assert ("BC_TINH_MONTHLY", "202508") in overdue
    assert ("BC_TINH_QUARTERLY", "2025Q3") in overdue  # deadline 10/10/2025
    assert all(e.org_unit.code == "P01" for e in lists.due_soon + lists.overdue)


def test_every_step_and_every_change_of_figures_is_a_domain_event(report_a, users, value_input):
    """What warnings and notifications hook onto: each workflow step and each write of figures
    leaves an outbox event with its unit, period, report and who."""
    from giamsat.events.choices import EventKind
    from giamsat.events.models import Event

    start = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    report_submit(late_reason=LATE, report=report_a, by=users["a.reporter"])
    report_return(report=report_a, by=users["a.leader"], reason="Thiếu số liệu")
    result = data_values_write(
        inputs=[value_input("DOSSIERS_TOTAL", "12")], by=users["a.reporter"], channel=Channel.FORM
    )
    assert result.ok, result.problems
    report_submit(late_reason=LATE, report=report_a, by=users["a.reporter"])
    report_approve(report=report_a, by=users["a.leader"])
    report_accept(report=report_a, by=users["phantich.vienthong"])
    events = list(Event.objects.filter(pk__gt=start).order_by("pk"))
    assert [e.kind for e in events] == [
        EventKind.REPORT_SUBMITTED,
        EventKind.REPORT_RETURNED,
        EventKind.VALUES_CHANGED,
        EventKind.REPORT_SUBMITTED,
        EventKind.REPORT_APPROVED,
        EventKind.REPORT_ACCEPTED,
    ]
    steps = [e for e in events if e.kind != EventKind.VALUES_CHANGED]
    assert {(e.unit_id, e.period_id, e.subject_type, e.subject_id) for e in steps} == {
        (report_a.org_unit_id, report_a.period_id, "reporting.report", str(report_a.pk))
    }
    assert steps[1].payload["comment"] == "Thiếu số liệu" and steps[1].by_id == users["a.leader"].pk
    figures = events[2]
    assert figures.payload["pairs"] == [[report_a.org_unit_id, report_a.period_id]]
    assert figures.payload["channel"] == Channel.FORM and figures.by_id == users["a.reporter"].pk
    assert figures.deliveries.filter(subscriber="evaluation.results", status="PENDING").exists()
