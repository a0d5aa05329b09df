"""Template filters of the projects' pages: amounts in billions of đồng, an index (SPI, CPI)."""

from django import template

from giamsat.core.templatetags.giamsat import num
from giamsat.projects import explain

register = template.Library()


@register.filter
def money(amount) -> str:
    """Whole đồng as billions, in the active language: "12,35 tỷ đồng"."""
    return explain.money(amount)


@register.filter
def billions(amount) -> str:
    """Whole đồng as a number of billions, for columns headed "billion VND"."""
    return explain.billions(amount)


@register.filter
def index(value) -> str:
    """SPI or CPI with two decimals, or a dash when there is none."""
    return "—" if value is None else num(value, 2)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def rule_name(rule) -> str:
    """A red-flag rule's name in the active language."""
    return explain.rule_name(rule)
