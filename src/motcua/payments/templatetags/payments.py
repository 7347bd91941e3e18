from django import template

register = template.Library()


@register.filter
def vnd(value) -> str:
    """8000 -> "8.000" (Vietnamese thousands separator)."""
    try:
        return f"{int(value):,}".replace(",", ".")
    except (TypeError, ValueError):
        return ""
