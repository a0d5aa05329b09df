"""Digests (grouped by unit and kind, once per user and period, never empty), the periodic tick
on the working calendar, and deadline reminders."""

import datetime as dt

import pytest

from giamsat.catalog.models import DataSet
from giamsat.catalog.selectors import data_set_units
from giamsat.core.periods import Period as PeriodValue
from giamsat.core.workdays import add_working_days
from giamsat.notifications.choices import DeliveryMode, DigestFrequency
from giamsat.notifications.models import Delivery, Digest, Notification
from giamsat.notifications.services import (
    deliveries_send_due,
    digests_make,
    notification_mark_read,
    notification_send,
    notifications_tick,
    preferences_set,
    reminders_send,
)
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.choices import ReportStatus
from giamsat.reporting.models import Report
from giamsat.reporting.services import period_get

from .conftest import local

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 8)


@pytest.fixture
def other_kind():
    from giamsat.notifications.registry import kind_register

    return kind_register("TEST_OTHER", "Loại khác").code


def _send(user, kind, key, unit=None, **extra):
    return notification_send(user=user, kind=kind, title=f"Việc {key}", key=key, unit=unit, link="/reports/", **extra)


def test_daily_digest_groups_by_unit_and_kind(people, kind, other_kind, fake_channel):
    user = people["a.reporter"]
    hanoi, hue = OrgUnit.objects.get(code="P01"), OrgUnit.objects.get(code="P08")
    _send(user, kind, "1", unit=hue)
    _send(user, kind, "2", unit=hanoi)
    _send(user, other_kind, "3", unit=hanoi)
    _send(user, kind, "4")  # no unit: listed last
    read = _send(user, kind, "5", unit=hanoi)
    notification_mark_read(user=user, notification_ids=[read.pk])  # seen already: not in the digest
    preferences_set(user=user, choices={other_kind: DeliveryMode.WEEKLY})
    _send(user, other_kind, "6", unit=hanoi)  # weekly: not in the daily digest

    assert digests_make(frequency=DigestFrequency.DAILY, day=DAY) == 1
    digest = Digest.objects.get(user=user, frequency=DigestFrequency.DAILY)
    assert digest.period == "2026-12-08"
    assert sorted(n.key for n in digest.notifications.all()) == ["1", "2", "3", "4"]
    assert deliveries_send_due() == 1
    (message,) = fake_channel.sent
    assert "08/12/2026" in message.subject and "4" in message.subject
    text = message.text
    # Units in name order (Hà Nội before Tuyên Quang), the one without a unit last; kinds inside.
    assert text.index(hanoi.name_vi) < text.index(hue.name_vi) < text.index("Việc 4")
    assert text.index("Loại khác") < text.index("Việc 3") < text.index("Thông báo thử") < text.index("Việc 2")
    assert "Việc 5" not in text and "Việc 6" not in text
    assert "http://127.0.0.1:8000/reports/" in text and "<a href=" in message.html

    # Once per user and day; nothing new for anyone else; the next item waits for tomorrow.
    assert digests_make(frequency=DigestFrequency.DAILY, day=DAY) == 0
    _send(user, kind, "7")
    assert digests_make(frequency=DigestFrequency.DAILY, day=DAY) == 0
    assert digests_make(frequency=DigestFrequency.DAILY, day=DAY + dt.timedelta(days=1)) == 1
    assert not Digest.objects.filter(user=people["b.reporter"]).exists()

    assert digests_make(frequency=DigestFrequency.WEEKLY, day=DAY) == 1
    weekly = Digest.objects.get(user=user, frequency=DigestFrequency.WEEKLY)
    assert weekly.period == "2026-W50" and [n.key for n in weekly.notifications.all()] == ["6"]


def test_an_empty_digest_is_not_sent(people, kind, fake_channel):
    user = people["a.reporter"]
    item = _send(user, kind, "1")
    notification_mark_read(user=user, notification_ids=[item.pk])
    preferences_set(user=user, choices={kind: DeliveryMode.INBOX})
    _send(user, kind, "2")
    assert digests_make(frequency=DigestFrequency.DAILY, day=DAY) == 0
    assert not Delivery.objects.exists() and fake_channel.sent == []


@pytest.mark.parametrize(
    "now, daily, weekly",
    [
        (local(2026, 12, 12, 9, 0), False, False),  # Saturday
        (local(2026, 12, 14, 7, 25), False, False),  # Monday, before 07:30
        (local(2026, 12, 14, 7, 35), True, True),  # Monday: the day's and the week's
        (local(2026, 12, 15, 7, 30), True, False),  # Tuesday
        (local(2027, 2, 8, 9, 0), False, False),  # Tết 2027 (Monday)
        (local(2027, 2, 11, 7, 30), True, True),  # Thursday: the week's first working day
    ],
)
def test_tick_on_the_working_calendar(people, kind, other_kind, fake_channel, settings, now, daily, weekly):
    settings.NOTIFICATIONS_REMINDER_DAYS = []  # only this test's notifications (reminders: below)
    user = people["a.reporter"]
    _send(user, kind, "d")
    preferences_set(user=user, choices={other_kind: DeliveryMode.WEEKLY})
    _send(user, other_kind, "w")
    summary = notifications_tick(now=now)
    assert (summary.daily is not None, summary.weekly is not None) == (daily, weekly)
    assert Digest.objects.filter(user=user, frequency=DigestFrequency.DAILY).exists() == daily
    assert Digest.objects.filter(user=user, frequency=DigestFrequency.WEEKLY).exists() == weekly
    again = notifications_tick(now=now)
    assert again.daily is None and again.weekly is None  # once a day, once a week
    assert len(fake_channel.sent) == daily + weekly


def _monthly_due(period_code: str):
    data_set = DataSet.objects.get(code="BC_TINH_MONTHLY")
    period = PeriodValue.parse(period_code)
    return data_set, period, period.end + dt.timedelta(days=data_set.deadline_days)


def test_reminders_three_and_one_working_days_before(people, fake_channel):
    data_set, period, deadline = _monthly_due("202702")
    hanoi = OrgUnit.objects.get(code="P01")
    assert data_set_units(data_set, on=period.end).filter(pk=hanoi.pk).exists()
    reporter = people["a.reporter"]

    def reminders():
        return sorted(
            n.key
            for n in Notification.objects.filter(user=reporter, kind="DEADLINE_REMINDER", key__contains=period.code)
        )

    three_before = add_working_days(deadline, -3)
    assert reminders_send(today=three_before - dt.timedelta(days=1)) >= 0
    assert reminders() == []  # four working days before: nothing yet
    assert reminders_send(today=three_before) > 0
    assert reminders() == [f"reminder:BC_TINH_MONTHLY:P01:{period.code}:3"]
    item = Notification.objects.get(user=reporter, key=f"reminder:BC_TINH_MONTHLY:P01:{period.code}:3")
    assert deadline.strftime("%d/%m/%Y") in item.title and item.unit == hanoi and item.link == "/reports/"
    assert "3" in item.body
    reminders_send(today=three_before)  # again the same day: nothing new
    reminders_send(today=add_working_days(deadline, -2))  # between the thresholds
    assert len(reminders()) == 1
    reminders_send(today=add_working_days(deadline, -1))
    assert reminders() == [f"reminder:BC_TINH_MONTHLY:P01:{period.code}:{t}" for t in (1, 3)]
    reminders_send(today=deadline + dt.timedelta(days=1))  # past the deadline: the alerts' business
    assert len(reminders()) == 2
    # Only reporters of the unit: not its leader, not another province's reporter.
    assert not Notification.objects.filter(user=people["a.leader"], kind="DEADLINE_REMINDER").exists()
    b_keys = Notification.objects.filter(user=people["b.reporter"], kind="DEADLINE_REMINDER").values_list(
        "key", flat=True
    )
    assert all(":P01:" not in key for key in b_keys)


def test_no_reminder_for_a_submitted_report(people, settings, fake_channel):
    settings.NOTIFICATIONS_REMINDER_DAYS = [2]
    data_set, period, deadline = _monthly_due("202703")
    hanoi = OrgUnit.objects.get(code="P01")
    now = local(2027, 3, 1, 9, 0)
    Report.objects.create(
        data_set=data_set,
        org_unit=hanoi,
        period=period_get(period.code),
        status=ReportStatus.SUBMITTED,
        deadline=deadline,
        created_at=now,
        updated_at=now,
        submitted_at=now,
    )
    reminders_send(today=add_working_days(deadline, -2))
    keys = set(Notification.objects.filter(kind="DEADLINE_REMINDER").values_list("key", flat=True))
    assert f"reminder:BC_TINH_MONTHLY:P01:{period.code}:2" not in keys
    assert f"reminder:BC_TINH_MONTHLY:P08:{period.code}:2" in keys  # Tuyên Quang has not sent it
