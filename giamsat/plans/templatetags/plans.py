"""Template helpers of the plans' pages: a computed status as its badge."""

from django import template
from django.utils.html import format_html

from giamsat.tracking.choices import WorkStatus

register = template.Library()


@register.filter
def work_status_label(status: str) -> str:
    """The status's official label (never the stored code)."""
    return WorkStatus(status).label if status in WorkStatus.values else ""


@register.simple_tag
def work_status_badge(status: str):
    """The status as a coloured badge."""
    if status not in WorkStatus.values:
        return ""
    label = WorkStatus(status).label
    return format_html('<span class="badge work-{}" data-status="{}">{}</span>', status, status, label)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None
