"""A worker killed in the middle of a 300,000-value background import: once a worker starts
again, the job reads failed with a message saying it was interrupted, no value of it was
written, and its file is gone. Real processes: `manage.py run_huey` on the test database."""

import csv
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from giamsat.accounts.models import User
from giamsat.catalog.models import DataElement
from giamsat.jobs.choices import JobStatus
from giamsat.jobs.lease import progress_read
from giamsat.jobs.models import Job
from giamsat.orgunits.models import OrgUnit
from giamsat.reporting.choices import Channel
from giamsat.reporting.jobs import import_job_create
from giamsat.reporting.models import DataValue, DataValueAudit

pytestmark = pytest.mark.xdist_group("worker")

VALUES = 300_000
ROOT = Path(settings.BASE_DIR)


def _csv(count: int) -> tuple[bytes, list[str]]:
    """`count` valid values: every current commune × monthly element × month from 2025-07."""
    communes = list(
        OrgUnit.objects.filter(type="COMMUNE", valid_to__isnull=True).order_by("path").values_list("code", flat=True)
    )
    elements = list(
        DataElement.objects.filter(period_type="MONTHLY", value_type="INTEGER")
        .order_by("code")
        .values_list("code", flat=True)
    )
    months = [f"{2025 + (6 + i) // 12}{(6 + i) % 12 + 1:02d}" for i in range(17)]  # 202507 … 202611
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["dataelement", "period", "orgunit", "categoryoptioncombo", "attributeoptioncombo", "value"])
    written = 0
    for period in months:
        for unit in communes:
            for code in elements:
                if written == count:
                    return out.getvalue().encode(), communes
                writer.writerow([code, period, unit, "", "", written % 997])
                written += 1
    raise AssertionError(f"only {written} values could be made")


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker(var_dir: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "GIAMSAT_VAR_DIR": var_dir,  # Huey's store: the same file the test queues into
        "GIAMSAT_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "REDIS_URL": "",
        "EVENTS_DISPATCH": "off",
        "DB_CONN_MAX_AGE": "0",
        "PYTEST_XDIST_WORKER": "",  # the queue store named above, not the test worker's own
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", "--workers", "1", "--no-periodic"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def queue_store(django_db_blocker):
    """Huey's store in a folder of its own, shared with the worker processes."""
    folder = tempfile.mkdtemp(prefix="giamsat-killed-")
    previous = HUEY.storage
    HUEY.storage = SqliteStorage(name="giamsat", filename=str(Path(folder) / "huey.sqlite3"))
    try:
        yield folder
    finally:
        HUEY.storage = previous


def test_a_worker_killed_during_a_large_import(django_db_setup, queue_store, django_db_blocker):
    with django_db_blocker.unblock():
        admin = User.objects.get(username="admin")
        body, communes = _csv(VALUES)
        before = DataValue.objects.count(), DataValueAudit.objects.count()
        job = import_job_create(user=admin, body=body, content_type="text/csv", channel=Channel.API, options={})
        file_name = job.file.name
        assert default_storage.exists(file_name)
        first = _worker(queue_store)
        try:
            # Killed once a third of the values went through the checks and into the table.
            _wait(lambda: (progress_read(job.pk) or (0,))[0] >= 100_000, 180, "100,000 values imported")
        finally:
            os.killpg(first.pid, signal.SIGKILL)
            first.wait()
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING  # as the dead worker left it
        second = _worker(queue_store)
        try:
            _wait(lambda: Job.objects.get(pk=job.pk).status == JobStatus.FAILED, 60, "the job to be failed")
        finally:
            second.terminate()
            second.wait(timeout=30)
        try:
            job.refresh_from_db()
            assert job.stage == "interrupted"
            assert "gián đoạn" in job.error and "chưa có số liệu nào được lưu" in job.error, job.error
            assert (DataValue.objects.count(), DataValueAudit.objects.count()) == before  # nothing half written
            assert not DataValue.objects.filter(org_unit__code__in=communes[:10]).exists()
            assert not default_storage.exists(file_name) and not job.file
        finally:
            Job.objects.filter(pk=job.pk).delete()
