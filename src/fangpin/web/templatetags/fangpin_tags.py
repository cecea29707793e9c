from django import template

from fangpin.lib.money import format_yuan

register = template.Library()


@register.filter
def yuan(fen) -> str:
    """Fen to a yuan string with thousands separators."""
    return "" if fen is None else format_yuan(int(fen))


UNIT_LABELS = {"yuan": "元", "month": "个月", "day": "天", "count": "人", "mu": "亩", "ratio": ""}


@register.filter
def param_value(value, unit: str = "") -> str:
    """A parameter value as written in the catalog: 1500 元, 15.6 元, 1/2, 6 个月; blank when not set."""
    from fangpin.policies.catalog import value_text

    if value is None:
        return "未设定"
    text = value_text(value)
    return f"{text} {UNIT_LABELS.get(unit, '')}".strip()


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (None when absent)."""
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def region_names(prefixes) -> str:
    """A document's regions (division prefixes) by name: 山西省忻州市、陕西省宝鸡市陇县."""
    from fangpin.orgunits.names import region_names as names

    return names(prefixes)


@register.filter
def region_name(prefix) -> str:
    from fangpin.orgunits.names import region_name as name

    return name(prefix)


@register.filter
def current_value(parameter, day) -> str:
    """A catalog parameter's value in force on `day`, as written in the catalog (未设定 when none)."""
    return param_value(parameter.value_on(day) if day else None, parameter.unit)


@register.filter
def person(user) -> str:
    """A user as pages name people: the recorded name, else the login name; nobody: ""."""
    return user.display_name if user is not None and hasattr(user, "display_name") else ""


@register.filter
def ledger_shares(row) -> dict:
    """A paid row's amount by funding level (fen), for the ledger's columns."""
    from fangpin.payments import ledger

    return ledger.shares(row)
