"""Helpers shared by the benchmarks that run a real server and worker (coalescing, deadline day).

Each benchmark keeps its own database, Redis db and var directory; these helpers only take them
as arguments. Import after `sys.path` holds `bench/` (the scripts are run as files, so it does).
"""

from __future__ import annotations

import http.client
import io
import math
import os
import platform
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = "postgres://postgres@127.0.0.1:5432"
SUBSCRIBER = "evaluation.results"


def configure(database: str, *, pg_name: str, redis: str, sqlite_db: str, var_dir: str) -> None:
    """Point the settings at the benchmark's database (before Django starts): PostgreSQL
    `pg_name` (created when missing) with Huey on `redis`, or the SQLite file `sqlite_db` with
    Huey's SQLite queue in `var_dir`. DATABASE_URL, REDIS_URL or GIAMSAT_VAR_DIR set in the
    environment win. Events are dispatched by the worker (EVENTS_DISPATCH=task), DEBUG off."""
    if database == "postgresql":
        os.environ.setdefault("DATABASE_URL", f"{PG_BASE}/{pg_name}")
        os.environ.setdefault("REDIS_URL", redis)
    else:
        os.environ.setdefault("DATABASE_URL", f"sqlite:///{sqlite_db}")
        os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("GIAMSAT_VAR_DIR", var_dir)
    Path(os.environ["GIAMSAT_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giamsat.settings")
    os.environ["EVENTS_DISPATCH"] = "task"
    os.environ["HUEY_IMMEDIATE"] = "0"
    os.environ.setdefault("DEBUG", "0")  # as in production: no query log in the server's memory
    os.environ.setdefault("SECRET_KEY", os.urandom(24).hex())
    if os.environ["DATABASE_URL"].startswith("postgres"):
        create_database(os.environ["DATABASE_URL"])


def create_database(url: str) -> None:
    """Create the PostgreSQL database the URL names when it does not exist yet."""
    import psycopg

    base, name = url.rsplit("/", 1)
    name = name.split("?", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def prepare(history: str) -> dict:
    """migrate, load_reference, load_catalog, load_demo_history for `history` (FIRST:LAST
    months) and `recompute`, each step only when its tables are empty."""
    from django.core.management import call_command

    from giamsat.catalog.models import DataElement
    from giamsat.evaluation.models import IndicatorValue
    from giamsat.orgunits.models import OrgUnit
    from giamsat.reporting.models import Report

    info = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    if not OrgUnit.objects.exists():
        call_command("load_reference", "--quiet", stdout=io.StringIO())
    if not DataElement.objects.exists():
        call_command("load_catalog", stdout=io.StringIO())
    info["setup_seconds"] = round(time.perf_counter() - started, 1)
    if not Report.objects.exists():
        first, last = history.split(":")
        started = time.perf_counter()
        out = io.StringIO()
        call_command("load_demo_history", "--first", first, "--last", last, "--quiet", stdout=out)
        info["history"] = out.getvalue().strip()
        info["history_seconds"] = round(time.perf_counter() - started, 1)
    if not IndicatorValue.objects.exists():
        started = time.perf_counter()
        out = io.StringIO()
        call_command("recompute", "--quiet", stdout=out)
        info["recompute"] = out.getvalue().strip()
        info["recompute_seconds"] = round(time.perf_counter() - started, 1)
    return info


def start_processes(
    port: int,
    server_workers: int,
    *,
    log_prefix: str,
    probe: str = "/api/v1/me",
    gunicorn_args: tuple[str, ...] = (),
) -> tuple[subprocess.Popen, subprocess.Popen, Path, Path]:
    """A real server (`gunicorn giamsat.wsgi`, sync workers on 127.0.0.1) and ONE Huey worker
    (`manage.py run_huey --workers 1`) with the environment as configured; their logs are
    `<log_prefix>_gunicorn.log` and `<log_prefix>_huey.log` in GIAMSAT_VAR_DIR."""
    var = Path(os.environ["GIAMSAT_VAR_DIR"])
    worker_log, server_log = var / f"{log_prefix}_huey.log", var / f"{log_prefix}_gunicorn.log"
    env = os.environ.copy()
    worker = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "run_huey", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=open(worker_log, "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "giamsat.wsgi",
            "--workers",
            str(server_workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
            "--log-level",
            "warning",
            *gunicorn_args,
        ],
        cwd=ROOT,
        env=env,
        stdout=open(server_log, "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", probe)
            conn.getresponse().read()
            conn.close()
            break
        except OSError:
            time.sleep(0.5)
    else:
        raise SystemExit(f"the server did not answer within 60 s; see {server_log}")
    time.sleep(2)  # the worker starts
    return server, worker, server_log, worker_log


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def pending_count() -> int:
    """Pending deliveries of the evaluation's subscriber (the evaluation backlog)."""
    from giamsat.events.choices import DeliveryStatus
    from giamsat.events.models import EventDelivery

    return EventDelivery.objects.filter(subscriber=SUBSCRIBER, status=DeliveryStatus.PENDING).count()


def percentile(ordered: list[float], q: float) -> float:
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else float("nan")


def machine() -> dict[str, str]:
    from django.db import connection

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    memory = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/meminfo").read_text().splitlines()
            if "MemTotal" in line
        ),
        "?",
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT version()")
            database = cursor.fetchone()[0].split(" on ")[0]
            cursor.execute("SHOW shared_buffers")
            database += f" (shared_buffers {cursor.fetchone()[0]})"
        else:
            database = f"SQLite {sqlite3.sqlite_version} (file {connection.settings_dict['NAME']})"
    return {
        "cpu": f"{os.cpu_count()} × {cpu}",
        "memory": memory,
        "python": platform.python_version(),
        "database": database,
    }


def log_lines(path: Path, needles: tuple[str, ...]) -> list[str]:
    return [line.rstrip() for line in path.read_text(errors="replace").splitlines() if any(n in line for n in needles)]


def add_run_arguments(parser, *, port: int) -> None:
    """The options every load bench takes: which database, where the server listens, the
    backlog wait, the demo history to load and whether to reuse the database as it is."""
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--port", type=int, default=port)
    parser.add_argument("--drain-timeout", type=float, default=180.0, help="seconds to wait for the backlog")
    parser.add_argument("--history", default="2025-01:2025-12", help="demo history loaded, FIRST:LAST months")
    parser.add_argument("--skip-generate", action="store_true", help="use the database as it is (still migrates)")


def start_database(options) -> str:
    """After django.setup(): production's DEBUG, the database migrated (and loaded unless
    --skip-generate); returns the load average it started at."""
    import json

    from django.conf import settings
    from django.core.management import call_command
    from huey.contrib.djhuey import HUEY

    settings.DEBUG = False
    load = loadavg()
    print(f"Database: {os.environ['DATABASE_URL']}; Huey: {type(HUEY).__name__}; load average {load}", flush=True)
    if options.skip_generate:
        call_command("migrate", verbosity=0, interactive=False)
    else:
        print("prepare:", json.dumps(prepare(options.history), ensure_ascii=False), flush=True)
    return load
