from django.db import models

from fangpin.lib import divisions


class Level(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县（区）"
    TOWNSHIP = "township", "乡镇（街道）"
    VILLAGE = "village", "村（社区）"


class OrgUnit(models.Model):
    """A division (province to village), keyed by its 12-digit statistical division code.

    The code is the primary key so that every row pointing at a village carries the code, and a
    subtree is simply "code starts with the unit's prefix" (see fangpin.access).
    """

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("级别", max_length=10, choices=Level.choices, db_index=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name="上级"
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def prefix(self) -> str:
        return divisions.prefix(self.code, self.level)

    def full_name(self) -> str:
        """平鲁区双碾乡双碾村委会 style: the names from county down."""
        names = []
        unit = self
        while unit is not None and unit.level not in ("province", "city"):
            names.append(unit.name)
            unit = unit.parent
        return "".join(reversed(names))
