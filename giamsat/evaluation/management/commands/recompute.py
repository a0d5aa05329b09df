"""Recompute every evaluation result (or some years) with a progress bar."""

from django.core.management.base import BaseCommand
from tqdm import tqdm

from giamsat.evaluation.services import data_years, evaluation_recompute


class Command(BaseCommand):
    help = "Recompute figures, indicator values, statuses, scores, the index and ranks."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="Only this year (and its effect on the next).")
        parser.add_argument("--quiet", action="store_true")
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when results exist already (make run).")

    def handle(self, *args, year=None, quiet=False, if_empty=False, **options):
        from giamsat.evaluation.models import IndicatorValue

        if if_empty and IndicatorValue.objects.exists():
            self.stdout.write("Evaluation results exist: skipped (manage.py recompute rebuilds them).")
            return
        years = year or data_years()
        bar = tqdm(total=len(years), desc="recompute", unit="year", disable=quiet)

        def progress(label: str, done: int, total: int) -> None:
            bar.set_postfix_str(label)
            bar.update(1)

        summary = evaluation_recompute(years=year, progress=progress)
        bar.close()
        self.stdout.write(
            f"Recomputed {len(summary.years)} years in {summary.seconds:.1f} s: "
            f"{summary.element_figures} figures, {summary.indicator_values} indicator values, "
            f"{summary.index_values} index values."
        )
