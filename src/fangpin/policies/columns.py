"""The columns a rule may name, per basis table, with their kind (for checks and for formatting explanations).

Columns come from the exchange format's sheets (docs/exchange-format.md) plus a few derived per person and year
(age, employed_in_year). Money is fen; areas are kept as hundredths of a mu (integers) so that arithmetic is exact.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from fangpin.registry import choices as c


@dataclass(frozen=True)
class Column:
    kind: str  # enum, bool, int, money, area, str, code (a credit code, for payee), date
    label: str
    choices: type[models.TextChoices] | None = None


COLUMNS: dict[str, Column] = {
    # household
    "household.category": Column("enum", "户类别", c.Category),
    "household.monitor_type": Column("enum", "监测对象类型", c.MonitorType),
    # 风险消除日期 on or before the evaluation date: the elimination procedure (村—乡镇—县) has eliminated the risk
    "household.risk_eliminated": Column("bool", "风险已消除"),
    "household.dibao": Column("bool", "低保户"),
    "household.contracted_land_mu": Column("area", "确权承包地面积"),
    "household.grain_area_mu": Column("area", "实际种粮面积"),
    "household.courtyard_economy": Column("bool", "发展庭院经济"),
    "household.industry_project": Column("bool", "有产业项目（申报产业奖补）"),
    "household.size": Column("int", "家庭人口"),
    "household.laborers": Column("int", "劳动力人数"),
    "household.disabled_members": Column("int", "残疾人人数"),
    "household.village_code": Column("str", "村区划代码"),
    # the year's income record (收入 sheet); null when the household has none for the year
    "household.net_income": Column("money", "家庭纯收入"),
    "household.net_income_per_capita": Column("money", "家庭人均纯收入"),
    # person
    "person.relation": Column("enum", "与户主关系", c.Relation),
    "person.sex": Column("enum", "性别", c.Sex),
    "person.age": Column("int", "年龄"),
    "person.labor_capacity": Column("enum", "劳动能力", c.LaborCapacity),
    "person.disability_grade": Column("int", "残疾等级"),
    "person.tekun": Column("bool", "特困人员"),
    "person.school_stage": Column("enum", "在校情况", c.SchoolStage),
    "person.training_willing": Column("bool", "有培训意愿"),
    "person.serious_illness": Column("bool", "重病患者"),
    "person.employed_in_year": Column("bool", "本年度有务工记录"),
    # employment spell
    "employment.kind": Column("enum", "就业类型", c.EmploymentKind),
    "employment.place": Column("enum", "务工地域", c.EmploymentPlace),
    "employment.post_kind": Column("enum", "公益岗位类别", c.PostKind),
    "employment.post_created_year": Column("int", "岗位设立年度"),
    "employment.start_date": Column("date", "开始日期"),
    "employment.started_this_year": Column("bool", "本年度开始"),
    # the months of the spell that fall in the evaluated year (连续务工月数 counts the whole spell, across years)
    "employment.months_in_year": Column("int", "本年度在岗月数"),
    "employment.months_before_year": Column("int", "本年度以前的连续务工月数"),
    "employment.months": Column("int", "连续务工月数"),
    "employment.monthly_wage": Column("money", "月工资"),
    "employment.contract_months": Column("int", "劳动合同期限（月）"),
    "employment.first_stable": Column("bool", "首次稳定就业"),
    "employment.returnee": Column("bool", "返乡回流人员"),
    "employment.agency": Column("code", "职介机构信用代码"),
    # enterprise (workers are counted from the year's work spells in the input)
    "enterprise.kind": Column("enum", "经营主体类型", c.EnterpriseKind),
    "enterprise.base_level": Column("enum", "就业帮扶基地认定", c.BaseLevel),
    "enterprise.total_employees": Column("int", "职工总数"),
    "enterprise.labor_intensive": Column("bool", "劳动密集型"),
    "enterprise.division_code": Column("str", "所在区划代码"),
    "enterprise.workers": Column("int", "本年度登记务工人数"),
    "enterprise.target_workers": Column("int", "其中脱贫户和监测户劳动力"),
    "enterprise.lifted_workers": Column("int", "其中脱贫劳动力"),
    # 稳定就业: at this employer for at least the document's parameter `stable_min_months` in the year
    "enterprise.stable_lifted_workers": Column("int", "其中稳定就业的脱贫劳动力"),
    "enterprise.new_lifted_workers": Column("int", "其中上年度未在本单位务工的脱贫劳动力"),
    "enterprise.certified_this_year": Column("bool", "本年度认定"),
    "enterprise.certified_years_ago": Column("int", "认定至今年数（认定当年为0）"),
    # the year's declaration (read only when its year is the evaluation year: enterprise.declared_this_year)
    "enterprise.declared_this_year": Column("bool", "本年度已申报"),
    "enterprise.drives_target": Column("bool", "带动脱贫户和监测户"),
    "enterprise.breeding_pigs": Column("int", "良种生猪头数"),
    "enterprise.new_greenhouse_mu": Column("area", "新建日光温室面积"),
    "enterprise.renovated_greenhouse_mu": Column("area", "改造老旧温室面积"),
    "enterprise.cool_vegetable_mu": Column("area", "夏秋冷凉蔬菜面积"),
    "enterprise.utilities_cost": Column("money", "生产经营水电费"),
    "enterprise.premises_kind": Column("enum", "生产用房类型", c.PremisesKind),
    "enterprise.premises_rent": Column("money", "场地年租金"),
    "enterprise.premises_area_m2": Column("area", "生产加工使用面积（平方米）"),
    # training
    "training.kind": Column("enum", "培训类型", c.TrainingKind),
    "training.days": Column("int", "培训天数"),
    "training.employed_after": Column("bool", "培训后就业"),
    "training.start_date": Column("date", "培训开始日期"),
    # a work spell had begun and not ended on the day the training started (未实现就业 is judged then)
    "training.employed_at_start": Column("bool", "培训开始时已就业"),
    "training.institution": Column("code", "培训机构信用代码"),
    # the institution's trainees of the same kind in the year, and how many of them found work (就业率)
    "training.batch_trainees": Column("int", "同机构同类培训本年度学员数"),
    "training.batch_employed": Column("int", "其中培训后就业人数"),
    # start-up (自主创业)
    "startup.kind": Column("enum", "创业类型", c.StartupKind),
    "startup.operating_months": Column("int", "正常经营月数"),
    "startup.yearly_rent": Column("money", "年场地租金"),
    "startup.returnee": Column("bool", "返乡回流人员"),
    "startup.stable_income": Column("bool", "有稳定收入（经核实）"),
    "startup.started_this_year": Column("bool", "本年度开业"),
    "startup.started_on": Column("date", "开业日期"),
    "startup.six_months_this_year": Column("bool", "本年度正常经营满6个月"),
    "startup.operating_in_year": Column("bool", "本年度在经营"),
}

NAMESPACES = {name.split(".")[0] for name in COLUMNS}
# Which namespaces each basis table carries: its own rows plus the person and household they belong to.
BASES: dict[str, tuple[str, ...]] = {
    "household": ("household",),
    "person": ("person", "household"),
    "employment": ("employment", "person", "household"),
    "training": ("training", "person", "household"),
    "startup": ("startup", "person", "household"),
    "enterprise": ("enterprise",),
}


def available(basis: str) -> set[str]:
    spaces = BASES.get(basis, ())
    return {name for name in COLUMNS if name.split(".")[0] in spaces}
