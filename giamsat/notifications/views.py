"""The inbox and the notification preferences: a user's own, nobody else's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .choices import DeliveryMode
from .models import Notification
from .registry import kind_label
from .selectors import notifications_for, preferences_for, unread_count
from .services import notification_mark_read, preferences_set

PAGE_SIZE = 30


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(notifications_for(request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for item in page.object_list:
        item.kind_label = kind_label(item.kind)
    return render(
        request,
        "notifications/inbox.html",
        {"page": page, "unread_only": unread_only, "unread": unread_count(request.user)},
    )


@login_required
def open_notification(request, pk: int):
    """Follow a notification's link, marking it read on the way."""
    item = get_object_or_404(Notification, pk=pk, user=request.user)
    notification_mark_read(user=request.user, notification_ids=[item.pk])
    if item.link and url_has_allowed_host_and_scheme(item.link, allowed_hosts={request.get_host()}):
        return redirect(item.link)
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request):
    """Mark the chosen notifications read, or all of them ("all")."""
    if request.POST.get("all"):
        count = notification_mark_read(user=request.user)
    else:
        ids = [int(value) for value in request.POST.getlist("ids") if value.isdigit()]
        count = notification_mark_read(user=request.user, notification_ids=ids)
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
        % {"count": count},
    )
    return redirect("notifications:inbox")


@login_required
def preferences(request):
    rows = preferences_for(request.user)
    if request.method == "POST":
        choices = {}
        for kind, _mode in rows:
            value = request.POST.get(kind.code, "")
            if value not in DeliveryMode.values:
                messages.error(request, _("Choose how you want to receive “%(kind)s”.") % {"kind": kind.label})
                return render(request, "notifications/preferences.html", _preferences_context(rows), status=400)
            choices[kind.code] = value
        preferences_set(user=request.user, choices=choices)
        messages.success(request, _("Your notification choices are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", _preferences_context(rows))


def _preferences_context(rows) -> dict:
    return {"rows": rows, "modes": DeliveryMode.choices, "default_mode": DeliveryMode.DAILY}
