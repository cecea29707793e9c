"""The enumerations of the project-asset ledger (扶贫项目资产台账) and the PV ledger (光伏电站及收益台账), with the
labels counties write. Names follow GLOSSARY.md."""
from django.db import models


class AssetKind(models.TextChoices):
    """The national classification of poverty-alleviation project assets."""
    OPERATIONAL = "operational", "经营性"
    PUBLIC_WELFARE = "public_welfare", "公益性"
    HOUSEHOLD = "household", "到户类"


class Ownership(models.TextChoices):
    """湖南十条 八: assets whose ownership is unclear or ill-defined are to be put right (对权属不清晰、界定不准的……调整完善)."""
    CONFIRMED = "confirmed", "已确权"
    UNCLEAR = "unclear", "权属不清"


class Operation(models.TextChoices):
    """The asset's operation as the county declares it: idle and low-yield assets are to be revived (湖南十条 八)."""
    NORMAL = "normal", "正常运营"
    IDLE = "idle", "闲置"
    LOW_YIELD = "low_yield", "低效"
    DISPOSED = "disposed", "已处置"


class StationKind(models.TextChoices):
    VILLAGE = "village", "村级电站"
    CENTRALIZED = "centralized", "集中式电站"
    HOUSEHOLD = "household", "户用"
