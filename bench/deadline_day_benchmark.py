"""Deadline-day load benchmark: 34 provinces × 20 users against a real server and ONE worker.

    .venv/bin/python bench/deadline_day_benchmark.py --database postgresql
    .venv/bin/python bench/deadline_day_benchmark.py --database sqlite --seconds 120

Each run uses a database of its own, never the project's var/ (unless DATABASE_URL is set):

- PostgreSQL: postgres://postgres@127.0.0.1:5432/giamsat_bench_deadline, created when missing;
  Huey on Redis db 7;
- SQLite: /tmp/bench_deadline.sqlite3; Huey's own SQLite queue in
  GIAMSAT_VAR_DIR=/tmp/bench_deadline_var (also where the server's, the worker's and the access
  logs go).

Steps:

1. prepare (unless --skip-generate; `_common.prepare`, as the coalescing benchmark): migrate,
   load_reference, load_catalog, load_demo_history 2025-01:2025-12, recompute.
2. Users (created once, kept): per current province `--per-province` users (20): half
   provincial reporters (PROVINCE_REPORTER, capture scope the province), a third "readers"
   (MINISTRY_ANALYST, view scope VN and CP, all domains) who follow that province, the rest
   leaders (two thirds PROVINCE_LEADER of the province, one third MINISTRY_LEADER, view VN and
   CP). With 20: 10 reporters, 7 readers, 2 provincial leaders and 1 ministry leader per province,
   340 / 238 / 102 in all. Passwords are random and hashed with MD5 in this process only (680
   PBKDF2 hashes would take minutes); nobody signs in with them: each user gets a fresh session
   written straight into the session store (what a sign-in leaves there: user id, backend,
   session hash, the session-timeout middleware's clocks), and the client sends its cookie.
3. The current month's report of the provinces' monthly data set (BC_TINH_MONTHLY, 29 figures)
   is made DRAFT and empty for every province: any report of that period left by an earlier run
   is deleted with its figures, audit rows and history (straight in the database), then
   `report_open` (the service behind the "open" button) creates it as a draft. Pending event
   deliveries are delivered (`events_dispatch()` in this process) and Huey's queue is emptied,
   so the backlog measured is this run's.
4. Starts gunicorn (`--server-workers` sync workers, 3, access log with each request's time) and
   ONE Huey worker (`run_huey --workers 1`), EVENTS_DISPATCH=task.
5. One thread per user, for `--seconds` (300); each request on a new connection
   (http.client), cookies kept per user (session, CSRF, messages), CSRF token from the cookie
   set by the first page. Think time between two requests of a user: uniform 1–3 s
   (`--think`), from a random generator seeded with `--seed` and the user's number, so two runs
   make the same choices; each user starts after a first think time (the start is spread).
   - Reporters: the province's 29 figures are shared out among its reporters (reporter i takes
     every n-th figure); each figure is saved `--revisions` times (2: a first value within ±20 %
     of the final one, then the final one). A reporter GETs the report page, reads each of its
     figures' `version`, then autosaves 2–4 figures (POST /reports/<pk>/values/<code>/ with
     `value`, `comment`, `version`, as the form's HTMX does), GETs the page again, and so on.
     Final values are the province's December 2025 figures × a factor in [0.9, 1.0] drawn per
     province, rounded down (so every "≤" validation rule that held still holds). The reporter
     who saves the last figure of the province GETs the page, checks every figure is filled and
     POSTs /reports/<pk>/submit/ (expects 302), then GETs the report (the message says whether
     it was submitted). A reporter done with its share browses: the report, the province's
     scorecard, the reporting home page.
   - Readers: a scorecard (/evaluation/units/<code>/: their province, or one of its communes)
     or a ranking (/evaluation/rankings/: provinces overall, provinces on a pillar, a page of
     communes), chosen at random.
   - Leaders: the home page, /reports/ (the review queue), the rankings, the completeness page
     (all data sets, or the monthly set by unit for the current month), a scorecard (their
     province; a ministry leader: a random province).
   An error is any exception (time-out `--client-timeout`, 300 s as a browser that waits; refused connection) or any
   status other than the expected one (pages and autosaves 200, submit 302); an autosave
   answered 200 with a field error (refused: stale, locked, invalid) is counted apart.
6. During the run a sampler records every 5 s the load average, the machine's CPU use
   (/proc/stat), and CPU time (/proc/<pid>/stat) of the gunicorn workers, the Huey worker, the
   PostgreSQL backends of the bench database and this process; on PostgreSQL every 1 s the bench
   database's active backends by wait event (pg_stat_activity). On SQLite the gunicorn workers
   time each `BEGIN IMMEDIATE` (the write lock's wait; a gunicorn config hook written to the var
   directory, the application is not changed).
7. When every user has stopped: pending deliveries of "evaluation.results" and Huey's queue,
   then the time until no delivery is pending (at most `--drain-timeout`, 180 s).
8. Prints per request kind count, errors, p50 / p95 / max (client side) and the server's own
   time (access log), requests/s, the backlog, CPU, the reports submitted, errors in the logs,
   as JSON and a Markdown table.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import math
import os
import random
import re
import statistics
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

import _common
from _common import loadavg, log_lines, machine, pending_count, percentile, setup_django, stop

PG_NAME = "giamsat_bench_deadline"
REDIS = "redis://127.0.0.1:6379/7"
SQLITE_DB = "/tmp/bench_deadline.sqlite3"
VAR_DIR = "/tmp/bench_deadline_var"
LOG_PREFIX = "bench_deadline"
USER_PREFIX = "bench.dd."
DATA_SET = "BC_TINH_MONTHLY"  # the provinces' monthly report
BASE_PERIOD = "202512"  # final values are scaled from this month's figures
EXPECTED = {"save": (200,), "submit": (302,)}  # every page: 200

# Gunicorn hooks (SQLite only): time each BEGIN IMMEDIATE in the server's workers.
GUNICORN_HOOKS = """
import json, os, time

STATS = {"begins": 0, "wait_s": 0.0, "max_s": 0.0, "over_100ms": 0, "over_1s": 0}


def post_fork(server, worker):
    from django.db.backends.sqlite3 import base

    original = base.DatabaseWrapper._start_transaction_under_autocommit

    def timed(self):
        started = time.perf_counter()
        try:
            return original(self)
        finally:
            wait = time.perf_counter() - started
            STATS["begins"] += 1
            STATS["wait_s"] += wait
            STATS["max_s"] = max(STATS["max_s"], wait)
            STATS["over_100ms"] += wait > 0.1
            STATS["over_1s"] += wait > 1.0

    base.DatabaseWrapper._start_transaction_under_autocommit = timed


def worker_exit(server, worker):
    path = os.path.join(os.environ["GIAMSAT_VAR_DIR"], "bench_deadline_begin_%d.json" % os.getpid())
    with open(path, "w") as out:
        json.dump(STATS, out)
"""


def configure(options) -> None:
    _common.configure(options.database, pg_name=PG_NAME, redis=REDIS, sqlite_db=SQLITE_DB, var_dir=VAR_DIR)


# --- 1. users, sessions, reports ------------------------------------------------------------------


def shares(per_province: int) -> tuple[int, int, int]:
    """(reporters, readers, leaders) per province: half, a third, the rest."""
    reporters = round(per_province / 2)
    readers = round(per_province / 3)
    return reporters, readers, per_province - reporters - readers


def bench_users(per_province: int) -> list[dict]:
    """Create (once) and list the simulated users, in a fixed order."""
    from django.test.utils import override_settings

    from giamsat.accounts.choices import Domain, Role
    from giamsat.accounts.models import User
    from giamsat.accounts.services import user_create
    from giamsat.orgunits.models import OrgUnit

    provinces = list(OrgUnit.objects.filter(type="PROVINCE", valid_to__isnull=True).order_by("path"))
    country = list(OrgUnit.objects.filter(code__in=["VN", "CP"]))
    n_reporters, n_readers, n_leaders = shares(per_province)
    existing = {u.username: u for u in User.objects.filter(username__startswith=USER_PREFIX)}
    people = []
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        for province in provinces:
            slot = province.code.lower()
            plan = [("reporter", i) for i in range(n_reporters)] + [("reader", i) for i in range(n_readers)]
            plan += [("leader", i) for i in range(n_leaders)]
            for kind, i in plan:
                ministry_leader = kind == "leader" and i % 3 == 2
                if kind == "reporter":
                    role, capture, view, domains = Role.PROVINCE_REPORTER, [province], [], []
                elif kind == "reader":
                    role, capture, view, domains = Role.MINISTRY_ANALYST, [], country, list(Domain.values)
                elif ministry_leader:
                    role, capture, view, domains = Role.MINISTRY_LEADER, [], country, []
                else:
                    role, capture, view, domains = Role.PROVINCE_LEADER, [province], [], []
                username = f"{USER_PREFIX}{slot}.{kind}{i + 1:02d}"
                user = existing.get(username)
                if user is None:
                    user = user_create(
                        username=username,
                        password=os.urandom(16).hex(),
                        role=role,
                        full_name=f"Bench {kind} {i + 1} {province.code}",
                        home_unit=province if capture else None,
                        capture_units=capture,
                        view_units=view,
                        domains=domains,
                    )
                people.append(
                    {
                        "user": user,
                        "kind": "ministry_leader" if ministry_leader else kind,
                        "slot": i,
                        "province": province.code,
                        "province_id": province.pk,
                    }
                )
    return people


def sessions_create(users) -> dict[int, str]:
    """A fresh signed-in session per user, written into the session store: {user id: key}."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from giamsat.accounts.middleware import LAST_ACTIVITY_KEY, STARTED_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore
    now = time.time()
    keys = {}
    for user in users:
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[STARTED_KEY] = now
        session[LAST_ACTIVITY_KEY] = now
        session.create()
        keys[user.pk] = session.session_key
    return keys


def current_period():
    from giamsat.core.dates import today
    from giamsat.core.periods import Period as PeriodValue
    from giamsat.reporting.services import period_get

    return period_get(PeriodValue.containing("MONTHLY", today()))


def reports_reset(people) -> dict[str, int]:
    """The current month's report of every province, DRAFT and empty: {province code: pk}."""
    from django.db import transaction

    from giamsat.catalog.models import DataSet
    from giamsat.orgunits.models import OrgUnit
    from giamsat.reporting.models import DataValue, DataValueAudit, Report
    from giamsat.reporting.services import report_open

    data_set = DataSet.objects.get(code=DATA_SET)
    period = current_period()
    first_reporter = {}
    for person in people:
        if person["kind"] == "reporter":
            first_reporter.setdefault(person["province"], person["user"])
    units = {u.code: u for u in OrgUnit.objects.filter(code__in=first_reporter)}
    elements = list(data_set.members.values_list("data_element_id", flat=True))
    with transaction.atomic():
        Report.objects.filter(data_set=data_set, period=period, org_unit__in=units.values()).delete()
        for model in (DataValue, DataValueAudit):
            model.objects.filter(period=period, org_unit__in=units.values(), data_element_id__in=elements).delete()
    result = {}
    for code, user in first_reporter.items():
        report = report_open(data_set=data_set, org_unit=units[code], period=period, by=user)
        assert report.status == "DRAFT", (code, report.status)
        result[code] = report.pk
    return result


def final_values(provinces: list[str], seed: int) -> tuple[list[dict], dict[str, dict[str, int]]]:
    """The report's figures (code, type) in form order, and each province's final values:
    its BASE_PERIOD figure × a factor in [0.9, 1.0] drawn per province, rounded down."""
    from giamsat.catalog.models import DataSet
    from giamsat.reporting.models import DataValue

    data_set = DataSet.objects.get(code=DATA_SET)
    members = [
        {"code": m.data_element.code, "type": m.data_element.value_type}
        for m in data_set.members.select_related("data_element").order_by("pk")
    ]
    stored = defaultdict(dict)
    for unit, code, value in DataValue.objects.filter(
        period__code=BASE_PERIOD, org_unit__code__in=provinces, data_element__code__in=[m["code"] for m in members]
    ).values_list("org_unit__code", "data_element__code", "value"):
        stored[unit][code] = float(value) if value is not None else None
    values = {}
    for code in provinces:
        rnd = random.Random(f"{seed}-final-{code}")
        factor = rnd.uniform(0.9, 1.0)
        values[code] = {}
        for member in members:
            base = stored[code].get(member["code"])
            if base is None:  # no history: a small value (0 keeps the "≤" rules)
                base = 0.0
            values[code][member["code"]] = math.floor(base * factor)
    return members, values


def scorecard_targets(provinces: list[str]) -> dict[str, list[str]]:
    """Up to 5 current communes per province (for the readers' commune scorecards)."""
    from giamsat.orgunits.models import OrgUnit

    result = {}
    for province in OrgUnit.objects.filter(code__in=provinces):
        result[province.code] = list(
            OrgUnit.objects.filter(path__startswith=province.path, type="COMMUNE", valid_to__isnull=True)
            .order_by("path")
            .values_list("code", flat=True)[:5]
        )
    return result


# --- 2. the simulated users -------------------------------------------------------------------------

FIELD = re.compile(r'id="f-([A-Z0-9_]+)"')
VERSION = re.compile(r'name="version" value="([^"]*)"')
VALUE = re.compile(r'id="in-[A-Z0-9_]+" name="value"[^>]*?value="([^"]*)"', re.S)
OUTPUT = re.compile(r'<output id="in-[A-Z0-9_]+" class="value-out">([^<]*)</output>')


def parse_fields(html: str) -> dict[str, tuple[str | None, str]]:
    """{figure code: (version or None when read-only, value as shown)} from the report page."""
    fields = {}
    parts = FIELD.split(html)
    for i in range(1, len(parts) - 1, 2):
        code, chunk = parts[i], parts[i + 1]
        version = VERSION.search(chunk)
        value = VALUE.search(chunk)
        if value is None:
            shown = OUTPUT.search(chunk)
            text = shown.group(1).strip() if shown else ""
            fields[code] = (None, "" if text == "—" else text)
        else:
            fields[code] = (version.group(1) if version else "", value.group(1).strip())
    return fields


class Shared:
    """What the provinces' reporters share: how many have finished their figures."""

    def __init__(self):
        self.lock = threading.Lock()
        self.done: Counter = Counter()
        self.submits: dict[str, str] = {}
        self.anomalies: list[str] = []


class VirtualUser(threading.Thread):
    def __init__(self, number, person, session_key, options, plan, shared, stop_at):
        super().__init__(daemon=True)
        self.number, self.person, self.options, self.plan, self.shared = number, person, options, plan, shared
        self.stop_at = stop_at
        self.rnd = random.Random(f"{options.seed}-{number}")
        self.cookies = {"sessionid": session_key}
        self.records: list[tuple[str, float, float, int | str]] = []  # kind, start, seconds, status
        self.refused: list[str] = []
        self.errors: list[str] = []

    # HTTP ---------------------------------------------------------------------------------------

    def request(self, method: str, path: str, kind: str, data: dict | None = None, htmx=False) -> tuple:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if method == "POST":
            body = urllib.parse.urlencode(data or {}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if htmx:
            headers["HX-Request"] = "true"
        started = time.perf_counter()
        wall = time.time()
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.options.port, timeout=self.options.client_timeout)
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            conn.close()
        except (OSError, http.client.HTTPException) as exc:
            self.records.append((kind, wall, time.perf_counter() - started, type(exc).__name__))
            if len(self.errors) < 3:
                self.errors.append(f"{method} {path}: {exc!r}")
            return None, ""
        self.records.append((kind, wall, time.perf_counter() - started, response.status))
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in header.lower() or "expires=thu, 01 jan 1970" in header.lower() or value in ('""', ""):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if response.status not in EXPECTED.get(kind, (200,)) and len(self.errors) < 3:
            self.errors.append(f"{method} {path} → {response.status}: {text[:200]!r}")
        return response.status, (response.getheader("Location") if response.status in (301, 302) else text)

    def think(self) -> bool:
        """Sleep one think time; False (after sleeping only until then) when the run ends first."""
        low, high = self.options.think
        delay = self.rnd.uniform(low, high)
        remaining = self.stop_at - time.monotonic()
        if delay >= remaining:
            time.sleep(max(0.0, remaining))
            return False
        time.sleep(delay)
        return True

    def get(self, path: str, kind: str):
        return self.request("GET", path, kind)

    # behaviours ---------------------------------------------------------------------------------

    def run(self) -> None:
        if not self.think():  # the start is spread over one think time
            return
        kind = self.person["kind"]
        if kind == "reporter":
            self.reporter()
        elif kind == "reader":
            self.reader()
        else:
            self.leader()

    def reporter(self) -> None:
        province = self.person["province"]
        pk = self.plan["reports"][province]
        members = self.plan["members"]
        n = self.plan["reporters_per_province"]
        mine = [m for i, m in enumerate(members) if i % n == self.person["slot"]]
        final = self.plan["values"][province]
        queue = []
        for revision in range(self.options.revisions):
            for member in mine:
                value = final[member["code"]]
                if revision < self.options.revisions - 1:
                    value = math.floor(value * self.rnd.uniform(0.8, 1.2))
                    if member["type"] == "PERCENTAGE":
                        value = min(value, 100)
                queue.append((member["code"], value))
        report_path = f"/reports/{pk}/"
        while queue and time.monotonic() < self.stop_at:
            status, page = self.get(report_path, "page:report")
            if status != 200:
                if not self.think():
                    return
                continue
            fields = parse_fields(page)
            for _ in range(self.rnd.randint(2, 4)):
                if not queue or not self.think():
                    break
                code, value = queue[0]
                version = fields.get(code, ("", ""))[0]
                if version is None:  # read-only: the report was submitted (should not happen)
                    self.shared.anomalies.append(f"{province}: {code} read-only before the last figure")
                    return
                status, answer = self.request(
                    "POST",
                    f"/reports/{pk}/values/{code}/",
                    "save",
                    {"value": str(value), "comment": "", "version": version},
                    htmx=True,
                )
                if status == 200:
                    queue.pop(0)
                    if 'class="field-error"' in answer:
                        error = re.search(r'class="field-error"[^>]*>([^<]*)', answer)
                        self.refused.append(f"{province} {code}={value}: {error.group(1).strip() if error else '?'}")
                    else:
                        new = VERSION.search(answer)  # the field's new version, as the form keeps it
                        if new:
                            fields[code] = (new.group(1), str(value))
            if not self.think():
                return
        if queue:
            return
        with self.shared.lock:
            self.shared.done[province] += 1
            last = self.shared.done[province] == n
        if last:
            self.submit(province, pk, report_path)
        self.browse_after(province, report_path)

    def submit(self, province: str, pk: int, report_path: str) -> None:
        status, page = self.get(report_path, "page:report")
        if status == 200:
            fields = parse_fields(page)
            empty = [code for code, (_v, value) in fields.items() if value == ""]
            if empty or len(fields) != len(self.plan["members"]):
                self.shared.anomalies.append(f"{province}: submitting with {len(empty)} empty of {len(fields)} fields")
        if not self.think():
            return
        status, location = self.request("POST", f"{report_path}submit/", "submit", {"comment": ""})
        if status != 302:
            self.shared.submits[province] = f"status {status}"
            return
        status, page = self.get(location or report_path, "page:report")
        if 'class="alert success"' in page:
            self.shared.submits[province] = "submitted"
        else:
            message = re.search(r'class="alert error"[^>]*>([^<]*)', page)
            self.shared.submits[province] = f"refused: {message.group(1).strip() if message else '?'}"

    def browse_after(self, province: str, report_path: str) -> None:
        pages = [(report_path, "page:report"), (f"/evaluation/units/{province}/", "page:scorecard")]
        pages.append(("/reports/", "page:reports_home"))
        while self.think():
            path, kind = self.rnd.choice(pages)
            self.get(path, kind)

    def reader(self) -> None:
        province = self.person["province"]
        communes = self.plan["communes"].get(province) or [province]
        while self.think():
            choice = self.rnd.random()
            if choice < 0.3:
                self.get(f"/evaluation/units/{province}/", "page:scorecard")
            elif choice < 0.5:
                self.get(f"/evaluation/units/{self.rnd.choice(communes)}/", "page:scorecard")
            elif choice < 0.7:
                self.get("/evaluation/rankings/", "page:ranking")
            elif choice < 0.85:
                pillar = self.rnd.choice(self.plan["pillars"])
                self.get(f"/evaluation/rankings/?pillar={pillar}", "page:ranking")
            else:
                self.get(f"/evaluation/rankings/?type=COMMUNE&page={self.rnd.randint(1, 34)}", "page:ranking")

    def leader(self) -> None:
        own = self.person["province"]
        provinces = self.plan["provinces"]
        period = self.plan["period"]
        while self.think():
            choice = self.rnd.random()
            if choice < 0.2:
                self.get("/", "page:home")
            elif choice < 0.35:
                self.get("/reports/", "page:reports_home")
            elif choice < 0.55:
                self.get("/evaluation/rankings/", "page:ranking")
            elif choice < 0.7:
                self.get("/reports/completeness/", "page:completeness")
            elif choice < 0.8:
                self.get(f"/reports/completeness/?data_set={DATA_SET}&period={period}", "page:completeness")
            else:
                unit = own if self.person["kind"] == "leader" else self.rnd.choice(provinces)
                self.get(f"/evaluation/units/{unit}/", "page:scorecard")


# --- 3. measures during the run ------------------------------------------------------------------


def proc_ticks(pid: int) -> int | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return int(fields[11]) + int(fields[12])  # utime + stime


def children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def machine_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs."""
    values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return total - idle, total


class Sampler(threading.Thread):
    """Load average, machine CPU, CPU time of the server's workers, the worker, the database's
    backends and this process; on PostgreSQL the active backends' wait events."""

    def __init__(self, server_pid: int, worker_pid: int, db_name: str, postgres: bool):
        super().__init__(daemon=True)
        self.server_pid, self.worker_pid, self.db_name, self.postgres = server_pid, worker_pid, db_name, postgres
        self.halt = threading.Event()
        self.loads: list[float] = []
        self.ticks: dict[str, dict[int, int]] = defaultdict(dict)
        self.start_ticks = self.snapshot()
        self.machine_start = machine_ticks()
        self.waits: Counter = Counter()
        self.wait_samples = 0

    def snapshot(self) -> dict[str, dict[int, int]]:
        groups = {
            "gunicorn workers": children(self.server_pid) + [self.server_pid],
            "huey worker": [self.worker_pid],
            "bench clients": [os.getpid()],
        }
        if self.postgres:
            needle = f" {self.db_name} ".encode()
            pids = []
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    with contextlib.suppress(OSError):  # the process ended while we looked
                        if needle in (entry / "cmdline").read_bytes().replace(b"\0", b" ") + b" ":
                            pids.append(int(entry.name))
            groups["postgres backends"] = pids
        result = {}
        for group, pids in groups.items():
            result[group] = {pid: t for pid in pids if (t := proc_ticks(pid)) is not None}
        return result

    def merge(self) -> None:
        for group, pids in self.snapshot().items():
            self.ticks[group].update(pids)

    def run(self) -> None:
        conn = None
        if self.postgres:
            import psycopg

            conn = psycopg.connect(os.environ["DATABASE_URL"].rsplit("/", 1)[0] + "/postgres", autocommit=True)
        step = 0
        while not self.halt.wait(1.0):
            step += 1
            if conn is not None:
                rows = conn.execute(
                    "SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') FROM pg_stat_activity "
                    "WHERE datname = %s AND state = 'active' AND pid <> pg_backend_pid()",
                    [self.db_name],
                ).fetchall()
                self.waits.update(r[0] for r in rows)
                self.wait_samples += 1
            if step % 5 == 0:
                self.loads.append(os.getloadavg()[0])
                self.merge()
        if conn is not None:
            conn.close()

    def cpu_seconds(self) -> dict[str, float]:
        self.merge()
        hz = os.sysconf("SC_CLK_TCK")
        result = {}
        for group, pids in self.ticks.items():
            before = self.start_ticks.get(group, {})
            result[group] = round(sum(t - before.get(pid, 0) for pid, t in pids.items()) / hz, 1)
        busy, total = machine_ticks()
        result["machine busy (all processes, all CPUs)"] = round((busy - self.machine_start[0]) / hz, 1)
        result["machine busy share"] = round((busy - self.machine_start[0]) / max(1, total - self.machine_start[1]), 3)
        return result


def access_log(path: Path) -> dict[str, list[float]]:
    """Server-side seconds per request kind, from gunicorn's access log ('%(m)s %(U)s %(s)s %(D)s')."""
    times = defaultdict(list)
    for line in path.read_text(errors="replace").splitlines():
        parts = line.split()
        if len(parts) != 4 or not parts[3].isdigit():
            continue
        times[kind_of(parts[0], parts[1])].append(int(parts[3]) / 1e6)
    return times


def kind_of(method: str, path: str) -> str:
    if method == "POST":
        return "submit" if path.endswith("/submit/") else "save" if "/values/" in path else f"POST {path}"
    if path == "/":
        return "page:home"
    if path == "/reports/":
        return "page:reports_home"
    if path.startswith("/reports/completeness/"):
        return "page:completeness"
    if path.startswith("/reports/"):
        return "page:report"
    if path.startswith("/evaluation/units/"):
        return "page:scorecard"
    if path.startswith("/evaluation/rankings/"):
        return "page:ranking"
    return f"GET {path}"


def stats(values: list[float]) -> dict:
    ordered = sorted(values)
    if not ordered:
        return {"n": 0}
    return {
        "n": len(ordered),
        "p50_ms": round(statistics.median(ordered) * 1000),
        "p95_ms": round(percentile(ordered, 0.95) * 1000),
        "max_ms": round(ordered[-1] * 1000),
    }


# --- 4. main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="how long the users work")
    parser.add_argument("--per-province", type=int, default=20, help="simulated users per province")
    parser.add_argument("--provinces", type=int, default=34, help="provinces (the first by path; at most 34)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"))
    parser.add_argument("--revisions", type=int, default=2, help="saves of each figure (the last one final)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--client-timeout", type=float, default=300.0, help="seconds a user waits for an answer")
    _common.add_run_arguments(parser, port=8766)
    options = parser.parse_args()

    configure(options)
    setup_django()
    from django.db import connection
    from huey.contrib.djhuey import HUEY

    from giamsat.catalog.choices import Pillar
    from giamsat.events.services import events_dispatch
    from giamsat.reporting.models import DataValue, Report

    load_before = _common.start_database(options)
    started = time.perf_counter()
    people = bench_users(options.per_province)
    provinces = sorted({p["province"] for p in people})[: options.provinces]
    people = [p for p in people if p["province"] in provinces]
    keys = sessions_create([p["user"] for p in people])
    reports = reports_reset(people)
    members, values = final_values(provinces, options.seed)
    period = current_period()
    plan = {
        "reports": reports,
        "members": members,
        "values": values,
        "reporters_per_province": shares(options.per_province)[0],
        "communes": scorecard_targets(provinces),
        "pillars": [p for p in Pillar.values if p != "SECTOR"],
        "provinces": provinces,
        "period": period.code,
    }
    leftover = events_dispatch()
    HUEY.flush()
    report_ids = list(reports.values())
    counts = Counter(p["kind"] for p in people)
    print(
        f"{len(people)} users ({dict(counts)}), {len(provinces)} provinces, reports of {period.code} "
        f"{len(reports)} (all DRAFT), {len(members)} figures each; set-up {time.perf_counter() - started:.1f} s; "
        f"leftover deliveries delivered first: {leftover.delivered}",
        flush=True,
    )
    connection.close()

    var = Path(os.environ["GIAMSAT_VAR_DIR"])
    for old in var.glob(f"{LOG_PREFIX}_begin_*.json"):
        old.unlink()
    access = var / f"{LOG_PREFIX}_access.log"
    gunicorn_args = ["--access-logfile", str(access), "--access-logformat", "%(m)s %(U)s %(s)s %(D)s"]
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        hooks = var / f"{LOG_PREFIX}_gunicorn_hooks.py"
        hooks.write_text(GUNICORN_HOOKS)
        gunicorn_args += ["--config", str(hooks)]
    server, worker, server_log, worker_log = _common.start_processes(
        options.port,
        options.workers,
        log_prefix=LOG_PREFIX,
        probe="/accounts/login/",
        gunicorn_args=tuple(gunicorn_args),
    )
    access.write_text("")  # the probe's line
    db_name = connection.settings_dict["NAME"]
    sampler = Sampler(server.pid, worker.pid, db_name, postgres=not sqlite)
    shared = Shared()
    try:
        load_start = loadavg()
        print(f"{len(people)} users for {options.seconds:.0f} s (load average {load_start}) …", flush=True)
        sampler.start()
        t0 = time.time()
        stop_at = time.monotonic() + options.seconds
        threading.stack_size(512 * 1024)
        users = [
            VirtualUser(i, person, keys[person["user"].pk], options, plan, shared, stop_at)
            for i, person in enumerate(people)
        ]
        for user in users:
            user.start()
        for user in users:
            user.join()
        stopped = time.monotonic()
        t_end = time.time()
        load_at_stop = loadavg()
        pending_at_stop = pending_count()
        queue_at_stop = HUEY.pending_count()
        drained = None
        while time.monotonic() - stopped < options.drain_timeout:
            if pending_count() == 0:
                drained = time.monotonic() - stopped
                break
            time.sleep(0.5)
        sampler.halt.set()
        sampler.join()
        cpu = sampler.cpu_seconds()
        time.sleep(1)  # the worker writes its last log line
    finally:
        stop(server)
        stop(worker)

    records = [r for u in users for r in u.records]
    in_window = [r for r in records if r[1] < t0 + options.seconds]
    by_kind = defaultdict(list)
    errors_by_kind: Counter = Counter()
    statuses_by_kind: dict[str, Counter] = defaultdict(Counter)
    for kind, _at, seconds, status in records:
        by_kind[kind].append(seconds)
        statuses_by_kind[kind][str(status)] += 1
        if status not in EXPECTED.get(kind, (200,)):
            errors_by_kind[kind] += 1
    last_answer = max((r[1] + r[2] for r in records), default=t0)
    pages = [s for k, v in by_kind.items() if k.startswith("page:") for s in v]
    server_times = access_log(access)
    server_pages = [s for k, v in server_times.items() if k.startswith("page:") for s in v]
    begin_stats = []
    for path in var.glob(f"{LOG_PREFIX}_begin_*.json"):
        begin_stats.append(json.loads(path.read_text()))
    refused = [line for u in users for line in u.refused]
    submitted = Report.objects.filter(pk__in=report_ids, status="SUBMITTED").count()
    filled = DataValue.objects.filter(period=period, org_unit__code__in=provinces).count()
    error_lines = log_lines(worker_log, ("Traceback", "ERROR", "Error", "locked", "failed"))
    server_errors = log_lines(server_log, ("Traceback", "ERROR", "Error", "locked", "WORKER TIMEOUT"))
    kinds = ["save", "submit"] + sorted(k for k in by_kind if k.startswith("page:"))
    result = {
        "database": connection.vendor,
        "huey": type(HUEY).__name__,
        "users": dict(counts),
        "seconds": options.seconds,
        "think_s": list(options.think),
        "server_workers": options.workers,
        "requests": len(records),
        "requests_started_in_window": len(in_window),
        "requests_per_s": round(len(in_window) / options.seconds, 1),
        "last_answer_after_stop_s": round(last_answer - (t0 + options.seconds), 1),
        # Throughput: every answer, over the time from the start to the last answer.
        "answers_per_s": round(len(records) / max(1e-9, last_answer - t0), 1),
        "errors": sum(errors_by_kind.values()),
        "errors_by_kind": dict(errors_by_kind),
        "statuses_by_kind": {k: dict(v) for k, v in statuses_by_kind.items()},
        "latency": {k: stats(by_kind[k]) for k in kinds} | {"pages (all)": stats(pages)},
        "server_time": {k: stats(server_times.get(k, [])) for k in kinds} | {"pages (all)": stats(server_pages)},
        "refused_saves": len(refused),
        "reports_submitted": f"{submitted} of {len(report_ids)}",
        "submit_outcomes": dict(Counter(shared.submits.values())),
        "anomalies": shared.anomalies[:10],
        "figures_stored_current_period": filled,
        "pending_deliveries_at_stop": pending_at_stop,
        "huey_queue_at_stop": queue_at_stop,
        "drained_after_s": round(drained, 1) if drained is not None else f"not within {options.drain_timeout:.0f} s",
        "pending_after_wait": pending_count(),
        "cpu_seconds_during_run": cpu,
        "postgres_active_backends_by_wait_per_sample": {
            k: round(v / sampler.wait_samples, 2) for k, v in sampler.waits.most_common(8)
        }
        if sampler.wait_samples
        else None,
        "sqlite_begin_immediate": {
            "begins": sum(s["begins"] for s in begin_stats),
            "wait_s": round(sum(s["wait_s"] for s in begin_stats), 1),
            "max_s": round(max((s["max_s"] for s in begin_stats), default=0), 2),
            "over_100ms": sum(s["over_100ms"] for s in begin_stats),
            "over_1s": sum(s["over_1s"] for s in begin_stats),
            "workers_reporting": len(begin_stats),
        }
        if sqlite
        else None,
        "worker_log_error_lines": len(error_lines),
        "server_log_error_lines": len(server_errors),
        "load_average_before": load_before,
        "load_average_at_start": load_start,
        "load_average_1min_during_run_min_mean_max": [
            round(min(sampler.loads), 2),
            round(statistics.mean(sampler.loads), 2),
            round(max(sampler.loads), 2),
        ]
        if sampler.loads
        else None,
        "load_average_at_stop": load_at_stop,
        "run_started_utc": dt.datetime.fromtimestamp(t0, dt.UTC).isoformat(timespec="seconds"),
        "run_ended_utc": dt.datetime.fromtimestamp(t_end, dt.UTC).isoformat(timespec="seconds"),
    }
    info = machine()
    print("result:", json.dumps(result, ensure_ascii=False), flush=True)
    shown = 0
    for user in users:
        for error in user.errors[:1]:
            if shown < 15:
                print(f"client {user.person['user'].username}: {error}")
                shown += 1
    for line in refused[:10]:
        print("refused save:", line)
    for line in error_lines[:20]:
        print("worker log:", line)
    for line in server_errors[:20]:
        print("server log:", line)
    print()
    print(f"Command: .venv/bin/python {' '.join(sys.argv)}")
    print(
        f"Machine: {info['cpu']}, {info['memory']} memory; Python {info['python']}; {info['database']}; "
        f"Huey {result['huey']}."
    )
    print()
    print(f"| {connection.vendor}: kind | requests | errors | p50 / p95 / max (ms) | server time p50 / p95 (ms) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for kind in [*kinds, "pages (all)"]:
        c, s = result["latency"][kind], result["server_time"][kind]
        if not c["n"]:
            continue
        errors = (
            errors_by_kind.get(kind, 0)
            if kind != "pages (all)"
            else sum(v for k, v in errors_by_kind.items() if k.startswith("page:"))
        )
        server_text = f"{s['p50_ms']} / {s['p95_ms']}" if s["n"] else "—"
        print(f"| {kind} | {c['n']:,} | {errors} | {c['p50_ms']} / {c['p95_ms']} / {c['max_ms']} | {server_text} |")
    print()
    print(
        f"requests/s {result['requests_per_s']}; backlog at stop {pending_at_stop}, drained after "
        f"{result['drained_after_s']} s; reports submitted {result['reports_submitted']}; CPU s {json.dumps(cpu)}"
    )


if __name__ == "__main__":
    main()
