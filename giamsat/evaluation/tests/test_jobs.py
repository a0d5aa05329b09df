"""A full recompute as a job: an administrator's, with progress, one at a time."""

import pytest
from django.test import Client
from huey.exceptions import TaskLockedException

from giamsat.evaluation.handlers import results_refresh
from giamsat.evaluation.jobs import RECOMPUTE
from giamsat.events.choices import EventKind
from giamsat.events.models import Event
from giamsat.jobs.models import Job
from giamsat.jobs.services import job_run, kind_lock

pytestmark = pytest.mark.django_db


def test_an_administrator_queues_a_recompute_and_follows_it(client_admin, django_capture_on_commit_callbacks):
    assert 'data-testid="recompute"' in client_admin.get("/evaluation/rankings/").content.decode()
    with django_capture_on_commit_callbacks() as queued:
        response = client_admin.post("/evaluation/recompute/")
    assert response.status_code == 302 and response["Location"] == "/jobs/" and len(queued) == 1
    job = Job.objects.get(kind=RECOMPUTE)
    done = job_run(job.pk)
    assert done.status == "DONE", done.error
    assert done.result["years"] == sorted(done.result["years"]) and done.processed == done.total
    page = client_admin.get("/jobs/").content.decode()
    assert f'data-testid="job-{job.pk}"' in page


def test_nobody_else_may(client_a, client_leader):
    for client in (client_a, client_leader):
        assert 'data-testid="recompute"' not in client.get("/evaluation/rankings/").content.decode()
        assert client.post("/evaluation/recompute/").status_code == 403
    assert not Job.objects.filter(kind=RECOMPUTE).exists()
    assert Client().post("/evaluation/recompute/").status_code == 302  # to sign in


def test_one_recompute_at_a_time(client_admin):
    client_admin.post("/evaluation/recompute/")
    job = Job.objects.get(kind=RECOMPUTE)
    with kind_lock(RECOMPUTE):  # another worker is recomputing
        assert job_run(job.pk).status == "FAILED"
        event = Event(kind=EventKind.TARGET_CHANGED, payload={})
        with pytest.raises(TaskLockedException):  # the delivery waits and is retried
            results_refresh([event])
