"""Huey tasks: thin callers of the services of the same name."""

from huey.contrib.djhuey import db_task

from .jobs import import_job_run


@db_task()
def import_job_run_task(job_id: str) -> None:
    import_job_run(job_id)
