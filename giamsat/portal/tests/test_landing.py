"""Issue 16, point 1: a landing page per role on the evaluated demo history — the ministry's
headline targets, index, reports and alerts; a province against the medians and nothing of
the other provinces; what a reporter must do. Every figure is checked against the stored
results it is read from."""

import datetime as dt
import html
import re

import pytest
from django.test import Client
from django.urls import reverse

from giamsat.accounts.models import User
from giamsat.alerts.tests.routes import alert_for
from giamsat.core.periods import Period as PeriodValue
from giamsat.evaluation import selectors as evaluation
from giamsat.evaluation.choices import Status, Structure
from giamsat.evaluation.models import OVERALL, IndexValue, IndicatorValue
from giamsat.evaluation.tests.conftest import DEMO_TODAY
from giamsat.orgunits.models import OrgUnit
from giamsat.portal import selectors
from giamsat.reporting import selectors as reporting

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_history")]


@pytest.fixture
def on_demo_day(monkeypatch):
    """Today is the demo history's last day, for every module the overviews read dates from."""
    for module in ("giamsat.portal.selectors", "giamsat.reporting.selectors", "giamsat.portal.views"):
        monkeypatch.setattr(f"{module}.today", lambda: DEMO_TODAY)
    return DEMO_TODAY


def _client(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _text(response) -> str:
    body = re.sub(r"<script.*?</script>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def test_the_ministry_leader_sees_every_headline_target_with_the_stored_figures(demo_evaluated, on_demo_day):
    response = _client("ministry.leader").get("/")
    assert response.status_code == 200 and response.context["landing"] == "MINISTRY"
    cards = response.context["overview"].headlines
    assert [c.indicator.code for c in cards] == list(selectors.HEADLINE_INDICATORS)
    country = OrgUnit.objects.get(type="COUNTRY")
    page = response.content.decode()
    with_figures = 0
    for card in cards:
        assert f'data-testid="headline-{card.indicator.code}"' in page
        assert reverse("evaluation:indicator_detail", args=[card.indicator.code]) in page
        if card.value is None:
            continue
        with_figures += 1
        latest = (
            IndicatorValue.objects.filter(
                indicator=card.indicator,
                org_unit=country,
                period__period_type=evaluation.finest_type(card.indicator),
            )
            .order_by("-period__end_date")
            .first()
        )
        assert card.value.pk == latest.pk
        if card.judged:
            units = IndicatorValue.objects.filter(
                indicator=card.indicator, period=card.value.period, org_unit__type=card.counted_type
            ).filter(evaluation.unit_in_force_q(Structure.PERIOD, card.value.period.end_date))
            assert card.off_track == units.filter(status=Status.OFF_TRACK).count()
            assert card.judged == units.exclude(status__in=[Status.NO_DATA, Status.NO_TARGET]).count()
    assert with_figures >= 6  # the demo history reports most of the targets' figures


def test_a_headline_judged_for_each_province_takes_its_colour_from_the_provinces():
    value = IndicatorValue(status=Status.NO_TARGET)
    card = selectors.HeadlineCard(indicator=None, value=value, judged=10, off_track=6)
    assert card.status == Status.OFF_TRACK and card.status_of_units
    card.off_track, card.at_risk = 1, 0
    assert card.status == Status.AT_RISK
    card.off_track = 0
    assert card.status == Status.ON_TRACK
    card.off_track = 5  # exactly half is not most
    assert card.status == Status.AT_RISK
    value = IndicatorValue(status=Status.ACHIEVED)
    judged = selectors.HeadlineCard(indicator=None, value=value, judged=10, off_track=9)
    assert judged.status == Status.ACHIEVED and not judged.status_of_units  # the national figure's own status


def test_the_ministry_index_panel_equals_the_ranking(demo_evaluated, on_demo_day):
    user = User.objects.get(username="ministry.leader")
    index = selectors.ministry_overview(user).index
    ranked = list(
        IndexValue.objects.filter(
            period=index.period, pillar=OVERALL, org_unit__type="PROVINCE", rank_period__isnull=False
        ).order_by("rank_period", "org_unit__code")
    )
    assert index.ranked == len(ranked) > 10
    assert [r.unit.pk for r in index.top] == [r.org_unit_id for r in ranked[:5]]
    assert [r.unit.pk for r in index.bottom] == [r.org_unit_id for r in ranked[-5:]]
    summary = evaluation.ranking_summary(user=user, period=index.period, unit_type="PROVINCE", structure="PERIOD")
    assert index.summary.national.median[OVERALL] == summary.national.median[OVERALL]


def test_the_reports_panel_equals_the_completeness_page(demo_evaluated, on_demo_day):
    for username in ("ministry.leader", "a.leader"):
        user = User.objects.get(username=username)
        rows = selectors.reports_due(user)
        assert rows
        for row in rows:
            expected = reporting.completeness(row.data_set, row.period, user)
            assert (row.expected, row.received, row.on_time) == (expected.expected, expected.received, expected.on_time)
            assert row.period == PeriodValue.containing(row.data_set.period_type, DEMO_TODAY).previous()
            assert row.late == (row.expected - row.received if row.deadline < DEMO_TODAY else 0)
    late = {r.data_set.code: r.late for r in selectors.reports_due(User.objects.get(username="ministry.leader"))}
    assert any(late.values()), "the demo history leaves some September reports missing"


def test_the_provincial_leader_sees_its_province_against_the_medians_and_no_other_province(demo_evaluated, on_demo_day):
    other = alert_for(OrgUnit.objects.get(code="P08"))
    own = alert_for(OrgUnit.objects.get(code="P01"))
    response = _client("a.leader").get("/")
    assert response.status_code == 200 and response.context["landing"] == "PROVINCE"
    overview = response.context["overview"]
    assert overview.unit.code == "P01"
    stored = IndexValue.objects.get(org_unit=overview.unit, period=overview.period, pillar=OVERALL)
    assert overview.overall.value == stored.value and overview.rank == stored.rank_period
    leader = User.objects.get(username="ministry.leader")
    national = evaluation.ranking_summary(
        user=leader, period=overview.period, unit_type="PROVINCE", structure="PERIOD"
    ).national
    assert overview.comparison.national.median[OVERALL] == pytest.approx(national.median[OVERALL])
    assert {p.code for p in overview.pillars} <= set(national.median)
    for pillar in overview.pillars:
        assert pillar.national == pytest.approx(national.median[pillar.code])
    # Its alerts only; no ranking of the other provinces on its page.
    assert [a.pk for a, _summary in overview.alerts.recent] == [own.pk]
    assert other.pk not in [a.pk for a, _summary in overview.alerts.recent]
    text = _text(response)
    assert "Tỉnh Tuyên Quang" not in text and "home-top" not in response.content.decode()
    assert {r.expected for r in overview.reports} == {1}  # its own reports only


def test_the_provincial_leader_s_off_track_list_holds_each_indicator_s_latest_status(demo_evaluated, on_demo_day):
    unit = OrgUnit.objects.get(code="P01")
    since = dt.date(2024, 1, 1)
    rows = evaluation.unit_latest_statuses(unit=unit, statuses={Status.OFF_TRACK}, since=since)
    assert rows, "Hà Nội is off track on some indicators in the demo history"
    for row in rows:
        latest = (
            IndicatorValue.objects.filter(
                indicator=row.indicator,
                org_unit=unit,
                period__period_type=evaluation.finest_type(row.indicator),
                period__end_date__gte=since,
            )
            .order_by("-period__end_date")
            .first()
        )
        assert latest.pk == row.value.pk and latest.status == Status.OFF_TRACK
        assert row.trend[-1].value == latest.value


def test_the_reporter_sees_what_is_due_and_its_alerts(demo_evaluated, on_demo_day):
    own = alert_for(OrgUnit.objects.get(code="P01"))
    alert_for(OrgUnit.objects.get(code="P08"))
    response = _client("a.reporter").get("/")
    assert response.status_code == 200 and response.context["landing"] == "REPORTER"
    overview = response.context["overview"]
    lists = reporting.reporter_lists(User.objects.get(username="a.reporter"))
    assert len(overview.lists.overdue) == len(lists.overdue)
    assert len(overview.lists.due_soon) == len(lists.due_soon)
    assert [a.pk for a, _summary in overview.alerts.recent] == [own.pk] and overview.alerts.total == 1
    # Light for a phone: no chart library on the reporter's page.
    assert "echarts" not in response.content.decode()


def test_the_landing_pages_read_a_bounded_number_of_queries(demo_evaluated, on_demo_day, django_assert_max_num_queries):
    for username, most in (("ministry.leader", 40), ("a.leader", 32), ("a.reporter", 20)):
        client = _client(username)
        with django_assert_max_num_queries(most):
            assert client.get("/").status_code == 200


def test_the_ministry_map_shows_the_chosen_target_or_the_default(demo_evaluated, on_demo_day):
    client = _client("ministry.leader")
    response = client.get("/")
    default, mapped = response.context["map_card"], response.context["map_cards"]
    assert default.counted_type == "PROVINCE" and default.judged == max(c.judged for c in mapped)
    chosen = client.get("/", {"map": "HH_FIBER_RATE"}).context["map_card"]
    assert chosen.indicator.code == "HH_FIBER_RATE"
    page = client.get("/", {"map": "HH_FIBER_RATE"}).content.decode()
    assert "indicator=HH_FIBER_RATE" in page and 'data-testid="home-map"' in page
    for wrong in ("NOPE", "DVC_FULL_ONLINE_RATE_MIN", "<script>"):  # unknown, or not the provinces'
        response = client.get("/", {"map": wrong})
        assert response.status_code == 200 and response.context["map_card"].indicator.code == default.indicator.code


def test_the_map_opens_on_the_target_judged_for_most_provinces_then_the_most_varied():
    def card(code, judged, off, risk=0):
        return selectors.HeadlineCard(
            indicator=type("I", (), {"code": code})(), value=None, judged=judged, off_track=off, at_risk=risk
        )

    cards = [card("A", 31, 10), card("B", 34, 34), card("C", 34, 7, 2), card("D", 34, 0)]
    assert selectors.map_default(cards).indicator.code == "C"
    assert selectors.map_default(cards[:2]).indicator.code == "B"
    assert selectors.map_default([]) is None


def test_an_old_national_figure_is_still_shown_with_its_trend(demo_evaluated, monkeypatch):
    """Years later, a target's last national figure (however old) is what its card shows."""
    monkeypatch.setattr("giamsat.portal.selectors.today", lambda: dt.date(2031, 1, 1))
    then = {c.indicator.code: c for c in selectors.headline_cards()}
    monkeypatch.setattr("giamsat.portal.selectors.today", lambda: DEMO_TODAY)
    now = {c.indicator.code: c for c in selectors.headline_cards()}
    assert any(card.value is not None for card in now.values())
    for code, card in now.items():
        assert (then[code].value and then[code].value.pk) == (card.value and card.value.pk)
        assert [p.code for p in then[code].trend] == [p.code for p in card.trend]
        if card.value is not None:
            assert card.trend[-1].code == card.value.period.code and len(card.trend) >= 2
