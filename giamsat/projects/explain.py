"""Money and red flags in words, in the active language: amounts in billions of đồng, each
flag's figures as a sentence (for the pages, the alerts and the exports)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from giamsat.core.templatetags.giamsat import num

from .choices import FlagCode


def rule_name(rule) -> str:
    """A red-flag rule's name in the active language."""
    from django.utils.translation import get_language

    return rule.name_vi if (get_language() or "vi").startswith("vi") else rule.name_en


def billions(amount) -> str:
    """Whole đồng as a number of billions (the unit said once, in the column's header)."""
    return "—" if amount is None else num(float(amount) / 1e9, 2)


def money(amount) -> str:
    """Whole đồng as billions: 12.345.000.000 → "12,35 tỷ đồng" (Vietnamese)."""
    if amount is None:
        return "—"
    return _("%(amount)s billion VND") % {"amount": num(float(amount) / 1e9, 2)}


def _date(text) -> str:
    return dt.date.fromisoformat(text).strftime("%d/%m/%Y") if text else "—"


def flag_sentence(code: str, figures: dict) -> str:
    """What raised a flag, with its figures."""
    f = figures or {}
    if code == FlagCode.DISBURSEMENT_BEHIND:
        return _(
            "Disbursed %(disbursed)s%% of this year's allocation (%(amount)s of %(allocated)s) against "
            "%(planned)s%% planned by now: %(gap)s points behind."
        ) % {
            "disbursed": num(f.get("disbursed_pct"), 1),
            "planned": num(f.get("planned_pct"), 1),
            "gap": num(f.get("gap_pct"), 1),
            "amount": money(f.get("disbursed")),
            "allocated": money(f.get("allocated")),
        }
    if code == FlagCode.SINGLE_BIDDER:
        return _("Package %(package)s drew %(bidders)s bid(s).") % {
            "package": f.get("package", ""),
            "bidders": f.get("bidders", ""),
        }
    if code == FlagCode.CONTRACT_ABOVE_ESTIMATE:
        return _("Package %(package)s: contract %(contract)s against an estimate of %(estimated)s (+%(excess)s%%).") % {
            "package": f.get("package", ""),
            "contract": money(f.get("contract")),
            "estimated": money(f.get("estimated")),
            "excess": num(f.get("excess_pct"), 1),
        }
    if code == FlagCode.MILESTONE_OVERDUE:
        return _("Milestone “%(milestone)s” was due %(due)s: %(days)s days late.") % {
            "milestone": f.get("milestone", ""),
            "due": _date(f.get("due")),
            "days": f.get("days_late", ""),
        }
    if code == FlagCode.COST_OVERRUN:
        return _("CPI %(cpi)s: %(spent)s paid out of a budget of %(bac)s for less work than that buys.") % {
            "cpi": num(f.get("cpi"), 2),
            "spent": money(f.get("spent")),
            "bac": money(f.get("bac")),
        }
    if code == FlagCode.NOT_STARTED:
        return _("Approved on %(approved)s and not started %(months)s months later.") % {
            "approved": _date(f.get("approved_on")),
            "months": f.get("months", ""),
        }
    return ""


def threshold_sentence(code: str, params: dict) -> str:
    """A rule's thresholds in words."""
    p = params or {}
    if code == FlagCode.DISBURSEMENT_BEHIND:
        return _("From month %(month)s, more than %(gap)s points behind the planned disbursement.") % {
            "month": p.get("from_month", 1),
            "gap": num(p.get("gap_pct", 20)),
        }
    if code == FlagCode.SINGLE_BIDDER:
        return _("A competitive package with at most %(n)s bid(s).") % {"n": p.get("max_bidders", 1)}
    if code == FlagCode.CONTRACT_ABOVE_ESTIMATE:
        return _("A contract more than %(pct)s%% above the package's estimate.") % {
            "pct": num(p.get("tolerance_pct", 0))
        }
    if code == FlagCode.MILESTONE_OVERDUE:
        return _("A milestone more than %(days)s days past its deadline.") % {"days": p.get("days", 30)}
    if code == FlagCode.COST_OVERRUN:
        return _("CPI below %(cpi)s once %(spent)s%% of the budget is paid out.") % {
            "cpi": num(p.get("cpi_below", 0.9), 2),
            "spent": num(p.get("min_spent_pct", 5)),
        }
    if code == FlagCode.NOT_STARTED:
        return _("Not started %(months)s months after approval.") % {"months": p.get("months", 6)}
    return ""
