from django.core.management.base import BaseCommand

from giamsat.alerts.defaults import alert_rules_defaults_load


class Command(BaseCommand):
    help = "Create the default alert rules that do not exist yet (existing rules are kept as configured)."

    def handle(self, *args, **options):
        self.stdout.write(f"Alert rules: {alert_rules_defaults_load()} created.")
