"""The rankings on a 360 px phone: the median summary, a province's scorecard against the
country and its region, and the 63 / 34 explanation fit the screen (wide tables scroll inside
their card, the page itself does not)."""

import pytest
from playwright.sync_api import expect

from giamsat.evaluation.models import OVERALL, IndexMethodology, IndexValue
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.services import period_get

from .helpers import sign_in

pytestmark = pytest.mark.xdist_group("browser")

PILLARS = (OVERALL, "AWARENESS", "DIGITAL_GOVERNMENT")
# (unit, period, value, rank in the period's structure / peers, rank in today's / peers)
STORED = [
    ("P01", "202611", 0.71, None, (1, 34)),
    ("P48", "202611", 0.63, None, (2, 34)),
    ("P08", "202611", 0.52, None, (3, 34)),
    ("P48_63", "2024", 0.7255, (4, 63), None),
    ("P49_63", "2024", 0.4142, (60, 63), None),
    ("P48", "2024", 0.6306, None, (7, 34)),
]


@pytest.fixture
def index_rows(django_db_blocker):
    """A few stored index rows, as the evaluation services would leave them; removed afterwards."""
    with django_db_blocker.unblock():
        methodology = IndexMethodology.objects.order_by("valid_from").last()
        units = {u.code: u for u in OrgUnit.objects.filter(code__in={row[0] for row in STORED})}
        for code, period, value, before, after in STORED:
            for n, pillar in enumerate(PILLARS):
                IndexValue.objects.create(
                    methodology=methodology,
                    org_unit=units[code],
                    period=period_get(period),
                    pillar=pillar,
                    value=value - 0.01 * n,
                    rank_period=before[0] if before else None,
                    peers_period=before[1] if before else None,
                    rank_current=after[0] if after else None,
                    peers_current=after[1] if after else None,
                )
        yield
        IndexValue.objects.all().delete()


def test_rankings_and_the_63_34_explanation_fit_a_phone(new_context, live_url, index_rows):
    context = new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.base_url = live_url
    sign_in(page, "lanhdao.bo")
    pages = {
        "/evaluation/rankings/?period=202611&structure=CURRENT": "ranking-summary",
        "/evaluation/rankings/?period=2024&structure=CURRENT": "structures-link",
        "/evaluation/units/P01/?period=202611&structure=CURRENT": "comparison",
        "/evaluation/units/P48/structures/?period=2024": "structures",
    }
    for path, testid in pages.items():
        page.goto(live_url + path)
        expect(page.get_by_test_id(testid).first).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path, overflow)
    expect(page.get_by_test_id("structures-summary")).to_contain_text("4/63")
    expect(page.get_by_test_id("structures-summary")).to_contain_text("7/34")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Đà Nẵng cũ + Quảng Nam")
