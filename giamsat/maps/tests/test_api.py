"""The maps' API: the provinces in force on a day (34 today, 63 on 30/06/2025) with Hoàng Sa and
Trường Sa, cached and gzipped; communes as points in scope; an indicator's values per province,
scoped to what the caller may view. Bad input answers 400 (or 404), never 500."""

import gzip
import json

import pytest

from giamsat.evaluation.tests.routes import INDICATOR, QUARTERS, results_for
from giamsat.orgunits.choices import OrgUnitType
from giamsat.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db

ARCHIPELAGOS = {"Quần đảo Hoàng Sa", "Quần đảo Trường Sa"}


def _geojson(client, url, **headers):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/geo+json"
    body = gzip.decompress(response.content) if response.get("Content-Encoding") == "gzip" else response.content
    return response, json.loads(body)


def _kinds(data):
    provinces = [f for f in data["features"] if f["properties"]["kind"] == "province"]
    points = [f for f in data["features"] if f["properties"]["kind"] == "archipelago"]
    return provinces, points


@pytest.mark.parametrize(
    "on, count",
    [("", 34), ("2026-12-07", 34), ("2025-07-01", 34), ("2025-06-30", 63), ("30/06/2025", 63), ("2008-08-01", 63)],
)
def test_provinces_in_force_on_a_day_with_the_archipelagos(client_leader, on, count):
    _response, data = _geojson(client_leader, f"/api/v1/maps/provinces?on={on}")
    provinces, points = _kinds(data)
    assert len(provinces) == count
    in_force = OrgUnit.objects.filter(type=OrgUnitType.PROVINCE)
    in_force = in_force.filter(valid_to__isnull=True) if count == 34 else in_force.filter(valid_to__isnull=False)
    assert {f["properties"]["code"] for f in provinces} == set(in_force.values_list("code", flat=True))
    assert {f["properties"]["name"] for f in points} == ARCHIPELAGOS
    assert all(f["geometry"]["type"] == "Point" for f in points)
    assert all(f["geometry"]["type"] in {"Polygon", "MultiPolygon"} for f in provinces)
    assert "ODbL" in data["attribution"]


def test_names_keep_their_diacritics_and_archipelagos_their_province(client_leader):
    _response, today = _geojson(client_leader, "/api/v1/maps/provinces?on=2026-12-07")
    names = {f["properties"]["code"]: f["properties"] for f in today["features"]}
    assert names["P01"]["name"] == "Thành phố Hà Nội" and names["P01"]["shortName"] == "Hà Nội"
    assert names["hoangsa"]["province"] == "P48"  # Đà Nẵng
    assert names["truongsa"]["province"] == "P56"  # Khánh Hòa
    _response, before = _geojson(client_leader, "/api/v1/maps/provinces?on=2025-06-30")
    names = {f["properties"]["code"]: f["properties"] for f in before["features"]}
    assert names["hoangsa"]["province"] == "P48_63"


def test_provinces_are_small_gzipped_and_cached(client_leader):
    plain = client_leader.get("/api/v1/maps/provinces?on=2026-12-07")
    zipped = client_leader.get("/api/v1/maps/provinces?on=2026-12-07", headers={"Accept-Encoding": "gzip, br"})
    assert "Content-Encoding" not in plain and zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert len(plain.content) < 80_000 and len(zipped.content) < 25_000
    assert plain["ETag"] == zipped["ETag"] and "max-age" in plain["Cache-Control"]
    assert "Accept-Encoding" in plain["Vary"]
    again = client_leader.get("/api/v1/maps/provinces", headers={"If-None-Match": plain["ETag"]})
    assert again.status_code == 304 and again.content == b""
    weak = client_leader.get("/api/v1/maps/provinces", headers={"If-None-Match": f'"old", W/{plain["ETag"]}'})
    assert weak.status_code == 304
    other = client_leader.get("/api/v1/maps/provinces?on=2025-06-30")
    assert other["ETag"] != plain["ETag"]


def test_a_provincial_user_still_sees_the_whole_outline(client_a):
    _response, data = _geojson(client_a, "/api/v1/maps/provinces")
    assert len(_kinds(data)[0]) == 34


@pytest.mark.parametrize("on", ["2025-13-01", "yesterday", "31/02/2025", "0001-01-01"])
def test_an_unreadable_day_is_a_400_that_says_why(client_leader, on):
    response = client_leader.get(f"/api/v1/maps/provinces?on={on}")
    assert response.status_code == 400
    assert "dd/mm/yyyy" in response.json()["detail"]


def test_a_day_before_the_registry_is_a_clear_404(client_leader):
    response = client_leader.get("/api/v1/maps/provinces?on=2000-01-01")
    assert response.status_code == 404
    assert "01/08/2008" in response.json()["detail"]


def test_the_map_api_needs_a_signed_in_user(client):
    assert client.get("/api/v1/maps/provinces").status_code == 401


def test_communes_of_a_province_as_points(client_a):
    response = client_a.get("/api/v1/maps/communes?province=P01")
    assert response.status_code == 200
    data = response.json()
    expected = OrgUnit.objects.filter(parent__code="P01", type=OrgUnitType.COMMUNE, latitude__isnull=False)
    assert len(data["features"]) == expected.count() > 100
    first = data["features"][0]
    assert first["geometry"]["type"] == "Point" and first["properties"]["kind"] == "commune"
    lon, lat = first["geometry"]["coordinates"]
    assert 105 < lon < 106.5 and 20.5 < lat < 21.5


def test_communes_of_a_former_province_on_its_last_day(client_leader):
    data = client_leader.get("/api/v1/maps/communes?province=P01_63").json()
    assert data["on"] == "2025-06-30" and len(data["features"]) > 500


@pytest.mark.parametrize(
    "query, status",
    [("province=P08", 403), ("province=X00004", 404), ("province=NOPE", 404), ("", 422), ("province=P01&on=x", 400)],
)
def test_communes_refuse_other_provinces_and_bad_input(client_a, query, status):
    response = client_a.get(f"/api/v1/maps/communes?{query}")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")


def test_indicator_values_per_province_are_scoped(client_leader, client_a, unit):
    for code in ("P01", "P08"):
        results_for(unit(code))
    url = f"/api/v1/maps/indicator?indicator={INDICATOR}&period={QUARTERS[-1]}"
    leader = client_leader.get(url).json()
    assert {v["code"] for v in leader["values"]} == {"P01", "P08"}
    assert leader["on"] == "2026-09-30" and leader["provinces"] == "/api/v1/maps/provinces?on=2026-09-30"
    value = next(v for v in leader["values"] if v["code"] == "P01")
    assert value["value"] == 70.0 and value["status"] == "AT_RISK" and value["statusLabel"] == "Có nguy cơ"
    assert value["url"] == "/evaluation/units/P01/"
    assert {item["code"] for item in leader["legend"]} >= {"ACHIEVED", "OFF_TRACK", "NO_DATA"}
    own = client_a.get(url).json()
    assert [v["code"] for v in own["values"]] == ["P01"]
    assert "Tuyên Quang" not in json.dumps(own, ensure_ascii=False)


def test_indicator_values_default_to_the_latest_period(client_leader, unit):
    results_for(unit("P01"))
    data = client_leader.get(f"/api/v1/maps/indicator?indicator={INDICATOR}").json()
    assert data["period"] == QUARTERS[-1]


@pytest.mark.parametrize(
    "query, status",
    [
        (f"indicator={INDICATOR}&period=2026Q9", 400),
        (f"indicator={INDICATOR}&period=abc", 400),
        ("indicator=NOPE&period=2026Q3", 404),
        ("period=2026Q3", 422),
        ("indicator=HH_FIBER_RATE", 404),  # nothing stored
    ],
)
def test_indicator_values_bad_input(client_leader, query, status):
    response = client_leader.get(f"/api/v1/maps/indicator?{query}")
    assert response.status_code == status, response.content
    assert response.json()["detail"]


def test_a_period_before_the_merger_is_drawn_with_the_63(client_leader):
    data = client_leader.get(f"/api/v1/maps/indicator?indicator={INDICATOR}&period=2025Q2").json()
    assert data["on"] == "2025-06-30" and data["values"] == []
