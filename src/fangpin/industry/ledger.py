"""带贫益贫台账 (`linkage`) and “五有”台账 (`five_haves`) in the exchange format (docs/ledgers.md). Both are the
industry office's: the first names the registry's enterprises (经营主体) by their 统一社会信用代码, the second the
registry's villages and households."""
from __future__ import annotations

import datetime as dt

from fangpin.exchange.spec import YEAR, Field, Sheet
from fangpin.ledgers.base import Binding, Ledger, Ref
from fangpin.lib import divisions
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.models import Enterprise, Household

from .choices import EntityLevel, Evaluation, LinkWay, OperatingStatus
from .models import ExpressOutlet, HouseholdHaves, Link, LinkEntity, VillageHaves

HEADS = dict(minimum=0, maximum=1_000_000)

ENTITIES = Sheet(
    "linkage_entities", "带贫主体",
    (
        Field("credit_code", "统一社会信用代码", "credit_code", True,
              description="经营主体须已在户籍信息的“经营主体”中登记，且所在区划在导入者管辖范围内"),
        Field("year", "年度", "integer", True, **YEAR),
        Field("level", "级别", "enum", False, EntityLevel, description="空为“未评定”"),
        Field("leading_industry", "主导产业", "string", max_length=100),
        Field("members", "社员总数", "integer", **HEADS, description="合作社填写"),
        Field("members_target", "社员中脱贫户和监测户劳动力", "integer", **HEADS, excel="其中脱贫户和监测户劳动力（社员）",
              description="不超过社员总数"),
        Field("employees", "职工总数", "integer", **HEADS),
        Field("employees_target", "职工中脱贫户和监测户劳动力", "integer", **HEADS,
              excel="其中脱贫户和监测户劳动力（职工）", description="不超过职工总数"),
        Field("afforestation", "是否造林合作社", "boolean", description="承担人工造林任务的造林合作社填“是”"),
        Field("revenue", "年度营业收入", "money"),
        Field("evaluation", "成效评估结果", "enum", False, Evaluation, description="空为“未评估”"),
        Field("status", "运行状态", "enum", False, OperatingStatus, description="空为“正常”"),
        Field("new_loan_rate", "年内新增贷款加权平均年利率（%）", "decimal", minimum=0, maximum=100,
              description="本年新增贷款按金额加权的平均年利率，如 4.35；没有新增贷款的留空（忻州 五.四：同比下降）"),
        Field("hard_hit", "受疫情影响较大行业", "boolean",
              description="批发零售、住宿餐饮、物流运输、文化娱乐旅游等受疫情影响较大的行业填“是”"),
    ),
    "每个带贫主体每年一行；按统一社会信用代码和年度新增或更新",
    ("credit_code", "year"),
)

LINKS = Sheet(
    "linkage_links", "带动明细",
    (
        Field("credit_code", "统一社会信用代码", "credit_code", True),
        Field("year", "年度", "integer", True, **YEAR),
        Field("household_number", "户编号", "string", True, max_length=32,
              description="导入者管辖范围内已登记的户"),
        Field("way", "带动方式", "enum", True, LinkWay),
        Field("income", "本年带动收入", "money"),
        Field("started_on", "起始日期", "date"),
    ),
    "每个主体、户和带动方式一行；导入时，文件中出现的主体和年度在导入者管辖范围内的带动明细整体替换",
    ("credit_code", "year"),
)

VILLAGES = Sheet(
    "five_haves_villages", "村级五有",
    (
        Field("division_code", "村", "place", True,
              description="Excel：导入者管辖范围内的村名（如 双碾村、双碾乡双碾村）或12位区划代码；JSON：12位区划代码"),
        Field("year", "年度", "integer", True, **YEAR),
        Field("leading_industry", "主导产业（一村一品）", "string", max_length=100, description="即“有脱贫产业”"),
        Field("entity_name", "带动主体名称", "string", max_length=200,
              description="带贫益贫台账中没有带动本村户的主体时，据此认定“有带动主体”"),
        Field("cooperative_name", "合作经济组织名称", "string", max_length=200,
              description="经营主体中没有位于本村的农民合作社时，据此认定“有合作经济组织”"),
    ),
    "每个村每年一行；按村和年度新增或更新",
    ("division_code", "year"),
)

HOUSEHOLDS = Sheet(
    "five_haves_households", "户级五有",
    (
        Field("household_number", "户编号", "string", True, max_length=32),
        Field("year", "年度", "integer", True, **YEAR),
        Field("income_project", "增收产业项目", "string", max_length=200,
              description="户籍信息和带贫益贫台账中没有该户的产业项目时，据此认定“有增收产业项目”"),
        Field("skills", "技能说明", "string", max_length=200,
              description="有劳动能力的成员没有培训记录时，据此认定“有技能”（如 证书、职业农民等级）"),
    ),
    "每户每年一行；按户编号和年度新增或更新",
    ("household_number", "year"),
)


def _entity_problems(row: dict, today: dt.date) -> list[tuple[str, str]]:
    out = []
    for part, total in (("members_target", "members"), ("employees_target", "employees")):
        if row.get(part) is None:
            continue
        whole = ENTITIES.field(total).header
        if row.get(total) is None:
            out.append((part, f"已填“{ENTITIES.field(part).excel_header}”，应先填“{whole}”"))
        elif row[part] > row[total]:
            out.append((part, f"不能多于{whole}（{row[total]}）"))
    if row.get("afforestation") and row.get("members") is None:
        out.append(("members", "造林合作社应填写“社员总数”"))
    return out


def _link_problems(row: dict, today: dt.date) -> list[tuple[str, str]]:
    out = []
    on = row.get("started_on")
    if on is not None and on > today:
        out.append(("started_on", "“起始日期”不能晚于今天"))
    if on is not None and row.get("year") and on.year > row["year"]:
        out.append(("started_on", f"起始日期（{on:%Y-%m-%d}）晚于年度{row['year']}年"))
    return out


def _village_problems(row: dict, today: dt.date) -> list[tuple[str, str]]:
    code = row.get("division_code")
    if divisions.is_code(code) and divisions.level_of(code) != "village":  # a name not found is reported already
        return [("division_code", "“村”应为村（社区），不能是乡镇或县")]
    return []


OUTLETS = Sheet(
    "express_outlets", "乡镇快递网点",
    (
        Field("division_code", "乡镇", "place", True,
              description="Excel：导入者管辖范围内的乡镇名（如 双碾乡）或12位区划代码；JSON：12位区划代码"),
        Field("name", "网点名称", "string", True, max_length=200),
        Field("operator", "快递企业", "string", max_length=100),
        Field("opened_on", "开业日期", "date", True),
        Field("closed_on", "停业日期", "date", description="仍在营业的留空；不早于开业日期"),
    ),
    "每个网点一行；按乡镇和网点名称新增或更新",
    ("division_code", "name"),
)


def _outlet_problems(row: dict, today: dt.date) -> list[tuple[str, str]]:
    out = []
    code = row.get("division_code")
    if divisions.is_code(code) and divisions.level_of(code) != "township":  # a name not found is reported already
        out.append(("division_code", "“乡镇”应为乡镇（街道），不能是村或县"))
    opened, closed = row.get("opened_on"), row.get("closed_on")
    if opened and opened > today:
        out.append(("opened_on", "“开业日期”不能晚于今天"))
    if opened and closed and closed < opened:
        out.append(("closed_on", f"“停业日期”不能早于“开业日期”（{opened:%Y-%m-%d}）"))
    return out


ENTERPRISE = Ref("enterprise", Enterprise, "credit_code", area="org_unit_id",
                 missing="统一社会信用代码“{}”在经营主体中没有登记")
HOUSEHOLD = Ref("household", Household, "number", area="village_id", missing="户编号“{}”没有登记")

LINKAGE = Ledger(
    key="linkage",
    title="龙头企业、合作社带贫益贫台账",
    description="带贫主体（龙头企业、合作社等经营主体）每年的级别、社员和职工、成效评估，以及带动的脱贫户和监测户、带动方式和收入",
    bindings=(
        Binding(ENTITIES, LinkEntity, area="credit_code", refs={"credit_code": ENTERPRISE},
                order=("enterprise__credit_code", "year"), problems=_entity_problems),
        Binding(LINKS, Link, area="household_number", refs={"credit_code": ENTERPRISE, "household_number": HOUSEHOLD},
                mode="replace", parent="credit_code", parent_with=("year",),
                unique=("household_number", "credit_code", "year", "way"),
                order=("enterprise__credit_code", "year", "household__number", "way"), problems=_link_problems),
    ),
    checks="linkage_checks.yaml",
)

FIVE_HAVES = Ledger(
    key="five_haves",
    title="“五有”台账",
    description="村有脱贫产业、有带动主体、有合作经济组织，户有增收产业项目、有劳动能力的有技能：能从户籍信息和台账核实的由系统核实，"
                "其余按填报",
    bindings=(
        Binding(VILLAGES, VillageHaves, area="division_code", refs={"division_code": Ref("village", OrgUnit, "code")},
                order=("village_id", "year"), problems=_village_problems),
        Binding(HOUSEHOLDS, HouseholdHaves, area="household_number", refs={"household_number": HOUSEHOLD},
                order=("household__number", "year")),
    ),
    checks="five_haves_checks.yaml",
    pages=(("village_gaps", "缺项（村）"), ("household_gaps", "缺项（户）")),
)

EXPRESS = Ledger(
    key="express",
    title="乡镇快递网点台账",
    description="服务各乡镇的快递网点及其开业、停业日期（山西十二条 二：推进“快递下乡”，全省乡镇快递网点覆盖率达100%）",
    bindings=(
        Binding(OUTLETS, ExpressOutlet, area="division_code",
                refs={"division_code": Ref("township", OrgUnit, "code")},
                order=("township_id", "name"), problems=_outlet_problems),
    ),
    checks="express_checks.yaml",
)

LEDGERS = (LINKAGE, FIVE_HAVES, EXPRESS)
