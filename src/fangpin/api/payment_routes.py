"""Payments API: payee accounts (收款账户), payment rounds (兑现批次) with their rows, objections and approval, bank
files and returns, and the payment ledger; numbers masked as on the pages, everything scoped as the pages are."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from fangpin.accounts import access
from fangpin.accounts.masking import account_number_for, id_number_for
from fangpin.lib import files
from fangpin.payments import accounts, applications, approval, bankfiles, disbursement, ledger, rounds
from fangpin.payments.models import PayeeAccount, PaymentRound
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


# --- payment rounds --------------------------------------------------------------------------------------------------

class RoundIn(Schema):
    title: str
    document_id: str
    benefit_ids: list[str]
    as_of: dt.date
    area: str  # the county's, a township's or a village's division code


class PartOut(Schema):
    id: int
    township_code: str
    township: str
    state: str
    state_label: str
    version: int
    rows: int
    amount: int  # fen


class RoundOut(Schema):
    id: int
    title: str
    kind: str
    document_id: str
    document_number: str
    benefit_ids: list[str]
    as_of: dt.date
    year: int
    area_code: str
    state: str
    state_label: str
    version: int
    households: int
    rows: int
    amount: int  # fen
    messages: list[str]
    error: str
    parts: list[PartOut]


def _round(rnd: PaymentRound, user) -> dict:
    return {"id": rnd.pk, "title": rnd.title, "kind": rnd.kind, "document_id": rnd.document_id,
            "document_number": rnd.document_number, "benefit_ids": rnd.benefit_ids, "as_of": rnd.as_of,
            "year": rnd.year, "area_code": rnd.area_id, "state": rnd.state, "state_label": rnd.get_state_display(),
            "version": rnd.version, "households": rnd.households, "rows": rnd.rows, "amount": rnd.amount,
            "messages": rnd.messages, "error": rnd.error,
            "parts": [{"id": p.pk, "township_code": p.township_id, "township": p.township.name, "state": p.state,
                       "state_label": p.get_state_display(), "version": p.version, "rows": p.rows, "amount": p.amount}
                      for p in rounds.parts_of(user, rnd)]}


@payments.get("/payments/rounds", response={200: list[RoundOut], 403: s.ErrorOut}, summary="兑现批次（本辖区，新的在前，最多200批）")
def round_index(request, area: str = "", state: str = ""):
    access.require(request.user, "payments.read")
    return [_round(r, request.user) for r in rounds.round_list(user=request.user, area=area, state=state)[:200]]


@payments.post("/payments/rounds", response={202: RoundOut, 403: s.ErrorOut, 422: s.ErrorOut},
               summary="新建兑现批次（后台计算；state 为 computing 时请稍后再读）")
def round_new(request, payload: RoundIn):
    rnd = rounds.create(request.user, title=payload.title, document_id=payload.document_id,
                        benefit_ids=payload.benefit_ids, as_of=payload.as_of, area=payload.area)
    return Status(202, _round(rnd, request.user))


@payments.get("/payments/rounds/{pk}", response={200: RoundOut, 403: s.ErrorOut}, summary="兑现批次")
def round_read(request, pk: int):
    return _round(rounds.round_get(user=request.user, pk=pk), request.user)


class RowOut(Schema):
    id: int
    reference: str
    village_code: str
    payee_name: str
    id_number: str  # masked for roles that do not see full ID numbers
    credit_code: str
    household_number: str
    benefit_id: str
    benefit_name: str
    clause: int
    year: int
    amount: int  # fen
    explanation: str
    status: str
    status_reason: str
    bank_status: str
    bank_reason: str
    account_number: str  # as issued, masked like ID numbers
    paid_on: dt.date | None


def _row(r, user) -> dict:
    return {"id": r.pk, "reference": disbursement.reference(r.round_id, r.pk), "village_code": r.village_id,
            "payee_name": r.payee_name, "id_number": id_number_for(user, r.id_number), "credit_code": r.credit_code,
            "household_number": r.household_number, "benefit_id": r.benefit_id, "benefit_name": r.benefit_name,
            "clause": r.clause, "year": r.year, "amount": r.amount, "explanation": r.explanation, "status": r.status,
            "status_reason": r.status_reason, "bank_status": r.pay.status, "bank_reason": r.pay.reason,
            "account_number": account_number_for(user, r.pay.account_number), "paid_on": r.pay.paid_on}


class RowPage(Schema):
    count: int
    items: list[RowOut]


@payments.get("/payments/rounds/{pk}/rows", response={200: RowPage, 403: s.ErrorOut},
              summary="批次明细（分页：offset、limit≤500）")
def round_rows(request, pk: int, area: str = "", status: str = "", bank_status: str = "", offset: int = 0,
               limit: int = 100):
    qs = rounds.row_list(user=request.user, round_id=pk, area=area, status=status, bank_status=bank_status)
    limit = max(1, min(limit, 500))
    offset = max(0, offset)
    return {"count": qs.count(), "items": [_row(r, request.user) for r in qs.order_by("id")[offset:offset + limit]]}


class ActIn(Schema):
    action: str  # approve / return
    version: int
    reason: str = ""


@payments.post("/payments/rounds/{pk}/parts/{part_id}/act", response={200: PartOut, 403: s.ErrorOut,
                                                                       409: s.ErrorOut, 422: s.ErrorOut},
               summary="乡镇审核、县级审定（version 为读取时的版本；他人已办理或与其他批次重复兑现时返回 409）")
def part_act(request, pk: int, part_id: int, body: ActIn):
    rnd = rounds.round_get(user=request.user, pk=pk)
    part = rnd.parts.filter(pk=part_id).first()
    if part is None:
        raise PermissionDenied("没有该乡镇名单")
    try:
        part = approval.act(request.user, part, body.action, version=body.version, reason=body.reason)
    except approval.Conflict as e:
        return Status(409, {"detail": str(e)})
    return {"id": part.pk, "township_code": part.township_id, "township": part.township.name, "state": part.state,
            "state_label": part.get_state_display(), "version": part.version, "rows": part.rows, "amount": part.amount}


class ObjectionIn(Schema):
    who: str
    text: str


@payments.post("/payments/rows/{pk}/objections", response={201: dict, 403: s.ErrorOut, 422: s.ErrorOut},
               summary="登记异议（公示期间，村级）")
def objection_add(request, pk: int, body: ObjectionIn):
    row = rounds.row_get(user=request.user, pk=pk)
    o = rounds.raise_objection(request.user, row, who=body.who, text=body.text)
    return Status(201, {"id": o.pk, "row_id": row.pk})


class IssueIn(Schema):
    layout: str
    paid_on: dt.date | None = None


class FileOut(Schema):
    id: int
    bank: str
    layout: str
    rows: int
    total: int  # fen
    sha256: str
    filename: str


@payments.post("/payments/rounds/{pk}/issue", response={201: list[FileOut], 403: s.ErrorOut, 422: s.ErrorOut},
               summary="生成银行代发文件（按开户银行各一份；已审定且已登记收款账户的行）")
def round_issue(request, pk: int, body: IssueIn):
    rnd = rounds.round_get(user=request.user, pk=pk)
    made = disbursement.issue(request.user, rnd, layout=body.layout, paid_on=body.paid_on)
    return Status(201, [{"id": f.pk, "bank": f.bank, "layout": f.layout, "rows": f.rows, "total": f.total,
                         "sha256": f.sha256, "filename": f.filename} for f in made])


@payments.post("/payments/files/{pk}/return", response={200: dict, 400: s.ErrorOut, 403: s.ErrorOut,
                                                        413: s.ErrorOut, 422: s.ErrorOut},
               summary="导入银行回盘（整份校验；有错误时不写入并列出行列）")
def file_return(request, pk: int, file: File[UploadedFile]):
    f = disbursement.file_get(request.user, pk)
    with files.saved(file.chunks()) as path:
        try:
            record = disbursement.import_return(request.user, f, path, file.name or "return")
        except bankfiles.ReturnFileError as e:
            return Status(400, {"detail": [{"row": p.row, "column": p.column, "message": p.message}
                                           for p in e.problems]})
        except ValueError as e:
            return Status(400, {"detail": str(e)})
    return {"paid": record.paid, "failed": record.failed, "paid_amount": record.paid_amount}


class LedgerRowOut(RowOut):
    round_id: int
    funding: dict[str, int | None]


@payments.get("/payments/ledger", response={200: list[LedgerRowOut], 403: s.ErrorOut},
              summary="惠民惠农补贴发放台账（已到账；分页：offset、limit≤500）")
def ledger_rows(request, area: str = "", year: int | None = None, benefit: str = "", offset: int = 0,
                limit: int = 100):
    access.require(request.user, "payments.read")
    qs = ledger.paid(request.user, area=area, year=year, benefit=benefit).order_by("payment__village_id", "id")
    limit = max(1, min(limit, 500))
    return [{**_row(r, request.user), "round_id": r.round_id, "funding": ledger.shares(r)}
            for r in qs[max(0, offset):max(0, offset) + limit]]


class LedgerAuditOut(Schema):
    households: int
    payments: int  # the ledger's payments counted (approved, sent or paid; not failed)
    counts: dict[str, int]
    findings: list[dict]  # ID numbers masked per role, as on the page


@payments.get("/payments/ledger/audit", response={200: LedgerAuditOut, 400: s.ErrorOut, 403: s.ErrorOut},
              summary="发放审计：本系统的发放台账与应享待遇比对（应享未享、重复享受、违规享受）")
def ledger_audit(request, document: str, as_of: str, area: str = ""):
    from fangpin.policies import batch, parameters, simulate

    access.require(request.user, "policy.edit")  # as the audit page
    try:
        day = dt.date.fromisoformat(as_of)
    except ValueError:
        return Status(400, {"detail": f"日期“{as_of}”应写成 YYYY-MM-DD"})
    doc = parameters.document(request.user, document)
    try:
        got = batch.audit_registry(request.user, doc, area or request.user.org_unit_id, None, day)
    except ValueError as e:
        return Status(400, {"detail": str(e)})
    if got is None:
        return Status(400, {"detail": f"所选范围超过 {simulate.MAX_HOUSEHOLDS:,} 户，请选择一个乡镇或村"})
    counts: dict[str, int] = {}
    for f in got["findings"]:
        counts[f["finding"]] = counts.get(f["finding"], 0) + 1
    return {"households": got["households"], "payments": got["payments"], "counts": counts,
            "findings": got["findings"]}


# --- applications (最高不超过的待遇) ------------------------------------------------------------------------------------

class ApplicationOut(Schema):
    id: int
    village_code: str
    payee_name: str
    document_id: str
    benefit_id: str
    benefit_name: str
    clause: int
    year: int
    purpose: str
    asked: int  # fen
    ceiling: int  # fen: the engine's amount for the payee
    ceiling_explanation: str
    verified: int | None
    approved: int | None
    state: str
    state_label: str
    version: int
    evidence: list[str]


def _application(a) -> dict:
    return {"id": a.pk, "village_code": a.village_id, "payee_name": a.payee_name, "document_id": a.document_id,
            "benefit_id": a.benefit_id, "benefit_name": a.benefit_name, "clause": a.clause, "year": a.year,
            "purpose": a.purpose, "asked": a.asked, "ceiling": a.ceiling, "ceiling_explanation": a.ceiling_explanation,
            "verified": a.verified, "approved": a.approved, "state": a.state, "state_label": a.get_state_display(),
            "version": a.version, "evidence": [e.filename for e in a.evidence.all()]}


@payments.get("/payments/applications", response={200: list[ApplicationOut], 403: s.ErrorOut, 422: s.ErrorOut},
              summary="兑现申请（本辖区，新的在前，最多500件）")
def application_index(request, area: str = "", state: str = ""):
    access.require(request.user, "payments.read")
    return [_application(a) for a in applications.application_list(user=request.user, area=area, state=state)
            .prefetch_related("evidence")[:500]]


@payments.post("/payments/applications", response={201: ApplicationOut, 403: s.ErrorOut, 404: s.ErrorOut,
                                                   422: s.ErrorOut},
               summary="登记申请（household_id 或 enterprise_id；金额为分；证明材料为 PDF、JPEG、PNG）")
def application_submit(request, document_id: Form[str], benefit_id: Form[str], asked: Form[int], purpose: Form[str],
                       evidence: File[list[UploadedFile]], household_id: Form[int | None] = None,
                       member_id: Form[int | None] = None, enterprise_id: Form[int | None] = None):
    household = member = enterprise = None
    if enterprise_id is not None:
        enterprise = registry_selectors.enterprise_get(user=request.user, pk=enterprise_id)
    elif household_id is not None:
        household = registry_selectors.household_get(user=request.user, pk=household_id)
        if member_id is not None:
            member = registry_selectors.household_members(user=request.user, household=household).filter(
                pk=member_id).first()
            if member is None:
                return Status(404, {"detail": "该户没有这个成员"})
    else:
        return Status(422, {"detail": "请给出 household_id 或 enterprise_id"})
    with files.saved_all([(f.name or "evidence", f.chunks()) for f in evidence]) as saved:
        a = applications.submit(request.user, document_id=document_id, benefit_id=benefit_id, household=household,
                                member=member, enterprise=enterprise, asked=asked, purpose=purpose, evidence=saved)
    return Status(201, _application(a))


class ApplicationActIn(Schema):
    action: str  # verify / approve / return / decline
    version: int
    amount: int | None = None  # fen: the amount verified (village) or approved (county)
    reason: str = ""


@payments.post("/payments/applications/{pk}/act", response={200: ApplicationOut, 403: s.ErrorOut, 409: s.ErrorOut,
                                                            422: s.ErrorOut},
               summary="核实、审核、审定申请（金额为分，不超过政策上限）")
def application_act(request, pk: int, body: ApplicationActIn):
    a = applications.get(user=request.user, pk=pk)
    try:
        a = applications.act(request.user, a, body.action, version=body.version, amount=body.amount,
                             reason=body.reason)
    except applications.Conflict as e:
        return Status(409, {"detail": str(e)})
    return _application(a)
