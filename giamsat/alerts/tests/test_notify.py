"""Alerts reach people through the notification service: the unit's people when one opens,
the leaders above when nobody acknowledges it in time; silences and acknowledgement stop them."""

import datetime as dt

import pytest
from django.utils import timezone

from giamsat.accounts.models import User
from giamsat.alerts.handlers import alerts_escalation_notify, alerts_notify
from giamsat.alerts.models import Alert
from giamsat.alerts.services import alert_acknowledge, alerts_escalate, rules_scan, silence_create
from giamsat.events.models import Event
from giamsat.notifications.models import Notification

pytestmark = pytest.mark.django_db
DEADLINE = dt.date(2026, 12, 4)  # November's report is due on Friday 4/12 (see late_rule: 5 days)
OPENED = dt.date(2026, 12, 7)  # a Monday


@pytest.fixture
def opened(late_rule):
    late_rule.escalate_after_days = 3
    late_rule.save()
    rules_scan(rules=[late_rule], today=OPENED)
    alerts = Alert.objects.filter(rule=late_rule, period__code="202611")
    moment = timezone.make_aware(dt.datetime.combine(OPENED, dt.time(9)))
    alerts.update(opened_at=moment)
    return alerts


def test_an_opened_alert_notifies_the_units_people_once(opened):
    events = list(Event.objects.filter(kind="ALERT_OPENED"))
    alerts_notify(events)
    alerts_notify(events)  # delivered again: nothing new
    mine = Notification.objects.filter(user__username="a.reporter", kind="ALERT_OPENED")
    assert mine.count() == 1
    assert "chưa được gửi" in mine.get().title and mine.get().link.startswith("/alerts/")
    theirs = Notification.objects.filter(user__username="b.reporter", kind="ALERT_OPENED")
    assert [n.link for n in theirs] == [f"/alerts/{opened.get(org_unit__code='P08').pk}/"]


def test_a_silenced_alert_notifies_nobody(opened):
    hanoi = opened.get(org_unit__code="P01").org_unit
    now = timezone.now()
    silence_create(
        by=User.objects.get(username="a.leader"),
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(days=1),
        reason="Mất điện",
        org_unit=hanoi,
    )
    alerts_notify(list(Event.objects.filter(kind="ALERT_OPENED")))
    assert not Notification.objects.filter(user__username="a.reporter", kind="ALERT_OPENED").exists()
    assert Notification.objects.filter(user__username="b.reporter", kind="ALERT_OPENED").exists()


def test_unacknowledged_alerts_go_up_after_three_working_days(opened):
    assert alerts_escalate(today=dt.date(2026, 12, 9)) == 0  # two working days
    assert alerts_escalate(today=dt.date(2026, 12, 10)) == 34  # three
    assert alerts_escalate(today=dt.date(2026, 12, 10)) == 0  # once per step
    hanoi = opened.get(org_unit__code="P01")
    assert hanoi.escalation_level == 1
    assert hanoi.history.filter(action="ESCALATED").count() == 1
    alerts_escalation_notify(list(Event.objects.filter(kind="ALERT_ESCALATED", unit_id=hanoi.org_unit_id)))
    # Hà Nội's unit above is the nation: the ministry's leader hears of it.
    assert Notification.objects.filter(user__username="ministry.leader", kind="ALERT_ESCALATED").exists()


def test_acknowledging_an_alert_stops_its_escalation(opened):
    hanoi = opened.get(org_unit__code="P01")
    alert_acknowledge(alert=hanoi, by=User.objects.get(username="a.reporter"))
    assert alerts_escalate(today=dt.date(2026, 12, 15)) == 33
    hanoi.refresh_from_db()
    assert hanoi.escalation_level == 0


def test_weekends_and_holidays_do_not_count(opened):
    # Opened on Friday 11/12: Saturday 12 and Sunday 13 are not working days.
    friday = timezone.make_aware(dt.datetime(2026, 12, 11, 9))
    Alert.objects.update(opened_at=friday)
    assert alerts_escalate(today=dt.date(2026, 12, 15)) == 0  # Mon 14, Tue 15: two working days
    assert alerts_escalate(today=dt.date(2026, 12, 16)) == 34


def test_the_demo_morning_sends_the_ministry_leader_a_digest_of_critical_alerts(late_rule, mailoutbox):
    from giamsat.alerts.demo import demo_digest_send
    from giamsat.alerts.models import AlertRule

    missing = AlertRule.objects.create(
        code="T_MISSING",
        name_vi="Thiếu báo cáo",
        kind="REPORT_MISSING",
        severity="CRITICAL",
        data_set=late_rule.data_set,
        params={"periods": 1},
    )
    rules_scan(rules=[missing], today=OPENED)
    done = demo_digest_send()
    assert done["digests"] >= 1
    to_leader = [m for m in mailoutbox if User.objects.get(username="lanhdao.bo").email in m.to]
    assert len(to_leader) == 1
    assert "Không có Báo cáo tháng" in to_leader[0].body
