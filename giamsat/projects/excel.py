"""Projects in Excel: the project list and the disbursements imported from one workbook (the
sheets recognised by their headers; every problem located by sheet, row and column; nothing
saved while one remains; a project already registered is recognised by its code and updated,
a transaction already recorded is not recorded twice), the blank template with its
instructions, and the export of a (filtered) project list, which the import reads back.

Every write goes through the projects' services; a row a service refuses becomes a problem of
that row and the whole import is rolled back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import override, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from giamsat.accounts.choices import Domain
from giamsat.core.dates import today
from giamsat.core.text import fold
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.excel import (
    BORDER,
    BRAND,
    CENTER,
    FILL_HEAD,
    FONT_HEAD,
    WRAP,
    XLSX_CONTENT_TYPE,
    UploadRefused,
    _open,
    _put,
    column_widths,
    parse_day,
    upload_check,
    workbook_bytes,
)

from .choices import OWNER_UNIT_TYPES, FundingSource, Programme, ProjectStatus, ProjectType, TransactionKind
from .models import Funding, Project, ProjectOwnership, Transaction
from .selectors import project_can_edit
from .services import funding_set, project_create, project_update, transaction_record

__all__ = ["XLSX_CONTENT_TYPE", "UploadRefused"]

MAX_ROWS = 20_000  # data rows in one workbook
HEADER_SEARCH_ROWS = 20
THOUSANDS = re.compile(r"^\d{1,3}([.,\s]\d{3})+$")
PROJECTS, TRANSACTIONS = "projects", "transactions"


@dataclass(frozen=True)
class Column:
    key: str
    label: object  # lazy
    required: bool = False
    aliases: tuple[str, ...] = ()  # folded header texts that name this column
    width: int = 16


FUNDING_LABELS = {
    FundingSource.CENTRAL_BUDGET: pgettext_lazy("project column", "Central budget (VND)"),
    FundingSource.LOCAL_BUDGET: pgettext_lazy("project column", "Local budget (VND)"),
    FundingSource.ODA: pgettext_lazy("project column", "ODA and concessional loans (VND)"),
    FundingSource.CAREER: pgettext_lazy("project column", "Recurrent budget (VND)"),
    FundingSource.OTHER: pgettext_lazy("project column", "Other sources (VND)"),
}
FUNDING_ALIASES = {
    FundingSource.CENTRAL_BUDGET: ("ngan sach trung uong", "ngan sach trung uong dong", "nstw"),
    FundingSource.LOCAL_BUDGET: ("ngan sach dia phuong", "ngan sach dia phuong dong", "nsdp"),
    FundingSource.ODA: ("oda", "von oda", "oda dong", "von vay uu dai"),
    FundingSource.CAREER: ("su nghiep", "von su nghiep", "chi thuong xuyen"),
    FundingSource.OTHER: ("nguon khac", "von khac", "nguon von khac"),
}

PROJECT_COLUMNS = (
    Column("code", pgettext_lazy("project column", "Project code"), True, ("ma du an", "ma so du an", "ma"), 16),
    Column("name", pgettext_lazy("project column", "Project name"), True, ("ten du an", "du an", "ten"), 50),
    Column(
        "owner",
        pgettext_lazy("project column", "Owner unit code"),
        True,
        ("ma don vi chu dau tu", "ma chu dau tu", "chu dau tu", "ma don vi", "don vi"),
        16,
    ),
    Column("type", pgettext_lazy("project column", "Project type"), True, ("loai du an", "loai"), 20),
    Column("domain", pgettext_lazy("project column", "Domain"), False, ("linh vuc",), 18),
    Column("programme", pgettext_lazy("project column", "Programme"), False, ("chuong trinh",), 24),
    Column("status", pgettext_lazy("project column", "Status"), True, ("trang thai", "tinh trang"), 16),
    Column(
        "decision_number",
        pgettext_lazy("project column", "Approving decision"),
        True,
        ("so quyet dinh", "quyet dinh phe duyet", "quyet dinh"),
        18,
    ),
    Column(
        "decision_date",
        pgettext_lazy("project column", "Decision date"),
        True,
        ("ngay quyet dinh", "ngay phe duyet"),
        13,
    ),
    Column(
        "decision_body",
        pgettext_lazy("project column", "Approving body"),
        True,
        ("co quan phe duyet", "cap phe duyet"),
        24,
    ),
    Column(
        "total_investment",
        pgettext_lazy("project column", "Total investment (VND)"),
        True,
        ("tong muc dau tu", "tong muc dau tu dong", "tong muc dau tu vnd"),
        18,
    ),
    Column(
        "planned_start",
        pgettext_lazy("project column", "Planned start"),
        True,
        ("bat dau du kien", "ngay bat dau", "bat dau"),
        13,
    ),
    Column(
        "planned_end",
        pgettext_lazy("project column", "Planned end"),
        True,
        ("ket thuc du kien", "ngay ket thuc", "ket thuc", "hoan thanh"),
        13,
    ),
    *(
        Column(f"funding_{source}", label, False, FUNDING_ALIASES[source], 18)
        for source, label in FUNDING_LABELS.items()
    ),
)

TRANSACTION_COLUMNS = (
    Column("code", pgettext_lazy("project column", "Project code"), True, ("ma du an", "ma so du an", "ma"), 16),
    Column("date", pgettext_lazy("project column", "Date"), True, ("ngay", "ngay giai ngan", "ngay thanh toan"), 13),
    Column(
        "amount",
        pgettext_lazy("project column", "Amount (VND)"),
        True,
        ("so tien", "so tien dong", "gia tri", "gia tri giai ngan"),
        18,
    ),
    Column("kind", pgettext_lazy("project column", "Kind"), False, ("loai giao dich", "loai"), 16),
    Column("document", pgettext_lazy("project column", "Document"), False, ("chung tu", "so chung tu"), 24),
    Column("note", pgettext_lazy("project column", "Note"), False, ("ghi chu",), 40),
)
COLUMNS = {PROJECTS: PROJECT_COLUMNS, TRANSACTIONS: TRANSACTION_COLUMNS}
# What tells the sheets apart: the project list names its projects, the transactions move money.
SIGNATURE = {PROJECTS: ("code", "name", "owner"), TRANSACTIONS: ("code", "date", "amount")}


# --- reading ---------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def _header_keys(columns: tuple[Column, ...]) -> dict[str, str]:
    """Folded header text → column key: the labels in Vietnamese and English, the keys, the aliases."""
    keys: dict[str, str] = {}
    for column in columns:
        for alias in column.aliases:
            keys.setdefault(alias, column.key)
    for column in columns:
        for language in ("vi", "en"):
            with override(language):
                keys[fold(str(column.label))] = column.key
        keys[fold(column.key)] = column.key
    return keys


def _map_headers(cells: list[tuple[int, str]], columns: tuple[Column, ...]) -> dict[str, int]:
    keys = _header_keys(columns)
    mapping: dict[str, int] = {}
    for index, text in cells:
        key = keys.get(fold(text))
        if key and key not in mapping:
            mapping[key] = index
    return mapping


@dataclass
class Sheet:
    name: str
    kind: str
    header_row: int
    headers: dict[int, str]  # column index → header text
    mapping: dict[str, int]  # column key → column index
    rows: list[tuple[int, tuple]] = field(default_factory=list)


def read_workbook(data: bytes) -> list[Sheet]:
    """The project and transaction sheets of a workbook, their header rows found among the
    first rows; other sheets (instructions) are passed over."""
    upload_check(data)
    wb = _open(data, data_only=True)
    sheets: list[Sheet] = []
    try:
        for ws in wb.worksheets:
            rows = ws.iter_rows(values_only=True)
            found: Sheet | None = None
            for number, values in enumerate(rows, start=1):
                if found is None:
                    if number > HEADER_SEARCH_ROWS:
                        break
                    cells = [(i, _text(v)) for i, v in enumerate(values, start=1) if _text(v)]
                    for kind, columns in COLUMNS.items():
                        mapping = _map_headers(cells, columns)
                        if all(key in mapping for key in SIGNATURE[kind]):
                            found = Sheet(ws.title, kind, number, dict(cells), mapping)
                            break
                    continue
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                    continue
                found.rows.append((number, values))
            if found is not None:
                sheets.append(found)
    finally:
        wb.close()
    if not sheets:
        raise UploadRefused(
            _(
                "No sheet of the workbook has the headers of the project list or of the transactions: "
                "start from the template downloaded from GiamSat."
            )
        )
    if sum(len(s.rows) for s in sheets) > MAX_ROWS:
        raise UploadRefused(
            _("The workbook has more than %(count)s rows: split it.") % {"count": f"{MAX_ROWS:,}".replace(",", ".")}
        )
    return sheets


# --- checking --------------------------------------------------------------------------------


@dataclass
class Problem:
    """One problem of the file, located: sheet, row, column (letter and header) and why."""

    sheet: str
    row: int
    column: str
    header: str
    value: str
    reason: str

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}" if self.column else str(self.row)


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    saved: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    transactions_created: int = 0
    transactions_unchanged: int = 0


def _choices(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices:
        lookup[fold(value)] = value
        for language in ("vi", "en"):
            with override(language):
                lookup[fold(str(label))] = value
    return lookup


def label_vi(choices, value: str) -> str:
    with override("vi"):
        return str(dict(choices).get(value, value or ""))


def _parse_money(value) -> int:
    """Whole đồng: a number cell, or text with dots, commas or spaces between thousands."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        return int(value)
    text = str(value).strip().replace("\u00a0", " ")
    for suffix in ("đồng", "đ", "vnd", "VND"):
        text = text.removesuffix(suffix).strip()
    if text.startswith("-"):
        return -_parse_money(text[1:])
    if text.isdigit():
        return int(text)
    if THOUSANDS.match(text):
        return int(re.sub(r"[.,\s]", "", text))
    raise ValueError


class _Rows:
    """Reads one sheet's rows; problems are located by the sheet's own columns."""

    def __init__(self, sheet: Sheet, problems: list[Problem]):
        self.sheet, self.problems = sheet, problems

    def problem(self, row: int, key: str, value, reason: str) -> None:
        index = self.sheet.mapping.get(key)
        letter = get_column_letter(index) if index else ""
        header = self.sheet.headers.get(index, "") if index else ""
        self.problems.append(Problem(self.sheet.name, row, letter, header, _text(value)[:120], reason))

    def cell(self, values: tuple, key: str):
        index = self.sheet.mapping.get(key)
        if not index or index > len(values):
            return None
        value = values[index - 1]
        if isinstance(value, str):
            value = value.replace("\x00", "").strip()
            return value or None
        return value

    def text(self, row: int, values: tuple, key: str, *, required: bool = False, max_length: int = 255) -> str:
        value = _text(self.cell(values, key))
        if required and not value:
            self.problem(row, key, "", _("Empty cell: this column is required."))
        elif len(value) > max_length:
            self.problem(row, key, value, _("Longer than %(n)s characters.") % {"n": max_length})
        return value

    def date(self, row: int, values: tuple, key: str, *, required: bool = False) -> dt.date | None:
        value = self.cell(values, key)
        if value is None:
            if required:
                self.problem(row, key, "", _("Empty cell: a date is required (dd/mm/yyyy)."))
            return None
        try:
            return parse_day(value)
        except (ValueError, OverflowError, TypeError):
            self.problem(
                row, key, value, _("“%(value)s” is not a valid date: write dd/mm/yyyy.") % {"value": _text(value)[:40]}
            )
            return None

    def money(self, row: int, values: tuple, key: str, *, required: bool = False, positive: bool = True) -> int | None:
        value = self.cell(values, key)
        if value is None:
            if required:
                self.problem(row, key, "", _("Empty cell: an amount in đồng is required."))
            return None
        try:
            amount = _parse_money(value)
        except (ValueError, OverflowError):
            self.problem(
                row,
                key,
                value,
                _("“%(value)s” is not a whole amount of đồng (write 1250000000 or 1.250.000.000).")
                % {"value": _text(value)[:40]},
            )
            return None
        if amount < 0 or (positive and amount == 0):
            self.problem(row, key, value, _("The amount must be positive."))
            return None
        if amount >= 10**16:
            self.problem(row, key, value, _("The amount is implausibly large."))
            return None
        return amount

    def choice(self, row: int, values: tuple, key: str, lookup: dict, choices, *, required: bool = False) -> str:
        value = self.cell(values, key)
        if value is None:
            if required:
                self.problem(row, key, "", _("Empty cell: this column is required."))
            return ""
        found = lookup.get(fold(_text(value)))
        if found is None:
            names = ", ".join(label_vi(choices, v) for v, _label in choices)
            self.problem(
                row,
                key,
                value,
                _("Unknown value “%(value)s”: use one of %(names)s.") % {"value": _text(value)[:60], "names": names},
            )
            return ""
        return found


@dataclass
class ProjectRow:
    row: int
    sheet: str
    fields: dict
    funding: dict[str, int] | None
    existing: Project | None = None


@dataclass
class TransactionRow:
    row: int
    sheet: str
    code: str
    kind: str
    date: dt.date
    amount: int
    document: str
    note: str


class _Importer:
    def __init__(self, *, by):
        self.by = by
        self.result = ImportResult()
        self.units: dict[str, OrgUnit | None] = {}
        self.allowed: dict[int, bool] = {}
        self.lookups = {
            "type": (_choices(ProjectType.choices), ProjectType.choices),
            "domain": (_choices(Domain.choices), Domain.choices),
            "programme": (_choices(Programme.choices), Programme.choices),
            "status": (_choices(ProjectStatus.choices), ProjectStatus.choices),
            "kind": (_choices(TransactionKind.choices), TransactionKind.choices),
        }
        self.sheets: dict[str, Sheet] = {}
        self.existing_funding: dict[int, dict[str, int]] = {}
        self.projects: list[ProjectRow] = []
        self.transactions: list[TransactionRow] = []

    def missing_columns(self, sheet: Sheet) -> bool:
        missing = [c for c in COLUMNS[sheet.kind] if c.required and c.key not in sheet.mapping]
        for column in missing:
            self.result.problems.append(
                Problem(
                    sheet.name,
                    sheet.header_row,
                    "",
                    "",
                    "",
                    _("The sheet has no column “%(column)s”: it is required.") % {"column": column.label},
                )
            )
        return bool(missing)

    def unit(self, code: str) -> OrgUnit | None:
        if code not in self.units:
            self.units[code] = OrgUnit.objects.filter(code=code).first()
        return self.units[code]

    def may_register(self, unit: OrgUnit) -> bool:
        if unit.pk not in self.allowed:
            from giamsat.tracking.permissions import can_assign, can_report_for

            self.allowed[unit.pk] = can_report_for(self.by, unit) or can_assign(self.by, unit)
        return self.allowed[unit.pk]

    # --- the project list

    def check_projects(self, sheet: Sheet) -> None:
        reader = _Rows(sheet, self.result.problems)
        seen: dict[str, int] = {}
        codes = [_text(reader.cell(values, "code")) for _n, values in sheet.rows]
        existing = {
            p.code: p for p in Project.objects.filter(code__in=[c for c in codes if c]).select_related("owner_unit")
        }
        owners: dict[int, set[str]] = defaultdict(set)
        for project_id, unit_code in ProjectOwnership.objects.filter(project__in=existing.values()).values_list(
            "project_id", "unit__code"
        ):
            owners[project_id].add(unit_code)
        funding: dict[int, dict[str, int]] = defaultdict(dict)
        for project_id, source, amount in Funding.objects.filter(project__in=existing.values()).values_list(
            "project_id", "source", "amount"
        ):
            funding[project_id][source] = amount
        self.existing_funding = funding
        for number, values in sheet.rows:
            before = len(self.result.problems)
            code = reader.text(number, values, "code", required=True, max_length=40)
            if code in seen:
                reader.problem(
                    number,
                    "code",
                    code,
                    _("The code %(code)s is already on row %(row)s.") % {"code": code, "row": seen[code]},
                )
            elif code:
                seen[code] = number
            fields = {
                "code": code,
                "name": reader.text(number, values, "name", required=True, max_length=500),
                "decision_number": reader.text(number, values, "decision_number", required=True, max_length=80),
                "decision_body": reader.text(number, values, "decision_body", required=True, max_length=255),
                "decision_date": reader.date(number, values, "decision_date", required=True),
                "planned_start": reader.date(number, values, "planned_start", required=True),
                "planned_end": reader.date(number, values, "planned_end", required=True),
                "total_investment": reader.money(number, values, "total_investment", required=True),
            }
            for key in ("type", "status"):
                lookup, choices = self.lookups[key]
                fields[key] = reader.choice(number, values, key, lookup, choices, required=True)
            for key in ("domain", "programme"):
                lookup, choices = self.lookups[key]
                value = reader.choice(number, values, key, lookup, choices)
                if value or (key == "programme" and key in sheet.mapping):  # a column left out changes nothing
                    fields[key] = value
            if fields["planned_start"] and fields["planned_end"] and fields["planned_end"] < fields["planned_start"]:
                reader.problem(
                    number,
                    "planned_end",
                    values[sheet.mapping["planned_end"] - 1],
                    _("The planned end is before the planned start."),
                )
            # The funding as the file gives it; without any funding column, the funding is left alone.
            money = {} if any(f"funding_{s}" in sheet.mapping for s in FundingSource.values) else None
            for source in FundingSource.values:
                amount = reader.money(number, values, f"funding_{source}", positive=False)
                if amount and money is not None:
                    money[source] = amount
            owner_code = reader.text(number, values, "owner", required=True, max_length=40)
            project = existing.get(code)
            owner = self.unit(owner_code) if owner_code else None
            if owner_code and owner is None:
                reader.problem(number, "owner", owner_code, _("No unit has the code %(code)s.") % {"code": owner_code})
            elif owner is not None and project is None:
                if owner.type not in OWNER_UNIT_TYPES:
                    reader.problem(
                        number,
                        "owner",
                        owner_code,
                        _(
                            "%(unit)s cannot own an investment project "
                            "(a province, a ministry or one of their departments can)."
                        )
                        % {"unit": owner.name_vi},
                    )
                elif not self.may_register(owner):
                    reader.problem(
                        number,
                        "owner",
                        owner_code,
                        _("This unit is outside your scope: you may not register its projects."),
                    )
            if project is not None:
                if not project_can_edit(self.by, project):
                    reader.problem(number, "code", code, _("You may not change the project %(code)s.") % {"code": code})
                elif owner is not None and owner_code not in owners[project.pk] | {project.owner_unit.code}:
                    reader.problem(
                        number,
                        "owner",
                        owner_code,
                        _("The project %(code)s belongs to %(owner)s: an import does not change the owner.")
                        % {"code": code, "owner": project.owner_unit.code},
                    )
            if len(self.result.problems) == before:
                fields["owner_unit"] = owner
                self.projects.append(ProjectRow(number, sheet.name, fields, money, project))

    # --- the transactions

    def check_transactions(self, sheet: Sheet) -> None:
        reader = _Rows(sheet, self.result.problems)
        lookup, choices = self.lookups["kind"]
        for number, values in sheet.rows:
            before = len(self.result.problems)
            code = reader.text(number, values, "code", required=True, max_length=40)
            kind = reader.choice(number, values, "kind", lookup, choices) or TransactionKind.DISBURSEMENT
            day = reader.date(number, values, "date", required=True)
            amount = reader.money(number, values, "amount", required=True)
            document = reader.text(number, values, "document", max_length=255)
            note = reader.text(number, values, "note", max_length=500)
            if len(self.result.problems) == before:
                self.transactions.append(TransactionRow(number, sheet.name, code, kind, day, amount, document, note))

    # --- saving

    def _refused(self, sheet: str, row: int, kind: str, exc: ValidationError) -> None:
        """A service's refusal, as problems of the row in the columns it names."""
        found = self.sheets.get(sheet)
        aliases = {"owner_unit": "owner", "package": "code"}
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        for name, messages in errors.items():
            key = aliases.get(name, name)
            index = found.mapping.get(key) if found else None
            letter = get_column_letter(index) if index else ""
            header = found.headers.get(index, "") if index else ""
            for message in messages:
                self.result.problems.append(Problem(sheet, row, letter, header, "", message))

    def save_projects(self) -> dict[str, Project]:
        saved: dict[str, Project] = {}
        for row in self.projects:
            fields = dict(row.fields)
            try:
                with transaction.atomic():
                    if row.existing is None:
                        saved[fields["code"]] = project_create(
                            by=self.by, funding=row.funding or {}, check_permission=False, **fields
                        )
                        self.result.created += 1
                        continue
                    project = row.existing
                    fields.pop("code"), fields.pop("owner_unit")
                    changes = {k: v for k, v in fields.items() if getattr(project, k) != v}
                    funding_changed = (
                        row.funding is not None and self.existing_funding.get(project.pk, {}) != row.funding
                    )
                    if funding_changed:
                        funding_set(project=project, funding=row.funding, by=self.by)
                    if changes:
                        project_update(project=project, by=self.by, **changes)
                    if changes or funding_changed:
                        self.result.updated += 1
                    else:
                        self.result.unchanged += 1
                    saved[project.code] = project
            except ValidationError as exc:
                self._refused(row.sheet, row.row, PROJECTS, exc)
            except PermissionDenied as exc:
                self._refused(row.sheet, row.row, PROJECTS, ValidationError({"code": str(exc)}))
        return saved

    def save_transactions(self, saved: dict[str, Project]) -> None:
        codes = {r.code for r in self.transactions} - set(saved)
        projects = dict(saved)
        projects.update({p.code: p for p in Project.objects.filter(code__in=codes).select_related("owner_unit")})
        editable: dict[int, bool] = {}
        wanted: Counter = Counter()
        for row in self.transactions:
            project = projects.get(row.code)
            if project is None:
                self._refused(
                    row.sheet,
                    row.row,
                    TRANSACTIONS,
                    ValidationError({"code": _("No project has the code %(code)s.") % {"code": row.code}}),
                )
                continue
            if project.pk not in editable:
                editable[project.pk] = project_can_edit(self.by, project)
            if not editable[project.pk]:
                self._refused(
                    row.sheet,
                    row.row,
                    TRANSACTIONS,
                    ValidationError(
                        {"code": _("You may not record transactions of the project %(code)s.") % {"code": row.code}}
                    ),
                )
                continue
            wanted[(project.pk, row.kind, row.date, row.amount, row.document)] += 1
        if self.result.problems:
            return
        recorded = Counter(
            Transaction.objects.filter(project__in={p.pk for p in projects.values()}).values_list(
                "project_id", "kind", "date", "amount", "document"
            )
        )
        for row in self.transactions:
            project = projects[row.code]
            key = (project.pk, row.kind, row.date, row.amount, row.document)
            if recorded[key] >= wanted[key]:
                self.result.transactions_unchanged += 1
                continue
            try:
                with transaction.atomic():
                    transaction_record(
                        project=project,
                        kind=row.kind,
                        date=row.date,
                        amount=row.amount,
                        document=row.document,
                        note=row.note,
                        by=self.by,
                        check_permission=False,
                    )
            except ValidationError as exc:
                self._refused(row.sheet, row.row, TRANSACTIONS, exc)
                continue
            recorded[key] += 1
            self.result.transactions_created += 1


def workbook_import(*, data: bytes, by) -> ImportResult:
    """Check every row of the workbook's project and transaction sheets; when none has a
    problem, save them in one transaction (projects first, so a transaction may name a project
    registered by the same file). Whatever a service refuses is a problem of its row, and then
    nothing at all is saved."""
    sheets = read_workbook(data)
    importer = _Importer(by=by)
    result = importer.result
    result.sheets = [s.name for s in sheets]
    importer.sheets = {s.name: s for s in sheets}
    for sheet in sheets:
        if importer.missing_columns(sheet):
            continue
        if sheet.kind == PROJECTS:
            importer.check_projects(sheet)
        else:
            importer.check_transactions(sheet)
    if result.problems:
        return result
    if not importer.projects and not importer.transactions:
        result.problems.append(
            Problem(
                sheets[0].name, sheets[0].header_row + 1, "", "", "", _("The workbook has no row under its headers.")
            )
        )
        return result
    with transaction.atomic():
        saved = importer.save_projects()
        importer.save_transactions(saved)
        if result.problems:
            transaction.set_rollback(True)
            result.created = result.updated = result.unchanged = 0
            result.transactions_created = result.transactions_unchanged = 0
            return result
    result.saved = True
    return result


# --- writing ---------------------------------------------------------------------------------


def _head_row(ws, row: int, columns: Iterable[Column | str]) -> None:
    for col, column in enumerate(columns, start=1):
        cell = _put(ws, row, col, str(column.label if isinstance(column, Column) else column))
        cell.fill, cell.font, cell.alignment, cell.border = FILL_HEAD, FONT_HEAD, CENTER, BORDER


DATE_KEYS = {"decision_date", "planned_start", "planned_end", "date"}
MONEY_KEYS = {"total_investment", "amount", *(f"funding_{s}" for s in FundingSource.values)}


def _write_row(ws, row: int, columns: tuple[Column, ...], values: dict) -> None:
    for col, column in enumerate(columns, start=1):
        value = values.get(column.key)
        cell = _put(ws, row, col, value if value not in ("",) else None)
        if column.key in DATE_KEYS:
            cell.number_format = "dd/mm/yyyy"
        elif column.key in MONEY_KEYS:
            cell.number_format = "#,##0"
        elif column.key in ("name", "note"):
            cell.alignment = WRAP


def _project_values(project: Project, funding: dict[str, int]) -> dict:
    return {
        "code": project.code,
        "name": project.name,
        "owner": project.owner_unit.code,
        "type": label_vi(ProjectType.choices, project.type),
        "domain": label_vi(Domain.choices, project.domain),
        "programme": label_vi(Programme.choices, project.programme) if project.programme else "",
        "status": label_vi(ProjectStatus.choices, project.status),
        "decision_number": project.decision_number,
        "decision_date": project.decision_date,
        "decision_body": project.decision_body,
        "total_investment": project.total_investment,
        "planned_start": project.planned_start,
        "planned_end": project.planned_end,
        **{f"funding_{source}": amount for source, amount in funding.items()},
    }


def _sheet_titles() -> tuple[str, str, str]:
    return _("Projects")[:31], _("Transactions")[:31], _("Instructions")[:31]


def template_workbook() -> bytes:
    """The project list and the transactions with their headers, an example row each, and a
    sheet of instructions."""
    wb = Workbook()
    projects_title, transactions_title, help_title = _sheet_titles()
    ws = wb.active
    ws.title = projects_title
    _head_row(ws, 1, PROJECT_COLUMNS)
    year = today().year
    example = {
        "code": f"DA-{year}-001",
        "name": _("Shared data integration platform"),
        "owner": "SKHCN_01",
        "type": label_vi(ProjectType.choices, ProjectType.INVESTMENT),
        "domain": label_vi(Domain.choices, Domain.IT_DX),
        "programme": label_vi(Programme.choices, Programme.DIGITAL_GOVERNMENT),
        "status": label_vi(ProjectStatus.choices, ProjectStatus.IMPLEMENTATION),
        "decision_number": "123/QĐ-UBND",
        "decision_date": dt.date(year, 1, 15),
        "decision_body": _("Provincial People's Committee"),
        "total_investment": 12_500_000_000,
        "planned_start": dt.date(year, 2, 1),
        "planned_end": dt.date(year + 1, 12, 31),
        f"funding_{FundingSource.LOCAL_BUDGET}": 12_500_000_000,
    }
    _write_row(ws, 2, PROJECT_COLUMNS, example)
    column_widths(ws, (c.width for c in PROJECT_COLUMNS))
    ws.freeze_panes = "C2"
    tx = wb.create_sheet(transactions_title)
    _head_row(tx, 1, TRANSACTION_COLUMNS)
    _write_row(
        tx,
        2,
        TRANSACTION_COLUMNS,
        {
            "code": f"DA-{year}-001",
            "date": dt.date(year, 3, 20),
            "amount": 1_250_000_000,
            "kind": label_vi(TransactionKind.choices, TransactionKind.DISBURSEMENT),
            "document": "UNC 01/KBNN",
            "note": _("First advance payment"),
        },
    )
    column_widths(tx, (c.width for c in TRANSACTION_COLUMNS))
    tx.freeze_panes = "A2"
    help_ws = wb.create_sheet(help_title)
    help_ws.column_dimensions["A"].width = 30
    help_ws.column_dimensions["B"].width = 100
    _put(help_ws, 1, 1, _("How to fill in the project list and the transactions")).font = Font(
        bold=True, size=14, color=BRAND
    )

    def names(choices) -> str:
        return ", ".join(label_vi(choices, v) for v, _label in choices)

    lines = [
        (projects_title, _("One row per project. Columns may be in any order; their headers must be kept.")),
        (PROJECT_COLUMNS[0].label, _("Required. The national project code; a project already in GiamSat is updated.")),
        (PROJECT_COLUMNS[2].label, _("Required. The code of the province, ministry or department that owns it.")),
        (PROJECT_COLUMNS[3].label, _("Required. One of: %(names)s.") % {"names": names(ProjectType.choices)}),
        (PROJECT_COLUMNS[4].label, _("One of: %(names)s.") % {"names": names(Domain.choices)}),
        (PROJECT_COLUMNS[5].label, _("One of: %(names)s.") % {"names": names(Programme.choices)}),
        (PROJECT_COLUMNS[6].label, _("Required. One of: %(names)s.") % {"names": names(ProjectStatus.choices)}),
        (_("Dates"), _("Excel dates or dd/mm/yyyy text.")),
        (_("Amounts"), _("Whole đồng (not millions or billions): 12500000000 or 12.500.000.000.")),
        (_("Funding"), _("The amount of each source in its own column; empty means none.")),
        (transactions_title, _("One row per payment: project code, date, amount, document, note.")),
        (
            TRANSACTION_COLUMNS[3].label,
            _("Empty means a disbursement. One of: %(names)s.") % {"names": names(TransactionKind.choices)},
        ),
        (
            _("Importing"),
            _(
                "Both sheets are read in one go; nothing is saved while any problem remains. Importing the same "
                "file again changes nothing: projects are recognised by their code, transactions already recorded "
                "are not recorded twice."
            ),
        ),
    ]
    for row, (label, text) in enumerate(lines, start=3):
        _put(help_ws, row, 1, str(label)).font = Font(bold=True)
        _put(help_ws, row, 2, text).alignment = WRAP
    return workbook_bytes(wb)


EXPORT_EXTRA = (
    pgettext_lazy("project column", "Owner unit"),
    pgettext_lazy("project column", "Disbursed in total (VND)"),
    pgettext_lazy("project column", "Open red flags"),
)


def projects_workbook(*, projects: Iterable[Project], title: str, subtitle: str) -> bytes:
    """The projects as the import reads them (then the owner's name, the total disbursed and
    the open flags, which the import passes over), and their transactions."""
    from .selectors import disbursed, open_flags

    projects = list(projects)
    ids = [p.pk for p in projects]
    funding: dict[int, dict[str, int]] = defaultdict(dict)
    for project_id, source, amount in Funding.objects.filter(project_id__in=ids).values_list(
        "project_id", "source", "amount"
    ):
        funding[project_id][source] = amount
    paid = disbursed(ids, to=dt.date(2200, 1, 1))
    flags = Counter(open_flags().filter(project_id__in=ids).values_list("project_id", flat=True))
    wb = Workbook()
    projects_title, transactions_title, _help = _sheet_titles()
    ws = wb.active
    ws.title = projects_title
    _put(ws, 1, 1, title).font = Font(bold=True, size=14, color=BRAND)
    _put(ws, 2, 1, subtitle)
    _head_row(ws, 3, [*PROJECT_COLUMNS, *(str(h) for h in EXPORT_EXTRA)])
    extra_from = len(PROJECT_COLUMNS) + 1
    for row, project in enumerate(projects, start=4):
        _write_row(ws, row, PROJECT_COLUMNS, _project_values(project, funding[project.pk]))
        _put(ws, row, extra_from, project.owner_unit.name_vi)
        _put(ws, row, extra_from + 1, paid.get(project.pk, 0)).number_format = "#,##0"
        _put(ws, row, extra_from + 2, flags.get(project.pk, 0))
    column_widths(ws, [*(c.width for c in PROJECT_COLUMNS), 30, 18, 10])
    ws.freeze_panes = "C4"
    tx = wb.create_sheet(transactions_title)
    _head_row(tx, 1, TRANSACTION_COLUMNS)
    codes = {p.pk: p.code for p in projects}
    rows = Transaction.objects.filter(project_id__in=ids).order_by("project__code", "date", "pk")
    for row, t in enumerate(rows.values_list("project_id", "date", "amount", "kind", "document", "note"), start=2):
        project_id, day, amount, kind, document, note = t
        _write_row(
            tx,
            row,
            TRANSACTION_COLUMNS,
            {
                "code": codes[project_id],
                "date": day,
                "amount": amount,
                "kind": label_vi(TransactionKind.choices, kind),
                "document": document,
                "note": note,
            },
        )
    column_widths(tx, (c.width for c in TRANSACTION_COLUMNS))
    tx.freeze_panes = "A2"
    return workbook_bytes(wb)
