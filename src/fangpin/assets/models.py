"""扶贫项目资产台账 and 光伏电站及收益台账: the assets that projects formed, with their owner, custody and state, and
their yearly income and its distribution; the PV stations, their yearly income and the share sent to the villages,
and each village's use of its PV income. Money is integer fen."""
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Right
from django.db.models.lookups import Exact

from fangpin.ledgers.base import ledger_history

from .choices import AssetKind, Operation, Ownership, StationKind

YEARS = Q(year__gte=2000, year__lte=2100)


def _not_negative(prefix: str, *fields: str) -> list[models.CheckConstraint]:
    return [models.CheckConstraint(condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 0}),
                                   name=f"{prefix}_{f}_not_negative") for f in fields]


class Asset(models.Model):
    """One asset (资产) a project formed: a greenhouse, a road, a PV station, cattle handed to households."""
    code = models.CharField("资产编号", max_length=40, unique=True)
    name = models.CharField("资产名称", max_length=200)
    kind = models.CharField("资产类别", max_length=20, choices=AssetKind.choices)
    org_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="所在区划", db_index=False)
    project = models.ForeignKey("funds.Project", on_delete=models.PROTECT, related_name="assets", null=True,
                                blank=True, verbose_name="来源项目")
    formed_on = models.DateField("形成日期")
    original_value = models.BigIntegerField("原值（分）")
    owner = models.CharField("所有权人", max_length=100, blank=True)
    custodian = models.CharField("管护主体", max_length=100, blank=True)
    custodian_person = models.CharField("管护责任人", max_length=50, blank=True)
    custody_measures = models.CharField("管护措施", max_length=200, blank=True)
    ownership = models.CharField("权属状态", max_length=12, choices=Ownership.choices)
    operation = models.CharField("运营状态", max_length=12, choices=Operation.choices)
    note = models.CharField("备注", max_length=200, blank=True)
    history = ledger_history("资产变更记录")

    class Meta:
        verbose_name = "资产"
        verbose_name_plural = "扶贫项目资产"
        ordering = ["code"]
        indexes = [models.Index(fields=["org_unit", "code"], name="asset_by_place")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=AssetKind.values), name="asset_kind_known"),
            models.CheckConstraint(condition=Q(ownership__in=Ownership.values), name="asset_ownership_known"),
            models.CheckConstraint(condition=Q(operation__in=Operation.values), name="asset_operation_known"),
            models.CheckConstraint(condition=Q(original_value__gte=0), name="asset_original_value_not_negative"),
            # ownership confirmed to nobody is not confirmed
            models.CheckConstraint(condition=~Q(ownership=Ownership.CONFIRMED) | ~Q(owner=""),
                                   name="asset_confirmed_has_owner"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class AssetIncome(models.Model):
    """资产收益: an asset's income of a year and how it was distributed."""
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="incomes", verbose_name="资产")
    year = models.PositiveSmallIntegerField("年度")
    income = models.BigIntegerField("收益金额（分）")
    agreed_dividends = models.BigIntegerField("按协议应分配到户金额（分）", null=True, blank=True)
    to_households = models.BigIntegerField("分配到户金额（分）", null=True, blank=True)
    households = models.PositiveIntegerField("受益户数", null=True, blank=True)
    to_public = models.BigIntegerField("用于村级公益事业金额（分）", null=True, blank=True)
    retained = models.BigIntegerField("村集体留存金额（分）", null=True, blank=True)
    disclosed_on = models.DateField("收益分配公示日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    history = ledger_history("资产收益变更记录")

    class Meta:
        verbose_name = "资产收益"
        verbose_name_plural = "资产收益"
        ordering = ["asset", "year"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "year"], name="asset_income_once_a_year"),
            models.CheckConstraint(condition=YEARS, name="asset_income_year_range"),
            *_not_negative("asset_income", "income", "agreed_dividends", "to_households", "to_public", "retained"),
            # money paid to households reached at least one household
            models.CheckConstraint(condition=Q(to_households__isnull=True) | Q(to_households=0)
                                   | Q(households__isnull=True) | Q(households__gte=1),
                                   name="asset_income_households_when_paid"),
            models.CheckConstraint(condition=Q(disclosed_on__isnull=True) | Q(disclosed_on__year__gte=F("year")),
                                   name="asset_income_disclosed_in_or_after_its_year"),
        ]

    def __str__(self) -> str:
        return f"{self.asset.name} {self.year}年收益"


class Station(models.Model):
    """光伏电站: a PV poverty-alleviation station."""
    code = models.CharField("电站编号", max_length=40, unique=True)
    name = models.CharField("电站名称", max_length=200)
    kind = models.CharField("类型", max_length=12, choices=StationKind.choices)
    org_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+",
                                 verbose_name="所在区划", db_index=False)
    capacity_kw = models.DecimalField("装机容量（千瓦）", max_digits=12, decimal_places=2)
    connected_on = models.DateField("并网日期")
    owner = models.CharField("产权单位", max_length=100, blank=True)
    asset = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="stations", null=True, blank=True,
                              verbose_name="关联资产")
    note = models.CharField("备注", max_length=200, blank=True)
    history = ledger_history("光伏电站变更记录")

    class Meta:
        verbose_name = "光伏电站"
        verbose_name_plural = "光伏电站"
        ordering = ["code"]
        indexes = [models.Index(fields=["org_unit", "code"], name="station_by_place")]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=StationKind.values), name="station_kind_known"),
            models.CheckConstraint(condition=Q(capacity_kw__gt=0), name="station_capacity_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class StationIncome(models.Model):
    """电站收益: a station's PV income of a year and the part of it allocated to the villages."""
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="incomes", verbose_name="电站")
    year = models.PositiveSmallIntegerField("年度")
    income = models.BigIntegerField("发电收益（分）")
    to_villages = models.BigIntegerField("分配到村金额（分）")
    settled_on = models.DateField("结算日期", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    history = ledger_history("电站收益变更记录")

    class Meta:
        verbose_name = "电站收益"
        verbose_name_plural = "电站收益"
        ordering = ["station", "year"]
        constraints = [
            models.UniqueConstraint(fields=["station", "year"], name="station_income_once_a_year"),
            models.CheckConstraint(condition=YEARS, name="station_income_year_range"),
            *_not_negative("station_income", "income", "to_villages"),
        ]

    def __str__(self) -> str:
        return f"{self.station.name} {self.year}年收益"


class VillagePvUse(models.Model):
    """村级收益分配: a village's PV income of a year and what it was used for."""
    village = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="村",
                                db_index=False)
    year = models.PositiveSmallIntegerField("年度")
    received = models.BigIntegerField("到村收益（分）")
    post_wages = models.BigIntegerField("用于公益岗位工资（分）")
    poor_post_wages = models.BigIntegerField("其中贫困人口承担的公益岗位工资（分）", null=True, blank=True)
    labour = models.BigIntegerField("用于村级公益事业劳务（分）")
    other = models.BigIntegerField("其他用途（分）", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    history = ledger_history("村级光伏收益分配变更记录")

    class Meta:
        verbose_name = "村级光伏收益分配"
        verbose_name_plural = "村级光伏收益分配"
        ordering = ["village", "year"]
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="village_pv_use_once_a_year"),
            models.CheckConstraint(condition=YEARS, name="village_pv_use_year_range"),
            *_not_negative("village_pv_use", "received", "post_wages", "poor_post_wages", "labour", "other"),
            models.CheckConstraint(condition=Q(poor_post_wages__isnull=True) | Q(poor_post_wages__lte=F("post_wages")),
                                   name="village_pv_use_poor_wages_within_wages"),
            # a village's code: its last three digits are not zero (a township's are)
            models.CheckConstraint(condition=~Q(Exact(Right("village_id", 3), "000")),
                                   name="village_pv_use_at_a_village"),
        ]

    def __str__(self) -> str:
        return f"{self.village.name} {self.year}年光伏收益分配"
