"""Report steps tell the people concerned, through the domain events, once."""

import pytest

from giamsat.catalog.models import DataSet
from giamsat.events.services import events_dispatch
from giamsat.notifications.models import Notification
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.services import (
    period_get,
    report_accept,
    report_approve,
    report_no_figure_mark,
    report_open,
    report_return,
    report_submit,
)

pytestmark = pytest.mark.django_db

SUBSCRIBER = "notifications.report_steps"


def _told(user, kind):
    return list(Notification.objects.filter(user=user, kind=kind).order_by("pk"))


def test_report_steps(people, fake_channel):
    reporter, leader, analyst = people["a.reporter"], people["a.leader"], people["a.analyst"]
    report = report_open(
        data_set=DataSet.objects.get(code="BC_TINH_MONTHLY"),
        org_unit=OrgUnit.objects.get(code="P01"),
        period=period_get("202510"),
        by=reporter,
    )
    link = f"/reports/{report.pk}/"
    # Complete before submitted (issue 13): this test has no figures, so each is marked "no figure".
    for member in report.data_set.members.select_related("data_element"):
        report_no_figure_mark(report=report, data_element=member.data_element, reason="Chưa có số liệu", by=reporter)

    report_submit(report=report, by=reporter, late_reason="Thử nghiệm")
    events_dispatch(only=[SUBSCRIBER])
    (submitted,) = _told(leader, "REPORT_SUBMITTED")
    assert submitted.link == link and submitted.unit.code == "P01" and "Hà Nội" in submitted.title
    assert not Notification.objects.filter(user=reporter).exists()  # not told of their own step
    assert not _told(people["b.leader"], "REPORT_SUBMITTED")  # another province's leader

    report_return(report=report, by=leader, reason="Thiếu số hồ sơ trực tuyến")
    events_dispatch(only=[SUBSCRIBER])
    (returned,) = _told(reporter, "REPORT_RETURNED")
    assert "Thiếu số hồ sơ trực tuyến" in returned.body and returned.link == link
    assert not _told(people["b.reporter"], "REPORT_RETURNED")

    report_submit(report=report, by=reporter, late_reason="Thử nghiệm")
    report_approve(report=report, by=leader)
    events_dispatch(only=[SUBSCRIBER])
    assert len(_told(leader, "REPORT_SUBMITTED")) == 2  # the second submission is news again
    assert len(_told(reporter, "REPORT_APPROVED")) == 1
    assert len(_told(analyst, "REPORT_TO_ACCEPT")) == 1  # the ministry's reviewer who sees Hà Nội

    report_accept(report=report, by=people["phantich.vienthong"])
    events_dispatch(only=[SUBSCRIBER])
    assert len(_told(reporter, "REPORT_ACCEPTED")) == 1

    # A second delivery of every event tells nobody again.
    count = Notification.objects.count()
    from giamsat.events.choices import DeliveryStatus
    from giamsat.events.models import EventDelivery

    EventDelivery.objects.filter(subscriber=SUBSCRIBER).update(status=DeliveryStatus.PENDING)
    events_dispatch(only=[SUBSCRIBER])
    assert Notification.objects.count() == count
