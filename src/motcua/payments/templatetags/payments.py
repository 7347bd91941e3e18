from django import template

from motcua.core.money import vnd as _vnd

register = template.Library()


@register.filter
def vnd(value) -> str:
    """8000 -> "8.000" (Vietnamese thousands separator)."""
    try:
        return _vnd(value, unit="")
    except (TypeError, ValueError):
        return ""
