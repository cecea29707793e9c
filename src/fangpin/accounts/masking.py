"""What a role sees of a person's identity: the only place that decides it.

Roles with `id_number.full` (village clerks, county bureaus) see the ID number and the birth date. The others see
`1406**************` (province and city only) and the person's age in years instead of the birth date, and cannot
search by ID number. Whatever such a role sees, exports or asks together leaves the ID number undetermined: the
birth date (8 digits) and the sequence (3 digits) are never shown, and no query answers whether a given number is
registered. docs/access.md states the argument.
"""
from __future__ import annotations

import datetime as dt

from fangpin.lib import bankcard, idnumber

from .access import can

# Fields that carry the ID number or a part of it, or an account number, wherever rows are shown, exported or
# historized.
MASKED_FIELDS = frozenset({"id_number", "birth_date", "account_number"})


def sees_full(user) -> bool:
    return can(user, "id_number.full")


def id_number_for(user, value: str) -> str:
    if not value:
        return ""
    return value if sees_full(user) else idnumber.mask(value)


def account_number_for(user, value: str) -> str:
    """An account number (收款账户) for roles that see full ID numbers; the others see at most its first and last
    four digits, at least eight hidden (lib.bankcard.mask)."""
    if not value:
        return ""
    return value if sees_full(user) else bankcard.mask(value)


def birth_date_for(user, value: dt.date | None) -> dt.date | None:
    """The birth date for roles that see full ID numbers; None for the others (they see the age)."""
    return value if sees_full(user) else None


def age_on(birth: dt.date | None, today: dt.date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def field_for(user, key: str, value):
    """A value of one of MASKED_FIELDS as the user may see it (exports, history); other fields unchanged."""
    if key == "id_number":
        return id_number_for(user, value) if isinstance(value, str) else value
    if key == "birth_date":
        return birth_date_for(user, value)
    if key == "account_number":
        return account_number_for(user, value) if isinstance(value, str) else value
    return value


def unevaluable_for(user, rows) -> list[dict]:
    """Rows the engine could not evaluate, keyed by ID number for people: masked like every other ID."""
    out = []
    for u in rows:
        d = dict(u.__dict__)
        if idnumber.is_valid(str(d.get("key") or "")):
            d["key"] = id_number_for(user, d["key"])
        out.append(d)
    return out


def may_search_by_id_number(user) -> bool:
    """A yes/no answer to 'is this number registered?' would let a masked role test candidate numbers."""
    return sees_full(user)
