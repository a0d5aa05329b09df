"""Earned value and the red flags' tests, as pure functions, against hand computations."""

import datetime as dt

import pytest

from giamsat.projects.engine.earned_value import earned_value, month_ends, planned_curve, planned_value
from giamsat.projects.engine.flags import (
    MilestoneFacts,
    PackageFacts,
    ProjectFacts,
    contract_above_estimate,
    cost_overrun,
    disbursement_behind,
    milestone_overdue,
    not_started,
    single_bidder,
)

d = dt.date


def test_planned_curve_spreads_the_total_evenly_and_ends_on_it():
    curve = planned_curve(start=d(2026, 1, 1), end=d(2026, 12, 31), total=1_200_000_000)
    assert [day for day, _v in curve] == month_ends(d(2026, 1, 1), d(2026, 12, 31))
    assert curve[0] == (d(2026, 1, 31), 100_000_000)
    assert curve[5] == (d(2026, 6, 30), 600_000_000)
    assert curve[-1] == (d(2026, 12, 31), 1_200_000_000)


def test_planned_curve_follows_the_yearly_plans():
    curve = planned_curve(start=d(2025, 7, 1), end=d(2026, 6, 30), total=900, year_plans={2025: 600, 2026: 300})
    assert dict(curve)[d(2025, 12, 31)] == 600
    assert dict(curve)[d(2026, 3, 31)] == 750
    assert curve[-1][1] == 900


def test_planned_value_between_month_ends_grows_by_day():
    curve = [(d(2026, 1, 31), 310), (d(2026, 2, 28), 590)]
    assert planned_value(curve, d(2025, 12, 31)) == 0
    assert planned_value(curve, d(2026, 1, 11)) == pytest.approx(110)  # 11 of 31 days
    assert planned_value(curve, d(2026, 1, 31)) == 310
    assert planned_value(curve, d(2026, 2, 14)) == pytest.approx(450)
    assert planned_value(curve, d(2027, 1, 1)) == 590


def test_spi_and_cpi_equal_the_hand_computation():
    """BAC 1,2 tỷ planned evenly over 2026; on 30/6 the plan is 600 tr (PV); 40 % of the work
    is done (EV = 480 tr) for 400 tr paid (AC): SPI = 480/600 = 0,8, CPI = 480/400 = 1,2."""
    curve = planned_curve(start=d(2026, 1, 1), end=d(2026, 12, 31), total=1_200_000_000)
    ev = earned_value(bac=1_200_000_000, curve=curve, percent_complete=40, actual_cost=400_000_000, day=d(2026, 6, 30))
    assert (ev.pv, ev.ev, ev.ac) == (600_000_000, 480_000_000, 400_000_000)
    assert ev.spi == pytest.approx(0.8)
    assert ev.cpi == pytest.approx(1.2)
    assert ev.sv == -120_000_000 and ev.cv == 80_000_000
    assert ev.eac == pytest.approx(1_000_000_000)


def _facts(**overrides):
    base = {
        "day": d(2026, 7, 1),
        "status": "IMPLEMENTATION",
        "decision_date": d(2026, 1, 1),
        "actual_start": d(2026, 2, 1),
        "allocated_year": 1_000,
        "planned_share_ytd": 0.5,
        "disbursed_ytd": 350,
        "disbursed_total": 350,
        "spi": 1.0,
        "cpi": 1.0,
        "bac": 1_000,
    }
    base.update(overrides)
    return ProjectFacts(**base)


def test_disbursement_behind_by_more_than_the_gap_from_the_month_on():
    assert disbursement_behind(_facts(), {"from_month": 6, "gap_pct": 20}) == []
    found = disbursement_behind(_facts(), {"from_month": 6, "gap_pct": 10})
    assert found[0].figures == {
        "planned_pct": 50.0,
        "disbursed_pct": 35.0,
        "gap_pct": 15.0,
        "allocated": 1_000,
        "disbursed": 350,
    }
    assert disbursement_behind(_facts(), {"from_month": 8, "gap_pct": 10}) == []
    # Guard: nothing allocated this year says nothing about the pace.
    assert disbursement_behind(_facts(allocated_year=0), {"gap_pct": 0}) == []


def test_package_flags():
    packages = [
        PackageFacts(1, "G1", "OPEN", "CONTRACT", 100, 104, 1),
        PackageFacts(2, "G2", "DIRECT", "CONTRACT", 100, 100, 1),  # direct contracting: one by law
        PackageFacts(3, "G3", "OPEN", "TENDER", 100, None, 1),  # bids not yet known
        PackageFacts(4, "G4", "LIMITED", "AWARD", 100, 99, 3),
    ]
    facts = _facts(packages=packages)
    assert [f.subject for f in single_bidder(facts, {"max_bidders": 1})] == ["package:1"]
    assert [f.subject for f in contract_above_estimate(facts, {"tolerance_pct": 0})] == ["package:1"]
    assert contract_above_estimate(facts, {"tolerance_pct": 5}) == []


def test_milestone_overdue_after_the_grace_days():
    facts = _facts(
        milestones=[
            MilestoneFacts(7, "Nghiệm thu", d(2026, 5, 31), None),
            MilestoneFacts(8, "Thiết kế", d(2026, 5, 1), d(2026, 6, 1)),
        ]
    )
    assert [f.figures["days_late"] for f in milestone_overdue(facts, {"days": 30})] == [31]
    assert milestone_overdue(facts, {"days": 31}) == []


def test_cost_overrun_only_once_enough_is_spent():
    assert cost_overrun(_facts(cpi=0.8, disbursed_total=100), {"cpi_below": 0.9, "min_spent_pct": 5})
    assert cost_overrun(_facts(cpi=0.8, disbursed_total=10), {"cpi_below": 0.9, "min_spent_pct": 5}) == []
    assert cost_overrun(_facts(cpi=0.95), {"cpi_below": 0.9}) == []


def test_not_started_counts_whole_months():
    facts = _facts(actual_start=None, disbursed_total=0, decision_date=d(2026, 1, 2))
    assert not_started(facts, {"months": 6}) == []  # 5 months and 29 days
    assert not_started(_facts(actual_start=None, disbursed_total=0), {"months": 6})[0].figures["months"] == 6
    assert not_started(_facts(), {"months": 1}) == []
