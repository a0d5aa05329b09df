"""The document model: one official document as pure data, in the layout of Decree
30/2020/NĐ-CP, Annex I (A4; title block, body, recipients, signature). The DOCX and PDF
renderers (docx.py, pdf.py) draw the same model with the same sizes (LAYOUT), so the two files
say the same thing the same way.

Annex I (summarised with sources in shared/research/modules.md §8.1): margins top and bottom
20–25 mm, left 30–35 mm, right 15–20 mm; Times New Roman (here the metric-equal Liberation
Serif); national title caps 12–13 bold, motto 13–14 bold with a rule as long as it; issuer caps
12–13 bold under its parent body (caps, not bold) with a short rule; "Số: 05/BC-…" 13; place and
date 13–14 italic; kind caps 13–14 bold and its summary 13–14 bold; body 13–14 justified, first
line indented, at least 6 pt between paragraphs; "Nơi nhận:" 12 bold italic, its list 11;
signer's authority and position caps 13–14 bold, name 13–14 bold; page numbers 13–14, centred
in the top margin, not on the first page.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
RECIPIENTS_LABEL = "Nơi nhận:"
DRAFT_MARK = "DỰ THẢO"


def nfc(text: str) -> str:
    """Precomposed Vietnamese letters (NFC): one glyph each in the font and in the PDF's text."""
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class Layout:
    """Page and type sizes of Annex I, one value chosen within each of its ranges."""

    page_width_mm: float = 210.0  # A4 portrait
    page_height_mm: float = 297.0
    margin_top_mm: float = 20.0  # 20–25
    margin_bottom_mm: float = 20.0  # 20–25
    margin_left_mm: float = 30.0  # 30–35
    margin_right_mm: float = 15.0  # 15–20
    header_distance_mm: float = 10.0  # the page number sits in the top margin
    national_title_pt: float = 12  # 12–13, caps, bold
    motto_pt: float = 13  # 13–14, bold
    parent_body_pt: float = 13  # 12–13, caps, not bold
    issuer_pt: float = 13  # 12–13, caps, bold
    number_pt: float = 13  # "Số: …"
    place_date_pt: float = 14  # 13–14, italic
    kind_pt: float = 14  # 13–14, caps, bold
    summary_pt: float = 14  # 13–14, bold
    body_pt: float = 14  # 13–14
    heading_pt: float = 14  # body headings, bold
    table_pt: float = 12  # tables inside the body
    caption_pt: float = 12  # a chart's or table's caption, italic
    recipients_label_pt: float = 12  # "Nơi nhận:", bold italic
    recipients_pt: float = 11
    signer_pt: float = 14  # authority and position, caps, bold
    signer_name_pt: float = 14  # bold
    page_number_pt: float = 14
    first_line_indent_cm: float = 1.27
    space_after_pt: float = 6  # at least 6 between paragraphs
    line_spacing: float = 1.15  # single to 1.5
    # The title block's two columns: the issuer's (left) and the national title's (right).
    # 75 mm holds "BỘ KHOA HỌC VÀ CÔNG NGHỆ" at 13 pt bold, 90 mm the national title at 12 pt.
    issuer_column_mm: float = 75.0


LAYOUT = Layout()


@dataclass(frozen=True)
class Heading:
    text: str


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Table:
    """A table in the body: a header row, rows of text, relative column widths, which columns
    hold numbers (right-aligned) and an optional caption above it."""

    columns: list[str]
    rows: list[list[str]]
    widths: list[float]
    numeric: list[bool]
    caption: str = ""


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart (e.g. the period's index by unit); None values are left out and
    said so in the note, never drawn as zero."""

    caption: str
    labels: list[str]
    values: list[float]
    value_label: str = ""
    note: str = ""


Block = Heading | Paragraph | Table | BarChart


@dataclass(frozen=True)
class Signature:
    authority: str  # "KT. BỘ TRƯỞNG" / "TM. ỦY BAN NHÂN DÂN" (may be empty)
    position: str  # "THỨ TRƯỞNG" / "GIÁM ĐỐC"
    name: str


@dataclass(frozen=True)
class Document:
    """An official document: the title block, the body, the recipients and the signature."""

    parent_body: str  # the issuer's parent body: "BỘ KHOA HỌC VÀ CÔNG NGHỆ" (may be empty)
    issuer: str  # "CỤC CHUYỂN ĐỔI SỐ QUỐC GIA"
    number: int | None  # None while a draft: "Số:      /BC-…"
    symbol: str  # "BC-BKHCN" (kind abbreviation - issuer abbreviation)
    place: str  # "Hà Nội"
    date: dt.date | None  # None while a draft: "ngày    tháng    năm 2026"
    kind: str  # "BÁO CÁO"
    summary: str  # "Tình hình chuyển đổi số tháng 11/2026"
    body: list[Block]
    recipients: list[str]
    signature: Signature
    draft: bool = False  # a draft says so in its header
    year: int = field(default=0)  # the year printed on a draft without a date

    @property
    def number_line(self) -> str:
        return number_line(self.number, self.symbol)

    @property
    def place_date_line(self) -> str:
        return place_date_line(self.place, self.date, year=self.year)


def number_line(number: int | None, symbol: str) -> str:
    """ "Số: 05/BC-BKHCN": numbers below 10 take a leading zero (Annex I); blank while a draft."""
    shown = f"{number:02d}" if number is not None else "\u00a0" * 6
    return f"Số: {shown}/{symbol}"


def place_date_line(place: str, day: dt.date | None, *, year: int = 0) -> str:
    """ "Hà Nội, ngày 07 tháng 12 năm 2026": days below 10 and months 1 and 2 take a leading
    zero (Annex I); a draft without a date leaves the day and month blank."""
    if day is None:
        gap = "\u00a0" * 4
        return f"{place}, ngày{gap}tháng{gap}năm {year or ''}".rstrip()
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def recipients_lines(recipients: list[str]) -> list[str]:
    """The list under "Nơi nhận:": each line begins with "- " and ends with ";", the last one
    with "." (Annex I's "- Lưu: VT, …." is the caller's last item)."""
    lines = []
    for text in recipients:
        text = text.strip().lstrip("-").strip().rstrip(";.")
        if not text:
            continue
        lines.append(f"- {text}")
    return [line + (";" if n < len(lines) - 1 else ".") for n, line in enumerate(lines)]
