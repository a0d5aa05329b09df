"""Events are facts: read-only in the admin, with their deliveries; failed deliveries can be
put back in the queue once their cause is fixed."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Event, EventDelivery
from .services import delivery_retry


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeliveryInline(admin.TabularInline):
    model = EventDelivery
    extra = 0
    can_delete = False
    readonly_fields = ["subscriber", "status", "attempts", "next_attempt_at", "delivered_at", "last_error"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Event)
class EventAdmin(ReadOnly):
    list_display = ["id", "kind", "occurred_at", "unit_id", "period_id", "subject_type", "subject_id", "by_id"]
    list_filter = ["kind"]
    inlines = [DeliveryInline]


@admin.register(EventDelivery)
class EventDeliveryAdmin(ReadOnly):
    list_display = ["event", "subscriber", "status", "attempts", "delivered_at", "last_error"]
    list_filter = ["status", "subscriber"]
    actions = ["retry"]

    @admin.action(description=_("Deliver again"))
    def retry(self, request, queryset):
        count = delivery_retry(deliveries=queryset)
        message = ngettext("%d delivery queued again.", "%d deliveries queued again.", count) % count
        self.message_user(request, message, messages.SUCCESS)
