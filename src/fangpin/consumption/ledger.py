"""消费帮扶台账 in the exchange format: 帮扶单位 (the units and their duties) and 年度采购 (what each bought in a year)."""
from __future__ import annotations

from fangpin.exchange.spec import YEAR, Field, Sheet
from fangpin.ledgers.base import Binding, Ledger, Ref
from fangpin.lib import divisions
from fangpin.orgunits.models import OrgUnit

from .choices import UnitLevel
from .models import Purchase, Unit

UNITS = Sheet(
    "consumption_units", "帮扶单位",
    (
        Field("credit_code", "统一社会信用代码", "credit_code", True),
        Field("name", "单位名称", "string", True, max_length=100),
        Field("level", "单位层级", "enum", True, UnitLevel),
        Field("division_code", "所在区划", "place", True,
              description="单位所在的县（区）或乡镇：名称或12位区划代码；决定由谁维护"),
        Field("five_entries", "承担“五进”任务", "boolean"),
        Field("canteen", "有食堂的预算单位", "boolean"),
        Field("assisting", "帮扶单位", "boolean"),
        Field("assisted_village", "帮扶村", "place", description="帮扶单位填写：村名或12位村级区划代码"),
    ),
    "每个单位一行；按统一社会信用代码新增或更新",
    ("credit_code",),
)

PURCHASES = Sheet(
    "consumption_purchases", "年度采购",
    (
        Field("credit_code", "统一社会信用代码", "credit_code", True),
        Field("year", "年度", "integer", True, **YEAR),
        Field("canteen_total", "年度食堂食材采购总额", "money"),
        Field("canteen_directed", "其中向脱贫村定向采购", "money"),
        Field("farm_total", "年度农副产品采购总额", "money"),
        Field("farm_832", "其中通过“832”平台采购", "money"),
        Field("welfare_budget", "工会福利预算金额", "money"),
        Field("welfare_bought", "工会福利采购农特产品", "money"),
        Field("bulk_bought", "包销帮扶村农特产品", "money", description="含驻村第一书记、工作队包销的金额"),
        Field("note", "说明", "string", max_length=200),
    ),
    "每个单位每年一行；按统一社会信用代码和年度新增或更新",
    ("credit_code", "year"),
)


def _unit_problems(row: dict, today) -> list[tuple[str, str]]:
    village = row.get("assisted_village")
    out = []
    if village is not None and divisions.is_code(village) and divisions.level_of(village) != "village":
        out.append(("assisted_village", "帮扶村应为村（12位村级区划代码或村名）"))
    if row.get("assisting") and village is None:
        out.append(("assisted_village", "帮扶单位应填写帮扶村"))
    return out


def _purchase_problems(row: dict, today) -> list[tuple[str, str]]:
    out = []
    for part, whole in (("canteen_directed", "canteen_total"), ("farm_832", "farm_total"),
                        ("welfare_bought", None)):
        if whole is None or row.get(part) is None:
            continue
        if row.get(whole) is None:
            out.append((whole, f"已填“{PURCHASES.field(part).header}”，应填写“{PURCHASES.field(whole).header}”"))
        elif row[part] > row[whole]:
            out.append((part, f"“{PURCHASES.field(part).header}”不能大于“{PURCHASES.field(whole).header}”"))
    if row.get("year") and row["year"] > today.year:
        out.append(("year", "年度不能晚于今年"))
    return out


PLACE = Ref("org_unit", OrgUnit, "code")
VILLAGE = Ref("assisted_village", OrgUnit, "code")
UNIT = Ref("unit", Unit, "credit_code", sheet=UNITS.key, area="org_unit_id",
           missing="统一社会信用代码“{}”在文件和系统中都没有登记为帮扶单位")

LEDGER = Ledger(
    key="consumption",
    title="消费帮扶台账",
    description="承担“五进”任务、有食堂的预算单位和帮扶单位的年度采购：食堂定向采购、“832”平台、工会福利、包销",
    bindings=(
        Binding(UNITS, Unit, area="division_code", refs={"division_code": PLACE, "assisted_village": VILLAGE},
                order=("org_unit_id", "credit_code"), problems=_unit_problems),
        Binding(PURCHASES, Purchase, area="credit_code", refs={"credit_code": UNIT},
                order=("unit__credit_code", "year"), problems=_purchase_problems),
    ),
    checks="checks.yaml",
)
