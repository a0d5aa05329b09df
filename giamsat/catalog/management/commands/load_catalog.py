"""Load or refresh the indicator catalogue from data/*.csv (idempotent)."""

from django.core.management.base import BaseCommand

from giamsat.catalog.services import catalog_load


class Command(BaseCommand):
    help = "Load the catalogue: domains, data elements, indicators, targets, rules and data sets."

    def handle(self, *args, **options):
        summary = catalog_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"Catalogue: {summary.domains} domains, {summary.data_elements} data elements, "
                f"{summary.indicators} indicators, {summary.targets} targets, {summary.rules} rules, "
                f"{summary.data_sets} data sets."
            )
        )
