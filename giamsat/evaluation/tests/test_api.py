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
    assert everyone["count"] == 2
    second = client_leader.get(f"{BASE}/indexValues?period={MONTH}&pillar=DIGITAL_SOCIETY&offset=1&limit=1").json()
    assert second["count"] == 2 and [r["orgUnit"] for r in second["results"]] == ["P01"]
    assert client_leader.get(f"{BASE}/indexValues?offset=100000000000000000000").status_code == 422


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


def test_group_values_only_for_groups_wholly_in_scope(client, client_leader, token_a, unit):
    from giamsat.catalog.models import Indicator
    from giamsat.evaluation.models import GroupIndicatorValue
    from giamsat.orgunits.models import OrgUnitGroup
    from giamsat.reporting.services import period_get

    results_for(unit("P01"))
    GroupIndicatorValue.objects.create(
        indicator=Indicator.objects.get(code=INDICATOR),
        group=OrgUnitGroup.objects.get(code="REG_DBSH"),
        period=period_get(QUARTERS[-1]),
        value=71.26,
        members=6,
    )
    url = f"{BASE}/groupValues?indicator={INDICATOR}&period={QUARTERS[-1]}"
    rows = client_leader.get(url).json()
    assert [(r["group"], r["members"], r["groupSet"]) for r in rows] == [("REG_DBSH", 6, "REGIONS")]
    assert client.get(url, headers={"Authorization": f"Bearer {token_a}"}).json() == []
    assert client_leader.get(f"{BASE}/groupValues?indicator=NOPE&period=2026Q3").status_code == 404
    assert client_leader.get(f"{BASE}/groupValues?indicator={INDICATOR}&period=20X").status_code == 400


def test_index_rows_and_scorecards_carry_completeness_and_carried_or_missing_inputs(client_leader, two_provinces):
    from giamsat.evaluation.models import IndexValue

    IndexValue.objects.filter(org_unit__code="P01", period__code=MONTH).update(
        inputs_expected=29, inputs_reported=25, inputs_carried=3, reports_state=1
    )
    IndexValue.objects.filter(org_unit__code="P08", period__code=MONTH).update(
        inputs_expected=29, inputs_reported=29, inputs_carried=0, reports_state=4
    )
    rows = client_leader.get(f"{BASE}/indexValues?period={MONTH}").json()["results"]
    hanoi = next(r for r in rows if r["orgUnit"] == "P01")["completeness"]
    assert hanoi == {
        "inputsExpected": 29,
        "inputsReported": 25,
        "inputsCarried": 3,
        "inputsMissing": 1,
        "reportsState": "ENTERED",
        "provisional": True,
        "completeAndAccepted": False,
    }
    # The official ranking: complete and accepted units only, ranked among themselves.
    IndexValue.objects.filter(org_unit__code="P08", period__code=MONTH).update(rank_current=2, peers_current=34)
    official = client_leader.get(f"{BASE}/indexValues?period={MONTH}&complete=true&structure=CURRENT").json()
    assert [(r["orgUnit"], r["rank"], r["peers"]) for r in official["results"]] == [("P08", 1, 1)]
    card = client_leader.get(f"{BASE}/scorecards/P01?period={MONTH}").json()
    assert card["completeness"]["inputsCarried"] == 3
    assert {i["input"] for p in card["pillars"] for i in p["indicators"]} <= {"REPORTED", "CARRIED", "MISSING"}


def test_the_rankings_page_states_the_missing_data_policy(client_leader, two_provinces):
    body = client_leader.get(f"/evaluation/rankings/?period={MONTH}").content.decode()
    assert 'data-testid="missing-data-policy"' in body
    assert "Không bao giờ lặng lẽ tính bằng 0" in body
    assert "mang sang tối đa 2 kỳ" in body  # the methodology in force says how long
