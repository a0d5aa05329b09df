"""The inbox, the header's badge and the preferences: a user's own only, in Vietnamese."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from giamsat.notifications.choices import DeliveryMode
from giamsat.notifications.models import Notification, NotificationPreference
from giamsat.notifications.services import notification_send

pytestmark = pytest.mark.django_db


def _send(user, key, **extra):
    return notification_send(
        user=user, kind="REPORT_RETURNED", title=f"Báo cáo {key} bị trả lại", key=key, link="/reports/", **extra
    )


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_badge_in_every_page_header(people):
    user = people["a.reporter"]
    client = _client(user)
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/").content.decode()
    assert sum("notifications_notification" in q["sql"] for q in captured.captured_queries) == 1  # one count
    assert 'data-testid="notification-bell"' in body and 'data-testid="unread-count"' not in body
    _send(user, "1")
    _send(user, "2")
    body = client.get("/notifications/preferences/").content.decode()
    assert 'data-testid="unread-count">2<' in body and "Thông báo: 2 chưa đọc" in body


def test_inbox_lists_own_notifications_and_marks_them_read(people):
    user, other = people["a.reporter"], people["b.reporter"]
    mine = _send(user, "mine")
    _send(user, "second")
    theirs = _send(other, "theirs")
    client = _client(user)
    body = client.get("/notifications/").content.decode()
    assert "Báo cáo mine bị trả lại" in body and "Báo cáo theirs bị trả lại" not in body
    assert "Bạn có 2 thông báo chưa đọc." in body

    # Following one marks it read and goes to its link; another user's is not found.
    response = client.get(f"/notifications/{mine.pk}/")
    assert response.status_code == 302 and response["Location"] == "/reports/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert client.post("/notifications/read/", {"ids": [theirs.pk]}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None

    assert "Báo cáo mine" not in client.get("/notifications/?unread=1").content.decode()
    response = client.post("/notifications/read/", {"all": "1"}, follow=True)
    assert "Đã đánh dấu đã đọc 1 thông báo." in response.content.decode()
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=other, read_at__isnull=True).exists()


def test_a_link_elsewhere_is_not_followed(people):
    user = people["a.reporter"]
    item = _send(user, "x")
    Notification.objects.filter(pk=item.pk).update(link="https://evil.example/")
    response = _client(user).get(f"/notifications/{item.pk}/")
    assert response["Location"] == "/notifications/"


def test_preferences_page(people):
    user = people["a.reporter"]
    client = _client(user)
    body = client.get("/notifications/preferences/").content.decode()
    assert "Báo cáo của đơn vị bị trả lại" in body and "Bản tóm tắt hằng ngày" in body
    assert 'name="REPORT_RETURNED" value="DAILY" checked' in body  # the default
    from giamsat.notifications.registry import kinds

    choices = {k.code: DeliveryMode.DAILY for k in kinds()}
    choices["REPORT_RETURNED"] = DeliveryMode.IMMEDIATE
    response = client.post("/notifications/preferences/", choices, follow=True)
    assert "Đã lưu lựa chọn nhận thông báo của bạn." in response.content.decode()
    assert NotificationPreference.objects.get(user=user, kind="REPORT_RETURNED").mode == DeliveryMode.IMMEDIATE
    assert _send(user, "now").mode == DeliveryMode.IMMEDIATE

    choices["REPORT_RETURNED"] = "SOMETIMES"
    response = client.post("/notifications/preferences/", choices)
    assert response.status_code == 400 and "Hãy chọn cách nhận" in response.content.decode()
    assert NotificationPreference.objects.get(user=user, kind="REPORT_RETURNED").mode == DeliveryMode.IMMEDIATE


def test_anonymous_is_sent_to_sign_in():
    for url in ["/notifications/", "/notifications/preferences/", "/notifications/1/"]:
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
