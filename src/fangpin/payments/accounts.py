"""收款账户: set and read the account a member is paid into, checked against the writer's area when written."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from fangpin.accounts import access
from fangpin.accounts.masking import account_number_for
from fangpin.lib import bankcard
from fangpin.registry.models import Enterprise, Member

from .models import PayeeAccount


@transaction.atomic
def set_account(user, member: Member, *, kind: str, bank: str, number: str, holder: str, since: dt.date | None = None,
                proxy_relation: str = "", proxy_reason: str = "") -> PayeeAccount:
    """Record the member's account; the current one, if any, ends the day before. The holder is the member, or a proxy
    named with the relation and the reason (代领)."""
    access.require(user, "registry.write")
    member = Member.objects.select_related("household").select_for_update().get(pk=member.pk)
    access.require_area(user, member.household.village_id, "该成员不在您的管辖范围内")
    proxy_relation, proxy_reason = proxy_relation.strip(), proxy_reason.strip()
    errors = _check(kind, PayeeAccount.PERSON_KINDS, bank, number, holder, since)
    if "holder" not in errors and holder.strip() != member.name and not (proxy_relation and proxy_reason):
        errors["holder"] = f"户名“{holder.strip()}”不是本人（{member.name}）：代领须写明代领人与本人关系和代领原因"
    elif holder.strip() == member.name and (proxy_relation or proxy_reason):
        errors["proxy_relation"] = "户名是本人时不填代领人"
    if errors:
        raise ValidationError(errors)
    return _replace(user, PayeeAccount(member=member, kind=kind, bank=bank.strip(), account_number=bankcard.normalize(
        number), holder=holder.strip(), since=since or timezone.localdate(), proxy_relation=proxy_relation,
        proxy_reason=proxy_reason, created_by=user), PayeeAccount.objects.filter(member=member, until__isnull=True))


@transaction.atomic
def set_enterprise_account(user, enterprise: Enterprise, *, bank: str, number: str, holder: str,
                           since: dt.date | None = None) -> PayeeAccount:
    """Record an enterprise's corporate account (对公账户), held in the enterprise's name; the current one ends the day
    before. Only a writer whose area holds the enterprise's place."""
    access.require(user, "registry.write")
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    access.require_area(user, enterprise.org_unit_id, "该经营主体不在您的管辖范围内")
    errors = _check(PayeeAccount.Kind.CORPORATE, (PayeeAccount.Kind.CORPORATE,), bank, number, holder, since)
    if "holder" not in errors and holder.strip() != enterprise.name:
        errors["holder"] = f"对公账户的户名应为经营主体名称“{enterprise.name}”"
    if errors:
        raise ValidationError(errors)
    return _replace(user, PayeeAccount(enterprise=enterprise, kind=PayeeAccount.Kind.CORPORATE, bank=bank.strip(),
                                       account_number=bankcard.normalize(number), holder=holder.strip(),
                                       since=since or timezone.localdate(), created_by=user),
                    PayeeAccount.objects.filter(enterprise=enterprise, until__isnull=True))


def _check(kind: str, kinds, bank: str, number: str, holder: str, since: dt.date | None) -> dict[str, str]:
    errors = {}
    if kind not in kinds:
        errors["kind"] = "请选择账户类型"
    elif problem := bankcard.problem(bankcard.normalize(number), card=kind in PayeeAccount.CARD_KINDS):
        errors["account_number"] = problem
    if not bank.strip():
        errors["bank"] = "请填写开户银行"
    if not holder.strip():
        errors["holder"] = "请填写户名"
    if since is not None and since > timezone.localdate():
        errors["since"] = "启用日期不能晚于今天"
    return errors


def _replace(user, account: PayeeAccount, current) -> PayeeAccount:
    old = current.first()
    if old is not None:
        if account.since <= old.since:
            raise ValidationError({"since": f"新账户的启用日期应晚于现账户（{old.since:%Y-%m-%d}）"})
        old.until = account.since - dt.timedelta(days=1)
        _save(old, user, "更换收款账户")
    _save(account, user, "登记收款账户")
    return account


def _save(obj, user, reason: str) -> None:
    obj._history_user = user
    obj._change_reason = reason
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:  # another writer set the member's account at the same moment
        raise ValidationError("该成员的收款账户刚被他人修改，请刷新后重试") from None


def accounts_of(*, user, household) -> list[dict]:
    """The current accounts of a household's members (already fetched through the registry's scope), numbers as the
    user may see them."""
    access.require(user, "registry.read")
    rows = PayeeAccount.objects.filter(member__household=household, until__isnull=True).select_related("member")
    return [{"account": a, "member": a.member, "number": account_number_for(user, a.account_number)}
            for a in rows.order_by("member__relation", "member_id")]


def enterprise_account(*, user, enterprise) -> dict | None:
    """The enterprise's current account (the enterprise already fetched through the registry's scope)."""
    access.require(user, "registry.read")
    a = PayeeAccount.objects.filter(enterprise=enterprise, until__isnull=True).first()
    return None if a is None else {"account": a, "number": account_number_for(user, a.account_number)}
