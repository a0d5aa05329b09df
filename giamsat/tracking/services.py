"""Writes for tracked work: every change in one transaction with its history line and a
WORK_ITEM_CHANGED event (the module's figures, the alerts and the notifications hang on it).
Statuses are never written: they follow from the dates and the evidence (engine/status.py)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from giamsat.events.choices import EventKind
from giamsat.events.services import event_record

from .choices import ExtensionState, Review, WorkAction
from .engine.status import work_status
from .models import Attachment, Baseline, BaselineItem, Extension, ProgressReport, WorkEvent, WorkItem
from .permissions import can_assign, can_report, can_review, ensure

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
EDITABLE_FIELDS = ("title", "description", "deliverable", "start_date", "due_date", "assignee", "assigned_by_unit")


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(getattr(value, "pk", value))


def _log(item: WorkItem, *, action: str, by, at: dt.datetime, comment: str = "", changes: dict | None = None) -> None:
    WorkEvent.objects.create(item=item, action=action, by=by, at=at, comment=comment, changes=changes or {})
    event_record(
        kind=EventKind.WORK_ITEM_CHANGED,
        unit=item.owner_unit_id,
        subject=item,
        by=by,
        payload={"kind": item.kind, "action": action},
        at=at,
    )


def _check_dates(start: dt.date | None, due: dt.date) -> None:
    if start is not None and due < start:
        raise ValidationError({"due_date": _("The deadline is before the start.")})


@transaction.atomic
def work_item_create(
    *,
    kind: str,
    title: str,
    owner_unit,
    due_date: dt.date,
    by,
    start_date: dt.date | None = None,
    description: str = "",
    deliverable: str = "",
    assignee=None,
    assigned_by_unit=None,
    check_permission: bool = True,
    at: dt.datetime | None = None,
) -> WorkItem:
    """Give a piece of work to a unit. `at` backdates it (loading history)."""
    if check_permission:
        ensure(can_assign(by, owner_unit), _("You may not assign work to this unit."))
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("A title is required.")})
    _check_dates(start_date, due_date)
    now = at or timezone.now()
    item = WorkItem.objects.create(
        kind=kind,
        title=title[:500],
        description=description,
        deliverable=deliverable,
        owner_unit=owner_unit,
        assignee=assignee,
        assigned_by=by,
        assigned_by_unit=assigned_by_unit,
        start_date=start_date,
        due_date=due_date,
        original_due_date=due_date,
        created_at=now,
        updated_at=now,
    )
    _log(item, action=WorkAction.CREATE, by=by, at=now)
    return item


@transaction.atomic
def work_item_update(*, item: WorkItem, by, comment: str = "", at: dt.datetime | None = None, **fields) -> WorkItem:
    """Change what the assigner set (title, description, deliverable, dates, person in charge);
    the history keeps every old value. A deadline moved here is the assigner's own decision."""
    ensure(can_review(by, item), _("Only the assigner may change this work."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    changes = {}
    for name, value in fields.items():
        old = getattr(item, name)
        if name == "title":
            value = (value or "").strip()[:500]
            if not value:
                raise ValidationError({"title": _("A title is required.")})
        if old != value:
            changes[name] = [_iso(old), _iso(value)]
            setattr(item, name, value)
    if not changes:
        return item
    _check_dates(item.start_date, item.due_date)
    now = at or timezone.now()
    item.updated_at = now
    item.save()
    _log(item, action=WorkAction.UPDATE, by=by, at=now, comment=comment, changes=changes)
    return item


@transaction.atomic
def work_progress_report(
    *,
    item: WorkItem,
    by,
    progress: int,
    note: str = "",
    link: str = "",
    data_element=None,
    data_period=None,
    files: list[UploadedFile] | None = None,
    completion: bool = False,
    at: dt.datetime | None = None,
) -> ProgressReport:
    """The unit reports where the work stands, with its evidence. A completion report marks the
    work completed on that day (its status follows) and asks the assigner to accept the evidence;
    it needs evidence: a note, a link, a file or a figure."""
    ensure(can_report(by, item), _("Only the unit in charge reports on this work."))
    if not 0 <= progress <= 100:
        raise ValidationError({"progress": _("Progress is a percentage between 0 and 100.")})
    if item.completed_on is not None and item.review != Review.RETURNED:
        raise ValidationError(_("This work is already reported completed."))
    if completion and not (note.strip() or link or files or data_element):
        raise ValidationError(_("A completion report needs evidence: a note, a link, a file or a figure."))
    if (data_element is None) != (data_period is None):
        raise ValidationError({"data_period": _("A figure as evidence needs both the figure and its period.")})
    now = at or timezone.now()
    report = ProgressReport.objects.create(
        item=item,
        by=by,
        at=now,
        progress=100 if completion else progress,
        note=note,
        link=link,
        data_element=data_element,
        data_period=data_period,
        completion=completion,
    )
    for upload in files or []:
        _attach(item, upload, by=by, at=now, report=report)
    changes = {}
    if item.progress != report.progress:
        changes["progress"] = [item.progress, report.progress]
        item.progress = report.progress
    if completion:
        completed_on = timezone.localtime(now).date()
        changes["completed_on"] = [None, completed_on.isoformat()]
        item.completed_on = completed_on
        item.review = Review.PENDING
        item.review_note = ""
    item.updated_at = now
    item.save()
    _log(
        item,
        action=WorkAction.COMPLETE if completion else WorkAction.PROGRESS,
        by=by,
        at=now,
        comment=note,
        changes=changes,
    )
    return report


@transaction.atomic
def work_review_accept(*, item: WorkItem, by, note: str = "", at: dt.datetime | None = None) -> WorkItem:
    """The assigner accepts the evidence: the work stays completed on the day it was reported."""
    ensure(can_review(by, item), _("Only the assigner reviews the evidence of this work."))
    if item.review != Review.PENDING:
        raise ValidationError(_("There is no evidence awaiting review."))
    now = at or timezone.now()
    item.review, item.review_note, item.updated_at = Review.ACCEPTED, note, now
    item.save(update_fields=["review", "review_note", "updated_at"])
    _log(item, action=WorkAction.ACCEPT, by=by, at=now, comment=note)
    return item


@transaction.atomic
def work_review_return(*, item: WorkItem, by, reason: str, at: dt.datetime | None = None) -> WorkItem:
    """The assigner returns the evidence with a reason: the work is not completed after all
    (it is overdue again if its deadline has passed), and the unit is warned."""
    ensure(can_review(by, item), _("Only the assigner reviews the evidence of this work."))
    if item.review not in (Review.PENDING, Review.ACCEPTED):
        raise ValidationError(_("There is no evidence to return."))
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the evidence is returned.")})
    now = at or timezone.now()
    changes = {"completed_on": [_iso(item.completed_on), None]}
    item.completed_on, item.review, item.review_note, item.updated_at = None, Review.RETURNED, reason, now
    item.save(update_fields=["completed_on", "review", "review_note", "updated_at"])
    _log(item, action=WorkAction.RETURN, by=by, at=now, comment=reason, changes=changes)
    return item


@transaction.atomic
def work_extension_request(
    *, item: WorkItem, by, due_requested: dt.date, reason: str, at: dt.datetime | None = None
) -> Extension:
    """The unit asks for a later deadline, with a reason; the assigner decides."""
    ensure(can_report(by, item), _("Only the unit in charge asks for more time."))
    if item.completed_on is not None:
        raise ValidationError(_("Completed work needs no extension."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the extension.")})
    if due_requested <= item.due_date:
        raise ValidationError({"due_requested": _("The new deadline must be after the current one.")})
    if item.extensions.filter(state=ExtensionState.PENDING).exists():
        raise ValidationError(_("An extension request is already awaiting a decision."))
    now = at or timezone.now()
    extension = Extension.objects.create(
        item=item,
        requested_by=by,
        requested_at=now,
        due_before=item.due_date,
        due_requested=due_requested,
        reason=reason,
    )
    _log(
        item,
        action=WorkAction.EXTENSION_REQUEST,
        by=by,
        at=now,
        comment=reason,
        changes={"due_date": [item.due_date.isoformat(), due_requested.isoformat()]},
    )
    return extension


@transaction.atomic
def work_extension_decide(
    *, extension: Extension, by, approve: bool, note: str = "", at: dt.datetime | None = None
) -> Extension:
    """Approve (the deadline in force moves; the original stays in the history and on the item)
    or refuse (with a note) a pending extension."""
    item = extension.item
    ensure(can_review(by, item), _("Only the assigner decides on an extension."))
    if extension.state != ExtensionState.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if not approve and not note.strip():
        raise ValidationError({"note": _("Say why the extension is refused.")})
    now = at or timezone.now()
    extension.state = ExtensionState.APPROVED if approve else ExtensionState.REJECTED
    extension.decided_by, extension.decided_at, extension.decision_note = by, now, note
    extension.save()
    changes = {}
    if approve:
        changes["due_date"] = [item.due_date.isoformat(), extension.due_requested.isoformat()]
        item.due_date = extension.due_requested
        item.updated_at = now
        item.save(update_fields=["due_date", "updated_at"])
    _log(
        item,
        action=WorkAction.EXTENSION_APPROVE if approve else WorkAction.EXTENSION_REJECT,
        by=by,
        at=now,
        comment=note,
        changes=changes,
    )
    return extension


@transaction.atomic
def work_comment_add(*, item: WorkItem, by, text: str, at: dt.datetime | None = None) -> WorkEvent:
    from .permissions import can_view

    ensure(can_view(by, item))
    if not text.strip():
        raise ValidationError({"text": _("The comment is empty.")})
    now = at or timezone.now()
    WorkEvent.objects.create(item=item, action=WorkAction.COMMENT, by=by, at=now, comment=text.strip())
    return item.history.last()


def _attach(item: WorkItem, upload: UploadedFile, *, by, at: dt.datetime, report=None) -> Attachment:
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(
            {"file": _("“%(name)s” is larger than %(limit)s MB.") % {"name": upload.name, "limit": 20}}
        )
    return Attachment.objects.create(
        item=item,
        report=report,
        file=upload,
        name=upload.name[:255],
        size=upload.size,
        uploaded_by=by,
        uploaded_at=at,
    )


@transaction.atomic
def work_attachment_add(*, item: WorkItem, by, upload: UploadedFile, at: dt.datetime | None = None) -> Attachment:
    """Attach a file (through the storage API) to the work: the unit in charge or the assigner."""
    ensure(can_report(by, item) or can_review(by, item))
    now = at or timezone.now()
    attachment = _attach(item, upload, by=by, at=now)
    WorkEvent.objects.create(item=item, action=WorkAction.ATTACH, by=by, at=now, comment=attachment.name)
    return attachment


@transaction.atomic
def baseline_take(*, scope: str, name: str, items, by, on: dt.date | None = None) -> Baseline:
    """Freeze the items as they stand (`on` a date: their state that day, read from the history)."""
    now = timezone.now()
    on = on or timezone.localdate()
    baseline = Baseline.objects.create(scope=scope, name=name.strip()[:255], taken_on=on, taken_at=now, taken_by=by)
    from .selectors import item_as_of

    if hasattr(items, "prefetch_related"):  # a queryset: every item's history in one query
        items = items.prefetch_related("history")
    rows = []
    for item in items:
        state = item_as_of(item, on)
        if state is None:  # created after that day
            continue
        rows.append(
            BaselineItem(
                baseline=baseline,
                item=item,
                title=state["title"],
                start_date=state["start_date"],
                due_date=state["due_date"],
                completed_on=state["completed_on"],
                status=work_status(
                    start=state["start_date"], due=state["due_date"], completed_on=state["completed_on"], today=on
                ),
                progress=state["progress"],
            )
        )
    BaselineItem.objects.bulk_create(rows, batch_size=1000)
    return baseline
