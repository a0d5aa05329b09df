"""Reading a rendered document back: the DOCX through python-docx, the PDF's text layer through
pypdf (with each piece of text's position, to find the page numbers in the top margin)."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pypdf
from docx import Document as open_docx


def docx_open(content: bytes):
    return open_docx(io.BytesIO(content))


def docx_runs(document) -> list:
    """Every run of the body, tables included (the title block and the closing are tables)."""
    runs = []

    def walk(paragraphs, tables):
        for paragraph in paragraphs:
            runs.extend(paragraph.runs)
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    walk(cell.paragraphs, cell.tables)

    walk(document.paragraphs, document.tables)
    return runs


def docx_run(document, text: str):
    """The first run whose text is `text` (python-docx reads the run's own size and style)."""
    for run in docx_runs(document):
        if run.text == text:
            return run
    raise AssertionError(f"no run reads {text!r}")


@dataclass
class PlacedText:
    text: str
    y: float  # from the bottom of the page, in points


def pdf_pages(content: bytes) -> list[tuple[str, list[PlacedText], pypdf.PageObject]]:
    """Each page's text, its pieces with their heights, and the page."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    pages = []
    for page in reader.pages:
        placed: list[PlacedText] = []

        def visit(text, cm, tm, font_dict, font_size, placed=placed):
            if text.strip():
                placed.append(PlacedText(text.strip(), cm[5] + tm[5] * cm[3]))

        text = page.extract_text(visitor_text=visit)
        pages.append((text, placed, page))
    return pages
