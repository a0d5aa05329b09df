"""The indicator page's table as a file: CSV (UTF-8 with a byte-order mark, numbers with a dot)
and Excel. The same rows in the same order as the page, headers in the page's language (Vietnamese
first), dates dd/mm/yyyy."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from giamsat.catalog.models import Indicator
from giamsat.core.text import csv_text

from .choices import Basis, Status
from .templatetags.evaluation import unit_of


@dataclass
class TableExport:
    headers: list[str]
    rows: list[list]  # text, float or None
    title: str

    def csv(self) -> bytes:
        out = io.StringIO()
        out.write("\ufeff")  # a byte-order mark, so that Excel reads the Vietnamese as UTF-8
        writer = csv.writer(out)
        writer.writerow(self.headers)
        for row in self.rows:
            writer.writerow(
                ["" if v is None else csv_text(v) if isinstance(v, str) else format(v, ".10g") for v in row]
            )
        return out.getvalue().encode("utf-8")

    def xlsx(self) -> bytes:
        book = Workbook()
        sheet = book.active
        sheet.title = _("Data")[:31]
        sheet.append([self.title])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append(self.headers)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in self.rows:
            sheet.append(row)
        sheet.freeze_panes = "A3"
        for column, width in zip("ABCDEFGHIJKL", (6, 12, 40, 12, 12, 12, 12, 14, 12, 16, 8, 36), strict=True):
            sheet.column_dimensions[column].width = width
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()


def indicator_table_export(*, indicator: Indicator, period, rows: list, labels: dict[int, str]) -> TableExport:
    """The rows of the indicator page (IndicatorValue, best first) as an export."""
    statuses = dict(Status.choices)
    bases = dict(Basis.choices)
    unit = unit_of(indicator)
    headers = [
        _("No."),
        _("Unit code"),
        _("Unit"),
        _("Period"),
        _("Period start"),
        _("Period end"),
        _("Value"),
        _("Unit of measure"),
        _("Target"),
        _("Status"),
        _("Score"),
        _("Where the value comes from"),
    ]
    data = [
        [
            number,
            r.org_unit.code,
            labels.get(r.org_unit.pk) or r.org_unit.display_name,
            period.label,
            period.start_date.strftime("%d/%m/%Y"),
            period.end_date.strftime("%d/%m/%Y"),
            r.value,
            unit,
            r.target,
            str(statuses.get(r.status, r.status)),
            r.score,
            str(bases.get(r.basis, r.basis)),
        ]
        for number, r in enumerate(rows, start=1)
    ]
    title = f"{indicator.code} — {indicator.name}" + (f" · {period.label}" if period else "")
    return TableExport(headers=headers, rows=data, title=title)
