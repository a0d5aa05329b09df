"""Creating, running and recovering jobs.

`job_create` stores the input file through Django's storage API (STORAGES["default"], so every
worker machine sees it once that is shared storage) and queues the run after commit. `job_run`
claims the job, holds a lease while the kind's runner works, and records the result or the
error; the file is removed either way. `jobs_recover` (at every worker start and every minute)
fails a job whose worker died, with a message saying so, and queues again a job whose hand-off
to the queue was lost."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from huey.contrib.djhuey import HUEY
from huey.exceptions import TaskLockedException

from .choices import JobStatus
from .lease import Heartbeat, lease_drop, lease_read, progress_read, progress_write, worker_identity
from .models import Job
from .registry import kind_get

log = logging.getLogger(__name__)

REQUEUE_AFTER = dt.timedelta(minutes=1)  # a queued job nobody picked up by then is queued again


class JobFailed(Exception):
    """A runner's clean failure: the message is for the job's owner."""


@dataclass
class Progress:
    """Passed to a runner: call it with the rows done so far (and the total, the stage)."""

    job: Job

    def __call__(self, processed: int, total: int | None = None, stage: str | None = None) -> None:
        job = self.job
        job.processed = processed
        if total is not None:
            job.total = total
        if stage is not None:
            job.stage = stage
        progress_write(job.pk, job.processed, job.total, job.stage)


def job_create(
    *, kind: str, owner=None, params: dict | None = None, content: bytes | File | None = None, file_name: str = ""
) -> Job:
    """Record a job (and its input file) and queue its run once the current transaction commits."""
    if kind_get(kind) is None:
        raise ValueError(f"unknown job kind {kind!r}")
    job = Job(id=uuid.uuid4(), kind=kind, owner=owner, params=params or {}, created_at=timezone.now())
    if content is not None:
        body = ContentFile(content) if isinstance(content, bytes) else content
        job.file.save(f"{job.id}-{file_name or 'input'}", body, save=False)
    job.save()
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id) -> None:
    from .tasks import job_run_task

    job_run_task(str(job_id))


def _finish(job: Job, **fields) -> None:
    fields.setdefault("finished_at", timezone.now())
    Job.objects.filter(pk=job.pk).update(**fields)
    if job.file:
        job.file.delete(save=False)
        Job.objects.filter(pk=job.pk).update(file="")
    lease_drop(job.pk)


def kind_lock(kind: str):
    """The lock an exclusive kind runs under; other work that must not overlap it takes it too
    (it raises TaskLockedException when held)."""
    registered = kind_get(kind)
    return registered.lock if registered and registered.lock else HUEY.lock_task(f"giamsat-job-{kind}")


def job_run(job_id) -> Job | None:
    """Claim a queued job and run it; a job already claimed (or finished) is left alone."""
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=now, worker=worker_identity(), stage="starting"
    )
    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if not claimed or job is None:
        return job
    kind = kind_get(job.kind)
    try:
        with Heartbeat(job.pk):
            if kind.exclusive:
                with kind_lock(job.kind):
                    result = kind.run(job, Progress(job))
            else:
                result = kind.run(job, Progress(job))
    except TaskLockedException:
        _finish(job, status=JobStatus.FAILED, error=_("Another run of this kind is in progress; try again later."))
    except JobFailed as exc:
        _finish(job, status=JobStatus.FAILED, error=str(exc), stage="failed", processed=job.processed)
    except Exception:
        log.exception("job %s (%s) failed", job.pk, job.kind)
        message = _("The job failed because of an error on the server (logged as job %(id)s).") % {"id": job.pk}
        _finish(job, status=JobStatus.FAILED, error=message, stage="failed", processed=job.processed)
    else:
        _finish(
            job,
            status=JobStatus.DONE,
            result=result,
            stage="done",
            processed=max(job.processed, job.total),
            total=max(job.processed, job.total),
        )
    job.refresh_from_db()
    return job


def job_progress(job: Job) -> tuple[int, int, str]:
    """Rows done, total and stage: the live figures while it runs, the stored ones afterwards."""
    if job.status == JobStatus.RUNNING:
        live = progress_read(job.pk)
        if live is not None:
            return live
    return job.processed, job.total, job.stage


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")  # 300.000, as Vietnamese write it


def jobs_recover() -> int:
    """Fail every running job whose worker is gone; queue again queued jobs left behind.
    Returns how many jobs were failed."""
    failed = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING):
        lease = lease_read(job.pk)
        if lease is not None and not lease.lapsed and not lease.holder_is_dead:
            continue
        processed, total, stage = job_progress(job)
        kind = kind_get(job.kind)
        counts = {"processed": _thousands(processed), "total": _thousands(total)}
        where = _("%(processed)s of %(total)s rows done") if total else _("%(processed)s rows done")
        message = _("Interrupted: the worker running this job stopped before it finished (%(where)s). %(then)s") % {
            "where": where % counts,
            "then": str(kind.interrupted) if kind and kind.interrupted else _("Run it again."),
        }
        log.warning("job %s (%s) interrupted: its worker %s is gone", job.pk, job.kind, job.worker)
        _finish(job, status=JobStatus.FAILED, error=message, stage="interrupted", processed=processed, total=total)
        failed += 1
    stale = timezone.now() - REQUEUE_AFTER
    for job_id in Job.objects.filter(status=JobStatus.QUEUED, created_at__lt=stale).values_list("pk", flat=True):
        _enqueue(job_id)  # claiming is atomic: a job queued twice still runs once
    return failed
