from django.contrib import admin

from .models import DataValue, DataValueAudit, Period, Report, ReportEvent


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "period_type", "start_date", "end_date"]
    list_filter = ["period_type"]


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    readonly_fields = ["action", "from_status", "to_status", "by", "at", "comment"]
    can_delete = False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Read-only: the workflow changes reports, never the admin (every step must be logged)."""

    list_display = ["data_set", "org_unit", "period", "status", "deadline", "submitted_at"]
    list_filter = ["status", "data_set"]
    raw_id_fields = ["org_unit", "period"]
    inlines = [ReportEventInline]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(DataValue)
class DataValueAdmin(admin.ModelAdmin):
    """Read-only: values change through the value service so that every change is audited."""

    list_display = ["data_element", "org_unit", "period", "value", "channel", "updated_at"]
    list_filter = ["channel"]
    raw_id_fields = ["org_unit", "period", "data_element"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DataValueAudit)
class DataValueAuditAdmin(DataValueAdmin):
    list_display = [
        "data_element",
        "org_unit",
        "period",
        "action",
        "old_value",
        "new_value",
        "changed_by",
        "changed_at",
    ]
    list_filter = ["action", "channel"]
