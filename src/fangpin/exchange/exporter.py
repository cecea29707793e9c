"""Export of the registry, scoped to the user and masked for the user's role, in the exchange format."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO

from fangpin.accounts import access
from fangpin.accounts.masking import MASKED_FIELDS, field_for
from fangpin.payments import accounts as payee_accounts
from fangpin.registry import selectors

from . import mapping, values
from .spec import FORMAT_NAME, FORMAT_VERSION, SHEETS, Sheet


# How each sheet reaches its household, to export (or evaluate) a chosen set of households.
HOUSEHOLD_PATH = {
    "households": "pk", "members": "household_id", "incomes": "household_id",
    "employments": "member__household_id", "trainings": "member__household_id", "startups": "member__household_id",
    "accounts": "member__household_id",
}
MASKED_NOTE = "身份证号、收款账号已按角色脱敏，本文件不能再导入"


def _all(sheet: Sheet):
    model = mapping.MODELS[sheet.key]
    return model.objects.filter(until__isnull=True) if sheet.key == "accounts" else model.objects.all()  # current only


def _queryset(user, sheet: Sheet, household_ids=None, enterprise_ids=None):
    if enterprise_ids is not None and sheet.key == "enterprises":
        qs = selectors.enterprises_visible(user=user).filter(pk__in=enterprise_ids)
        return qs.order_by(*mapping.ORDER[sheet.key])
    if household_ids is not None and sheet.key in HOUSEHOLD_PATH:
        qs = access.scope(user, _all(sheet), "registry.read")
        return qs.filter(**{f"{HOUSEHOLD_PATH[sheet.key]}__in": household_ids}).order_by(*mapping.ORDER[sheet.key])
    if sheet.key == "enterprises":
        # with the enterprises outside the subtree that exported people are linked to, so the file is whole
        qs = selectors.enterprises_visible(user=user, capability="registry.export")
    elif sheet.key == "accounts":
        # the members' and the enterprises' of the area (an employer elsewhere in the file is not the user's to pay)
        qs = payee_accounts.current_accounts(user=user, capability="registry.export")
    else:
        qs = access.scope(user, mapping.MODELS[sheet.key].objects.all(), "registry.export")
    return qs.order_by(*mapping.ORDER[sheet.key])


def rows(user, sheet: Sheet, *, household_ids=None, enterprise_ids=None, unmasked: bool = False) -> Iterator[dict]:
    """The sheet's rows as JSON values (codes, fen, ISO dates), ID numbers masked per role.

    household_ids restricts the rows to those households (within the user's scope), enterprise_ids the enterprises
    sheet to those enterprises (among those the user may see); unmasked keeps full ID numbers for computations that
    never show them (the entitlement engine keys people by ID)."""
    paths = mapping.ORM_PATH[sheet.key]
    qs = _queryset(user, sheet, household_ids, enterprise_ids).values_list(*paths.values())
    fields = sheet.fields
    # a whole area streams (a server-side cursor on PostgreSQL: three round trips); chosen households are few, one query
    records = qs if household_ids is not None or enterprise_ids is not None else qs.iterator(chunk_size=2000)
    for rec in records:
        row = {}
        for f, value in zip(fields, rec, strict=True):
            if f.type == "enum" and value == "":
                value = None
            if f.key in MASKED_FIELDS and not unmasked:
                value = field_for(user, f.key, value)
            row[f.key] = values.to_json(f, value)
        yield row


def is_masked(user) -> bool:
    return not access.can(user, "id_number.full")


def iter_json(user) -> Iterator[str]:
    """The JSON document in pieces, one row at a time, for streaming responses and files."""
    yield f'{{"format": "{FORMAT_NAME}", "version": "{FORMAT_VERSION}"'
    if is_masked(user):
        yield f', "notes": "{MASKED_NOTE}"'
    for sheet in SHEETS:
        yield f',\n"{sheet.key}": ['
        for i, row in enumerate(rows(user, sheet)):
            yield ("\n" if i == 0 else ",\n") + json.dumps(row, ensure_ascii=False, separators=(",", ":"))
        yield "\n]"
    yield "}\n"


def write_json(user, fh: IO[str]) -> None:
    for piece in iter_json(user):
        fh.write(piece)
