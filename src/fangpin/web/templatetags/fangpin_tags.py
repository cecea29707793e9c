from django import template

from fangpin.lib.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Fen to a yuan string with thousands separators."""
    return "" if fen is None else format_yuan(int(fen))
