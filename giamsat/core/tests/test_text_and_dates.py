import datetime as dt

import pytest

from giamsat.core.dates import InvalidDate, parse_date
from giamsat.core.text import csv_text, csv_text_read, fold, nfc_key


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Thành phố Hà Nội", "thanh pho ha noi"),
        ("Đắk Lắk", "dak lak"),
        ("  Bà Rịa - Vũng Tàu ", "ba ria vung tau"),
        ("", ""),
    ],
)
def test_fold(text, expected):
    assert fold(text) == expected


def test_nfc_key_ignores_tone_placement_and_case():
    assert nfc_key("Xã Thanh Thuỷ") == nfc_key("xã thanh thủy")
    assert nfc_key("Thuận Hoà") == nfc_key("Thuận Hòa")
    assert nfc_key("Văn Lang") != nfc_key("Văn Lăng")


@pytest.mark.parametrize(
    "text, written",
    [
        ('=HYPERLINK("http://x.example","y")', '\'=HYPERLINK("http://x.example","y")'),
        ("+1", "'+1"),
        ("-5", "'-5"),  # a text cell only: the value column is never passed through csv_text
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("'=x", "''=x"),  # one more apostrophe, so that reading back gives the text written
        ("'quoted'", "'quoted'"),
        ("a=b", "a=b"),
        ("'", "'"),
        ("", ""),
    ],
)
def test_csv_text_quotes_formulas_and_reads_back_exactly(text, written):
    assert csv_text(text) == written
    assert csv_text_read(written) == text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("30/06/2025", dt.date(2025, 6, 30)),
        ("2025-07-01", dt.date(2025, 7, 1)),
        ("01-07-2025", dt.date(2025, 7, 1)),
        ("", None),
        (None, None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2025", "hôm qua", "2025-13-01", "1/1/99999", "'; drop table"])
def test_parse_date_refuses_clearly(text):
    with pytest.raises(InvalidDate, match="dd/mm/yyyy"):
        parse_date(text)


def test_datetimes_are_shown_in_vietnam_time():
    from django.utils import timezone

    from giamsat.core.templatetags.giamsat import ddmmyyyy

    moment = dt.datetime(2026, 11, 27, 23, 51, tzinfo=dt.UTC)
    assert timezone.is_aware(moment)
    assert ddmmyyyy(moment) == "28/11/2026 06:51"
    assert ddmmyyyy(dt.date(2025, 6, 30)) == "30/06/2025"


def test_months_of_year_to_stops_at_today():
    import datetime as _dt

    from giamsat.core.periods import months_of_year_to

    today = _dt.date(2026, 3, 15)
    assert [p.code for p in months_of_year_to(2026, today)] == ["202601", "202602", "202603"]
    assert len(months_of_year_to(2025, today)) == 12
    assert months_of_year_to(2027, today) == []
