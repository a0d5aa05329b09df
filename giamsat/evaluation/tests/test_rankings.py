"""Issue 13, findings 7 and 8, replayed on the demo data: names that identify (a ministry IT
unit with its ministry, a current province over past periods with what it is built from),
quarterly rankings, the national and regional median and average, and a unit's explanation
between the 63 and the 34 provinces."""

import html
import re

import pytest
from django.test import Client

from giamsat.accounts.models import User
from giamsat.evaluation.choices import Structure
from giamsat.evaluation.models import OVERALL, IndexValue
from giamsat.evaluation.selectors import ranking_summary
from giamsat.orgunits.models import OrgUnit, OrgUnitGroupMembership
from giamsat.reporting.choices import ReportStatus
from giamsat.reporting.models import Period, Report

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_history")]

SHARED_NAME = "Trung tâm Công nghệ thông tin"


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _text(response) -> str:
    """The page as a reader sees it: tags removed, entities decoded, spaces collapsed."""
    body = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _hand_median(values: list[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def _vi(value: float) -> str:
    """A 0–1 index value as a Vietnamese page writes it: 0,6130."""
    return f"{value:.4f}".replace(".", ",")


# --- finding 7: IT units of different ministries look the same ----------------------------------


def test_the_2025_ranking_of_ministries_it_units_names_each_ministry(demo_evaluated):
    rows = IndexValue.objects.filter(
        period__code="2025", pillar=OVERALL, org_unit__type="MINISTRY_IT_UNIT", rank_period__isnull=False
    ).select_related("org_unit__parent")
    shared = [r.org_unit for r in rows if r.org_unit.name_vi == SHARED_NAME]
    assert len(shared) >= 2  # the finding: two "Trung tâm Công nghệ thông tin" ranked in 2025
    body = _text(_client("ministry.leader").get("/evaluation/rankings/?period=2025&type=MINISTRY_IT_UNIT"))
    for unit in shared:
        assert f"{SHARED_NAME} — {unit.parent.name_vi}" in body
    assert len({u.parent_id for u in shared}) == len(shared)

    api = _client("ministry.leader").get("/api/v1/evaluation/indexValues?period=2025&type=MINISTRY_IT_UNIT")
    names = [r["orgUnitName"] for r in api.json()["results"]]
    assert len(names) == len(set(names)) == rows.count()
    assert all(" — Bộ " in n or " — " in n for n in names)


def test_the_review_queue_names_the_ministry_of_an_it_unit(demo_evaluated):
    units = list(
        OrgUnit.objects.filter(type="MINISTRY_IT_UNIT", name_vi=SHARED_NAME, valid_to__isnull=True).select_related(
            "parent"
        )
    )
    assert len(units) >= 2
    # One early report of each waits for the ministry (rolled back with the test).
    for unit in units:
        report = Report.objects.filter(org_unit=unit, data_set__approval_levels=0).order_by("period__end_date").first()
        assert report is not None, unit.code
        Report.objects.filter(pk=report.pk).update(status=ReportStatus.SUBMITTED)
    body = _text(_client("ministry.leader").get("/reports/"))
    queue = body[body.find("Chờ") :] if "Chờ" in body else body
    for unit in units:
        assert f"{SHARED_NAME} — {unit.parent.name_vi}" in queue, unit.code


# --- finding 8: quarters, medians, the 63 / 34 switch -------------------------------------------


def test_a_quarterly_ranking_exists_and_is_ranked(demo_evaluated):
    for structure, rank_field, peers_field, count in (
        ("PERIOD", "rank_period", "peers_period", 63),
        ("CURRENT", "rank_current", "peers_current", 34),
    ):
        rows = list(
            IndexValue.objects.filter(
                period__code="2025Q2", pillar=OVERALL, org_unit__type="PROVINCE", **{f"{rank_field}__isnull": False}
            )
        )
        assert len(rows) == count, structure
        assert {getattr(r, peers_field) for r in rows} == {count}
        by_rank = sorted(rows, key=lambda r: getattr(r, rank_field))
        assert getattr(by_rank[0], rank_field) == 1
        values = [round(r.value, 4) for r in by_rank]
        assert values == sorted(values, reverse=True)  # best first, ties share a rank
    # Quarters follow each other: the second quarter's previous ranks are the first's.
    q1 = dict(
        IndexValue.objects.filter(period__code="2025Q1", pillar=OVERALL, rank_period__isnull=False).values_list(
            "org_unit_id", "rank_period"
        )
    )
    q2 = IndexValue.objects.filter(period__code="2025Q2", pillar=OVERALL, rank_period__isnull=False)
    assert all(r.previous_rank_period == q1.get(r.org_unit_id) for r in q2)

    client = _client("ministry.leader")
    page = client.get("/evaluation/rankings/?period=2025Q2")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'optgroup label="Quý"' in body and 'value="2025Q2" selected' in body
    assert "Quý II/2025" in _text(page)
    assert len(page.context["rows"]) == 63
    api = client.get("/api/v1/evaluation/indexValues?period=2025Q2&structure=CURRENT")
    assert api.status_code == 200 and api.json()["count"] == 34 and api.json()["period"] == "2025Q2"


def test_medians_and_averages_match_a_hand_computation(demo_evaluated):
    period = Period.objects.get(code="2025Q2")
    rows = IndexValue.objects.filter(period=period, org_unit__type="PROVINCE", rank_period__isnull=False)
    overall = [v for v, p in rows.values_list("value", "pillar") if p == OVERALL]
    region_units = set(
        OrgUnitGroupMembership.objects.filter(group__code="REG_DBSH").values_list("org_unit_id", flat=True)
    )
    regional = [r.value for r in rows.filter(pillar=OVERALL) if r.org_unit_id in region_units]
    awareness = [r.value for r in rows.filter(pillar="AWARENESS")]
    assert len(overall) == 63 and len(regional) == 11

    summary = ranking_summary(
        user=User.objects.get(username="ministry.leader"), period=period, unit_type="PROVINCE", structure="PERIOD"
    )
    assert summary.national.count == 63
    assert summary.national.median[OVERALL] == pytest.approx(_hand_median(overall), abs=1e-12)
    assert summary.national.average[OVERALL] == pytest.approx(sum(overall) / len(overall), abs=1e-12)
    assert summary.national.median["AWARENESS"] == pytest.approx(_hand_median(awareness), abs=1e-12)
    dbsh = summary.region("REG_DBSH")
    assert dbsh.count == 11
    assert dbsh.median[OVERALL] == pytest.approx(_hand_median(regional), abs=1e-12)
    assert dbsh.average[OVERALL] == pytest.approx(sum(regional) / len(regional), abs=1e-12)
    assert len(summary.regions) == 6

    # The ranking page shows them under the table, to the ministry leader ...
    page = _client("ministry.leader").get("/evaluation/rankings/?period=2025Q2")
    text = _text(page)
    assert "Trung vị và trung bình" in text
    assert f"Toàn quốc (63 đơn vị) Trung vị {_vi(_hand_median(overall))}" in text
    assert f"Trung bình {_vi(sum(overall) / len(overall))}" in text
    assert page.context["chart"]["lines"][0]["value"] == round(_hand_median(overall), 4)
    api = _client("ministry.leader").get("/api/v1/evaluation/indexValues?period=2025Q2").json()["summary"]
    assert [g["group"] for g in api][:2] == ["NATIONAL", "REG_BTB_DHMT"] and len(api) == 7
    assert api[0]["units"] == 63 and api[0]["median"][OVERALL] == pytest.approx(_hand_median(overall), abs=1e-12)

    # ... and to Hà Nội's leader, who sees one row: the country and their own region only,
    # also drawn across their bar and on their scorecard.
    leader = _client("a.leader")
    page = leader.get("/evaluation/rankings/?period=2025Q2&structure=CURRENT")
    current = IndexValue.objects.filter(period=period, org_unit__type="PROVINCE", rank_current__isnull=False)
    national = [r.value for r in current.filter(pillar=OVERALL)]
    assert [r.unit.code for r in page.context["rows"]] == ["P01"]
    groups = page.context["summary"].groups
    assert [g.code for g in groups] == ["NATIONAL", "REG_DBSH"]
    assert groups[0].median[OVERALL] == pytest.approx(_hand_median(national), abs=1e-12)
    assert [line["value"] for line in page.context["chart"]["lines"]] == [
        round(groups[0].median[OVERALL], 4),
        round(groups[1].median[OVERALL], 4),
    ]
    card = leader.get("/evaluation/units/P01/?period=2025Q2&structure=CURRENT")
    comparison = card.context["comparison"]
    assert comparison.national.median[OVERALL] == pytest.approx(_hand_median(national), abs=1e-12)
    assert comparison.region.code == "REG_DBSH"
    assert "So với cả nước và vùng" in _text(card) and _vi(_hand_median(national)) in _text(card)
    awareness = [r.value for r in current.filter(pillar="AWARENESS")]
    assert f"trung vị: cả nước {_vi(_hand_median(awareness))}, Đồng bằng sông Hồng" in _text(card)


def test_a_current_province_over_a_past_period_says_what_it_is_built_from_everywhere(demo_evaluated):
    client = _client("ministry.leader")
    label = "Thành phố Đà Nẵng (Đà Nẵng cũ + Quảng Nam)"
    assert label in _text(client.get("/evaluation/units/P48/?period=2024&structure=CURRENT"))
    assert label in _text(client.get("/evaluation/indicators/HH_FIBER_RATE/?period=2024&structure=CURRENT"))
    assert label in _text(client.get("/evaluation/explain/HH_FIBER_RATE/P48/2024/"))
    assert client.get("/api/v1/evaluation/scorecards/P48?period=2024").json()["orgUnitName"] == label
    # In the period's structure, the former provinces are themselves.
    text = _text(client.get("/evaluation/indicators/HH_FIBER_RATE/?period=2024&structure=PERIOD"))
    assert "Tỉnh Quảng Nam" in text and label not in text


def test_a_small_region_is_not_summarised_for_a_user_who_cannot_see_it_all(demo_evaluated):
    period = Period.objects.get(code="2025Q2")
    # Today's Đông Nam Bộ has 3 provinces: their average and Hồ Chí Minh's value would give the
    # other two away to Hồ Chí Minh's users; the ministry sees it.
    ministry = User.objects.get(username="ministry.leader")
    everything = ranking_summary(user=ministry, period=period, unit_type="PROVINCE", structure=Structure.CURRENT)
    assert everything.region("REG_DNB").count == 3
    b_leader = User.objects.get(username="b.leader")  # Tuyên Quang: Trung du và miền núi phía Bắc, 9 provinces
    scoped = ranking_summary(user=b_leader, period=period, unit_type="PROVINCE", structure=Structure.CURRENT)
    assert [g.code for g in scoped.groups] == ["NATIONAL", "REG_TDMNPB"]


def test_the_63_34_explanation_of_da_nang_names_its_predecessors_and_both_ranks(demo_evaluated):
    period = "2024"
    rows = {
        (r.org_unit.code, r.pillar): r
        for r in IndexValue.objects.filter(
            period__code=period, org_unit__code__in=["P48", "P48_63", "P49_63"]
        ).select_related("org_unit")
    }
    old_danang, quang_nam, danang = rows[("P48_63", OVERALL)], rows[("P49_63", OVERALL)], rows[("P48", OVERALL)]
    assert old_danang.peers_period == 63 and danang.peers_current == 34

    client = _client("ministry.leader")
    # The ranking in today's structure says what Đà Nẵng is built from and links to why it moved.
    ranking = client.get(f"/evaluation/rankings/?period={period}&structure=CURRENT")
    text = _text(ranking)
    assert "Thành phố Đà Nẵng (Đà Nẵng cũ + Quảng Nam)" in text
    assert f"/evaluation/units/P48/structures/?period={period}" in ranking.content.decode()

    page = client.get(f"/evaluation/units/P48/structures/?period={period}")
    assert page.status_code == 200
    text = _text(page)
    assert "Thành phố Đà Nẵng (Đà Nẵng cũ + Quảng Nam)" in text
    assert f"Đà Nẵng cũ ({_vi(old_danang.value)}, hạng {old_danang.rank_period}/63)" in text
    assert f"Quảng Nam ({_vi(quang_nam.value)}, hạng {quang_nam.rank_period}/63)" in text
    before = f"Đà Nẵng cũ {_vi(old_danang.value)}, hạng {old_danang.rank_period}/63 trong cơ cấu của kỳ"
    after = f"{_vi(danang.value)}, hạng {danang.rank_current}/34 trong cơ cấu hiện nay"
    assert before in text and after in text, text[:2000]
    assert "Đơn vị được so sánh với 34 đơn vị thay vì 63" in text
    x = page.context["x"]
    assert [p.code for p in x.predecessors] == ["P48_63", "P49_63"]
    awareness = next(p for p in x.pillars if p.code == "AWARENESS")
    assert awareness.main.value == rows[("P48_63", "AWARENESS")].value
    assert awareness.current.value == rows[("P48", "AWARENESS")].value
    assert x.drivers and all(d.change is not None for d in x.drivers)

    # A former province's address leads to the province it became.
    former = client.get(f"/evaluation/units/P49_63/structures/?period={period}")
    assert former.status_code == 200 and former.context["unit"].code == "P48"
    # After the merger there is one structure only: said, not an error.
    after_merger = client.get("/evaluation/units/P48/structures/?period=2025Q3")
    assert after_merger.status_code == 200 and after_merger.context["x"] is None
    assert "chỉ có một thứ hạng" in _text(after_merger)
    # Another province's users do not see it.
    assert _client("b.leader").get(f"/evaluation/units/P48/structures/?period={period}").status_code == 403
