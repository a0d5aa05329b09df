"""The document model as a PDF (reportlab, pure Python), in the layout of Annex I, with the
same sizes as the DOCX: Liberation Serif embedded (subset, with its Unicode map, so the
Vietnamese text can be searched and copied), the page number centred in the top margin from
page 2 on."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import cm, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    HRFlowable,
    Image,
    KeepTogether,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as Para
from reportlab.platypus import Table as PdfTable

from .chart import bar_chart_png, chart_height_in
from .fonts import PDF_FAMILY, font_files
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

_registered = False
TEXT_WIDTH = (LAYOUT.page_width_mm - LAYOUT.margin_left_mm - LAYOUT.margin_right_mm) * mm


def _register_fonts() -> None:
    global _registered
    if _registered:
        return
    files = font_files()
    names = {
        "": files.regular,
        "-Bold": files.bold,
        "-Italic": files.italic,
        "-BoldItalic": files.bolditalic,
    }
    for suffix, path in names.items():
        pdfmetrics.registerFont(TTFont(PDF_FAMILY + suffix, str(path)))
    pdfmetrics.registerFontFamily(
        PDF_FAMILY,
        normal=PDF_FAMILY,
        bold=PDF_FAMILY + "-Bold",
        italic=PDF_FAMILY + "-Italic",
        boldItalic=PDF_FAMILY + "-BoldItalic",
    )
    _registered = True


def _font_name(bold: bool, italic: bool) -> str:
    suffix = "-BoldItalic" if bold and italic else "-Bold" if bold else "-Italic" if italic else ""
    return PDF_FAMILY + suffix


def _style(size: float, *, bold=False, italic=False, align=TA_LEFT, after=0.0, indent=0.0, spacing=1.0):
    return ParagraphStyle(
        name=f"s{size}{bold}{italic}{align}",
        fontName=_font_name(bold, italic),
        fontSize=size,
        leading=size * 1.15 * spacing,
        alignment=align,
        spaceAfter=after,
        firstLineIndent=indent,
    )


def _p(text: str, style: ParagraphStyle, *, underline: bool = False) -> Para:
    body = escape(nfc(text))
    return Para(f"<u>{body}</u>" if underline else body, style)


def _title_block(doc: Document) -> list:
    left = LAYOUT.issuer_column_mm * mm
    right = TEXT_WIDTH - left
    issuer = []
    if doc.parent_body:
        issuer.append(_p(doc.parent_body.upper(), _style(LAYOUT.parent_body_pt, align=TA_CENTER)))
    issuer.append(_p(doc.issuer.upper(), _style(LAYOUT.issuer_pt, bold=True, align=TA_CENTER)))
    issuer.append(
        HRFlowable(width=left * 0.4, thickness=0.6, color=colors.black, spaceBefore=3, spaceAfter=0, hAlign="CENTER")
    )
    national = [
        _p(NATIONAL_TITLE, _style(LAYOUT.national_title_pt, bold=True, align=TA_CENTER)),
        _p(MOTTO, _style(LAYOUT.motto_pt, bold=True, align=TA_CENTER), underline=True),
    ]
    number = _p(doc.number_line, _style(LAYOUT.number_pt, align=TA_CENTER))
    place = _p(doc.place_date_line, _style(LAYOUT.place_date_pt, italic=True, align=TA_CENTER))
    table = PdfTable([[issuer, national], [number, place]], colWidths=[left, right])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), PDF_FAMILY),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),  # the issuer's rule, centred under it
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 1), (-1, 1), 6),
            ]
        )
    )
    return [table]


def _table(block: Table) -> list:
    header_style = _style(LAYOUT.table_pt, bold=True, align=TA_CENTER)
    text_style = _style(LAYOUT.table_pt)
    number_style = _style(LAYOUT.table_pt, align=TA_RIGHT)
    data = [[_p(title, header_style) for title in block.columns]]
    for row in block.rows:
        data.append([_p(text, number_style if block.numeric[i] else text_style) for i, text in enumerate(row)])
    total = sum(block.widths) or 1
    table = PdfTable(data, colWidths=[TEXT_WIDTH * w / total for w in block.widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), PDF_FAMILY),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 3),
                ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    flowables = []
    if block.caption:
        flowables.append(_p(block.caption, _style(LAYOUT.caption_pt, italic=True, align=TA_CENTER, after=3)))
    return [*flowables, table, Spacer(1, 6)]


def _chart(block: BarChart) -> list:
    picture = Image(io.BytesIO(bar_chart_png(block)), width=TEXT_WIDTH, height=TEXT_WIDTH * 0)
    picture.drawHeight = chart_height_in(block) * 72
    picture.drawWidth = TEXT_WIDTH
    parts = [picture, _p(block.caption, _style(LAYOUT.caption_pt, italic=True, align=TA_CENTER, after=3))]
    if block.note:
        parts.append(_p(block.note, _style(LAYOUT.caption_pt, italic=True, align=TA_CENTER, after=6)))
    return parts


def _closing(doc: Document) -> list:
    half = TEXT_WIDTH / 2
    recipients = [_p(RECIPIENTS_LABEL, _style(LAYOUT.recipients_label_pt, bold=True, italic=True))]
    recipients += [_p(line, _style(LAYOUT.recipients_pt)) for line in recipients_lines(doc.recipients)]
    signer = []
    if doc.signature.authority:
        signer.append(_p(doc.signature.authority.upper(), _style(LAYOUT.signer_pt, bold=True, align=TA_CENTER)))
    signer.append(_p(doc.signature.position.upper(), _style(LAYOUT.signer_pt, bold=True, align=TA_CENTER)))
    signer.append(Spacer(1, 4 * LAYOUT.signer_pt * 1.15))  # room for the signature and the seal
    signer.append(_p(doc.signature.name, _style(LAYOUT.signer_name_pt, bold=True, align=TA_CENTER)))
    table = PdfTable([[recipients, signer]], colWidths=[half, half])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), PDF_FAMILY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [Spacer(1, 6), KeepTogether([table])]


def _page_number(canvas, template) -> None:
    """From page 2 on: the page number, centred in the top margin."""
    canvas.saveState()
    canvas.setFont(PDF_FAMILY, LAYOUT.page_number_pt)
    x = (LAYOUT.margin_left_mm + (LAYOUT.page_width_mm - LAYOUT.margin_left_mm - LAYOUT.margin_right_mm) / 2) * mm
    y = (LAYOUT.page_height_mm - LAYOUT.header_distance_mm) * mm - LAYOUT.page_number_pt
    canvas.drawCentredString(x, y, str(canvas.getPageNumber()))
    canvas.restoreState()


def render_pdf(doc: Document) -> bytes:
    """The document as PDF bytes."""
    _register_fonts()
    out = io.BytesIO()
    template = SimpleDocTemplate(
        out,
        pagesize=(LAYOUT.page_width_mm * mm, LAYOUT.page_height_mm * mm),
        topMargin=LAYOUT.margin_top_mm * mm,
        bottomMargin=LAYOUT.margin_bottom_mm * mm,
        leftMargin=LAYOUT.margin_left_mm * mm,
        rightMargin=LAYOUT.margin_right_mm * mm,
        title=nfc(f"{doc.kind} {doc.summary}"),
        author=nfc(doc.issuer),
        lang="vi-VN",
        # The canvas starts in the document font, so no other font (Helvetica) is referenced.
        initialFontName=PDF_FAMILY,
        initialFontSize=LAYOUT.body_pt,
        initialLeading=LAYOUT.body_pt * 1.15,
    )
    story: list = []
    if doc.draft:
        story.append(_p(DRAFT_MARK, _style(LAYOUT.issuer_pt, bold=True, align=TA_RIGHT, after=6)))
    story += _title_block(doc)
    story.append(Spacer(1, 12))
    story.append(_p(doc.kind.upper(), _style(LAYOUT.kind_pt, bold=True, align=TA_CENTER)))
    story.append(_p(doc.summary, _style(LAYOUT.summary_pt, bold=True, align=TA_CENTER, after=12)))
    body_style = _style(
        LAYOUT.body_pt,
        align=TA_JUSTIFY,
        after=LAYOUT.space_after_pt,
        indent=LAYOUT.first_line_indent_cm * cm,
        spacing=LAYOUT.line_spacing,
    )
    heading_style = _style(
        LAYOUT.heading_pt, bold=True, after=LAYOUT.space_after_pt, indent=LAYOUT.first_line_indent_cm * cm
    )
    heading_style.keepWithNext = True
    for block in doc.body:
        if isinstance(block, Heading):
            story.append(_p(block.text, heading_style))
        elif isinstance(block, Paragraph):
            story.append(_p(block.text, body_style))
        elif isinstance(block, Table):
            story += _table(block)
        elif isinstance(block, BarChart):
            story += _chart(block)
    story += _closing(doc)
    template.build(story, onFirstPage=lambda canvas, t: None, onLaterPages=_page_number)
    return out.getvalue()
