import datetime as dt

import pytest

from giamsat.core.periods import InvalidPeriod, Period, PeriodType, periods_between


@pytest.mark.parametrize(
    "code, start, end, kind",
    [
        ("2025", dt.date(2025, 1, 1), dt.date(2025, 12, 31), PeriodType.YEARLY),
        ("2025Q1", dt.date(2025, 1, 1), dt.date(2025, 3, 31), PeriodType.QUARTERLY),
        ("2024Q4", dt.date(2024, 10, 1), dt.date(2024, 12, 31), PeriodType.QUARTERLY),
        ("202502", dt.date(2025, 2, 1), dt.date(2025, 2, 28), PeriodType.MONTHLY),
        ("202402", dt.date(2024, 2, 1), dt.date(2024, 2, 29), PeriodType.MONTHLY),
        ("2025W12", dt.date(2025, 3, 17), dt.date(2025, 3, 23), PeriodType.WEEKLY),
        ("2020W53", dt.date(2020, 12, 28), dt.date(2021, 1, 3), PeriodType.WEEKLY),
        (" 2025q2 ", dt.date(2025, 4, 1), dt.date(2025, 6, 30), PeriodType.QUARTERLY),
    ],
)
def test_parse(code, start, end, kind):
    period = Period.parse(code)
    assert (period.start, period.end, period.type) == (start, end, kind)


@pytest.mark.parametrize(
    "code", ["", "25", "2025Q5", "202513", "202500", "2025W54", "2021W53", "2025-03", "abc", None, "1800"]
)
def test_parse_refuses_clearly(code):
    with pytest.raises(InvalidPeriod, match="2025Q1"):
        Period.parse(code)


def test_navigation():
    assert Period.parse("202512").next().code == "202601"
    assert Period.parse("2025Q1").previous().code == "2024Q4"
    assert Period.parse("2025W1").previous().code == "2024W52"
    assert Period.parse("202503").same_period_last_year().code == "202403"
    assert Period.parse("2020W53").same_period_last_year().code == "2019W52"


def test_periods_between():
    months = periods_between("MONTHLY", dt.date(2022, 1, 15), dt.date(2022, 12, 1))
    assert [p.code for p in months][:2] == ["202201", "202202"] and len(months) == 12
    assert [p.code for p in periods_between("QUARTERLY", dt.date(2025, 2, 1), dt.date(2025, 7, 1))] == [
        "2025Q1",
        "2025Q2",
        "2025Q3",
    ]


def test_vietnamese_labels():
    from django.utils import translation

    with translation.override("vi"):
        assert Period.parse("202503").label == "Tháng 03/2025"
        assert Period.parse("2025Q3").label == "Quý III/2025"
        assert Period.parse("2025").label == "Năm 2025"


@pytest.mark.parametrize(
    "code, adx",
    [
        ("202510", "2025-10-01/P1M"),
        ("2025Q3", "2025-07-01/P3M"),
        ("2025", "2025-01-01/P1Y"),
        ("2025W12", "2025-03-17/P7D"),
    ],
)
def test_adx_periods(code, adx):
    assert Period.parse(code).adx == adx
    assert Period.from_adx(adx).code == code


@pytest.mark.parametrize("text", ["2025-10-02/P1M", "2025-10-01", "2025-13-01/P1M", "2025-10-01/P2M", "", None])
def test_adx_periods_refused(text):
    with pytest.raises(InvalidPeriod, match="P1M"):
        Period.from_adx(text)


def test_the_period_picker_offers_recent_periods_newest_first_and_keeps_the_chosen_one():
    import datetime as dt

    from django.utils import translation

    from giamsat.core.periods import PICKER_DEPTH, picker_choices

    with translation.override("vi"):
        groups = picker_choices(["MONTHLY", "YEARLY"], today=dt.date(2026, 12, 7), selected="202612")
        assert [label for label, _options in groups] == ["Tháng", "Năm"]
        months = groups[0][1]
        assert months[0] == ("202612", "Tháng 12/2026") and months[1][0] == "202611"
        assert len(months) == PICKER_DEPTH["MONTHLY"] and groups[1][1][0] == ("2026", "Năm 2026")
        older = picker_choices(["QUARTERLY"], today=dt.date(2026, 12, 7), selected="2019Q2")
        assert older[0] == ("Đã chọn", [("2019Q2", "Quý II/2019")])
        assert picker_choices(["QUARTERLY"], today=dt.date(2026, 12, 7), selected="x")[0][0] == "Quý"
