"""A user's own notifications in the API: the list (paged) and marking them read."""

from typing import Annotated

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from .registry import kind_label
from .selectors import notifications_for, unread_count
from .services import notification_mark_read

router = Router(tags=["notifications"])

PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
TRUE, FALSE = {"true", "1", "yes"}, {"false", "0", "no", ""}


Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class MarkRead(Schema):
    ids: list[Id] | None = Field(None, max_length=1000, description="At most 1,000 at once")
    all: bool = False


def _bad_request(message: str) -> JsonResponse:
    return JsonResponse({"detail": message, "code": "invalid"}, status=400, json_dumps_params={"ensure_ascii": False})


def _number(text: str | None, name: str, default: int) -> int:
    if text is None or not text.strip():
        return default
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError(_("“%(name)s” must be a whole number from 1.") % {"name": name})
    return int(text)


def _item(item) -> dict:
    return {
        "id": item.pk,
        "kind": item.kind,
        "kindLabel": kind_label(item.kind),
        "title": item.title,
        "body": item.body,
        "link": item.link,
        "orgUnit": {"code": item.unit.code, "name": item.unit.name_vi} if item.unit_id else None,
        "urgent": item.urgent,
        "created": item.created_at.isoformat(),
        "read": item.read_at.isoformat() if item.read_at else None,
    }


@router.get("/notifications", summary="Your notifications, newest first (paged)")
def notification_list(
    request,
    unread: str | None = Query(None, description="true: only the unread ones"),
    page: str | None = Query(None, description="From 1; a page past the end is empty"),
    pageSize: str | None = Query(None, description=f"At most {MAX_PAGE_SIZE}"),
):
    flag = (unread or "").strip().lower()
    if flag not in TRUE | FALSE:
        return _bad_request(_("“unread” must be true or false."))
    try:
        number = _number(page, "page", 1)
        size = min(_number(pageSize, "pageSize", PAGE_SIZE), MAX_PAGE_SIZE)
    except ValueError as exc:
        return _bad_request(str(exc))
    rows = notifications_for(request.user, unread_only=flag in TRUE)
    total = rows.count()
    offset = (number - 1) * size
    items = [_item(n) for n in rows[offset : offset + size]] if offset < total else []
    body = {
        "pager": {"page": number, "pageSize": size, "total": total, "pageCount": -(-total // size)},
        "unread": unread_count(request.user),
        "notifications": items,
    }
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@router.post("/notifications/read", summary="Mark your notifications read: the given ids, or all")
def notification_read(request, payload: MarkRead):
    if not payload.all and not payload.ids:
        return _bad_request(_("Give the ids of the notifications to mark read, or “all”: true."))
    count = notification_mark_read(user=request.user, notification_ids=None if payload.all else payload.ids)
    return {"marked": count, "unread": unread_count(request.user)}
