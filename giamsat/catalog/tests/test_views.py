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


@pytest.mark.parametrize("tab", ["elements", "indicators", "data-sets", "rules", "domains", "nonsense"])
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
    formula = html[html.index('data-testid="formula"') :].split("</p>")[0]
    assert "[Số hộ có điện thoại thông minh hoặc máy tính bảng] ÷ [Tổng số hộ gia đình] × 100" in formula


def test_rule_page_spells_the_check_with_the_elements_names(client_a):
    html = client_a.get("/catalog/rules/HH_SMART_LE_HH/").content.decode()
    formula = html[html.index('data-testid="formula"') :].split("</p>")[0]
    assert "[Số hộ có điện thoại thông minh hoặc máy tính bảng]" in formula and "[Tổng số hộ gia đình]" in formula
    assert "#{HH_TOTAL}" in html  # the codes are kept below, for those who write rules


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


def test_press_domain_changed_owner_in_2025(client_a):
    html = client_a.get("/catalog/", {"tab": "domains"}).content.decode()
    press = html[html.index("<code>PRESS</code>") :]
    press = press[: press.index("</tr>")]
    assert "Bộ Thông tin và Truyền thông" in press and "Bộ Văn hóa, Thể thao và Du lịch" in press
    assert "28/02/2025" in press and "01/03/2025" in press


def test_analyst_creates_an_element_an_indicator_and_a_target():
    from giamsat.catalog.models import DataElement, Domain, Target

    client = client_for("phantich.vienthong")
    telecom = Domain.objects.get(code="TELECOM")
    response = client.post(
        "/catalog/elements/new/",
        {
            "code": "BTS_6G",
            "name_vi": "Số trạm 6G",
            "name_en": "6G stations",
            "domain": telecom.pk,
            "value_type": "INTEGER",
            "unit_vi": "trạm",
            "unit_en": "stations",
            "aggregation": "SUM_LAST",
            "period_type": "QUARTERLY",
            "min_value": "0",
        },
    )
    assert response.status_code == 302
    assert DataElement.objects.filter(code="BTS_6G").exists()
    bad_code = client.post("/catalog/elements/new/", {"code": "bts 7g", "name_vi": "x", "domain": telecom.pk})
    assert bad_code.status_code == 400
    indicator = {
        "code": "BTS_6G_SHARE",
        "name_vi": "Tỷ lệ trạm 6G",
        "domain": telecom.pk,
        "pillar": "INFRASTRUCTURE",
        "expression": "#{BTS_6G} / (#{BTS_4G} + #{BTS_5G} + #{BTS_6G}) * 100",
        "unit_vi": "%",
        "direction": "HIGHER_IS_BETTER",
        "decimals": 1,
    }
    assert client.post("/catalog/indicators/new/", indicator).status_code == 302
    target = {"scope": "NATIONAL", "year": 2030, "value": "10", "baseline_value": "0", "baseline_year": 2026}
    assert client.post("/catalog/indicators/BTS_6G_SHARE/targets/new/", target).status_code == 302
    assert Target.objects.filter(indicator__code="BTS_6G_SHARE", year=2030).exists()
    missing_unit = {"scope": "UNIT", "year": 2030, "value": "10"}
    assert client.post("/catalog/indicators/BTS_6G_SHARE/targets/new/", missing_unit).status_code == 400


def test_analyst_cannot_create_in_another_domain():
    from giamsat.catalog.models import Domain

    press = Domain.objects.get(code="PRESS")
    response = client_for("phantich.vienthong").post(
        "/catalog/elements/new/",
        {
            "code": "PRESS_NEW",
            "name_vi": "x",
            "domain": press.pk,
            "value_type": "INTEGER",
            "aggregation": "SUM",
            "period_type": "YEARLY",
        },
    )
    assert response.status_code == 403


def test_analyst_edits_a_data_sets_figures_and_who_reports_it():
    from giamsat.catalog.models import DataSet

    client = client_for("phantich.vienthong")
    data_set = DataSet.objects.get(code="BC_TINH_QUARTERLY")
    html = client.get("/catalog/data-sets/BC_TINH_QUARTERLY/").content.decode()
    assert "Thêm chỉ tiêu" in html or 'name="data_element"' in html
    assert client.post("/catalog/data-sets/BC_TINH_QUARTERLY/members/HH_FIBER/remove/").status_code == 302
    assert not data_set.members.filter(data_element__code="HH_FIBER").exists()
    response = client.post(
        "/catalog/data-sets/BC_TINH_QUARTERLY/members/", {"data_element": "HH_FIBER", "section": "Hạ tầng số"}
    )
    assert response.status_code == 302
    assert data_set.members.get(data_element__code="HH_FIBER").section.name_vi == "Hạ tầng số"
    # A monthly figure does not fit a quarterly data set: it is not even offered.
    assert (
        client.post("/catalog/data-sets/BC_TINH_QUARTERLY/members/", {"data_element": "DOSSIERS_TOTAL"}).status_code
        == 400
    )
    added = client.post(
        "/catalog/data-sets/BC_TINH_QUARTERLY/assignments/",
        {"kind": "UNIT", "org_unit": "CNTT.BO_TAICHINH", "valid_from": "01/01/2026"},
    )
    assert added.status_code == 302
    assignment = data_set.assignments.get(org_unit__code="CNTT.BO_TAICHINH")
    bad = client.post("/catalog/data-sets/BC_TINH_QUARTERLY/assignments/", {"kind": "UNIT", "org_unit": "NOPE"})
    assert bad.status_code == 400 and "NOPE" not in bad.content.decode().split("errorlist")[0][-5:]
    ended = client.post(
        f"/catalog/data-sets/BC_TINH_QUARTERLY/assignments/{assignment.pk}/end/", {"valid_to": "31/12/2026"}
    )
    assert ended.status_code == 302
    assignment.refresh_from_db()
    assert str(assignment.valid_to) == "2026-12-31"


def test_reporters_cannot_change_data_sets(client_a):
    assert client_a.post("/catalog/data-sets/BC_TINH_QUARTERLY/members/HH_FIBER/remove/").status_code == 403
    assert (
        client_a.post(
            "/catalog/data-sets/BC_TINH_QUARTERLY/assignments/", {"kind": "UNIT_TYPE", "unit_type": "COMMUNE"}
        ).status_code
        == 403
    )


def test_expression_errors_speak_vietnamese():
    import html as html_lib

    client = client_for("phantich.vienthong")
    indicator = Indicator.objects.get(code="HH_SMART_DEVICE_RATE")
    data = {
        "name_vi": indicator.name_vi,
        "name_en": indicator.name_en,
        "domain": indicator.domain_id,
        "pillar": indicator.pillar,
        "expression": "#{HH_SMART_DEVICE} / #{HH_TOTAL",
        "unit_vi": "%",
        "unit_en": "%",
        "direction": indicator.direction,
        "decimals": 1,
    }
    response = client.post("/catalog/indicators/HH_SMART_DEVICE_RATE/edit/", data)
    text = html_lib.unescape(response.content.decode())
    assert response.status_code == 400
    assert "tham chiếu chưa được đóng: thiếu '}' (tại vị trí 22)" in text
    assert "reference is not closed" not in text
    data["expression"] = "round(#{HH_TOTAL} 2)"
    text = html_lib.unescape(client.post("/catalog/indicators/HH_SMART_DEVICE_RATE/edit/", data).content.decode())
    assert "không mong đợi số '2', cần một phép toán, ',' hoặc ')' (tại vị trí 19)" in text


def test_edit_pages_have_a_breadcrumb_back_to_the_item(client_admin):
    html = client_admin.get("/catalog/indicators/HH_FIBER_RATE/edit/").content.decode()
    crumbs = html[html.index('class="crumbs"') :].split("</nav>")[0]
    assert 'href="/catalog/"' in crumbs and 'href="/catalog/indicators/HH_FIBER_RATE/"' in crumbs
    new = client_admin.get("/catalog/indicators/new/").content.decode()
    assert 'href="/catalog/"' in new[new.index('class="crumbs"') :].split("</nav>")[0]
