"""Large imports run as background jobs: the request stores the file and answers at once with
the job's address; a worker imports it through the same services, with progress."""

from __future__ import annotations

import json

from django.utils.translation import gettext_lazy

from giamsat.jobs.registry import job_kind
from giamsat.jobs.services import JobFailed, Progress, job_create

from .exchange import STRATEGIES, data_value_set_import
from .readers import (
    MAX_ROWS,
    PayloadError,
    iter_csv_values,
    iter_json_values,
    raw_from_adx,
    raw_from_csv,
    raw_from_json,
)

# Bodies larger than this are imported in the background (≈ 20,000 values of JSON).
ASYNC_THRESHOLD_BYTES = 2 * 1024 * 1024
IMPORT = "reporting.import"


def import_job_create(*, user, body: bytes, content_type: str, channel: str, options: dict):
    """Store the file and queue its import once this transaction commits."""
    return job_create(
        kind=IMPORT,
        owner=user,
        params={"channel": channel, "content_type": content_type, "options": options},
        content=body,
        file_name="data",
    )


def _read(content_type: str, data: bytes) -> list:
    if "xml" in content_type:
        return raw_from_adx(data)
    if "csv" in content_type:
        return raw_from_csv(data.decode("utf-8-sig"))
    return raw_from_json(json.loads(data.decode("utf-8-sig") or "{}"))


@job_kind(
    IMPORT,
    label=gettext_lazy("Data import"),
    interrupted=gettext_lazy("The import runs as one transaction: nothing of it was saved. Send the file again."),
)
def import_run(job, progress: Progress):
    """Parse, check and write through the value services; returns DHIS2's import summary."""
    from .bulk import data_values_write_bulk

    params = job.params
    content_type, options = params["content_type"], params.get("options", {})
    strategy = options.get("importStrategy", "CREATE_AND_UPDATE")
    progress(0, stage="parsing")
    try:
        with job.file.open("rb") as handle:
            if STRATEGIES.get(str(strategy).upper()) == "CREATE_AND_UPDATE" and "xml" not in content_type:
                # Streamed from the file, set-based, with progress as chunks are written.
                reader = iter_csv_values if "csv" in content_type else iter_json_values
                progress(0, stage="importing")
                summary = data_values_write_bulk(
                    rows=reader(handle, max_rows=MAX_ROWS),
                    by=job.owner,
                    channel=params["channel"],
                    valid_only=not options.get("atomic"),
                    dry_run=bool(options.get("dryRun")),
                    progress=progress,  # rows read so far; the total is known only at the end
                )
            else:
                raws = _read(content_type, handle.read())
                progress(0, total=len(raws), stage="importing")
                summary = data_value_set_import(
                    raws=raws,
                    by=job.owner,
                    channel=params["channel"],
                    strategy=strategy,
                    dry_run=bool(options.get("dryRun")),
                    atomic=bool(options.get("atomic")),
                )
                progress(len(raws), total=len(raws))
    except (PayloadError, ValueError) as exc:  # JSON, encoding and payload errors
        raise JobFailed(str(exc)) from exc
    return summary.as_dhis2()
