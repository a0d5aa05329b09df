from django.core.management.base import BaseCommand, CommandError

from giamsat.events.services import events_dispatch
from giamsat.plans.demo import demo_plans_run
from giamsat.reporting.management.commands.load_demo_history import query_log_off


class Command(BaseCommand):
    help = (
        "Demo: plans of the last three years for the provincial departments, the ministry's departments and "
        "the ministries' IT units, with their tasks played out (reports, evidence, extensions); then the plans' "
        "figures written and delivered to the evaluation. Does nothing if they are already loaded."
    )

    def handle(self, *args, **options):
        with query_log_off():
            try:
                summary = demo_plans_run()
            except LookupError as exc:
                raise CommandError(str(exc)) from exc
            if not summary.tasks:
                self.stdout.write("Demo plans already loaded.")
                return
            self.stdout.write(summary.line())
            # The figures' events reach the scorecards now, not when the worker starts.
            dispatched = events_dispatch()
            self.stdout.write(f"Plan figures delivered: {dispatched.delivered} event deliveries.")
