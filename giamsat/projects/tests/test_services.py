"""Projects through the services: ownership through the 2025 merger, scoped visibility, earned
value from the baseline, red flags under versioned rules, the figures on the scorecard."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from giamsat.orgunits.models import OrgUnit
from giamsat.projects.models import RedFlag
from giamsat.projects.selectors import project_earned_value, projects_visible
from giamsat.projects.services import (
    baseline_freeze,
    flag_rule_set_next,
    flags_evaluate,
    physical_progress_report,
    transaction_record,
    year_budget_set,
)

from .conftest import at, make_project

d = dt.date


@pytest.mark.django_db
def test_a_former_provinces_project_passes_to_its_successor_with_the_history(leader, reporter, other_reporter):
    quang_nam = OrgUnit.objects.get(code="P49_63")
    project = make_project(quang_nam, leader, code="DA-QN-01", start=d(2024, 3, 1), end=d(2026, 12, 31))
    assert project.owner_unit.code == "P48"
    owners = list(project.owners.values_list("unit__code", "valid_from", "valid_to"))
    assert owners == [("P49_63", d(2024, 3, 1), d(2025, 6, 30)), ("P48", d(2025, 7, 1), None)]
    hanoi_project = make_project(OrgUnit.objects.get(code="SKHCN_01"), leader, code="DA-HN-01")
    assert set(projects_visible(reporter)) == {hanoi_project}
    assert project not in projects_visible(other_reporter)
    assert set(projects_visible(leader)) >= {project, hanoi_project}


@pytest.mark.django_db
def test_bad_input_is_refused_field_by_field(leader):
    with pytest.raises(ValidationError) as error:
        make_project(OrgUnit.objects.get(code="P01"), leader, code="DA-X", total=0, end=d(2025, 1, 1))
    assert set(error.value.message_dict) == {"total_investment", "planned_end"}
    project = make_project(OrgUnit.objects.get(code="P01"), leader, code="DA-Y")
    with pytest.raises(ValidationError) as error, translation.override("vi"):
        transaction_record(
            project=project, kind="DISBURSEMENT", date=d(2025, 12, 1), amount=5, by=leader, at=at(d(2026, 3, 1))
        )
    assert "trước ngày dự án được phê duyệt (01/01/2026)" in error.value.message_dict["date"][0]
    with pytest.raises(ValidationError):
        transaction_record(
            project=project, kind="DISBURSEMENT", date=d(2026, 2, 1), amount="-5", by=leader, at=at(d(2026, 3, 1))
        )


@pytest.mark.django_db
def test_spi_and_cpi_from_the_baseline_equal_the_hand_computation(leader, hanoi):
    project = make_project(hanoi, leader)
    baseline_freeze(project=project, by=leader)
    physical_progress_report(project=project, on=d(2026, 6, 30), percent=40, by=leader)
    transaction_record(
        project=project, kind="DISBURSEMENT", date=d(2026, 3, 1), amount=150_000_000, by=leader, at=at(d(2026, 6, 30))
    )
    transaction_record(
        project=project, kind="DISBURSEMENT", date=d(2026, 6, 1), amount=250_000_000, by=leader, at=at(d(2026, 6, 30))
    )
    ev = project_earned_value(project, d(2026, 6, 30))
    assert (ev.pv, ev.ev, ev.ac) == (600_000_000, 480_000_000, 400_000_000)
    assert ev.spi == pytest.approx(0.8) and ev.cpi == pytest.approx(1.2)


@pytest.mark.django_db
def test_a_new_threshold_raises_and_clears_flags_only_from_its_version_on(leader, hanoi, rules):
    project = make_project(hanoi, leader)
    year_budget_set(project=project, year=2026, planned=1_200_000_000, allocated=1_200_000_000, by=leader)
    baseline_freeze(project=project, by=leader)
    # 35 % paid by 1/7 against 50,3 % planned: 15,3 points behind.
    transaction_record(
        project=project, kind="DISBURSEMENT", date=d(2026, 5, 1), amount=420_000_000, by=leader, at=at(d(2026, 6, 1))
    )
    physical_progress_report(project=project, on=d(2026, 6, 30), percent=50, by=leader)  # CPI 1,43: no overrun
    assert flags_evaluate(projects=[project], today=d(2026, 7, 1))["raised"] == 0  # v1: 20 points
    v2 = flag_rule_set_next(
        changes={"DISBURSEMENT_BEHIND": {"params": {"gap_pct": 10}}}, valid_from=d(2026, 7, 2), by=leader
    )
    assert flags_evaluate(projects=[project], today=d(2026, 7, 1))["raised"] == 0  # v2 not yet in force
    assert flags_evaluate(projects=[project], today=d(2026, 7, 2))["raised"] == 1
    flag = RedFlag.objects.get(project=project, code="DISBURSEMENT_BEHIND")
    assert flag.rule.rule_set == v2 and flag.figures["gap_pct"] > 10
    flag_rule_set_next(
        changes={"DISBURSEMENT_BEHIND": {"params": {"gap_pct": 30}}}, valid_from=d(2026, 8, 1), by=leader
    )
    assert flags_evaluate(projects=[project], today=d(2026, 7, 31))["cleared"] == 0
    assert flags_evaluate(projects=[project], today=d(2026, 8, 1))["cleared"] == 1
    flag.refresh_from_db()
    assert flag.cleared_on == d(2026, 8, 1) and flag.rule.rule_set == v2  # keeps the rule it was raised under


@pytest.mark.django_db(transaction=False)
def test_a_version_published_for_today_re_tests_every_project_at_once(
    settings, leader, hanoi, rules, django_capture_on_commit_callbacks
):
    """No project changed: the new thresholds alone raise the flag, through the rules' event."""
    from django.utils import timezone

    from giamsat.events.services import events_dispatch
    from giamsat.projects.services import package_save

    project = make_project(hanoi, leader)
    package_save(
        project=project,
        code="GT01",
        name="Phần mềm",
        method="OPEN",
        stage="CONTRACT",
        estimated_value=900_000_000,
        contract_value=850_000_000,
        bidders=2,
        by=leader,
    )
    flags_evaluate(projects=[project])
    assert not project.flags.filter(code="SINGLE_BIDDER").exists()  # v1: at most 1 bid
    settings.EVENTS_DISPATCH = "inline"
    with django_capture_on_commit_callbacks(execute=True):
        flag_rule_set_next(
            changes={"SINGLE_BIDDER": {"params": {"max_bidders": 2}}}, valid_from=timezone.localdate(), by=leader
        )
    events_dispatch()
    flag = project.flags.get(code="SINGLE_BIDDER")
    assert flag.rule.rule_set.version == 2 and flag.figures["bidders"] == 2
