"""E-mail through a real SMTP server on the loopback interface."""

import pytest

from giamsat.notifications.choices import DeliveryStatus
from giamsat.notifications.models import Delivery
from giamsat.notifications.services import deliveries_send_due, notification_send

from .smtp import LocalSmtp

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    with LocalSmtp() as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_USE_TLS = False
        settings.NOTIFICATIONS_SEND = "off"
        settings.NOTIFICATIONS_CHANNELS = ["email"]
        yield server


def _user(people, name, address):
    user = people[name]
    user.email = address
    user.save()
    return user


def test_an_email_arrives_once_in_vietnamese(people, smtp):
    user = _user(people, "a.reporter", "a.reporter@so.hanoi.gov.vn")
    notification_send(
        user=user,
        kind="REPORT_RETURNED",
        title="Báo cáo tháng 10/2025 bị trả lại",
        body="Lý do: thiếu số liệu",
        link="/reports/1/",
        key="r1",
        urgent=True,
    )
    assert deliveries_send_due() == 1
    assert deliveries_send_due() == 0
    (received,) = smtp.handler.received
    assert received.rcpt == ["a.reporter@so.hanoi.gov.vn"]
    message = received.message
    assert message["Subject"].strip() == "[GiamSat] Báo cáo tháng 10/2025 bị trả lại"
    assert message["Message-ID"] == f"<giamsat.email.{Delivery.objects.get().pk}@giamsat.local>"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Lý do: thiếu số liệu" in text and "http://127.0.0.1:8000/reports/1/" in text
    assert Delivery.objects.get().status == DeliveryStatus.SENT


def test_a_refused_recipient_is_not_lost(people, smtp):
    user = _user(people, "a.reporter", "nobody@so.hanoi.gov.vn")
    smtp.handler.refuse.add("nobody@so.hanoi.gov.vn")
    notification_send(user=user, kind="REPORT_RETURNED", title="Thử", key="r2", urgent=True)
    assert deliveries_send_due() == 0
    row = Delivery.objects.get()
    assert row.status == DeliveryStatus.FAILED and "550" in row.last_error  # permanent: not retried
    assert smtp.handler.received == []


def test_a_message_with_a_leading_dot_line_arrives_whole(people, smtp):
    user = _user(people, "a.reporter", "a@so.hanoi.gov.vn")
    notification_send(user=user, kind="REPORT_RETURNED", title="Chấm", body=".\n.. hai chấm", key="r3", urgent=True)
    assert deliveries_send_due() == 1
    text = smtp.handler.received[0].message.get_body(preferencelist=("plain",)).get_content()
    assert "\n.\n.. hai chấm" in text.replace("\r\n", "\n")
