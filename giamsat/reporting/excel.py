"""The Excel channel: templates to fill, reading filled workbooks, the errors workbook, exports.

A template has one “Figures” sheet: rows are the data set's figures grouped by section (and by
unit when there are several), columns are the periods, each with a value and a comment cell.
A hidden row just above the figures gives each column's role (`ELEMENT`, `UNIT`, `VALUE:202510`,
...) and two hidden columns give each row's element and unit codes, so reading never depends on
the Vietnamese labels. The same reader takes an export (one row per unit, period and figure, with
`PERIOD` and `VALUE` columns) and any sheet whose header row has DHIS2's column names.

Uploaded files are checked before openpyxl opens them (size, zip signature, entry count,
uncompressed size, compression ratio); formulas are never evaluated: a formula cell gives the
result Excel saved with the file, or is refused when there is none. Every value then goes
through `data_value_set_import`, so the checks, scopes, locks and audit rows are those of
every other channel; each conflict is mapped back to the cell it came from.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import re
import secrets
import time
import warnings
import zipfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from giamsat.catalog.choices import ValueType
from giamsat.catalog.models import DataElement, DataSet, DataSetElement
from giamsat.catalog.selectors import data_set_sections
from giamsat.core.dates import today
from giamsat.core.periods import Period as PeriodValue
from giamsat.core.templatetags.giamsat import num
from giamsat.core.text import csv_text
from giamsat.orgunits.models import OrgUnit

from .choices import EDITABLE_STATUSES, Channel
from .exchange import Conflict, data_value_set_import
from .models import DataValue, Report
from .readers import RawValue

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# --- limits ------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_ZIP_ENTRIES = 500
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
# Entries smaller than this cannot hurt whatever their ratio (an empty styled sheet compresses well).
RATIO_CHECK_FROM_BYTES = 1024 * 1024
MAX_SHEET_ROWS = 100_000
MAX_VALUES = 200_000
MAX_TEMPLATE_PERIODS = 12
MAX_TEMPLATE_UNITS = 100
MAX_EXPORT_PERIODS = 60
MAX_EXPORT_ROWS = 200_000
UPLOAD_LIFETIME_SECONDS = 24 * 3600
ROLE_ROW_SEARCH = 20

# --- layout ------------------------------------------------------------------------------

ROLE_ELEMENT = "ELEMENT"
ROLE_UNIT = "UNIT"
ROLE_PERIOD = "PERIOD"
ROLE_VALUE = "VALUE"
ROLE_COMMENT = "COMMENT"
ROLE_REFERENCE = "REFERENCE"
# DHIS2's column names are accepted as roles too (any case).
ROLE_ALIASES = {
    "dataelement": ROLE_ELEMENT,
    "data_element": ROLE_ELEMENT,
    "orgunit": ROLE_UNIT,
    "org_unit": ROLE_UNIT,
    "period": ROLE_PERIOD,
    "value": ROLE_VALUE,
    "comment": ROLE_COMMENT,
}

# The template: title, information, note, two header rows, the hidden role row, then the figures.
# Only rows below the role row are read, so the headers above it never pass for figures.
ROW_TITLE, ROW_INFO, ROW_NOTE, ROW_HEAD, ROW_SUBHEAD, ROW_ROLES, FIRST_ROW = 1, 2, 3, 4, 5, 6, 7
COL_ELEMENT, COL_UNIT, COL_NO, COL_NAME, COL_UOM, COL_REFERENCE, FIRST_PERIOD_COL = 1, 2, 3, 4, 5, 6, 7

EXCEL_ERRORS = {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA", "#SPILL!"}
PLAIN_INTEGER = re.compile(r"^[+-]?\d+$")
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]

BRAND = "0B5CAD"
FILL_HEAD = PatternFill("solid", fgColor=BRAND)
FILL_SECTION = PatternFill("solid", fgColor="E7F0FB")
FILL_INPUT = PatternFill("solid", fgColor="FFF7D6")
FILL_LOCKED = PatternFill("solid", fgColor="E4E7EC")
FILL_REFERENCE = PatternFill("solid", fgColor="F2F4F7")
FILL_ERROR = PatternFill("solid", fgColor="FFC7CE")
FONT_HEAD = Font(bold=True, color="FFFFFF")
FONT_ERROR = Font(color="9C0006", bold=True)
THIN = Side(style="thin", color="B9C2CF")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
UNLOCKED = Protection(locked=False)
NUMBER_FORMATS = {ValueType.INTEGER: "#,##0", ValueType.BOOLEAN: "0"}


class UploadRefused(ValueError):
    """The file as a whole cannot be used; the message says why and what to do."""


class ExportTooLarge(ValueError):
    """The selection gives more rows than an export holds."""


def sheet_title(kind: str) -> str:
    """The translated name of one of our sheets (“Figures”, “Instructions”, “Errors”)."""
    names = {
        "figures": pgettext("excel sheet", "Figures"),
        "instructions": pgettext("excel sheet", "Instructions"),
        "errors": pgettext("excel sheet", "Errors"),
    }
    return re.sub(r"[\[\]:*?/\\]", " ", names[kind])[:31]


def _plain(value: Decimal | None) -> int | Decimal | None:
    """A stored decimal as Excel should get it: an int when whole, else without trailing zeros."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def _put(ws, row: int, col: int, value):
    """Write a cell; text is always text, so “=…” from a name or a comment never becomes a formula."""
    cell = ws.cell(row, col, value)
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"
    return cell


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


# --- template ----------------------------------------------------------------------------


def _rule_text(element: DataElement) -> str:
    """What the value cell accepts, in one sentence (Excel's input prompt and error)."""
    low = num(element.min_value) if element.min_value is not None else None
    high = num(element.max_value) if element.max_value is not None else None
    if element.value_type == ValueType.BOOLEAN:
        return _("Type 1 for yes, 0 for no.")
    if element.value_type == ValueType.PERCENTAGE:
        return _("A percentage from %(min)s to %(max)s, without the %% sign.") % {
            "min": low or "0",
            "max": high or "100",
        }
    whole = element.value_type == ValueType.INTEGER
    if low is not None and high is not None:
        text = _("A whole number from %(min)s to %(max)s.") if whole else _("A number from %(min)s to %(max)s.")
    elif low is not None:
        text = _("A whole number of at least %(min)s.") if whole else _("A number of at least %(min)s.")
    elif high is not None:
        text = _("A whole number of at most %(max)s.") if whole else _("A number of at most %(max)s.")
    else:
        text = _("A whole number.") if whole else _("A number.")
    return text % {"min": low, "max": high}


def _formula_number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _validation(element: DataElement) -> DataValidation:
    """Excel's own check for the value cells of an element: whole/decimal within its range."""
    kind = "whole" if element.value_type in {ValueType.INTEGER, ValueType.BOOLEAN} else "decimal"
    low, high = element.min_value, element.max_value
    if element.value_type == ValueType.PERCENTAGE:
        low = Decimal(0) if low is None else low
        high = Decimal(100) if high is None else high
    if low is not None and high is not None:
        operator, first, second = "between", _formula_number(low), _formula_number(high)
    elif low is not None:
        operator, first, second = "greaterThanOrEqual", _formula_number(low), None
    elif high is not None:
        operator, first, second = "lessThanOrEqual", _formula_number(high), None
    else:
        operator, first, second = "between", "-99999999999999999", "99999999999999999"
    rule = _rule_text(element)
    return DataValidation(
        type=kind,
        operator=operator,
        formula1=first,
        formula2=second,
        allow_blank=True,
        showErrorMessage=True,
        showInputMessage=True,
        errorStyle="stop",
        errorTitle=_("Value not accepted")[:32],
        error=rule[:255],
        promptTitle=_("Figure")[:32],
        prompt=rule[:255],
    )


@dataclass
class _TemplateData:
    sections: list
    stored: dict[tuple[int, int, str], DataValue]
    locked: set[tuple[int, str]]
    previous: PeriodValue


def _template_data(data_set: DataSet, units: list[OrgUnit], periods: list[PeriodValue]) -> _TemplateData:
    """Sections, stored values (this range and the period before) and locked reports (3 queries)."""
    sections = data_set_sections(data_set)
    previous = periods[0].previous()
    codes = [p.code for p in periods] + [previous.code]
    elements = [m.data_element_id for s in sections for m in s.members]
    stored = {
        (v.data_element_id, v.org_unit_id, v.period.code): v
        for v in DataValue.objects.filter(
            org_unit__in=units, period__code__in=codes, data_element_id__in=elements
        ).select_related("period")
    }
    locked = set(
        Report.objects.filter(data_set=data_set, org_unit__in=units, period__code__in=codes)
        .exclude(status__in=EDITABLE_STATUSES)
        .values_list("org_unit_id", "period__code")
    )
    return _TemplateData(sections, stored, locked, previous)


def template_build(*, data_set: DataSet, units: list[OrgUnit], periods: list[PeriodValue]) -> bytes:
    """A workbook to fill for the units and periods: the “Figures” sheet and the instructions."""
    data = _template_data(data_set, units, periods)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title("figures")
    last_col = FIRST_PERIOD_COL + 2 * len(periods) - 1
    _template_heading(ws, data_set, units, periods, data.previous, last_col)
    validations: dict[tuple, DataValidation] = {}
    row = FIRST_ROW
    for unit in units:
        if len(units) > 1:
            cell = _put(ws, row, COL_NO, unit.name)
            ws.merge_cells(start_row=row, start_column=COL_NO, end_row=row, end_column=last_col)
            cell.font = Font(bold=True, size=12, color=BRAND)
            row += 1
        number = 0
        for index, section in enumerate(data.sections):
            if section.name:
                _put(ws, row, COL_NO, ROMAN[index] if index < len(ROMAN) else str(index + 1))
                _put(ws, row, COL_NAME, section.name)
                for col in range(COL_NO, last_col + 1):
                    ws.cell(row, col).fill = FILL_SECTION
                    ws.cell(row, col).font = Font(bold=True)
                    ws.cell(row, col).border = BORDER
                row += 1
            for member in section.members:
                number += 1
                _template_row(ws, row, number, member, unit, periods, data, validations)
                row += 1
    for validation in validations.values():
        ws.add_data_validation(validation)
    ws.protection.sheet = True
    ws.protection.enable()
    _instructions(wb.create_sheet(sheet_title("instructions")), data_set, units, periods)
    wb.active = 0
    wb.properties.creator = "GiamSat"
    wb.properties.title = data_set.name
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _template_heading(ws, data_set, units, periods, previous, last_col) -> None:
    roles = {COL_ELEMENT: ROLE_ELEMENT, COL_UNIT: ROLE_UNIT, COL_REFERENCE: ROLE_REFERENCE}
    for i, period in enumerate(periods):
        roles[FIRST_PERIOD_COL + 2 * i] = f"{ROLE_VALUE}:{period.code}"
        roles[FIRST_PERIOD_COL + 2 * i + 1] = f"{ROLE_COMMENT}:{period.code}"
    for col, role in roles.items():
        _put(ws, ROW_ROLES, col, role)
    ws.row_dimensions[ROW_ROLES].hidden = True
    ws.column_dimensions[get_column_letter(COL_ELEMENT)].hidden = True
    ws.column_dimensions[get_column_letter(COL_UNIT)].hidden = True
    _put(ws, ROW_TITLE, COL_NO, data_set.name).font = Font(bold=True, size=14, color=BRAND)
    unit_names = "; ".join(u.name for u in units[:5]) + (" …" if len(units) > 5 else "")
    _put(
        ws,
        ROW_INFO,
        COL_NO,
        _("Unit: %(units)s · Period: %(periods)s · Made on %(date)s")
        % {
            "units": unit_names,
            "periods": periods[0].label if len(periods) == 1 else f"{periods[0].label} – {periods[-1].label}",
            "date": today().strftime("%d/%m/%Y"),
        },
    )
    _put(
        ws,
        ROW_NOTE,
        COL_NO,
        _("Fill in the yellow cells only; grey cells cannot be changed. Read the “%(sheet)s” sheet first.")
        % {"sheet": sheet_title("instructions")},
    ).font = Font(italic=True)
    heads = {
        COL_ELEMENT: _("Figure code"),
        COL_UNIT: _("Unit code"),
        COL_NO: _("No."),
        COL_NAME: _("Figure"),
        COL_UOM: _("Unit of measure"),
        COL_REFERENCE: _("Previous period"),
    }
    for col, text in heads.items():
        _put(ws, ROW_HEAD, col, text)
        if col != COL_REFERENCE:
            ws.merge_cells(start_row=ROW_HEAD, start_column=col, end_row=ROW_SUBHEAD, end_column=col)
    _put(ws, ROW_SUBHEAD, COL_REFERENCE, _("%(period)s (for reference)") % {"period": previous.label})
    for i, period in enumerate(periods):
        col = FIRST_PERIOD_COL + 2 * i
        _put(ws, ROW_HEAD, col, period.label)
        ws.merge_cells(start_row=ROW_HEAD, start_column=col, end_row=ROW_HEAD, end_column=col + 1)
        _put(ws, ROW_SUBHEAD, col, _("Value"))
        _put(ws, ROW_SUBHEAD, col + 1, _("Comment"))
        ws.column_dimensions[get_column_letter(col)].width = 16
        ws.column_dimensions[get_column_letter(col + 1)].width = 28
    for row in (ROW_HEAD, ROW_SUBHEAD):
        for col in range(COL_ELEMENT, last_col + 1):
            cell = ws.cell(row, col)
            cell.fill, cell.font, cell.alignment, cell.border = FILL_HEAD, FONT_HEAD, CENTER, BORDER
    widths = {COL_ELEMENT: 24, COL_UNIT: 12, COL_NO: 6, COL_NAME: 60, COL_UOM: 13, COL_REFERENCE: 18}
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = ws.cell(FIRST_ROW, FIRST_PERIOD_COL)
    ws.print_title_rows = f"{ROW_HEAD}:{ROW_SUBHEAD}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _template_row(ws, row, number, member: DataSetElement, unit, periods, data: _TemplateData, validations) -> None:
    element = member.data_element
    number_format = NUMBER_FORMATS.get(element.value_type, "General")
    _put(ws, row, COL_ELEMENT, element.code)
    _put(ws, row, COL_UNIT, unit.code)
    _put(ws, row, COL_NO, number).alignment = Alignment(horizontal="center", vertical="top")
    _put(ws, row, COL_NAME, f"{element.name} (*)" if member.compulsory else element.name).alignment = WRAP
    _put(ws, row, COL_UOM, element.unit_label).alignment = WRAP
    before = data.stored.get((element.pk, unit.pk, data.previous.code))
    reference = _put(ws, row, COL_REFERENCE, _plain(before.value) if before else None)
    reference.fill, reference.number_format = FILL_REFERENCE, number_format
    key = (element.value_type, element.min_value, element.max_value)
    for i, period in enumerate(periods):
        value_cell = ws.cell(row, FIRST_PERIOD_COL + 2 * i)
        comment_cell = ws.cell(row, FIRST_PERIOD_COL + 2 * i + 1)
        value_cell.number_format = number_format
        current = data.stored.get((element.pk, unit.pk, period.code))
        if (unit.pk, period.code) in data.locked:
            value_cell.fill = comment_cell.fill = FILL_LOCKED
            shown = num(current.value) if current and current.value is not None else "—"
            value_cell.comment = Comment(
                _("The report of this period is submitted or approved: its figures are locked (stored: %(value)s).")
                % {"value": shown},
                "GiamSat",
            )
            continue
        _put(ws, value_cell.row, value_cell.column, _plain(current.value) if current else None)
        _put(ws, comment_cell.row, comment_cell.column, (current.comment or None) if current else None)
        value_cell.fill, comment_cell.fill = FILL_INPUT, FILL_INPUT
        value_cell.protection = comment_cell.protection = UNLOCKED
        comment_cell.alignment = WRAP
        if key not in validations:
            validations[key] = _validation(element)
        validations[key].add(value_cell.coordinate)
    for col in range(COL_ELEMENT, FIRST_PERIOD_COL + 2 * len(periods)):
        ws.cell(row, col).border = BORDER


def _instructions(ws, data_set: DataSet, units: list[OrgUnit], periods: list[PeriodValue]) -> None:
    """The readme sheet: what the workbook is for, how to fill and upload it, what not to change."""
    figures = sheet_title("figures")
    lines: list[tuple[str, str]] = [
        ("title", _("How to fill in and upload this workbook")),
        ("", _("Data set: %(name)s (code %(code)s)") % {"name": data_set.name, "code": data_set.code}),
        ("", _("Units: %(units)s") % {"units": "; ".join(f"{u.name} ({u.code})" for u in units)}),
        ("", _("Periods: %(periods)s") % {"periods": "; ".join(p.label for p in periods)}),
        ("", _("Made by GiamSat on %(date)s.") % {"date": today().strftime("%d/%m/%Y")}),
        ("head", _("Filling in")),
        (
            "",
            _(
                "Enter each figure in the yellow “Value” cell of its period on the “%(sheet)s” sheet; "
                "add a note in the “Comment” cell beside it if needed."
            )
            % {"sheet": figures},
        ),
        (
            "",
            _(
                "Grey cells cannot be changed: the previous period's figures (for reference), and the periods "
                "whose report is already submitted or approved (locked until the report is returned)."
            ),
        ),
        (
            "",
            _(
                "Type numbers as numbers, without a unit of measure. Excel shows them with your computer's "
                "separators (1.234,5 on a Vietnamese computer). A number typed as text, with letters, quotes "
                "or spaces, is refused."
            ),
        ),
        ("", _("Percentages are numbers from 0 to 100: type 81,5 for 81,5 %.")),
        ("", _("Yes/no figures: type 1 for yes, 0 for no.")),
        # Only when some row carries the mark: a hint about a mark nobody sees confuses.
        *([("", _("Figures marked (*) are compulsory."))] if data_set.members.filter(compulsory=True).exists() else []),
        (
            "",
            _(
                "A cell left empty changes nothing. If you write only a comment, the comment is saved and "
                "the figure is left empty."
            ),
        ),
        (
            "",
            _(
                "Formulas are allowed: GiamSat reads the result that Excel saved with the file and never runs "
                "the formula. Save the file in Excel before uploading it."
            ),
        ),
        ("head", _("Do not change")),
        (
            "",
            _(
                "The hidden row above the figures and the hidden columns A and B hold the codes of the periods, "
                "figures and units that GiamSat reads: do not change, move or delete them, nor insert rows or columns. "
                "The sheet is protected without a password so that only the cells to fill can be edited."
            ),
        ),
        ("head", _("Uploading")),
        (
            "",
            _(
                "In GiamSat, open Reports › Excel, choose the file and send it (at most %(size)s MB). "
                "Tick “Check only” to check the file without saving anything."
            )
            % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)},
        ),
        (
            "",
            _(
                "Every problem is listed with its sheet, row, column, value and reason. You can download the "
                "workbook back with the cells in error filled in red, each with a note giving the reason."
            ),
        ),
        (
            "",
            _("Nothing is saved while any problem remains, unless you tick “Import the valid rows only”."),
        ),
        ("head", _("Colours")),
        ("input", _("Yellow: a cell to fill.")),
        ("locked", _("Grey: for reference, or locked.")),
        ("error", _("Red (in the workbook sent back after an upload): a cell with a problem.")),
    ]
    ws.column_dimensions["A"].width = 110
    for row, (kind, text) in enumerate(lines, start=1):
        cell = _put(ws, row, 1, text)
        cell.alignment = WRAP
        if kind == "title":
            cell.font = Font(bold=True, size=14, color=BRAND)
        elif kind == "head":
            cell.font = Font(bold=True, size=12, color=BRAND)
        elif kind in {"input", "locked", "error"}:
            cell.fill = {"input": FILL_INPUT, "locked": FILL_LOCKED, "error": FILL_ERROR}[kind]
    ws.protection.sheet = True


# --- upload checks -----------------------------------------------------------------------


def too_large_message() -> str:
    return _("The file is too large (at most %(size)s MB).") % {"size": MAX_UPLOAD_BYTES // (1024 * 1024)}


def upload_check(data: bytes) -> None:
    """Refuse, before opening it, a file that is too large, not an .xlsx, or a zip bomb."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(too_large_message())
    if not data:
        raise UploadRefused(_("The file is empty."))
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise UploadRefused(
            _(
                "This is an old Excel file (.xls) or a password-protected workbook. Open it in Excel, remove "
                "any password and save it as “Excel Workbook (.xlsx)”."
            )
        )
    if data[:4] != b"PK\x03\x04":
        raise UploadRefused(_("This is not an Excel workbook (.xlsx). Use the template downloaded from GiamSat."))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise UploadRefused(_("The file is damaged: it could not be opened as an Excel workbook.")) from None
    if len(entries) > MAX_ZIP_ENTRIES:
        raise UploadRefused(_("The file holds too many parts to be an ordinary workbook; it was refused."))
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise UploadRefused(
            _("Unpacked, the file would take more than %(size)s MB; it was refused.")
            % {"size": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
        )
    for entry in entries:
        if entry.file_size >= RATIO_CHECK_FROM_BYTES and entry.file_size > MAX_COMPRESSION_RATIO * max(
            entry.compress_size, 1
        ):
            raise UploadRefused(_("The file is compressed abnormally (a “zip bomb”?); it was refused."))
    names = {e.filename for e in entries}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/workbook") for n in names):
        raise UploadRefused(_("This is not an Excel workbook (.xlsx). Use the template downloaded from GiamSat."))


def _unreadable() -> UploadRefused:
    return UploadRefused(
        _(
            "The file could not be read as an Excel workbook. Open it in Excel, save it as "
            "“Excel Workbook (.xlsx)” and upload it again."
        )
    )


def _open(data: bytes, *, data_only: bool, read_only: bool = True):
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return load_workbook(io.BytesIO(data), read_only=read_only, data_only=data_only, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on malformed files; none may become a 500
        logger.info("Excel upload unreadable: %r", exc)
        raise _unreadable() from None


# --- parsing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where a raw value came from: its sheet and row, and the columns (or cells) of its parts."""

    sheet: str
    row: int
    value: str  # cell coordinates, e.g. "G12"
    element: str
    unit: str
    period: str
    is_text: bool = False


@dataclass
class CellProblem:
    """One problem, located: sheet, row, column letter, the cell's content and the reason.
    `marks` are the cells to highlight in the errors workbook (the value cell is always one)."""

    sheet: str
    row: int
    column: str
    value: str
    reason: str
    marks: list[str] = field(default_factory=list)

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}"


@dataclass
class ParsedWorkbook:
    raws: list[RawValue] = field(default_factory=list)
    places: dict[int, Place] = field(default_factory=dict)
    problems: list[CellProblem] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)


class _CellError(ValueError):
    """A cell whose content cannot be a figure; the message says why."""


@dataclass
class _Layout:
    role_row: int
    element: int
    unit: int
    period: int | None  # long layout: one period column
    values: list[tuple[int, str, int | None]]  # (value column, period code or "", comment column)

    @property
    def max_col(self) -> int:
        cols = [self.element, self.unit, self.period or 0]
        cols += [c for v, _p, comment in self.values for c in (v, comment or 0)]
        return max(cols)


def _role(text) -> tuple[str, str] | None:
    """A role-row cell as (role, period code); our tokens are upper case, DHIS2's names any case."""
    if not isinstance(text, str):
        return None
    token = text.strip()
    kind, _sep, period = token.partition(":")
    if kind in {ROLE_ELEMENT, ROLE_UNIT, ROLE_PERIOD, ROLE_VALUE, ROLE_COMMENT, ROLE_REFERENCE}:
        return kind, period.strip()
    alias = ROLE_ALIASES.get(token.lower())
    return (alias, "") if alias else None


def _layout(values: Iterable, row: int) -> _Layout | None:
    """The layout given by a role row, or None when the row is not one."""
    roles: dict[str, int] = {}
    value_cols: dict[str, int] = {}
    comment_cols: dict[str, int] = {}
    for col, text in enumerate(values, start=1):
        role = _role(text)
        if role is None:
            continue
        kind, period = role
        if kind == ROLE_VALUE:
            value_cols.setdefault(period, col)
        elif kind == ROLE_COMMENT:
            comment_cols.setdefault(period, col)
        else:
            roles.setdefault(kind, col)
    if ROLE_ELEMENT not in roles or ROLE_UNIT not in roles:
        return None
    if ROLE_PERIOD in roles and "" in value_cols:
        return _Layout(
            row, roles[ROLE_ELEMENT], roles[ROLE_UNIT], roles[ROLE_PERIOD], [(value_cols[""], "", comment_cols.get(""))]
        )
    wide = [(col, period, comment_cols.get(period)) for period, col in value_cols.items() if period]
    if not wide:
        return None
    return _Layout(row, roles[ROLE_ELEMENT], roles[ROLE_UNIT], None, sorted(wide))


def _code(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: int | float, number_format: str | None) -> int | Decimal:
    """A numeric cell as typed: floats without binary noise, a %-formatted 0,815 as 81,5."""
    result: int | Decimal = value
    if isinstance(value, float):
        result = Decimal(repr(value))
        if abs(result) < Decimal("1e15"):
            result = result.quantize(Decimal("0.000001")).normalize()
    if number_format and "%" in number_format:
        result = (Decimal(result) * 100).normalize()
    return result


def _read_value(cell, formula: str | None) -> tuple[object, bool]:
    """(value, is_text) of a value cell; _CellError with the reason when it cannot be used."""
    value = cell.value
    if formula is not None and value is None:
        raise _CellError(
            _(
                "The formula %(formula)s has no saved result (the file was not saved by Excel): open the file "
                "in Excel, let it calculate, save it and upload it again. Formulas are never run by GiamSat."
            )
            % {"formula": formula[:60]}
        )
    if getattr(cell, "data_type", None) == "e" or (isinstance(value, str) and value.strip() in EXCEL_ERRORS):
        raise _CellError(_("The cell shows an Excel error (%(error)s), not a number.") % {"error": value})
    if value is None:
        return None, False
    if isinstance(value, bool):
        return int(value), False
    if isinstance(value, int | float):
        return _number(value, getattr(cell, "number_format", None)), False
    if isinstance(value, dt.datetime | dt.date | dt.time | dt.timedelta):
        raise _CellError(_("The cell holds a date or a time, not a number: format it as a number."))
    text = str(value).strip().replace("\u00a0", "")
    if not text:
        return None, False
    return text, not PLAIN_INTEGER.match(text.replace(" ", ""))


def _formula_cells(data: bytes) -> dict[tuple[str, int, int], str]:
    """Every formula cell of the workbook, by (sheet, row, column), with its text."""
    wb = _open(data, data_only=False)
    found: dict[tuple[str, int, int], str] = {}
    try:
        for ws in wb.worksheets:
            for row_number, row in enumerate(ws.iter_rows(), start=1):
                if row_number > MAX_SHEET_ROWS:
                    raise _too_many_rows()
                for col, cell in enumerate(row, start=1):
                    value = getattr(cell, "value", None)
                    if getattr(cell, "data_type", None) == "f" or isinstance(value, ArrayFormula | DataTableFormula):
                        found[(ws.title, row_number, col)] = str(getattr(value, "text", value) or "=")
    finally:
        wb.close()
    return found


def _too_many_rows() -> UploadRefused:
    return UploadRefused(_("The file has too many rows (at most %(rows)s per sheet).") % {"rows": num(MAX_SHEET_ROWS)})


def parse_workbook(data: bytes) -> ParsedWorkbook:
    """Every value of every sheet in a GiamSat layout, as RawValue rows with their places.

    Each RawValue's `row` is its position in the list (1-based); `places[row]` locates it.
    Sheets without a role row (the instructions) are skipped; cells that cannot be read
    (uncalculated formulas, Excel errors, dates) become problems instead of values."""
    try:
        formulas = _formula_cells(data)
        wb = _open(data, data_only=True)
        parsed = ParsedWorkbook()
        try:
            for ws in wb.worksheets:
                _parse_sheet(ws, formulas, parsed)
        finally:
            wb.close()
    except UploadRefused:
        raise
    except Exception as exc:  # a malformed part found while streaming; never a 500
        logger.info("Excel upload unreadable while reading: %r", exc)
        raise _unreadable() from None
    if not parsed.sheets:
        raise UploadRefused(
            _(
                "No sheet of this workbook has GiamSat's layout (its hidden row of codes is missing). "
                "Download a template from GiamSat, fill it in and upload that file."
            )
        )
    return parsed


def _parse_sheet(ws, formulas: dict, parsed: ParsedWorkbook) -> None:
    layout = None
    for row_number, values in enumerate(ws.iter_rows(max_row=ROLE_ROW_SEARCH, values_only=True), start=1):
        layout = _layout(values, row_number)
        if layout:
            break
    if layout is None:
        return
    parsed.sheets.append(ws.title)
    title = ws.title
    letter = get_column_letter
    rows = ws.iter_rows(min_row=layout.role_row + 1, max_col=layout.max_col)
    for row_number, row in enumerate(rows, start=layout.role_row + 1):
        if row_number > MAX_SHEET_ROWS:
            raise _too_many_rows()
        cells = list(row)

        def at(col: int | None, cells=cells):
            return cells[col - 1] if col and col <= len(cells) else None

        element = _code(getattr(at(layout.element), "value", None))
        unit = _code(getattr(at(layout.unit), "value", None))
        period_in_row = _code(getattr(at(layout.period), "value", None)) if layout.period else ""
        if not element and not unit and not period_in_row:
            for col, _period, _comment in layout.values:
                cell = at(col)
                if cell is not None and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    parsed.problems.append(
                        CellProblem(
                            title,
                            row_number,
                            letter(col),
                            str(cell.value),
                            _("This row has a figure but no codes: it cannot be read. Do not change the codes."),
                            [f"{letter(col)}{row_number}"],
                        )
                    )
            continue
        codes = [(layout.element, element, _("The figure code (column %(column)s) of this row is empty."))]
        codes.append((layout.unit, unit, _("The unit code (column %(column)s) of this row is empty.")))
        if layout.period:
            codes.append((layout.period, period_in_row, _("The period code (column %(column)s) of this row is empty.")))
        missing = next(((col, reason) for col, code, reason in codes if not code), None)
        for col, period_code, comment_col in layout.values:
            coordinate = f"{letter(col)}{row_number}"
            cell = at(col)
            try:
                value, is_text = _read_value(cell, formulas.get((title, row_number, col))) if cell else (None, False)
            except _CellError as exc:
                shown = formulas.get((title, row_number, col)) or ("" if cell.value is None else str(cell.value))
                parsed.problems.append(CellProblem(title, row_number, letter(col), shown[:60], str(exc), [coordinate]))
                continue
            comment = None
            if comment_col:
                comment_cell = at(comment_col)
                comment_value = comment_cell.value if comment_cell is not None else None
                comment = "" if comment_value is None else str(comment_value).strip()
            if value is None and not comment:
                continue
            if missing:
                code_col, reason = missing
                parsed.problems.append(
                    CellProblem(
                        title,
                        row_number,
                        letter(code_col),
                        "",
                        reason % {"column": letter(code_col)} + " " + _("Do not change the codes."),
                        [f"{letter(code_col)}{row_number}", coordinate],
                    )
                )
                continue
            if len(parsed.raws) >= MAX_VALUES:
                raise UploadRefused(
                    _("The file has too many figures (at most %(count)s).") % {"count": num(MAX_VALUES)}
                )
            index = len(parsed.raws) + 1
            period = period_in_row if layout.period else period_code
            period_cell = f"{letter(layout.period)}{row_number}" if layout.period else f"{letter(col)}{layout.role_row}"
            parsed.raws.append(RawValue(index, element, period, unit, value, comment))
            parsed.places[index] = Place(
                sheet=title,
                row=row_number,
                value=coordinate,
                element=f"{letter(layout.element)}{row_number}",
                unit=f"{letter(layout.unit)}{row_number}",
                period=period_cell,
                is_text=is_text,
            )


# --- import ------------------------------------------------------------------------------


@dataclass
class ExcelImport:
    """What an upload did: counts (when saved, or for a check) and every problem, located."""

    values_read: int = 0
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[CellProblem] = field(default_factory=list)
    saved: bool = False
    dry_run: bool = False
    valid_only: bool = False

    @property
    def refused(self) -> int:
        return len(self.problems)


def _split(coordinate: str) -> tuple[str, int]:
    match = re.match(r"^([A-Z]+)(\d+)$", coordinate)
    return (match.group(1), int(match.group(2))) if match else (coordinate, 0)


def _problem_for(conflict: Conflict, raw: RawValue, place: Place) -> CellProblem:
    """Locate a conflict: an unknown code points at its code cell, anything else at the value."""
    if "/" not in conflict.object and conflict.object == raw.data_element:
        coordinate, shown = place.element, raw.data_element
    elif "/" not in conflict.object and conflict.object == raw.org_unit:
        coordinate, shown = place.unit, raw.org_unit
    elif "/" not in conflict.object and conflict.object == raw.period:
        coordinate, shown = place.period, raw.period
    else:
        coordinate, shown = place.value, conflict.value
    column, row = _split(coordinate)
    marks = [coordinate] if coordinate == place.value else [coordinate, place.value]
    if row != place.row:  # the period of a column sits in the hidden role row: report the value's row
        column, row = _split(place.value)
    return CellProblem(place.sheet, row, column, str(shown)[:60], conflict.reason, marks)


def excel_import(*, data: bytes, by, valid_only: bool = False, dry_run: bool = False) -> ExcelImport:
    """Read an uploaded workbook and write its values through the one import service.

    Nothing is saved while any problem remains unless `valid_only`; `dry_run` saves nothing
    and says what would be saved. UploadRefused when the file as a whole cannot be used."""
    upload_check(data)
    parsed = parse_workbook(data)
    result = ExcelImport(values_read=len(parsed.raws) + len(parsed.problems), dry_run=dry_run, valid_only=valid_only)
    result.problems.extend(parsed.problems)
    texts = {parsed.raws[i - 1].data_element for i, p in parsed.places.items() if p.is_text}
    numeric = set(
        DataElement.objects.filter(code__in=texts).exclude(value_type=ValueType.BOOLEAN).values_list("code", flat=True)
    )
    raws = []
    for raw in parsed.raws:
        place = parsed.places[raw.row]
        if place.is_text and raw.data_element in numeric:
            column, row = _split(place.value)
            reason = _(
                "The cell holds text (“%(text)s”), not a number: type the figure itself, without letters, quotes "
                "or spaces (Excel adds the separators)."
            ) % {"text": str(raw.value)[:40]}
            result.problems.append(CellProblem(place.sheet, row, column, str(raw.value)[:60], reason, [place.value]))
        else:
            raws.append(raw)
    blocked = bool(result.problems) and not valid_only
    summary = data_value_set_import(
        raws=raws,
        by=by,
        channel=Channel.EXCEL,
        dry_run=dry_run or blocked,
        atomic=not (valid_only or dry_run or blocked),
    )
    by_index = {raw.row: raw for raw in raws}
    for conflict in summary.conflicts:
        raw = by_index.get(conflict.row)
        if raw is None:
            continue
        result.problems.append(_problem_for(conflict, raw, parsed.places[raw.row]))
    order = {name: i for i, name in enumerate(parsed.sheets)}
    result.problems.sort(key=lambda p: (order.get(p.sheet, 0), p.row, column_index_from_string(p.column)))
    result.saved = not (dry_run or blocked) and (valid_only or not summary.conflicts)
    if result.saved or dry_run:
        result.imported, result.updated = summary.imported, summary.updated + summary.deleted
        result.unchanged = summary.ignored - len(summary.conflicts)
    return result


# --- keeping an upload for its errors workbook -------------------------------------------


@dataclass
class KeptUpload:
    data: bytes
    name: str
    problems: list[CellProblem]


def _uploads_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def upload_keep(*, data: bytes, name: str, problems: list[CellProblem], user_id: int) -> str:
    """Keep an uploaded workbook and its problems for a day; the random token names it."""
    folder = _uploads_dir()
    cutoff = time.time() - UPLOAD_LIFETIME_SECONDS
    for old in folder.glob("*"):
        try:
            if old.is_file() and old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.xlsx").write_bytes(data)
    meta = {"user": user_id, "name": name[:200], "problems": [asdict(p) for p in problems]}
    (folder / f"{token}.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    return token


def upload_get(*, token: str, user_id: int) -> KeptUpload | None:
    """The kept upload of this user with this token, or None (unknown, expired, someone else's)."""
    if not TOKEN.match(token or ""):
        return None
    folder = _uploads_dir()
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.xlsx"
    try:
        if meta_path.stat().st_mtime < time.time() - UPLOAD_LIFETIME_SECONDS:
            return None
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("user") != user_id:
            return None
        return KeptUpload(data_path.read_bytes(), meta["name"], [CellProblem(**p) for p in meta["problems"]])
    except (OSError, ValueError, KeyError, TypeError):
        return None


# --- the errors workbook -----------------------------------------------------------------


def errors_workbook(data: bytes, problems: list[CellProblem]) -> bytes:
    """The uploaded workbook with every cell in error filled red and commented with the reason,
    and an “Errors” sheet first listing every problem."""
    wb = _open(data, data_only=False, read_only=False)
    reasons: dict[tuple[str, str], list[str]] = defaultdict(list)
    for problem in problems:
        for coordinate in problem.marks or [problem.cell]:
            if problem.reason not in reasons[(problem.sheet, coordinate)]:
                reasons[(problem.sheet, coordinate)].append(problem.reason)
    for (sheet, coordinate), texts in reasons.items():
        if sheet not in wb.sheetnames:
            continue
        cell = wb[sheet][coordinate]
        if isinstance(cell, MergedCell):
            continue
        cell.fill = FILL_ERROR
        cell.font = FONT_ERROR
        cell.comment = Comment("\n".join(texts), "GiamSat", width=320, height=120)
    title, number = sheet_title("errors"), 1
    while title in wb.sheetnames:
        number += 1
        title = f"{sheet_title('errors')[:25]} ({number})"
    ws = wb.create_sheet(title, 0)
    heads = [_("Sheet"), _("Row"), _("Column"), _("Value"), _("Reason")]
    for col, text in enumerate(heads, start=1):
        cell = _put(ws, 1, col, text)
        cell.fill, cell.font, cell.border = FILL_HEAD, FONT_HEAD, BORDER
    for row, problem in enumerate(problems, start=2):
        for col, value in enumerate([problem.sheet, problem.row, problem.column, problem.value, problem.reason], 1):
            _put(ws, row, col, value).alignment = WRAP
    for col, width in zip("ABCDE", (18, 8, 9, 24, 90), strict=True):
        ws.column_dimensions[col].width = width
    ws.freeze_panes = "A2"
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = False
    wb.active = 0
    ws.sheet_view.tabSelected = True
    out = io.BytesIO()
    try:
        wb.save(out)
    except Exception as exc:  # a feature openpyxl cannot write back; say so rather than fail
        logger.info("Errors workbook not written: %r", exc)
        raise _unreadable() from None
    return out.getvalue()


# --- export ------------------------------------------------------------------------------


@dataclass
class ExportRow:
    unit: OrgUnit
    period: PeriodValue
    member: DataSetElement
    value: DataValue | None
    status: str


def export_rows(
    *, data_set: DataSet, units_by_period: dict[str, list[OrgUnit]], periods: list[PeriodValue]
) -> list[ExportRow]:
    """Every figure of the data set for each unit expected in each period, stored or not (3 queries).

    `units_by_period` maps a period code to its units (already restricted to the user's scope)."""
    members = [m for section in data_set_sections(data_set) for m in section.members]
    total = sum(len(units) for units in units_by_period.values()) * len(members)
    if total > MAX_EXPORT_ROWS:
        raise ExportTooLarge(
            _("The selection gives %(rows)s rows, more than an export holds (%(max)s): choose fewer units or periods.")
            % {"rows": num(total), "max": num(MAX_EXPORT_ROWS)}
        )
    unit_ids = {u.pk for units in units_by_period.values() for u in units}
    codes = [p.code for p in periods]
    values = {
        (v.data_element_id, v.org_unit_id, v.period.code): v
        for v in DataValue.objects.filter(
            org_unit_id__in=unit_ids, period__code__in=codes, data_element_id__in=[m.data_element_id for m in members]
        ).select_related("period", "updated_by")
    }
    statuses = {
        (r.org_unit_id, r.period.code): r.get_status_display()
        for r in Report.objects.filter(
            data_set=data_set, org_unit_id__in=unit_ids, period__code__in=codes
        ).select_related("period")
    }
    rows = []
    for period in periods:
        for unit in units_by_period.get(period.code, []):
            status = statuses.get((unit.pk, period.code), "")
            for member in members:
                stored = values.get((member.data_element_id, unit.pk, period.code))
                rows.append(ExportRow(unit, period, member, stored, str(status)))
    rows.sort(key=lambda r: (r.unit.path, r.period.start))
    return rows


def _export_heads() -> list[str]:
    return [
        _("Unit code"),
        _("Unit"),
        _("Period code"),
        _("Period"),
        _("Figure code"),
        _("Figure"),
        _("Unit of measure"),
        _("Value"),
        _("Comment"),
        _("Report status"),
        _("Updated at"),
        _("Updated by"),
    ]


EXPORT_ROLES = [ROLE_UNIT, "", ROLE_PERIOD, "", ROLE_ELEMENT, "", "", ROLE_VALUE, ROLE_COMMENT, "", "", ""]


def _export_cells(row: ExportRow) -> list:
    element = row.member.data_element
    stored = row.value
    return [
        row.unit.code,
        row.unit.name,
        row.period.code,
        row.period.label,
        element.code,
        element.name,
        element.unit_label,
        _plain(stored.value) if stored else None,
        stored.comment if stored and stored.comment else None,
        row.status,
        _local(stored.updated_at) if stored else None,
        (stored.updated_by.display_name if stored and stored.updated_by_id else None),
    ]


def export_workbook(*, rows: list[ExportRow], title: str, subtitle: str) -> bytes:
    """The rows as a workbook: one line per unit, period and figure, codes included, so that
    the file can be read back by the upload (its hidden fourth row gives the columns' roles)."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title("figures")
    _put(ws, 1, 1, title).font = Font(bold=True, size=14, color=BRAND)
    _put(ws, 2, 1, subtitle)
    for col, text in enumerate(_export_heads(), start=1):
        cell = _put(ws, 3, col, text)
        cell.fill, cell.font, cell.alignment, cell.border = FILL_HEAD, FONT_HEAD, CENTER, BORDER
    for col, role in enumerate(EXPORT_ROLES, start=1):
        if role:
            _put(ws, 4, col, role)
    ws.row_dimensions[4].hidden = True
    for index, row in enumerate(rows, start=5):
        for col, value in enumerate(_export_cells(row), start=1):
            _put(ws, index, col, value)
        ws.cell(index, 8).number_format = NUMBER_FORMATS.get(row.member.data_element.value_type, "General")
        ws.cell(index, 11).number_format = "dd/mm/yyyy hh:mm"
    for col, width in enumerate((12, 30, 10, 16, 26, 60, 13, 16, 30, 22, 17, 22), start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A5"
    wb.properties.creator = "GiamSat"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_csv(rows: list[ExportRow]) -> bytes:
    """The rows as CSV (UTF-8 with a byte-order mark so Excel shows Vietnamese; numbers with a
    dot for decimals, dates dd/mm/yyyy hh:mm)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_export_heads())
    for row in rows:
        cells = _export_cells(row)
        value = cells[7]
        cells[7] = "" if value is None else (format(value, "f") if isinstance(value, Decimal) else str(value))
        cells[10] = cells[10].strftime("%d/%m/%Y %H:%M") if cells[10] else ""
        # Text that a spreadsheet would take for a formula is quoted (the value column holds numbers).
        writer.writerow(
            ["" if c is None else (csv_text(c) if i != 7 and isinstance(c, str) else c) for i, c in enumerate(cells)]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- helpers the modules' own workbooks share (plans, projects) ------------------------------------

DAY_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d")


def parse_day(value) -> dt.date:
    """A day from an Excel date cell, an Excel serial number (1954 onwards, in a cell not shown
    as a date) or dd/mm/yyyy text; ValueError otherwise."""
    from openpyxl.utils.datetime import from_excel

    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20_000 <= value < 2_958_466:
            result = from_excel(value)
            day = result.date() if isinstance(result, dt.datetime) else result
            if isinstance(day, dt.date) and 1900 < day.year < 2200:
                return day
        raise ValueError
    text = str(value).strip()
    for fmt in DAY_FORMATS:
        try:
            day = dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if 1900 < day.year < 2200:
            return day
    raise ValueError


def column_widths(ws, widths: Iterable[int]) -> None:
    """Set the sheet's columns' widths, from column A on."""
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def workbook_bytes(wb) -> bytes:
    """The workbook as an .xlsx file's bytes, GiamSat as its author."""
    wb.properties.creator = "GiamSat"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
