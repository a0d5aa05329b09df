"""Huey tasks: the minute's scan of the time-based rules (deadlines pass without any change)
and a nightly sweep of every rule."""

import logging

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task
from huey.exceptions import TaskLockedException

from .services import alerts_escalate, rules_scan

log = logging.getLogger(__name__)

# Made at import, so a worker that starts again releases it if a killed one held it.
SCAN_LOCK = HUEY.lock_task("giamsat-alerts-scan")


@db_periodic_task(crontab(minute="*"))
def alerts_scan_time_based_task() -> None:
    """Late and missing reports, targets off track: visible within a minute of the deadline."""
    try:
        with SCAN_LOCK:
            summary = rules_scan(time_based=True)
    except TaskLockedException:
        return  # the previous minute's scan is still running: it will see the same
    if summary.opened or summary.resolved or summary.errors:
        log.info("alerts scan: %s", summary)


@db_periodic_task(crontab(minute="41", hour="2"))
def alerts_scan_all_task() -> None:
    """Every rule over everything it covers, once a night: catches what no change announced."""
    with SCAN_LOCK:
        log.info("alerts nightly scan: %s", rules_scan())


@db_periodic_task(crontab(minute="*/15"))
def alerts_escalate_task() -> None:
    """Unacknowledged alerts go up a level after their rule's working days (checked often, so a
    deadline day is not missed; escalating twice is impossible: the level is in the count)."""
    from django.utils import timezone

    from giamsat.core.workdays import is_working_day

    if is_working_day(timezone.localdate()):
        count = alerts_escalate()
        if count:
            log.info("alerts escalated: %d", count)
