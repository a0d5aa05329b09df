"""Plans in Excel: a plan imported from the table a department already keeps (its columns mapped
on upload, every problem located by row and column, nothing saved while one remains), a blank
template, and the export of a plan or of a task list, which the import reads back.

Uploads are checked as the data channel checks them (size, zip signature, zip bomb) and read
with openpyxl in read-only (streaming) mode; formulas are never evaluated.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override, pgettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from giamsat.accounts.choices import Domain
from giamsat.core.dates import today
from giamsat.core.text import fold
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
from giamsat.tracking.choices import WorkStatus
from giamsat.tracking.permissions import can_review
from giamsat.tracking.services import work_item_update

from .models import AssigningDocument, Plan, Task
from .services import document_get_or_create, ensure_can_plan, plan_get_or_create, task_classify, task_create

__all__ = ["XLSX_CONTENT_TYPE", "UploadRefused"]

MAX_ROWS = 10_000  # tasks in one imported sheet
HEADER_SEARCH_ROWS = 20
PERSON_PREFIX = "Người phụ trách: "  # data: a person named in the table who is no user of GiamSat
ROMAN = re.compile(r"^[IVXLC]+\.?$")
SUBTASK_NUMBER = re.compile(r"^\d+(\.\d+)+$")


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str  # lazy
    required: bool = False
    aliases: tuple[str, ...] = ()  # folded header texts that name this column


FIELDS = (
    ImportField(
        "number", pgettext_lazy("plan column", "No."), aliases=("stt", "so thu tu", "so tt", "tt", "ma nhiem vu", "so")
    ),
    ImportField(
        "title",
        pgettext_lazy("plan column", "Task"),
        required=True,
        aliases=("noi dung nhiem vu", "nhiem vu", "noi dung", "ten nhiem vu", "cong viec", "noi dung cong viec"),
    ),
    ImportField("domain", pgettext_lazy("plan column", "Domain"), aliases=("linh vuc", "linh vuc quan ly")),
    ImportField(
        "document",
        pgettext_lazy("plan column", "Assigning document"),
        aliases=("van ban giao", "so van ban", "van ban", "can cu"),
    ),
    ImportField(
        "document_date",
        pgettext_lazy("plan column", "Document date"),
        aliases=("ngay van ban", "ngay ban hanh", "ngay ban hanh van ban"),
    ),
    ImportField(
        "issuing_body",
        pgettext_lazy("plan column", "Issuing body"),
        aliases=("co quan ban hanh", "co quan giao", "noi ban hanh"),
    ),
    ImportField(
        "start",
        pgettext_lazy("plan column", "Start date"),
        aliases=("ngay bat dau", "bat dau", "tu ngay", "thoi gian bat dau"),
    ),
    ImportField(
        "due",
        pgettext_lazy("plan column", "Deadline"),
        required=True,
        aliases=("han hoan thanh", "thoi han hoan thanh", "thoi han", "han", "thoi gian hoan thanh", "han chot"),
    ),
    ImportField(
        "deliverable",
        pgettext_lazy("plan column", "Deliverable"),
        aliases=("san pham dau ra", "san pham", "ket qua dau ra"),
    ),
    ImportField(
        "person",
        pgettext_lazy("plan column", "Person in charge"),
        aliases=("nguoi phu trach", "can bo phu trach", "phu trach", "nguoi thuc hien"),
    ),
    ImportField("note", pgettext_lazy("plan column", "Note"), aliases=("ghi chu",)),
)
FIELD_KEYS = [f.key for f in FIELDS]


# --- reading ---------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") if value.time() == dt.time() else value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return " ".join(str(value).split())


def _rows(data: bytes, sheet: str) -> Iterator[tuple]:
    wb = _open(data, data_only=True)
    try:
        if sheet not in wb.sheetnames:
            raise UploadRefused(_("The workbook has no sheet named “%(sheet)s”.") % {"sheet": sheet})
        yield from wb[sheet].iter_rows(values_only=True)
    finally:
        wb.close()


@dataclass
class SheetHead:
    """A sheet's header row as the mapping step shows it."""

    sheets: list[str]
    sheet: str
    header_row: int
    columns: list[tuple[int, str, str]]  # (index from 1, letter, header text)
    guess: dict[str, int]  # field key -> column index

    def header(self, index: int) -> str:
        for col, _letter, text in self.columns:
            if col == index:
                return text
        return ""


def _field_for(header: str) -> str | None:
    folded = fold(header)
    if not folded:
        return None
    for spec in FIELDS:
        if folded in spec.aliases or folded == fold(str(spec.label)):
            return spec.key
    # A longer header that starts with an alias ("Hạn hoàn thành (dd/mm/yyyy)").
    best = None
    for spec in FIELDS:
        for alias in spec.aliases:
            if len(alias) > 3 and folded.startswith(alias + " ") and (best is None or len(alias) > len(best[1])):
                best = (spec.key, alias)
    return best[0] if best else None


def guess_mapping(headers: list[tuple[int, str]]) -> dict[str, int]:
    """Each field's column, guessed from the header texts (accents and case ignored)."""
    guess: dict[str, int] = {}
    for index, text in headers:
        key = _field_for(text)
        if key and key not in guess:
            guess[key] = index
    return guess


def sheet_head(data: bytes, *, sheet: str = "", header_row: int | None = None) -> SheetHead:
    """The sheet (the first by default) and its header row (found among the first rows when
    not given: the one naming the most fields)."""
    upload_check(data)
    wb = _open(data, data_only=True)
    try:
        sheets = list(wb.sheetnames)
        if not sheets:
            raise UploadRefused(_("The workbook has no sheet."))
        sheet = sheet if sheet in sheets else sheets[0]
        first = []
        for number, values in enumerate(wb[sheet].iter_rows(values_only=True, max_row=HEADER_SEARCH_ROWS), start=1):
            first.append((number, [(i, _text(v)) for i, v in enumerate(values, start=1) if _text(v)]))
    finally:
        wb.close()
    rows = dict(first)
    if header_row is None or header_row not in rows:
        scored = [(len(guess_mapping(cells)), -number) for number, cells in first if cells]
        header_row = -max(scored)[1] if scored else 1
    cells = rows.get(header_row, [])
    return SheetHead(
        sheets=sheets,
        sheet=sheet,
        header_row=header_row,
        columns=[(i, get_column_letter(i), text) for i, text in cells],
        guess=guess_mapping(cells),
    )


# --- checking --------------------------------------------------------------------------------


@dataclass
class Problem:
    """One problem of the file, located: row, column (letter and header) and why."""

    row: int
    column: str
    header: str
    value: str
    reason: str

    @property
    def cell(self) -> str:
        return f"{self.column}{self.row}" if self.column else str(self.row)


@dataclass
class TaskRow:
    row: int
    number: str
    title: str
    due: dt.date
    start: dt.date | None = None
    domain: str = ""
    document: tuple[str, dt.date | None, str] | None = None  # number, date, issuing body
    deliverable: str = ""
    person: str = ""
    note: str = ""
    existing: Task | None = None
    changes: dict = field(default_factory=dict)


@dataclass
class ImportResult:
    rows: list[TaskRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: int = 0  # blank rows and section headings
    saved: bool = False
    plan: Plan | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0


# Common names of the domains in departments' tables, beyond the catalogue's own.
DOMAIN_ALIASES = {
    "chuyen doi so": Domain.IT_DX,
    "cntt": Domain.IT_DX,
    "cong nghe thong tin": Domain.IT_DX,
    "an toan thong tin": Domain.CYBERSEC,
    "bao chi": Domain.PRESS,
}


def _domain_lookup() -> dict[str, str]:
    lookup = dict(DOMAIN_ALIASES)
    for value, label in Domain.choices:
        lookup[fold(value)] = value
        lookup[fold(str(label))] = value
        with override("vi"):
            lookup[fold(str(label))] = value
        with override("en"):
            lookup[fold(str(label))] = value
    return lookup


def domain_label_vi(code: str) -> str:
    with override("vi"):
        return str(Domain(code).label) if code in Domain.values else ""


def _number(value) -> str:
    text = _text(value).strip()
    return text[:-1] if text.endswith(".") and text[:-1].replace(".", "").isdigit() else text


def _key(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Checker:
    """Reads the mapped rows of a sheet and lists every problem."""

    def __init__(self, *, head: SheetHead, mapping: dict[str, int], plan: Plan | None, year: int, by):
        self.head, self.mapping, self.plan, self.year, self.by = head, mapping, plan, year, by
        self.result = ImportResult(plan=plan)
        self.domains = _domain_lookup()
        self.section_domain = ""
        self.numbers: dict[str, int] = {}  # number -> row
        self.titles: dict[str, int] = {}
        self.existing_by_number: dict[str, Task] = {}
        self.existing_by_title: dict[str, Task] = {}
        if plan is not None:
            for task in Task.objects.filter(plan=plan).select_related("item", "document", "item__assignee"):
                if task.number:
                    self.existing_by_number.setdefault(task.number, task)
                self.existing_by_title.setdefault(_key(task.item.title), task)

    def problem(self, row: int, key: str, value, reason: str) -> None:
        index = self.mapping.get(key)
        letter = get_column_letter(index) if index else ""
        header = self.head.header(index) if index else ""
        self.result.problems.append(Problem(row, letter, header, _text(value)[:120], reason))

    def cell(self, values: tuple, key: str):
        index = self.mapping.get(key)
        if not index or index > len(values):
            return None
        value = values[index - 1]
        return None if isinstance(value, str) and not value.strip() else value

    def date(self, row: int, values: tuple, key: str) -> dt.date | None:
        value = self.cell(values, key)
        if value is None:
            return None
        try:
            return parse_day(value)
        except (ValueError, OverflowError, TypeError):
            self.problem(
                row, key, value, _("“%(value)s” is not a valid date: write dd/mm/yyyy.") % {"value": _text(value)[:40]}
            )
            return None

    def check_row(self, row: int, values: tuple) -> None:
        cells = {key: self.cell(values, key) for key in self.mapping}
        if all(v is None for v in cells.values()):
            return
        number = _number(cells.get("number"))
        title = _text(cells.get("title"))
        if self.heading(number, title, cells):
            self.result.skipped += 1
            return
        errors = len(self.result.problems)
        if not title:
            self.problem(row, "title", "", _("Empty cell: the task is required."))
        elif len(title) > 500:
            self.problem(row, "title", title, _("The task is longer than 500 characters."))
        due = self.date(row, values, "due")
        if cells.get("due") is None:
            self.problem(row, "due", "", _("Empty cell: the deadline is required."))
        elif due is not None and not (dt.date(self.year, 1, 1) <= due <= dt.date(self.year + 1, 12, 31)):
            self.problem(
                row,
                "due",
                cells["due"],
                _("The deadline %(date)s is outside the plan's year %(year)s.")
                % {"date": due.strftime("%d/%m/%Y"), "year": self.year},
            )
        start = self.date(row, values, "start")
        if start and due and start > due:
            self.problem(row, "start", cells["start"], _("The start date is after the deadline."))
        domain = self.section_domain
        if cells.get("domain") is not None:
            domain = self.domains.get(fold(_text(cells["domain"])), "")
            if not domain:
                names = ", ".join(domain_label_vi(v) for v in Domain.values)
                self.problem(
                    row,
                    "domain",
                    cells["domain"],
                    _("No domain is called “%(value)s”. Use one of: %(names)s.")
                    % {"value": _text(cells["domain"])[:60], "names": names},
                )
        document = self.document(row, values, cells)
        if number:
            if len(number) > 20:
                self.problem(row, "number", number, _("The number is longer than 20 characters."))
            elif number in self.numbers:
                self.problem(
                    row,
                    "number",
                    number,
                    _("The number “%(number)s” is already used on row %(row)s.")
                    % {"number": number, "row": self.numbers[number]},
                )
            else:
                self.numbers[number] = row
        elif title:
            key = _key(title)
            if key in self.titles:
                self.problem(
                    row,
                    "title",
                    title,
                    _("The same task is already on row %(row)s: give each a number.") % {"row": self.titles[key]},
                )
            else:
                self.titles[key] = row
        if len(self.result.problems) > errors:
            return
        task_row = TaskRow(
            row=row,
            number=number,
            title=title,
            due=due,
            start=start,
            domain=domain,
            document=document,
            deliverable=_text(cells.get("deliverable")),
            person=_text(cells.get("person"))[:200],
            note=str(cells.get("note") or "").strip(),
        )
        self.match(task_row)
        self.result.rows.append(task_row)

    def heading(self, number: str, title: str, cells: dict) -> bool:
        """A section heading ("I. Lĩnh vực chuyển đổi số"): no deadline, numbered with a Roman
        numeral or a letter, or unnumbered and naming a domain. Its domain applies below it."""
        if cells.get("due") is not None or cells.get("start") is not None:
            return False
        named = self.domains.get(fold(re.sub(r"(?i)^l[iĩ]nh v[uự]c\s*:?\s*", "", title)), "")
        if not (ROMAN.match(number) or (len(number) == 1 and number.isalpha()) or (not number and named)):
            return False
        self.section_domain = named
        return True

    def document(self, row: int, values: tuple, cells: dict):
        number = _text(cells.get("document"))[:80]
        issued_on = self.date(row, values, "document_date")
        body = _text(cells.get("issuing_body"))[:255]
        if not number:
            if cells.get("document_date") is not None or body:
                self.problem(row, "document", "", _("A document date or issuing body is given without its number."))
            return None
        if issued_on is None and cells.get("document_date") is None:
            known = list(AssigningDocument.objects.filter(number=number)[:2])
            if len(known) != 1:
                self.problem(
                    row,
                    "document_date",
                    "",
                    _("Empty cell: the date of document “%(number)s” is required.") % {"number": number},
                )
                return None
            issued_on = known[0].issued_on
        return (number, issued_on, body) if issued_on else None

    def match(self, task_row: TaskRow) -> None:
        """The plan's task this row already is (by number, or by title when it has none), and
        what the row would change in it."""
        existing = (
            self.existing_by_number.get(task_row.number)
            if task_row.number
            else self.existing_by_title.get(_key(task_row.title))
        )
        if existing is None:
            return
        task_row.existing = existing
        item = existing.item
        wanted = {"title": task_row.title[:500], "due_date": task_row.due, "start_date": task_row.start}
        if task_row.deliverable:
            wanted["deliverable"] = task_row.deliverable
        changes = {name: value for name, value in wanted.items() if getattr(item, name) != value}
        if changes and not can_review(self.by, item):
            names = ", ".join(
                str(WORK_FIELD_LABELS[name])
                for name in ("title", "due_date", "start_date", "deliverable")
                if name in changes
            )
            self.result.problems.append(
                Problem(
                    task_row.row,
                    "",
                    "",
                    task_row.number or task_row.title[:60],
                    _(
                        "This task is already in the plan and only its assigner may change %(fields)s: "
                        "ask for an extension on the task's page, or keep the plan's values."
                    )
                    % {"fields": names},
                )
            )
            return
        task_row.changes = changes

    def check_parents(self) -> None:
        existing = set(self.existing_by_number)
        for task_row in self.result.rows:
            if SUBTASK_NUMBER.match(task_row.number):
                parent = task_row.number.rsplit(".", 1)[0]
                if parent not in self.numbers and parent not in existing:
                    self.problem(
                        task_row.row,
                        "number",
                        task_row.number,
                        _("Sub-task “%(number)s” but there is no task “%(parent)s” in the file or the plan.")
                        % {"number": task_row.number, "parent": parent},
                    )

    def run(self, rows: Iterable[tuple]) -> ImportResult:
        missing = [f for f in FIELDS if f.required and not self.mapping.get(f.key)]
        for spec in missing:
            self.result.problems.append(
                Problem(
                    self.head.header_row,
                    "",
                    "",
                    "",
                    _("No column is chosen for “%(field)s”: it is required.") % {"field": spec.label},
                )
            )
        if missing:
            return self.result
        read = 0
        for number, values in enumerate(rows, start=1):
            if number <= self.head.header_row or all(v is None for v in values):
                continue
            read += 1
            if read > MAX_ROWS:
                raise UploadRefused(
                    _("The sheet has more than %(count)s rows: split it.")
                    % {"count": f"{MAX_ROWS:,}".replace(",", ".")}
                )
            self.check_row(number, values)
        self.check_parents()
        if not self.result.rows and not self.result.problems:
            self.result.problems.append(
                Problem(self.head.header_row + 1, "", "", "", _("The sheet has no task under its header row."))
            )
        return self.result


WORK_FIELD_LABELS = {
    "title": gettext_lazy("the task"),
    "due_date": gettext_lazy("the deadline"),
    "start_date": gettext_lazy("the start date"),
    "deliverable": gettext_lazy("the deliverable"),
}


def mapping_clean(head: SheetHead, raw: dict[str, str]) -> tuple[dict[str, int], list[str]]:
    """The field → column choices as submitted (column letters or indexes), with the errors:
    an unknown column, or one column chosen for two fields."""
    valid = {index for index, _letter, _text in head.columns}
    mapping, errors, used = {}, [], {}
    for spec in FIELDS:
        value = (raw.get(spec.key) or "").strip()
        if not value:
            continue
        index = int(value) if value.isdigit() else None
        if index not in valid:
            errors.append(_("“%(field)s”: choose one of the sheet's columns.") % {"field": spec.label})
            continue
        if index in used:
            errors.append(
                _("Column %(column)s is chosen for both “%(first)s” and “%(second)s”.")
                % {"column": get_column_letter(index), "first": used[index], "second": spec.label}
            )
            continue
        used[index] = spec.label
        mapping[spec.key] = index
    return mapping, errors


def _users_by_name(unit, names: set[str]) -> dict[str, object]:
    """The users named in the table (by user name or full name, accents ignored) who are
    among the unit's people; a name two users share names nobody."""
    from giamsat.accounts.models import User
    from giamsat.tracking.permissions import can_report_for

    found: dict[str, list] = {}
    for user in User.objects.filter(is_active=True):
        for name in {fold(user.username), fold(user.full_name)} & names:
            found.setdefault(name, []).append(user)
    return {name: users[0] for name, users in found.items() if len(users) == 1 and can_report_for(users[0], unit)}


def plan_import(
    *, data: bytes, unit, year: int, by, mapping: dict[str, int], sheet: str = "", header_row: int | None = None
) -> ImportResult:
    """Check every row of the sheet; when no problem remains, create the plan (if missing) and
    its tasks, and update the tasks already in it, in one transaction. Nothing is saved while
    any problem remains."""
    ensure_can_plan(by, unit)
    head = sheet_head(data, sheet=sheet, header_row=header_row)
    plan = Plan.objects.filter(org_unit=unit, year=year).first()
    checker = _Checker(head=head, mapping=mapping, plan=plan, year=year, by=by)
    result = checker.run(_rows(data, head.sheet))
    if result.problems:
        return result
    with transaction.atomic():
        _apply(result, unit=unit, year=year, by=by)
    return result


def _description(person: str, note: str, *, person_is_user: bool) -> str:
    if person and not person_is_user:
        return f"{PERSON_PREFIX}{person}\n{note}".strip()
    return note


def person_and_note(item) -> tuple[str, str]:
    """The person in charge (a user, or the name the imported table gave) and the note."""
    description = item.description or ""
    person = item.assignee.display_name if item.assignee_id else ""
    if description.startswith(PERSON_PREFIX):
        first, _sep, rest = description.partition("\n")
        return person or first[len(PERSON_PREFIX) :].strip(), rest.strip()
    return person, description


def _apply(result: ImportResult, *, unit, year: int, by) -> None:
    plan = result.plan or plan_get_or_create(unit=unit, year=year, by=by)
    result.plan = plan
    names = {fold(r.person) for r in result.rows if r.person}
    users = _users_by_name(unit, names) if names else {}
    documents: dict[tuple, AssigningDocument] = {}
    by_number = {t.number: t for t in Task.objects.filter(plan=plan).exclude(number="")}
    depth = lambda r: r.number.count(".") if SUBTASK_NUMBER.match(r.number) else 0  # noqa: E731 - parents first
    for task_row in sorted(result.rows, key=depth):
        document = None
        if task_row.document:
            key = task_row.document[:2]
            if key not in documents:
                documents[key] = document_get_or_create(
                    number=task_row.document[0], issued_on=task_row.document[1], issuing_body=task_row.document[2]
                )
            document = documents[key]
        assignee = users.get(fold(task_row.person)) if task_row.person else None
        description = _description(task_row.person, task_row.note, person_is_user=assignee is not None)
        if task_row.existing is not None:
            task = task_row.existing
            changed = False
            if task_row.changes:
                work_item_update(item=task.item, by=by, comment=_("Imported from Excel."), **task_row.changes)
                changed = True
            if (task_row.domain and task.domain != task_row.domain) or (document and task.document_id != document.pk):
                task_classify(
                    task=task, by=by, domain=task_row.domain or task.domain, document=document or task.document
                )
                changed = True
            result.updated += changed
            result.unchanged += not changed
            continue
        parent = by_number.get(task_row.number.rsplit(".", 1)[0]) if SUBTASK_NUMBER.match(task_row.number) else None
        task = task_create(
            plan=plan,
            title=task_row.title,
            due_date=task_row.due,
            start_date=task_row.start,
            by=by,
            number=task_row.number,
            domain=task_row.domain,
            document=document,
            parent=parent,
            assignee=assignee,
            description=description,
            deliverable=task_row.deliverable,
        )
        if task_row.number:
            by_number[task_row.number] = task
        result.created += 1
    result.saved = True


# --- writing ---------------------------------------------------------------------------------


def _heads() -> list[str]:
    return [str(f.label) for f in FIELDS]


EXPORT_EXTRA = (
    pgettext_lazy("plan column", "Status"),
    pgettext_lazy("plan column", "Original deadline"),
    pgettext_lazy("plan column", "Extended"),
    pgettext_lazy("plan column", "Completed on"),
    pgettext_lazy("plan column", "Progress (%)"),
    pgettext_lazy("plan column", "Evidence"),
    pgettext_lazy("plan column", "Unit"),
)
WIDTHS = (8, 60, 26, 18, 13, 28, 13, 13, 36, 22, 30)


def _head_row(ws, row: int, heads: list[str]) -> None:
    for col, text in enumerate(heads, start=1):
        cell = _put(ws, row, col, text)
        cell.fill, cell.font, cell.alignment, cell.border = FILL_HEAD, FONT_HEAD, CENTER, BORDER


def template_workbook() -> bytes:
    """A blank plan with the Vietnamese headers the import guesses, two example rows and a sheet
    of instructions."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Plan")[:31]
    _head_row(ws, 1, _heads())
    examples = [
        ["1", _("Issue the unit's digital transformation plan"), domain_label_vi(Domain.IT_DX)],
        ["1.1", _("Draft the plan and collect opinions"), domain_label_vi(Domain.IT_DX)],
    ]
    for row, values in enumerate(examples, start=2):
        for col, value in enumerate(values, start=1):
            _put(ws, row, col, value)
        cell = ws.cell(row, 8, dt.date(today().year, 10 - row, 30))
        cell.number_format = "dd/mm/yyyy"
    column_widths(ws, WIDTHS)
    ws.freeze_panes = "A2"
    help_ws = wb.create_sheet(_("Instructions")[:31])
    help_ws.column_dimensions["A"].width = 28
    help_ws.column_dimensions["B"].width = 100
    _put(help_ws, 1, 1, _("How to fill in the plan")).font = Font(bold=True, size=14, color=BRAND)
    lines = [
        (FIELDS[0].label, _("The task's number in the plan. A sub-task is numbered under its task: 2.1 under 2.")),
        (FIELDS[1].label, _("Required. What is to be done.")),
        (
            FIELDS[2].label,
            _("One of: %(names)s (or its code).") % {"names": ", ".join(domain_label_vi(v) for v in Domain.values)},
        ),
        (FIELDS[3].label, _("The number of the document that gave the task, e.g. 06/NQ-CP.")),
        (FIELDS[4].label, _("The document's date, dd/mm/yyyy; required when a document number is given.")),
        (FIELDS[5].label, _("Who issued the document.")),
        (FIELDS[6].label, _("dd/mm/yyyy, optional.")),
        (FIELDS[7].label, _("Required, dd/mm/yyyy, within the plan's year or the next.")),
        (FIELDS[8].label, _("What shows the task is done.")),
        (FIELDS[9].label, _("A GiamSat user name or full name, or any name.")),
        (FIELDS[10].label, _("Anything else.")),
        ("", ""),
        (
            _("Statuses"),
            _("Never typed: GiamSat computes them from the dates and the evidence."),
        ),
        (
            _("Importing"),
            _(
                "The columns may be in any order and named as in your own table: they are mapped on upload. "
                "Nothing is saved while any problem remains; importing the same file again changes nothing."
            ),
        ),
    ]
    for row, (label, text) in enumerate(lines, start=3):
        _put(help_ws, row, 1, str(label)).font = Font(bold=True)
        _put(help_ws, row, 2, text).alignment = WRAP
    return workbook_bytes(wb)


def tasks_workbook(*, tasks: Iterable[Task], title: str, subtitle: str) -> bytes:
    """Tasks as the import reads them (the same headers first), then status, original deadline,
    extension, completion, progress, evidence count and unit. Dates are Excel dates shown
    dd/mm/yyyy; the header row is the third."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Plan")[:31]
    _put(ws, 1, 1, title).font = Font(bold=True, size=14, color=BRAND)
    _put(ws, 2, 1, subtitle)
    _head_row(ws, 3, _heads() + [str(h) for h in EXPORT_EXTRA])
    statuses = dict(WorkStatus.choices)
    date_columns = (5, 7, 8, 13, 15)
    row = 3
    for task in tasks:
        row += 1
        item = task.item
        person, note = person_and_note(item)
        document = task.document
        extended = item.due_date != item.original_due_date
        values = [
            task.number,
            item.title,
            domain_label_vi(task.domain),
            document.number if document else "",
            document.issued_on if document else None,
            document.issuing_body if document else "",
            item.start_date,
            item.due_date,
            item.deliverable,
            person,
            note,
            str(statuses.get(getattr(task, "status", ""), "")),
            item.original_due_date,
            _("Yes") if extended else "",
            item.completed_on,
            item.progress,
            getattr(task, "evidence_count", 0),
            item.owner_unit.name_vi,
        ]
        for col, value in enumerate(values, start=1):
            cell = _put(ws, row, col, value)
            if col in date_columns:
                cell.number_format = "dd/mm/yyyy"
            elif col in (2, 9, 11):
                cell.alignment = WRAP
    column_widths(ws, (*WIDTHS, 26, 13, 10, 13, 10, 10, 30))
    ws.freeze_panes = "C4"
    ws.auto_filter.ref = f"A3:{get_column_letter(len(_heads()) + len(EXPORT_EXTRA))}{max(row, 4)}"
    return workbook_bytes(wb)
