"""The kinds of notification the platform itself sends (report steps, deadline reminders)."""

from django.utils.translation import gettext_lazy as _

from .registry import kind_register

REPORT_SUBMITTED = "REPORT_SUBMITTED"
REPORT_TO_ACCEPT = "REPORT_TO_ACCEPT"
REPORT_RETURNED = "REPORT_RETURNED"
REPORT_APPROVED = "REPORT_APPROVED"
REPORT_ACCEPTED = "REPORT_ACCEPTED"
DEADLINE_REMINDER = "DEADLINE_REMINDER"

kind_register(REPORT_SUBMITTED, _("A report is waiting for your approval"), order=10)
kind_register(REPORT_TO_ACCEPT, _("An approved report is waiting for the ministry"), order=11)
kind_register(REPORT_RETURNED, _("A report of your unit was returned"), order=12)
kind_register(REPORT_APPROVED, _("A report of your unit was approved"), order=13)
kind_register(REPORT_ACCEPTED, _("A report of your unit was accepted by the ministry"), order=14)
kind_register(DEADLINE_REMINDER, _("Reminder of a report deadline"), order=20)
