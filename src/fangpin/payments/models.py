"""Payments (政策兑现). For now the accounts people are paid into; payment rounds, notices, bank files and the ledger
follow (docs/payments.md)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThanOrEqual
from simple_history.models import HistoricalRecords


class PayeeAccount(models.Model):
    """收款账户: where a member's or an enterprise's payments go. One current account per payee; a new one ends the old
    the day before. A member's holder is the member, or a named proxy (代领人) with the relation and the reason; an
    enterprise is paid into its own corporate account (对公账户), held in its name."""

    class Kind(models.TextChoices):
        ONE_CARD = "one_card", "惠民惠农“一卡通”账户"
        BANK_CARD = "bank_card", "银行卡"
        SOCIAL_SECURITY = "social_security", "社会保障卡（金融账户）"
        CORPORATE = "corporate", "对公账户"

    CARD_KINDS = (Kind.BANK_CARD, Kind.SOCIAL_SECURITY)  # card numbers with a Luhn check digit
    PERSON_KINDS = (Kind.ONE_CARD, Kind.BANK_CARD, Kind.SOCIAL_SECURITY)

    member = models.ForeignKey("registry.Member", on_delete=models.CASCADE, related_name="payee_accounts",
                               verbose_name="家庭成员", null=True, blank=True)
    enterprise = models.ForeignKey("registry.Enterprise", on_delete=models.CASCADE, related_name="payee_accounts",
                                   verbose_name="经营主体", null=True, blank=True)
    kind = models.CharField("账户类型", max_length=16, choices=Kind.choices)
    bank = models.CharField("开户银行", max_length=60)
    account_number = models.CharField("账号", max_length=30)
    holder = models.CharField("户名", max_length=50)
    proxy_relation = models.CharField("代领人与本人关系", max_length=20, blank=True)
    proxy_reason = models.CharField("代领原因", max_length=100, blank=True)
    since = models.DateField("启用日期")
    until = models.DateField("停用日期", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords(verbose_name="收款账户变更记录")

    class Meta:
        verbose_name = "收款账户"
        ordering = ["-since", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(until__isnull=True), name="one_current_account"),
            models.UniqueConstraint(fields=["enterprise"], condition=Q(until__isnull=True),
                                    name="one_current_enterprise_account"),
            # a person's account of a person's kind, or an enterprise's corporate account without a proxy
            models.CheckConstraint(condition=Q(member__isnull=False, enterprise__isnull=True,
                                               kind__in=["one_card", "bank_card", "social_security"])
                                   | Q(member__isnull=True, enterprise__isnull=False, kind="corporate",
                                       proxy_relation="", proxy_reason=""),
                                   name="payee_account_one_payee_of_its_kind"),
            models.CheckConstraint(condition=GreaterThanOrEqual(Length("account_number"), 8),
                                   name="payee_account_number_at_least_8"),
            models.CheckConstraint(condition=~Q(bank="") & ~Q(holder=""), name="payee_account_bank_holder_given"),
            # a proxy is named with the relation and the reason together
            models.CheckConstraint(condition=Q(proxy_relation="", proxy_reason="")
                                   | (~Q(proxy_relation="") & ~Q(proxy_reason="")),
                                   name="payee_account_proxy_complete"),
            models.CheckConstraint(condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                                   name="payee_account_until_after_since"),
        ]
