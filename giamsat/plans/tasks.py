"""A deadline passes at midnight without anyone changing anything: the plans' figures of the
year are refreshed every night (the alerts' minute scan raises the overdue warnings)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import plans_figures_refresh


@db_periodic_task(crontab(minute="5", hour="0"))
def plans_figures_refresh_task() -> None:
    plans_figures_refresh()
