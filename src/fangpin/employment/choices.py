"""The posts ledger's enumerations (公益岗位台账), with the labels counties write. A post's kind is the registry's
(PostKind), so that a post and a work spell in a public-welfare post speak of the same kinds."""
from django.db import models

from fangpin.registry.choices import PostKind

__all__ = ["FundingSource", "PostKind"]


class FundingSource(models.TextChoices):
    """What pays a post's wage: 双发〔2022〕67号 13 names PV income and other collective income, 14 the employment
    subsidy funds."""
    EMPLOYMENT_SUBSIDY = "employment_subsidy", "就业补助资金"
    PV_INCOME = "pv_income", "光伏收益"
    LINKAGE = "linkage", "衔接资金"
    VILLAGE_COLLECTIVE = "village_collective", "村集体收入"
    OTHER = "other", "其他"
