"""Benchmark of the official documents: a monthly national sector report as DOCX and as PDF
on the demo data (targets: DOCX < 1 s, PDF < 3 s), and the provincial one.

    .venv/bin/python bench/documents_benchmark.py                      # the demo database var/giamsat.sqlite3
    .venv/bin/python bench/documents_benchmark.py --source /tmp/x/giamsat.sqlite3 --repeat 7

The demo database (what `make run` loads) is copied with SQLite's backup API into
/tmp/bench_documents/, so the project's file is only read; the copy is migrated (the documents
app's table) and nothing else is changed. As the ministry leader `lanhdao.bo` (and the Hà Nội
leader `hanoi.lanhdao` for the provincial report), for the last complete month (--period):

- figures: `documents.selectors.sector_figures` (the stored results read through the
  evaluation, reporting and alerts selectors);
- docx / pdf: `documents.services.sector_report_render` end to end (figures, drafted narrative,
  the document model, the chart, the renderer), with the chart's drawing forgotten before each
  run (a cold chart: the DOCX and the PDF of one report share one drawing otherwise);
- the first call in the process is reported apart (imports of python-docx and reportlab, font
  registration): a server pays it once.

Each step runs --repeat times after the first call; the median and the largest wall times are
printed, and the median CPU time of the process (the work's cost without waiting for a core:
on a busy machine the wall time is longer).
"""

from __future__ import annotations

import argparse
import os
import platform
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = Path("/tmp/bench_documents")


def copy_database(source: Path) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    target = WORK / "demo.sqlite3"
    if target.exists():
        target.unlink()
    with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def timed(function, repeat: int, before=None) -> tuple[float, float, float, float]:
    """(first call, median, largest, median CPU time of the process) in seconds. The CPU time
    is what the work costs when it has a core to itself: on a busy machine the wall time is
    longer by the time spent waiting for one."""
    runs, cpu = [], []
    for _n in range(repeat + 1):
        if before:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        function()
        runs.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return runs[0], statistics.median(runs[1:]), max(runs[1:]), statistics.median(cpu[1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    default = Path(os.environ.get("GIAMSAT_VAR_DIR", ROOT / "var")) / "giamsat.sqlite3"
    parser.add_argument("--source", type=Path, default=default, help="the demo database to copy")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--period", default="", help="a month (default: the last complete month, e.g. 202611)")
    options = parser.parse_args()
    if not options.source.exists():
        sys.exit(f"No demo database at {options.source}: run `make run` (or its loading commands) first.")
    target = copy_database(options.source)
    os.environ["DATABASE_URL"] = f"sqlite:///{target}"
    os.environ["GIAMSAT_VAR_DIR"] = str(WORK)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "giamsat.settings")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", os.urandom(24).hex())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from giamsat.accounts.models import User
    from giamsat.core.dates import today
    from giamsat.core.periods import Period
    from giamsat.documents.engine.chart import chart_cache_clear
    from giamsat.documents.selectors import sector_figures
    from giamsat.documents.services import report_unit, sector_report_render

    leader = User.objects.get(username="lanhdao.bo")
    province_leader = User.objects.get(username="hanoi.lanhdao")
    period = Period.parse(options.period) if options.period else Period.containing("MONTHLY", today()).previous()
    national = report_unit("VN", user=leader)
    hanoi = report_unit("P01", user=province_leader)
    print(f"period {period.code}; load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    sizes = {}

    def render(user, unit, fmt):
        def run():
            sizes[(unit.code, fmt)] = len(sector_report_render(user=user, unit=unit, period=period, fmt=fmt))

        return run

    steps = [
        ("figures, national", lambda: sector_figures(user=leader, unit=national, period=period), None),
        ("DOCX, national (target < 1 s)", render(leader, national, "docx"), chart_cache_clear),
        ("PDF, national (target < 3 s)", render(leader, national, "pdf"), chart_cache_clear),
        ("DOCX, Hà Nội", render(province_leader, hanoi, "docx"), chart_cache_clear),
        ("PDF, Hà Nội", render(province_leader, hanoi, "pdf"), chart_cache_clear),
    ]
    print(f"| step | first call (s) | median of {options.repeat} (s) | largest (s) | median CPU time (s) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, function, before in steps:
        first, median, largest, cpu = timed(function, options.repeat, before)
        print(f"| {name} | {first:.2f} | **{median:.2f}** | {largest:.2f} | {cpu:.2f} |")
    print()
    for (code, fmt), size in sizes.items():
        print(f"{code} {fmt}: {size / 1024:.0f} KiB")
    print(
        f"\nnproc {os.cpu_count()}; {platform.processor() or platform.machine()}; Python {platform.python_version()}; "
        f"load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
    )


if __name__ == "__main__":
    main()
