"""Huey tasks: thin callers of the services of the same name."""

from django.db import close_old_connections
from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task

from .services import job_run, jobs_recover


@db_task()
def job_run_task(job_id: str) -> None:
    job_run(job_id)


@db_periodic_task(crontab(minute="*"))
def jobs_recover_task() -> None:
    jobs_recover()


@HUEY.on_startup()
def jobs_recover_at_startup() -> None:
    """A worker that starts again finds at once the jobs its killed predecessor left running."""
    try:
        jobs_recover()
    finally:
        close_old_connections()
