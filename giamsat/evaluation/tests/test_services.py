"""Evaluation on the demo history across the 2025 merger (October 2024 to September 2025):
lineage sums for all 34 provinces, a trend without a gap, refresh after a change equal to a
full recompute, and the results' fingerprint shared by SQLite and PostgreSQL.

The history is loaded and evaluated once for the module (committed, like the demo history
tests in the same xdist group) and removed when the module ends.
"""

import contextlib
import datetime as dt
import hashlib
import random
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.db.models import Sum

from giamsat.accounts.models import User
from giamsat.catalog.models import DataElement, Indicator, Target
from giamsat.catalog.services import catalog_load
from giamsat.core.periods import Period as PeriodValue
from giamsat.evaluation.choices import ReportsState
from giamsat.evaluation.models import ElementFigure, GroupIndicatorValue, IndexValue, IndicatorValue
from giamsat.evaluation.selectors import explanation_get
from giamsat.evaluation.services import evaluation_recompute, evaluation_refresh, report_states_refresh
from giamsat.events.choices import EventKind
from giamsat.events.models import Event, EventDelivery
from giamsat.orgunits.models import OrgUnit, OrgUnitLineage
from giamsat.reporting import demo
from giamsat.reporting.choices import Channel
from giamsat.reporting.models import DataValue, Period, Report
from giamsat.reporting.services import ValueInput, data_values_write
from giamsat.testing.forms import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_history")]

FIRST = dt.date(2024, 10, 1)
LAST = dt.date(2025, 9, 30)
TODAY = dt.date(2025, 10, 15)
YEARS = [2024, 2025]


def _clear_results():
    for model in (IndexValue, IndicatorValue, GroupIndicatorValue, ElementFigure):
        model.objects.all().delete()


@pytest.fixture(scope="module")
def evaluated(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        catalog_load()
        demo.demo_model.cache_clear()
        had_user = User.objects.filter(username=demo.SYSTEM_USERNAME).exists()
        demo.demo_history_load(first=FIRST, last=LAST, today=TODAY)
        summary = evaluation_recompute(years=YEARS)
        try:
            yield summary
        finally:
            _clear_results()
            demo.demo_history_reset()
            if not had_user:
                User.objects.filter(username=demo.SYSTEM_USERNAME).delete()


def current_provinces() -> dict[OrgUnit, list[OrgUnit]]:
    links = defaultdict(list)
    for link in OrgUnitLineage.objects.filter(
        successor__type="PROVINCE", successor__valid_from=dt.date(2025, 7, 1)
    ).select_related("predecessor", "successor"):
        links[link.successor].append(link.predecessor)
    return links


def raw_sum(element: str, units: list[OrgUnit], period: str) -> float:
    total = DataValue.objects.filter(
        data_element__code=element, org_unit__in=units, period__code=period, value__isnull=False
    ).aggregate(s=Sum("value"))["s"]
    return float(total)


def test_fibre_rate_2024_of_every_current_province_is_its_former_provinces(evaluated):
    provinces = current_provinces()
    assert len(provinces) == 34
    for province, former in provinces.items():
        stored = IndicatorValue.objects.get(indicator__code="HH_FIBER_RATE", org_unit=province, period__code="2024")
        # By hand: the former provinces' households with fibre over their households, end of 2024.
        by_hand = raw_sum("HH_FIBER", former, "2024Q4") / raw_sum("HH_TOTAL", former, "2024Q4") * 100
        assert stored.value == pytest.approx(by_hand, rel=1e-12), province.code
        assert stored.basis == "LINEAGE"


def test_merged_provinces_trend_has_no_gap_at_the_merger(evaluated):
    merged = [p for p, former in current_provinces().items() if len(former) > 1]
    assert merged
    quarterly = IndicatorValue.objects.filter(indicator__code="HH_FIBER_RATE", org_unit__in=merged)
    by_unit = defaultdict(dict)
    for unit_id, code, value, basis in quarterly.values_list("org_unit_id", "period__code", "value", "basis"):
        by_unit[unit_id][code] = (value, basis)
    continued = 0
    for province in merged:
        series = by_unit[province.pk]
        # Before the merger, from the former provinces, every quarter.
        assert {"2024Q4", "2025Q1", "2025Q2"} <= series.keys(), province.code
        assert series["2025Q2"][1] == "LINEAGE"
        # After it, the province's own reports (a few of the third quarter's are still missing
        # on 15/10/2025, as in real life); the demo's series continue without a jump.
        if "2025Q3" in series:
            continued += 1
            assert series["2025Q3"][1] == "REPORTED"
            assert abs(series["2025Q3"][0] - series["2025Q2"][0]) < 10
    assert continued >= 0.8 * len(merged)
    monthly = set(
        IndicatorValue.objects.filter(org_unit__in=merged, period__code__in=["202506", "202507"]).values_list(
            "org_unit_id", "period__code"
        )
    )
    assert all((province.pk, "202506") in monthly for province in merged)
    assert sum((province.pk, "202507") in monthly for province in merged) >= 0.8 * len(merged)


def test_index_ranks_in_both_structures(evaluated):
    june = IndexValue.objects.filter(period__code="202506", pillar="OVERALL", org_unit__type="PROVINCE")
    former = june.filter(rank_period__isnull=False)
    current = june.filter(rank_current__isnull=False)
    assert former.count() == 63 and {v.peers_period for v in former} == {63}
    assert current.count() == 34 and {v.peers_current for v in current} == {34}
    ranks = sorted(current.values_list("rank_current", flat=True))
    assert ranks[0] == 1 and max(ranks) <= 34
    assert all(0 <= v <= 1 for v in june.values_list("value", flat=True))
    july = IndexValue.objects.filter(period__code="202507", pillar="OVERALL", org_unit__type="PROVINCE")
    assert july.filter(previous_rank_current__isnull=False).count() == 34


def test_groups_count_the_members_in_force_at_the_period_end(evaluated):
    def values(group, period):
        return GroupIndicatorValue.objects.get(indicator__code="HH_FIBER_RATE", group__code=group, period__code=period)

    def national(period):
        return IndicatorValue.objects.get(indicator__code="HH_FIBER_RATE", org_unit__code="VN", period__code=period)

    # "All provinces" in either structure is the nation, each in its own time.
    assert values("PROVINCES_63", "2025Q2").value == pytest.approx(national("2025Q2").value, rel=1e-12)
    assert values("PROVINCES_63", "2025Q2").members == 63
    assert values("PROVINCES_34", "2025Q3").value == pytest.approx(national("2025Q3").value, rel=1e-12)
    assert not GroupIndicatorValue.objects.filter(group__code="PROVINCES_34", period__code="2025Q2").exists()
    # The regions list former and current provinces: 63 members count in June, 34 in July.
    regions = GroupIndicatorValue.objects.filter(group__code__startswith="REG_", indicator__code="HH_FIBER_RATE")
    assert sum(regions.filter(period__code="2025Q2").values_list("members", flat=True)) == 63
    assert sum(regions.filter(period__code="2025Q3").values_list("members", flat=True)) == 34


def _latest_within(element: str, unit: OrgUnit, year: int) -> tuple[str, float] | None:
    row = (
        DataValue.objects.filter(
            data_element__code=element, org_unit=unit, period__period_type="MONTHLY", value__isnull=False
        )
        .filter(period__start_date__year=year)
        .order_by("-period__start_date")
        .values_list("period__code", "value")
        .first()
    )
    return None if row is None else (row[0], float(row[1]))


def test_a_merged_provinces_stock_takes_each_former_provinces_latest_figure(evaluated):
    """Issue 13, finding 2: a former province that missed the last month still counts, with
    the figure of the last month it reported, and the explanation says which month that is."""
    element = DataElement.objects.get(code="DX_PROJECTS_TOTAL")
    checked, dated = 0, 0
    for province, former in current_provinces().items():
        latest = [found for unit in former if (found := _latest_within("DX_PROJECTS_TOTAL", unit, 2024))]
        if not latest:
            continue
        stored = ElementFigure.objects.get(data_element=element, org_unit=province, period__code="2024")
        assert stored.value == pytest.approx(sum(v for _p, v in latest)), province.code
        checked += 1
        if any(code != "202412" for code, _v in latest):
            dated += 1
            x = explanation_get(
                user=User.objects.get(username="lanhdao.bo"),
                indicator=Indicator.objects.get(code="DX_PROJECTS_COUNT"),
                unit=province,
                period=PeriodValue.parse("2024"),
            )
            parts = x.inputs[0].parts
            assert {p.unit for p in parts} == {u for u in former if _latest_within("DX_PROJECTS_TOTAL", u, 2024)}
            assert {p.as_of.code for p in parts if p.as_of} == {code for code, _v in latest}
    assert checked == 34
    # The figures, on the same deterministic demo: Đà Nẵng and Hồ Chí Minh for 2024.
    totals = dict(
        ElementFigure.objects.filter(
            data_element=element, org_unit__code__in=["P48", "P79"], period__code="2024"
        ).values_list("org_unit__code", "value")
    )
    assert totals == {"P48": 80.0, "P79": 106.0}


def test_yes_no_figures_of_a_merged_province_are_yes_or_no(evaluated):
    """Issue 13, finding 4: "has a DX resolution" of a province made of two is yes when both
    had one (the catalogue's rule), never 2; the nation still counts the provinces saying yes."""
    element = DataElement.objects.get(code="DX_RESOLUTION_ISSUED")
    assert element.lineage_rule == "ALL"
    system = User.objects.get(username=demo.SYSTEM_USERNAME)
    year = Period.objects.get(code="2024")
    merged = sorted(((p, f) for p, f in current_provinces().items() if len(f) > 1), key=lambda pair: pair[0].code)
    (both, both_former), (mixed, mixed_former) = merged[:2]
    answers = dict.fromkeys(both_former, 1) | dict.fromkeys(mixed_former, 1) | {mixed_former[-1]: 0}
    with contextlib.suppress(_Rollback), transaction.atomic():
        Report.objects.filter(period=year).update(status="DRAFT")
        result = data_values_write(
            inputs=[
                ValueInput(data_element=element, org_unit=unit, period=year, value=Decimal(v), comment="")
                for unit, v in answers.items()
            ],
            by=system,
            channel=Channel.FORM,
        )
        assert not result.problems, result.problems
        evaluation_refresh(changes={(unit.pk, year.pk) for unit in answers})

        def figure(unit):
            return ElementFigure.objects.get(data_element=element, org_unit=unit, period=year).value

        assert figure(both) == 1.0 and figure(mixed) == 0.0
        national = figure(OrgUnit.objects.get(code="VN"))
        yes = DataValue.objects.filter(data_element=element, period=year, value=1, org_unit__type="PROVINCE")
        assert national == yes.count() >= len(both_former) + len(mixed_former) - 1
        raise _Rollback


def test_peers_are_the_units_of_the_same_structure(evaluated):
    """Issue 13, finding 3: a current province over 2024 is compared with the 34, a former one
    with the 63 — never the 97 together."""
    leader = User.objects.get(username="lanhdao.bo")
    indicator = Indicator.objects.get(code="HH_FIBER_RATE")
    merged = next(p for p, former in current_provinces().items() if len(former) > 1)
    former = current_provinces()[merged][0]
    now = explanation_get(user=leader, indicator=indicator, unit=merged, period=PeriodValue.parse("2024Q4"))
    then = explanation_get(user=leader, indicator=indicator, unit=former, period=PeriodValue.parse("2024Q4"))
    assert now.peers.count == 34
    assert then.peers.count == 63
    # The engine scored within the same groups: the best former province scores 1 among the 63.
    scores = IndicatorValue.objects.filter(indicator=indicator, period__code="2024Q4", org_unit__type="PROVINCE")
    assert scores.filter(org_unit__valid_to=dt.date(2025, 6, 30)).count() == 63


def test_a_missing_month_is_carried_and_marked_not_counted_as_zero(evaluated):
    """Issue 13, finding 1: a province whose month is missing keeps its last scores (carried,
    marked) instead of falling to the bottom on zeros."""
    system = User.objects.get(username=demo.SYSTEM_USERNAME)
    province = OrgUnit.objects.filter(type="PROVINCE", valid_from=dt.date(2025, 7, 1)).order_by("code").first()
    september = Period.objects.get(code="202509")
    before = IndexValue.objects.get(org_unit=province, period=september, pillar="OVERALL")
    august = IndexValue.objects.get(org_unit=province, period__code="202508", pillar="OVERALL")
    with contextlib.suppress(_Rollback), transaction.atomic():
        Report.objects.filter(org_unit=province, period=september).update(status="DRAFT")
        monthly = DataValue.objects.filter(org_unit=province, period=september, value__isnull=False)
        inputs = [
            ValueInput(data_element=v.data_element, org_unit=province, period=september, value=None, comment="")
            for v in monthly.select_related("data_element")
        ]
        assert inputs
        result = data_values_write(inputs=inputs, by=system, channel=Channel.FORM)
        assert result.deleted == len(inputs), result.problems
        evaluation_refresh(changes={(province.pk, september.pk)})
        after = IndexValue.objects.get(org_unit=province, period=september, pillar="OVERALL")
        assert after.inputs_carried > 0 and after.inputs_reported < before.inputs_reported
        assert after.inputs_reported + after.inputs_carried == after.inputs_expected  # nothing counted as zero
        assert abs(after.rank_current - august.rank_current) <= 5, (before.rank_current, after.rank_current)
        raise _Rollback


def test_report_steps_update_how_final_the_index_is(evaluated):
    """An accepted report makes its unit's index rows accepted; returning it makes them
    provisional again — the same as a full recompute gives."""
    province = OrgUnit.objects.filter(type="PROVINCE", valid_from=dt.date(2025, 7, 1)).order_by("code").first()
    august = Period.objects.get(code="202508")
    with contextlib.suppress(_Rollback), transaction.atomic():
        Report.objects.filter(org_unit=province, period=august).update(status="ACCEPTED")
        report_states_refresh({(province.pk, august.pk)})
        row = IndexValue.objects.get(org_unit=province, period=august, pillar="OVERALL")
        assert row.reports_state == ReportsState.ACCEPTED and not row.provisional
        Report.objects.filter(org_unit=province, period=august).update(status="RETURNED")
        report_states_refresh({(province.pk, august.pk)})
        row = IndexValue.objects.get(org_unit=province, period=august, pillar="OVERALL")
        assert row.reports_state == ReportsState.ENTERED and row.provisional
        states = set(IndexValue.objects.values_list("org_unit_id", "period_id", "pillar", "reports_state"))
        evaluation_recompute(years=YEARS)
        assert set(IndexValue.objects.values_list("org_unit_id", "period_id", "pillar", "reports_state")) == states
        raise _Rollback


def _snapshot() -> dict:
    figures = set(ElementFigure.objects.values_list("data_element_id", "org_unit_id", "period_id", "value", "basis"))
    values = set(
        IndicatorValue.objects.values_list(
            "indicator_id", "org_unit_id", "period_id", "value", "basis", "target", "milestone", "status", "score"
        )
    )
    index = set(
        IndexValue.objects.values_list(
            "org_unit_id",
            "period_id",
            "pillar",
            "value",
            "rank_period",
            "previous_rank_period",
            "rank_current",
            "previous_rank_current",
            "inputs_expected",
            "inputs_reported",
            "inputs_carried",
        )
    )
    groups = set(GroupIndicatorValue.objects.values_list("indicator_id", "group_id", "period_id", "value", "members"))
    return {"figures": figures, "values": values, "index": index, "groups": groups}


class _Rollback(Exception):
    """Raised at the end of a test's edits so their transaction is rolled back."""


@pytest.mark.parametrize(
    "seed, since, edits",
    [
        (0, FIRST, 6),
        (1, FIRST, 6),
        (2, FIRST, 6),
        # Only the last year: the refresh narrows judgement and index to the changed periods.
        (3, dt.date(2025, 1, 1), 1),
        (4, dt.date(2025, 1, 1), 3),
    ],
)
def test_refresh_after_random_edits_equals_a_full_recompute(evaluated, seed, since, edits):
    """Random edits (new figures, changes, deletions) through the value service, refreshed
    incrementally, give exactly what a full recompute gives."""
    rng = random.Random(seed)
    system = User.objects.get(username=demo.SYSTEM_USERNAME)
    candidates = list(
        DataValue.objects.filter(period__start_date__gte=since).values_list(
            "data_element_id", "org_unit_id", "period_id"
        )
    )
    elements = {e.pk: e for e in DataElement.objects.all()}
    with contextlib.suppress(_Rollback), transaction.atomic():
        Report.objects.update(status="DRAFT")  # unlock every figure for the edit
        inputs, changed = [], set()
        for element_id, unit_id, period_id in rng.sample(candidates, edits):
            element = elements[element_id]
            kind = rng.choice(["raise", "lower", "delete"])
            stored = DataValue.objects.get(data_element_id=element_id, org_unit_id=unit_id, period_id=period_id)
            if kind == "delete":
                value = None
            elif element.value_type == "BOOLEAN":
                value = 1 - int(stored.value)
            elif element.value_type == "PERCENTAGE":
                value = Decimal(rng.randint(0, 100))
            else:
                factor = Decimal(rng.choice(["1.5", "2", "3"]) if kind == "raise" else rng.choice(["0.5", "0.25"]))
                value = (stored.value * factor).quantize(Decimal(1))
            inputs.append(
                ValueInput(
                    data_element=element,
                    org_unit=OrgUnit.objects.get(pk=unit_id),
                    period=Period.objects.get(pk=period_id),
                    value=value,
                    comment="",
                )
            )
            changed.add((unit_id, period_id))
        result = data_values_write(inputs=inputs, by=system, channel=Channel.FORM, valid_only=True)
        assert not result.problems, result.problems
        assert result.created + result.updated + result.deleted > 0, result.problems
        evaluation_refresh(changes=changed)
        incremental = _snapshot()
        evaluation_recompute(years=YEARS)
        full = _snapshot()
        for kind in ("figures", "values", "index", "groups"):
            assert incremental[kind] == full[kind], (kind, seed)
        raise _Rollback


def test_refresh_after_a_form_edit_changes_status_score_and_rank(
    evaluated, django_capture_on_commit_callbacks, settings
):
    """Raising a province's fibre households above its 2025 target: the listener refreshes the
    results once the change commits (inline here; a Huey task in production)."""
    settings.EVENTS_DISPATCH = "inline"
    province = OrgUnit.objects.filter(type="PROVINCE", valid_from=dt.date(2025, 7, 1)).order_by("code").first()
    system = User.objects.get(username=demo.SYSTEM_USERNAME)
    before = IndicatorValue.objects.get(indicator__code="HH_FIBER_RATE", org_unit=province, period__code="2025Q3")
    households = DataValue.objects.get(data_element__code="HH_TOTAL", org_unit=province, period__code="2025Q3")
    fibre = DataElement.objects.get(code="HH_FIBER")
    period = Period.objects.get(code="2025Q3")
    Report.objects.filter(org_unit=province, period=period).update(status="DRAFT")
    with contextlib.suppress(_Rollback), transaction.atomic():
        # Half the households: far below the 80 % target.
        with django_capture_on_commit_callbacks(execute=True):
            result = data_values_write(
                inputs=[
                    ValueInput(
                        data_element=fibre,
                        org_unit=province,
                        period=period,
                        value=(households.value / 2).quantize(Decimal(1)),
                        comment="",
                    )
                ],
                by=system,
                channel=Channel.FORM,
            )
        assert result.updated == 1, result.problems
        after = IndicatorValue.objects.get(indicator__code="HH_FIBER_RATE", org_unit=province, period__code="2025Q3")
        assert after.value == pytest.approx(50.0, abs=0.01)
        assert before.status == "ACHIEVED" and after.status != "ACHIEVED"
        assert after.score < before.score
        raise _Rollback


def _digest(rows) -> str:
    return hashlib.sha256(repr(sorted(rows)).encode()).hexdigest()


def test_full_recompute_gives_identical_results_on_sqlite_and_postgresql(evaluated):
    """CI runs the suite on SQLite, then on PostgreSQL, in the same checkout. Each run records
    the fingerprint of its inputs and of every stored result; a run that finds the other
    database's record for the same inputs must have the same results."""
    inputs = _digest(
        (e, u, p, repr(float(v)) if v is not None else "")
        for e, u, p, v in DataValue.objects.values_list("data_element__code", "org_unit__code", "period__code", "value")
    )
    results = _digest(
        (i, u, p, repr(v), b, s, repr(score))
        for i, u, p, v, b, s, score in IndicatorValue.objects.values_list(
            "indicator__code", "org_unit__code", "period__code", "value", "basis", "status", "score"
        )
    )
    results += _digest(
        (u, p, pillar, repr(v), rp, prp, rc, prc)
        for u, p, pillar, v, rp, prp, rc, prc in IndexValue.objects.values_list(
            "org_unit__code",
            "period__code",
            "pillar",
            "value",
            "rank_period",
            "previous_rank_period",
            "rank_current",
            "previous_rank_current",
        )
    )
    folder = Path(django_settings.VAR_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"test-evaluation-{connection.vendor}.txt").write_text(f"{inputs} {results}\n")
    other = {"sqlite": "postgresql", "postgresql": "sqlite"}[connection.vendor]
    record = folder / f"test-evaluation-{other}.txt"
    if record.exists():
        other_inputs, other_results = record.read_text().split()
        if other_inputs == inputs:
            assert other_results == results, f"results differ between {connection.vendor} and {other}"


def _fibre_2025q3(province):
    return IndicatorValue.objects.get(indicator__code="HH_FIBER_RATE", org_unit=province, period__code="2025Q3")


@pytest.mark.parametrize("through", ["catalog page", "admin"])
def test_a_target_edit_changes_status_and_score_once_it_commits(
    evaluated, through, client_admin, django_capture_on_commit_callbacks, settings
):
    """Raising the provinces' fibre target above what they reached: the TARGET_CHANGED (or
    INDICATOR_CHANGED, from the admin's inline) event reaches the evaluation after commit, which
    judges every value again: no `recompute` needed."""
    settings.EVENTS_DISPATCH = "inline"
    province = OrgUnit.objects.filter(type="PROVINCE", valid_from=dt.date(2025, 7, 1)).order_by("code").first()
    before = _fibre_2025q3(province)
    assert before.status == "ACHIEVED"
    target = Target.objects.get(indicator__code="HH_FIBER_RATE", scope="UNIT_TYPE")
    with contextlib.suppress(_Rollback), transaction.atomic():
        with django_capture_on_commit_callbacks(execute=True):
            if through == "admin":
                url = f"/admin/catalog/indicator/{target.indicator_id}/change/"
                data = form_data(client_admin.get(url).content.decode(), form_id="indicator_form")
                index = next(k for k, v in data.items() if k.endswith("-id") and v == [str(target.pk)])
                data[index.replace("-id", "-value")] = ["99.9"]
            else:
                url = f"/catalog/indicators/HH_FIBER_RATE/targets/{target.pk}/"
                data = form_data(client_admin.get(url).content.decode(), form_id="edit-form")
                data["value"] = ["99.9"]
            response = client_admin.post(url, data)
            assert response.status_code == 302, response.content.decode()[:2000]
        after = _fibre_2025q3(province)
        assert after.value == before.value
        assert after.status != "ACHIEVED" and after.score < before.score
        kind = {"admin": EventKind.INDICATOR_CHANGED, "catalog page": EventKind.TARGET_CHANGED}[through]
        assert Event.objects.filter(kind=kind, by_id=User.objects.get(username="admin").pk).exists()
        assert not EventDelivery.objects.filter(subscriber="evaluation.results", status="PENDING").exists()
        raise _Rollback
