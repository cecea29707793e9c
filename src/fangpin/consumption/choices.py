"""The consumption-assistance ledger's enumerations (消费帮扶台账)."""
from django.db import models


class UnitLevel(models.TextChoices):
    """An assisting unit's level: 双发〔2022〕67号 23 sets 市区两级帮扶单位's bulk purchases apart (20,000 / 10,000 yuan)."""
    CITY = "city", "市级"
    COUNTY = "county", "县级（区级）"
    TOWNSHIP = "township", "乡镇级"
    OTHER = "other", "其他"
