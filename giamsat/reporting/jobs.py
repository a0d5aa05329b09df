"""Large imports run in the background: the request stores the file and answers at once with
the job's URL; a Huey worker imports it through the same service, recording progress."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from .exchange import (
    MAX_ROWS,
    STRATEGIES,
    PayloadError,
    data_value_set_import,
    raw_from_adx,
    raw_from_csv,
    raw_from_json,
)
from .models import ImportJob

# Bodies larger than this are imported in the background (≈ 20,000 values of JSON).
ASYNC_THRESHOLD_BYTES = 2 * 1024 * 1024


def _jobs_dir() -> Path:
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


@transaction.atomic
def import_job_create(*, user, body: bytes, content_type: str, channel: str, options: dict) -> ImportJob:
    """Store the file and queue its import once this transaction commits."""
    job_id = uuid.uuid4()
    file_name = f"{job_id}.data"
    (_jobs_dir() / file_name).write_bytes(body)
    job = ImportJob.objects.create(
        id=job_id,
        user=user,
        channel=channel,
        content_type=content_type,
        file_name=file_name,
        options=options,
        created_at=timezone.now(),
    )
    from .tasks import import_job_run_task

    transaction.on_commit(lambda: import_job_run_task(str(job.id)))
    return job


def _progress(job: ImportJob, stage: str, **fields) -> None:
    ImportJob.objects.filter(pk=job.pk).update(stage=stage, **fields)


def _read(job: ImportJob, path: Path) -> list:
    data = path.read_bytes()
    if "xml" in job.content_type:
        return raw_from_adx(data)
    if "csv" in job.content_type:
        return raw_from_csv(data.decode("utf-8-sig"))
    import json

    return raw_from_json(json.loads(data.decode("utf-8-sig") or "{}"))


def _progress_key(job_id) -> str:
    return f"giamsat:import-progress:{job_id}"


def import_job_progress(job: ImportJob) -> int:
    """Rows read so far: the live count while running, the final one afterwards."""
    if job.status == ImportJob.Status.RUNNING:
        live = HUEY.get(_progress_key(job.pk), peek=True)
        if live is not None:
            return int(live)
    return job.processed


def _bulk_import(job: ImportJob, path: Path):
    from .bulk import data_values_write_bulk, iter_csv_values, iter_json_values

    reader = iter_csv_values if "csv" in job.content_type else iter_json_values
    _progress(job, "importing")

    def progress(done: int) -> None:
        # The import runs in one transaction: rows written to the job now would only show at its
        # end, so the running count goes to Huey's store (its own SQLite file, or Redis).
        job.processed = done
        HUEY.put(_progress_key(job.pk), done)

    with path.open("rb") as handle:
        return data_values_write_bulk(
            rows=reader(handle, max_rows=MAX_ROWS),
            by=job.user,
            channel=job.channel,
            valid_only=not job.options.get("atomic"),
            dry_run=bool(job.options.get("dryRun")),
            progress=progress,
        )


def import_job_run(job_id: str) -> ImportJob:
    """Run a queued import: parse, check and write through the one value service."""
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job
    _progress(job, "parsing", status=ImportJob.Status.RUNNING, started_at=timezone.now())
    path = _jobs_dir() / job.file_name
    strategy = job.options.get("importStrategy", "CREATE_AND_UPDATE")
    try:
        if STRATEGIES.get(str(strategy).upper()) == "CREATE_AND_UPDATE" and "xml" not in job.content_type:
            # Streamed from the file, set-based, with progress as chunks are written.
            summary = _bulk_import(job, path)
            raws_count = job.processed
        else:
            raws = _read(job, path)
            raws_count = len(raws)
            _progress(job, "importing", total=raws_count)
            summary = data_value_set_import(
                raws=raws,
                by=job.user,
                channel=job.channel,
                strategy=strategy,
                dry_run=bool(job.options.get("dryRun")),
                atomic=bool(job.options.get("atomic")),
            )
    except (PayloadError, ValueError) as exc:  # JSON, encoding and payload errors
        _progress(job, "failed", status=ImportJob.Status.FAILED, error=str(exc), finished_at=timezone.now())
    else:
        _progress(
            job,
            "done",
            status=ImportJob.Status.DONE,
            total=raws_count,
            processed=raws_count,
            summary=summary.as_dhis2(),
            finished_at=timezone.now(),
        )
    finally:
        path.unlink(missing_ok=True)
        HUEY.get(_progress_key(job.pk))  # reading without peek removes the live count
    job.refresh_from_db()
    return job
