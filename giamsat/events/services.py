"""Recording events (in the caller's transaction) and dispatching them to subscribers.

`event_record` is called by the service that made a change, inside its transaction. Once the
transaction commits, the dispatcher is started (`settings.EVENTS_DISPATCH`: a Huey task by
default, "inline" in the same process, "off" to leave the rows for a later run). A periodic task
also sweeps every minute, so an event whose process died before the hand-off is still delivered.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from threading import local

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from .choices import DeliveryStatus
from .models import Event, EventDelivery
from .registry import Subscriber, subscribers, subscribers_for

log = logging.getLogger(__name__)

BATCH_SIZE = 5000  # deliveries handed to a subscriber at once (coalesced into one call)
MAX_ATTEMPTS = 8  # then the delivery is FAILED and shown in the admin, for a person to retry
KEEP_DELIVERED_DAYS = 30

_state = local()


def _subject(subject) -> tuple[str, str]:
    if subject is None:
        return "", ""
    if isinstance(subject, models.Model):
        return subject._meta.label_lower, str(subject.pk)
    kind, pk = subject
    return kind, str(pk)


def event_record(
    *,
    kind: str,
    unit=None,
    period=None,
    subject: models.Model | tuple[str, object] | None = None,
    by=None,
    payload: dict | None = None,
    at: dt.datetime | None = None,
) -> Event | None:
    """Write an event and its deliveries in the current transaction; dispatch after commit.

    `unit`, `period` and `by` are model instances or ids. Returns None while recording is muted
    (a bulk load followed by a full recompute)."""
    if getattr(_state, "muted", False):
        return None
    subject_type, subject_id = _subject(subject)
    event = Event.objects.create(
        kind=kind,
        occurred_at=at or timezone.now(),
        unit_id=getattr(unit, "pk", unit),
        period_id=getattr(period, "pk", period),
        subject_type=subject_type,
        subject_id=subject_id,
        by_id=getattr(by, "pk", by),
        payload=payload or {},
    )
    EventDelivery.objects.bulk_create(EventDelivery(event=event, subscriber=s.name) for s in subscribers_for(kind))
    _dispatch_after_commit()
    return event


@contextmanager
def events_muted():
    """Record no events inside (loading a whole history, followed by one full recompute)."""
    previous = getattr(_state, "muted", False)
    _state.muted = True
    try:
        yield
    finally:
        _state.muted = previous


def _kick() -> None:
    mode = getattr(settings, "EVENTS_DISPATCH", "task")
    if mode == "inline":
        events_dispatch()
    elif mode == "task":
        from .tasks import events_dispatch_queue

        events_dispatch_queue()


def _dispatch_after_commit() -> None:
    # One hand-off per transaction, however many events it recorded.
    if any(entry[1] is _kick for entry in connection.run_on_commit):
        return
    transaction.on_commit(_kick)


@dataclass
class DispatchSummary:
    delivered: int = 0
    failed: int = 0
    more: bool = False  # stopped at its time limit with deliveries left
    calls: dict[str, int] = field(default_factory=dict)  # subscriber -> batches handled


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 5 * 2 ** max(0, attempts - 1)))


def _due(subscriber: Subscriber, now: dt.datetime) -> list[EventDelivery]:
    return list(
        EventDelivery.objects.filter(subscriber=subscriber.name, status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .select_related("event")
        .order_by("event_id")[:BATCH_SIZE]
    )


def _deliver(subscriber: Subscriber, summary: DispatchSummary) -> bool:
    """Hand one batch to a subscriber; True if there was one and it was handled."""
    now = timezone.now()
    batch = _due(subscriber, now)
    if not batch:
        return False
    ids = [d.pk for d in batch]
    try:
        subscriber.handle([d.event for d in batch])
    except Exception as exc:  # noqa: BLE001 - any failure of a subscriber is retried later
        log.exception("event subscriber %s failed on %d events", subscriber.name, len(batch))
        attempts = batch[0].attempts + 1
        status = DeliveryStatus.FAILED if attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING
        EventDelivery.objects.filter(pk__in=ids).update(
            attempts=models.F("attempts") + 1,
            next_attempt_at=now + _backoff(attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            status=status,
        )
        summary.failed += len(ids)
        return False
    EventDelivery.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.DELIVERED, delivered_at=timezone.now(), attempts=models.F("attempts") + 1, last_error=""
    )
    summary.delivered += len(ids)
    summary.calls[subscriber.name] = summary.calls.get(subscriber.name, 0) + 1
    return True


def events_dispatch(*, only: Iterable[str] | None = None, max_seconds: float | None = None) -> DispatchSummary:
    """Deliver every due event to its subscribers, batch by batch, until none is left.

    Events recorded while a subscriber works wait for its next batch, so a burst of changes
    costs one more call, not one per change. Run by one process at a time (the task holds a
    lock); a second run meanwhile would only deliver some events twice, which subscribers
    tolerate. With `max_seconds`, stops starting batches after that long and says whether work
    is left (`summary.more`), so a stream of changes cannot hold a worker for good."""
    chosen = [s for s in subscribers() if only is None or s.name in set(only)]
    summary = DispatchSummary()
    started = time.monotonic()
    progress = True
    while progress:
        progress = False
        for subscriber in chosen:
            if max_seconds is not None and time.monotonic() - started > max_seconds:
                summary.more = True
                return summary
            progress |= _deliver(subscriber, summary)
    return summary


def events_pending_count() -> int:
    return EventDelivery.objects.filter(status=DeliveryStatus.PENDING).count()


def delivery_retry(*, deliveries: Iterable[EventDelivery]) -> int:
    """Put failed deliveries back in the queue (an administrator's action once the cause is fixed)."""
    count = EventDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=None
    )
    _dispatch_after_commit()
    return count


def events_prune(*, older_than_days: int = KEEP_DELIVERED_DAYS) -> int:
    """Delete events whose every delivery is done, older than so many days."""
    cutoff = timezone.now() - dt.timedelta(days=older_than_days)
    open_events = EventDelivery.objects.exclude(status=DeliveryStatus.DELIVERED).values("event_id")
    deleted, _by_model = Event.objects.filter(occurred_at__lt=cutoff).exclude(pk__in=open_events).delete()
    return deleted
