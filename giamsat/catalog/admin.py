from django.contrib import admin

from giamsat.events.admin_mixins import RecordsEventsAdmin
from giamsat.events.choices import EventKind

from .models import (
    DataElement,
    DataSet,
    DataSetAssignment,
    DataSetElement,
    DataSetSection,
    Domain,
    DomainOwnership,
    Indicator,
    Target,
    ValidationRule,
)


class OwnershipInline(admin.TabularInline):
    model = DomainOwnership
    raw_id_fields = ["owner"]
    extra = 0


@admin.register(Domain)
class DomainAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "sort_order"]
    inlines = [OwnershipInline]


@admin.register(DataElement)
class DataElementAdmin(RecordsEventsAdmin, admin.ModelAdmin):
    event_kind = EventKind.DATA_ELEMENT_CHANGED
    list_display = ["code", "name_vi", "domain", "value_type", "period_type", "aggregation"]
    list_filter = ["domain", "value_type", "period_type"]
    search_fields = ["code", "name_vi", "name_en"]


class TargetInline(admin.TabularInline):
    model = Target
    raw_id_fields = ["org_unit", "group"]
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(RecordsEventsAdmin, admin.ModelAdmin):
    event_kind = EventKind.INDICATOR_CHANGED
    list_display = ["code", "name_vi", "domain", "pillar"]
    list_filter = ["domain", "pillar"]
    search_fields = ["code", "name_vi", "expression"]
    inlines = [TargetInline]


class SectionInline(admin.TabularInline):
    model = DataSetSection
    extra = 0


class MemberInline(admin.TabularInline):
    model = DataSetElement
    raw_id_fields = ["data_element"]
    extra = 0


class AssignmentInline(admin.TabularInline):
    model = DataSetAssignment
    raw_id_fields = ["org_unit", "group"]
    extra = 0


@admin.register(DataSet)
class DataSetAdmin(RecordsEventsAdmin, admin.ModelAdmin):
    event_kind = EventKind.DATA_SET_CHANGED
    list_display = ["code", "name_vi", "period_type", "deadline_days", "approval_levels"]
    inlines = [SectionInline, MemberInline, AssignmentInline]


@admin.register(ValidationRule)
class ValidationRuleAdmin(RecordsEventsAdmin, admin.ModelAdmin):
    event_kind = EventKind.VALIDATION_RULE_CHANGED
    list_display = ["code", "left_expression", "operator", "right_expression", "severity"]
    search_fields = ["code", "message_vi"]
