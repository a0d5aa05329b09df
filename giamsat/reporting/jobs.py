"""Large imports run as background jobs: the request stores the file and answers at once with
the job's address; a worker imports it through the same services, with progress."""

from __future__ import annotations

import csv
import json
import tempfile

from django.core.files import File
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from giamsat.jobs.registry import job_kind
from giamsat.jobs.services import JobFailed, Progress, job_create

from .exchange import data_value_set_import, takes_set_based_path
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


class BodyTooLarge(Exception):
    """The request body goes over the configured limit."""


SPOOL_CHUNK = 1024 * 1024


def body_spool(request, *, limit: int) -> File:
    """The request body copied in chunks to a temporary file (in memory up to one chunk), so a
    body of any size up to `limit` is never held in memory whole."""
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_CHUNK)  # noqa: SIM115 - closed by import_job_create
    size = 0
    while chunk := request.read(SPOOL_CHUNK):
        size += len(chunk)
        if size > limit:
            spool.close()
            raise BodyTooLarge(limit)
        spool.write(chunk)
    spool.seek(0)
    return File(spool, name="body")


def import_job_create(*, user, body: bytes | File, content_type: str, channel: str, options: dict):
    """Store the file and queue its import once this transaction commits."""
    try:
        return job_create(
            kind=IMPORT,
            owner=user,
            params={"channel": channel, "content_type": content_type, "options": options},
            content=body,
            file_name="data",
        )
    finally:
        if isinstance(body, File):
            body.close()


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


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
            # ADX is read whole (its values are grouped); JSON and CSV stream into the chosen path.
            if "xml" not in content_type and takes_set_based_path(strategy=strategy, count=None):
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
    except UnicodeDecodeError as exc:
        message = _("The file is not UTF-8 text (byte %(position)s). Save it as UTF-8 and send it again.")
        raise JobFailed(message % {"position": _thousands(exc.start)}) from exc
    except json.JSONDecodeError as exc:
        message = _("The body is not valid JSON (line %(line)s, column %(col)s).")
        raise JobFailed(message % {"line": exc.lineno, "col": exc.colno}) from exc
    except csv.Error as exc:
        raise JobFailed(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    except (PayloadError, ValueError) as exc:  # our own payload errors carry translated messages
        raise JobFailed(str(exc)) from exc
    return summary.as_dhis2()
