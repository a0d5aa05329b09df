"""The document model and its two renderers, without a database: the Decree 30/2020 Annex I
layout read back from the DOCX, and the PDF's text layer."""

import datetime as dt

import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt

from giamsat.documents.engine import fonts
from giamsat.documents.engine.docx import render_docx
from giamsat.documents.engine.model import (
    LAYOUT,
    MOTTO,
    NATIONAL_TITLE,
    BarChart,
    Document,
    Heading,
    Paragraph,
    Signature,
    Table,
    number_line,
    place_date_line,
    recipients_lines,
)
from giamsat.documents.engine.numbers import NO_DATA, vn_number
from giamsat.documents.engine.pdf import render_pdf
from giamsat.documents.services import symbol_of

from .layout import docx_open, docx_run, docx_runs, pdf_pages

BODY_TEXT = "Trong tháng 11/2026, chỉ số chuyển đổi số của Thành phố Hà Nội đạt 0,8490; xếp thứ 2/34 tỉnh, thành phố."


def sample(*, rows: int = 40) -> Document:
    """A report long enough for three pages, with every kind of block."""
    return Document(
        parent_body="Ủy ban nhân dân Thành phố Hà Nội",
        issuer="Sở Khoa học và Công nghệ",
        number=5,
        symbol="BC-SKHCN",
        place="Hà Nội",
        date=dt.date(2026, 12, 7),
        kind="Báo cáo",
        summary="Tình hình chuyển đổi số tháng 11/2026",
        body=[
            Heading("I. ĐÁNH GIÁ CHUNG"),
            Paragraph(BODY_TEXT),
            Table(
                columns=["Xếp hạng", "Tỉnh, thành phố", "Chỉ số"],
                rows=[[str(n), f"Tỉnh Đắk Lắk số {n}", vn_number(0.5 + n / 1000, 4)] for n in range(1, rows + 1)],
                widths=[1, 5, 2],
                numeric=[True, False, True],
                caption="Bảng 1. Chỉ số chuyển đổi số",
            ),
            BarChart("Hình 1. Chỉ số theo tỉnh", ["Thành phố Hà Nội", "Tỉnh Lạng Sơn"], [0.849, 0.4843]),
            Paragraph("Kiến nghị: các đơn vị gửi báo cáo đúng hạn."),
        ],
        recipients=["Bộ Khoa học và Công nghệ (để báo cáo)", "UBND Thành phố Hà Nội", "Lưu: VT"],
        signature=Signature("", "Giám đốc", "Phạm Quốc Dũng"),
    )


@pytest.mark.parametrize(
    "number, expected",
    [(5, "Số: 05/BC-SKHCN"), (12, "Số: 12/BC-SKHCN"), (None, "Số: \u00a0\u00a0\u00a0\u00a0\u00a0\u00a0/BC-SKHCN")],
)
def test_number_line_pads_below_ten(number, expected):
    assert number_line(number, "BC-SKHCN") == expected


@pytest.mark.parametrize(
    "day, expected",
    [
        (dt.date(2026, 12, 7), "Hà Nội, ngày 07 tháng 12 năm 2026"),
        (dt.date(2026, 1, 15), "Hà Nội, ngày 15 tháng 01 năm 2026"),  # months 1 and 2 padded
        (dt.date(2026, 2, 3), "Hà Nội, ngày 03 tháng 02 năm 2026"),
        (dt.date(2026, 3, 31), "Hà Nội, ngày 31 tháng 3 năm 2026"),  # the others not
    ],
)
def test_place_and_date(day, expected):
    assert place_date_line("Hà Nội", day) == expected


def test_recipients_end_with_semicolons_then_a_full_stop():
    assert recipients_lines(["Bộ trưởng (để báo cáo);", "- Các Thứ trưởng", "", "Lưu: VT"]) == [
        "- Bộ trưởng (để báo cáo);",
        "- Các Thứ trưởng;",
        "- Lưu: VT.",
    ]


@pytest.mark.parametrize(
    "value, decimals, expected",
    [
        (1234.56, 1, "1.234,6"),
        (0.66445, 4, "0,6645"),  # half up, as the pages' num filter
        (1234567, 0, "1.234.567"),
        (-1234.5, 0, "-1.235"),
        (0, 2, "0,00"),
        (None, 2, NO_DATA),  # no data is never 0
        (float("nan"), 2, NO_DATA),
    ],
)
def test_vietnamese_numbers(value, decimals, expected):
    assert vn_number(value, decimals) == expected


@pytest.mark.parametrize(
    "issuer, symbol",
    [
        ("Bộ Khoa học và Công nghệ", "BKHCN"),
        ("Sở Khoa học và Công nghệ", "SKHCN"),
        ("Cục Chuyển đổi số quốc gia", "CCĐSQG"),
    ],
)
def test_issuer_symbol(issuer, symbol):
    assert symbol_of(issuer) == symbol


@pytest.fixture(scope="module")
def docx_document():
    return docx_open(render_docx(sample()))


def test_docx_page_is_a4_with_the_annex_margins(docx_document):
    section = docx_document.sections[0]
    tolerance = Mm(0.1)
    for value, expected in [
        (section.page_width, Mm(210)),
        (section.page_height, Mm(297)),
        (section.top_margin, Mm(LAYOUT.margin_top_mm)),
        (section.bottom_margin, Mm(LAYOUT.margin_bottom_mm)),
        (section.left_margin, Mm(LAYOUT.margin_left_mm)),
        (section.right_margin, Mm(LAYOUT.margin_right_mm)),
    ]:
        assert abs(value - expected) <= tolerance
    # Within the Annex's ranges (Word keeps twips: 15 mm reads back as 14,99).
    assert 20 <= round(section.top_margin.mm, 1) <= 25 and 20 <= round(section.bottom_margin.mm, 1) <= 25
    assert 30 <= round(section.left_margin.mm, 1) <= 35 and 15 <= round(section.right_margin.mm, 1) <= 20


def test_docx_page_number_from_page_two_centred_at_the_top(docx_document):
    section = docx_document.sections[0]
    assert section.different_first_page_header_footer  # the first page's header stays empty
    assert not "".join(p.text for p in section.first_page_header.paragraphs).strip()
    header = section.header.paragraphs[0]
    assert header.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert "PAGE" in header._p.xml and 'w:fldCharType="begin"' in header._p.xml
    assert header.runs[0].font.size == Pt(LAYOUT.page_number_pt)


def test_docx_every_run_is_times_new_roman(docx_document):
    runs = [r for r in docx_runs(docx_document) if r.text.strip()]
    assert runs and {r.font.name for r in runs} == {"Times New Roman"}
    assert docx_document.styles["Normal"].font.name == "Times New Roman"


@pytest.mark.parametrize(
    "text, size, bold, italic",
    [
        (NATIONAL_TITLE, 12, True, False),  # 12–13, caps, bold
        (MOTTO, 13, True, False),  # 13–14, bold (underlined: its rule)
        ("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI", 13, False, False),  # the parent body: caps, not bold
        ("SỞ KHOA HỌC VÀ CÔNG NGHỆ", 13, True, False),  # the issuer: caps, bold
        ("Số: 05/BC-SKHCN", 13, False, False),
        ("Hà Nội, ngày 07 tháng 12 năm 2026", 14, False, True),  # italic
        ("BÁO CÁO", 14, True, False),
        ("Tình hình chuyển đổi số tháng 11/2026", 14, True, False),
        (BODY_TEXT, 14, False, False),
        ("Nơi nhận:", 12, True, True),  # bold italic
        ("- Bộ Khoa học và Công nghệ (để báo cáo);", 11, False, False),
        ("- Lưu: VT.", 11, False, False),
        ("GIÁM ĐỐC", 14, True, False),
        ("Phạm Quốc Dũng", 14, True, False),
    ],
)
def test_docx_title_block_body_recipients_and_signature(docx_document, text, size, bold, italic):
    run = docx_run(docx_document, text)
    assert run.font.size == Pt(size)
    assert bool(run.font.bold) is bold
    assert bool(run.font.italic) is italic


def test_docx_motto_is_underlined_and_the_body_justified_with_a_first_line_indent(docx_document):
    assert docx_run(docx_document, MOTTO).font.underline
    body = next(p for p in docx_document.paragraphs if p.text == BODY_TEXT)
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert abs(body.paragraph_format.first_line_indent.cm - 1.27) < 0.01
    assert body.paragraph_format.space_after >= Pt(6)


def test_docx_holds_the_chart_and_the_table(docx_document):
    assert len(docx_document.inline_shapes) == 1
    texts = {cell.text for table in docx_document.tables for row in table.rows for cell in row.cells}
    assert {"Tỉnh Đắk Lắk số 40", "0,5400"} <= texts


@pytest.fixture(scope="module")
def pdf_read():
    return pdf_pages(render_pdf(sample(rows=70)))


def test_pdf_is_a4_with_vietnamese_text_intact(pdf_read):
    first_text, _placed, page = pdf_read[0]
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842
    for text in [
        NATIONAL_TITLE,
        MOTTO,
        "Số: 05/BC-SKHCN",
        "Hà Nội, ngày 07 tháng 12 năm 2026",
        "BÁO CÁO",
        "Tình hình chuyển đổi số tháng 11/2026",
        "xếp thứ 2/34",
    ]:
        assert text in first_text, text
    everything = "\n".join(text for text, _p, _page in pdf_read)
    assert "Nơi nhận:" in everything and "Phạm Quốc Dũng" in everything and "- Lưu: VT." in everything
    assert "Tỉnh Đắk Lắk số 70" in everything


def test_pdf_embeds_liberation_serif(pdf_read):
    _text, _placed, page = pdf_read[0]
    names = {str(font["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert names and all("LiberationSerif" in name for name in names)
    for font in page["/Resources"]["/Font"].values():
        assert "/FontFile2" in font["/FontDescriptor"]  # the TrueType subset is embedded
        assert "/ToUnicode" in font  # so the text layer reads back as Vietnamese


def test_pdf_page_numbers_from_page_two_in_the_top_margin(pdf_read):
    assert len(pdf_read) >= 3
    height = 297 / 25.4 * 72
    top_margin = height - LAYOUT.margin_top_mm / 25.4 * 72
    for number, (_text, placed, _page) in enumerate(pdf_read, start=1):
        in_margin = [p.text for p in placed if p.y > top_margin]
        assert in_margin == ([] if number == 1 else [str(number)]), (number, in_margin)


def test_a_missing_font_is_an_error_that_says_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("DOCUMENT_FONT_DIR", str(tmp_path))
    with pytest.raises(fonts.FontMissing, match="fonts-liberation2"):
        fonts.font_files()
