"""Benchmark of plan execution monitoring at national size (issue 17, point 8): 25,000 tasks a
year across the 34 provinces' departments, the ministry's departments and 30 ministries' IT
units; p95 of the task lists (plans.selectors.tasks_query, first page of 50 with its count,
filtered by status, unit and due range), of plans_overview, and of the HTTP pages and API when
they exist (through django.test.Client; a route answering 404 is skipped). Target: p95 < 200 ms.

    .venv/bin/python bench/plans_benchmark.py --database sqlite
    .venv/bin/python bench/plans_benchmark.py --database postgresql

Its own database (SQLite /tmp/bench_plans.sqlite3, PostgreSQL giamsat_bench_plans; DATABASE_URL
wins), generated once: registry loaded, then the plans and tasks bulk-created (the bench is about
reads; a seeded generator, statuses spread over every value as of today). Each measurement is
repeated `--requests` times after two warm-up runs (median, p95), the queries of one more run are
counted. The baseline, measured in the same run, is the cheapest page there is: the first 50
tasks by deadline without scope, status or count; each figure is also given as its multiple.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PG_BASE, create_database, loadavg  # noqa: E402

TASKS_PER_YEAR = 25_000
IT_UNITS = 30
SEED = 17


def units():
    from giamsat.orgunits.models import OrgUnit

    provinces = list(
        OrgUnit.objects.filter(type="PROVINCIAL_DEPT", valid_to__isnull=True, parent__type="PROVINCE").order_by("code")
    )
    depts = list(OrgUnit.objects.filter(type="MINISTRY_DEPT", parent__code="BO_KHCN").order_by("code"))
    # 30 ministries' IT units: those in force, then the former ones (the registry has 31 in all).
    it_units = list(OrgUnit.objects.filter(type="MINISTRY_IT_UNIT").order_by("valid_to", "code"))[:IT_UNITS]
    return provinces + depts + it_units


def bench_users():
    from giamsat.accounts.choices import Role
    from giamsat.accounts.models import User
    from giamsat.accounts.services import user_create
    from giamsat.orgunits.models import OrgUnit

    specs = {
        "ministry leader": ("bench.plans.leader", Role.MINISTRY_LEADER, [], ["VN", "CP"]),
        "reporter": ("bench.plans.reporter", Role.PROVINCE_REPORTER, ["P01"], []),
    }
    users = {}
    for label, (username, role, capture, view) in specs.items():
        user = User.objects.filter(username=username).first() or user_create(
            username=username,
            password=os.urandom(16).hex(),
            role=role,
            full_name=username,
            capture_units=list(OrgUnit.objects.filter(code__in=capture)),
            view_units=list(OrgUnit.objects.filter(code__in=view)),
            home_unit=OrgUnit.objects.filter(code="SKHCN_01").first() if capture else None,
        )
        users[label] = user
    return users


def generate(years: list[int], today: dt.date, leader) -> dict:
    """Plans and tasks, bulk-created (a tenth of them sub-tasks), with one history line each."""
    from django.db import transaction
    from django.utils import timezone

    from giamsat.plans.choices import TASK_KIND
    from giamsat.plans.models import Plan, Task
    from giamsat.tracking.choices import Review, WorkAction
    from giamsat.tracking.models import WorkEvent, WorkItem

    if Task.objects.exists():
        return {"generated": False, "tasks": Task.objects.count()}
    rng = random.Random(SEED)
    started = time.perf_counter()
    owners = units()
    domains = ["POST", "TELECOM", "IT_DX", "CYBERSEC", "ICT_INDUSTRY", "PRESS", "DIGITAL_ECONOMY", "DIGITAL_SOCIETY"]
    now = timezone.now()
    with transaction.atomic():
        for year in years:
            plans = Plan.objects.bulk_create(
                Plan(org_unit=u, year=year, title=f"Kế hoạch năm {year}", created_by=leader, created_at=now)
                for u in owners
            )
            items, tasks = [], []
            plan = plans[0]
            for n in range(TASKS_PER_YEAR):
                is_sub = n % 10 == 9  # a sub-task of the task before it, in the same plan
                plan = plan if is_sub else plans[n % len(plans)]
                due = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
                start = max(dt.date(year, 1, 1), due - dt.timedelta(days=rng.randint(30, 150)))
                completed = None
                if due < today and rng.random() < 0.85 or due >= today and rng.random() < 0.1:
                    completed = min(today - dt.timedelta(days=1), due + dt.timedelta(days=rng.randint(-20, 25)))
                    completed = max(completed, start)
                items.append(
                    WorkItem(
                        kind=TASK_KIND,
                        title=f"Nhiệm vụ {n} năm {year}: triển khai chuyển đổi số lĩnh vực {rng.choice(domains)}",
                        owner_unit=plan.org_unit,
                        assigned_by=leader,
                        start_date=start,
                        due_date=due,
                        original_due_date=due,
                        progress=100 if completed else rng.choice((0, 20, 50, 80)),
                        completed_on=completed,
                        review=Review.ACCEPTED if completed else "",
                        created_at=now,
                        updated_at=now,
                    )
                )
                tasks.append((plan, rng.choice(domains), is_sub))
            WorkItem.objects.bulk_create(items, batch_size=2000)
            rows = []
            parent = None
            for item, (plan, domain, is_sub) in zip(items, tasks, strict=True):
                task = Task(item=item, plan=plan, domain=domain, parent=parent if is_sub else None)
                rows.append(task)
                if not is_sub:
                    parent = task
            # Parents first: bulk_create keeps the order, and sub-tasks point at earlier rows.
            Task.objects.bulk_create([t for t in rows if t.parent is None], batch_size=2000)
            Task.objects.bulk_create([t for t in rows if t.parent is not None], batch_size=2000)
            WorkEvent.objects.bulk_create(
                (WorkEvent(item=i, action=WorkAction.CREATE, by=leader, at=now) for i in items), batch_size=2000
            )
    return {"generated": True, "tasks": Task.objects.count(), "seconds": round(time.perf_counter() - started, 1)}


def measure(fn, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        fn()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as queries:
        fn()
    times.sort()
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "p95_ms": round(times[max(0, round(0.95 * len(times)) - 1)] * 1000, 1),
        "queries": len(queries.captured_queries),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="sqlite")
    parser.add_argument("--requests", type=int, default=20)
    options = parser.parse_args()
    if options.database == "postgresql":
        os.environ.setdefault("DATABASE_URL", f"{PG_BASE}/giamsat_bench_plans")
        create_database(os.environ["DATABASE_URL"])
    else:
        os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bench_plans.sqlite3")
    os.environ.setdefault("GIAMSAT_VAR_DIR", "/tmp/bench_plans_var")
    Path(os.environ["GIAMSAT_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giamsat.settings")
    os.environ["EVENTS_DISPATCH"] = "off"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)  # a line per forced login otherwise
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from giamsat.orgunits.models import OrgUnit
    from giamsat.plans.models import Plan, Task
    from giamsat.plans.selectors import TaskFilters, plans_overview, tasks_page, tasks_query
    from giamsat.tracking.choices import WorkStatus

    call_command("migrate", verbosity=0)
    settings.DEBUG = False
    if not OrgUnit.objects.exists():
        call_command("load_reference", "--quiet", verbosity=0)
    today = timezone.localdate()
    years = [today.year - 2, today.year - 1, today.year]
    users = bench_users()
    leader, reporter = users["ministry leader"], users["reporter"]
    info = generate(years, today, leader)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"Database: {connection.vendor}; {os.cpu_count()} cores; load {loadavg()}; {json.dumps(info)}; "
        f"{Plan.objects.count()} plans",
        flush=True,
    )

    def page(user, **filters):
        """A list page: the count, and the first 50 rows read in two steps (tasks_page)."""

        def run():
            tasks = tasks_query(user=user, filters=TaskFilters(**filters), today=today)
            return tasks.count(), tasks_page(tasks)

        return run

    def sliced(user, **filters):
        """The same page sliced straight from the queryset (what a plain Paginator does)."""

        def run():
            tasks = tasks_query(user=user, filters=TaskFilters(**filters), today=today)
            return tasks.count(), list(tasks[:50])

        return run

    month = today.replace(day=1)
    cases = {
        "baseline: first 50 tasks by deadline, no scope/status/count": lambda: list(
            Task.objects.select_related("item").order_by("item__due_date", "item_id")[:50]
        ),
        "tasks, ministry, this year": page(leader, year=today.year),
        "tasks, ministry, this year, sliced (no tasks_page)": sliced(leader, year=today.year),
        "tasks, ministry, all years": page(leader),
        "tasks, ministry, overdue": page(leader, status=WorkStatus.OVERDUE),
        "tasks, ministry, in progress this year": page(leader, status=WorkStatus.IN_PROGRESS, year=today.year),
        "tasks, ministry, unit SKHCN_01": page(leader, unit="SKHCN_01"),
        "tasks, ministry, due this month": page(leader, due_from=month, due_to=month + dt.timedelta(days=30)),
        "tasks, reporter (Hà Nội), this year": page(reporter, year=today.year),
        "tasks, reporter (Hà Nội), overdue": page(reporter, status=WorkStatus.OVERDUE),
        "plans_overview, ministry, this year": lambda: plans_overview(user=leader, year=today.year, today=today),
        "plans_overview, reporter, this year": lambda: plans_overview(user=reporter, year=today.year, today=today),
    }
    plan = Plan.objects.filter(org_unit__code="SKHCN_01", year=today.year).first()
    task = Task.objects.filter(plan=plan).order_by("pk").first()
    urls = {
        "HTTP baseline: /notifications/": (leader, "/notifications/"),
        "HTTP /plans/ (ministry)": (leader, "/plans/"),
        "HTTP /plans/ overdue": (leader, "/plans/?status=OVERDUE"),
        "HTTP /plans/<pk>/ (Hà Nội's plan)": (reporter, f"/plans/{plan.pk}/"),
        "HTTP /plans/tasks/<pk>/": (reporter, f"/plans/tasks/{task.pk}/"),
        "API /api/v1/plans/tasks (ministry)": (leader, "/api/v1/plans/tasks"),
        "API /api/v1/plans/tasks?status=OVERDUE": (leader, "/api/v1/plans/tasks?status=OVERDUE"),
        "API /api/v1/plans/tasks (reporter)": (reporter, "/api/v1/plans/tasks"),
    }
    results = {}
    for label, fn in cases.items():
        results[label] = measure(fn, options.requests)
    for label, (user, url) in urls.items():
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="vi")
        client.force_login(user)
        status = client.get(url).status_code
        if status != 200:
            results[label] = {"skipped": f"HTTP {status}"}
            continue

        def get(client=client, url=url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        results[label] = measure(get, options.requests)
    base = results["baseline: first 50 tasks by deadline, no scope/status/count"]["p95_ms"]
    http_base = results["HTTP baseline: /notifications/"].get("p95_ms")
    for label, row in results.items():
        if "p95_ms" in row:
            ref = http_base if label.startswith(("HTTP", "API")) and http_base else base
            row["x_baseline"] = round(row["p95_ms"] / ref, 1) if ref else None
            row["target_met"] = row["p95_ms"] < 200
        print(f"{label}: {json.dumps(row, ensure_ascii=False)}", flush=True)
    results["load_after"] = loadavg()
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
