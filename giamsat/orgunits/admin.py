from django.contrib import admin

from giamsat.events.admin_mixins import RecordsEventsAdmin
from giamsat.events.choices import EventKind

from .models import OrgUnit, OrgUnitGroup, OrgUnitGroupMembership, OrgUnitGroupSet, OrgUnitLineage, RestructuringEvent


@admin.register(OrgUnit)
class OrgUnitAdmin(RecordsEventsAdmin, admin.ModelAdmin):
    event_kind = EventKind.REGISTRY_CHANGED
    list_display = ["code", "name_vi", "type", "level", "valid_from", "valid_to"]
    list_filter = ["type", "level"]
    search_fields = ["code", "name_vi", "name_en", "search_text"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "level", "search_text"]


class MembershipInline(admin.TabularInline):
    model = OrgUnitGroupMembership
    raw_id_fields = ["org_unit"]
    extra = 0


@admin.register(OrgUnitGroup)
class OrgUnitGroupAdmin(RecordsEventsAdmin, admin.ModelAdmin):
    event_kind = EventKind.REGISTRY_CHANGED
    list_display = ["code", "name_vi", "group_set"]
    inlines = [MembershipInline]


admin.site.register(OrgUnitGroupSet)


class LineageInline(admin.TabularInline):
    model = OrgUnitLineage
    raw_id_fields = ["predecessor", "successor"]
    extra = 0


@admin.register(RestructuringEvent)
class RestructuringEventAdmin(RecordsEventsAdmin, admin.ModelAdmin):
    event_kind = EventKind.REGISTRY_CHANGED
    list_display = ["code", "kind", "date", "name_vi"]
    list_filter = ["kind", "date"]
    search_fields = ["code", "name_vi"]
    inlines = [LineageInline]
