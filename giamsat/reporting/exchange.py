"""DHIS2 data value sets: reading JSON and CSV into value inputs, and writing them back.

The shapes follow DHIS2's `dataValueSets` so files and clients interoperate: JSON objects with
`dataElement`, `period`, `orgUnit`, `value`, `comment`, `followup` (set-level `dataSet`,
`period`, `orgUnit` fill gaps), and DHIS2's CSV columns. Identifiers are codes (idScheme=CODE).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from giamsat.catalog.models import DataElement
from giamsat.core.periods import InvalidPeriod
from giamsat.core.periods import Period as PeriodValue
from giamsat.core.text import csv_text
from giamsat.orgunits.models import OrgUnit

from . import checks
from .readers import CSV_COLUMNS, PayloadError, RawValue, _text
from .services import ValueInput, periods_get

# From this many values an import takes the set-based path of bulk.py.
BULK_THRESHOLD = 2_000


@dataclass
class Conflict:
    """A value that could not be used: DHIS2's conflict (object, value) with our row and reason."""

    row: int | None
    object: str
    value: str
    reason: str

    def as_dhis2(self) -> dict:
        return {"object": self.object, "value": self.reason, "objects": {"row": self.row, "value": self.value}}


@dataclass
class ResolvedValues:
    inputs: list[ValueInput] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


def resolve(raws: list[RawValue], *, conditional: bool = False) -> ResolvedValues:
    """Look up codes in bulk; unknown codes and unreadable periods become conflicts."""
    result = ResolvedValues()
    # No code holds a NUL character, and PostgreSQL refuses one in a query: such codes are unknown.
    elements = DataElement.objects.in_bulk(
        {r.data_element for r in raws if "\x00" not in r.data_element}, field_name="code"
    )
    units = OrgUnit.objects.in_bulk({r.org_unit for r in raws if "\x00" not in r.org_unit}, field_name="code")
    parsed_periods: dict[str, PeriodValue | None] = {}
    for code in {r.period for r in raws}:
        try:
            parsed_periods[code] = PeriodValue.parse(code)
        except InvalidPeriod:
            parsed_periods[code] = None
    periods = periods_get(p for p in parsed_periods.values() if p is not None)
    for raw in raws:
        element = elements.get(raw.data_element)
        unit = units.get(raw.org_unit)
        period_value = parsed_periods.get(raw.period)
        if element is None:
            result.conflicts.append(Conflict(raw.row, raw.data_element, _text(raw.value), checks.unknown_element()))
        elif unit is None:
            result.conflicts.append(Conflict(raw.row, raw.org_unit, _text(raw.value), checks.unknown_unit()))
        elif period_value is None:
            result.conflicts.append(Conflict(raw.row, raw.period, _text(raw.value), checks.unknown_period()))
        else:
            result.inputs.append(
                ValueInput(
                    data_element=element,
                    org_unit=unit,
                    period=periods[period_value.code],
                    value=raw.value,
                    comment=raw.comment,
                    row=raw.row,
                    # "" (no value when read) when a conditional write names no lastUpdated
                    expected_version=(raw.last_updated or "") if conditional else None,
                )
            )
    return result


def _plain(value: Decimal | None) -> str:
    if value is None:
        return ""
    normalized = value.normalize()
    return format(normalized, "f")


def values_as_dhis2(rows: Iterable) -> Iterator[dict]:
    """DataValue rows (with element, unit and period selected) as DHIS2 JSON objects."""
    for v in rows:
        yield {
            "dataElement": v.data_element.code,
            "period": v.period.code,
            "orgUnit": v.org_unit.code,
            "value": _plain(v.value),
            "comment": v.comment,
            "followup": v.follow_up,
            "lastUpdated": v.updated_at.isoformat(),
            "storedBy": v.updated_by.username if v.updated_by_id else "",
        }


def values_as_csv(rows: Iterable) -> str:
    """DataValue rows as DHIS2 CSV. Text cells that a spreadsheet would run as a formula are
    quoted as in the page export (`raw_from_csv` takes the quote off again); the value column
    holds plain numbers and is written as it is."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in values_as_dhis2(rows):
        writer.writerow(
            [
                csv_text(item["dataElement"]),
                csv_text(item["period"]),
                csv_text(item["orgUnit"]),
                "",
                "",
                item["value"],
                csv_text(item["storedBy"]),
                item["lastUpdated"],
                csv_text(item["comment"] or ""),
                str(item["followup"]).lower(),
            ]
        )
    return out.getvalue()


# --- import -----------------------------------------------------------------------------

STRATEGIES = {
    "CREATE_AND_UPDATE": "CREATE_AND_UPDATE",
    "NEW_AND_UPDATES": "CREATE_AND_UPDATE",
    "UPDATE": "UPDATE",
    "UPDATES": "UPDATE",
    "CREATE": "CREATE",
    "NEW": "CREATE",
    "DELETE": "DELETE",
    "DELETES": "DELETE",
}


@dataclass
class ImportSummary:
    imported: int = 0
    updated: int = 0
    deleted: int = 0
    ignored: int = 0
    unchanged: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    dry_run: bool = False
    strategy: str = "CREATE_AND_UPDATE"

    @property
    def status(self) -> str:
        if not self.conflicts:
            return "SUCCESS"
        return "WARNING" if (self.imported or self.updated or self.deleted) else "ERROR"

    def as_dhis2(self) -> dict:
        """DHIS2's web message wrapping an ImportSummary (the 2.38+ shape)."""
        status = self.status
        return {
            "httpStatus": "OK" if status != "ERROR" else "Conflict",
            "httpStatusCode": 200 if status != "ERROR" else 409,
            "status": {"SUCCESS": "OK", "WARNING": "WARNING", "ERROR": "ERROR"}[status],
            "message": _("Import finished.") if status == "SUCCESS" else _("Import finished with conflicts."),
            "response": {
                "responseType": "ImportSummary",
                "status": status,
                "importOptions": {
                    "dryRun": self.dry_run,
                    "importStrategy": self.strategy,
                    "idSchemes": {"idScheme": "CODE"},
                },
                "description": _("Dry run: nothing was saved.") if self.dry_run else "",
                "importCount": {
                    "imported": self.imported,
                    "updated": self.updated,
                    "ignored": self.ignored,
                    "deleted": self.deleted,
                },
                "conflicts": [c.as_dhis2() for c in self.conflicts],
                "rejectedIndexes": sorted({c.row - 1 for c in self.conflicts if c.row}),
            },
        }


def takes_set_based_path(*, strategy: str | None, count: int | None, conditional: bool = False) -> bool:
    """The one place that chooses how values are written: set-based (bulk.py: staging table, one
    merge) or per value (services.data_values_write). Both give the same outcome; set-based is
    faster from BULK_THRESHOLD values and serves create-and-update writes only. A conditional
    write (no silent overwrite) compares each value with the stored one: per value. `count`
    None is a stream of unknown length (a background import), which is large."""
    if conditional or STRATEGIES.get((strategy or "CREATE_AND_UPDATE").upper()) != "CREATE_AND_UPDATE":
        return False
    return count is None or count >= BULK_THRESHOLD


def data_value_set_import(
    *,
    raws: list[RawValue],
    by,
    channel: str,
    strategy: str = "CREATE_AND_UPDATE",
    dry_run: bool = False,
    atomic: bool = False,
    conditional: bool = False,
) -> ImportSummary:
    """Import a data value set through the one value service.

    As in DHIS2, valid values are saved and the others reported as conflicts; with `atomic`
    nothing is saved while any conflict remains. `dry_run` checks everything and saves nothing
    (not even the periods it had to create). `conditional` refuses a value whose stored one
    changed since the `lastUpdated` the sender gives (no silent overwrite); it goes per value.
    """
    from django.db import transaction

    strategy = STRATEGIES.get((strategy or "CREATE_AND_UPDATE").upper())
    if strategy is None:
        raise PayloadError(_("importStrategy must be CREATE_AND_UPDATE, UPDATE, CREATE or DELETE."))
    if takes_set_based_path(strategy=strategy, count=len(raws), conditional=conditional):
        # Large imports go set-based (staging table, one merge); same checks, reasons and audit.
        from .bulk import data_values_write_bulk

        return data_values_write_bulk(rows=raws, by=by, channel=channel, valid_only=not atomic, dry_run=dry_run)
    summary = ImportSummary(dry_run=dry_run, strategy=strategy)
    with transaction.atomic():
        _import(raws, summary, by=by, channel=channel, atomic=atomic, conditional=conditional)
        if dry_run:
            transaction.set_rollback(True)
    summary.ignored += len(summary.conflicts)
    summary.conflicts.sort(key=lambda c: c.row or 0)
    return summary


def _import(
    raws: list[RawValue], summary: ImportSummary, *, by, channel: str, atomic: bool, conditional: bool = False
) -> None:
    from django.db import transaction

    from .models import DataValue
    from .services import data_values_write

    resolved = resolve(raws, conditional=conditional)
    summary.conflicts.extend(resolved.conflicts)
    inputs = resolved.inputs
    if summary.strategy in {"UPDATE", "CREATE"}:
        existing = set(
            DataValue.objects.filter(
                org_unit_id__in={i.org_unit.pk for i in inputs}, period_id__in={i.period.pk for i in inputs}
            ).values_list("data_element_id", "org_unit_id", "period_id")
        )
        keep_existing = summary.strategy == "UPDATE"
        kept = [i for i in inputs if ((i.data_element.pk, i.org_unit.pk, i.period.pk) in existing) == keep_existing]
        summary.ignored += len(inputs) - len(kept)
        inputs = kept
    if summary.strategy == "DELETE":
        for item in inputs:
            item.value, item.comment = None, ""
    result = data_values_write(inputs=inputs, by=by, channel=channel, valid_only=not atomic)
    summary.conflicts.extend(
        Conflict(p.row, f"{p.data_element}/{p.org_unit}/{p.period}", p.value, p.reason) for p in result.problems
    )
    if atomic and summary.conflicts:
        transaction.set_rollback(True)  # nothing saved while any conflict remains
        return
    summary.imported, summary.updated, summary.deleted = result.created, result.updated, result.deleted
    summary.unchanged = result.unchanged
    summary.ignored += result.unchanged


# --- ADX ---------------------------------------------------------------------------------

ADX_NS = "urn:ihe:qrph:adx:2015"


def values_as_adx(rows: Iterable, *, data_set: str | None = None) -> str:
    """DataValue rows as an ADX message, one group per unit and period."""
    from xml.sax.saxutils import quoteattr

    groups: dict[tuple[str, str], list] = {}
    for v in rows:
        groups.setdefault((v.org_unit.code, v.period.code), []).append(v)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<adx xmlns="{ADX_NS}">']
    for (unit, period), values in groups.items():
        data_set_attr = f" dataSet={quoteattr(data_set)}" if data_set else ""
        lines.append(
            f"  <group orgUnit={quoteattr(unit)} period={quoteattr(PeriodValue.parse(period).adx)}{data_set_attr}>"
        )
        for v in values:
            attrs = f"dataElement={quoteattr(v.data_element.code)} value={quoteattr(_plain(v.value))}"
            if v.comment:
                lines.append(f"    <dataValue {attrs}><annotation>{_escape(v.comment)}</annotation></dataValue>")
            else:
                lines.append(f"    <dataValue {attrs}/>")
        lines.append("  </group>")
    lines.append("</adx>")
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text)
