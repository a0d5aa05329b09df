"""The demo history: deterministic, consistent with the rules, continuous through the 2025
merger, and recorded through the real value service and workflow.

The history is loaded once for the module on a short range that crosses the merger (April to
September 2025, "today" 15 October 2025 so September and the third quarter are in progress),
and deleted again when the module ends.
"""

import datetime as dt
import io
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from giamsat.accounts.choices import Role
from giamsat.accounts.models import User
from giamsat.catalog.models import DataElement, DataSet
from giamsat.catalog.services import catalog_load
from giamsat.core.periods import Period as PeriodValue
from giamsat.orgunits.models import OrgUnit, OrgUnitLineage
from giamsat.reporting import demo
from giamsat.reporting.choices import Channel, ReportAction, ReportStatus
from giamsat.reporting.models import DataValue, DataValueAudit, Report, ReportEvent
from giamsat.reporting.validation import report_rule_violations

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo_history")]

FIRST = dt.date(2025, 4, 1)
LAST = dt.date(2025, 9, 30)
TODAY = dt.date(2025, 10, 15)
NOW = dt.datetime(2025, 10, 15, 12, 0, tzinfo=demo.LOCAL_TZ)
SUM_LAST_COUNTS = ["HH_TOTAL", "HH_FIBER", "POP_TOTAL", "POP_ADULT", "DX_TASKS_ASSIGNED", "MOBILE_DEAD_ZONES"]


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """The history of the test range, committed for the module and removed afterwards."""
    with django_db_blocker.unblock():
        catalog_load()
        demo.demo_model.cache_clear()
        had_user = User.objects.filter(username=demo.SYSTEM_USERNAME).exists()
        summary = demo.demo_history_load(first=FIRST, last=LAST, today=TODAY)
        try:
            yield summary
        finally:
            demo.demo_history_reset()
            if not had_user:
                User.objects.filter(username=demo.SYSTEM_USERNAME).delete()


def current_provinces() -> dict[str, list[str]]:
    """The 34 current provinces and the former provinces they were formed from."""
    links = defaultdict(list)
    for pred, succ in OrgUnitLineage.objects.filter(
        successor__type="PROVINCE", successor__valid_from=dt.date(2025, 7, 1)
    ).values_list("predecessor__code", "successor__code"):
        links[succ].append(pred)
    return links


def snapshot() -> tuple[dict, dict]:
    values = {
        (e, u, p): v
        for e, u, p, v in DataValue.objects.filter(channel=Channel.DEMO).values_list(
            "data_element__code", "org_unit__code", "period__code", "value"
        )
    }
    reports = {}
    for report in Report.objects.select_related("data_set", "org_unit", "period").prefetch_related("events"):
        key = (report.data_set.code, report.org_unit.code, report.period.code)
        events = [(e.action, e.from_status, e.to_status, e.at, e.comment) for e in report.events.all()]
        reports[key] = (report.status, report.submitted_at, report.approved_at, report.accepted_at, events)
    return values, reports


# --- the system account ---------------------------------------------------------------------


def test_system_user_cannot_sign_in(loaded):
    user = User.objects.get(username=demo.SYSTEM_USERNAME)
    assert user.full_name == "Hệ thống (dữ liệu mẫu)"
    assert user.role == Role.ADMIN and user.is_active
    assert not user.has_usable_password()
    assert not user.check_password("")


# --- determinism ----------------------------------------------------------------------------


def test_same_seed_gives_the_same_history(loaded):
    before = snapshot()
    demo.demo_history_reset()
    assert not DataValue.objects.filter(channel=Channel.DEMO).exists()
    again = demo.demo_history_load(first=FIRST, last=LAST, today=TODAY)
    assert snapshot() == before
    assert (again.values, again.reports, again.events) == (loaded.values, loaded.reports, loaded.events)


def test_another_seed_gives_other_figures(loaded):
    model = demo.DemoModel(demo.registry_facts(), demo.DEFAULT_SEED + 1)
    reference = demo.demo_model()
    pairs = [(code, unit) for code in ["HH_TOTAL", "HH_FIBER", "BTS_4G"] for unit in ["P01", "P08", "P79"]]
    differing = [p for p in pairs if model.unit_value(p[0], p[1], "2025Q3") != reference.unit_value(*p, "2025Q3")]
    assert len(differing) >= len(pairs) - 1


def test_every_stored_value_is_the_model_figure(loaded):
    """Values are the pure function of (seed, element, unit, period): determinism and lineage
    at once. Returned reports still awaiting correction keep their flawed figure."""
    flawed = set(Report.objects.filter(status=ReportStatus.RETURNED).values_list("org_unit__code", "period__code"))
    checked = 0
    for (code, unit, period), value in snapshot()[0].items():
        if (unit, period) in flawed:
            continue
        assert value == demo.unit_latent_value(code, unit, period), (code, unit, period)
        checked += 1
    assert checked > 10_000


# --- consistency ----------------------------------------------------------------------------


def test_no_error_rule_is_broken(loaded):
    reports = Report.objects.select_related("data_set", "org_unit", "period").order_by("pk")
    assert reports.count() > 500
    broken = [(str(r), v.rule.code, v.left, v.right) for r in reports for v in report_rule_violations(r) if v.blocking]
    assert broken == []


def test_values_within_their_ranges(loaded):
    types = dict(DataElement.objects.values_list("code", "value_type"))
    for code, value in DataValue.objects.filter(channel=Channel.DEMO).values_list("data_element__code", "value"):
        assert value >= 0, code
        if types[code] in {"INTEGER", "BOOLEAN"}:
            assert value == value.to_integral_value(), (code, value)
        if types[code] == "PERCENTAGE":
            assert value <= 100, (code, value)
        if types[code] == "BOOLEAN":
            assert value in (0, 1), (code, value)


def test_year_to_date_figures_grow_and_reset_in_january(loaded):
    model = demo.demo_model()
    months = [PeriodValue.month(y, m) for y in (2023, 2024, 2025) for m in range(1, 13)]
    for unit in ["P01", "P08", "P12", "CNTT.BO_TAICHINH", "CNTT.BO_TUPHAP"]:
        for code in ["DX_TASKS_DONE_ONTIME", "DX_CAPITAL_DISBURSED_YTD"]:
            series = [model.unit_value(code, unit, p) for p in months]
            for year in range(3):
                within = series[12 * year : 12 * year + 12]
                assert within == sorted(within), (unit, code)
                if year:
                    assert within[0] < series[12 * year - 1], (unit, code)


def test_adoption_rises_and_dossiers_dip_at_tet(loaded):
    model = demo.demo_model()
    former = [code for code, facts in model.facts.roots.items() if facts.kind == "PROVINCE"]

    def national(code: str, period: str) -> Decimal:
        return demo.latent_value(code, former, period)

    assert 99_000_000 < national("POP_TOTAL", "2022") < 101_000_000
    assert 25_000_000 < national("HH_TOTAL", "2022Q1") < 30_000_000
    fibre = [national("HH_FIBER", q) / national("HH_TOTAL", q) for q in ["2022Q1", "2023Q4", "2025Q2", "2026Q3"]]
    assert fibre == sorted(fibre) and fibre[0] < Decimal("0.8") and fibre[-1] > Decimal("0.88")
    full = [national("DOSSIERS_ONLINE_FULL", m) / national("DOSSIERS_TOTAL", m) for m in ["202203", "202406", "202609"]]
    assert full == sorted(full)
    for year in (2022, 2023, 2024, 2025, 2026):  # Tết falls in late January or in February
        tet = min(national("DOSSIERS_TOTAL", f"{year}01"), national("DOSSIERS_TOTAL", f"{year}02"))
        assert tet < Decimal("0.9") * national("DOSSIERS_TOTAL", f"{year}03"), year
    # Big cities ahead of the national level.
    hanoi = model.unit_value("HH_FIBER", "P01", "2023Q2") / model.unit_value("HH_TOTAL", "P01", "2023Q2")
    assert hanoi > national("HH_FIBER", "2023Q2") / national("HH_TOTAL", "2023Q2")


def test_ministry_scale(loaded):
    model = demo.demo_model()
    units = OrgUnit.objects.filter(type="MINISTRY_IT_UNIT").active_on(dt.date(2025, 9, 30))
    for unit in units.values_list("code", flat=True):
        assert 1_000 <= model.unit_value("DOSSIERS_TOTAL", unit, "202509") <= 2_000_000, unit
        assert 10 <= model.unit_value("IS_TOTAL", unit, "2025Q3") <= 300, unit


# --- the merger -----------------------------------------------------------------------------


def test_63_provinces_until_june_2025_and_34_from_july(loaded):
    monthly = DataSet.objects.get(code="BC_TINH_MONTHLY")
    units = defaultdict(set)
    for code, period in Report.objects.filter(data_set=monthly).values_list("org_unit__code", "period__code"):
        units[period].add(code)
    june, july = units["202506"], units["202507"]
    assert all(code.endswith("_63") for code in june) and 55 <= len(june) <= 63
    assert not any(code.endswith("_63") for code in july) and 30 <= len(july) <= 34
    assert june.isdisjoint(july)
    quarters = Counter(
        (p, u.endswith("_63"))
        for p, u in DataValue.objects.filter(data_element__code="HH_TOTAL").values_list(
            "period__code", "org_unit__code"
        )
    )
    assert set(quarters) <= {("2025Q2", True), ("2025Q3", False)}
    # Values are attached to the provinces themselves, never to their departments.
    assert not DataValue.objects.filter(channel=Channel.DEMO, org_unit__type="PROVINCIAL_DEPT").exists()


def test_predecessors_add_up_exactly_to_the_current_province(loaded):
    provinces = current_provinces()
    assert len(provinces) == 34
    june = PeriodValue.month(2025, 6)
    for current, former in provinces.items():
        for code in SUM_LAST_COUNTS:
            parts = [demo.latent_value(code, [f], june) for f in former]
            assert sum(parts) == demo.latent_value(code, former, june), (current, code)
            assert sum(parts) == demo.unit_latent_value(code, current, june), (current, code)
    # The stored June figures of the former provinces add up to the same.
    stored = defaultdict(dict)
    for unit, value in DataValue.objects.filter(data_element__code="HH_TOTAL", period__code="2025Q2").values_list(
        "org_unit__code", "value"
    ):
        stored[unit] = value
    complete = [c for c, former in provinces.items() if all(f in stored for f in former)]
    assert len(complete) >= 25
    for current in complete:
        total = sum(stored[f] for f in provinces[current])
        assert total == demo.unit_latent_value("HH_TOTAL", current, "2025Q2")


def test_current_province_continues_its_predecessors(loaded):
    for current in current_provinces():
        for code, limit in [("HH_TOTAL", 0.02), ("HH_FIBER", 0.06), ("FIXED_BB_SPEED_MBPS", 0.2)]:
            before = demo.unit_latent_value(code, current, "2025Q2")
            after = demo.unit_latent_value(code, current, "2025Q3")
            assert abs(after - before) <= Decimal(str(limit)) * before, (current, code, before, after)
        for code, limit in [("DOSSIERS_TOTAL", 0.3), ("DOSSIERS_DIGITISED_RATE", 0.15), ("MOBILE_DEAD_ZONES", 0.5)]:
            before = demo.unit_latent_value(code, current, "202506")
            after = demo.unit_latent_value(code, current, "202507")
            assert abs(after - before) <= Decimal(str(limit)) * before + 2, (current, code, before, after)


# --- reports and the workflow ---------------------------------------------------------------

ALLOWED = {
    1: {
        (ReportAction.CREATE, "", ReportStatus.DRAFT),
        (ReportAction.SUBMIT, ReportStatus.DRAFT, ReportStatus.SUBMITTED),
        (ReportAction.SUBMIT, ReportStatus.RETURNED, ReportStatus.SUBMITTED),
        (ReportAction.APPROVE, ReportStatus.SUBMITTED, ReportStatus.APPROVED),
        (ReportAction.ACCEPT, ReportStatus.APPROVED, ReportStatus.ACCEPTED),
        (ReportAction.RETURN, ReportStatus.SUBMITTED, ReportStatus.RETURNED),
        (ReportAction.RETURN, ReportStatus.APPROVED, ReportStatus.RETURNED),
    },
    0: {
        (ReportAction.CREATE, "", ReportStatus.DRAFT),
        (ReportAction.SUBMIT, ReportStatus.DRAFT, ReportStatus.SUBMITTED),
        (ReportAction.SUBMIT, ReportStatus.RETURNED, ReportStatus.SUBMITTED),
        (ReportAction.ACCEPT, ReportStatus.SUBMITTED, ReportStatus.ACCEPTED),
        (ReportAction.RETURN, ReportStatus.SUBMITTED, ReportStatus.RETURNED),
    },
}


def test_events_follow_the_workflow(loaded):
    system = User.objects.get(username=demo.SYSTEM_USERNAME)
    reports = Report.objects.select_related("data_set", "period").prefetch_related("events")
    for report in reports:
        events = list(report.events.all())
        levels = report.data_set.approval_levels
        assert events[0].action == ReportAction.CREATE
        for previous, event in zip([None, *events], events, strict=False):
            assert (event.action, event.from_status, event.to_status) in ALLOWED[levels], (str(report), event)
            if previous is not None:
                assert event.from_status == previous.to_status and event.at >= previous.at
            assert event.by_id == system.pk and event.at <= NOW
            if event.action == ReportAction.RETURN:
                assert event.comment
        assert report.status == events[-1].to_status
        assert report.deadline == report.period.end_date + dt.timedelta(days=report.data_set.deadline_days)
        submits = [e.at for e in events if e.action == ReportAction.SUBMIT]
        assert report.submitted_at == (submits[-1] if submits else None)
        assert (report.accepted_at is not None) == (report.status == ReportStatus.ACCEPTED)
        if report.data_set.code.startswith("BC_TINH") and report.status == ReportStatus.ACCEPTED:
            assert report.approved_at is not None and report.approved_at <= report.accepted_at
        if levels == 0:
            assert report.approved_at is None


def test_late_missing_and_returned_reports(loaded):
    finished = Report.objects.exclude(period__code__in=["202509", "2025Q3"]).select_related("data_set", "period")
    late = [r for r in finished if r.is_on_time is False]
    returned = finished.filter(events__action=ReportAction.RETURN).distinct()
    assert late and returned.exists() and loaded.missing > 0
    assert loaded.late >= len(late)
    # A returned report was corrected, resubmitted and went through review again.
    for report in returned:
        actions = list(report.events.values_list("action", flat=True))
        assert actions.index(ReportAction.RETURN) < len(actions) - 1
        assert report.status == ReportStatus.ACCEPTED
        assert actions[-1] == ReportAction.ACCEPT
    # Some returns asked to correct a figure that was then updated, with its own audit row.
    assert DataValueAudit.objects.filter(channel=Channel.DEMO, action="UPDATE").exists()
    # Missing reports have no values at all.
    monthly = DataSet.objects.get(code="BC_TINH_MONTHLY")
    for period in ["202504", "202505", "202506", "202507", "202508"]:
        reported = set(
            Report.objects.filter(data_set=monthly, period__code=period).values_list("org_unit_id", flat=True)
        )
        with_values = set(
            DataValue.objects.filter(
                period__code=period, data_element__code="DOSSIERS_TOTAL", org_unit__type="PROVINCE"
            ).values_list("org_unit_id", flat=True)
        )
        assert with_values == reported


def test_submitted_reports_are_complete_and_late_ones_say_why(loaded):
    """As the workflow asks of people: a submitted report's required figures are filled or
    marked "no figure" with a reason, and a late submission gives its reason."""
    from giamsat.reporting.models import NoFigureMark
    from giamsat.reporting.selectors import report_fill

    submitted = Report.objects.exclude(status__in=[ReportStatus.DRAFT]).select_related("data_set", "period")
    for report in submitted.filter(period__code__in=["202506", "202507"]):
        assert report_fill(report).complete, report
    # A mark is only ever where a required figure is empty.
    for mark in NoFigureMark.objects.select_related("report")[:200]:
        assert not DataValue.objects.filter(
            data_element_id=mark.data_element_id, org_unit_id=mark.report.org_unit_id, period_id=mark.report.period_id
        ).exists()
    late = [r for r in submitted if r.is_on_time is False]
    assert late
    for report in late:
        submit = report.events.get(action=ReportAction.SUBMIT, at=report.submitted_at)
        assert submit.late_reason in demo.LATE_REASONS, report
    on_time = ReportEvent.objects.filter(action=ReportAction.SUBMIT, report__in=[r for r in submitted if r.is_on_time])
    assert not on_time.exclude(late_reason="").exists()


def test_planner_proportions():
    """The fates of finished reports on the default proportions (~3 % missing, ~8 % late,
    ~2 % returned), over many synthetic reports."""
    now = dt.datetime(2026, 1, 1, tzinfo=demo.LOCAL_TZ)
    periods = [PeriodValue.month(y, m) for y in (2022, 2023, 2024) for m in range(1, 13)]
    fates = Counter()
    for period in periods:
        for unit in range(200):
            plan = demo.report_plan(
                data_set_code="BC_TINH_MONTHLY",
                period=period,
                unit_code=f"U{unit}",
                deadline_days=5,
                approval_levels=1,
                now=now,
            )
            fates["all"] += 1
            if plan is None:
                fates["missing"] += 1
                continue
            deadline = period.end + dt.timedelta(days=5)
            fates["late"] += plan.is_late(deadline)
            fates["returned"] += plan.returned
            fates[plan.status] += 1
            submitted = [e for e in plan.events if e.action == ReportAction.SUBMIT][0].at
            fates["few_days_before"] += 1 <= (deadline - submitted.astimezone(demo.LOCAL_TZ).date()).days <= 4
    share = {k: v / fates["all"] for k, v in fates.items()}
    assert 0.02 < share["missing"] < 0.04
    assert 0.065 < share["late"] < 0.11  # late submissions, and a few resubmissions after a return
    assert 0.013 < share["returned"] < 0.028
    assert share["few_days_before"] > 0.6
    assert fates[ReportStatus.ACCEPTED] == fates["all"] - fates["missing"]


def test_recent_periods_are_in_progress(loaded):
    september = Report.objects.filter(period__code="202509")
    statuses = Counter(september.values_list("status", flat=True))
    assert statuses[ReportStatus.DRAFT] and statuses[ReportStatus.SUBMITTED]
    assert statuses[ReportStatus.APPROVED] + statuses[ReportStatus.ACCEPTED]
    assert len(statuses) >= 4
    assert loaded.in_progress >= september.count()
    # Drafts may be partly filled; nothing happened after "now".
    assert not ReportEvent.objects.filter(at__gt=NOW).exists()
    assert not DataValueAudit.objects.filter(changed_at__gt=NOW).exists()


# --- values and their audit -----------------------------------------------------------------


def test_every_value_has_its_demo_audit_before_submission(loaded):
    latest = {}
    for e, u, p, value, at, channel, by in DataValueAudit.objects.order_by("changed_at", "pk").values_list(
        "data_element_id", "org_unit_id", "period_id", "new_value", "changed_at", "channel", "changed_by__username"
    ):
        assert channel == Channel.DEMO and by == demo.SYSTEM_USERNAME
        latest[(e, u, p)] = (value, at)
    values = DataValue.objects.filter(channel=Channel.DEMO).values_list(
        "data_element_id", "org_unit_id", "period_id", "value", "updated_at"
    )
    assert len(values) == loaded.values > 10_000
    for e, u, p, value, updated_at in values:
        assert latest[(e, u, p)] == (value, updated_at)
    submitted = {
        (r.org_unit_id, r.period_id): r.submitted_at
        for r in Report.objects.filter(submitted_at__isnull=False).only("org_unit_id", "period_id", "submitted_at")
    }
    for (_e, u, p), (_v, at) in latest.items():
        if (u, p) in submitted:
            assert at <= submitted[(u, p)]


def test_command_does_nothing_when_loaded_and_reloads_on_reset(loaded):
    out = io.StringIO()
    call_command("load_demo_history", "--quiet", stdout=out)
    assert "already loaded" in out.getvalue()
    out = io.StringIO()
    call_command("load_demo_history", "--reset", "--quiet", "--first", "2025-06", "--last", "2025-07", stdout=out)
    assert "Deleted" in out.getvalue() and "Demo history 2025-06 → 2025-07" in out.getvalue()
    # Only periods that lie wholly in the range: 2025Q2 starts before June.
    assert set(Report.objects.values_list("period__code", flat=True)) == {"202506", "202507"}
    with pytest.raises(CommandError):
        call_command("load_demo_history", "--first", "2025-13")
