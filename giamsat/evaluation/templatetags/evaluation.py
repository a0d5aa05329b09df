"""Template helpers for evaluation pages: units of measure, rank changes, status badges."""

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from giamsat.catalog.engine.expressions import expression_in_words
from giamsat.evaluation.choices import Status

register = template.Library()


@register.filter
def unit_of(indicator) -> str:
    """The indicator's unit of measure in the active language."""
    if (get_language() or "vi").startswith("en") and indicator.unit_en:
        return indicator.unit_en
    return indicator.unit_vi


@register.simple_tag
def rank_change(rank, previous):
    """▲ n (moved up), ▼ n (moved down), = (same place) or nothing when unknown."""
    if rank is None or previous is None:
        return ""
    gained = previous - rank
    if gained > 0:
        return format_html('<span class="rank-up" title="{}">▲ {}</span>', _("up from %(p)s") % {"p": previous}, gained)
    if gained < 0:
        title = _("down from %(p)s") % {"p": previous}
        return format_html('<span class="rank-down" title="{}">▼ {}</span>', title, -gained)
    return format_html('<span class="rank-same" title="{}">=</span>', _("same place"))


@register.simple_tag
def status_badge(status):
    """A coloured badge for an evaluation status."""
    if not status:
        return ""
    return format_html('<span class="badge st-{}">{}</span>', status, Status(status).label)


@register.filter
def get(mapping, key):
    """mapping[key], or None."""
    return mapping.get(key) if mapping else None


@register.filter
def unit_type_label(code) -> str:
    """The label of a unit type code (PROVINCE → Tỉnh/thành phố)."""
    from giamsat.orgunits.choices import OrgUnitType

    try:
        return str(OrgUnitType(code).label)
    except ValueError:
        return str(code)


@register.filter
def formula_names(expression: str, inputs) -> str:
    """An indicator's formula in words: each #{CODE} replaced by its element's name (the inputs
    of the explanation), * and / as × and ÷, for people who do not read codes."""
    return expression_in_words(expression, {i.element.code: i.element.name for i in inputs})


@register.simple_tag
def signed_difference(value, other, decimals: int = 4):
    """value − other with its sign (+0,0123 / −0,0456), as the active language writes numbers."""
    from giamsat.core.templatetags.giamsat import num

    if value is None or other is None:
        return ""
    difference = round(float(value) - float(other), decimals) + 0.0
    sign = "+" if difference > 0 else ("−" if difference < 0 else "±")
    css = "rank-up" if difference > 0 else ("rank-down" if difference < 0 else "rank-same")
    return format_html('<span class="{}">{}{}</span>', css, sign, num(abs(difference), decimals))
