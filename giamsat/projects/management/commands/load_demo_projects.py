import time

from django.core.management.base import BaseCommand, CommandError

from giamsat.events.services import events_dispatch
from giamsat.projects.demo import SIZE, demo_projects_run
from giamsat.reporting.management.commands.load_demo_history import query_log_off


class Command(BaseCommand):
    help = (
        "Demo: a portfolio of digital-transformation investment projects of the provinces and the ministries' IT "
        "units (budgets, baseline, packages, disbursements, milestones, progress), some raising each red flag; then "
        "the flags tested, the projects' figures written and the flags' alerts scanned. Does nothing if projects exist."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", type=int, default=SIZE, help="number of projects (default %(default)s)")

    def handle(self, *args, **options):
        started = time.perf_counter()
        with query_log_off():
            try:
                summary = demo_projects_run(size=options["size"])
            except LookupError as exc:
                raise CommandError(str(exc)) from exc
            if not summary.projects:
                self.stdout.write("Demo projects already loaded.")
                return
            self.stdout.write(f"{summary.line()} ({time.perf_counter() - started:.1f} s)")
            # The figures' events reach the scorecards now, not when the worker starts.
            dispatched = events_dispatch()
            self.stdout.write(f"Project figures delivered: {dispatched.delivered} event deliveries.")
