"""Registry pages: tree, search, date switch, unit page; bad input never gives a 500."""

import pytest

pytestmark = pytest.mark.django_db


def test_tree_today_shows_34_provinces_in_vietnamese(client_leader):
    response = client_leader.get("/units/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Danh mục đơn vị" in html
    assert "34 tỉnh, thành phố trực thuộc trung ương" in html
    assert "Thành phố Hà Nội" in html
    assert "Tỉnh Hà Giang" not in html


def test_tree_as_of_30_06_2025_shows_63_provinces(client_leader):
    response = client_leader.get("/units/", {"on": "30/06/2025"})
    html = response.content.decode()
    assert "63 tỉnh, thành phố trực thuộc trung ương" in html
    assert "Tỉnh Hà Giang" in html
    assert "Tỉnh Bình Dương" in html


def test_search_without_diacritics(client_leader):
    response = client_leader.get("/units/", {"q": "ha noi"})
    html = response.content.decode()
    assert "Thành phố Hà Nội" in html
    results = html[html.index('data-testid="search-results"') :]
    assert results.index("Thành phố Hà Nội") < results.index("Sở Khoa học và Công nghệ thành phố Hà Nội")


def test_a_former_province_found_by_its_name_today_says_what_it_became(client_leader):
    """Searching "quang nam" today found only a commune of Cao Bằng: the former province is
    listed under the current units, with Đà Nẵng, which it went into on 01/07/2025."""
    html = client_leader.get("/units/", {"q": "quang nam"}).content.decode()
    former = html[html.index('data-testid="former-results"') :]
    assert "Tỉnh Quảng Nam" in former
    entry = former[former.index("Tỉnh Quảng Nam") :].split("</li>")[0]
    assert "Thành phố Đà Nẵng" in entry and "01/07/2025" in entry


def test_former_units_are_searched_within_scope(client_a):
    html = client_a.get("/units/", {"q": "ha giang"}).content.decode()
    assert "Tỉnh Hà Giang" not in html  # province B's predecessor: not province A's reporter's to see


def test_search_partial_for_htmx(client_leader):
    response = client_leader.get("/units/", {"q": "dak lak"}, headers={"HX-Request": "true", "HX-Target": "tree-body"})
    html = response.content.decode()
    assert "<html" not in html
    assert "Tỉnh Đắk Lắk" in html


def test_search_by_province_a_reporter_finds_nothing_of_province_b(client_a):
    html = client_a.get("/units/", {"q": "tuyen quang"}).content.decode()
    assert "Tỉnh Tuyên Quang" not in html
    html = client_a.get("/units/", {"q": "ha giang", "on": "30/06/2025"}).content.decode()
    assert "Tỉnh Hà Giang" not in html


def test_tree_of_province_a_reporter_lists_only_their_province(client_a):
    html = client_a.get("/units/").content.decode()
    assert "Thành phố Hà Nội" in html
    assert "Tỉnh Tuyên Quang" not in html
    assert "Chính phủ" not in html


def test_children_partial_lists_communes(client_a):
    response = client_a.get("/units/P01/children/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Phường Ba Đình" in html
    assert "Sở Khoa học và Công nghệ thành phố Hà Nội" in html


def test_unit_page_shows_parents_children_and_lineage(client_leader):
    html = client_leader.get("/units/P08/").content.decode()
    assert "Tỉnh Tuyên Quang" in html
    assert "Việt Nam" in html  # parent
    assert "Tỉnh Hà Giang" in html  # predecessor
    assert "Xã Thượng Lâm" in html  # child
    former = client_leader.get("/units/P02_63/").content.decode()
    assert "hết hiệu lực" in former
    assert 'data-testid="successors"' in former


@pytest.mark.parametrize("code", ["NOPE", "P99", "x" * 300, "%3Cscript%3E", "P01'--"])
def test_unknown_unit_code_is_a_clear_404(client_leader, code):
    response = client_leader.get(f"/units/{code}/")
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


@pytest.mark.parametrize("bad", ["31/02/2025", "yesterday", "2025-99-01", "%00"])
def test_malformed_date_is_a_clear_400(client_leader, bad):
    response = client_leader.get("/units/", {"on": bad})
    assert response.status_code == 400
    assert "dd/mm/yyyy" in response.content.decode()
    response = client_leader.get("/units/P01/children/", {"on": bad})
    assert response.status_code == 400


def test_tree_page_queries_do_not_grow_with_units(client_leader, django_assert_max_num_queries):
    with django_assert_max_num_queries(15):
        client_leader.get("/units/")
    with django_assert_max_num_queries(15):
        client_leader.get("/units/VN/children/", {"on": "30/06/2025"})


def test_english_switch(client_leader):
    response = client_leader.post("/i18n/setlang/", {"language": "en", "next": "/units/"})
    assert response.status_code == 302
    html = client_leader.get("/units/").content.decode()
    assert "Unit registry" in html
    assert "Ha Noi City" in html
    client_leader.post("/i18n/setlang/", {"language": "vi", "next": "/units/"})
    assert "Danh mục đơn vị" in client_leader.get("/units/").content.decode()


def test_vietnamese_is_the_default_whatever_the_browser_says(client_leader):
    html = client_leader.get("/units/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert "Danh mục đơn vị" in html


def test_home_numbers_use_vietnamese_grouping(client_leader):
    html = client_leader.get("/").content.decode()
    assert "3.321" in html  # communes today
    assert "Tổng quan" in html
