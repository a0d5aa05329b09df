"""Benchmark of the bulk import of data values, as ratios to a naive import and to a raw load.

    .venv/bin/python bench/import_benchmark.py --values 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/giamsat_bench .venv/bin/python bench/import_benchmark.py

On the database DATABASE_URL names (without it: SQLite in $GIAMSAT_VAR_DIR, by default a
directory of its own under the system's temporary directory, never the project's var/), it

1. creates the PostgreSQL database if it is missing, sets the database up if needed (migrate,
   load_reference, load_catalog) and a user whose data-entry scope is the whole country;
2. writes a DHIS2 CSV file and the same values as a DHIS2 JSON file: every current commune ×
   every monthly data element × the months from July 2025, valid values of each element's type;
3. times, each in a fresh process (so the peak memory is that step's alone: the peak resident
   set of the whole process — Python, Django, the driver, SQLite's page cache — read from
   /proc/self/status VmHWM, or resource.getrusage's ru_maxrss off Linux):
   - our bulk import end to end: read the file, `data_values_write_bulk` (checks, writes,
     audit rows), committed; from the CSV file and, after a clean-up, from the JSON file;
     then the CSV file again (nothing changes) and a file with every value changed;
   - a naive import, one row at a time through the ORM (`DataValue.objects.create` and
     `DataValueAudit.objects.create`, lookups cached, no checks but `parse_value`), on a
     sample, extrapolated;
   - the per-value import (`data_value_set_import` through `data_values_write`, its bulk threshold
     raised above the sample, since from 2,000 values it takes the set-based path) on the sample;
   - the database's own raw load of the same file into a bare table (PostgreSQL: COPY;
     SQLite: csv.reader and executemany in one transaction);
4. prints a Markdown table with the ratios, and removes what it imported and its files.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import create_database, machine

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "bench.importer"
BARE_TABLE = "bench_raw_values"
FIRST_MONTH = (2025, 7)  # the current communes exist from 1 July 2025


def setup_django() -> None:
    if "DATABASE_URL" not in os.environ:
        os.environ.setdefault("GIAMSAT_VAR_DIR", str(Path(tempfile.gettempdir()) / "giamsat-bench"))
    elif os.environ["DATABASE_URL"].startswith("postgres"):
        create_database(os.environ["DATABASE_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giamsat.settings")
    os.environ.setdefault("DEBUG", "true")  # the local shape the recorded numbers were measured in
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import translation

    translation.activate("vi")


# --- set-up, files, clean-up (parent process) ---------------------------------------------


def prepare_database() -> None:
    import io

    from django.core.management import call_command

    from giamsat.catalog.models import DataElement
    from giamsat.orgunits.models import OrgUnit

    call_command("migrate", verbosity=0, interactive=False)
    if not OrgUnit.objects.exists():
        call_command("load_reference", "--quiet", stdout=io.StringIO())
    if not DataElement.objects.exists():
        call_command("load_catalog", stdout=io.StringIO())
    bench_user()


def bench_user():
    from giamsat.accounts.choices import Role
    from giamsat.accounts.models import User
    from giamsat.accounts.services import user_create
    from giamsat.orgunits.models import OrgUnit

    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        user = user_create(
            username=USERNAME,
            password=os.urandom(16).hex(),
            role=Role.MINISTRY_LEADER,
            full_name="Benchmark importer",
            capture_units=[OrgUnit.objects.get(code="VN")],
        )
    return user


def months(count: int) -> list[str]:
    year, month = FIRST_MONTH
    result = []
    for _ in range(count):
        result.append(f"{year}{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return result


def a_value(rnd: random.Random, value_type: str, min_value, max_value) -> str:
    """A valid value of the element's type, as people send them."""
    low = int(min_value) if min_value is not None else 0
    if value_type == "BOOLEAN":
        return str(rnd.randint(0, 1))
    if value_type == "PERCENTAGE":
        high = int(max_value) if max_value is not None else 100
        return str(rnd.randint(low * 10, high * 10) / 10)
    if value_type == "INTEGER":
        high = int(max_value) if max_value is not None else 5000
        return str(rnd.randint(low, high))
    return f"{rnd.randint(low * 100, 10**8) / 100:.2f}"


def write_files(directory: Path, count: int) -> dict[str, Path]:
    """The CSV and JSON files of `count` values, and a CSV file with every value changed."""
    from giamsat.catalog.models import DataElement
    from giamsat.orgunits.models import OrgUnit

    communes = list(
        OrgUnit.objects.filter(type="COMMUNE", valid_to__isnull=True).order_by("path").values_list("code", flat=True)
    )
    elements = list(
        DataElement.objects.filter(period_type="MONTHLY")
        .order_by("code")
        .values_list("code", "value_type", "min_value", "max_value")
    )
    per_month = len(communes) * len(elements)
    paths = {
        name: directory / f"values_{count}{suffix}"
        for name, suffix in [("csv", ".csv"), ("json", ".json"), ("changed", "_changed.csv")]
    }
    if all(p.exists() for p in paths.values()):
        return paths
    rnd = random.Random(2025)
    header = ["dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value"]
    with (
        open(paths["csv"], "w", newline="", encoding="utf-8") as plain,
        open(paths["changed"], "w", newline="", encoding="utf-8") as changed,
        open(paths["json"], "w", encoding="utf-8") as as_json,
    ):
        plain_writer, changed_writer = csv.writer(plain), csv.writer(changed)
        plain_writer.writerow(header)
        changed_writer.writerow(header)
        as_json.write('{"dataValues": [\n')
        written = 0
        for period in months(-(-count // per_month)):
            for unit in communes:
                for code, value_type, min_value, max_value in elements:
                    if written == count:
                        break
                    value = a_value(rnd, value_type, min_value, max_value)
                    other = a_value(rnd, value_type, min_value, max_value)
                    other = other if other != value else a_value(rnd, value_type, min_value, max_value)
                    plain_writer.writerow([code, period, unit, "", "", value])
                    changed_writer.writerow([code, period, unit, "", "", other])
                    item = {"dataElement": code, "period": period, "orgUnit": unit, "value": value}
                    as_json.write((",\n" if written else "") + json.dumps(item))
                    written += 1
        as_json.write("\n]}\n")
    return paths


def clean_up() -> None:
    """Remove what the benchmark imported (values and audit rows of its user) and its bare table."""
    from django.db import connection

    from giamsat.reporting.models import DataValue, DataValueAudit

    user = bench_user()
    with connection.cursor() as cursor:
        for model, column in ((DataValueAudit, "changed_by"), (DataValue, "updated_by")):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(
                f"DELETE FROM {table} WHERE {connection.ops.quote_name(model._meta.get_field(column).column)} = %s",
                [user.pk],
            )
        cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
        if connection.vendor == "postgresql":
            for model in (DataValue, DataValueAudit):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
        else:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# --- the timed steps (each in a child process) ---------------------------------------------


def step_bulk(path: str, kind: str) -> dict:
    from giamsat.reporting.bulk import data_values_write_bulk
    from giamsat.reporting.choices import Channel
    from giamsat.reporting.readers import iter_csv_values, iter_json_values

    user = bench_user()
    reader = iter_csv_values if kind == "csv" else iter_json_values
    started = time.perf_counter()
    with open(path, "rb") as stream:
        summary = data_values_write_bulk(rows=reader(stream), by=user, channel=Channel.IMPORT)
    seconds = time.perf_counter() - started
    rows = summary.imported + summary.updated + summary.deleted + summary.ignored
    return {
        "rows": rows,
        "seconds": seconds,
        "counts": {
            "imported": summary.imported,
            "updated": summary.updated,
            "deleted": summary.deleted,
            "ignored": summary.ignored,
            "conflicts": len(summary.conflicts),
        },
    }


def sample_rows(path: str, sample: int):
    from itertools import islice

    from giamsat.reporting.readers import iter_csv_values

    with open(path, "rb") as stream:
        return list(islice(iter_csv_values(stream), sample))


def step_naive(path: str, sample: int) -> dict:
    """One row at a time through the ORM: a create and an audit row per value."""
    from django.db import transaction
    from django.utils import timezone

    from giamsat.catalog.models import DataElement
    from giamsat.orgunits.models import OrgUnit
    from giamsat.reporting.choices import AuditAction, Channel
    from giamsat.reporting.models import DataValue, DataValueAudit
    from giamsat.reporting.services import period_get
    from giamsat.reporting.values import parse_value

    user = bench_user()
    rows = sample_rows(path, sample)
    elements = {e.code: e for e in DataElement.objects.all()}
    units = {u.code: u for u in OrgUnit.objects.filter(code__in={r.org_unit for r in rows})}
    periods = {code: period_get(code) for code in {r.period for r in rows}}
    started = time.perf_counter()
    with transaction.atomic():
        for raw in rows:
            element, unit, period = elements[raw.data_element], units[raw.org_unit], periods[raw.period]
            value = parse_value(
                raw.value, value_type=element.value_type, min_value=element.min_value, max_value=element.max_value
            )
            now = timezone.now()
            DataValue.objects.create(
                data_element=element,
                org_unit=unit,
                period=period,
                value=value,
                comment="",
                updated_by=user,
                updated_at=now,
                channel=Channel.IMPORT,
            )
            DataValueAudit.objects.create(
                data_element=element,
                org_unit=unit,
                period=period,
                action=AuditAction.CREATE,
                new_value=value,
                changed_by=user,
                changed_at=now,
                channel=Channel.IMPORT,
            )
    return {"rows": len(rows), "seconds": time.perf_counter() - started}


def step_service(path: str, sample: int) -> dict:
    """The per-value import: `data_value_set_import` through `data_values_write` (larger imports
    take the set-based path: the threshold is raised above the sample)."""
    from giamsat.reporting import exchange
    from giamsat.reporting.choices import Channel
    from giamsat.reporting.exchange import data_value_set_import

    exchange.BULK_THRESHOLD = sample + 1

    user = bench_user()
    rows = sample_rows(path, sample)
    started = time.perf_counter()
    summary = data_value_set_import(raws=rows, by=user, channel=Channel.IMPORT)
    assert summary.imported == len(rows), summary.conflicts[:3]
    return {"rows": len(rows), "seconds": time.perf_counter() - started}


def step_raw(path: str) -> dict:
    """The database's own bulk load of the file into a table without indexes or constraints."""
    from django.db import connection, transaction

    columns = ", ".join(f"{c} text" for c in ("dataelement", "period", "orgunit", "coc", "aoc", "value"))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {BARE_TABLE}")
        cursor.execute(f"CREATE TABLE {BARE_TABLE} ({columns})")
        if connection.vendor == "postgresql":
            with (
                open(path, "rb") as stream,
                cursor.cursor.copy(f"COPY {BARE_TABLE} FROM STDIN (FORMAT csv, HEADER true)") as copy,
            ):
                while block := stream.read(1 << 20):
                    copy.write(block)
        else:
            with open(path, newline="", encoding="utf-8") as stream:
                reader = csv.reader(stream)
                next(reader)
                insert = f"INSERT INTO {BARE_TABLE} VALUES (?, ?, ?, ?, ?, ?)"
                connection.connection.cursor().executemany(insert, reader)
        cursor.execute(f"SELECT COUNT(*) FROM {BARE_TABLE}")
        rows = cursor.fetchone()[0]
    return {"rows": rows, "seconds": time.perf_counter() - started}


STEPS = {"bulk": step_bulk, "naive": step_naive, "service": step_service, "raw": step_raw}


def run_child(step: str, *args) -> dict:
    """Run one step in a fresh interpreter; its result and its peak memory."""
    command = [sys.executable, __file__, "--step", step, *map(str, args)]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, env=os.environ.copy()).stdout
    return json.loads(output.strip().splitlines()[-1])


def peak_memory_mib() -> float:
    """The peak resident set of this process: VmHWM where Linux gives it (ru_maxrss would include
    the parent's size at fork, which Linux carries over), ru_maxrss elsewhere."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_main(step: str, args: list[str]) -> None:
    setup_django()
    from django.conf import settings

    settings.DEBUG = False  # no query log: it would slow the one-row-at-a-time steps down
    baseline = peak_memory_mib()
    converted = [int(a) if a.isdigit() else a for a in args]
    result = STEPS[step](*converted)
    result["peak_mib"] = peak_memory_mib()
    result["baseline_mib"] = baseline
    print(json.dumps(result))


# --- report ----------------------------------------------------------------------------------


def rate(result: dict) -> float:
    return result["rows"] / result["seconds"]


def report(results: list[tuple[str, dict, str]], count: int) -> str:
    ours = results[0][1]
    lines = [
        "| step | values | time (s) | values/s | time per value ÷ ours | peak memory (MiB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, result, note in results:
        seconds = f"{result['seconds']:.1f}"
        if note == "extrapolated":
            seconds += f" (≈ {result['seconds'] * count / result['rows']:,.0f} for {count:,})"
        ratio = rate(ours) / rate(result)
        ratio_text = f"{ratio:.1f}" if ratio >= 0.995 else f"{ratio:.3f}"
        lines.append(
            f"| {label} | {result['rows']:,} | {seconds} | {rate(result):,.0f} | {ratio_text} "
            f"| {result['peak_mib']:.0f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--values", type=int, default=1_000_000, help="values in the generated file")
    parser.add_argument("--sample", type=int, default=20_000, help="rows for the one-row-at-a-time imports")
    parser.add_argument("--dir", type=Path, default=None, help="where to write the files (default: a temporary one)")
    parser.add_argument("--keep-files", action="store_true", help="keep the generated files for the next run")
    parser.add_argument("--quick", action="store_true", help="only the fresh CSV import, the sample and the raw load")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    options, rest = parser.parse_known_args()
    if options.step:
        child_main(options.step, rest)
        return

    setup_django()
    from django.db import connection

    directory = options.dir or Path(tempfile.gettempdir()) / "giamsat-bench-files"
    directory.mkdir(parents=True, exist_ok=True)
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}", flush=True)
    prepare_database()
    started = time.perf_counter()
    files = write_files(directory, options.values)
    print(f"Files ready in {time.perf_counter() - started:.1f} s: {', '.join(str(p) for p in files.values())}")
    sample = min(options.sample, options.values)
    results: list[tuple[str, dict, str]] = []

    def timed(label: str, note: str, step: str, *args) -> dict:
        print(f"… {label}", flush=True)
        result = run_child(step, *args)
        print(f"  {result['rows']:,} values in {result['seconds']:.1f} s: {rate(result):,.0f} values/s", flush=True)
        results.append((label, result, note))
        return result

    try:
        clean_up()
        ours = timed("**bulk import, CSV file** (`data_values_write_bulk`)", "", "bulk", files["csv"], "csv")
        if ours.get("counts", {}).get("conflicts"):
            print(f"  unexpected conflicts: {ours['counts']}")
        if not options.quick:
            timed("bulk import, same CSV file again (every value unchanged)", "", "bulk", files["csv"], "csv")
            timed("bulk import, CSV file with every value changed (updates)", "", "bulk", files["changed"], "csv")
            clean_up()
            timed("bulk import, JSON file", "", "bulk", files["json"], "json")
        clean_up()
        timed(
            f"naive ORM import, one row at a time (sample of {sample:,}, extrapolated)",
            "extrapolated",
            "naive",
            files["csv"],
            sample,
        )
        clean_up()
        timed(
            f"per-value import, `data_value_set_import` (sample of {sample:,}, extrapolated)",
            "extrapolated",
            "service",
            files["csv"],
            sample,
        )
        clean_up()
        if connection.vendor == "postgresql":
            timed("raw load, COPY into a bare table", "", "raw", files["csv"])
        else:
            timed("raw load, executemany into a bare table, one transaction", "", "raw", files["csv"])
    finally:
        clean_up()
        if not options.keep_files:
            for path in files.values():
                path.unlink(missing_ok=True)

    info = machine()
    print()
    prefix = f"DATABASE_URL={os.environ['DATABASE_URL']} " if "DATABASE_URL" in os.environ else ""
    print(f"Command: {prefix}.venv/bin/python {' '.join(sys.argv)}")
    print()
    print(f"### {connection.vendor}, {options.values:,} values")
    print()
    print(f"Machine: {info['cpu']}, {info['memory']} memory; Python {info['python']}; {info['database']}.")
    print()
    print(report(results, options.values))
    print()
    naive = next(r for label, r, _note in results if label.startswith("naive"))
    service = next(r for label, r, _note in results if label.startswith("per-value"))
    raw = results[-1][1]
    print(
        f"Ours is {rate(ours) / rate(naive):.1f}× the naive import's throughput and "
        f"{rate(ours) / rate(service):.1f}× the per-value import's; the raw load is {rate(raw) / rate(ours):.1f}× ours."
    )
    print()
    print(
        "Peak memory: the peak resident set (VmHWM) of the process that ran the step — Python, Django, "
        "the driver and, on SQLite, its page cache; each step runs in a fresh process. Our throughput is "
        "end to end: reading the file, checks, writes and audit rows, committed. The sampled steps are "
        "timed from rows already read; the raw load includes reading the file."
    )


if __name__ == "__main__":
    main()
