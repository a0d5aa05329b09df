"""The unread count for the header's badge: computed only when a page shows it (one query)."""

from django.utils.functional import SimpleLazyObject

from .selectors import unread_count


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": SimpleLazyObject(lambda: unread_count(user))}
