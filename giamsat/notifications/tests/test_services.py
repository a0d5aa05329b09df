"""notification_send and its delivery log: idempotent, by preference, once per channel."""

import os
import socket

import pytest
from django.core import mail
from django.utils import timezone

from giamsat.notifications.choices import DeliveryMode, DeliveryStatus
from giamsat.notifications.models import Delivery, Notification
from giamsat.notifications.services import (
    deliveries_send_due,
    delivery_retry,
    delivery_send,
    notification_mark_read,
    notification_send,
    preference_get,
    preferences_set,
)

pytestmark = pytest.mark.django_db


def send(user, kind, key="k1", **extra):
    return notification_send(user=user, kind=kind, title="Tiêu đề", key=key, **extra)


def test_same_key_twice_makes_one_notification(people, kind, fake_channel):
    user = people["a.reporter"]
    first = send(user, kind)
    assert first is not None and first.mode == DeliveryMode.DAILY  # the default
    assert send(user, kind) is None  # a retried caller
    assert Notification.objects.filter(user=user, key="k1").count() == 1
    assert not Delivery.objects.filter(user=user).exists()  # daily: waits for the digest
    assert send(people["b.reporter"], kind) is not None  # the key is per user


def test_unknown_kind_and_inactive_user(people, kind):
    with pytest.raises(ValueError):
        send(people["a.reporter"], "NO_SUCH_KIND")
    user = people["b.reporter"]
    user.is_active = False
    assert send(user, kind) is None


def test_preferences(people, kind, fake_channel):
    user = people["a.reporter"]
    assert preference_get(user, kind) == DeliveryMode.DAILY
    preferences_set(user=user, choices={kind: DeliveryMode.INBOX})
    assert send(user, kind).mode == DeliveryMode.INBOX
    assert not Delivery.objects.filter(user=user).exists()
    with pytest.raises(ValueError):
        preferences_set(user=user, choices={kind: "SOMETIMES"})


def test_immediate_and_urgent_are_sent_once(people, kind, fake_channel):
    user = people["a.reporter"]
    preferences_set(user=user, choices={kind: DeliveryMode.IMMEDIATE})
    send(user, kind, key="now", body="Nội dung", link="/reports/")
    send(people["b.reporter"], kind, key="urgent", urgent=True)  # daily by default, but urgent
    assert deliveries_send_due() == 2
    assert deliveries_send_due() == 0
    assert sorted(m.address for m in fake_channel.sent) == ["a.reporter", "b.reporter"]
    message = next(m for m in fake_channel.sent if m.address == "a.reporter")
    assert message.subject == "[GiamSat] Tiêu đề"
    assert "Nội dung" in message.text and "http://127.0.0.1:8000/reports/" in message.text
    assert set(Delivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}


def test_email_after_commit_through_the_configured_backend(people, kind, settings, django_capture_on_commit_callbacks):
    settings.NOTIFICATIONS_SEND = "inline"
    user = people["a.reporter"]
    user.email = "a@example.vn"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        send(user, kind, urgent=True)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["a@example.vn"] and mail.outbox[0].subject == "[GiamSat] Tiêu đề"
    assert mail.outbox[0].extra_headers["Message-ID"].startswith("<giamsat.email.")


def test_user_without_address_gets_the_inbox_only(people, kind, settings):
    user = people["a.reporter"]
    assert not user.email
    assert send(user, kind, urgent=True) is not None
    assert not Delivery.objects.filter(user=user).exists()


def test_a_refusal_is_tried_again_later(people, kind, fake_channel):
    send(people["a.reporter"], kind, urgent=True)
    fake_channel.refuse = True
    deliveries_send_due()
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.PENDING and row.next_attempt_at > timezone.now() and row.last_error
    fake_channel.refuse = False
    assert deliveries_send_due() == 0  # not before its backoff
    Delivery.objects.update(next_attempt_at=timezone.now())
    assert deliveries_send_due() == 1 and len(fake_channel.sent) == 1


def test_a_loss_after_the_hand_over_is_never_sent_again(people, kind, fake_channel):
    """The channel may have delivered it: at most once, shown for a person to decide."""
    send(people["a.reporter"], kind, urgent=True)
    fake_channel.crash_after_handed = True
    deliveries_send_due()
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.UNCERTAIN and "ConnectionResetError" in row.last_error
    fake_channel.crash_after_handed = False
    assert deliveries_send_due() == 0 and fake_channel.sent == []
    assert delivery_retry(deliveries=Delivery.objects.all()) == 1  # the admin's action
    assert deliveries_send_due() == 1 and len(fake_channel.sent) == 1


def _dead_worker() -> str:
    return f"{socket.gethostname()}:{2**22 + 12345}"  # no such process


@pytest.mark.parametrize(
    "status, claimed_by, lease_seconds, expected",
    [
        # A worker died before its hand-over: nothing reached the server, send it.
        (DeliveryStatus.CLAIMED, "dead", 600, DeliveryStatus.SENT),
        (DeliveryStatus.CLAIMED, "other-machine:1", -1, DeliveryStatus.SENT),  # lease lapsed
        # A live worker holds it: leave it alone.
        (DeliveryStatus.CLAIMED, "me", 600, DeliveryStatus.CLAIMED),
        (DeliveryStatus.CLAIMED, "other-machine:1", 600, DeliveryStatus.CLAIMED),
        # A worker died after the hand-over: it may have arrived, never send again.
        (DeliveryStatus.HANDED, "dead", 600, DeliveryStatus.UNCERTAIN),
        (DeliveryStatus.HANDED, "other-machine:1", -1, DeliveryStatus.UNCERTAIN),
        (DeliveryStatus.HANDED, "me", 600, DeliveryStatus.HANDED),
        (DeliveryStatus.SENT, "dead", -1, DeliveryStatus.SENT),
    ],
)
def test_what_a_dead_worker_left(people, kind, fake_channel, status, claimed_by, lease_seconds, expected):
    send(people["a.reporter"], kind, urgent=True)
    holder = {"dead": _dead_worker(), "me": f"{socket.gethostname()}:{os.getpid()}"}.get(claimed_by, claimed_by)
    Delivery.objects.update(
        status=status, claimed_by=holder, lease_until=timezone.now() + timezone.timedelta(seconds=lease_seconds)
    )
    deliveries_send_due()
    assert Delivery.objects.get().status == expected
    assert len(fake_channel.sent) == (1 if expected == DeliveryStatus.SENT and status != DeliveryStatus.SENT else 0)


def test_two_workers_cannot_both_claim(people, kind, fake_channel):
    send(people["a.reporter"], kind, urgent=True)
    row = Delivery.objects.get()
    assert delivery_send(row.pk) == DeliveryStatus.SENT
    assert delivery_send(row.pk) is None  # already sent: nothing to do
    assert len(fake_channel.sent) == 1


def test_mark_read_only_touches_own(people, kind):
    mine = send(people["a.reporter"], kind, key="m")
    theirs = send(people["b.reporter"], kind, key="t")
    assert notification_mark_read(user=people["a.reporter"], notification_ids=[mine.pk, theirs.pk]) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None
    send(people["a.reporter"], kind, key="m2")
    assert notification_mark_read(user=people["a.reporter"]) == 1


def test_on_a_day_off_messages_wait_for_the_next_working_morning(people, kind, fake_channel, settings, monkeypatch):
    import datetime as dt

    from django.utils import timezone

    from giamsat.notifications import services

    settings.NOTIFICATIONS_QUIET_DAYS_OFF = True
    tz = timezone.get_current_timezone()
    saturday = dt.datetime(2026, 12, 12, 10, tzinfo=tz)
    assert services.quiet_period_end(dt.datetime(2026, 12, 11, 10, tzinfo=tz)) is None  # a Friday
    assert services.quiet_period_end(saturday) == dt.datetime(2026, 12, 14, 7, 30, tzinfo=tz)
    # Tết 2027 (the lunar new year falls on 6 February): the first working day after the holiday.
    after_tet = services.quiet_period_end(dt.datetime(2027, 2, 8, 9, tzinfo=tz))
    assert after_tet is not None and after_tet.date() > dt.date(2027, 2, 8) and after_tet.weekday() < 5
    user = people["a.reporter"]
    preferences_set(user=user, choices={kind: DeliveryMode.IMMEDIATE})
    monkeypatch.setattr(services.timezone, "localtime", lambda *args: saturday)
    send(user, kind, key="on-saturday")
    send(people["b.reporter"], kind, key="urgent-on-saturday", urgent=True)
    assert deliveries_send_due() == 1  # only the urgent one goes out on Saturday
    assert [m.address for m in fake_channel.sent] == ["b.reporter"]
    waiting = Delivery.objects.get(key="on-saturday")
    assert waiting.status == DeliveryStatus.PENDING and waiting.next_attempt_at == dt.datetime(
        2026, 12, 14, 7, 30, tzinfo=tz
    )
