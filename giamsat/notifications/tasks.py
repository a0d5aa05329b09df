"""Huey tasks: thin callers of the services of the same name."""

import datetime as dt
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from .services import deliveries_send, deliveries_send_due, digests_make, notifications_tick

log = logging.getLogger(__name__)


@db_task()
def deliveries_send_task(ids: list[int]) -> None:
    deliveries_send(ids)


@db_task()
def digests_make_task(frequency: str, day: str) -> None:
    """Make a period's digests and send everything due (also what a killed worker left)."""
    digests_make(frequency=frequency, day=dt.date.fromisoformat(day))
    deliveries_send_due()


@db_periodic_task(crontab(minute="*"))
def notifications_sweep_task() -> None:
    """Send what is due, and take over what a dead worker left (services.py says how)."""
    deliveries_send_due()


# Every five minutes, in the project's time zone (Huey's crontab is in UTC): the service
# decides whether the day's reminders and digests are due.
@db_periodic_task(crontab(minute="*/5"))
def notifications_tick_task() -> None:
    summary = notifications_tick()
    if summary.daily is not None or summary.weekly is not None:
        log.info("notifications: %s", summary)
