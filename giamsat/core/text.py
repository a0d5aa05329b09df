"""Text helpers shared by every app: folding Vietnamese for search, CSV cells that stay text."""

import re
import unicodedata

from unidecode import unidecode

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """Lower-case ASCII form of a Vietnamese text, words separated by one space.

    "Thành phố Hà Nội" -> "thanh pho ha noi"; "Đắk Lắk" -> "dak lak". Used to store a search
    column and to fold the query the same way, so "ha noi" finds "Hà Nội" on every database.
    """
    ascii_text = unidecode(unicodedata.normalize("NFC", text or "")).lower()
    return _NON_ALNUM.sub(" ", ascii_text).strip()


def nfc_key(text: str) -> str:
    """A comparison key that keeps diacritics but ignores case, spaces and tone placement.

    Old ("Thuỷ", "Hoà") and new ("Thủy", "Hòa") tone placements compare equal.
    """
    decomposed = unicodedata.normalize("NFD", (text or "").lower())
    base = "".join(ch for ch in decomposed if not unicodedata.combining(ch) or ch in "\u0306\u0302\u031b")
    tones = sorted(ch for ch in decomposed if unicodedata.combining(ch) and ch not in "\u0306\u0302\u031b")
    letters = re.sub(r"\s+", "", unicodedata.normalize("NFC", base))
    return letters + "".join(tones)


# A spreadsheet opening a CSV file takes a cell that starts with one of these for a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """A text for a CSV cell that a spreadsheet shows as typed, never runs as a formula
    (“=HYPERLINK(…)”, “@SUM(…)”): an apostrophe goes in front of a leading ``= + - @``, tab or
    carriage return. Apostrophes already in front of such a character get one more, so that
    `csv_text_read` gives back exactly the text written. Only for text cells: a number such
    as -5 stays a number."""
    if text.lstrip("'").startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def csv_text_read(text: str) -> str:
    """The text that `csv_text` wrote: the one apostrophe it added is taken off again."""
    if text.startswith("'") and text.lstrip("'").startswith(_FORMULA_STARTS):
        return text[1:]
    return text
