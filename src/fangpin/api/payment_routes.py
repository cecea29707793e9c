"""Payments API: members' payee accounts (收款账户), numbers masked as on the pages. Rounds, notices, bank files and
the ledger follow (docs/payments.md)."""
from __future__ import annotations

import datetime as dt

from ninja import Router, Schema, Status

from fangpin.payments import accounts
from fangpin.payments.models import PayeeAccount
from fangpin.registry import selectors as registry_selectors

from . import schemas as s

payments = Router(tags=["政策兑现"])


class PayeeAccountIn(Schema):
    member_id: int
    kind: PayeeAccount.Kind
    bank: str
    account_number: str
    holder: str
    proxy_relation: str = ""
    proxy_reason: str = ""
    since: dt.date | None = None


class PayeeAccountOut(Schema):
    member_id: int
    member_name: str
    kind: PayeeAccount.Kind
    bank: str
    account_number: str  # masked for roles that do not see full ID numbers
    holder: str
    proxy_relation: str
    proxy_reason: str
    since: dt.date


def _out(row: dict) -> dict:
    a = row["account"]
    return {"member_id": a.member_id, "member_name": row["member"].name, "kind": a.kind, "bank": a.bank,
            "account_number": row["number"], "holder": a.holder, "proxy_relation": a.proxy_relation,
            "proxy_reason": a.proxy_reason, "since": a.since}


@payments.get("/households/{pk}/accounts", response={200: list[PayeeAccountOut], 403: s.ErrorOut},
              summary="户内成员的现用收款账户")
def account_list(request, pk: int):
    household = registry_selectors.household_get(user=request.user, pk=pk)
    return [_out(r) for r in accounts.accounts_of(user=request.user, household=household)]


@payments.post("/households/{pk}/accounts", response={201: PayeeAccountOut, 403: s.ErrorOut, 404: s.ErrorOut,
                                                     422: s.ErrorOut}, summary="登记或更换成员的收款账户")
def account_set(request, pk: int, payload: PayeeAccountIn):
    household = registry_selectors.household_get(user=request.user, pk=pk)
    member = registry_selectors.household_members(user=request.user, household=household).filter(
        pk=payload.member_id).first()
    if member is None:
        return Status(404, {"detail": "该户没有这个成员"})
    accounts.set_account(request.user, member, kind=payload.kind.value, bank=payload.bank,
                         number=payload.account_number, holder=payload.holder, since=payload.since,
                         proxy_relation=payload.proxy_relation, proxy_reason=payload.proxy_reason)
    row = next(r for r in accounts.accounts_of(user=request.user, household=household) if r["member"].pk == member.pk)
    return Status(201, _out(row))
