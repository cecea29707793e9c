"""ID-number display: the only place that decides whether a user sees a full ID number."""
from fangpin.lib import idnumber

from .access import can


def id_number_for(user, value: str) -> str:
    if not value:
        return ""
    return value if can(user, "id_number.full") else idnumber.mask(value)
