"""Huey tasks: thin callers of the services of the same name."""

import logging

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from .services import events_dispatch, events_prune

log = logging.getLogger(__name__)

LOCK = "giamsat-events-dispatch"


@db_task()
def events_dispatch_task() -> None:
    try:
        with HUEY.lock_task(LOCK):
            events_dispatch()
    except TaskLockedException:
        # Another worker is dispatching; it may have read the queue before this event committed,
        # so look again shortly rather than rely on the minute's sweep.
        events_dispatch_task.schedule(delay=2)


@db_periodic_task(crontab(minute="*"))
def events_sweep_task() -> None:
    """Deliver what a dead process left behind; once a day, drop old delivered events."""
    events_dispatch_task()


@db_periodic_task(crontab(minute="17", hour="3"))
def events_prune_task() -> None:
    log.info("events pruned: %d", events_prune())
