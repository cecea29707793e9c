"""The exchange format, version 1.0: one table per entity, the same columns in JSON and in Excel.

This module is the single source of the format: the JSON Schema (docs/exchange-format.schema.json),
the Excel template, the importer and the exporter are all derived from SHEETS. In JSON, enumerations
are codes ("lifted") and money is integer fen; in Excel, enumerations are Chinese labels ("脱贫户")
and money is yuan with at most two decimals. See docs/exchange-format.md.
"""
from __future__ import annotations

import functools

from dataclasses import dataclass, field

from django.db import models

from fangpin.payments.choices import AccountKind
from fangpin.registry import choices as c

FORMAT_NAME = "fangpin-exchange"
FORMAT_VERSION = "1.0"


@dataclass(frozen=True)
class Field:
    key: str  # JSON key
    header: str  # Excel column header (Chinese)
    type: str  # string, integer, decimal, money, date, boolean, enum, id_number, division_code, village, credit_code,
    # account_number
    required: bool = False
    choices: type[models.TextChoices] | None = None
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    description: str = ""
    excel: str = ""  # the Excel column header, where it is not `header`
    aliases: tuple[str, ...] = ()  # earlier Excel headers of the column, still read

    @property
    def excel_header(self) -> str:
        if self.excel:
            return self.excel
        return f"{self.header}（元）" if self.type == "money" else self.header


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str  # Excel sheet name
    fields: tuple[Field, ...]
    description: str = ""
    keys: tuple[str, ...] = field(default=())  # what identifies a row
    either_key: bool = False  # a row fills one of `keys`, which identifies it (a member's or an enterprise's account)

    def field(self, key: str) -> Field:
        return next(f for f in self.fields if f.key == key)

    @functools.cached_property
    def field_keys(self) -> frozenset[str]:
        return frozenset(f.key for f in self.fields)

    @functools.cached_property
    def by_header(self) -> dict[str, Field]:
        """Excel header -> field, earlier headers included."""
        return {h: f for f in self.fields for h in (f.excel_header, *f.aliases)}


YEAR = dict(minimum=2000, maximum=2100)

ENTERPRISES = Sheet(
    "enterprises", "经营主体",
    (
        Field("credit_code", "统一社会信用代码", "credit_code", True),
        Field("name", "名称", "string", True, max_length=200),
        Field("kind", "类型", "enum", True, c.EnterpriseKind),
        Field("division_code", "所在区划代码", "division_code", True, description="12位统计用区划代码，村、乡镇或县级"),
        Field("base_level", "就业帮扶基地认定", "enum", False, c.BaseLevel),
        Field("base_certified_on", "认定日期", "date"),
        Field("total_employees", "职工总数", "integer", minimum=0, maximum=1_000_000),
        Field("labor_intensive", "劳动密集型", "boolean"),
        Field("contact", "联系人", "string", max_length=50),
        Field("phone", "联系电话", "string", max_length=30),
        Field("declared_year", "申报年度", "integer", **YEAR,
              description="以下产业、场地数据所属年度；政策计算只在该年度使用这些数据"),
        Field("drives_target", "带动脱贫户和监测户", "boolean", description="通过务工、订单、托管、分红等方式带动"),
        Field("breeding_pigs", "良种生猪头数", "integer", minimum=0, maximum=10_000_000),
        Field("new_greenhouse_mu", "新建日光温室面积（亩）", "decimal", minimum=0, maximum=100_000),
        Field("renovated_greenhouse_mu", "改造老旧温室面积（亩）", "decimal", minimum=0, maximum=100_000),
        Field("cool_vegetable_mu", "夏秋冷凉蔬菜面积（亩）", "decimal", minimum=0, maximum=100_000),
        Field("utilities_cost", "生产经营水电费", "money"),
        Field("premises_kind", "生产用房类型", "enum", False, c.PremisesKind),
        Field("premises_rent", "场地年租金", "money"),
        Field("premises_area_m2", "生产加工使用面积（平方米）", "decimal", minimum=0, maximum=10_000_000),
    ),
    "用工企业、合作社、家庭农场、帮扶车间、社区工厂、培训机构、人力资源服务机构；产业、场地数据按申报年度填写",
    ("credit_code",),
)

HOUSEHOLDS = Sheet(
    "households", "户",
    (
        Field("household_number", "户编号", "string", True, max_length=32),
        Field("village_code", "村区划代码", "village", True, excel="村（名称或区划代码）", aliases=("村区划代码",),
              description="Excel：导入者管辖范围内的村名（如 双碾村；范围内有同名村时写明乡镇，如 双碾乡双碾村），"
                          "或12位村级统计用区划代码；JSON：12位村级统计用区划代码"),
        Field("category", "户类别", "enum", True, c.Category),
        Field("monitor_type", "监测对象类型", "enum", False, c.MonitorType, description="户类别为监测户时必填"),
        Field("risk_eliminated_on", "风险消除日期", "date",
              description="监测户经风险消除程序（村—乡镇—县）审定之日，空为风险未消除；只由动态监测程序写入："
                          "新户可随首次导入带入，已登记户须与系统一致，不能通过导入修改"),
        Field("lifted_year", "脱贫年度", "integer", minimum=2013, maximum=2100),
        Field("dibao", "低保户", "boolean"),
        Field("address", "住址", "string", max_length=200),
        Field("phone", "联系电话", "string", max_length=30),
        Field("contracted_land_mu", "确权承包地面积（亩）", "decimal", minimum=0, maximum=100_000),
        Field("grain_area_mu", "实际种粮面积（亩）", "decimal", minimum=0, maximum=100_000),
        Field("courtyard_economy", "发展庭院经济", "boolean"),
        Field("industry_project", "有产业项目（申报产业奖补）", "boolean",
              description="有意愿、有能力发展特色产业项目，已申报产业奖补（陇县十条措施第六条）"),
    ),
    "每户一行",
    ("household_number",),
)

MEMBERS = Sheet(
    "members", "家庭成员",
    (
        Field("household_number", "户编号", "string", True, max_length=32),
        Field("id_number", "身份证号", "id_number", True),
        Field("name", "姓名", "string", True, max_length=50),
        Field("relation", "与户主关系", "enum", True, c.Relation),
        Field("sex", "性别", "enum", False, c.Sex, description="由身份证号得出；填写时须与身份证号一致"),
        Field("birth_date", "出生日期", "date", description="由身份证号得出；填写时须与身份证号一致"),
        Field("labor_capacity", "劳动能力", "enum", True, c.LaborCapacity),
        Field("disability_grade", "残疾等级", "integer", minimum=1, maximum=4, description="1级最重，空为非残疾"),
        Field("tekun", "特困人员", "boolean"),
        Field("school_stage", "在校情况", "enum", False, c.SchoolStage),
        Field("training_willing", "有培训意愿", "boolean"),
        Field("serious_illness", "重病患者", "boolean", description="经认定的重病患者（忻州市六大举措第六条）"),
        Field("phone", "联系电话", "string", max_length=30),
    ),
    "每人一行；性别、出生日期由身份证号得出，可不填",
    ("id_number",),
)

INCOMES = Sheet(
    "incomes", "年度收入",
    (
        Field("household_number", "户编号", "string", True, max_length=32),
        Field("year", "年度", "integer", True, **YEAR),
        Field("wage", "工资性收入", "money"),
        Field("business_income", "生产经营性收入", "money"),
        Field("business_cost", "生产经营性支出", "money"),
        Field("property_income", "财产性收入", "money"),
        Field("transfer_income", "转移性收入", "money"),
    ),
    "每户每年一行；纯收入 = 工资性 + 生产经营性收入 − 生产经营性支出 + 财产性 + 转移性",
    ("household_number", "year"),
)

EMPLOYMENTS = Sheet(
    "employments", "就业",
    (
        Field("id_number", "身份证号", "id_number", True),
        Field("year", "年度", "integer", True, **YEAR),
        Field("kind", "就业类型", "enum", True, c.EmploymentKind),
        Field("post_kind", "公益岗位类别", "enum", False, c.PostKind,
              description="就业类型为公益岗位时填写：就业帮扶公益岗位由就业补助资金列支，村级公益岗位由光伏收益等集体收入列支"),
        Field("post_created_year", "岗位设立年度", "integer", **YEAR, description="就业类型为公益岗位时填写"),
        Field("place", "务工地域", "enum", True, c.EmploymentPlace),
        Field("employer_credit_code", "用工单位信用代码", "credit_code"),
        Field("employer_name", "用工单位名称", "string", max_length=200),
        Field("agency_credit_code", "职介机构信用代码", "credit_code"),
        Field("start_date", "开始日期", "date", True),
        Field("end_date", "结束日期", "date"),
        Field("months", "连续务工月数", "integer", True, minimum=0, maximum=600),
        Field("monthly_wage", "月工资", "money", True),
        Field("contract_months", "劳动合同期限（月）", "integer", minimum=0, maximum=600),
        Field("first_stable", "首次稳定就业", "boolean"),
        Field("returnee", "返乡回流人员", "boolean"),
    ),
    "每段务工一行；导入时，文件中出现的人在所列年度的就业记录整体替换",
    ("id_number", "year", "start_date"),
)

TRAININGS = Sheet(
    "trainings", "培训",
    (
        Field("id_number", "身份证号", "id_number", True),
        Field("year", "年度", "integer", True, **YEAR),
        Field("kind", "培训类型", "enum", True, c.TrainingKind),
        Field("institution_credit_code", "培训机构信用代码", "credit_code"),
        Field("start_date", "开始日期", "date", True),
        Field("days", "培训天数", "integer", True, minimum=0, maximum=366),
        Field("employed_after", "培训后就业", "boolean"),
    ),
    "每次培训一行；导入时，文件中出现的人在所列年度的培训记录整体替换",
    ("id_number", "year", "start_date"),
)

STARTUPS = Sheet(
    "startups", "自主创业",
    (
        Field("id_number", "身份证号", "id_number", True),
        Field("kind", "创业类型", "enum", True, c.StartupKind),
        Field("enterprise_credit_code", "经营主体信用代码", "credit_code"),
        Field("started_on", "开业日期", "date", True),
        Field("operating_months", "正常经营月数", "integer", True, minimum=0, maximum=600),
        Field("yearly_rent", "年场地租金", "money"),
        Field("guaranteed_loan", "创业担保贷款", "money"),
        Field("returnee", "返乡回流人员", "boolean"),
        Field("stable_income", "有稳定收入（经核实）", "boolean",
              description="产业项目有稳定收入，经村、乡镇核实（双发〔2022〕67号第19条）"),
    ),
    "每项创业一行；导入时，文件中出现的人的创业记录整体替换",
    ("id_number", "started_on"),
)

ACCOUNTS = Sheet(
    "accounts", "收款账户",
    (
        Field("id_number", "身份证号", "id_number", description="家庭成员的账户填写；与统一社会信用代码二者填其一"),
        Field("credit_code", "统一社会信用代码", "credit_code", description="经营主体的对公账户填写"),
        Field("kind", "账户类型", "enum", True, AccountKind, description="经营主体只能是对公账户"),
        Field("bank", "开户银行", "string", True, max_length=60),
        Field("account_number", "账号", "account_number", True,
              description="银行卡、社会保障卡为13至19位卡号，核对校验位（Luhn）；一卡通存折、对公账号为8至30位数字"),
        Field("holder", "户名", "string", True, max_length=50,
              description="家庭成员的账户为本人姓名，否则为代领，须填写以下两列；对公账户为经营主体名称"),
        Field("proxy_relation", "代领人与本人关系", "string", max_length=20),
        Field("proxy_reason", "代领原因", "string", max_length=100),
        Field("since", "启用日期", "date", True,
              description="与现用账户不同时，新账户自该日启用、现用账户于前一日停用，须晚于现用账户的启用日期"),
    ),
    "每个收款人的现用账户一行（家庭成员按身份证号，经营主体按统一社会信用代码）；导入时，与现用账户相同的不变，"
    "不同的替换现用账户，原账户保留在账户记录中",
    ("id_number", "credit_code"),
    either_key=True,
)

SHEETS: tuple[Sheet, ...] = (ENTERPRISES, HOUSEHOLDS, MEMBERS, INCOMES, EMPLOYMENTS, TRAININGS, STARTUPS, ACCOUNTS)
# The order a person meets the sheets in a workbook (template, export): a clerk starts with households; employers,
# which the work spells refer to, come last. The importer checks them in SHEETS order whatever the file's order
# (accounts after the members and enterprises they belong to).
WORKBOOK_ORDER: tuple[Sheet, ...] = (HOUSEHOLDS, MEMBERS, INCOMES, EMPLOYMENTS, TRAININGS, STARTUPS, ACCOUNTS,
                                     ENTERPRISES)
BY_KEY = {s.key: s for s in SHEETS}
BY_TITLE = {s.title: s for s in SHEETS}


@dataclass(frozen=True)
class Catalog:
    """A set of sheets read and written as one workbook: the registry's, or one ledger's (fangpin.ledgers). The sheets
    are checked in `sheets` order (a sheet after those it refers to) and shown in `order`."""
    key: str
    title: str
    sheets: tuple[Sheet, ...]
    order: tuple[Sheet, ...] = ()

    @functools.cached_property
    def by_key(self) -> dict[str, Sheet]:
        return {s.key: s for s in self.sheets}

    @functools.cached_property
    def by_title(self) -> dict[str, Sheet]:
        return {s.title: s for s in self.sheets}

    @property
    def workbook_order(self) -> tuple[Sheet, ...]:
        return self.order or self.sheets


REGISTRY = Catalog("registry", "户籍信息", SHEETS, WORKBOOK_ORDER)
