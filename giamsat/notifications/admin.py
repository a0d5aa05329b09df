"""Notifications and their deliveries, read-only; failed or uncertain deliveries can be sent
again by a person who checked they did not arrive."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Delivery, Notification
from .services import delivery_retry


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    list_display = ["id", "user", "kind", "title", "mode", "created_at", "read_at"]
    list_filter = ["kind", "mode"]
    search_fields = ["title", "user__username"]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnly):
    list_display = ["id", "user", "channel", "key", "status", "attempts", "sent_at", "last_error"]
    list_filter = ["status", "channel"]
    actions = ["retry"]

    @admin.action(description=_("Send again"))
    def retry(self, request, queryset):
        count = delivery_retry(deliveries=queryset)
        message = ngettext("%d delivery queued again.", "%d deliveries queued again.", count) % count
        self.message_user(request, message, messages.SUCCESS)
