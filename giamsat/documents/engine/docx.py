"""The document model as a DOCX (python-docx), in the layout of Annex I: the title block as a
borderless two-column table, the page number as a PAGE field in a header that is empty on the
first page, "Nơi nhận" and the signature side by side at the end."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu, Mm, Pt

from .chart import WIDTH_IN, bar_chart_png
from .fonts import FAMILY
from .model import (
    DRAFT_MARK,
    LAYOUT,
    MOTTO,
    NATIONAL_TITLE,
    RECIPIENTS_LABEL,
    BarChart,
    Document,
    Heading,
    Paragraph,
    Table,
    nfc,
    recipients_lines,
)

CENTER = WD_ALIGN_PARAGRAPH.CENTER
TEXT_WIDTH_MM = LAYOUT.page_width_mm - LAYOUT.margin_left_mm - LAYOUT.margin_right_mm


def _font(run, size: float, *, bold: bool = False, italic: bool = False, underline: bool = False) -> None:
    """The run's font, size and style (only what is on is written: fewer XML elements)."""
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FAMILY)
    run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    if italic:
        run.font.italic = True
    if underline:
        run.font.underline = True


def _paragraph(container, text: str = "", size: float = LAYOUT.body_pt, *, align=None, space_after: float = 0, **style):
    paragraph = container.add_paragraph()
    format_ = paragraph.paragraph_format
    format_.space_before = Pt(0)
    format_.space_after = Pt(space_after)
    format_.line_spacing_rule = WD_LINE_SPACING.SINGLE
    if align is not None:
        paragraph.alignment = align
    if text:
        _font(paragraph.add_run(nfc(text)), size, **style)
    return paragraph


def _cell_paragraph(cell, text: str, size: float, *, first: bool = False, **style):
    """The cell's first paragraph is its own; later ones are added."""
    if first:
        paragraph = cell.paragraphs[0]
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.space_before = Pt(0)
        if text:
            _font(paragraph.add_run(nfc(text)), size, **{k: v for k, v in style.items() if k != "align"})
        if style.get("align") is not None:
            paragraph.alignment = style["align"]
        return paragraph
    return _paragraph(cell, text, size, **style)


def _rule(cell, width_mm: float, column_mm: float) -> None:
    """A short horizontal rule, centred under the line above (the issuer's 1/3–1/2 line)."""
    paragraph = _paragraph(cell, "", 4, align=CENTER)
    side = max(0.0, (column_mm - width_mm) / 2)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    borders = OxmlElement("w:pBdr")
    top = OxmlElement("w:top")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        top.set(qn(key), value)
    borders.append(top)
    paragraph._p.get_or_add_pPr().append(borders)


def _borderless(table) -> None:
    properties = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    properties.append(borders)


def _widths(table, widths_mm: list[float]) -> None:
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _page_number_header(section) -> None:
    """The page number, centred in the top margin from page 2 on (a PAGE field; the first
    page's own header stays empty)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
    run = paragraph.add_run()
    _font(run, LAYOUT.page_number_pt)
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == "PAGE":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _title_block(document, doc: Document) -> None:
    left_mm, right_mm = LAYOUT.issuer_column_mm, TEXT_WIDTH_MM - LAYOUT.issuer_column_mm
    table = document.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borderless(table)
    _widths(table, [left_mm, right_mm])
    issuer, national = table.rows[0].cells
    first = True
    if doc.parent_body:
        _cell_paragraph(issuer, doc.parent_body.upper(), LAYOUT.parent_body_pt, first=True, align=CENTER)
        first = False
    _cell_paragraph(issuer, doc.issuer.upper(), LAYOUT.issuer_pt, first=first, align=CENTER, bold=True)
    _rule(issuer, width_mm=left_mm * 0.4, column_mm=left_mm)
    _cell_paragraph(national, NATIONAL_TITLE, LAYOUT.national_title_pt, first=True, align=CENTER, bold=True)
    # The motto's rule is as long as the motto: its own underline.
    _cell_paragraph(national, MOTTO, LAYOUT.motto_pt, align=CENTER, bold=True, underline=True)
    number, place = table.rows[1].cells
    _cell_paragraph(number, doc.number_line, LAYOUT.number_pt, first=True, align=CENTER)
    _cell_paragraph(place, doc.place_date_line, LAYOUT.place_date_pt, first=True, align=CENTER, italic=True)
    for cell in (number, place):
        cell.paragraphs[0].paragraph_format.space_before = Pt(6)


def _body_paragraph(document, text: str) -> None:
    paragraph = _paragraph(document, text, LAYOUT.body_pt, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    format_ = paragraph.paragraph_format
    format_.first_line_indent = Cm(LAYOUT.first_line_indent_cm)
    format_.space_after = Pt(LAYOUT.space_after_pt)
    format_.line_spacing = LAYOUT.line_spacing


def _run_xml(text: str, size: float, *, bold: bool = False) -> str:
    half_points = round(size * 2)
    fonts = "".join(f' w:{a}="{FAMILY}"' for a in ("ascii", "hAnsi", "cs", "eastAsia"))
    return (
        f"<w:r><w:rPr><w:rFonts{fonts}/>{'<w:b/>' if bold else ''}"
        f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/></w:rPr>'
        f'<w:t xml:space="preserve">{escape(nfc(text))}</w:t></w:r>'
    )


def _cell_xml(text: str, width_twips: int, *, align: str | None, bold: bool = False) -> str:
    justify = f'<w:jc w:val="{align}"/>' if align else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width_twips}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>'
        f'<w:p><w:pPr><w:spacing w:before="0" w:after="0"/>{justify}</w:pPr>'
        f"{_run_xml(text, LAYOUT.table_pt, bold=bold) if text else ''}</w:p></w:tc>"
    )


def _table(document, block: Table) -> None:
    """A table of figures, written as one piece of XML: python-docx's cell by cell building
    takes seconds for a hundred rows. The header row repeats on every page."""
    if block.caption:
        _paragraph(document, block.caption, LAYOUT.caption_pt, align=CENTER, space_after=3, italic=True)
    total = sum(block.widths) or 1
    widths = [round(TEXT_WIDTH_MM * w / total * 1440 / 25.4) for w in block.widths]
    border = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    borders = "".join(border.format(edge) for edge in ("top", "left", "bottom", "right", "insideH", "insideV"))
    parts = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>',
        "".join(f'<w:gridCol w:w="{w}"/>' for w in widths),
        "</w:tblGrid><w:tr><w:trPr><w:tblHeader/></w:trPr>",
        "".join(_cell_xml(title, w, align="center", bold=True) for title, w in zip(block.columns, widths, strict=True)),
        "</w:tr>",
    ]
    for row in block.rows:
        parts.append("<w:tr><w:trPr><w:cantSplit/></w:trPr>")
        for text, width, numeric in zip(row, widths, block.numeric, strict=True):
            parts.append(_cell_xml(text, width, align="right" if numeric else None))
        parts.append("</w:tr>")
    parts.append("</w:tbl>")
    document.element.body.sectPr.addprevious(parse_xml("".join(parts)))
    _paragraph(document, "", 6)


def _chart(document, block: BarChart) -> None:
    picture = bar_chart_png(block)
    paragraph = _paragraph(document, "", LAYOUT.body_pt, align=CENTER)
    paragraph.add_run().add_picture(io.BytesIO(picture), width=Emu(int(WIDTH_IN * 914400)))
    _paragraph(document, block.caption, LAYOUT.caption_pt, align=CENTER, space_after=3, italic=True)
    if block.note:
        _paragraph(document, block.note, LAYOUT.caption_pt, align=CENTER, space_after=6, italic=True)


def _closing(document, doc: Document) -> None:
    left_mm, right_mm = TEXT_WIDTH_MM * 0.5, TEXT_WIDTH_MM * 0.5
    _paragraph(document, "", 6)
    table = document.add_table(rows=1, cols=2)
    _borderless(table)
    _widths(table, [left_mm, right_mm])
    recipients, signer = table.rows[0].cells
    _cell_paragraph(recipients, RECIPIENTS_LABEL, LAYOUT.recipients_label_pt, first=True, bold=True, italic=True)
    for line in recipients_lines(doc.recipients):
        _cell_paragraph(recipients, line, LAYOUT.recipients_pt)
    first = True
    if doc.signature.authority:
        _cell_paragraph(signer, doc.signature.authority.upper(), LAYOUT.signer_pt, first=True, align=CENTER, bold=True)
        first = False
    _cell_paragraph(signer, doc.signature.position.upper(), LAYOUT.signer_pt, first=first, align=CENTER, bold=True)
    for _blank in range(4):  # room for the signature and the seal
        _cell_paragraph(signer, "", LAYOUT.signer_pt)
    _cell_paragraph(signer, doc.signature.name, LAYOUT.signer_name_pt, align=CENTER, bold=True)


def render_docx(doc: Document) -> bytes:
    """The document as DOCX bytes."""
    document = new_docx()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(LAYOUT.page_width_mm)
    section.page_height = Mm(LAYOUT.page_height_mm)
    section.top_margin = Mm(LAYOUT.margin_top_mm)
    section.bottom_margin = Mm(LAYOUT.margin_bottom_mm)
    section.left_margin = Mm(LAYOUT.margin_left_mm)
    section.right_margin = Mm(LAYOUT.margin_right_mm)
    section.header_distance = Mm(LAYOUT.header_distance_mm)
    normal = document.styles["Normal"]
    normal.font.name = FAMILY
    normal.font.size = Pt(LAYOUT.body_pt)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FAMILY)
    _page_number_header(section)
    document.core_properties.title = f"{doc.kind} {doc.summary}"
    document.core_properties.language = "vi-VN"

    if doc.draft:
        _paragraph(document, DRAFT_MARK, LAYOUT.issuer_pt, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=6, bold=True)
    _title_block(document, doc)
    _paragraph(document, "", 6)
    _paragraph(document, doc.kind.upper(), LAYOUT.kind_pt, align=CENTER, bold=True)
    _paragraph(document, doc.summary, LAYOUT.summary_pt, align=CENTER, space_after=12, bold=True)
    for block in doc.body:
        if isinstance(block, Heading):
            paragraph = _paragraph(
                document, block.text, LAYOUT.heading_pt, space_after=LAYOUT.space_after_pt, bold=True
            )
            paragraph.paragraph_format.first_line_indent = Cm(LAYOUT.first_line_indent_cm)
            paragraph.paragraph_format.keep_with_next = True
        elif isinstance(block, Paragraph):
            _body_paragraph(document, block.text)
        elif isinstance(block, Table):
            _table(document, block)
        elif isinstance(block, BarChart):
            _chart(document, block)
    _closing(document, doc)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
