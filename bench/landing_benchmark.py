"""Benchmark of the landing pages (issue 16): server time of `/` for each role's overview, of
the indicator page a headline card opens, and the weight of the reporter's first load.

    .venv/bin/python bench/landing_benchmark.py --demo                          # make run's data
    .venv/bin/python bench/landing_benchmark.py --database postgresql --scale 1  # commune scale

`--demo` uses a copy of `make run`'s SQLite database (var/giamsat.sqlite3, or
GIAMSAT_VAR_DIR's) with its demo users: lanhdao.bo (ministry), hanoi.lanhdao (province
leader), hanoi.baocao (reporter). Otherwise the evaluation benchmark's database at that scale
(bench/evaluation_benchmark.py generates and recomputes it; giamsat_bench_eval, or
giamsat_bench_eval_s<percent> below scale 1) with three benchmark users of the same roles
created on the first province. Each page is requested twice to warm up, then `--requests`
times (median, p95); the queries of one more request are counted. The reporter's first load
is its HTML plus every stylesheet and script the page names, raw and gzipped.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PG_BASE, loadavg  # noqa: E402


def suffix(scale: float) -> str:
    return "" if scale >= 1 else f"_s{round(scale * 100)}"


def bench_users() -> dict[str, object]:
    """Three users of the overview's roles, on the first current province (created once)."""
    from giamsat.accounts.choices import Role
    from giamsat.accounts.models import User
    from giamsat.accounts.services import user_create
    from giamsat.orgunits.models import OrgUnit

    province = OrgUnit.objects.filter(type="PROVINCE", valid_to__isnull=True).order_by("code").first()
    specs = {
        "ministry leader": ("bench.ministry", Role.MINISTRY_LEADER, [], ["VN", "CP"]),
        "province leader": ("bench.province.leader", Role.PROVINCE_LEADER, [province.code], []),
        "reporter": ("bench.province.reporter", Role.PROVINCE_REPORTER, [province.code], []),
    }
    users = {}
    for role_label, (username, role, capture, view) in specs.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                username=username,
                password=os.urandom(16).hex(),
                role=role,
                full_name=username,
                capture_units=list(OrgUnit.objects.filter(code__in=capture)),
                view_units=list(OrgUnit.objects.filter(code__in=view)),
            )
        users[role_label] = user
    return users


def demo_users() -> dict[str, object]:
    from giamsat.accounts.models import User

    names = {"ministry leader": "lanhdao.bo", "province leader": "hanoi.lanhdao", "reporter": "hanoi.baocao"}
    return {label: User.objects.get(username=name) for label, name in names.items()}


def first_load(html: bytes) -> dict:
    """The HTML and the stylesheets and scripts it names (from the static folders), raw and gzip."""
    from django.contrib.staticfiles import finders

    names = re.findall(rb'(?:src|href)="/static/([^"?#]+)"', html)
    files = {"html": html}
    for name in names:
        path = finders.find(name.decode())
        if path:
            files[name.decode()] = Path(path).read_bytes()
    return {
        "files": sorted(files),
        "bytes": sum(len(b) for b in files.values()),
        "gzip_bytes": sum(len(gzip.compress(b, 6)) for b in files.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--demo", action="store_true", help="a copy of make run's demo database")
    parser.add_argument("--requests", type=int, default=20)
    options = parser.parse_args()
    if options.demo:
        source = Path(os.environ.get("GIAMSAT_VAR_DIR", ROOT / "var")) / "giamsat.sqlite3"
        if not source.exists():
            print(f"No demo database at {source}: run `make run` once first.")
            return 1
        copy = Path("/tmp/bench_landing_demo.sqlite3")
        shutil.copyfile(source, copy)
        os.environ["DATABASE_URL"] = f"sqlite:///{copy}"
    elif options.database == "postgresql":
        os.environ.setdefault("DATABASE_URL", f"{PG_BASE}/giamsat_bench_eval{suffix(options.scale)}")
    else:
        os.environ.setdefault("DATABASE_URL", f"sqlite:////tmp/bench_eval{suffix(options.scale)}.sqlite3")
    os.environ.setdefault("GIAMSAT_VAR_DIR", "/tmp/bench_landing_var")
    Path(os.environ["GIAMSAT_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giamsat.settings")
    os.environ["EVENTS_DISPATCH"] = "off"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    settings.DEBUG = False
    print(f"Database: {os.environ['DATABASE_URL']}; {os.cpu_count()} cores, {connection.vendor}; load {loadavg()}")
    users = demo_users() if options.demo else bench_users()
    # The overviews, then the indicator page a headline card opens (provinces, and communes).
    pages = [(label, user, "/") for label, user in users.items()]
    indicator = "/evaluation/indicators/DVC_FULL_ONLINE_RATE_PROV/"
    pages += [
        ("indicator page, provinces", users["ministry leader"], indicator),
        ("indicator page, communes", users["ministry leader"], indicator + "?type=COMMUNE"),
    ]
    results = {}
    for label, user, url in pages:
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_LANGUAGE="vi")
        client.force_login(user)
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 200, (label, response.status_code)
        times = []
        for _ in range(options.requests):
            started = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - started)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        times.sort()
        results[label] = {
            "url": url,
            "median_ms": round(statistics.median(times) * 1000, 1),
            "p95_ms": round(times[max(0, round(0.95 * len(times)) - 1)] * 1000, 1),
            "queries": len(queries.captured_queries),
            "html_bytes": len(response.content),
        }
        if label == "reporter":
            results[label]["first_load"] = first_load(response.content)
        print(f"{label}: {json.dumps(results[label], ensure_ascii=False)}", flush=True)
    results["load_after"] = loadavg()
    print(json.dumps(results, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
