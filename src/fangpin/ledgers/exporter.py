"""A ledger's rows in the exchange format, in the user's area, masked for the user's role: what the import reads back."""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from fangpin.accounts import access
from fangpin.accounts.masking import MASKED_FIELDS, field_for
from fangpin.exchange import values, workbooks
from fangpin.exchange.spec import FORMAT_NAME, FORMAT_VERSION

from .base import Binding, Ledger


def _path(binding: Binding, key: str) -> str:
    ref = binding.refs.get(key)
    if ref is None:
        return key
    return f"{ref.field}_id" if ref.is_place else f"{ref.field}__{ref.by}"


def queryset(user, binding: Binding):
    return access.scope(user, binding.model.objects.all(), "ledgers.read")


def rows(user, binding: Binding, qs=None, *, with_id: bool = False) -> Iterator[dict]:
    """The sheet's rows as JSON values (codes, fen, ISO dates): all of the user's area, or those of `qs` (a queryset
    of the sheet's model already scoped to the user, ordered)."""
    fields = binding.sheet.fields
    qs = queryset(user, binding).order_by(*binding.order) if qs is None else qs
    qs = qs.values_list(*(_path(binding, f.key) for f in fields), "pk")
    for *rec, pk in qs.iterator(chunk_size=2000) if not qs.query.is_sliced else qs:
        row = {"id": pk} if with_id else {}
        for f, value in zip(fields, rec, strict=True):
            if f.type == "enum" and value == "":
                value = None
            elif f.type == "string" and value == "":
                value = None
            if f.key in MASKED_FIELDS:
                value = field_for(user, f.key, value)
            row[f.key] = values.to_json(f, value)
        yield row


def write_xlsx(user, ledger: Ledger, path: Path) -> None:
    access.require(user, "ledgers.read")
    workbooks.write_document(path, {b.sheet.key: rows(user, b) for b in ledger.bindings}, catalog=ledger.catalog)


def write_json(user, ledger: Ledger, fh: IO[str]) -> None:
    access.require(user, "ledgers.read")
    doc = {"format": FORMAT_NAME, "version": FORMAT_VERSION}
    for b in ledger.bindings:
        doc[b.sheet.key] = list(rows(user, b))
    json.dump(doc, fh, ensure_ascii=False, indent=1)


def write_template(user, ledger: Ledger, path: Path) -> None:
    workbooks.write_template(path, user, catalog=ledger.catalog)
