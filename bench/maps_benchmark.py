"""The offline maps and the indicator page on the demo data: the map API's size (raw and gzip)
and the server time of the pages and JSON endpoints, measured in-process through Django's full
request handling (middleware, sessions, templates, database), DEBUG off.

Run against a database loaded as `make run` loads it (migrate, load_reference, load_catalog,
load_demo_history, recompute, load_demo):

    GIAMSAT_VAR_DIR=/tmp/maps_var .venv/bin/python bench/maps_benchmark.py --repeat 40

Each address is asked once to warm up, then `--repeat` times; p50 and p95 are of those times.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--indicator", default="HH_FIBER_RATE")
    parser.add_argument("--period", default="2026Q3")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giamsat.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", os.urandom(24).hex())
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from giamsat.accounts.models import User
    from giamsat.maps import selectors

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"load average: {Path('/proc/loadavg').read_text().split()[:3]}")
    for day in ("2026-12-07", "2025-06-30"):
        selectors._payloads.clear()
        start = time.perf_counter()
        payload = selectors.provinces_geojson(dt.date.fromisoformat(day))
        first = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        selectors.provinces_geojson(dt.date.fromisoformat(day))
        cached = (time.perf_counter() - start) * 1000
        assert gzip.decompress(payload.gzipped) == payload.body
        print(
            f"provinces on {day}: {payload.provinces} provinces + 2 archipelagos, "
            f"{len(payload.body):,} bytes raw, {len(payload.gzipped):,} bytes gzip; "
            f"built in {first:.1f} ms, then {cached:.2f} ms (one query)"
        )

    i, p = args.indicator, args.period
    addresses = [
        ("indicator page", f"/evaluation/indicators/{i}/?period={p}"),
        ("map values (API)", f"/api/v1/maps/indicator?indicator={i}&period={p}"),
        ("map outlines (API, gzip)", "/api/v1/maps/provinces?on=2026-09-30"),
        ("trend (JSON)", f"/evaluation/indicators/{i}/trend/?period={p}&trend=P01"),
        ("export CSV", f"/evaluation/indicators/{i}/export/csv/?period={p}"),
        ("export Excel", f"/evaluation/indicators/{i}/export/xlsx/?period={p}"),
    ]
    print(f"\n{'user':<14} {'address':<26} {'status':>6} {'bytes':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for username in ("lanhdao.bo", "hanoi.lanhdao"):
        client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT_ENCODING="gzip")
        client.force_login(User.objects.get(username=username))
        for name, url in addresses:
            response = client.get(url)
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
            print(
                f"{username:<14} {name:<26} {response.status_code:>6} {len(response.content):>9,} "
                f"{statistics.median(times):>8.1f} {p95:>8.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
