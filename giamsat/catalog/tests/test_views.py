"""Catalogue pages: browse, search without diacritics, where used; only analysts edit."""

import pytest
from django.test import Client

from giamsat.accounts.models import User
from giamsat.catalog.models import Indicator

pytestmark = pytest.mark.django_db


def client_for(username):
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


@pytest.mark.parametrize("tab", ["elements", "indicators", "data-sets", "rules", "nonsense"])
def test_tabs(client_a, tab):
    response = client_a.get("/catalog/", {"tab": tab})
    assert response.status_code == 200
    assert 'data-testid="catalog-table"' in response.content.decode()


def test_search_without_diacritics_and_domain_filter(client_a):
    html = client_a.get("/catalog/", {"q": "ho su dung internet cap quang"}).content.decode()
    assert "HH_FIBER" in html and "DOSSIERS_TOTAL" not in html
    html = client_a.get("/catalog/", {"domain": "CYBERSEC"}).content.decode()
    assert "IS_TOTAL" in html and "HH_FIBER" not in html


def test_element_shows_where_it_is_used(client_a):
    html = client_a.get("/catalog/elements/HH_TOTAL/").content.decode()
    usage = html[html.index('data-testid="where-used"') :]
    assert "BC_TINH_QUARTERLY" in usage or "Báo cáo quý" in usage
    assert "/catalog/indicators/" in usage
    assert "/catalog/rules/HH_FIBER_LE_HH/" in usage


def test_indicator_page_shows_formula_inputs_and_targets(client_a):
    html = client_a.get("/catalog/indicators/HH_SMART_DEVICE_RATE/").content.decode()
    assert "#{HH_SMART_DEVICE} / #{HH_TOTAL} * 100" in html
    assert "/catalog/elements/HH_TOTAL/" in html
    assert "2022" in html


def test_unknown_codes_are_404(client_a):
    for url in [
        "/catalog/elements/NOPE/",
        "/catalog/indicators/NOPE/",
        "/catalog/data-sets/NOPE/",
        "/catalog/rules/NOPE/",
    ]:
        assert client_a.get(url).status_code == 404


def test_reporters_cannot_edit(client_a):
    assert client_a.get("/catalog/indicators/HH_SMART_DEVICE_RATE/edit/").status_code == 403
    assert client_a.post("/catalog/elements/HH_TOTAL/edit/", {"name_vi": "x"}).status_code == 403


def test_analyst_of_another_domain_cannot_edit():
    # phantich.vienthong owns TELECOM and IT_DX; press is not theirs.
    assert client_for("phantich.vienthong").get("/catalog/elements/PRESS_AGENCIES_TOTAL/edit/").status_code == 403


def test_invalid_expression_is_refused_with_its_position():
    client = client_for("phantich.vienthong")
    indicator = Indicator.objects.get(code="HH_SMART_DEVICE_RATE")
    data = {
        "name_vi": indicator.name_vi,
        "name_en": indicator.name_en,
        "domain": indicator.domain_id,
        "pillar": indicator.pillar,
        "expression": "#{HH_SMART_DEVICE} / #{HH_TOTALL} * 100",
        "unit_vi": "%",
        "unit_en": "%",
        "direction": indicator.direction,
        "decimals": 1,
    }
    response = client.post("/catalog/indicators/HH_SMART_DEVICE_RATE/edit/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "HH_TOTALL" in html and "22" in html  # the unknown code and where it starts
    indicator.refresh_from_db()
    assert "HH_TOTALL" not in indicator.expression
    data["expression"] = "#{HH_SMART_DEVICE} / #{HH_TOTAL} * 100 + (1"
    assert client.post("/catalog/indicators/HH_SMART_DEVICE_RATE/edit/", data).status_code == 400
    data["expression"] = "round(#{HH_SMART_DEVICE} / #{HH_TOTAL} * 100, 1)"
    assert client.post("/catalog/indicators/HH_SMART_DEVICE_RATE/edit/", data).status_code == 302
    indicator.refresh_from_db()
    assert indicator.expression.startswith("round(")
    assert set(indicator.data_elements.values_list("code", flat=True)) == {"HH_SMART_DEVICE", "HH_TOTAL"}
