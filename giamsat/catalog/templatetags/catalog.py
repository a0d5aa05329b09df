"""Template helpers for catalogue objects: formulas in words."""

from django import template

from giamsat.catalog.engine.expressions import expression_in_words, expression_references
from giamsat.catalog.selectors import element_names

register = template.Library()


@register.filter
def formula_in_words(expression: str) -> str:
    """The formula with the data elements' names instead of their codes (#{HH_FIBER} -> [Số hộ …])."""
    return expression_in_words(expression, element_names(expression_references(expression)))
