"""Writes: telling users (`notification_send`, the one entry point every app calls), their
choices, digests, deadline reminders, and sending through the outside channels exactly once.

Exactly once, and what it means with SMTP
-----------------------------------------
Every outside message is a `Delivery` row, unique on (user, channel, key): a notification's own
key, or "digest:DAILY:2026-12-07". A worker moves it PENDING → CLAIMED (a compare-and-set with
its "host:pid" and a lease) → HANDED → SENT, each step committed before the next network step:

- CLAIMED is written before any byte goes out. The channel builds the message and, on SMTP,
  sends MAIL, RCPT, DATA and the whole body; then `handed()` writes HANDED; then the final "."
  goes out and the server's 250 is awaited; then SENT is written.
- A worker that dies while a row is CLAIMED (its lease lapsed, or its process is gone on this
  machine) never sent the final dot: the server discarded the incomplete message, so the row is
  sent again. No duplicate, nothing lost.
- A worker that dies while a row is HANDED may have died after the server took the message
  (between its 250 and our SENT: the window RFC 1047 describes, which SMTP cannot close). Such a
  row is not sent again: it becomes UNCERTAIN, listed in the admin, where a person may send it
  again. We choose at most once over at least once because the e-mail is a copy: the inbox
  always holds every notification, and a digest flood is what makes officials stop reading.
- A server that answers with an error (4xx/5xx) did not take the message: the row goes back to
  PENDING with a backoff (FAILED after MAX_ATTEMPTS, or at once for a permanent refusal).
The same Message-ID is used on every attempt, so a receiving server that drops repeats can.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from giamsat.core.workdays import add_working_days, is_working_day, next_working_day, working_days_between
from giamsat.jobs.lease import Lease, worker_identity

from .channels import ChannelRefused, OutgoingMessage, channel_get, channels_active
from .choices import DeliveryMode, DeliveryStatus, DigestFrequency
from .models import Delivery, Digest, DigestRun, Notification, NotificationPreference
from .registry import kind_get, kind_label

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6


# --- telling a user -------------------------------------------------------------------------


def preference_get(user, kind: str) -> str:
    """The user's delivery for a kind: their choice, else the kind's default (daily digest)."""
    chosen = NotificationPreference.objects.filter(user=user, kind=kind).values_list("mode", flat=True).first()
    if chosen:
        return chosen
    spec = kind_get(kind)
    return spec.default_mode if spec else DeliveryMode.DAILY


@transaction.atomic
def notification_send(
    *,
    user,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    unit=None,
    key: str,
    urgent: bool = False,
) -> Notification | None:
    """Tell a user something: an inbox item now, and through the outside channels at once (on a
    day off: the next working morning), in their daily or weekly digest, or not at all, as they
    chose for this kind (`urgent`: at once whatever they chose and whatever the day).

    Idempotent on (user, key): a caller that runs twice (an event delivered again, a periodic
    task retried) tells nobody twice. Returns the new notification, or None when the key was
    already used for this user or the user is inactive. `link` is a path on this site
    ("/reports/12/"); `unit` an OrgUnit or its id. The kind must be registered (registry.py)."""
    if kind_get(kind) is None:
        raise ValueError(f"unknown notification kind {kind!r}: register it with registry.kind_register")
    if not user.is_active:
        return None
    mode = DeliveryMode.IMMEDIATE if urgent else preference_get(user, kind)
    notification, created = Notification.objects.get_or_create(
        user=user,
        key=key[:200],
        defaults={
            "kind": kind,
            "title": title[:255],
            "body": body,
            "link": link[:500],
            "unit_id": getattr(unit, "pk", unit),
            "urgent": urgent,
            "mode": mode,
            "created_at": timezone.now(),
        },
    )
    if not created:
        return None
    if mode == DeliveryMode.IMMEDIATE:
        ids = _queue(user, key=notification.key, notification=notification)
        quiet_until = None if urgent else quiet_period_end(timezone.localtime())
        if quiet_until is None:
            _send_after_commit(ids)
        else:  # a weekend or a public holiday: the sweep sends it on the next working morning
            Delivery.objects.filter(pk__in=ids).update(next_attempt_at=quiet_until)
    return notification


def quiet_period_end(now: dt.datetime) -> dt.datetime | None:
    """On a day off (weekends, public holidays, Tết: the working calendar), when messages that
    are not urgent may go out: the next working day at the digest hour. None on a working day."""
    day = now.date()
    if not getattr(settings, "NOTIFICATIONS_QUIET_DAYS_OFF", True) or is_working_day(day):
        return None
    return dt.datetime.combine(next_working_day(day), _digest_time(), tzinfo=now.tzinfo)


def _queue(user, *, key: str, notification: Notification | None = None, digest: Digest | None = None) -> list[int]:
    """One delivery row per active outside channel that can reach the user."""
    ids = []
    for channel in channels_active():
        if not channel.address_for(user):
            continue
        delivery, _created = Delivery.objects.get_or_create(
            user=user,
            channel=channel.code,
            key=key,
            defaults={"notification": notification, "digest": digest, "created_at": timezone.now()},
        )
        ids.append(delivery.pk)
    return ids


def _send_after_commit(ids: list[int]) -> None:
    mode = getattr(settings, "NOTIFICATIONS_SEND", "task")
    if not ids or mode == "off":
        return  # the minute's sweep sends them
    if mode == "inline":
        transaction.on_commit(lambda: deliveries_send(ids))
    else:
        from .tasks import deliveries_send_task

        transaction.on_commit(lambda: deliveries_send_task(ids))


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given); only ever
    the user's own. Returns how many changed."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=timezone.now())


@transaction.atomic
def preferences_set(*, user, choices: dict[str, str]) -> None:
    """Save the user's delivery per kind; unknown kinds and modes are refused."""
    for kind, mode in choices.items():
        if kind_get(kind) is None or mode not in DeliveryMode.values:
            raise ValueError(f"unknown kind or delivery: {kind}={mode}")
        NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})


# --- sending through outside channels, once ------------------------------------------------


def _lease_seconds() -> int:
    return int(getattr(settings, "NOTIFICATIONS_SEND_LEASE_SECONDS", 600))


def _holder_gone(row: Delivery, now: dt.datetime) -> bool:
    """The worker that claimed the row is gone: its lease lapsed, or its process on this
    machine no longer exists (a killed worker is known at once)."""
    if row.lease_until is None or row.lease_until < now:
        return True
    return Lease(worker=row.claimed_by, expires=row.lease_until.timestamp()).holder_is_dead


def _backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def _message_id(row: Delivery) -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(" >") or "giamsat.local"
    return f"<giamsat.{row.channel}.{row.pk}@{domain}>"


def _absolute(link: str) -> str:
    if not link or "://" in link:
        return link
    return settings.SITE_URL.rstrip("/") + link


@dataclass
class DigestGroup:
    unit: str
    kinds: list[tuple[str, list[Notification]]]


def digest_groups(notifications: Iterable[Notification]) -> list[DigestGroup]:
    """A digest's notifications by unit (units in name order, "other" last), then by kind."""
    by_unit: dict[str, dict[str, list[Notification]]] = defaultdict(lambda: defaultdict(list))
    for item in notifications:
        unit = item.unit.name_vi if item.unit_id else ""
        by_unit[unit][item.kind].append(item)
    groups = []
    for unit in sorted(by_unit, key=lambda name: (name == "", name)):
        kinds = sorted(by_unit[unit].items(), key=lambda kv: kind_label(kv[0]))
        groups.append(DigestGroup(unit=unit or _("Other"), kinds=[(kind_label(kind), items) for kind, items in kinds]))
    return groups


def _message(row: Delivery, address: str) -> OutgoingMessage:
    """The e-mail of a delivery, in Vietnamese, the same on every attempt."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {"site_url": settings.SITE_URL.rstrip("/"), "inbox": _absolute(reverse("notifications:inbox"))}
        if row.digest_id:
            digest = row.digest
            items = list(digest.notifications.select_related("unit").order_by("created_at", "pk"))
            for item in items:
                item.absolute_link = _absolute(item.link)
            if digest.frequency == DigestFrequency.WEEKLY:
                year, _sep, week = digest.period.partition("-W")
                heading = _("Your weekly summary, week %(week)s/%(year)s") % {"week": week, "year": year}
            else:
                day = dt.date.fromisoformat(digest.period).strftime("%d/%m/%Y")
                heading = _("Your daily summary of %(date)s") % {"date": day}
            count = ngettext("%(count)d notification", "%(count)d notifications", len(items)) % {"count": len(items)}
            subject = f"[GiamSat] {heading}: {count}"
            context |= {"heading": heading, "count": count, "groups": digest_groups(items)}
            template = "notifications/email/digest"
        else:
            item = row.notification
            item.absolute_link = _absolute(item.link)
            subject = f"[GiamSat] {item.title}"
            context |= {"item": item, "kind": kind_label(item.kind)}
            template = "notifications/email/notification"
        context["preferences"] = _absolute(reverse("notifications:preferences"))
        text = render_to_string(f"{template}.txt", context)
        html = render_to_string(f"{template}.html", context)
    return OutgoingMessage(address=address, subject=subject, text=text, html=html, message_id=_message_id(row))


def _finish(pk: int, me: str, **fields) -> int:
    return Delivery.objects.filter(pk=pk, claimed_by=me).update(**fields)


def delivery_send(delivery_id: int) -> str | None:
    """Send one delivery if it is due and no live worker holds it; returns its new status
    (None when there was nothing to do). Safe to call from several workers at once."""
    now = timezone.now()
    row = Delivery.objects.filter(pk=delivery_id).first()
    if row is None:
        return None
    claimable = Q(status=DeliveryStatus.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    if row.status in {DeliveryStatus.CLAIMED, DeliveryStatus.HANDED} and _holder_gone(row, now):
        if row.status == DeliveryStatus.HANDED:
            Delivery.objects.filter(pk=row.pk, status=DeliveryStatus.HANDED, claimed_by=row.claimed_by).update(
                status=DeliveryStatus.UNCERTAIN,
                last_error=_(
                    "The worker stopped after handing the message over: it may have arrived, so it is not sent again."
                ),
            )
            log.warning("delivery %s: worker %s died after the hand-over; not sent again", row.pk, row.claimed_by)
            return DeliveryStatus.UNCERTAIN
        claimable |= Q(status=DeliveryStatus.CLAIMED, claimed_by=row.claimed_by)
    me = worker_identity()
    won = (
        Delivery.objects.filter(pk=row.pk)
        .filter(claimable)
        .update(
            status=DeliveryStatus.CLAIMED,
            claimed_by=me,
            lease_until=now + dt.timedelta(seconds=_lease_seconds()),
            attempts=F("attempts") + 1,
        )
    )
    if not won:
        return None
    row = Delivery.objects.select_related("user", "notification", "digest").get(pk=row.pk)
    channel = channel_get(row.channel)
    address = channel.address_for(row.user) if channel else None
    if address is None:
        _finish(row.pk, me, status=DeliveryStatus.FAILED, last_error=_("The user cannot be reached on this channel."))
        return DeliveryStatus.FAILED
    message = _message(row, address)

    def handed() -> None:
        if not _finish(row.pk, me, status=DeliveryStatus.HANDED, handed_at=timezone.now()):
            raise RuntimeError("the delivery was taken over by another worker")  # before the point of no return

    try:
        channel.send(message, handed=handed)
    except ChannelRefused as exc:
        final = exc.permanent or row.attempts >= MAX_ATTEMPTS
        status = DeliveryStatus.FAILED if final else DeliveryStatus.PENDING
        _finish(
            row.pk,
            me,
            status=status,
            next_attempt_at=timezone.now() + _backoff(row.attempts),
            last_error=str(exc)[:2000],
        )
        return status
    except Exception as exc:  # noqa: BLE001 - any failure is recorded; where it happened decides
        log.exception("delivery %s through %s failed", row.pk, row.channel)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if Delivery.objects.filter(pk=row.pk, claimed_by=me, status=DeliveryStatus.HANDED).exists():
            _finish(row.pk, me, status=DeliveryStatus.UNCERTAIN, last_error=error)
            return DeliveryStatus.UNCERTAIN
        status = DeliveryStatus.FAILED if row.attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING
        _finish(row.pk, me, status=status, next_attempt_at=timezone.now() + _backoff(row.attempts), last_error=error)
        return status
    _finish(row.pk, me, status=DeliveryStatus.SENT, sent_at=timezone.now(), last_error="")
    return DeliveryStatus.SENT


def deliveries_send(ids: Iterable[int]) -> int:
    """Send these deliveries (in order); returns how many were sent."""
    return sum(delivery_send(pk) == DeliveryStatus.SENT for pk in sorted(ids))


def deliveries_send_due() -> int:
    """Send every due delivery, and take over those a dead worker left (see the module's
    docstring for what happens to each state). Returns how many were sent."""
    now = timezone.now()
    due = Q(status=DeliveryStatus.PENDING) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    rows = Delivery.objects.filter(due | Q(status__in=[DeliveryStatus.CLAIMED, DeliveryStatus.HANDED])).order_by("pk")
    sent = 0
    for row in rows.only("pk", "status", "claimed_by", "lease_until"):
        if row.status != DeliveryStatus.PENDING and not _holder_gone(row, now):
            continue  # a live worker is on it
        sent += delivery_send(row.pk) == DeliveryStatus.SENT
    return sent


def delivery_retry(*, deliveries) -> int:
    """A person's decision to send failed or uncertain deliveries again (the admin's action)."""
    return deliveries.filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.UNCERTAIN]).update(
        status=DeliveryStatus.PENDING, next_attempt_at=None, claimed_by="", lease_until=None, attempts=0
    )


# --- digests --------------------------------------------------------------------------------


def digest_period(frequency: str, day: dt.date) -> str:
    """A digest's period: the day ("2026-12-07") or its ISO week ("2026-W50")."""
    if frequency == DigestFrequency.WEEKLY:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.isoformat()


def digests_make(*, frequency: str, day: dt.date, until: dt.datetime | None = None) -> int:
    """Make each user's digest for the period holding `day`: the notifications they chose to
    get this way, not read yet and not in an earlier digest, made before `until` (now). Each
    digest is fixed with its deliveries in one transaction, once per user and period; a user
    with nothing gets none (an empty digest is never sent). Returns how many were made."""
    until = until or timezone.now()
    period = digest_period(frequency, day)
    mode = DeliveryMode.WEEKLY if frequency == DigestFrequency.WEEKLY else DeliveryMode.DAILY
    waiting = Notification.objects.filter(mode=mode, digest__isnull=True, read_at__isnull=True, created_at__lt=until)
    made = 0
    for user_id in waiting.order_by("user_id").values_list("user_id", flat=True).distinct():
        with transaction.atomic():
            digest, created = Digest.objects.get_or_create(
                user_id=user_id, frequency=frequency, period=period, defaults={"created_at": until}
            )
            if not created:
                continue
            if not waiting.filter(user_id=user_id).update(digest=digest):
                digest.delete()
                continue
            _queue(digest.user, key=f"digest:{frequency}:{period}", digest=digest)
            made += 1
    DigestRun.objects.get_or_create(frequency=frequency, period=period, defaults={"created_at": timezone.now()})
    return made


@dataclass
class TickSummary:
    reminders: int = 0
    daily: int | None = None  # digests made (None: not this time)
    weekly: int | None = None
    sent: int = 0


def _digest_time() -> dt.time:
    hours, _sep, minutes = settings.NOTIFICATIONS_DIGEST_TIME.partition(":")
    return dt.time(int(hours), int(minutes or 0))


def notifications_tick(*, now: dt.datetime | None = None) -> TickSummary:
    """The periodic work (every few minutes): on a working day, at the first tick after the
    digest time, the day's deadline reminders, then the daily digests (with those reminders),
    and on the week's first working day the weekly ones; then everything due is sent. Days off
    (weekends, Tết, public holidays) make no digest: their notifications wait for the next one."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    today = local.date()
    summary = TickSummary()
    if is_working_day(today) and local.time() >= _digest_time():
        if not DigestRun.objects.filter(frequency=DigestFrequency.DAILY, period=digest_period("DAILY", today)).exists():
            summary.reminders = reminders_send(today=today)
            summary.daily = digests_make(frequency=DigestFrequency.DAILY, day=today)
        monday = today - dt.timedelta(days=today.weekday())
        week = digest_period(DigestFrequency.WEEKLY, today)
        if next_working_day(monday) == today and not DigestRun.objects.filter(frequency="WEEKLY", period=week).exists():
            summary.weekly = digests_make(frequency=DigestFrequency.WEEKLY, day=today)
    summary.sent = deliveries_send_due()
    return summary


# --- report steps and deadline reminders ----------------------------------------------------


def reminders_send(*, today: dt.date) -> int:
    """Remind the reporters of every report not submitted yet, so many working days before its
    deadline (settings.NOTIFICATIONS_REMINDER_DAYS, 3 and 1): once per report and threshold, so
    running it again, or on a day between two thresholds, sends nothing new."""
    from giamsat.catalog.models import DataSet
    from giamsat.catalog.selectors import data_set_units
    from giamsat.core.periods import Period as PeriodValue
    from giamsat.reporting.choices import EDITABLE_STATUSES
    from giamsat.reporting.models import Report

    from .kinds import DEADLINE_REMINDER
    from .selectors import reporters_by_unit

    thresholds = sorted(set(settings.NOTIFICATIONS_REMINDER_DAYS))
    if not thresholds:
        return 0
    horizon = add_working_days(today, thresholds[-1])
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for data_set in DataSet.objects.order_by("code"):
            period = PeriodValue.containing(data_set.period_type, today)
            for _step in range(3):  # the period under way and the ones just ended
                deadline = period.end + dt.timedelta(days=data_set.deadline_days)
                opened = data_set.open_from is None or period.start >= data_set.open_from
                if today <= deadline <= horizon and opened:
                    left = working_days_between(today, deadline)
                    threshold = min(t for t in thresholds if t >= left)
                    units = list(data_set_units(data_set, on=period.end).order_by("path"))
                    done = set(
                        Report.objects.filter(data_set=data_set, period__code=period.code, org_unit__in=units)
                        .exclude(status__in=EDITABLE_STATUSES)
                        .values_list("org_unit_id", flat=True)
                    )
                    reporters = reporters_by_unit([u for u in units if u.pk not in done])
                    title = _("%(data_set)s for %(period)s is due on %(date)s") % {
                        "data_set": data_set.name_vi,
                        "period": period.label,
                        "date": deadline.strftime("%d/%m/%Y"),
                    }
                    body = ngettext(
                        "%(count)d working day left before the deadline; the report is not submitted yet.",
                        "%(count)d working days left before the deadline; the report is not submitted yet.",
                        left,
                    ) % {"count": left}
                    for unit, users in reporters:
                        for user in users:
                            sent += (
                                notification_send(
                                    user=user,
                                    kind=DEADLINE_REMINDER,
                                    title=title,
                                    body=body,
                                    link=reverse("reporting:home"),
                                    unit=unit,
                                    key=f"reminder:{data_set.code}:{unit.code}:{period.code}:{threshold}",
                                )
                                is not None
                            )
                period = period.previous()
    return sent


def report_step_notify(*, event) -> int:
    """Tell the people concerned by a step of a report (an event REPORT_SUBMITTED, _APPROVED,
    _ACCEPTED or _RETURNED): its approvers, the ministry's reviewers, or its reporters. Never the
    one who took the step. Keyed on the event, so a second delivery of it tells nobody again."""
    from giamsat.reporting.choices import ReportStatus
    from giamsat.reporting.models import Report

    from . import kinds
    from .selectors import report_approvers, report_reporters, report_reviewers

    report = (
        Report.objects.select_related("data_set", "org_unit", "period").filter(pk=event.subject_id or None).first()
        if event.subject_type == "reporting.report"
        else None
    )
    if report is None:
        return 0
    to_status = event.payload.get("to_status", "")
    reason = event.payload.get("comment", "")
    with translation.override(settings.LANGUAGE_CODE):
        names = {"data_set": report.data_set.name_vi, "unit": report.org_unit.name_vi, "period": report.period.label}
        plan: list[tuple[str, list, str, str]] = []  # (kind, recipients, title, body)
        if event.kind == "REPORT_SUBMITTED":
            if report.data_set.approval_levels:
                title = _("%(data_set)s of %(unit)s for %(period)s was submitted for your approval") % names
                plan.append((kinds.REPORT_SUBMITTED, report_approvers(report), title, reason))
            else:
                title = _("%(data_set)s of %(unit)s for %(period)s is waiting for the ministry's acceptance") % names
                plan.append((kinds.REPORT_TO_ACCEPT, report_reviewers(report), title, reason))
        elif event.kind == "REPORT_APPROVED" and to_status == ReportStatus.APPROVED_1:
            title = _("%(data_set)s of %(unit)s for %(period)s needs a second approval") % names
            plan.append((kinds.REPORT_SUBMITTED, report_approvers(report), title, reason))
        elif event.kind == "REPORT_APPROVED":
            title = _("%(data_set)s of %(unit)s for %(period)s was approved") % names
            plan.append((kinds.REPORT_APPROVED, report_reporters(report), title, reason))
            title = _("%(data_set)s of %(unit)s for %(period)s is waiting for the ministry's acceptance") % names
            plan.append((kinds.REPORT_TO_ACCEPT, report_reviewers(report), title, reason))
        elif event.kind == "REPORT_ACCEPTED":
            title = _("%(data_set)s of %(unit)s for %(period)s was accepted by the ministry") % names
            plan.append((kinds.REPORT_ACCEPTED, report_reporters(report), title, reason))
        elif event.kind == "REPORT_RETURNED":
            title = _("%(data_set)s of %(unit)s for %(period)s was returned") % names
            body = _("Reason: %(reason)s") % {"reason": reason} if reason else ""
            recipients = report_reporters(report)
            if event.payload.get("from_status") in {ReportStatus.APPROVED, ReportStatus.ACCEPTED}:
                recipients += report_approvers(report)  # the leaders who approved it learn it too
            plan.append((kinds.REPORT_RETURNED, recipients, title, body))
        link = reverse("reporting:detail", args=[report.pk])
        told = 0
        for kind, recipients, title, body in plan:
            for user in {u.pk: u for u in recipients}.values():
                if user.pk == event.by_id:
                    continue
                key = f"report:{report.pk}:{event.kind}:{event.pk}"
                told += (
                    notification_send(
                        user=user, kind=kind, title=title, body=body, link=link, unit=report.org_unit, key=key
                    )
                    is not None
                )
    return told
