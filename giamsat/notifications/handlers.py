"""Report steps tell the people concerned (approvers, the ministry's reviewers, reporters)."""

from giamsat.events.choices import EventKind
from giamsat.events.registry import subscribe

from .services import report_step_notify


@subscribe(
    EventKind.REPORT_SUBMITTED,
    EventKind.REPORT_APPROVED,
    EventKind.REPORT_ACCEPTED,
    EventKind.REPORT_RETURNED,
    name="notifications.report_steps",
)
def report_steps_notify(events) -> None:
    """Idempotent: each notification is keyed on its event, so a second delivery tells no one."""
    for event in events:
        report_step_notify(event=event)
