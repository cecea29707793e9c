"""Applications (申请) for the benefits a clause pays "up to" an amount or on verified costs.

    village ──verify (amount verified)──> township ──approve──> county ──approve (amount approved)──> approved
       │                                     │                   │
       └──decline                 return ────┘ (to the village)  ├──return (to the township)
                                                                  └──decline

The ceiling is what the engine computes for the payee under the clause on the application's date (courtyard economy:
每户不超过2000元; 陇县: 监测户每年不超过5000元). No amount above it is ever recorded: the service refuses it with the
ceiling and its explanation, and a check constraint refuses it in the database. At the county's approval the ceiling
is computed again on the registry as it is then, and the payee's approved applications of the benefit and year
together stay within it. An approved application is paid by a payment round of the benefit (payments.rounds).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from fangpin.accounts import access
from fangpin.lib import money
from fangpin.policies import engine, entitlements, parameters
from fangpin.registry.models import Enterprise, Household, Member

from .approval import Step  # the rounds' step shape: one action of one level from one state
from .models import Application, Evidence

S = Application.State
EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
EVIDENCE_MAX_FILES = 10
# evidence by its first bytes, never by its name
MAGIC = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))


STEPS = (
    Step("verify", S.VILLAGE, S.TOWNSHIP, "village", "村级核实金额，报乡镇审核"),
    Step("decline", S.VILLAGE, S.DECLINED, "village", "不予支持", needs_reason=True),
    Step("approve", S.TOWNSHIP, S.COUNTY, "township", "乡镇审核通过，报县级审定"),
    Step("return", S.TOWNSHIP, S.VILLAGE, "township", "退回村级", needs_reason=True),
    Step("approve", S.COUNTY, S.APPROVED, "county", "县级审定"),
    Step("return", S.COUNTY, S.TOWNSHIP, "county", "退回乡镇", needs_reason=True),
    Step("decline", S.COUNTY, S.DECLINED, "county", "不予支持", needs_reason=True),
)


class Conflict(Exception):
    """Someone else acted on the application since the user looked at it."""


def steps_from(state: str, level: str | None) -> list[Step]:
    return [s for s in STEPS if s.source == state and s.level == level]


def _dir() -> Path:
    d = Path(settings.VAR_DIR) / "evidence"
    d.mkdir(parents=True, exist_ok=True)
    return d


def applicable(place: str, as_of: dt.date) -> list[tuple]:
    """(document, benefit) pairs paid on application that apply in `place` on `as_of`."""
    out = []
    for doc in parameters.catalog_with_overrides().values():
        if doc.covers(place) and engine.out_of_force(doc, as_of) is None:
            out += [(doc, b) for b in doc.benefits if b.amount.bound == "at_most"]
    return out


def _benefit(document_id: str, benefit_id: str):
    doc = parameters.catalog_with_overrides().get(document_id)
    b = next((b for b in doc.benefits if b.id == benefit_id), None) if doc else None
    if b is None or b.amount.bound != "at_most":
        raise ValidationError({"benefit": "请选择按申请兑现（最高不超过）的待遇"})
    return doc, b


def ceiling(user, doc, b, *, as_of: dt.date, household: Household | None = None, member: Member | None = None,
            enterprise: Enterprise | None = None) -> tuple[int, str, str]:
    """The engine's amount for the payee under the benefit on `as_of` (fen), its explanation and funding; (0, why,
    "") when the registry's facts do not qualify."""
    if enterprise is not None:
        owed = entitlements.for_enterprise(user=user, enterprise=enterprise, as_of=as_of)
        rows = [r for r in owed.rows if r["credit_code"] == enterprise.credit_code]
    else:
        owed = entitlements.for_households(user=user, household_ids=[household.pk], village_code=household.village_id,
                                           as_of=as_of)
        rows = [r for r in owed.rows if r["household_number"] == household.number]
        if b.entity == "person":
            rows = [r for r in rows if member is not None and r["id_number"] == member.id_number]
    rows = [r for r in rows if r["benefit_id"] == b.id and r["document_id"] == doc.id]
    if not rows:
        why = "；".join(owed.messages) or "按现有登记信息不符合该待遇的条件"
        return 0, why, ""
    return sum(r["amount"] for r in rows), "；".join(r["explanation"] for r in rows), rows[0]["funding"] or ""


def _evidence_kind(path: Path, name: str) -> str:
    size = path.stat().st_size
    if size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"evidence": f"证明材料“{name}”超过{EVIDENCE_MAX_BYTES // 1024 // 1024}MB"})
    with path.open("rb") as fh:
        head = fh.read(16)
    kind = next((k for magic, k in MAGIC if head.startswith(magic)), None)
    if kind is None:
        raise ValidationError({"evidence": f"证明材料“{name}”不是PDF、JPEG或PNG文件"})
    return kind


@transaction.atomic
def submit(user, *, document_id: str, benefit_id: str, household: Household | None = None,
           member: Member | None = None, enterprise: Enterprise | None = None, asked: int, purpose: str,
           evidence: list[tuple[str, Path]], as_of: dt.date | None = None) -> Application:
    """The village (or the county) records an application with its evidence; the ceiling is the engine's."""
    access.require(user, "payments.correct")
    as_of = as_of or timezone.localdate()
    place = enterprise.org_unit_id if enterprise is not None else household.village_id if household else None
    access.require_area(user, place, "申请人不在您的管辖范围内")
    doc, b = _benefit(document_id, benefit_id)
    if engine.out_of_force(doc, as_of):
        raise ValidationError({"benefit": engine.out_of_force(doc, as_of)})
    if (b.basis == "enterprise" or b.payee is not None) != (enterprise is not None):
        raise ValidationError({"benefit": f"{b.name}的申请人应为{'经营主体' if enterprise is None else '农户'}"})
    if b.entity == "person" and not b.payee and (member is None or member.household_id != household.pk):
        raise ValidationError({"member": "请选择享受该待遇的家庭成员"})
    errors = {}
    purpose = (purpose or "").strip()
    if not purpose:
        errors["purpose"] = "请填写申请事项（项目、规模、票据等）"
    if not isinstance(asked, int) or asked <= 0:
        errors["asked"] = "申请金额应大于0"
    if not evidence:
        errors["evidence"] = "请上传证明材料（验收记录、票据、合同或照片）"
    if len(evidence) > EVIDENCE_MAX_FILES:
        errors["evidence"] = f"证明材料最多{EVIDENCE_MAX_FILES}个文件"
    if errors:
        raise ValidationError(errors)
    kinds = [_evidence_kind(Path(p), name) for name, p in evidence]
    top, explanation, funding = ceiling(user, doc, b, as_of=as_of, household=household, member=member,
                                        enterprise=enterprise)
    if top <= 0:
        raise ValidationError({"benefit": f"不能申请{b.name}：{explanation}"})
    if asked > top:
        raise ValidationError({"asked": f"申请金额超过政策上限{money.format_yuan(top)}元（{explanation}）"})
    payee = enterprise.name if enterprise is not None else (member.name if member is not None else
                                                            (household.members.filter(relation="head")
                                                             .values_list("name", flat=True).first() or household.number))
    app = Application(document_id=doc.id, document_number=doc.number, benefit_id=b.id, benefit_name=b.name,
                      clause=b.clause, year=as_of.year, as_of=as_of, village_id=place,
                      household=household if enterprise is None else None, member=member, enterprise=enterprise,
                      payee_name=payee[:100], purpose=purpose, asked=asked, ceiling=top,
                      ceiling_explanation=explanation, funding=funding, created_by=user)
    app._history_user = user
    app._change_reason = f"登记申请：申请{money.format_yuan(asked)}元"
    app.save()
    for (name, path), kind in zip(evidence, kinds):
        data = Path(path).read_bytes()
        stored = f"{app.pk}-{secrets.token_hex(8)}.{kind}"
        (_dir() / stored).write_bytes(data)
        Evidence.objects.create(application=app, filename=Path(name).name[:200], kind=kind, size=len(data),
                                sha256=hashlib.sha256(data).hexdigest(), stored_name=stored, uploaded_by=user)
    return app


def _area(app: Application, level: str) -> str:
    code = app.village_id
    return {"village": code, "township": code[:9] + "000", "county": code[:6] + "000000"}[level]


@transaction.atomic
def act(user, app: Application, action: str, *, version: int, amount: int | None = None, reason: str = "",
        today: dt.date | None = None) -> Application:
    """One step; `version` is what the user saw (stale: Conflict). Verify and approve take the amount (fen)."""
    level = access.workflow_level(user)
    if level is None:
        raise PermissionDenied("您的角色不参与审核")
    access.require_area(user, app.village_id, "该申请不在您的管辖范围内")
    current = Application.objects.select_for_update().get(pk=app.pk)
    if current.version != version:
        raise Conflict("该申请已被他人处理，请刷新后查看最新状态")
    step = next((s for s in STEPS if s.source == current.state and s.action == action and s.level == level), None)
    if step is None:
        allowed = "、".join(s.label for s in steps_from(current.state, level)) or "无"
        raise PermissionDenied(f"申请当前为“{current.get_state_display()}”，可进行的操作：{allowed}")
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        raise ValidationError({"reason": "退回或不予支持须填写理由"})
    fields = {}
    if action == "verify":
        fields["verified"] = _amount(amount, current, "核实金额")
    if step.target == S.APPROVED:
        approved = current.verified if amount is None else amount
        fields["approved"] = _amount(approved, current, "审定金额")
        _within_ceiling(user, current, fields["approved"], today or timezone.localdate())
    updated = Application.objects.filter(pk=current.pk, version=version, state=step.source).update(
        state=step.target, version=F("version") + 1, **fields)
    if not updated:
        raise Conflict("该申请已被他人处理，请刷新后查看最新状态")
    current.refresh_from_db()
    note = step.label
    if "verified" in fields:
        note += f"：核实{money.format_yuan(fields['verified'])}元"
    if "approved" in fields:
        note += f"：审定{money.format_yuan(fields['approved'])}元"
    current._history_user = user
    current._change_reason = f"{note}{'；' + reason if reason else ''}"
    current.save(update_fields=["state"])  # a history row with who and why (the state is already written)
    return current


def _amount(amount, app: Application, label: str) -> int:
    if not isinstance(amount, int) or amount <= 0:
        raise ValidationError({"amount": f"请填写{label}（大于0）"})
    if amount > app.asked:
        raise ValidationError({"amount": f"{label}不能超过申请金额{money.format_yuan(app.asked)}元"})
    if amount > app.ceiling:
        raise ValidationError({"amount": f"{label}不能超过政策上限{money.format_yuan(app.ceiling)}元"})
    return amount


def _within_ceiling(user, app: Application, amount: int, today: dt.date) -> None:
    """The ceiling again, on the registry as it is now; the payee's approved applications of the benefit and year
    together within it (每户每年不超过)."""
    doc, b = _benefit(app.document_id, app.benefit_id)
    top, explanation, _ = ceiling(app.created_by, doc, b, as_of=app.as_of, household=app.household, member=app.member,
                                  enterprise=app.enterprise)
    if top <= 0:
        raise ValidationError(f"按当前登记信息已不符合{b.name}的条件：{explanation}")
    payee = {"enterprise": app.enterprise} if app.enterprise_id else {"household": app.household, "member": app.member}
    before = (Application.objects.filter(benefit_id=app.benefit_id, document_id=app.document_id, year=app.year,
                                         state=S.APPROVED, **payee).exclude(pk=app.pk)
              .aggregate(s=Sum("approved"))["s"] or 0)
    if before + amount > top:
        raise ValidationError({"amount": f"超过政策上限：{explanation}；本年度已审定{money.format_yuan(before)}元，"
                                         f"本次最多{money.format_yuan(max(top - before, 0))}元"})


def visible(user):
    return access.scope(user, Application.objects.all(), "payments.read")


def application_list(*, user, area: str = "", state: str = ""):
    from fangpin.lib import divisions

    qs = visible(user)
    if area and not divisions.is_code(area):
        raise ValidationError({"area": "区划代码应为12位数字"})
    if area:
        qs = qs.filter(access.subtree("village_id", divisions.prefix(divisions.full_code(area))))
    if state in S.values:
        qs = qs.filter(state=state)
    return qs.select_related("village", "village__parent")


def get(*, user, pk: int) -> Application:
    app = visible(user).select_related("village", "village__parent", "household", "member", "enterprise").filter(
        pk=pk).first()
    if app is None:
        raise PermissionDenied("没有该申请，或不在您的管辖范围内")
    return app


def evidence_file(*, user, pk: int) -> tuple[Evidence, Path]:
    e = Evidence.objects.select_related("application").filter(pk=pk).first()
    if e is None or not visible(user).filter(pk=e.application_id).exists():
        raise PermissionDenied("没有该文件")
    return e, _dir() / e.stored_name


def payable(*, benefit_ids: list[str], document_id: str, year: int, prefix: str):
    """Approved applications of the benefits and year under the division `prefix` (a round's rows)."""
    return Application.objects.filter(document_id=document_id, benefit_id__in=benefit_ids, year=year,
                                      state=S.APPROVED).filter(access.subtree("village_id", prefix))
