"""The funds ledger's enumerations (衔接资金项目台账), with the labels counties write. Names follow GLOSSARY.md."""
from django.db import models


class ProjectKind(models.TextChoices):
    """What a project's funds are used for: the industry share (湖南十条 四, 双发〔2022〕67号 1) counts `industry`."""
    INDUSTRY = "industry", "产业发展"
    EMPLOYMENT = "employment", "就业帮扶"
    INFRASTRUCTURE = "infrastructure", "乡村建设（基础设施）"
    PUBLIC_SERVICE = "public_service", "公共服务"
    RELOCATION = "relocation", "易地搬迁后续扶持"
    OTHER = "other", "其他"


class ReliefMode(models.TextChoices):
    """以工代赈 (双发〔2022〕67号 15): a work-for-relief project pays labour remuneration of at least 15% of its central and
    provincial funds; a project that adopts the method, 10% of all levels' funds."""
    NONE = "none", "否"
    DEDICATED = "dedicated", "以工代赈项目"
    PROMOTED = "promoted", "推广以工代赈方式项目"


class Source(models.TextChoices):
    CENTRAL = "central", "中央"
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class FundKind(models.TextChoices):
    LINKAGE = "linkage", "衔接资金"  # 衔接推进乡村振兴补助资金
    INTEGRATED = "integrated", "统筹整合资金"  # 统筹整合使用的财政涉农资金
    OTHER = "other", "其他财政资金"


class Stage(models.TextChoices):
    """A project's stage on a date: the last of its dated steps reached by then."""
    STORED = "stored", "入库"
    ANNOUNCED = "announced", "公示"
    STARTED = "started", "实施"
    COMPLETED = "completed", "完工"
    ACCEPTED = "accepted", "验收"
