"""Enumerations of the payments app that other apps name too (the exchange format's 收款账户 sheet), kept apart from the
models so that naming them loads no model."""
from __future__ import annotations

from django.db import models


class AccountKind(models.TextChoices):
    ONE_CARD = "one_card", "惠民惠农“一卡通”账户"
    BANK_CARD = "bank_card", "银行卡"
    SOCIAL_SECURITY = "social_security", "社会保障卡（金融账户）"
    CORPORATE = "corporate", "对公账户"


CARD_KINDS = (AccountKind.BANK_CARD, AccountKind.SOCIAL_SECURITY)  # card numbers with a Luhn check digit
PERSON_KINDS = (AccountKind.ONE_CARD, AccountKind.BANK_CARD, AccountKind.SOCIAL_SECURITY)
