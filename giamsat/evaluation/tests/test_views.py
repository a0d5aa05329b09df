"""Evaluation pages: scorecard, rankings, indicator page, explanation; scoping and query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from giamsat.catalog.models import Indicator
from giamsat.evaluation.selectors import finest_type
from giamsat.evaluation.tests.routes import INDICATOR, MONTH, QUARTERS, results_for
from giamsat.orgunits.models import OrgUnit

pytestmark = pytest.mark.django_db

PROVINCES = ["P01", "P04", "P08", "P11", "P12", "P14", "P15", "P19", "P20", "P22", "P24", "P25"]


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_scorecard_shows_values_status_target_and_rank(client_a, unit):
    results_for(unit("P01"), rank=3, peers=34, value=0.6123)
    response = client_a.get(f"/evaluation/units/P01/?period={MONTH}")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Thành phố Hà Nội" in body
    assert "0,6123" in body  # the index, 4 decimals, Vietnamese decimal comma
    assert "3 / 34" in body
    assert "▲ 1" in body  # from 4th to 3rd
    assert "70,0" in body  # the 2026Q3 value as of November, one decimal
    assert "st-AT_RISK" in body and "Có nguy cơ" in body
    assert f"/evaluation/explain/{INDICATOR}/P01/{QUARTERS[-1]}/" in body
    assert 'id="spark-data"' in body


def test_scorecard_defaults_to_the_latest_month_with_an_index(client_a, unit):
    results_for(unit("P01"))
    response = client_a.get("/evaluation/units/P01/")
    assert response.status_code == 200
    assert response.context["period"].code == MONTH


def test_scorecard_structure_switch_changes_the_rank_columns(client_a, unit):
    from giamsat.evaluation.models import IndexValue

    results_for(unit("P01"))
    IndexValue.objects.filter(org_unit__code="P01", pillar="OVERALL").update(
        rank_period=5, peers_period=63, rank_current=2, peers_current=34
    )
    assert "5 / 63" in client_a.get(f"/evaluation/units/P01/?period={MONTH}&structure=PERIOD").content.decode()
    assert "2 / 34" in client_a.get(f"/evaluation/units/P01/?period={MONTH}&structure=CURRENT").content.decode()


def test_scorecard_bad_period_is_400_and_other_province_is_refused(client_a, unit):
    results_for(unit("P08"))
    assert client_a.get("/evaluation/units/P01/?period=2026Q9").status_code == 400
    assert client_a.get("/evaluation/units/P08/").status_code in {403, 404}
    assert client_a.get("/evaluation/units/NOPE/").status_code == 404


def test_scorecard_queries_do_not_grow_with_indicators(client_a, unit):
    """One indicator or all the quarterly ones: the same number of queries."""
    results_for(unit("P01"))
    few = _queries(client_a, f"/evaluation/units/P01/?period={MONTH}")
    quarterly = Indicator.objects.prefetch_related("data_elements")
    many = [i.code for i in quarterly if finest_type(i) == "QUARTERLY"]
    assert len(many) >= 20
    results_for(unit("P01"), indicators=many)
    response = client_a.get(f"/evaluation/units/P01/?period={MONTH}")
    assert response.context["scorecard"].indicator_count == len(many)
    assert _queries(client_a, f"/evaluation/units/P01/?period={MONTH}") == few
    assert few <= 16  # the methodology in force (carry window) and the unread-notifications badge included


def test_ranking_queries_do_not_grow_with_units(client_leader, unit):
    for rank, code in enumerate(PROVINCES[:2], start=1):
        results_for(unit(code), rank=rank, value=1 - rank / 100)
    few = _queries(client_leader, f"/evaluation/rankings/?period={MONTH}&structure=CURRENT")
    for rank, code in enumerate(PROVINCES, start=1):
        results_for(unit(code), rank=rank, value=1 - rank / 100)
    response = client_leader.get(f"/evaluation/rankings/?period={MONTH}&structure=CURRENT")
    assert len(response.context["ranking"].rows) == len(PROVINCES)
    assert _queries(client_leader, f"/evaluation/rankings/?period={MONTH}&structure=CURRENT") == few


def test_ministry_leader_sees_every_province_in_rank_order(client_leader, unit):
    for rank, code in enumerate(["P04", "P01", "P08"], start=1):
        results_for(unit(code), rank=rank, peers=3, value=1 - rank / 10)
    response = client_leader.get(f"/evaluation/rankings/?period={MONTH}&pillar=OVERALL&type=PROVINCE")
    rows = response.context["ranking"].rows
    assert [r.unit.code for r in rows] == ["P04", "P01", "P08"]
    body = response.content.decode()
    assert "Tỉnh Tuyên Quang" in body and "0,9000" in body
    assert "/evaluation/units/P08/" in body


def test_provincial_user_sees_only_their_own_row(client_a, unit):
    for rank, code in enumerate(["P04", "P01", "P08"], start=1):
        results_for(unit(code), rank=rank, peers=3, value=1 - rank / 10)
    response = client_a.get(f"/evaluation/rankings/?period={MONTH}")
    body = response.content.decode()
    assert [r.unit.code for r in response.context["ranking"].rows] == ["P01"]
    assert "2 / 3" in body
    assert "Tỉnh Tuyên Quang" not in body and "0,9000" not in body and "0,7000" not in body


def test_ranking_structure_shows_the_units_in_force(client_leader, unit):
    """PERIOD ranks the units of the period's structure, CURRENT today's: a former province has
    only a period rank, today's province only a current rank (as the services store them)."""
    from giamsat.evaluation.models import IndexValue

    results_for(unit("P02_63"))
    results_for(unit("P08"))
    IndexValue.objects.filter(org_unit__code="P02_63").update(rank_current=None, peers_current=None)
    IndexValue.objects.filter(org_unit__code="P08").update(rank_period=None, peers_period=None)
    period_rows = client_leader.get(f"/evaluation/rankings/?period={MONTH}&structure=PERIOD").context["ranking"].rows
    current_rows = client_leader.get(f"/evaluation/rankings/?period={MONTH}&structure=CURRENT").context["ranking"].rows
    assert [r.unit.code for r in period_rows] == ["P02_63"]
    assert [r.unit.code for r in current_rows] == ["P08"]


def test_ranking_bad_pillar_and_bad_period_are_400(client_leader):
    assert client_leader.get("/evaluation/rankings/?pillar=NOPE").status_code == 400
    assert client_leader.get("/evaluation/rankings/?period=abc").status_code == 400


def test_indicator_page_lists_units_in_scope(client_leader, client_a, unit):
    for code in ["P01", "P08"]:
        results_for(unit(code))
    url = f"/evaluation/indicators/{INDICATOR}/?period={QUARTERS[-1]}&structure=CURRENT"
    leader = client_leader.get(url)
    assert {r.org_unit.code for r in leader.context["rows"]} == {"P01", "P08"}
    assert 'id="ranking-data"' in leader.content.decode()
    head = leader.content.decode().split('data-testid="formula"')[1].split("</span>")[0]
    assert "#{" not in head.split(">", 1)[1] and "÷" in head  # the formula in words, its codes on hover
    own = client_a.get(url)
    assert {r.org_unit.code for r in own.context["rows"]} == {"P01"}
    assert "Tỉnh Tuyên Quang" not in own.content.decode()


def test_indicator_page_shows_a_months_latest_completed_quarter(client_leader, unit):
    results_for(unit("P01"))
    response = client_leader.get(f"/evaluation/indicators/{INDICATOR}/?period={MONTH}&structure=CURRENT")
    assert response.context["period"].code == QUARTERS[-1]


def test_explanation_lists_inputs_with_basis_formula_target_and_score(client_a, unit):
    results_for(unit("P01"))
    url = f"/evaluation/explain/{INDICATOR}/P01/{QUARTERS[-1]}/"
    fragment = client_a.get(url, headers={"HX-Request": "true"})
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert "#{ADULTS_EID} / #{POP_ADULT} * 100" in body
    formula = body[body.index('data-testid="formula"') :].split("</dd>")[0]
    assert "÷" in formula and "× 100" in formula and formula.index("[") < formula.index("÷")
    assert "[ADULTS_EID]" not in formula  # the elements' names, not their codes, in words
    assert "700.000" in body and "1.000.000" in body  # the quarter's count, the year's population
    assert "Năm 2026" in body  # the yearly input is read at the containing year
    assert "Excel" in body  # the population is the unit's own value, entered through Excel
    assert "80,0" in body and "78,0" in body  # target and projection
    assert "2026" in body
    page = client_a.get(url)
    assert "<html" in page.content.decode()


def test_explanation_without_stored_value_is_404(client_a):
    assert client_a.get(f"/evaluation/explain/{INDICATOR}/P01/2019Q1/").status_code == 404
    assert client_a.get(f"/evaluation/explain/NOPE/P01/{QUARTERS[-1]}/").status_code == 404
    assert client_a.get(f"/evaluation/explain/{INDICATOR}/P01/20x/").status_code == 400


def test_explanation_hides_the_peer_range_from_a_provincial_user(client_a, client_leader, unit):
    from giamsat.evaluation.models import IndicatorValue

    results_for(unit("P01"))
    results_for(unit("P08"))
    IndicatorValue.objects.filter(org_unit__code="P08", period__code=QUARTERS[-1]).update(value=12.3456)
    url = f"/evaluation/explain/{INDICATOR}/P01/{QUARTERS[-1]}/"
    assert "12,3" not in client_a.get(url).content.decode()
    assert "12,3" in client_leader.get(url).content.decode()


def test_pages_in_english(client_leader, unit):
    results_for(unit("P01"))
    client_leader.post("/i18n/setlang/", {"language": "en", "next": "/"})
    body = client_leader.get(f"/evaluation/units/P01/?period={MONTH}").content.decode()
    assert "How status, scores and the index are computed" in body and "0.5000" in body
    client_leader.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    body = client_leader.get(f"/evaluation/units/P01/?period={MONTH}").content.decode()
    assert "Cách xác định trạng thái, điểm và chỉ số tổng hợp" in body and "0,5000" in body
    assert "Có nguy cơ" in body and "Bảng điểm" in body


def test_navigation_has_evaluation(client_a):
    assert 'href="/evaluation/rankings/"' in client_a.get("/").content.decode()


def test_units_exist():
    assert OrgUnit.objects.filter(code__in=PROVINCES).count() == len(PROVINCES)


def test_indicator_page_shows_groups_only_to_those_who_see_every_unit(client_leader, client_a, unit):
    from giamsat.evaluation.models import GroupIndicatorValue
    from giamsat.orgunits.models import OrgUnitGroup
    from giamsat.reporting.services import period_get

    results_for(unit("P01"))
    region = OrgUnitGroup.objects.get(code="REG_DBSH")
    GroupIndicatorValue.objects.create(
        indicator=Indicator.objects.get(code=INDICATOR),
        group=region,
        period=period_get(QUARTERS[-1]),
        value=71.26,
        members=6,
    )
    url = f"/evaluation/indicators/{INDICATOR}/?period={QUARTERS[-1]}"
    body = client_leader.get(url).content.decode()
    assert 'data-testid="group-values"' in body and region.name_vi in body and "71,3" in body
    assert 'data-testid="group-values"' not in client_a.get(url).content.decode()


def test_ranking_of_many_units_comes_in_pages_of_100(client_leader):
    from giamsat.evaluation.models import IndexMethodology, IndexValue
    from giamsat.reporting.services import period_get

    methodology = IndexMethodology.objects.order_by("valid_from").last()
    month = period_get(MONTH)
    communes = list(OrgUnit.objects.filter(type="COMMUNE", valid_to__isnull=True).order_by("code")[:120])
    IndexValue.objects.bulk_create(
        IndexValue(
            methodology=methodology,
            org_unit=commune,
            period=month,
            pillar="OVERALL",
            value=1 - n / 1000,
            rank_period=n + 1,
            peers_period=120,
            rank_current=n + 1,
            peers_current=120,
        )
        for n, commune in enumerate(communes)
    )
    url = f"/evaluation/rankings/?period={MONTH}&type=COMMUNE"
    first = client_leader.get(url)
    assert len(first.context["rows"]) == 100 and "1–100 trên 120" in first.content.decode()
    second = client_leader.get(url + "&page=2")
    assert [r.unit.code for r in second.context["rows"]] == [c.code for c in communes[100:]]
    # A page is read from the database on its own: the queries do not depend on its size.
    assert _queries(client_leader, url + "&page=2") == _queries(client_leader, url)


def test_evaluation_root_leads_to_the_rankings(client_a):
    response = client_a.get("/evaluation/")
    assert response.status_code == 302 and response["Location"] == "/evaluation/rankings/"


def test_explanation_page_has_a_title_and_a_way_back(client_a, unit):
    results_for(unit("P01"))
    body = client_a.get(f"/evaluation/explain/{INDICATOR}/P01/{QUARTERS[-1]}/").content.decode()
    assert "<h1>Cách tính giá trị này</h1>" in body
    crumbs = body[body.index('data-testid="explain-crumbs"') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    assert 'href="/evaluation/rankings/"' in crumbs and 'href="/evaluation/units/P01/"' in crumbs
    assert f'href="/evaluation/indicators/{INDICATOR}/?period={QUARTERS[-1]}"' in crumbs
    assert 'data-testid="explain-back"' in body


def test_registry_page_links_to_the_scorecard(client_a):
    body = client_a.get("/units/P01/").content.decode()
    assert 'href="/evaluation/units/P01/" data-testid="scorecard-link"' in body


def test_indicator_page_picks_its_period_from_the_shared_picker(client_leader, unit):
    """A quarterly indicator offers quarters and years (not months), the shown one selected."""
    results_for(unit("P01"))
    html = client_leader.get(f"/evaluation/indicators/{INDICATOR}/?period={QUARTERS[-1]}").content.decode()
    picker = html[html.index('<select id="period"') :].split("</select>")[0]
    assert f'<option value="{QUARTERS[-1]}" selected>' in picker
    assert 'label="Quý"' in picker and 'label="Năm"' in picker and 'label="Tháng"' not in picker
