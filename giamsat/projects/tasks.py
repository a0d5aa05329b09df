"""Time moves flags without anyone changing anything (a milestone passes its deadline, the
disbursement falls behind the planned curve): every night the flags are re-tested, the figures
of the year refreshed, and the alerts follow."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import projects_nightly


@db_periodic_task(crontab(minute="15", hour="0"))
def projects_nightly_task() -> None:
    projects_nightly()
