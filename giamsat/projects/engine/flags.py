"""The red flags' tests: pure functions of a project's facts on a day and the thresholds of the
rule in force (data, versioned in FlagRuleSet). Each returns what it found, with the figures
that raised it; a guard leaves out what bad or missing data cannot judge."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from ..choices import COMPETITIVE_METHODS, STAGE_ORDER, FlagCode


@dataclass(frozen=True)
class PackageFacts:
    pk: int
    code: str
    method: str
    stage: str
    estimated_value: int
    contract_value: int | None
    bidders: int | None


@dataclass(frozen=True)
class MilestoneFacts:
    pk: int
    title: str
    due: dt.date
    completed_on: dt.date | None


@dataclass(frozen=True)
class ProjectFacts:
    """What the flags look at, as of `day`."""

    day: dt.date
    status: str
    decision_date: dt.date
    actual_start: dt.date | None
    allocated_year: int  # this year's allocation
    planned_share_ytd: float | None  # of this year's planned value, the share due by `day` (0–1)
    disbursed_ytd: int
    disbursed_total: int
    spi: float | None
    cpi: float | None
    bac: int
    packages: list[PackageFacts] = field(default_factory=list)
    milestones: list[MilestoneFacts] = field(default_factory=list)


@dataclass(frozen=True)
class Found:
    subject: str
    figures: dict


def _pct(value: float) -> float:
    return round(value * 100, 1)


def disbursement_behind(facts: ProjectFacts, params: dict) -> list[Found]:
    """From month `from_month` of the year, the share of this year's allocation disbursed is
    more than `gap_pct` points behind the share the baseline planned by the day."""
    if facts.status not in ("IMPLEMENTATION", "FINALISATION") or facts.allocated_year <= 0:
        return []
    if facts.planned_share_ytd is None or facts.day.month < int(params.get("from_month", 1)):
        return []
    actual = facts.disbursed_ytd / facts.allocated_year
    gap = facts.planned_share_ytd - actual
    if _pct(gap) <= float(params.get("gap_pct", 20)):
        return []
    return [
        Found(
            "",
            {
                "planned_pct": _pct(facts.planned_share_ytd),
                "disbursed_pct": _pct(actual),
                "gap_pct": _pct(gap),
                "allocated": facts.allocated_year,
                "disbursed": facts.disbursed_ytd,
            },
        )
    ]


def single_bidder(facts: ProjectFacts, params: dict) -> list[Found]:
    """A package put to competition that drew at most `max_bidders` bid(s), once bids are known
    (award and later)."""
    limit = int(params.get("max_bidders", 1))
    return [
        Found(f"package:{p.pk}", {"package": p.code, "method": p.method, "bidders": p.bidders})
        for p in facts.packages
        if p.method in COMPETITIVE_METHODS
        and p.bidders is not None
        and p.bidders <= limit
        and STAGE_ORDER.index(p.stage) >= STAGE_ORDER.index("AWARD")
    ]


def contract_above_estimate(facts: ProjectFacts, params: dict) -> list[Found]:
    """A contract worth more than its package's estimate by over `tolerance_pct` %."""
    tolerance = float(params.get("tolerance_pct", 0))
    found = []
    for p in facts.packages:
        if p.contract_value is None or p.estimated_value <= 0:
            continue
        excess = (p.contract_value - p.estimated_value) / p.estimated_value
        if _pct(excess) > tolerance:
            found.append(
                Found(
                    f"package:{p.pk}",
                    {
                        "package": p.code,
                        "estimated": p.estimated_value,
                        "contract": p.contract_value,
                        "excess_pct": _pct(excess),
                    },
                )
            )
    return found


def milestone_overdue(facts: ProjectFacts, params: dict) -> list[Found]:
    """A milestone not met more than `days` days after its deadline."""
    days = int(params.get("days", 30))
    return [
        Found(
            f"milestone:{m.pk}",
            {"milestone": m.title[:200], "due": m.due.isoformat(), "days_late": (facts.day - m.due).days},
        )
        for m in facts.milestones
        if m.completed_on is None and (facts.day - m.due).days > days
    ]


def cost_overrun(facts: ProjectFacts, params: dict) -> list[Found]:
    """CPI below `cpi_below`, once at least `min_spent_pct` % of the budget is spent (before
    that, a small payment ahead of the reported progress says little)."""
    if facts.cpi is None or facts.bac <= 0:
        return []
    if facts.disbursed_total / facts.bac * 100 < float(params.get("min_spent_pct", 5)):
        return []
    if facts.cpi >= float(params.get("cpi_below", 0.9)):
        return []
    return [Found("", {"cpi": round(facts.cpi, 2), "spent": facts.disbursed_total, "bac": facts.bac})]


def not_started(facts: ProjectFacts, params: dict) -> list[Found]:
    """Approved more than `months` months ago and still neither started nor paid anything."""
    months = int(params.get("months", 6))
    if facts.status in ("CLOSED", "CANCELLED") or facts.actual_start is not None or facts.disbursed_total > 0:
        return []
    elapsed = (facts.day.year - facts.decision_date.year) * 12 + facts.day.month - facts.decision_date.month
    if facts.day.day < facts.decision_date.day:
        elapsed -= 1
    if elapsed < months:
        return []
    return [Found("", {"approved_on": facts.decision_date.isoformat(), "months": elapsed})]


TESTS: dict[str, Callable[[ProjectFacts, dict], list[Found]]] = {
    FlagCode.DISBURSEMENT_BEHIND: disbursement_behind,
    FlagCode.SINGLE_BIDDER: single_bidder,
    FlagCode.CONTRACT_ABOVE_ESTIMATE: contract_above_estimate,
    FlagCode.MILESTONE_OVERDUE: milestone_overdue,
    FlagCode.COST_OVERRUN: cost_overrun,
    FlagCode.NOT_STARTED: not_started,
}
