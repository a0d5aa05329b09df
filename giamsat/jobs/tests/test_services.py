"""Jobs: created with their file in storage, run once, progress and result recorded, the file
removed; a job whose worker died is failed with a message saying so."""

import pytest
from django.core.files.storage import default_storage
from django.test import Client

from giamsat.jobs import lease
from giamsat.jobs.choices import JobStatus
from giamsat.jobs.models import Job
from giamsat.jobs.registry import _kinds, job_kind
from giamsat.jobs.services import JobFailed, job_create, job_progress, job_run, jobs_recover

pytestmark = pytest.mark.django_db

KIND = "test.count"


@pytest.fixture
def counting():
    calls = []

    @job_kind(KIND, label="Counting", interrupted="Nothing was saved.")
    def run(job, progress):
        data = job.file.read().decode()
        if data == "fail":
            raise JobFailed("Dòng 3: giá trị không hợp lệ.")
        if data == "crash":
            raise RuntimeError("boom")
        progress(1, total=2, stage="counting")
        assert job_progress(Job.objects.get(pk=job.pk)) == (1, 2, "counting")  # live, outside the transaction
        progress(2)
        calls.append(job.pk)
        return {"lines": len(data.splitlines())}

    yield calls
    _kinds.pop(KIND)


def test_a_job_runs_once_and_leaves_no_file(counting, user_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        job = job_create(kind=KIND, owner=user_a, content=b"a\nb\n", file_name="lines.txt")
    assert len(queued) == 1  # the run is queued only once the job is committed
    name = job.file.name
    assert default_storage.exists(name)
    done = job_run(job.pk)
    assert done.status == JobStatus.DONE and done.result == {"lines": 2}
    assert (done.processed, done.total, done.stage) == (2, 2, "done")
    assert done.started_at and done.finished_at and done.worker == lease.worker_identity()
    assert not default_storage.exists(name) and not done.file
    job_run(job.pk)  # delivered twice: still one run
    assert counting == [job.pk]


@pytest.mark.parametrize("content", [b"fail", b"crash"])
def test_a_failing_job_says_why_and_leaves_no_file(counting, user_a, content):
    job = job_create(kind=KIND, owner=user_a, content=content)
    name = job.file.name
    failed = job_run(job.pk)
    assert failed.status == JobStatus.FAILED
    if content == b"fail":
        assert failed.error == "Dòng 3: giá trị không hợp lệ."
    else:  # an unexpected error: a message with the job's id for the log, never the exception
        assert str(job.pk) in failed.error and "boom" not in failed.error and "Traceback" not in failed.error
    assert not default_storage.exists(name)


def test_a_job_whose_worker_died_is_failed_with_a_message_and_its_file_removed(counting, user_a):
    job = job_create(kind=KIND, owner=user_a, content=b"x")
    name = job.file.name
    # As a worker that claimed it and was killed: running, its progress and lease left behind.
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, worker="elsewhere:1")
    lease.progress_write(job.pk, 1000, 300000, "importing")
    lease.lease_write(job.pk)
    assert jobs_recover() == 0  # the lease still holds: a live worker elsewhere may be running it
    lease.HUEY.put(lease._key(job.pk, "lease"), '{"worker": "elsewhere:1", "expires": 0}')
    assert jobs_recover() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.stage == "interrupted"
    assert "1.000" in job.error and "300.000" in job.error and "Nothing was saved." in job.error
    assert not default_storage.exists(name)
    assert jobs_recover() == 0


def test_the_api_and_the_page_show_only_ones_own_jobs(counting, user_a, user_b, client_a, client_b):
    job = job_create(kind=KIND, owner=user_a, content=b"a\n")
    job_run(job.pk)
    api = Client()
    from giamsat.accounts.services import token_create

    api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_create(user=user_a, name='t')[1]}"
    body = api.get(f"/api/v1/jobs/{job.pk}").json()
    assert body["status"] == "DONE" and body["summary"] == {"lines": 1} and body["kind"] == KIND
    other = Client()
    other.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_create(user=user_b, name='t')[1]}"
    assert other.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    page = client_a.get("/jobs/")
    assert page.status_code == 200 and f'data-testid="job-{job.pk}"' in page.content.decode()
    assert "Counting" in page.content.decode()
    assert f"job-{job.pk}" not in client_b.get("/jobs/").content.decode()
