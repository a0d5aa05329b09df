"""Benchmark of the evaluation: full recompute, value-to-score latency with the worker, pages.

    .venv/bin/python bench/evaluation_benchmark.py --database postgresql --scale 0.1
    .venv/bin/python bench/evaluation_benchmark.py --database sqlite --scale 0.1
    .venv/bin/python bench/evaluation_benchmark.py --demo --only latency

Each run uses a database of its own, never the project's var/ (unless DATABASE_URL is set):

- PostgreSQL: postgres://postgres@127.0.0.1:5432/giamsat_bench_eval (at a scale below 1:
  giamsat_bench_eval_s<percent>), created when missing; Huey on Redis db 5;
- SQLite: /tmp/bench_eval.sqlite3 (or /tmp/bench_eval_s<percent>.sqlite3); Huey's own SQLite
  queue in GIAMSAT_VAR_DIR=/tmp/bench_eval_var;
- `--demo`: a copy of the demo database var/giamsat.sqlite3 (what `make run` loads) made with
  SQLite's backup API into /tmp/bench_demo/, so the project's file is only read.

Steps:

1. generate (unless --skip-generate): migrate, load_reference --quiet, load_catalog; 60 monthly
   data elements (the catalogue's 29 monthly ones, plus the first 31 quarterly ones used by an
   indicator, switched to MONTHLY in this database only); 60 months ending last month; a value
   for every element, month and commune: the current communes (valid_to null) from July 2025,
   and before that the former communes in force then (valid_to 2025-06-30), so the current
   units' history comes through lineage. `--scale` keeps the first provinces by path (and
   their former provinces' communes). Values are drawn with numpy (seed 2026) within each
   element's range and loaded straight into reporting_datavalue (PostgreSQL: COPY with
   foreign-key triggers off for the session, `session_replication_role = replica`, the rows
   being consistent by construction; SQLite: executemany), bypassing the value service:
   updated_by null, channel API, comment ''. Periods come from `periods_get`.
2. recompute: `evaluation_recompute()` (all years) in a fresh process from empty result tables;
   time, rows written and the process's peak resident set (VmHWM). `--profile FILE` writes a
   cProfile of it and prints the functions with the most cumulative time.
3. latency: starts `manage.py run_huey --workers 1` (the project's consumer settings) with the
   same database, then, `--iterations` times, writes one changed value of a monthly element used
   by an indicator through `data_values_write` (channel API, a superuser) and polls the unit's
   IndicatorValue for that indicator and month until it shows the new value (figures, values,
   scores, statuses and the index with ranks of a year are written in one transaction).
4. pages: the scorecard `/evaluation/units/<code>/` (a province, a commune) and the rankings
   `/evaluation/rankings/` (provinces, communes) through django.test.Client as a superuser:
   median and p95 of `--requests` requests after two warm-up requests, and the query count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
USERNAME = "bench.evaluator"
N_ELEMENTS = 60
N_MONTHS = 60
REFORM = dt.date(2025, 7, 1)  # the current communes exist from this day
SEED = 2026
PG_BASE = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/5"
SQLITE_VAR = "/tmp/bench_eval_var"
DEMO_DIR = Path("/tmp/bench_demo")


def suffix(scale: float) -> str:
    return "" if scale >= 1 else f"_s{round(scale * 100)}"


def configure(options) -> None:
    """Point the settings at the benchmark's database (before Django starts)."""
    if options.demo:
        DEMO_DIR.mkdir(parents=True, exist_ok=True)
        target = DEMO_DIR / "demo.sqlite3"
        if not target.exists() or not options.skip_generate:
            source = sqlite3.connect(f"file:{ROOT / 'var' / 'giamsat.sqlite3'}?mode=ro", uri=True)
            copy = sqlite3.connect(target)
            source.backup(copy)
            copy.close()
            source.close()
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{target}")
        os.environ.setdefault("GIAMSAT_VAR_DIR", str(DEMO_DIR))
    elif options.database == "postgresql":
        name = f"giamsat_bench_eval{suffix(options.scale)}"
        os.environ.setdefault("DATABASE_URL", f"{PG_BASE}/{name}")
        os.environ.setdefault("REDIS_URL", REDIS)
    else:
        os.environ.setdefault("DATABASE_URL", f"sqlite:////tmp/bench_eval{suffix(options.scale)}.sqlite3")
    os.environ.setdefault("GIAMSAT_VAR_DIR", SQLITE_VAR)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giamsat.settings")
    os.environ.setdefault("DEBUG", "true")  # the local shape the recorded numbers were measured in
    os.environ["EVENTS_DISPATCH"] = "task"
    if os.environ["DATABASE_URL"].startswith("postgres"):
        from _common import create_database

        create_database(os.environ["DATABASE_URL"])


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.utils import translation

    translation.activate("vi")


def peak_memory_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
            full_name="Benchmark evaluator",
            capture_units=[OrgUnit.objects.get(code="VN")],
        )
        user.is_superuser = user.is_staff = True
        user.save(update_fields=["is_superuser", "is_staff"])
    return user


# --- 1. the data set -----------------------------------------------------------------------


def month_list(count: int) -> list[tuple[int, int]]:
    """`count` months ending last month."""
    today = dt.date.today()
    year, month = (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)
    result = []
    for _ in range(count):
        result.append((year, month))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return result[::-1]


def chosen_elements() -> tuple[list, list[str]]:
    """60 monthly elements: every monthly one, then quarterly ones used by indicators (switched)."""
    from giamsat.catalog.engine.expressions import compile_expression
    from giamsat.catalog.models import DataElement, Indicator

    used: set[str] = set()
    for expression in Indicator.objects.values_list("expression", flat=True):
        used |= set(compile_expression(expression).references)
    monthly = list(DataElement.objects.filter(period_type="MONTHLY").order_by("code"))
    quarterly = [e for e in DataElement.objects.filter(period_type="QUARTERLY").order_by("code") if e.code in used]
    switched = quarterly[: max(0, N_ELEMENTS - len(monthly))]
    # By code: a database generated before has the switched elements MONTHLY already, and the
    # values drawn per element must come out the same as in a fresh one.
    return sorted(monthly + switched, key=lambda e: e.code)[:N_ELEMENTS], [e.code for e in switched]


def chosen_units(scale: float) -> tuple[list[int], list[int], list[str]]:
    """Current communes and former communes (in force until 2025-06-30) of the chosen provinces."""
    from giamsat.orgunits.models import OrgUnit, OrgUnitLineage

    provinces = list(OrgUnit.objects.filter(type="PROVINCE", valid_to__isnull=True).order_by("path"))
    if scale < 1:
        provinces = provinces[: max(1, round(len(provinces) * scale))]
    former = set(
        OrgUnitLineage.objects.filter(successor__in=provinces, predecessor__type="PROVINCE").values_list(
            "predecessor__path", flat=True
        )
    )
    current = [
        pk
        for pk, path in OrgUnit.objects.filter(type="COMMUNE", valid_to__isnull=True)
        .order_by("path")
        .values_list("pk", "path")
        if any(path.startswith(p.path) for p in provinces)
    ]
    old = [
        pk
        for pk, path in OrgUnit.objects.filter(type="COMMUNE", valid_to=REFORM - dt.timedelta(days=1))
        .order_by("path")
        .values_list("pk", "path")
        if any(path.startswith(p) for p in former)
    ]
    return current, old, [p.code for p in provinces]


def draw(rng, element, n: int):
    """n values of the element's type within its range, as text."""
    import numpy as np

    low = float(element.min_value) if element.min_value is not None else 0.0
    if element.value_type == "BOOLEAN":
        return rng.integers(0, 2, n).astype(str)
    if element.value_type == "PERCENTAGE":
        high = float(element.max_value) if element.max_value is not None else 100.0
        return np.char.mod("%.1f", rng.uniform(low, high, n))
    if element.value_type in ("INTEGER", "INTEGER_POSITIVE", "INTEGER_ZERO_OR_POSITIVE"):
        high = float(element.max_value) if element.max_value is not None else 5000.0
        return rng.integers(int(low), int(high) + 1, n).astype(str)
    high = float(element.max_value) if element.max_value is not None else 1e6
    return np.char.mod("%.2f", rng.uniform(low, high, n))


def generate(scale: float) -> dict:
    import io

    import numpy as np
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from giamsat.catalog.models import DataElement
    from giamsat.core.periods import Period as PeriodValue
    from giamsat.evaluation.models import ElementFigure, IndexValue, IndicatorValue
    from giamsat.orgunits.models import OrgUnit
    from giamsat.reporting.models import DataValue, DataValueAudit
    from giamsat.reporting.services import periods_get

    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if not OrgUnit.objects.exists():
        call_command("load_reference", "--quiet", stdout=io.StringIO())
    if not DataElement.objects.exists():
        call_command("load_catalog", stdout=io.StringIO())
    bench_user()
    setup_seconds = time.perf_counter() - started

    elements, switched = chosen_elements()
    DataElement.objects.filter(code__in=switched).update(period_type="MONTHLY")
    current, former, provinces = chosen_units(scale)
    months = month_list(N_MONTHS)
    periods = periods_get([PeriodValue.month(y, m) for y, m in months])
    now = timezone.now().isoformat()
    rng = np.random.default_rng(SEED)
    rows_total = 0
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for model in (IndexValue, IndicatorValue, ElementFigure, DataValueAudit, DataValue):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}")
    columns = "data_element_id, org_unit_id, period_id, value, comment, follow_up, updated_by_id, updated_at, channel"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        for year, month in months:
            period = periods[PeriodValue.month(year, month).code].pk
            units = current if dt.date(year, month, 1) >= REFORM else former
            unit_text = [str(u) for u in units]
            values = [draw(rng, e, len(units)) for e in elements]
            if connection.vendor == "postgresql":
                with cursor.copy(f"COPY reporting_datavalue ({columns}) FROM STDIN") as copy:
                    tail = f"\t\tf\t\\N\t{now}\tAPI\n"
                    for i, unit in enumerate(unit_text):
                        head = f"\t{unit}\t{period}\t"
                        copy.write("".join(f"{e.pk}{head}{v[i]}{tail}" for e, v in zip(elements, values, strict=True)))
            else:
                statement = f"INSERT INTO reporting_datavalue ({columns}) VALUES (?, ?, ?, ?, '', 0, NULL, ?, 'API')"
                raw = connection.connection.cursor()
                raw.executemany(
                    statement,
                    (
                        (e.pk, units[i], period, v[i], now)
                        for i in range(len(units))
                        for e, v in zip(elements, values, strict=True)
                    ),
                )
            rows_total += len(units) * len(elements)
    load_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE reporting_datavalue")
            cursor.execute("VACUUM ANALYZE reporting_period")
        else:
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {
        "values": rows_total,
        "elements": len(elements),
        "switched_to_monthly": switched,
        "months": f"{months[0][0]}-{months[0][1]:02d} to {months[-1][0]}-{months[-1][1]:02d}",
        "current_communes": len(current),
        "former_communes": len(former),
        "provinces": provinces if len(provinces) < 34 else "all 34",
        "setup_seconds": round(setup_seconds, 1),
        "load_seconds": round(load_seconds, 1),
        "vacuum_seconds": round(time.perf_counter() - started - load_seconds, 1),
    }


# --- 2. full recompute (child process) ---------------------------------------------------------


def clear_results() -> None:
    from django.db import connection

    from giamsat.evaluation.models import ElementFigure, IndexValue, IndicatorValue

    with connection.cursor() as cursor:
        for model in (IndexValue, IndicatorValue, ElementFigure):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}")
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def step_recompute(profile: str = "", years: str = "") -> dict:
    from django.conf import settings

    from giamsat.evaluation.services import evaluation_recompute

    settings.DEBUG = False
    chosen = [int(y) for y in years.split(",")] if years else None
    times: list[tuple[str, float]] = []
    last = [time.perf_counter()]

    def progress(label, _n, _total):
        now = time.perf_counter()
        times.append((label, round(now - last[0], 1)))
        last[0] = now

    started = time.perf_counter()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        summary = profiler.runcall(evaluation_recompute, years=chosen, progress=progress)
        profiler.dump_stats(profile)
    else:
        summary = evaluation_recompute(years=chosen, progress=progress)
    return {
        "seconds": time.perf_counter() - started,
        "years": summary.years,
        "per_year_seconds": times,
        "element_figures": summary.element_figures,
        "indicator_values": summary.indicator_values,
        "index_values": summary.index_values,
        "peak_mib": peak_memory_mib(),
    }


def run_child(step: str, *args: str) -> dict:
    command = [sys.executable, __file__, "--step", step, *args]
    output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True, env=os.environ.copy()).stdout
    return json.loads(output.strip().splitlines()[-1])


def print_profile(path: str, limit: int = 30) -> None:
    import pstats

    stats = pstats.Stats(path)
    stats.sort_stats("cumulative").print_stats(limit)
    stats.sort_stats("tottime").print_stats(limit)


# --- 3. latency with the worker ------------------------------------------------------------------


def latency_case():
    """A (element, unit, period, indicator) whose indicator value moves with the element: the
    latest month with values, a current unit reporting it (a commune when there are any), not
    locked by a submitted report."""
    from giamsat.catalog.engine.expressions import compile_expression
    from giamsat.catalog.models import DataElement, Indicator
    from giamsat.evaluation.models import IndicatorValue
    from giamsat.reporting.models import DataValue
    from giamsat.reporting.services import ValueInput, _locked_keys

    monthly = {e.code: e for e in DataElement.objects.filter(period_type="MONTHLY")}
    by_element: dict[int, list] = {}
    for indicator in Indicator.objects.order_by("code"):
        for code in compile_expression(indicator.expression).references:
            if code in monthly:
                by_element.setdefault(monthly[code].pk, []).append(indicator)
    last = (
        DataValue.objects.filter(period__period_type="MONTHLY", data_element_id__in=list(by_element))
        .order_by("-period__start_date")
        .values_list("period_id", flat=True)
        .first()
    )
    candidates = DataValue.objects.filter(
        period_id=last,
        data_element_id__in=list(by_element),
        org_unit__valid_to__isnull=True,
        value__isnull=False,
    ).select_related("data_element", "org_unit", "period")
    for kind in ("COMMUNE", "PROVINCIAL_DEPT", "PROVINCE", None):
        rows = candidates.filter(org_unit__type=kind) if kind else candidates
        for dv in rows.order_by("org_unit__path", "data_element__code")[:200]:
            probe = ValueInput(data_element=dv.data_element, org_unit=dv.org_unit, period=dv.period)
            if _locked_keys([probe]):
                continue  # in a submitted or approved report: locked
            for indicator in by_element[dv.data_element_id]:
                if IndicatorValue.objects.filter(
                    indicator=indicator, org_unit=dv.org_unit, period=dv.period, value__isnull=False
                ).exists():
                    return dv, indicator
    raise SystemExit("no value feeds a stored indicator value")


def other_value(dv, step: int):
    """A valid value different from the stored one, alternating around the original."""
    from decimal import Decimal

    element = dv.data_element
    value = dv.value
    delta = Decimal(1 + step % 3)
    high = element.max_value if element.max_value is not None else None
    low = element.min_value if element.min_value is not None else Decimal(0)
    up = value + delta
    if high is not None and up > high:
        up = value - delta
    if up < low:
        up = low if value != low else low + 1
    return up


def step_latency(iterations: int, timeout: float) -> dict:
    from django.conf import settings

    from giamsat.evaluation.models import IndexValue, IndicatorValue
    from giamsat.reporting.choices import Channel
    from giamsat.reporting.services import ValueInput, data_values_write

    settings.DEBUG = False
    user = bench_user()
    dv, indicator = latency_case()
    original = dv.value
    key = {"indicator": indicator, "org_unit": dv.org_unit, "period": dv.period}
    huey_log = open(Path(os.environ["GIAMSAT_VAR_DIR"]) / "bench_huey.log", "w")  # noqa: SIM115
    consumer = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_huey", "--workers", "1"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=huey_log,
        stderr=subprocess.STDOUT,
    )
    latencies: list[float] = []
    index_changed = 0
    timeouts = 0
    try:
        time.sleep(3)  # the consumer starts
        current = IndicatorValue.objects.get(**key).value
        value = original
        for step in range(iterations):
            value = other_value(dv, step) if value == original else original
            index_before = list(
                IndexValue.objects.filter(org_unit=dv.org_unit, period=dv.period).values_list("pillar", "value")
            )
            started = time.perf_counter()
            result = data_values_write(
                inputs=[ValueInput(data_element=dv.data_element, org_unit=dv.org_unit, period=dv.period, value=value)],
                by=user,
                channel=Channel.API,
            )
            assert result.ok and result.updated == 1, result
            deadline = started + timeout
            while time.perf_counter() < deadline:
                now_value = IndicatorValue.objects.filter(**key).values_list("value", flat=True).first()
                if now_value != current:
                    latencies.append(time.perf_counter() - started)
                    current = now_value
                    break
                time.sleep(0.01)
            else:
                timeouts += 1
                time.sleep(1)
                current = IndicatorValue.objects.filter(**key).values_list("value", flat=True).first()
            index_after = list(
                IndexValue.objects.filter(org_unit=dv.org_unit, period=dv.period).values_list("pillar", "value")
            )
            index_changed += index_before != index_after
    finally:
        consumer.terminate()
        try:
            consumer.wait(timeout=30)
        except subprocess.TimeoutExpired:
            consumer.kill()
        huey_log.close()
        data_values_write(
            inputs=[ValueInput(data_element=dv.data_element, org_unit=dv.org_unit, period=dv.period, value=original)],
            by=user,
            channel=Channel.API,
        )
    ordered = sorted(latencies)
    return {
        "case": f"{dv.data_element.code} of {dv.org_unit.code} ({dv.org_unit.type}) for {dv.period.code}, "
        f"indicator {indicator.code}",
        "iterations": iterations,
        "measured": len(latencies),
        "timeouts": timeouts,
        "index_rows_changed_in": index_changed,
        "median_s": statistics.median(ordered) if ordered else None,
        "p95_s": ordered[max(0, round(0.95 * len(ordered)) - 1)] if ordered else None,
        "min_s": ordered[0] if ordered else None,
        "max_s": ordered[-1] if ordered else None,
        "peak_mib": peak_memory_mib(),
    }


# --- 4. pages -------------------------------------------------------------------------------------


def step_pages(requests: int) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from giamsat.evaluation.models import IndexValue
    from giamsat.orgunits.models import OrgUnit

    settings.DEBUG = False
    user = bench_user()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    scored = IndexValue.objects.filter(org_unit__valid_to__isnull=True)
    province = OrgUnit.objects.get(pk=scored.filter(org_unit__type="PROVINCE").values("org_unit").first()["org_unit"])
    urls = {"scorecard, province": f"/evaluation/units/{province.code}/"}
    commune = scored.filter(org_unit__type="COMMUNE").values("org_unit").first()
    if commune:
        urls["scorecard, commune"] = f"/evaluation/units/{OrgUnit.objects.get(pk=commune['org_unit']).code}/"
    urls["rankings, provinces"] = "/evaluation/rankings/"
    if commune:
        urls["rankings, communes"] = "/evaluation/rankings/?type=COMMUNE"
    results = {}
    for label, url in urls.items():
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        times.sort()
        results[label] = {
            "url": url,
            "median_ms": statistics.median(times) * 1000,
            "p95_ms": times[max(0, round(0.95 * len(times)) - 1)] * 1000,
            "queries": len(queries.captured_queries),
            "bytes": len(response.content),
        }
    return results


# --- report -------------------------------------------------------------------------------------


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            database = cursor.fetchone()[0].split(" on ")[0]
        else:
            database = f"SQLite {sqlite3.sqlite_version}"
    load = Path("/proc/loadavg").read_text().split()[:3]
    return (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, {database}, "
        f"load average {' '.join(load)} at start"
    )


def counts() -> dict:
    from giamsat.evaluation.models import ElementFigure, IndexValue, IndicatorValue
    from giamsat.reporting.models import DataValue

    return {m.__name__: m.objects.count() for m in (DataValue, ElementFigure, IndicatorValue, IndexValue)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the provinces (by path) to fill")
    parser.add_argument("--skip-generate", action="store_true", help="use the data set already generated")
    parser.add_argument("--only", choices=["recompute", "latency", "pages"], action="append")
    parser.add_argument("--demo", action="store_true", help="latency/pages on a copy of the demo database")
    parser.add_argument("--iterations", type=int, default=100, help="values written for the latency")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for one refresh")
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--profile", default="", help="write a cProfile of the recompute to this file")
    parser.add_argument("--years", default="", help="recompute only these years (comma-separated)")
    parser.add_argument("--keep-results", action="store_true", help="do not empty the result tables first")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    options, rest = parser.parse_known_args()
    if options.step:
        setup_django()
        result = {"recompute": step_recompute}[options.step](*rest)
        print(json.dumps(result))
        return

    configure(options)
    setup_django()
    steps = options.only or ["recompute", "latency", "pages"]
    if options.demo:
        options.skip_generate = True
        steps = [s for s in steps if s != "recompute"]
    print(f"Database: {os.environ['DATABASE_URL']}; {machine()}", flush=True)
    if not options.skip_generate:
        info = generate(options.scale)
        print("generate:", json.dumps(info, ensure_ascii=False), flush=True)
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)  # the code may have moved on
    if "recompute" in steps:
        if not options.keep_results:
            clear_results()
        print(f"recompute (load {Path('/proc/loadavg').read_text().split()[0]}) …", flush=True)
        args = [options.profile, options.years] if options.profile or options.years else []
        result = run_child("recompute", *args)
        print("recompute:", json.dumps(result), flush=True)
        print("rows:", json.dumps(counts()), flush=True)
        if options.profile:
            print_profile(options.profile)
    if "latency" in steps:
        print(f"latency (load {Path('/proc/loadavg').read_text().split()[0]}) …", flush=True)
        print("latency:", json.dumps(step_latency(options.iterations, options.timeout)), flush=True)
    if "pages" in steps:
        print(f"pages (load {Path('/proc/loadavg').read_text().split()[0]}) …", flush=True)
        print("pages:", json.dumps(step_pages(options.requests), indent=1), flush=True)
    print(f"done; load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")


if __name__ == "__main__":
    main()
