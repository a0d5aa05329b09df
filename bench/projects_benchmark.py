"""Benchmark of investment project monitoring at national size (issue 18): 5,000 projects and
100,000 transactions across the 34 provinces and the ministries' IT units; p50/p95 of the
portfolio page (all, and filtered), a project page, the API's list and detail (through
django.test.Client; a route that does not resolve or does not answer 200 yet is skipped and
said so), and of the full red-flag evaluation (services.flags_evaluate over every project;
target < 5 s).

    .venv/bin/python bench/projects_benchmark.py --database sqlite --scale 0.05   # a quick check
    .venv/bin/python bench/projects_benchmark.py --database sqlite
    .venv/bin/python bench/projects_benchmark.py --database postgresql

Its own database (SQLite /tmp/bench_projects[_<scale>].sqlite3, PostgreSQL
giamsat_bench_projects[_<scale>]; DATABASE_URL wins), generated once: registry loaded, then the
projects, budgets, baselines, packages, milestones, progress and transactions bulk-created with a
seeded generator (the bench is about reads); the flags are raised and the year's figures written
through the services. Each measurement is repeated `--requests` times after two warm-up runs
(median, p95), the queries of one more run are counted. Baselines measured in the same run: the
first 50 projects by code without scope or annotations (for the selectors and the flags), and
/notifications/ (for the HTTP pages and the API); each figure is also given as its multiple.
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

PROJECTS = 5_000
TRANSACTIONS = 100_000
SEED = 18
TARGET_MS = 200
FLAGS_TARGET_S = 5


def bench_users():
    from giamsat.accounts.choices import Role
    from giamsat.accounts.models import User
    from giamsat.accounts.services import user_create
    from giamsat.orgunits.models import OrgUnit

    specs = {
        "ministry leader": ("bench.projects.leader", Role.MINISTRY_LEADER, [], ["VN", "CP"]),
        "reporter": ("bench.projects.reporter", Role.PROVINCE_REPORTER, ["P01"], []),
    }
    users = {}
    for label, (username, role, capture, view) in specs.items():
        users[label] = User.objects.filter(username=username).first() or user_create(
            username=username,
            password=os.urandom(16).hex(),
            role=role,
            full_name=username,
            capture_units=list(OrgUnit.objects.filter(code__in=capture)),
            view_units=list(OrgUnit.objects.filter(code__in=view)),
            home_unit=OrgUnit.objects.filter(code="SKHCN_01").first() if capture else None,
        )
    return users


def generate(n_projects: int, n_transactions: int, today: dt.date, leader) -> dict:
    """Projects and their records, bulk-created; a sixth of them behind on disbursement, a few
    with a single bidder, a contract above the estimate, an overdue milestone, a low CPI."""
    from django.db import transaction
    from django.utils import timezone

    from giamsat.orgunits.models import OrgUnit
    from giamsat.projects.choices import MILESTONE_KIND
    from giamsat.projects.engine.earned_value import planned_curve
    from giamsat.projects.models import (
        Milestone,
        Package,
        PhysicalProgress,
        Project,
        ProjectBaseline,
        ProjectOwnership,
        Transaction,
        YearBudget,
    )
    from giamsat.tracking.models import WorkItem

    if Project.objects.exists():
        return {"generated": False}
    rng = random.Random(SEED)
    started = time.perf_counter()
    owners = list(OrgUnit.objects.filter(type="PROVINCE", valid_to__isnull=True).order_by("code"))
    owners += list(OrgUnit.objects.filter(type="PROVINCIAL_DEPT", code__startswith="SKHCN_", valid_to__isnull=True))
    owners += list(OrgUnit.objects.filter(type="MINISTRY_IT_UNIT", valid_to__isnull=True))
    now = timezone.now()
    per_project = max(1, n_transactions // n_projects)
    with transaction.atomic():
        projects = []
        for n in range(n_projects):
            decision = today - dt.timedelta(days=rng.randint(60, 1500))
            start = decision + dt.timedelta(days=30)
            end = max(start + dt.timedelta(days=rng.randint(540, 1200)), today + dt.timedelta(days=90))
            owner = owners[n % len(owners)]
            projects.append(
                Project(
                    code=f"BENCH-{n:05d}",
                    name=f"Dự án chuyển đổi số số {n}: xây dựng kho dữ liệu dùng chung",
                    owner_unit=owner,
                    type="INVESTMENT",
                    programme=rng.choice(("NATIONAL_DX", "DIGITAL_GOVERNMENT", "SMART_CITY")),
                    status="PIPELINE" if n % 50 == 7 else "IMPLEMENTATION",
                    decision_number=f"{n}/QĐ-UBND",
                    decision_date=decision,
                    decision_body="Ủy ban nhân dân",
                    total_investment=rng.randint(2, 300) * 1_000_000_000,
                    planned_start=start,
                    planned_end=end,
                    actual_start=None if n % 50 == 7 else start,
                    created_by=leader,
                    created_at=now,
                    updated_at=now,
                )
            )
        Project.objects.bulk_create(projects, batch_size=2000)
        ProjectOwnership.objects.bulk_create(
            (ProjectOwnership(project=p, unit=p.owner_unit, valid_from=p.decision_date) for p in projects),
            batch_size=2000,
        )
        budgets, baselines, packages, progress, rows, items, kinds = [], [], [], [], [], [], []
        for n, p in enumerate(projects):
            curve = planned_curve(start=p.planned_start, end=p.planned_end, total=p.total_investment)
            previous, years = 0, {}
            for day, value in curve:
                years[day.year] = years.get(day.year, 0) + value - previous
                previous = value
            budgets += [
                YearBudget(project=p, year=y, planned=v, allocated=v if y <= today.year else 0)
                for y, v in years.items()
            ]
            baselines.append(
                ProjectBaseline(
                    project=p,
                    number=1,
                    taken_on=p.decision_date,
                    reason="Baseline at approval",
                    budget_at_completion=p.total_investment,
                    curve=[[d.isoformat(), v] for d, v in curve],
                )
            )
            estimate = p.total_investment * 88 // 100
            ratio = 106 if n % 40 == 3 else 95
            packages.append(
                Package(
                    project=p,
                    code="GT-02",
                    name="Cung cấp, lắp đặt thiết bị, phần mềm",
                    method="OPEN",
                    stage="IMPLEMENTATION",
                    estimated_value=estimate,
                    contract_value=estimate * ratio // 100,
                    bidders=1 if n % 30 == 5 else rng.randint(2, 5),
                )
            )
            if p.status == "PIPELINE":
                continue
            months = [d for d, _v in curve if d < today][-per_project:]
            pace = 0.4 if n % 6 == 1 else 0.95
            paid = 0
            for i, day in enumerate(months):
                amount = max(1, int(p.total_investment / len(curve) * (pace if day.year == today.year else 0.95)))
                rows.append(Transaction(project=p, kind="DISBURSEMENT", date=day, amount=amount, recorded_at=now))
                paid += amount
                if i == len(months) - 1:
                    cpi = 0.6 if n % 35 == 9 else 1.05
                    percent = min(100, round(paid / p.total_investment * 100 * cpi, 2))
                    progress.append(PhysicalProgress(project=p, on=day, percent=percent))
            for title, due in (("Ký hợp đồng", p.decision_date + dt.timedelta(days=90)), ("Nghiệm thu", p.planned_end)):
                done = due < today and not (n % 25 == 11 and title == "Nghiệm thu")
                if n % 25 == 11 and title == "Nghiệm thu":
                    due = today - dt.timedelta(days=60)
                items.append(
                    WorkItem(
                        kind=MILESTONE_KIND,
                        title=title,
                        owner_unit=p.owner_unit,
                        assigned_by=leader,
                        start_date=p.decision_date,
                        due_date=due,
                        original_due_date=due,
                        progress=100 if done else 0,
                        completed_on=due if done else None,
                        created_at=now,
                        updated_at=now,
                    )
                )
                kinds.append(p)
        YearBudget.objects.bulk_create(budgets, batch_size=2000)
        ProjectBaseline.objects.bulk_create(baselines, batch_size=500)
        Package.objects.bulk_create(packages, batch_size=2000)
        # Up to the transactions asked for: the rest as commitments spread over the projects.
        while len(rows) < n_transactions:
            p = projects[len(rows) % len(projects)]
            rows.append(Transaction(project=p, kind="COMMITMENT", date=p.decision_date, amount=1, recorded_at=now))
        Transaction.objects.bulk_create(rows[:n_transactions], batch_size=5000)
        PhysicalProgress.objects.bulk_create(progress, batch_size=2000)
        WorkItem.objects.bulk_create(items, batch_size=2000)
        Milestone.objects.bulk_create(
            (Milestone(item=i, project=p, type="delivery") for i, p in zip(items, kinds, strict=True)), batch_size=2000
        )
    return {
        "generated": True,
        "projects": Project.objects.count(),
        "transactions": Transaction.objects.count(),
        "seconds": round(time.perf_counter() - started, 1),
    }


def measure(fn, requests: int, warm: int = 2) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warm):
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
    parser.add_argument("--scale", type=float, default=1.0, help="share of 5,000 projects / 100,000 transactions")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--flag-runs", type=int, default=5, help="full flag evaluations measured")
    options = parser.parse_args()
    suffix = "" if options.scale == 1 else f"_{str(options.scale).replace('.', '_')}"
    if options.database == "postgresql":
        os.environ.setdefault("DATABASE_URL", f"{PG_BASE}/giamsat_bench_projects{suffix}")
        create_database(os.environ["DATABASE_URL"])
    else:
        os.environ.setdefault("DATABASE_URL", f"sqlite:////tmp/bench_projects{suffix}.sqlite3")
    os.environ.setdefault("GIAMSAT_VAR_DIR", "/tmp/bench_projects_var")
    Path(os.environ["GIAMSAT_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giamsat.settings")
    os.environ["EVENTS_DISPATCH"] = "off"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    logging.getLogger("axes").setLevel(logging.WARNING)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.urls import Resolver404, resolve
    from django.utils import timezone

    from giamsat.orgunits.models import OrgUnit
    from giamsat.projects.figures import project_figures_write
    from giamsat.projects.models import Project, RedFlag
    from giamsat.projects.selectors import PortfolioFilters, portfolio
    from giamsat.projects.services import flag_rules_load_default, flags_evaluate

    call_command("migrate", verbosity=0)
    settings.DEBUG = False
    if not OrgUnit.objects.exists():
        call_command("load_reference", "--quiet", verbosity=0)
        call_command("load_catalog", verbosity=0)
    today = timezone.localdate()
    users = bench_users()
    leader, reporter = users["ministry leader"], users["reporter"]
    info = generate(round(PROJECTS * options.scale), round(TRANSACTIONS * options.scale), today, leader)
    flag_rules_load_default()
    if info["generated"]:
        started = time.perf_counter()
        info["flags_first"] = flags_evaluate(today=today)
        info["flags_first_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        info["figures_values"] = project_figures_write(year=today.year, today=today)
        info["figures_s"] = round(time.perf_counter() - started, 1)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print(
        f"Database: {connection.vendor}; {os.cpu_count()} cores; load {loadavg()}; {json.dumps(info)}; "
        f"{Project.objects.count()} projects, {RedFlag.objects.filter(cleared_on__isnull=True).count()} open flags",
        flush=True,
    )

    def page(user, **filters):
        def run():
            projects = portfolio(user, PortfolioFilters(**filters), year=today.year)
            return projects.count(), list(projects[:50])

        return run

    baseline_label = "baseline: first 50 projects by code, no scope/annotations"
    cases = {
        baseline_label: lambda: list(Project.objects.select_related("owner_unit").order_by("code")[:50]),
        "portfolio selector, ministry": page(leader),
        "portfolio selector, ministry, flagged": page(leader, flag="any"),
        "portfolio selector, reporter (Hà Nội)": page(reporter),
    }
    results = {label: measure(fn, options.requests) for label, fn in cases.items()}
    results["flags_evaluate, every project"] = measure(
        lambda: flags_evaluate(today=today), max(1, options.flag_runs), warm=1
    )
    project = Project.objects.filter(owner_unit__code__in=["P01", "SKHCN_01"]).order_by("code").first()
    code = project.code if project else "none"
    urls = {
        "HTTP baseline: /notifications/": (leader, "/notifications/"),
        "HTTP /projects/ (ministry)": (leader, "/projects/"),
        "HTTP /projects/?flag=any": (leader, "/projects/?flag=any"),
        "HTTP /projects/?flag=DISBURSEMENT_BEHIND": (leader, "/projects/?flag=DISBURSEMENT_BEHIND"),
        "HTTP /projects/ (reporter)": (reporter, "/projects/"),
        "HTTP /projects/<code>/": (reporter, f"/projects/{code}/"),
        "API /api/v1/projects (ministry)": (leader, "/api/v1/projects"),
        "API /api/v1/projects?flag=any": (leader, "/api/v1/projects?flag=any"),
        "API /api/v1/projects/{code}": (reporter, f"/api/v1/projects/{code}"),
    }
    for label, (user, url) in urls.items():
        try:
            resolve(url.split("?")[0])
        except Resolver404:
            results[label] = {"skipped": "route does not resolve yet"}
            continue
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
    base = results[baseline_label]["p95_ms"]
    http_base = results["HTTP baseline: /notifications/"].get("p95_ms")
    for label, row in results.items():
        if "p95_ms" in row:
            ref = http_base if label.startswith(("HTTP", "API")) and http_base else base
            row["x_baseline"] = round(row["p95_ms"] / ref, 1) if ref else None
            limit = FLAGS_TARGET_S * 1000 if label.startswith("flags_evaluate") else TARGET_MS
            row["target_met"] = row["p95_ms"] < limit
        print(f"{label}: {json.dumps(row, ensure_ascii=False)}", flush=True)
    results["load_after"] = loadavg()
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
