"""DHIS2 aliases: shapes, paging, and the user's scope on every listing and write."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_paging_like_dhis2(api):
    first = api.get("/api/dataElements", {"pageSize": 50}).json()
    assert first["pager"]["total"] >= 113 and first["pager"]["pageCount"] == 3
    assert len(first["dataElements"]) == 50
    everything = api.get("/api/dataElements", {"paging": "false"}).json()
    assert "pager" not in everything and len(everything["dataElements"]) == first["pager"]["total"]
    assert api.get("/api/dataElements", {"page": "x"}).status_code == 400


def test_units_are_limited_to_the_users_scope(api):
    units = api.get("/api/organisationUnits", {"level": 2, "paging": "false"}).json()["organisationUnits"]
    assert {u["id"] for u in units} == {"P01", "P01_63"}
    assert api.get("/api/organisationUnits/P08").status_code == 403
    assert api.get("/api/organisationUnits/NOPE").status_code == 404


def test_single_values_respect_scope(api):
    own = api.post(
        "/api/dataValues",
        {"de": "DOSSIERS_TOTAL", "pe": "202510", "ou": "P01", "value": "7"},
        content_type="application/json",
    )
    assert own.status_code == 201
    other = api.post(
        "/api/dataValues",
        {"de": "DOSSIERS_TOTAL", "pe": "202510", "ou": "P08", "value": "7"},
        content_type="application/json",
    )
    assert other.status_code == 409 and "phạm vi" in other.json()["message"]
    assert api.get("/api/dataValues", {"de": "DOSSIERS_TOTAL", "pe": "202510", "ou": "P08"}).status_code == 403
    assert api.get("/api/dataValues", {"de": "DOSSIERS_TOTAL", "pe": "202510", "ou": "P01"}).json()["value"] == "7"
    assert api.delete("/api/dataValues?de=DOSSIERS_TOTAL&pe=202510&ou=P08").status_code == 409
    assert api.delete("/api/dataValues?de=DOSSIERS_TOTAL&pe=202510&ou=P01").status_code == 204


def test_unauthenticated_gets_dhis2_style_401():
    response = Client().get("/api/me")
    assert response.status_code == 401 and response.json()["httpStatusCode"] == 401
