from django.contrib import admin

from .models import Alert, AlertRule


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "kind", "severity", "enabled"]
    list_filter = ["kind", "severity", "enabled"]
    search_fields = ["code", "name_vi"]


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "org_unit", "period", "severity", "state", "opened_at"]
    list_filter = ["kind", "severity", "state"]
    raw_id_fields = ["org_unit", "period", "rule", "acknowledged_by"]
    readonly_fields = ["evidence"]
