"""收款账户: set and read the account a member is paid into, checked against the writer's area when written."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
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
    today = timezone.localdate()
    errors = problems(kind=kind, bank=bank, number=number, holder=holder, since=since, proxy_relation=proxy_relation,
                      proxy_reason=proxy_reason, payee_name=member.name, today=today)
    if errors:
        raise ValidationError(errors)
    return _replace(user, PayeeAccount(member=member, kind=kind, bank=bank.strip(), account_number=bankcard.normalize(
        number), holder=holder.strip(), since=since or today, proxy_relation=proxy_relation.strip(),
        proxy_reason=proxy_reason.strip(), created_by=user), PayeeAccount.objects.filter(member=member, until__isnull=True))


@transaction.atomic
def set_enterprise_account(user, enterprise: Enterprise, *, bank: str, number: str, holder: str,
                           since: dt.date | None = None) -> PayeeAccount:
    """Record an enterprise's corporate account (对公账户), held in the enterprise's name; the current one ends the day
    before. Only a writer whose area holds the enterprise's place."""
    access.require(user, "registry.write")
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    access.require_area(user, enterprise.org_unit_id, "该经营主体不在您的管辖范围内")
    today = timezone.localdate()
    errors = problems(kind=PayeeAccount.Kind.CORPORATE, bank=bank, number=number, holder=holder, since=since,
                      payee_name=enterprise.name, enterprise=True, today=today)
    if errors:
        raise ValidationError(errors)
    return _replace(user, PayeeAccount(enterprise=enterprise, kind=PayeeAccount.Kind.CORPORATE, bank=bank.strip(),
                                       account_number=bankcard.normalize(number), holder=holder.strip(),
                                       since=since or today, created_by=user),
                    PayeeAccount.objects.filter(enterprise=enterprise, until__isnull=True))


def problems(*, kind: str, bank: str, number: str, holder: str, since: dt.date | None, payee_name: str | None,
             today: dt.date, proxy_relation: str = "", proxy_reason: str = "", enterprise: bool = False) -> dict[str, str]:
    """Why the account cannot be recorded for its payee, by field (empty if it can): a member's account is of a person's
    kind and held by the member, or by a proxy named with the relation and the reason; an enterprise's is a corporate
    account held in its name. payee_name None: the payee is unknown, the holder is not compared. Pure: the service and
    the exchange import (its 收款账户 sheet) both ask it."""
    errors = {}
    if kind not in ((PayeeAccount.Kind.CORPORATE,) if enterprise else PayeeAccount.PERSON_KINDS):
        if enterprise and kind:
            errors["kind"] = "经营主体的账户类型应为对公账户"
        elif kind == PayeeAccount.Kind.CORPORATE:
            errors["kind"] = "对公账户是经营主体的：家庭成员的账户请选一卡通、银行卡或社会保障卡"
        else:
            errors["kind"] = "请选择账户类型"
    elif problem := bankcard.problem(bankcard.normalize(number), card=kind in PayeeAccount.CARD_KINDS):
        errors["account_number"] = problem
    if not bank.strip():
        errors["bank"] = "请填写开户银行"
    holder, relation, reason = holder.strip(), proxy_relation.strip(), proxy_reason.strip()
    if not holder:
        errors["holder"] = "请填写户名"
    elif enterprise:
        if payee_name is not None and holder != payee_name:
            errors["holder"] = f"对公账户的户名应为经营主体名称“{payee_name}”"
        if relation or reason:
            errors["proxy_relation"] = "对公账户不填代领人"
    elif payee_name is not None and holder != payee_name:
        if not relation and not reason:
            errors["holder"] = f"户名“{holder}”不是本人（{payee_name}）：代领须写明代领人与本人关系和代领原因"
        elif not relation:
            errors["proxy_relation"] = f"户名“{holder}”不是本人（{payee_name}）：代领须写明代领人与本人关系"
        elif not reason:
            errors["proxy_reason"] = f"户名“{holder}”不是本人（{payee_name}）：代领须写明代领原因"
    elif payee_name is not None and (relation or reason):
        errors["proxy_relation"] = "户名是本人时不填代领人"
    if since is not None and since > today:
        errors["since"] = "启用日期不能晚于今天"
    return errors


def since_problem(since: dt.date, current_since: dt.date) -> str | None:
    """Why a new account cannot start on `since` when the current one started on `current_since` (it ends the day
    before the new one starts, and never before it started)."""
    if since <= current_since:
        return f"新账户的启用日期应晚于现账户（{current_since:%Y-%m-%d}）"
    return None


def _replace(user, account: PayeeAccount, current) -> PayeeAccount:
    old = current.first()
    if old is not None:
        if problem := since_problem(account.since, old.since):
            raise ValidationError({"since": problem})
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


def current_accounts(*, user, capability: str = "registry.read") -> QuerySet[PayeeAccount]:
    """The current accounts of the members and the enterprises in the user's area (the exchange format's export)."""
    if not access.can(user, capability):
        return PayeeAccount.objects.none()
    prefix = access.user_prefix(user)
    return PayeeAccount.objects.filter(until__isnull=True).filter(
        access.subtree("member__household__village__code", prefix) | access.subtree("enterprise__org_unit__code", prefix))


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
