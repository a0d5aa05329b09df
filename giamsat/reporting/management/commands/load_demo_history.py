"""Load the deterministic demo history of reports and values (cheap to call again: it does
nothing when the history is already there, unless --reset)."""

import argparse
import calendar
import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from giamsat.events.services import events_muted
from giamsat.reporting.demo import (
    DEFAULT_FIRST,
    DEFAULT_SEED,
    demo_history_exists,
    demo_history_load,
    demo_history_reset,
)

MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def _month(text: str) -> tuple[int, int]:
    match = MONTH.match(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise argparse.ArgumentTypeError(f"“{text}” is not a month; use YYYY-MM, e.g. 2022-01.")
    return int(match.group(1)), int(match.group(2))


def first_day(text: str) -> dt.date:
    year, month = _month(text)
    return dt.date(year, month, 1)


def last_day(text: str) -> dt.date:
    year, month = _month(text)
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@contextmanager
def query_log_off() -> Iterator[None]:
    """With DEBUG on, Django logs every query, and on SQLite it quotes each INSERT's parameters
    through an extra query: a quarter of this load's time, for a log nobody reads. Off while
    the command runs (this process only), back as it was afterwards."""
    debug = settings.DEBUG
    settings.DEBUG = False
    try:
        yield
    finally:
        settings.DEBUG = debug


class Command(BaseCommand):
    help = (
        "Load a realistic demo history (reports, their workflow events and values with audit rows) "
        "from 2022-01 to the last full month. Does nothing if it is already loaded, unless --reset."
    )

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="Delete the demo reports and values first.")
        parser.add_argument("--first", type=first_day, default=DEFAULT_FIRST, help="First month, YYYY-MM (2022-01).")
        parser.add_argument("--last", type=last_day, default=None, help="Last month, YYYY-MM (the last full month).")
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed ({DEFAULT_SEED}).")
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, reset: bool, first: dt.date, last: dt.date | None, seed: int, quiet: bool, **options):
        bar: tqdm | None = None

        def progress(step: str, done: int, total: int) -> None:
            nonlocal bar
            if quiet:
                return
            if bar is None:
                bar = tqdm(total=total, desc=f"demo {step}", unit=" batch")
            bar.update(done - bar.n)

        with query_log_off(), transaction.atomic():
            if reset:
                deleted = demo_history_reset()
                self.stdout.write(
                    f"Deleted {deleted['reports']} demo reports, {deleted['events']} events, "
                    f"{deleted['values']} values and {deleted['audits']} audit rows."
                )
            else:
                existing = demo_history_exists()
                if existing:
                    self.stdout.write(f"Demo history already loaded ({existing} reports); use --reset to reload it.")
                    return
            try:
                # One full recompute follows (manage.py recompute), not one refresh per batch.
                with events_muted():
                    summary = demo_history_load(first=first, last=last, seed=seed, progress=progress)
            except (LookupError, ValueError) as exc:
                raise CommandError(str(exc)) from exc
            finally:
                if bar is not None:
                    bar.close()
        self.stdout.write(self.style.SUCCESS(summary.line()))
