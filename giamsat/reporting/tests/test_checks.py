"""One checker: every refusal reason of the value checks is written once, in reporting/checks.py,
and every write path (form, Excel, API per value and set-based) gives the same reasons."""

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from giamsat.reporting import checks

GIAMSAT = Path(__file__).resolve().parents[2]
REASONS = [
    "No data element has this code.",
    "No unit has this code.",
    "This is not a period (use e.g. 202510, 2025Q3, 2025).",
    "The unit is outside your data-entry scope.",
    "The unit did not exist in this period.",
    "This figure is reported %(type)s, not for period %(period)s.",
    "The same figure appears twice for this unit and period.",
    "This figure belongs to the report “%(data_set)s” of %(unit)s for %(period)s, which is “%(status)s”: it is locked until the report is returned.",  # noqa: E501
    "No data set assigned to this unit (or to a unit above it whose report covers its sub-units) holds this figure for period %(period)s.",  # noqa: E501
]


@pytest.mark.parametrize("reason", REASONS)
def test_every_refusal_reason_is_defined_once(reason):
    """Outside the checks module a reason may be looked up by code elsewhere (an API answering
    "no unit has this code" for its own parameter), but never used to refuse a value."""
    value_paths = ["reporting/services.py", "reporting/bulk.py", "reporting/exchange.py", "reporting/excel.py"]
    assert reason in (GIAMSAT / "reporting/checks.py").read_text()
    for path in value_paths:
        assert reason not in (GIAMSAT / path).read_text(), f"{path} writes “{reason}” itself"
    defined = [p for p in GIAMSAT.rglob("*.py") if "tests" not in p.parts and f'"{reason}"' in p.read_text()]
    if reason not in {"No unit has this code."}:  # also the answer of lookups by unit code (API, forms)
        assert defined == [GIAMSAT / "reporting/checks.py"], defined


D = dt.date


@pytest.mark.parametrize(
    "fields, expected",
    [
        ({}, None),
        ({"in_scope": False}, "outside your data-entry scope"),
        ({"unit_from": D(2025, 7, 1)}, "did not exist"),  # a new commune, a June figure
        ({"unit_from": D(2025, 6, 15)}, None),  # existed at the period's end
        ({"unit_to": D(2025, 6, 15)}, None),  # existed at its start
        ({"unit_to": D(2025, 5, 31)}, "did not exist"),
        ({"element_period_type": "QUARTERLY"}, "not for period 202506"),
        ({"duplicate": True}, "appears twice"),
    ],
)
def test_placement_refusal(fields, expected):
    base = {
        "in_scope": True,
        "unit_from": None,
        "unit_to": None,
        "period_start": D(2025, 6, 1),
        "period_end": D(2025, 6, 30),
        "period_type": "MONTHLY",
        "period_code": "202506",
        "element_period_type": "MONTHLY",
        "element_period_label": "Quarterly",
        "duplicate": False,
    }
    with translation.override("en"):
        reason = checks.placement_refusal(**{**base, **fields})
    assert reason is None if expected is None else expected in reason


@pytest.mark.parametrize(
    "value, comment, stored, refused",
    [
        (Decimal(5), None, (Decimal(5), "ghi chú"), False),  # sent again unchanged, comment kept
        (Decimal(5), "ghi chú", (Decimal(5), "ghi chú"), False),
        (Decimal(6), None, (Decimal(5), ""), True),
        (Decimal(5), "khác", (Decimal(5), ""), True),
        (None, None, None, False),  # nothing stored, nothing sent
        (Decimal(1), None, None, True),
    ],
)
def test_locked_change_refusal(value, comment, stored, refused):
    lock = checks.ReportLock("Báo cáo tháng", "Monthly report", "Thành phố Hà Nội", "Hanoi", "202610", "ACCEPTED")
    reason = checks.locked_change_refusal(value=value, comment=comment, stored=stored, lock=lock)
    assert (reason is not None) is refused
    if refused:
        with translation.override("vi"):
            reason = checks.locked_change_refusal(value=value, comment=comment, stored=stored, lock=lock)
        assert reason == (
            "Số liệu này thuộc báo cáo “Báo cáo tháng” của Thành phố Hà Nội, Tháng 10/2026, đang ở trạng thái "
            "“Bộ đã tiếp nhận”: số liệu bị khóa cho đến khi báo cáo được trả lại."
        )


@pytest.mark.parametrize(
    "strategy, count, conditional, expected",
    [
        ("CREATE_AND_UPDATE", 1999, False, False),
        ("CREATE_AND_UPDATE", 2000, False, True),
        (None, 5000, False, True),
        ("create_and_update", None, False, True),  # a background stream: large
        ("CREATE_AND_UPDATE", 5000, True, False),  # no silent overwrite compares value by value
        ("UPDATE", 5000, False, False),
        ("DELETE", None, False, False),
    ],
)
def test_the_write_path_is_chosen_in_one_place(strategy, count, conditional, expected):
    from giamsat.reporting.exchange import takes_set_based_path

    assert takes_set_based_path(strategy=strategy, count=count, conditional=conditional) is expected
