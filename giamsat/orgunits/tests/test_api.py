"""The registry API: shapes, filters, errors as JSON, scope."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(token_a):
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_a}"
    return client


def test_list_as_of_dates(client_leader):
    today = client_leader.get("/api/v1/orgunits", {"type": "PROVINCE", "on": "2026-01-01"}).json()
    before = client_leader.get("/api/v1/orgunits", {"type": "PROVINCE", "on": "30/06/2025"}).json()
    assert today["count"] == 34
    assert before["count"] == 63


def test_search_without_diacritics(client_leader):
    data = client_leader.get("/api/v1/orgunits", {"q": "ha noi", "type": "PROVINCE"}).json()
    assert [u["code"] for u in data["results"]] == ["P01", "P01_63"]


def test_detail_has_lineage_and_ancestors(api):
    data = api.get("/api/v1/orgunits/X00004").json()
    assert data["name_vi"] == "Phường Ba Đình"
    assert data["parent"] == "P01"
    assert [a["code"] for a in data["ancestors"]] == ["VN", "P01"]
    assert data["predecessors"], "Ba Đình was formed from former wards"
    assert data["area_km2"] is not None


def test_token_user_sees_only_their_province(api):
    data = api.get("/api/v1/orgunits", {"type": "PROVINCE", "limit": 1000}).json()
    codes = {u["code"] for u in data["results"]}
    assert codes == {"P01", "P01_63"}
    communes = api.get("/api/v1/orgunits", {"type": "COMMUNE", "on": "2026-01-01", "limit": 1000}).json()
    assert communes["count"] == 126
    assert all(u["path"].startswith("VN/P01/") for u in communes["results"])


def test_errors_are_json(api):
    missing = api.get("/api/v1/orgunits/NOPE")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"
    bad_date = api.get("/api/v1/orgunits", {"on": "31/02/2025"})
    assert bad_date.status_code == 400 and "dd/mm/yyyy" in bad_date.json()["detail"]
    bad_limit = api.get("/api/v1/orgunits", {"limit": "many"})
    assert bad_limit.status_code == 422
    bad_type = api.get("/api/v1/orgunits", {"type": "PLANET"})
    assert bad_type.status_code == 422


def test_unauthenticated_is_401_json():
    response = Client().get("/api/v1/orgunits")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


def test_openapi_and_docs_are_served(client_leader):
    schema = client_leader.get("/api/v1/openapi.json").json()
    assert "/api/v1/orgunits/{code}" in schema["paths"]
    assert client_leader.get("/api/v1/docs").status_code == 200
