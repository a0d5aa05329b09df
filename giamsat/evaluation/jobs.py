"""A full recompute as a background job: started by an administrator from the rankings page,
followed with a progress bar on the jobs page; one at a time (the evaluation's own full
recomputes after catalogue changes take the same lock)."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from giamsat.accounts.choices import Role
from giamsat.jobs.registry import job_kind
from giamsat.jobs.services import Progress, job_create

from .services import evaluation_recompute

RECOMPUTE = "evaluation.recompute"


@job_kind(
    RECOMPUTE,
    label=gettext_lazy("Recompute of the evaluation results"),
    exclusive=True,
    interrupted=gettext_lazy("The years already recomputed keep their new results; start it again to finish."),
)
def recompute_run(job, progress: Progress) -> dict:
    def step(year: str, done: int, total: int) -> None:
        progress(done, total=total, stage=year)

    progress(0, stage="starting")
    summary = evaluation_recompute(progress=step)
    return {
        "years": summary.years,
        "indicatorValues": summary.indicator_values,
        "indexValues": summary.index_values,
        "seconds": round(summary.seconds, 1),
    }


def recompute_job_create(*, by):
    """Queue a full recompute (administrators only)."""
    if not (by.is_superuser or by.role == Role.ADMIN):
        raise PermissionDenied(_("Only an administrator can recompute every result."))
    return job_create(kind=RECOMPUTE, owner=by)
