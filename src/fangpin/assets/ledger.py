"""Two ledgers in the exchange format (docs/ledgers.md): 扶贫项目资产台账 (sheets 资产, 资产收益) and 光伏电站及收益台账
(sheets 光伏电站, 电站收益, 村级收益分配). The PV ledger comes second: a station may name its asset."""
from __future__ import annotations

from fangpin.exchange.spec import YEAR, Field, Sheet
from fangpin.funds.models import Project
from fangpin.ledgers.base import Binding, Ledger, Ref
from fangpin.lib import divisions
from fangpin.orgunits.models import OrgUnit

from .choices import AssetKind, Operation, Ownership, StationKind
from .models import Asset, AssetIncome, Station, StationIncome, VillagePvUse

PLACE_TEXT = "Excel：导入者管辖范围内的村、乡镇或县名（如 双碾村、双碾乡），或12位区划代码；JSON：12位区划代码"
COUNT = dict(minimum=0, maximum=1_000_000)

ASSETS = Sheet(
    "asset_items", "资产",
    (
        Field("code", "资产编号", "string", True, max_length=40),
        Field("name", "资产名称", "string", True, max_length=200),
        Field("kind", "资产类别", "enum", True, AssetKind),
        Field("division_code", "所在区划", "place", True, description=PLACE_TEXT),
        Field("project_code", "来源项目编号", "string", max_length=40,
              description="衔接资金项目台账的项目编号：须已登记在您的管辖范围内"),
        Field("formed_on", "形成日期", "date", True),
        Field("original_value", "原值", "money", True),
        Field("owner", "所有权人", "string", max_length=100, description="权属状态为“已确权”时必填"),
        Field("custodian", "管护主体", "string", max_length=100),
        Field("custodian_person", "管护责任人", "string", max_length=50),
        Field("custody_measures", "管护措施", "string", max_length=200),
        Field("ownership", "权属状态", "enum", True, Ownership),
        Field("operation", "运营状态", "enum", True, Operation),
        Field("note", "备注", "string", max_length=200),
    ),
    "每项资产一行；按资产编号新增或更新",
    ("code",),
)

ASSET_INCOMES = Sheet(
    "asset_incomes", "资产收益",
    (
        Field("asset_code", "资产编号", "string", True, max_length=40),
        Field("year", "年度", "integer", True, **YEAR),
        Field("income", "收益金额", "money", True),
        Field("agreed_dividends", "按协议应分配到户金额", "money", description="资产收益协议约定应分配到户的分红"),
        Field("to_households", "分配到户金额", "money"),
        Field("households", "受益户数", "integer", **COUNT),
        Field("to_public", "用于村级公益事业金额", "money"),
        Field("retained", "村集体留存金额", "money"),
        Field("disclosed_on", "收益分配公示日期", "date"),
        Field("note", "备注", "string", max_length=200),
    ),
    "每项资产每年一行；按资产编号和年度新增或更新",
    ("asset_code", "year"),
)

STATIONS = Sheet(
    "pv_stations", "光伏电站",
    (
        Field("code", "电站编号", "string", True, max_length=40),
        Field("name", "电站名称", "string", True, max_length=200),
        Field("kind", "类型", "enum", True, StationKind),
        Field("division_code", "所在区划", "place", True, description=PLACE_TEXT),
        Field("capacity_kw", "装机容量（千瓦）", "decimal", True, minimum=0, maximum=10_000_000),
        Field("connected_on", "并网日期", "date", True),
        Field("owner", "产权单位", "string", max_length=100),
        Field("asset_code", "关联资产编号", "string", max_length=40,
              description="扶贫项目资产台账的资产编号：须已登记在您的管辖范围内"),
        Field("note", "备注", "string", max_length=200),
    ),
    "每座电站一行；按电站编号新增或更新",
    ("code",),
)

STATION_INCOMES = Sheet(
    "pv_incomes", "电站收益",
    (
        Field("station_code", "电站编号", "string", True, max_length=40),
        Field("year", "年度", "integer", True, **YEAR),
        Field("income", "发电收益", "money", True, description="当年结算到账的发电收益（含当年到账的补贴）"),
        Field("to_villages", "分配到村金额", "money", True),
        Field("settled_on", "结算日期", "date"),
        Field("note", "备注", "string", max_length=200),
    ),
    "每座电站每年一行；按电站编号和年度新增或更新",
    ("station_code", "year"),
)

VILLAGE_USES = Sheet(
    "pv_village_uses", "村级收益分配",
    (
        Field("village_code", "村", "place", True,
              description="Excel：导入者管辖范围内的村名（如 双碾村），或12位村级区划代码；JSON：12位村级区划代码"),
        Field("year", "年度", "integer", True, **YEAR),
        Field("received", "到村收益", "money", True, description="当年分配到本村的光伏收益"),
        Field("post_wages", "用于公益岗位工资", "money", True),
        Field("poor_post_wages", "其中贫困人口承担的公益岗位工资", "money",
              description="忻州市2020年的口径：贫困人口承担的公益岗位任务工资"),
        Field("labour", "用于村级公益事业劳务", "money", True, description="小型公益事业的劳务费用，不含材料"),
        Field("other", "其他用途", "money"),
        Field("note", "说明", "string", max_length=200, description="公益岗位工资和劳务费用占比不足时说明原因"),
    ),
    "每村每年一行；按村和年度新增或更新",
    ("village_code", "year"),
)


def _not_after_today(row: dict, today, *keys: str) -> list[tuple[str, str]]:
    return [(k, "日期不能晚于今天") for k in keys if row.get(k) and row[k] > today]


def _year_not_ahead(row: dict, today) -> list[tuple[str, str]]:
    return [("year", f"年度不能晚于今年（{today.year}年）")] if row.get("year") and row["year"] > today.year else []


def _asset_problems(row: dict, today) -> list[tuple[str, str]]:
    out = _not_after_today(row, today, "formed_on")
    if row.get("ownership") == Ownership.CONFIRMED and "owner" in row and not row["owner"]:
        out.append(("owner", "权属状态为“已确权”时应填写所有权人"))
    return out


def _asset_income_problems(row: dict, today) -> list[tuple[str, str]]:
    out = _year_not_ahead(row, today) + _not_after_today(row, today, "disclosed_on")
    if row.get("disclosed_on") and row.get("year") and row["disclosed_on"].year < row["year"]:
        out.append(("disclosed_on", f"公示日期早于收益年度{row['year']}年"))
    if row.get("to_households") and row.get("households") == 0:
        out.append(("households", "已分配到户，受益户数不能为0"))
    return out


def _station_problems(row: dict, today) -> list[tuple[str, str]]:
    out = _not_after_today(row, today, "connected_on")
    if row.get("capacity_kw") is not None and row["capacity_kw"] <= 0:
        out.append(("capacity_kw", "装机容量应大于0"))
    return out


def _station_income_problems(row: dict, today) -> list[tuple[str, str]]:
    return _year_not_ahead(row, today) + _not_after_today(row, today, "settled_on")


def _village_use_problems(row: dict, today) -> list[tuple[str, str]]:
    out = _year_not_ahead(row, today)
    code = row.get("village_code")
    if divisions.is_code(code) and divisions.level_of(code) != "village":  # a name not found is reported already
        out.append(("village_code", "村级收益分配应填写到村"))
    poor, wages = row.get("poor_post_wages"), row.get("post_wages")
    if poor is not None and wages is not None and poor > wages:
        out.append(("poor_post_wages", "其中贫困人口承担的公益岗位工资不能大于公益岗位工资"))
    return out


PLACE = Ref("org_unit", OrgUnit, "code")
SOURCE_PROJECT = Ref("project", Project, "code", area="org_unit_id", within_area=True,
                     missing="项目编号“{}”在衔接资金项目台账中没有登记")
ASSET = Ref("asset", Asset, "code", sheet=ASSETS.key, area="org_unit_id", missing="资产编号“{}”在文件和系统中都没有登记")
LINKED_ASSET = Ref("asset", Asset, "code", area="org_unit_id", within_area=True,
                   missing="资产编号“{}”在扶贫项目资产台账中没有登记")
STATION = Ref("station", Station, "code", sheet=STATIONS.key, area="org_unit_id",
              missing="电站编号“{}”在文件和系统中都没有登记")
VILLAGE = Ref("village", OrgUnit, "code")

ASSETS_LEDGER = Ledger(
    key="assets",
    title="扶贫项目资产台账",
    description="项目形成的资产：权属、管护主体与责任、运营状态，以及每年的收益和分配",
    bindings=(
        Binding(ASSETS, Asset, area="division_code", refs={"division_code": PLACE, "project_code": SOURCE_PROJECT},
                order=("code",), problems=_asset_problems),
        Binding(ASSET_INCOMES, AssetIncome, area="asset_code", refs={"asset_code": ASSET}, parent="asset_code",
                order=("asset__code", "year"), problems=_asset_income_problems),
    ),
    checks="checks.yaml",
)

PV_LEDGER = Ledger(
    key="pv",
    title="光伏电站及收益台账",
    description="光伏扶贫电站、每年的发电收益和分配到村的金额，以及各村光伏收益的使用",
    bindings=(
        Binding(STATIONS, Station, area="division_code", refs={"division_code": PLACE, "asset_code": LINKED_ASSET},
                order=("code",), problems=_station_problems),
        Binding(STATION_INCOMES, StationIncome, area="station_code", refs={"station_code": STATION},
                parent="station_code", order=("station__code", "year"), problems=_station_income_problems),
        Binding(VILLAGE_USES, VillagePvUse, area="village_code", refs={"village_code": VILLAGE},
                order=("village_id", "year"), problems=_village_use_problems),
    ),
    checks="pv_checks.yaml",
)

LEDGERS = (ASSETS_LEDGER, PV_LEDGER)
