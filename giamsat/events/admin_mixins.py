"""Admin edits are changes like any other: they record their event in the admin's transaction."""

from .services import event_record


class RecordsEventsAdmin:
    """ModelAdmin mixin: saving (after the inlines) or deleting records `event_kind`."""

    event_kind: str

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        event_record(kind=self.event_kind, subject=form.instance, by=request.user, payload={"via": "admin"})

    def delete_model(self, request, obj):
        subject = (obj._meta.label_lower, obj.pk)
        super().delete_model(request, obj)
        event_record(kind=self.event_kind, subject=subject, by=request.user, payload={"via": "admin"})

    def delete_queryset(self, request, queryset):
        label = queryset.model._meta.label_lower
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        event_record(kind=self.event_kind, subject=(label, ""), by=request.user, payload={"via": "admin", "ids": pks})
