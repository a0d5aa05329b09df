"""Evaluation API: values, ranks and scorecards, scoped as the pages; errors are JSON, never 500."""

import pytest

from giamsat.evaluation.tests.routes import INDICATOR, MONTH, QUARTERS, results_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/evaluation"


@pytest.fixture
def auth_a(token_a):
    return {"Authorization": f"Bearer {token_a}"}


@pytest.fixture
def two_provinces(unit):
    results_for(unit("P01"), rank=2, peers=2, value=0.4)
    results_for(unit("P08"), rank=1, peers=2, value=0.8)


def test_indicator_values_are_filtered_by_the_token_scope(client, auth_a, two_provinces):
    response = client.get(f"{BASE}/indicatorValues?indicator={INDICATOR}&period={QUARTERS[-1]}", headers=auth_a)
    data = response.json()
    assert response.status_code == 200
    assert [r["orgUnit"] for r in data["results"]] == ["P01"] and data["count"] == 1
    row = data["results"][0]
    assert row["value"] == 70.0 and row["status"] == "AT_RISK" and row["target"] == 80.0 and row["targetYear"] == 2026


def test_ministry_leader_gets_every_province(client_leader, two_provinces):
    data = client_leader.get(f"{BASE}/indicatorValues?indicator={INDICATOR}&period={QUARTERS[-1]}").json()
    assert {r["orgUnit"] for r in data["results"]} == {"P01", "P08"}


def test_index_values_rank_only_units_in_scope(client, auth_a, client_leader, two_provinces):
    own = client.get(f"{BASE}/indexValues?period={MONTH}&structure=CURRENT", headers=auth_a).json()
    assert [(r["orgUnit"], r["rank"], r["peers"]) for r in own["results"]] == [("P01", 2, 2)]
    assert "P08" not in str(own)
    everyone = client_leader.get(f"{BASE}/indexValues?period={MONTH}&pillar=DIGITAL_SOCIETY").json()
    assert [r["orgUnit"] for r in everyone["results"]] == ["P08", "P01"]
    assert everyone["results"][0]["pillars"]["OVERALL"] == 0.8


def test_scorecard(client, auth_a, two_provinces):
    data = client.get(f"{BASE}/scorecards/P01?period={MONTH}", headers=auth_a).json()
    assert data["orgUnit"] == "P01" and data["index"] == 0.4 and data["rank"] == 2 and data["previousRank"] == 3
    pillar = data["pillars"][0]
    assert pillar["pillar"] == "DIGITAL_SOCIETY"
    assert pillar["indicators"][0]["indicator"] == INDICATOR and pillar["indicators"][0]["period"] == QUARTERS[-1]
    assert client.get(f"{BASE}/scorecards/P01", headers=auth_a).json()["period"] == MONTH


@pytest.mark.parametrize(
    "url, status",
    [
        ("/scorecards/P08", 403),
        ("/scorecards/NOPE", 404),
        ("/scorecards/P01?period=2026Q9", 400),
        ("/scorecards/P01?period=1901", 404),
        ("/indicatorValues?indicator=NOPE", 404),
        ("/indicatorValues?orgUnit=NOPE", 404),
        ("/indicatorValues?orgUnit=P08", 403),
        ("/indicatorValues?period=abc", 400),
        ("/indexValues?period=abc", 400),
        ("/indexValues?pillar=NOPE", 400),
        ("/indexValues?structure=NOPE", 422),
        ("/indicatorValues?limit=0", 422),
    ],
)
def test_errors_are_json(client, auth_a, two_provinces, url, status):
    response = client.get(BASE + url, headers=auth_a)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert "Tỉnh Tuyên Quang" not in response.content.decode()


def test_anonymous_is_refused(client):
    assert client.get(f"{BASE}/indexValues").status_code == 401
