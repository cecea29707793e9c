"""Parameters county staff change on the page: dated values over the catalog file's, with history.

Reading is open to every role that reads the registry (a policy's amounts are public); setting a value needs
access.can_edit_policy(): a county bureau whose area holds the whole document. A value set here applies from its date
like a value in the file, and replaces the file's value dated the same day.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from fangpin.accounts import access

from . import catalog
from .catalog import Document
from .models import ParameterValue


@dataclass
class ParameterRow:
    key: str
    label: str
    unit: str
    per_year: bool
    current: object  # the value on the day asked, or None
    values: list[tuple[dt.date, object, str]]  # (date, value, source: 文件 or who set it and why)


def with_overrides(doc: Document) -> Document:
    """The document with the values set on the page merged into its parameters."""
    rows = list(ParameterValue.objects.filter(document_id=doc.id))
    if not rows:
        return doc
    params = dict(doc.parameters)
    for r in rows:
        p = params.get(r.key)
        if p is None:
            continue  # a parameter the file no longer has
        value, _ = catalog.parse_value(p.unit, r.value)
        kept = tuple((d, v) for d, v in p.values if d != r.valid_from)
        params[r.key] = dataclasses.replace(p, values=tuple(sorted(kept + ((r.valid_from, value),))))
    return dataclasses.replace(doc, parameters=params)


def catalog_with_overrides() -> dict[str, Document]:
    return {k: with_overrides(d) for k, d in catalog.load_catalog().items()}


def documents(user) -> list[tuple[Document, bool]]:
    """Every catalog document, and whether the user may adjust its parameters."""
    access.require(user, "policy.read")
    return [(d, access.can_edit_policy(user, d.regions)) for d in catalog.load_catalog().values()]


def document(user, doc_id: str) -> Document:
    access.require(user, "policy.read")
    doc = catalog.load_catalog().get(doc_id)
    if doc is None:
        raise PermissionDenied("没有这个政策文件")
    return doc


def rows(user, doc_id: str, *, on: dt.date) -> list[ParameterRow]:
    doc = document(user, doc_id)
    merged = with_overrides(doc)
    set_here = {(r.key, r.valid_from): r for r in ParameterValue.objects.filter(document_id=doc_id).select_related("changed_by")}
    out = []
    for key, p in merged.parameters.items():
        values = []
        for since, value in p.values:
            r = set_here.get((key, since))
            source = f"页面设置：{r.changed_by.get_username()}，{r.reason}" if r else "政策目录文件"
            values.append((since, value, source))
        out.append(ParameterRow(key, p.label, p.unit, p.per_year, p.value_on(on), values))
    return out


def set_value(user, doc_id: str, key: str, valid_from: dt.date, value: str, reason: str) -> ParameterValue:
    """Add (or replace) the value of one parameter from a date. Checked as the catalog file's values are."""
    doc = document(user, doc_id)
    if not access.can_edit_policy(user, doc.regions):
        raise PermissionDenied("只有管辖该文件全部适用区域的县级部门可以调整参数")
    p = doc.parameters.get(key)
    if p is None:
        raise ValidationError(f"“{doc.number}”没有参数“{key}”")
    raw = str(value).strip()
    _, problem = catalog.parse_value(p.unit, raw)
    if problem:
        raise ValidationError(f"参数“{p.label}”{problem}")
    if not reason.strip():
        raise ValidationError("请填写调整依据（文件、会议纪要等）")
    with transaction.atomic():
        row = (ParameterValue.objects.select_for_update().filter(document_id=doc_id, key=key, valid_from=valid_from).first()
               or ParameterValue(document_id=doc_id, key=key, valid_from=valid_from))
        row.value, row.reason, row.changed_by = raw, reason.strip(), user
        row._history_user = user  # the history names who, also outside a request (commands, tests)
        row.save()
    return row


def history(user, doc_id: str) -> list:
    document(user, doc_id)
    return list(ParameterValue.history.filter(document_id=doc_id).select_related("history_user")
                .order_by("-history_date")[:200])
