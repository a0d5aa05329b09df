"""The indicator page's map in a real browser: all 34 provinces drawn and coloured by status,
Hoàng Sa and Trường Sa labelled, a click on Hà Nội opens its scorecard; a provincial leader sees
the whole outline with only its own province coloured. Screenshots are kept as artifacts
(var/artifacts/, or GIAMSAT_ARTIFACTS_DIR)."""

import pytest
from playwright.sync_api import expect

from giamsat.catalog.models import Indicator
from giamsat.evaluation.models import IndicatorValue
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.services import period_get

from .helpers import click_on_map, screenshot, sign_in

pytestmark = pytest.mark.xdist_group("browser")

INDICATOR = "HH_FIBER_RATE"
PERIOD = "2026Q3"
STATUSES = ["ACHIEVED", "ON_TRACK", "AT_RISK", "OFF_TRACK"]
HANOI = (105.85, 21.03)  # Hoàn Kiếm, inside Hà Nội at any zoom


@pytest.fixture
def fibre_values(django_db_blocker):
    """A stored value and status for each of the 34 provinces, as the evaluation leaves them."""
    with django_db_blocker.unblock():
        indicator = Indicator.objects.get(code=INDICATOR)
        period = period_get(PERIOD)
        provinces = OrgUnit.objects.filter(type="PROVINCE", valid_to__isnull=True).order_by("code")
        assert provinces.count() == 34
        IndicatorValue.objects.bulk_create(
            IndicatorValue(
                indicator=indicator,
                org_unit=unit,
                period=period,
                value=50.0 + n,
                basis="REPORTED",
                target=80.0,
                status=STATUSES[n % len(STATUSES)],
                score=n / 34,
            )
            for n, unit in enumerate(provinces)
        )
        yield
        IndicatorValue.objects.filter(indicator=indicator, period=period).delete()


def _map_ready(page):
    canvas = page.locator("#indicator-map")
    expect(canvas).to_have_attribute("data-state", "ready")
    return canvas


def test_the_map_colours_the_34_provinces_and_a_click_opens_the_scorecard(page, fibre_values):
    sign_in(page, "lanhdao.bo")
    page.goto(page.base_url + f"/evaluation/indicators/{INDICATOR}/?period={PERIOD}")
    canvas = _map_ready(page)
    expect(canvas).to_have_attribute("data-provinces", "34")
    expect(canvas).to_have_attribute("data-coloured", "34")
    expect(canvas).to_have_attribute("data-archipelagos", "Quần đảo Hoàng Sa|Quần đảo Trường Sa")
    # Drawn, not only counted: the SVG holds areas in each status colour and both labels.
    fills = canvas.evaluate(
        "el => Array.from(el.querySelectorAll('path')).map(p => (p.getAttribute('fill') || '').toLowerCase())"
    )
    for colour in ("#2e7d32", "#7cb342", "#f9a825", "#c62828"):
        assert fills.count(colour) >= 8, colour
    texts = canvas.evaluate("el => Array.from(el.querySelectorAll('text')).map(t => t.textContent)")
    assert "Quần đảo Hoàng Sa" in texts and "Quần đảo Trường Sa" in texts, texts
    expect(page.get_by_test_id("province-map")).to_contain_text("ODbL")
    expect(page.locator("[data-map-legend]")).to_contain_text("Đã đạt (9)")
    expect(page.locator("#trend-chart svg")).to_be_visible()
    expect(page.locator("#spread-chart svg")).to_be_visible()
    screenshot(page, "indicator_map_ministry_leader", full_page=True)

    click_on_map(page, "indicator-map", HANOI)
    expect(page).to_have_url(page.base_url + "/evaluation/units/P01/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hà Nội")


def test_a_provincial_leader_sees_the_outline_with_only_its_province_coloured(page, fibre_values):
    sign_in(page, "hanoi.lanhdao")
    page.goto(page.base_url + f"/evaluation/indicators/{INDICATOR}/?period={PERIOD}")
    canvas = _map_ready(page)
    expect(canvas).to_have_attribute("data-provinces", "34")
    expect(canvas).to_have_attribute("data-coloured", "1")
    expect(page.locator("[data-map-legend]")).to_contain_text("Không hiển thị")
    screenshot(page, "indicator_map_provincial_leader", full_page=True)
