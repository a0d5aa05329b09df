"""The outbox: events are written with the change, delivered after commit to their subscribers in
coalesced batches, at least once, retried after a failure, and never lost by a dead process."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from giamsat.events.choices import DeliveryStatus, EventKind
from giamsat.events.models import Event, EventDelivery
from giamsat.events.registry import subscribe, subscribers_for, unsubscribe
from giamsat.events.services import (
    MAX_ATTEMPTS,
    delivery_retry,
    event_record,
    events_dispatch,
    events_muted,
    events_prune,
)

pytestmark = pytest.mark.django_db

KIND = EventKind.VALIDATION_RULE_CHANGED  # no real subscriber listens to it (yet)


class Recorder:
    """A subscriber that remembers every batch, and can be told to fail."""

    def __init__(self):
        self.batches: list[list[int]] = []
        self.failures_left = 0

    def __call__(self, events):
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("the subscriber's store is down")
        self.batches.append([e.pk for e in events])

    @property
    def applied(self) -> list[int]:
        return [pk for batch in self.batches for pk in batch]


@pytest.fixture
def recorder():
    recorder = Recorder()
    subscribe(KIND, name="test.recorder")(recorder)
    yield recorder
    unsubscribe(["test.recorder"])


def _record(n=1, **fields):
    subjects = [("catalog.validationrule", i) for i in range(n)]
    return [event_record(kind=KIND, subject=subject, payload={"i": subject[1]}, **fields) for subject in subjects]


def test_an_event_gets_one_delivery_per_subscriber(recorder):
    (event,) = _record()
    assert [s.name for s in subscribers_for(KIND)] == ["test.recorder"]
    assert list(event.deliveries.values_list("subscriber", "status")) == [("test.recorder", DeliveryStatus.PENDING)]
    assert event.subject_type == "catalog.validationrule" and event.payload == {"i": 0}


def test_events_of_a_burst_reach_the_subscriber_in_one_batch(recorder):
    events = _record(5)
    summary = events_dispatch(only=["test.recorder"])
    assert recorder.batches == [[e.pk for e in events]]  # coalesced, in the order recorded
    assert summary.delivered == 5 and summary.calls == {"test.recorder": 1}
    assert events_dispatch(only=["test.recorder"]).delivered == 0  # nothing is delivered twice
    assert recorder.applied == [e.pk for e in events]


def test_dispatch_waits_for_the_commit(recorder, django_capture_on_commit_callbacks, settings):
    """The hand-off runs after commit, once per transaction; a rolled back change sends nothing."""
    settings.EVENTS_DISPATCH = "inline"
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        _record(3)
        assert recorder.applied == []
    assert len(callbacks) == 1
    assert len(recorder.applied) == 3

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _record(1)
        raise RuntimeError("the change fails")
    assert callbacks == [] and len(recorder.applied) == 3


def test_an_event_whose_process_died_before_the_hand_off_is_delivered_once_by_the_next_run(
    recorder, django_capture_on_commit_callbacks, settings
):
    """The change commits, the process dies before dispatching (here: the hand-off is off): the
    outbox row waits; the next dispatcher run (the minute's sweep, or a restarted worker)
    applies it, exactly once."""
    settings.EVENTS_DISPATCH = "off"
    with django_capture_on_commit_callbacks(execute=True):
        (event,) = _record()
    assert recorder.applied == []
    assert EventDelivery.objects.get(event=event).status == DeliveryStatus.PENDING
    events_dispatch()
    events_dispatch()
    assert recorder.applied == [event.pk]


def test_a_failed_delivery_is_retried_later_and_applied_once(recorder):
    (event,) = _record()
    recorder.failures_left = 1
    summary = events_dispatch(only=["test.recorder"])
    assert summary.failed == 1 and recorder.applied == []
    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.PENDING and delivery.attempts == 1
    assert "store is down" in delivery.last_error and delivery.next_attempt_at > timezone.now()
    events_dispatch(only=["test.recorder"])
    assert recorder.applied == []  # not before its next attempt is due
    EventDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - dt.timedelta(seconds=1))
    events_dispatch(only=["test.recorder"])
    events_dispatch(only=["test.recorder"])
    assert recorder.applied == [event.pk]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.attempts == 2 and delivery.last_error == ""


def test_a_delivery_that_keeps_failing_is_parked_until_an_administrator_retries_it(recorder):
    (event,) = _record()
    recorder.failures_left = MAX_ATTEMPTS
    for _ in range(MAX_ATTEMPTS):
        EventDelivery.objects.update(next_attempt_at=None)
        events_dispatch(only=["test.recorder"])
    delivery = EventDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == MAX_ATTEMPTS
    assert delivery_retry(deliveries=[delivery]) == 1
    events_dispatch(only=["test.recorder"])
    assert recorder.applied == [event.pk]


def test_muted_recording_writes_nothing(recorder):
    with events_muted():
        assert event_record(kind=KIND) is None
    assert not Event.objects.filter(kind=KIND).exists()


def test_old_delivered_events_are_pruned_and_undelivered_ones_kept(recorder):
    delivered, waiting = _record(2)
    events_dispatch(only=["test.recorder"])
    event_record(kind=KIND)  # new: kept
    Event.objects.filter(pk__in=[delivered.pk, waiting.pk]).update(occurred_at=timezone.now() - dt.timedelta(days=40))
    EventDelivery.objects.filter(event=waiting).update(status=DeliveryStatus.FAILED)
    events_prune()
    assert not Event.objects.filter(pk=delivered.pk).exists()
    assert Event.objects.filter(pk=waiting.pk).exists()
    assert Event.objects.filter(kind=KIND).count() == 2


def test_a_burst_of_commits_queues_one_dispatch_task_and_a_lost_mark_expires(monkeypatch):
    from huey.contrib.djhuey import HUEY

    from giamsat.events import tasks

    queued = []
    monkeypatch.setattr(tasks, "events_dispatch_task", lambda: queued.append(1))
    HUEY.get(tasks.QUEUED)  # no mark left by another test
    for _ in range(5):
        tasks.events_dispatch_queue()
    assert queued == [1]  # one task until it starts
    HUEY.get(tasks.QUEUED)  # the task started: the next commit queues another
    tasks.events_dispatch_queue()
    assert queued == [1, 1]
    HUEY.put(tasks.QUEUED, 0.0)  # a mark from a task that was lost long ago
    tasks.events_dispatch_queue()
    assert queued == [1, 1, 1]
    HUEY.get(tasks.QUEUED)


def test_a_dispatch_run_gives_the_worker_back_after_its_time(recorder, monkeypatch):
    from giamsat.events import services

    _record(3)
    clock = iter([0.0, 0.0, 100.0, 100.0, 100.0])
    monkeypatch.setattr(services.time, "monotonic", lambda: next(clock))
    summary = events_dispatch(only=["test.recorder"], max_seconds=10)
    assert summary.delivered == 3 and summary.more  # one batch, then the time was up
