"""The home page and the navigation every page shows."""

import datetime as dt

import pytest
from django.test import Client

from giamsat.accounts.demo import DEMO_PASSWORD
from giamsat.accounts.models import User
from giamsat.portal.views import _timeline_chart


def test_sign_in_lands_on_the_home_page(db):
    response = Client().post("/accounts/login/", {"username": "hanoi.baocao", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def test_home_shows_the_overview(client_leader):
    response = client_leader.get("/")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "portal/home.html"
    assert response.context["provinces_now"] == 34 and response.context["provinces_before"] == 63


@pytest.mark.parametrize(
    "path, active",
    [("/", "/"), ("/units/", "/units/"), ("/evaluation/rankings/", "/evaluation/rankings/")],
)
def test_navigation_marks_the_current_section(client_a, path, active):
    nav = client_a.get(path).context["nav"]
    assert [item["url"] for item in nav if item["active"]] == [active]


def test_navigation_by_role(client_a, client_admin):
    assert "/admin/" not in [item["url"] for item in client_a.get("/").context["nav"]]
    assert "/admin/" in [item["url"] for item in client_admin.get("/").context["nav"]]


def test_timeline_chart_fills_missing_kinds_with_zero():
    d1, d2 = dt.date(2025, 3, 1), dt.date(2025, 7, 1)
    timeline = [
        {"date": d2, "kind": "MERGE", "kind_label": "Merge", "events": 5},
        {"date": d1, "kind": "RENAME", "kind_label": "Rename", "events": 2},
    ]
    chart = _timeline_chart(timeline)
    assert chart["dates"] == ["01/03/2025", "01/07/2025"]
    assert chart["series"] == [{"name": "Merge", "values": [0, 5]}, {"name": "Rename", "values": [2, 0]}]


def test_an_installation_without_results_gives_every_role_a_page(db):
    for username in ("ministry.leader", "a.leader", "a.reporter", "nobody"):
        response = _client_for(username).get("/")
        assert response.status_code == 200
    overview = _client_for("ministry.leader").get("/").context["overview"]
    assert overview.index.period is None and all(card.value is None for card in overview.headlines)


def _client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client
