"""GET /api/v1/notifications (paged, own only) and POST /api/v1/notifications/read."""

import pytest
from django.test import Client

from giamsat.notifications.models import Notification
from giamsat.notifications.services import notification_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(token_a):
    client = Client(headers={"Authorization": f"Bearer {token_a}"})
    return client


def _send(user, key):
    return notification_send(user=user, kind="DEADLINE_REMINDER", title=f"Nhắc {key}", key=key, unit=user.home_unit)


def test_list_is_paged_and_own_only(api, people):
    user = people["a.reporter"]
    for n in range(5):
        _send(user, f"k{n}")
    _send(people["b.reporter"], "theirs")
    body = api.get("/api/v1/notifications?pageSize=2&page=2").json()
    assert body["pager"] == {"page": 2, "pageSize": 2, "total": 5, "pageCount": 3}
    assert body["unread"] == 5
    assert [n["title"] for n in body["notifications"]] == ["Nhắc k2", "Nhắc k1"]  # newest first
    item = body["notifications"][0]
    assert item["kind"] == "DEADLINE_REMINDER" and item["kindLabel"] == "Nhắc hạn nộp báo cáo"
    assert item["orgUnit"]["code"] == "P01" and item["read"] is None
    assert api.get("/api/v1/notifications?page=9").json()["notifications"] == []
    titles = [n["title"] for n in api.get("/api/v1/notifications?pageSize=500").json()["notifications"]]
    assert "Nhắc theirs" not in titles


@pytest.mark.parametrize("query", ["page=0", "page=x", "pageSize=-1", "unread=maybe"])
def test_bad_parameters_are_explained(api, query):
    response = api.get(f"/api/v1/notifications?{query}")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_mark_read(api, people):
    user = people["a.reporter"]
    first, second = _send(user, "a"), _send(user, "b")
    theirs = _send(people["b.reporter"], "c")
    response = api.post("/api/v1/notifications/read", {"ids": [first.pk, theirs.pk]}, content_type="application/json")
    assert response.json() == {"marked": 1, "unread": 1}
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    unread = api.get("/api/v1/notifications?unread=true").json()["notifications"]
    assert [n["id"] for n in unread] == [second.pk]
    assert api.post("/api/v1/notifications/read", {}, content_type="application/json").status_code == 400
    response = api.post("/api/v1/notifications/read", {"all": True}, content_type="application/json")
    assert response.json() == {"marked": 1, "unread": 0}


def test_needs_a_token():
    assert Client().get("/api/v1/notifications").status_code == 401
