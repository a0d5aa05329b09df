"""Benchmark of the coalescing of value changes: 34 clients post, one worker keeps up.

    .venv/bin/python bench/coalescing_benchmark.py --database postgresql
    .venv/bin/python bench/coalescing_benchmark.py --database sqlite --seconds 60

Each run uses a database of its own, never the project's var/ (unless DATABASE_URL is set):

- PostgreSQL: postgres://postgres@127.0.0.1:5432/giamsat_bench_coalesce, created when missing;
  Huey on Redis db 6;
- SQLite: /tmp/bench_coalesce.sqlite3; Huey's own SQLite queue in
  GIAMSAT_VAR_DIR=/tmp/bench_coalesce_var (also where the server's and the worker's logs go).

Steps:

1. prepare (unless --skip-generate): migrate, load_reference --quiet, load_catalog,
   load_demo_history for a short range (`--history 2025-01:2025-12` by default: reports of the
   current year would lock the months the clients post to), then `recompute` when no results
   are stored; one reporter per current province (`bench.reporter.<code>`, PROVINCE_REPORTER,
   capture scope its province) and a fresh API token for each (one day).
2. Leftovers of an earlier run are delivered first (`events_dispatch()` in this process) and
   Huey's queue is emptied, so every count below is this run's.
3. Starts the server (`gunicorn giamsat.wsgi`, `--server-workers` sync workers on 127.0.0.1) and
   ONE Huey worker (`manage.py run_huey --workers 1`, the project's consumer settings), both
   with EVENTS_DISPATCH=task.
4. `--clients` threads (one per province, 34 by default), each with its own token, POST to
   /api/v1/dataValueSets as fast as they can for `--seconds`: DHIS2 JSON with `--figures`
   values of their own province (the first monthly elements of the provincial monthly data set
   used by an indicator), one month of the current year (up to last month) per post, in turn,
   values drawn at random within each element's range (so almost every post changes something).
   Each post is one transaction: its values, audit rows, one VALUES_CHANGED event and its
   delivery to "evaluation.results", and a dispatch task handed to Huey after commit.
5. When the clients stop (every thread joined), at once: the pending deliveries of
   "evaluation.results", the (unit, year) pairs their events cover, Huey's queue length; then
   waits (at most `--drain-timeout`) until no delivery is pending and reports how long that took.
   The worker's batches are counted from the deliveries' `delivered_at` (a batch is marked
   delivered in one UPDATE, so one timestamp per batch, i.e. per `evaluation_refresh` call) and
   from the worker log's "evaluation refresh:" lines; the batches that delivered events pending
   at the stop are the refreshes the backlog still cost, and those of them that started after
   the stop (delivered_at less the refresh's logged seconds) the pending refreshes: the target
   is at most one per unit-year. The worker log also gives how many dispatch tasks ran and the
   longest one.
6. Prints a summary (JSON and a Markdown table), stops the server and the worker, and counts
   the lines of the worker's log that look like errors.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import _common
from _common import SUBSCRIBER, loadavg, log_lines, machine, pending_count, percentile, setup_django, stop

PG_NAME = "giamsat_bench_coalesce"
REDIS = "redis://127.0.0.1:6379/6"
SQLITE_DB = "/tmp/bench_coalesce.sqlite3"
VAR_DIR = "/tmp/bench_coalesce_var"
USER_PREFIX = "bench.reporter."
DATA_SET = "BC_TINH_MONTHLY"  # the provinces' monthly report


def configure(options) -> None:
    """Point the settings at the benchmark's database (before Django starts)."""
    _common.configure(options.database, pg_name=PG_NAME, redis=REDIS, sqlite_db=SQLITE_DB, var_dir=VAR_DIR)


# --- 1. the database ------------------------------------------------------------------------


def reporters() -> list[tuple[str, str]]:
    """(province code, raw token) for every current province, creating its reporter."""
    from giamsat.accounts.choices import Role
    from giamsat.accounts.models import User
    from giamsat.accounts.services import token_create, user_create
    from giamsat.orgunits.models import OrgUnit

    result = []
    for province in OrgUnit.objects.filter(type="PROVINCE", valid_to__isnull=True).order_by("path"):
        username = f"{USER_PREFIX}{province.code.lower()}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=os.urandom(16).hex(),
                role=Role.PROVINCE_REPORTER,
                full_name=f"Benchmark reporter {province.code}",
                home_unit=province,
                capture_units=[province],
            )
        _token, raw = token_create(user=user, name="coalescing benchmark", days=1)
        result.append((province.code, raw))
    return result


def figures(count: int) -> list[dict]:
    """The first `count` numeric monthly elements of the provinces' monthly set used by an indicator."""
    from giamsat.catalog.models import DataSetElement, Indicator

    used = set(Indicator.objects.values_list("data_elements__code", flat=True))
    chosen = []
    for member in (
        DataSetElement.objects.filter(data_set__code=DATA_SET, data_element__period_type="MONTHLY")
        .select_related("data_element")
        .order_by("data_element__code")
    ):
        element = member.data_element
        if element.code not in used or element.value_type not in (
            "INTEGER",
            "INTEGER_POSITIVE",
            "INTEGER_ZERO_OR_POSITIVE",
            "NUMBER",
            "PERCENTAGE",
        ):
            continue
        low = float(element.min_value) if element.min_value is not None else 0.0
        high = (
            float(element.max_value)
            if element.max_value is not None
            else (100.0 if element.value_type == "PERCENTAGE" else 5000.0)
        )
        if element.value_type == "INTEGER_POSITIVE":
            low = max(low, 1.0)
        chosen.append({"code": element.code, "type": element.value_type, "low": low, "high": high})
        if len(chosen) == count:
            break
    if len(chosen) < count:
        raise SystemExit(f"only {len(chosen)} monthly elements of {DATA_SET} feed an indicator")
    return chosen


def months_this_year() -> list[str]:
    """The current year's months up to last month (DHIS2 codes), or last year's in January."""
    today = dt.date.today()
    if today.month == 1:
        return [f"{today.year - 1}{m:02d}" for m in range(1, 13)]
    return [f"{today.year}{m:02d}" for m in range(1, today.month)]


# --- 2. server and worker ---------------------------------------------------------------------


def start_processes(port: int, server_workers: int) -> tuple[subprocess.Popen, subprocess.Popen, Path, Path]:
    return _common.start_processes(port, server_workers, log_prefix="bench_coalesce")


# --- 3. clients ---------------------------------------------------------------------------------


class Client(threading.Thread):
    def __init__(self, port, province, token, elements, months, stop_at, seed):
        super().__init__(daemon=True)
        self.port, self.province, self.token = port, province, token
        self.elements, self.months, self.stop_at = elements, months, stop_at
        self.rnd = random.Random(seed)
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.changed = 0
        self.errors: list[str] = []

    def body(self, month: str) -> bytes:
        values = []
        for e in self.elements:
            if e["type"] in ("NUMBER", "PERCENTAGE"):
                value = f"{self.rnd.uniform(e['low'], e['high']):.1f}"
            else:
                value = str(self.rnd.randint(int(e["low"]), int(e["high"])))
            values.append({"dataElement": e["code"], "period": month, "orgUnit": self.province, "value": value})
        return json.dumps({"dataValues": values}).encode()

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        step = self.rnd.randrange(len(self.months))
        while time.monotonic() < self.stop_at:
            body = self.body(self.months[step % len(self.months)])
            step += 1
            started = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                conn.request("POST", "/api/v1/dataValueSets", body=body, headers=headers)
                response = conn.getresponse()
                text = response.read()
                conn.close()
            except OSError as exc:
                self.statuses[type(exc).__name__] += 1
                if len(self.errors) < 3:
                    self.errors.append(repr(exc))
                time.sleep(0.1)
                continue
            self.latencies.append(time.perf_counter() - started)
            self.statuses[response.status] += 1
            if response.status == 200:
                counts = json.loads(text).get("response", {}).get("importCount", {})
                self.changed += (counts.get("imported", 0) + counts.get("updated", 0)) > 0
            elif len(self.errors) < 3:
                self.errors.append(f"{response.status}: {text[:300]!r}")


# --- 4. measures ---------------------------------------------------------------------------------


def pending_now() -> dict[int, set[tuple[int, int]]]:
    """The events of the pending deliveries, each with the (unit, year) pairs it covers."""
    from giamsat.events.choices import DeliveryStatus
    from giamsat.events.models import EventDelivery
    from giamsat.reporting.models import Period

    rows = list(
        EventDelivery.objects.filter(subscriber=SUBSCRIBER, status=DeliveryStatus.PENDING).values_list(
            "event_id", "event__payload"
        )
    )
    periods = {p for _id, payload in rows for _u, p in (payload or {}).get("pairs", [])}
    years = dict(Period.objects.filter(pk__in=periods).values_list("pk", "start_date__year"))
    return {i: {(u, years.get(p)) for u, p in (payload or {}).get("pairs", [])} for i, payload in rows}


def batches(base_event: int, stopped_at, pending: dict[int, set[tuple[int, int]]], durations: list[float]) -> dict:
    """Batches (one delivered_at each) of this run's deliveries: during the run, after it, and
    those that delivered events still pending at the stop. `durations` are the refreshes'
    seconds from the worker's log, in order (one line per batch): a batch started at its
    delivered_at less its refresh's duration, so the backlog's batches that started after the
    stop are told from the one that was running."""
    from giamsat.events.models import EventDelivery

    rows = EventDelivery.objects.filter(subscriber=SUBSCRIBER, event_id__gt=base_event, delivered_at__isnull=False)
    by_time: dict = defaultdict(list)
    for event_id, at in rows.values_list("event_id", "delivered_at"):
        by_time[at].append(event_id)
    during = [at for at in by_time if at <= stopped_at]
    after = [at for at in by_time if at > stopped_at]
    backlog = [at for at, ids in by_time.items() if any(i in pending for i in ids)]
    # How many of those batches (refreshes) each unit-year of the backlog went through, and how
    # many of them had not started at the stop (pending refreshes).
    ordered = sorted(by_time)
    seconds = dict(zip(ordered, durations, strict=False)) if len(durations) == len(ordered) else {}
    per_unit_year: Counter = Counter()
    not_started: Counter = Counter()
    for at in backlog:
        pairs = {pair for i in by_time[at] for pair in pending.get(i, ())}
        per_unit_year.update(pairs)
        if at in seconds and at - dt.timedelta(seconds=seconds[at]) > stopped_at:
            not_started.update(pairs)
    sizes = sorted(len(ids) for ids in by_time.values())
    return {
        "batches_during_run": len(during),
        "batches_after_stop": len(after),
        "batches_that_delivered_the_backlog": len(backlog),
        "refreshes_per_unit_year_for_the_backlog_max": max(per_unit_year.values(), default=0),
        "pending_refreshes_per_unit_year_max": max(not_started.values(), default=0) if seconds else "unknown",
        "refresh_seconds_median": round(statistics.median(durations), 2) if durations else None,
        "refresh_seconds_max": round(max(durations), 2) if durations else None,
        "batch_size_median": statistics.median(sizes) if sizes else 0,
        "batch_size_max": sizes[-1] if sizes else 0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the clients post")
    parser.add_argument("--clients", type=int, default=34, help="clients, one per province (at most 34)")
    parser.add_argument("--figures", type=int, default=5, help="values per post")
    parser.add_argument("--server-workers", type=int, default=3, help="gunicorn sync workers")
    _common.add_run_arguments(parser, port=8765)
    options = parser.parse_args()

    configure(options)
    setup_django()
    from django.db import connection
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from giamsat.events.choices import EventKind
    from giamsat.events.models import Event
    from giamsat.events.services import BATCH_SIZE, events_dispatch

    _common.start_database(options)
    clients = reporters()[: options.clients]
    elements = figures(options.figures)
    months = months_this_year()
    leftover = events_dispatch()
    HUEY.flush()
    base_event = Event.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    connection.close()
    print(
        f"{len(clients)} clients, elements {[e['code'] for e in elements]}, months {months[0]}–{months[-1]}; "
        f"leftovers delivered first: {leftover.delivered}",
        flush=True,
    )

    server, worker, server_log, worker_log = start_processes(options.port, options.server_workers)
    try:
        print(f"posting for {options.seconds:.0f} s (load average {loadavg()}) …", flush=True)
        stop_at = time.monotonic() + options.seconds
        run_seed = time.time_ns()  # values differ from the last run's: every post changes something
        threads = [
            Client(options.port, code, token, elements, months, stop_at, seed=f"{run_seed}-{i}")
            for i, (code, token) in enumerate(clients)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stopped_at = timezone.now()
        stopped = time.monotonic()
        load_at_stop = loadavg()
        backlog = pending_now()
        pending = len(backlog)
        unit_years = len(set().union(*backlog.values()))
        queue_at_stop = HUEY.pending_count()
        drained = None
        while time.monotonic() - stopped < options.drain_timeout:
            if pending_count() == 0:
                drained = time.monotonic() - stopped
                break
            time.sleep(0.25)
        queue_empty = None
        if drained is not None:
            while time.monotonic() - stopped < options.drain_timeout:
                if HUEY.pending_count() == 0:
                    queue_empty = time.monotonic() - stopped
                    break
                time.sleep(0.25)
        time.sleep(1)  # the worker writes its last log line
    finally:
        stop(server)
        stop(worker)

    latencies = sorted(x for t in threads for x in t.latencies)
    statuses = sum((t.statuses for t in threads), Counter())
    events = Event.objects.filter(pk__gt=base_event)
    values_changed = events.filter(kind=EventKind.VALUES_CHANGED).count()
    refresh_lines = log_lines(worker_log, ("evaluation refresh:",))
    durations = [float(m.group(1)) for m in (re.search(r"seconds=([0-9.]+)", line) for line in refresh_lines) if m]
    # Huey's lines may come twice (its handler and the root's): one entry per task id.
    task_seconds = {
        m.group(1): float(m.group(2))
        for m in (
            re.search(r"events_dispatch_task: (\S+) executed in ([0-9.]+)s", line)
            for line in log_lines(worker_log, ("executed in",))
        )
        if m
    }
    error_lines = log_lines(worker_log, ("Traceback", "ERROR", "Error", "locked", "failed"))
    server_errors = log_lines(server_log, ("Traceback", "ERROR", "Error", "locked"))
    result = {
        "database": connection.vendor,
        "huey": type(HUEY).__name__,
        "clients": len(threads),
        "seconds": options.seconds,
        "server_workers": options.server_workers,
        "posts": len(latencies),
        "posts_per_s": round(len(latencies) / options.seconds, 1),
        "statuses": {str(k): v for k, v in statuses.items()},
        "posts_that_changed_values": sum(t.changed for t in threads),
        "latency_p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "latency_p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
        "latency_max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
        "events_written": events.count(),
        "values_changed_events": values_changed,
        "pending_deliveries_at_stop": pending,
        "unit_years_pending_at_stop": unit_years,
        "pending_deliveries_per_unit_year": round(pending / unit_years, 1) if unit_years else 0,
        "batches_needed_for_backlog_at_batch_size": math.ceil(pending / BATCH_SIZE),
        "huey_queue_at_stop": queue_at_stop,
        "dispatch_tasks_executed": len(task_seconds),
        "dispatch_task_longest_s": max(task_seconds.values(), default=None),
        "drained_after_s": round(drained, 1) if drained is not None else f"not within {options.drain_timeout:.0f} s",
        "huey_queue_empty_after_s": round(queue_empty, 1) if queue_empty is not None else "not measured/not empty",
        "pending_after_wait": pending_count(),
        **batches(base_event, stopped_at, backlog, durations),
        "worker_log_refresh_lines": len(refresh_lines),
        "worker_log_error_lines": len(error_lines),
        "server_log_error_lines": len(server_errors),
        "load_average_at_stop": load_at_stop,
    }
    info = machine()
    print("result:", json.dumps(result), flush=True)
    for thread in threads:
        for error in thread.errors[:1]:
            print(f"client {thread.province}: {error}")
    for line in error_lines[:20]:
        print("worker log:", line)
    for line in server_errors[:10]:
        print("server log:", line)
    print()
    print(f"Command: .venv/bin/python {' '.join(sys.argv)}")
    print(
        f"Machine: {info['cpu']}, {info['memory']} memory; Python {info['python']}; {info['database']}; "
        f"Huey {result['huey']}."
    )
    print()
    rows = [
        ("posts in the run (all answered 200?)", f"{result['posts']:,} ({result['statuses']})"),
        ("posts per second", f"{result['posts_per_s']}"),
        (
            "post latency p50 / p95 / max (ms)",
            f"{result['latency_p50_ms']} / {result['latency_p95_ms']} / {result['latency_max_ms']}",
        ),
        ("VALUES_CHANGED events written", f"{values_changed:,}"),
        ("pending deliveries (evaluation.results) at the stop", f"{pending:,}"),
        ("distinct (unit, year) pairs they cover", f"{unit_years}"),
        ("pending deliveries per unit-year", f"{result['pending_deliveries_per_unit_year']}"),
        (
            "refresh batches that delivered the backlog (incl. the one running at the stop); "
            "most of them any one unit-year went through",
            f"{result['batches_that_delivered_the_backlog']}; {result['refreshes_per_unit_year_for_the_backlog_max']}",
        ),
        (
            "pending refreshes per unit-year at the stop (backlog batches started after it), at most",
            f"{result['pending_refreshes_per_unit_year_max']}",
        ),
        ("backlog drained after", f"{result['drained_after_s']} s"),
        (
            "refresh batches during the run / after the stop",
            f"{result['batches_during_run']} / {result['batches_after_stop']}",
        ),
        ("batch size median / max (deliveries)", f"{result['batch_size_median']} / {result['batch_size_max']}"),
        ("refresh time median / max (s)", f"{result['refresh_seconds_median']} / {result['refresh_seconds_max']}"),
        (
            "dispatch tasks the worker ran; the longest (s)",
            f"{result['dispatch_tasks_executed']:,}; {result['dispatch_task_longest_s']}",
        ),
        (
            "Huey tasks queued at the stop; queue empty after",
            f"{queue_at_stop:,}; {result['huey_queue_empty_after_s']} s",
        ),
        ("error lines in the worker / server log", f"{len(error_lines)} / {len(server_errors)}"),
    ]
    print(f"| {connection.vendor} | |\n| --- | ---: |")
    for label, value in rows:
        print(f"| {label} | {value} |")


if __name__ == "__main__":
    main()
