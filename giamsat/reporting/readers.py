"""Reading values as they come in — DHIS2 JSON, CSV and ADX — into `RawValue`s, before any
lookup or check. One reader per format: the streaming ones (`iter_csv_values`,
`iter_json_values`) serve every path, and `raw_from_csv` / `raw_from_json` are lists of what
they read, so a small request and a large background import read a file the same way."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from giamsat.core.periods import InvalidPeriod
from giamsat.core.periods import Period as PeriodValue
from giamsat.core.text import csv_text_read

CSV_COLUMNS = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
]
MAX_ROWS = 1_000_000


@dataclass
class RawValue:
    """One value as it came in, before any lookup. `row` is its 1-based position."""

    row: int
    data_element: str
    period: str
    org_unit: str
    value: object
    comment: str | None = None
    last_updated: str | None = None  # the stored value's lastUpdated as the sender read it (JSON only)


class PayloadError(ValueError):
    """The payload as a whole cannot be read; the message says why."""


def _text(value) -> str:
    """A code as sent: trimmed, empty for none."""
    return "" if value is None else str(value).strip()


def raw_from_json(payload: dict) -> list[RawValue]:
    """Values of a DHIS2 JSON data value set already decoded (a request body); set-level period
    and orgUnit fill blanks. Each value is read as `iter_json_values` reads it."""
    if not isinstance(payload, dict):
        raise PayloadError(_("The body must be a JSON object with a “dataValues” list."))
    values = payload.get("dataValues", [])
    if not isinstance(values, list):
        raise PayloadError(_("“dataValues” must be a list."))
    if len(values) > MAX_ROWS:
        raise _too_many(MAX_ROWS)
    defaults = {"period": _text(payload.get("period")), "orgUnit": _text(payload.get("orgUnit"))}
    return [_json_value(index, item, defaults) for index, item in enumerate(values, start=1)]


def raw_from_csv(text: str) -> list[RawValue]:
    """Values of a DHIS2 CSV file (header row optional; DHIS2's column order)."""
    return list(iter_csv_values(io.StringIO(text, newline=""), max_rows=MAX_ROWS))


def _too_many(limit: int) -> PayloadError:
    return PayloadError(_("Too many values in one request (at most %(max)s).") % {"max": limit})


def raw_from_adx(data: bytes) -> list[RawValue]:
    """Values of an ADX message: <group orgUnit period dataSet> holding <dataValue dataElement value>.

    Parsed with defusedxml (no entities, no external references); the ADX period
    (2025-10-01/P1M) is turned into our period code, a bad one kept as is so it becomes a conflict.
    """
    from defusedxml import ElementTree
    from defusedxml.common import DefusedXmlException

    try:
        root = ElementTree.fromstring(data)
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise PayloadError(
            _("The body is not a valid ADX (XML) message: %(error)s") % {"error": str(exc)[:120]}
        ) from None
    if root.tag.split("}")[-1] != "adx":
        raise PayloadError(_("The XML root element must be <adx>."))
    result: list[RawValue] = []
    for group in root:
        if group.tag.split("}")[-1] != "group":
            continue
        period_text = group.get("period", "")
        try:
            period = PeriodValue.from_adx(period_text).code
        except InvalidPeriod:
            period = period_text
        for node in group:
            if node.tag.split("}")[-1] != "dataValue":
                continue
            annotation = next((child.text for child in node if child.tag.split("}")[-1] == "annotation"), None)
            result.append(
                RawValue(
                    row=len(result) + 1,
                    data_element=_text(node.get("dataElement")),
                    period=period,
                    org_unit=_text(group.get("orgUnit")),
                    value=node.get("value"),
                    comment=annotation,
                )
            )
            if len(result) > MAX_ROWS:
                raise _too_many(MAX_ROWS)
    return result


# --- streaming readers -------------------------------------------------------------------


def _text_stream(fileobj):
    """Text from a text file, a binary file, or anything with `read` (e.g. Django's request)."""
    if isinstance(fileobj, io.TextIOBase):
        return fileobj
    if isinstance(fileobj, io.IOBase):
        return io.TextIOWrapper(fileobj, encoding="utf-8-sig", newline="")
    return codecs.getreader("utf-8-sig")(fileobj)


def iter_csv_values(fileobj, *, max_rows: int | None = None) -> Iterator[RawValue]:
    """Values of a DHIS2 CSV file, read as a stream (text or binary file; header optional),
    (`raw_from_csv` is the list of what it reads)."""
    reader = csv.reader(_text_stream(fileobj))
    count = 0
    width = len(CSV_COLUMNS)
    for index, row in enumerate(reader, start=1):
        if not row:
            continue
        if index == 1:
            row[0] = row[0].removeprefix("\ufeff")
        data_element = row[0].strip()
        if not data_element and all(not cell.strip() for cell in row):
            continue
        if index == 1 and data_element.lower() in {"dataelement", "data_element", "de"}:
            continue
        if max_rows is not None and count >= max_rows:
            raise _too_many(max_rows)
        count += 1
        if len(row) < width:
            row += [""] * (width - len(row))
        # Text cells a spreadsheet would run as a formula were quoted on export: unquoted here.
        yield RawValue(
            index,
            csv_text_read(data_element),
            csv_text_read(row[1].strip()),
            csv_text_read(row[2].strip()),
            row[5],
            csv_text_read(row[8]) or None,
        )


def iter_json_values(fileobj, *, max_rows: int | None = None) -> Iterator[RawValue]:
    """Values of a DHIS2 JSON data value set, read as a stream, exactly as `raw_from_json` reads
    them: the "dataValues" array is decoded one object at a time. Set-level "period" and
    "orgUnit" fill blanks; when they come after the array, the values from the first one that
    needs them are held back until the end of the object."""
    reader = _JsonReader(_text_stream(fileobj))
    if reader.peek() == "":
        return
    if reader.peek() != "{":
        raise PayloadError(_("The body must be a JSON object with a “dataValues” list."))
    reader.take("{")
    defaults = {"period": "", "orgUnit": ""}
    seen_defaults: set[str] = set()
    held: list[tuple[int, object]] = []
    first = True
    while True:
        if reader.peek() == "}":
            reader.take("}")
            break
        if not first:
            reader.take(",")
        first = False
        key = reader.value()
        if not isinstance(key, str):
            reader.fail("Expecting property name enclosed in double quotes")
        reader.take(":")
        if key != "dataValues":
            value = reader.value()
            if key in defaults:
                defaults[key] = _text(value)
                seen_defaults.add(key)
            continue
        if reader.peek() != "[":
            reader.value()
            raise PayloadError(_("“dataValues” must be a list."))
        reader.take("[")
        index = 0
        while True:
            if reader.peek() == "]":
                reader.take("]")
                break
            if index:
                reader.take(",")
            item = reader.value()
            index += 1
            if max_rows is not None and index > max_rows:
                raise _too_many(max_rows)
            if held or _needs_later_default(item, seen_defaults):
                held.append((index, item))
            else:
                yield _json_value(index, item, defaults)
    if reader.peek() != "":
        reader.fail("Extra data")
    for index, item in held:
        yield _json_value(index, item, defaults)


def _needs_later_default(item, seen_defaults: set[str]) -> bool:
    if not isinstance(item, dict):
        return len(seen_defaults) < 2
    return (not _text(item.get("period")) and "period" not in seen_defaults) or (
        not _text(item.get("orgUnit")) and "orgUnit" not in seen_defaults
    )


def _json_value(index: int, item, defaults: dict[str, str]) -> RawValue:
    if not isinstance(item, dict):
        return RawValue(index, "", defaults["period"], defaults["orgUnit"], None)
    comment, last_updated = item.get("comment"), item.get("lastUpdated")
    return RawValue(
        row=index,
        data_element=_text(item.get("dataElement")),
        period=_text(item.get("period")) or defaults["period"],
        org_unit=_text(item.get("orgUnit")) or defaults["orgUnit"],
        value=item.get("value"),
        comment=comment if isinstance(comment, str) else None,
        last_updated=last_updated if isinstance(last_updated, str) else None,
    )


class _JsonReader:
    """Just enough of an incremental JSON reader to walk one object and decode its members one
    at a time with the standard decoder; errors report the line and column in the whole file."""

    BLOCK = 1 << 20
    LARGEST_VALUE = 64 << 20  # a member this long is an error, not a reason to read on
    WHITESPACE = re.compile(r"[ \t\n\r]*")

    def __init__(self, stream):
        self.stream = stream
        self.buffer = ""
        self.pos = 0
        self.eof = False
        self.decoder = json.JSONDecoder()
        self.consumed_lines = 0  # newlines in the text already dropped from the buffer
        self.consumed_column = 0  # characters after the last dropped newline

    def _more(self) -> bool:
        if self.eof:
            return False
        block = self.stream.read(self.BLOCK)
        if not block:
            self.eof = True
            return False
        dropped = self.buffer[: self.pos]
        newlines = dropped.count("\n")
        if newlines:
            self.consumed_lines += newlines
            self.consumed_column = len(dropped) - dropped.rfind("\n") - 1
        else:
            self.consumed_column += len(dropped)
        self.buffer = self.buffer[self.pos :] + block
        self.pos = 0
        return True

    def peek(self) -> str:
        """The next character that is not white space, '' at the end."""
        while True:
            self.pos = self.WHITESPACE.match(self.buffer, self.pos).end()
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._more():
                return ""

    def take(self, char: str) -> None:
        if self.peek() != char:
            self.fail(f"Expecting '{char}' delimiter" if char in ",:" else f"Expecting '{char}'")
        self.pos += 1

    def value(self):
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buffer) - self.pos < self.LARGEST_VALUE and self._more():
                    continue
                self.fail(exc.msg, exc.pos)
            # A number at the very end of the buffer may continue in the next block.
            if end == len(self.buffer) and not self.eof and self._more():
                continue
            self.pos = end
            return value

    def fail(self, message: str, pos: int | None = None):
        pos = self.pos if pos is None else pos
        error = json.JSONDecodeError(message, self.buffer, pos)
        if error.lineno == 1:
            error.colno += self.consumed_column
        error.lineno += self.consumed_lines
        raise error
