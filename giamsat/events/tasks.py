"""Huey tasks: thin callers of the services of the same name."""

import logging
import time

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from .services import events_dispatch, events_prune

log = logging.getLogger(__name__)

# Made at import, so a worker that starts again releases it if a killed one held it.
DISPATCH_LOCK = HUEY.lock_task("giamsat-events-dispatch")
QUEUED = "giamsat-events-dispatch-queued"
QUEUED_MARK_SECONDS = 60
# A dispatch run gives the worker back after this long (imports and scans queue behind it) and
# queues itself again if deliveries are left.
RUN_SECONDS = 10.0


def events_dispatch_queue() -> None:
    """Queue a dispatch unless one is queued and not started yet: a burst of committed changes
    is one task, not one per change (a started task has cleared the mark, so an event committed
    after it read the outbox queues the next one). A mark older than a minute is a task that
    was lost (the queue flushed, a crash while enqueuing): it no longer holds the next one back."""
    now = time.time()
    if not HUEY.put_if_empty(QUEUED, now):
        queued_at = HUEY.get(QUEUED, peek=True)
        if queued_at is not None and now - float(queued_at) < QUEUED_MARK_SECONDS:
            return
        HUEY.put(QUEUED, now)
    events_dispatch_task()


@db_task()
def events_dispatch_task() -> None:
    HUEY.get(QUEUED)  # reading without peek clears the mark
    try:
        with DISPATCH_LOCK:
            summary = events_dispatch(max_seconds=RUN_SECONDS)
    except TaskLockedException:
        # Another worker is dispatching; it may have read the outbox before this event committed,
        # so look again shortly rather than wait for the minute's sweep.
        events_dispatch_task.schedule(delay=2)
        return
    if summary.more:
        events_dispatch_queue()


@db_periodic_task(crontab(minute="*"))
def events_sweep_task() -> None:
    """Deliver what a dead process left behind (its change committed, its hand-off lost)."""
    events_dispatch_queue()


@db_periodic_task(crontab(minute="17", hour="3"))
def events_prune_task() -> None:
    log.info("events pruned: %d", events_prune())
