"""Load or refresh the unit registry from the reference packages and data files (idempotent)."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from giamsat.orgunits.reference import build_reference
from giamsat.orgunits.services import registry_load


class Command(BaseCommand):
    help = "Load the unit registry (provinces, communes, ministries, lineage, groups). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="No progress bar.")

    def handle(self, *args, quiet: bool = False, **options):
        reference = build_reference()
        total = len(reference.units)
        bars: dict[str, tqdm] = {}
        totals = {"units": total, "events": len(reference.events), "groups": len(reference.groups)}

        def progress(step: str, done: int) -> None:
            if quiet:
                return
            if step not in bars:
                bars[step] = tqdm(total=totals[step], desc=f"registry {step}", unit="", leave=True)
            bars[step].update(done)

        summary = registry_load(reference=reference, progress=progress)
        for bar in bars.values():
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Registry: {summary.units_created} units created, {summary.units_updated} updated "
                f"({total} in reference); {summary.events} events, {summary.links} lineage links, "
                f"{summary.groups} groups, {summary.memberships} memberships."
            )
        )
