import time

from django.core.management.base import BaseCommand

from giamsat.alerts.services import rules_scan


class Command(BaseCommand):
    help = "Check every enabled alert rule now (the worker does it every minute and on every change)."

    def handle(self, *args, **options):
        started = time.monotonic()
        summary = rules_scan()
        self.stdout.write(
            f"Alerts: {summary.opened} opened, {summary.reopened} reopened, {summary.resolved} resolved, "
            f"{summary.updated} updated in {time.monotonic() - started:.1f} s."
        )
        for error in summary.errors:
            self.stderr.write(error)
