"""Benchmark of the alert scans: every rule over everything it covers, on the evaluation
benchmark's commune-scale data set.

    .venv/bin/python bench/evaluation_benchmark.py --database postgresql --scale 0.1 --only recompute  # the data
    .venv/bin/python bench/alerts_benchmark.py --database postgresql --scale 0.1

Uses the evaluation benchmark's database (giamsat_bench_eval, or giamsat_bench_eval_s<percent>
below scale 1), which must have been generated and recomputed first: 60 monthly elements with a
value for every commune and month over 60 months, their figures, indicator values and index.
The rules: the defaults `make run` installs (late and missing reports of each data set, targets
off track, unusual values of the watched figures) plus, with `--every-element` (the default),
an unusual-value rule and a change rule for each of the 60 elements, so every commune value of
the last three months is judged against its twelve before. Steps, each timed: the first full
scan (alerts opened), a second one (nothing changes: the steady state the minute's task meets),
then the time-based kinds alone (what runs every minute). Alerts and rules are removed at the
end (`--keep` keeps them).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import PG_BASE, create_database, loadavg  # noqa: E402


def suffix(scale: float) -> str:
    return "" if scale >= 1 else f"_s{round(scale * 100)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--defaults-only", action="store_true", help="only the default rules")
    parser.add_argument("--keep", action="store_true", help="keep the rules and alerts")
    options = parser.parse_args()
    name = f"giamsat_bench_eval{suffix(options.scale)}"
    if options.database == "postgresql":
        os.environ.setdefault("DATABASE_URL", f"{PG_BASE}/{name}")
        create_database(os.environ["DATABASE_URL"])
    else:
        os.environ.setdefault("DATABASE_URL", f"sqlite:////tmp/bench_eval{suffix(options.scale)}.sqlite3")
    os.environ.setdefault("GIAMSAT_VAR_DIR", "/tmp/bench_eval_var")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giamsat.settings")
    os.environ["EVENTS_DISPATCH"] = "off"  # the scan alone: notifications are the worker's work
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from giamsat.alerts.defaults import alert_rules_defaults_load
    from giamsat.alerts.models import Alert, AlertRule
    from giamsat.alerts.services import rules_scan
    from giamsat.catalog.models import DataElement
    from giamsat.reporting.models import DataValue

    call_command("migrate", verbosity=0)
    print(f"Database: {os.environ['DATABASE_URL']}; {os.cpu_count()} cores, {connection.vendor}; load {loadavg()}")
    values = DataValue.objects.count()
    if not values:
        print("No values: run bench/evaluation_benchmark.py at this scale first.")
        return 1
    Alert.objects.all().delete()
    AlertRule.objects.all().delete()
    created = alert_rules_defaults_load()
    if not options.defaults_only:
        elements = DataElement.objects.filter(pk__in=DataValue.objects.values("data_element_id").distinct())
        for element in elements:
            AlertRule.objects.create(
                code=f"B_OUT_{element.code}", name_vi=element.code, kind="OUTLIER", data_element=element
            )
            AlertRule.objects.create(
                code=f"B_CHG_{element.code}", name_vi=element.code, kind="CHANGE", data_element=element
            )
    rules = AlertRule.objects.count()
    figures = {"values": values, "rules": rules, "default_rules": created}
    for step, kwargs in (("first full scan", {}), ("second full scan", {}), ("time-based kinds", {"time_based": True})):
        started = time.perf_counter()
        summary = rules_scan(**kwargs)
        seconds = time.perf_counter() - started
        figures[step] = {
            "seconds": round(seconds, 2),
            "opened": summary.opened,
            "resolved": summary.resolved,
            "updated": summary.updated,
            "errors": summary.errors[:3],
            "load": loadavg(),
        }
        print(f"{step}: {json.dumps(figures[step], ensure_ascii=False)}", flush=True)
    figures["alerts"] = Alert.objects.count()
    print(json.dumps(figures, ensure_ascii=False))
    if not options.keep:
        Alert.objects.all().delete()
        AlertRule.objects.all().delete()
    return 0


if __name__ == "__main__":
    sys.exit(main())
