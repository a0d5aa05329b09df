"""A provincial reporter signs in (in Vietnamese), browses and searches the tree, switches language."""

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from e2e.helpers import sign_in

pytestmark = pytest.mark.xdist_group("browser")


def test_reporter_searches_the_tree_without_diacritics_and_switches_language(page):
    sign_in(page)
    page.get_by_role("link", name="Danh mục đơn vị").first.click()
    expect(page.get_by_role("heading", name="Danh mục đơn vị")).to_be_visible()

    # Expand Hà Nội in the tree: its communes load through HTMX.
    page.locator("li[data-code=P01] > details > summary").click()
    expect(page.locator("li[data-code=P01]").get_by_text("Phường Ba Đình", exact=True)).to_be_visible()

    # Search without diacritics, live (HTMX) as one types.
    page.get_by_label("Tìm theo tên hoặc mã").fill("ha noi")
    results = page.get_by_test_id("search-results")
    expect(results.get_by_role("link", name="Thành phố Hà Nội", exact=True)).to_be_visible()
    assert re.search(r"q=ha(\+|%20)noi", page.url)

    # Open the unit page and check its lineage.
    results.get_by_role("link", name="Thành phố Hà Nội", exact=True).click()
    expect(page.get_by_role("heading", name="Thành phố Hà Nội", exact=True)).to_be_visible()
    expect(page.get_by_test_id("predecessors")).to_contain_text("Thành phố Hà Nội")

    # Switch to English through the user menu, keyboard only.
    page.get_by_test_id("user-menu").focus()
    page.keyboard.press("Enter")
    page.get_by_test_id("lang-en").click()
    expect(page.get_by_role("heading", name="Ha Noi City", exact=True)).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main navigation").get_by_role("link", name="Unit registry")
    ).to_be_visible()


def test_tree_date_switch_shows_63_then_34_provinces(page):
    sign_in(page, "lanhdao.bo")
    page.goto(page.base_url + "/units/")
    expect(page.get_by_text("34 tỉnh, thành phố trực thuộc trung ương")).to_be_visible()
    page.get_by_role("link", name="30/06/2025 (63 tỉnh, thành)").click()
    expect(page.get_by_text("63 tỉnh, thành phố trực thuộc trung ương")).to_be_visible()
    expect(page.locator("li[data-code=P02_63]")).to_contain_text("Tỉnh Hà Giang")


def test_phone_width_has_no_horizontal_scroll(new_context, live_url):
    context = new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.base_url = live_url
    sign_in(page)
    for path in ["/", "/units/", "/units/P01/", "/accounts/tokens/"]:
        page.goto(live_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path, overflow)


def test_on_a_phone_the_chart_axis_name_stays_clear_of_the_legend(new_context, live_url):
    """The axis name "sự kiện" ran into the legend on a 360 px phone (the legend is now below)."""
    context = new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.base_url = live_url
    sign_in(page, "lanhdao.bo")
    page.goto(live_url + "/")
    page.get_by_test_id("home-registry").locator("summary").click()  # the chart is drawn when unfolded
    expect(page.locator("#timeline-chart svg text").first).to_be_attached()
    boxes = page.evaluate(
        """() => [...document.querySelectorAll('#timeline-chart svg text')].map((t) => {
             const r = t.getBoundingClientRect();
             return {text: t.textContent, x: r.left, y: r.top, w: r.width, h: r.height};
           })"""
    )
    name = next(b for b in boxes if b["text"] == "sự kiện")
    for other in boxes:
        if other is name or not other["w"]:
            continue
        apart = (
            other["x"] >= name["x"] + name["w"]
            or name["x"] >= other["x"] + other["w"]
            or other["y"] >= name["y"] + name["h"]
            or name["y"] >= other["y"] + other["h"]
        )
        assert apart, (name, other)


def test_the_language_buttons_stay_on_one_line_on_the_sign_in_page(new_context, live_url):
    context = new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_url + "/accounts/login/")
    button = page.get_by_test_id("lang-vi")
    expect(button).to_be_visible()
    lines = button.evaluate("(b) => b.getClientRects().length === 1 && b.scrollHeight <= b.clientHeight + 1")
    height = button.evaluate("(b) => b.getBoundingClientRect().height")
    other = page.get_by_test_id("lang-en").evaluate("(b) => b.getBoundingClientRect().height")
    assert lines and abs(height - other) < 1, (height, other)


# Downloads, POST-only routes and pages that leave the site are not laid out.
NOT_PAGES = ("csv", "export", "template", "download", "logout", "read/", "acknowledge/", "recompute", "upload/")
NOT_PAGES += ("confirm/", "disable/", "setup/", "members/", "assignments/", "setlang", "healthz", "api-docs", "/files/")


def test_no_page_of_the_inventory_scrolls_sideways_on_a_phone(new_context, live_url, django_db_blocker):
    """Every page of the route inventory, as the ministry's leader, fits a 360 px phone (tables
    scroll inside their own frame) (issue 20)."""
    from giamsat.portal.tests.test_untranslated import page_urls

    with django_db_blocker.unblock():
        urls = [url for url in page_urls() if not any(part in url for part in NOT_PAGES)]
    context = new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.base_url = live_url
    sign_in(page, "lanhdao.bo")
    wide = {}
    for url in urls:
        try:
            page.goto(live_url + url, wait_until="networkidle")
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):
                continue  # a file, not a page
            raise
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 0:
            wide[url] = overflow
    assert len(urls) > 40 and wide == {}
