"""The landing pages in a browser, on the evaluated demo history: the ministry's leader sees
every headline target and the provinces' index and goes from a province to its scorecard;
Hà Nội's leader sees Hà Nội against the medians and no other province's ranking; a reporter's
page fits a 360 px phone. Screenshots are kept as artifacts (var/artifacts/, or
GIAMSAT_ARTIFACTS_DIR)."""

import re

import pytest
from playwright.sync_api import expect

from giamsat.evaluation.tests.conftest import demo_evaluated  # noqa: F401 (the fixture)
from giamsat.portal.selectors import HEADLINE_INDICATORS

from .helpers import click_on_map, screenshot, sign_in

pytestmark = pytest.mark.xdist_group("browser")

HANOI = [105.85, 21.03]  # Hoàn Kiếm, inside Hà Nội at any zoom


def test_the_ministry_leader_sees_the_sector_at_a_glance_and_drills_down(page, demo_evaluated):  # noqa: F811
    sign_in(page, "lanhdao.bo")
    targets = page.get_by_test_id("home-targets")
    for code in HEADLINE_INDICATORS:
        expect(targets.get_by_test_id(f"headline-{code}")).to_be_visible()
    expect(targets.get_by_test_id("headline-value").first).to_have_text(re.compile(r"\d"))
    expect(page.get_by_test_id("home-top").get_by_role("listitem")).to_have_count(5)
    expect(page.get_by_test_id("home-alerts")).to_be_visible()
    expect(page.get_by_test_id("home-reports")).to_contain_text("Báo cáo tháng của Sở Khoa học và Công nghệ")
    # The map of the provinces' status on a headline target, drawn offline, in today's 34.
    canvas = page.locator("#home-map-canvas")
    expect(canvas).to_have_attribute("data-state", "ready")
    expect(canvas).to_have_attribute("data-provinces", "34")
    assert int(canvas.get_attribute("data-coloured")) >= 28
    screenshot(page, "landing-ministry", full_page=True)
    first = page.get_by_test_id("home-top").get_by_role("link").first
    name = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.get_by_test_id("overall")).to_be_visible()
    # From the map: a province, then one of its indicators.
    page.go_back()
    expect(canvas).to_have_attribute("data-state", "ready")
    click_on_map(page, "home-map-canvas", HANOI)
    expect(page).to_have_url(re.compile(r"/evaluation/units/P01/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hà Nội")
    indicator = page.locator("table.scorecard a").first
    name = indicator.inner_text()
    indicator.click()
    expect(page).to_have_url(re.compile(r"/evaluation/indicators/[A-Z0-9_]+/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)


def test_the_provincial_leader_sees_its_province_against_the_medians(page, demo_evaluated):  # noqa: F811
    sign_in(page, "hanoi.lanhdao")
    expect(page.get_by_test_id("home-unit-index")).to_be_visible()
    expect(page.get_by_test_id("home-pillars")).to_contain_text("Toàn quốc")
    expect(page.get_by_test_id("home-off-track")).to_be_visible()
    expect(page.get_by_test_id("home-top")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Tỉnh Tuyên Quang")
    screenshot(page, "landing-province")
    page.get_by_test_id("home-unit-index").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hà Nội")


def test_the_reporters_page_fits_a_phone(new_context, live_url, demo_evaluated):  # noqa: F811
    context = new_context(viewport={"width": 360, "height": 760}, locale="vi-VN")
    page = context.new_page()
    page.base_url = live_url
    sign_in(page, "hanoi.baocao")
    expect(page.get_by_test_id("home-overdue")).to_be_visible()
    expect(page.get_by_test_id("overdue")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1
    screenshot(page, "landing-reporter-360px", full_page=True)
