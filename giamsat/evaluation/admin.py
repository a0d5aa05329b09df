"""Administration of the index methodologies: a new methodology is a new version with its own
validity and weights, so past rankings keep the weights they were made with. Results are
computed, never edited: they are not in the admin."""

from django.contrib import admin

from giamsat.events.admin_mixins import RecordsEventsAdmin
from giamsat.events.choices import EventKind

from .models import IndexMethodology, PillarWeight


class PillarWeightInline(admin.TabularInline):
    model = PillarWeight
    extra = 0


@admin.register(IndexMethodology)
class IndexMethodologyAdmin(RecordsEventsAdmin, admin.ModelAdmin):
    event_kind = EventKind.INDEX_WEIGHTS_CHANGED
    list_display = ["code", "name_vi", "valid_from", "valid_to", "legal_basis"]
    inlines = [PillarWeightInline]
