"""The industry ledgers' enumerations (带贫益贫台账, “五有”台账), with the labels counties write. Names follow
GLOSSARY.md."""
from django.db import models


class EntityLevel(models.TextChoices):
    """The entity's rating (山西十二条 四: 省、市、县三级扶贫龙头企业、农民专业合作社评定)."""
    NATIONAL = "national", "国家级"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"
    NONE = "none", "未评定"


class Evaluation(models.TextChoices):
    """The yearly evaluation of its poverty-reduction results (山西十二条 七: 扶贫产业成效评估); the seed gives no figure."""
    GOOD = "good", "好"
    FAIRLY_GOOD = "fairly_good", "较好"
    FAIR = "fair", "一般"
    POOR = "poor", "差"
    NONE = "none", "未评估"


class OperatingStatus(models.TextChoices):
    NORMAL = "normal", "正常"
    SUSPENDED = "suspended", "停产"
    SHELL = "shell", "空壳"


class LinkWay(models.TextChoices):
    """How an entity lifts a household's income: the nine ways of 双发〔2022〕67号 第8条."""
    EMPLOYMENT = "employment", "吸纳务工"
    RAW_MATERIALS = "raw_materials", "原料供应"
    CONTRACT_FARMING = "contract_farming", "订单生产"
    CUSTODY_FARMING = "custody_farming", "生产托管"
    CONSIGNMENT = "consignment", "产品代销"
    ASSET_LEASE = "asset_lease", "资产租赁"
    FLOOR_PRICE = "floor_price", "保护价收购"
    GUARANTEED_DIVIDEND = "guaranteed_dividend", "保底分红"
    EQUITY = "equity", "股份合作"


class HaveSource(models.TextChoices):
    """How a “have” (五有) is known: found in the registry or the ledgers, declared in the “五有”台账, or missing."""
    COMPUTED = "computed", "系统核实"
    DECLARED = "declared", "填报"
    NOT_NEEDED = "not_needed", "无劳动力，不需要"  # 有劳动能力的有技能, in a household without laborers
    MISSING = "missing", "缺"
