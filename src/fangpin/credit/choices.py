"""The microcredit ledger's enumerations (小额信贷台账), with the labels counties write. Names follow GLOSSARY.md."""
from django.db import models


class LoanUse(models.TextChoices):
    """What a loan is for: 双发〔2022〕67号 2 “精准用于发展生产经营”."""
    CROPS = "crops", "种植业"
    LIVESTOCK = "livestock", "养殖业"
    PROCESSING = "processing", "农产品加工"
    TRADE = "trade", "商贸流通"
    TOURISM = "tourism", "乡村旅游"
    OTHER = "other", "其他生产经营"
