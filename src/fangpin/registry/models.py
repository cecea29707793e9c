"""Households, members, enterprises and the yearly facts the policies are computed from.

Money is in fen (integer). Validation that spans rows lives in fangpin.registry.rules, shared by
the pages, the API and the importer, so that one rule gives one message everywhere.
"""
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from .constraints import RULES

from .choices import (
    BaseLevel,
    Category,
    EmploymentKind,
    EmploymentPlace,
    EnterpriseKind,
    LaborCapacity,
    MonitorType,
    PostKind,
    Relation,
    SchoolStage,
    Sex,
    PremisesKind,
    StartupKind,
    TrainingKind,
)


# History tables keep the indexes their pages query by (the record's id, household_id, dates, user) and drop the
# copies of the registry's lookup indexes (names, numbers, codes, employers): a history row is never looked up by
# them, and each index is written on every import (issue 10). Their user column keeps its index but has no foreign-key
# constraint: PostgreSQL checked it for every history row at commit (a user is deactivated, never deleted; Django's
# own SET_NULL still runs if one is).
def _history(verbose_name: str, *unindexed: str) -> HistoricalRecords:
    return HistoricalRecords(verbose_name=verbose_name, no_db_index=list(unindexed), user_db_constraint=False)


class Enterprise(models.Model):
    """An employer, cooperative, farm, workshop, training institution or labor intermediary."""

    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("类型", max_length=32, choices=EnterpriseKind.choices)
    org_unit = models.ForeignKey(
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="enterprises", verbose_name="所在区划"
    )
    base_level = models.CharField(
        "就业帮扶基地认定", max_length=16, choices=BaseLevel.choices, default=BaseLevel.NONE
    )
    base_certified_on = models.DateField("认定日期", null=True, blank=True)
    total_employees = models.PositiveIntegerField("职工总数", default=0)
    labor_intensive = models.BooleanField("劳动密集型", default=False)
    contact = models.CharField("联系人", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    # The year's declaration (申报) for industry and premises subsidies: the rules read it only for the year it names;
    # earlier years' declarations stay in the history.
    declared_year = models.PositiveSmallIntegerField("申报年度", null=True, blank=True)
    drives_target = models.BooleanField("带动脱贫户和监测户", default=False)
    breeding_pigs = models.PositiveIntegerField("良种生猪头数", default=0)
    new_greenhouse_mu = models.DecimalField("新建日光温室面积（亩）", max_digits=10, decimal_places=2, default=0)
    renovated_greenhouse_mu = models.DecimalField("改造老旧温室面积（亩）", max_digits=10, decimal_places=2, default=0)
    cool_vegetable_mu = models.DecimalField("夏秋冷凉蔬菜面积（亩）", max_digits=10, decimal_places=2, default=0)
    utilities_cost = models.BigIntegerField("生产经营水电费（分）", default=0)
    premises_kind = models.CharField("生产用房类型", max_length=32, choices=PremisesKind.choices, default=PremisesKind.NONE)
    premises_rent = models.BigIntegerField("场地年租金（分）", default=0)
    premises_area_m2 = models.DecimalField("生产加工使用面积（平方米）", max_digits=12, decimal_places=2, default=0)
    history = _history("经营主体变更记录", "credit_code", "org_unit")

    class Meta:
        verbose_name = "经营主体"
        verbose_name_plural = "经营主体"
        ordering = ["credit_code"]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    number = models.CharField("户编号", max_length=32, unique=True)
    village = models.ForeignKey(  # indexed by the composite indexes below, which lead with it
        "orgunits.OrgUnit", on_delete=models.PROTECT, related_name="households", verbose_name="所在村", db_index=False
    )
    category = models.CharField("户类别", max_length=16, choices=Category.choices)
    monitor_type = models.CharField("监测对象类型", max_length=16, choices=MonitorType.choices, blank=True)
    lifted_year = models.PositiveSmallIntegerField("脱贫年度", null=True, blank=True)
    # Set and cleared only by the monitoring workflow (risk elimination / a new enrollment), never by a form.
    risk_eliminated_on = models.DateField("风险消除日期", null=True, blank=True, editable=False)
    dibao = models.BooleanField("低保户", default=False)
    address = models.CharField("住址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    contracted_land_mu = models.DecimalField("确权承包地面积（亩）", max_digits=10, decimal_places=2, default=0)
    grain_area_mu = models.DecimalField("实际种粮面积（亩）", max_digits=10, decimal_places=2, default=0)
    courtyard_economy = models.BooleanField("发展庭院经济", default=False)
    industry_project = models.BooleanField("有产业项目（申报产业奖补）", default=False)
    history = _history("户变更记录", "number", "village")

    class Meta:
        verbose_name = "户"
        verbose_name_plural = "户"
        ordering = ["number"]
        indexes = [
            models.Index(fields=["village", "category"]),
            # lists go village by village, in number order within a village: an area's first page is the start of its
            # range of this index, whatever the area (a walk of the number index crossed the whole city first)
            models.Index(fields=["village", "number"], include=["id"], name="household_by_village_number"),
            # the workbench's lists of monitored households at risk (without cadre, without measures): the few
            # monitored households of the area, not its million
            models.Index(fields=["village", "number"], include=["id"], name="household_at_risk",
                         condition=Q(category=Category.MONITORED, risk_eliminated_on__isnull=True)),
        ]
        # The last guard under every write path (forms, API, import, workflow): the rules of registry/rules.py that
        # concern one row, in the database.
        constraints = [
            models.CheckConstraint(condition=Q(category__in=Category.values), name="household_category_known",
                violation_error_message=RULES["household_category_known"]),
            models.CheckConstraint(
                condition=Q(category=Category.MONITORED, monitor_type__in=MonitorType.values)
                | (~Q(category=Category.MONITORED) & Q(monitor_type="")),
                name="household_monitor_type_iff_monitored",
                violation_error_message=RULES["household_monitor_type_iff_monitored"]),
            models.CheckConstraint(condition=Q(risk_eliminated_on__isnull=True) | Q(category=Category.MONITORED),
                                   name="household_risk_eliminated_only_monitored",
                violation_error_message=RULES["household_risk_eliminated_only_monitored"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def at_risk(self) -> bool:
        """A monitored household whose risk is not eliminated (风险未消除的监测户)."""
        return self.category == Category.MONITORED and self.risk_eliminated_on is None


class Member(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members", verbose_name="户")
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    name = models.CharField("姓名", max_length=50, db_index=True)
    relation = models.CharField("与户主关系", max_length=16, choices=Relation.choices)
    sex = models.CharField("性别", max_length=8, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    labor_capacity = models.CharField("劳动能力", max_length=16, choices=LaborCapacity.choices)
    disability_grade = models.PositiveSmallIntegerField("残疾等级", null=True, blank=True)
    tekun = models.BooleanField("特困人员", default=False)
    school_stage = models.CharField("在校情况", max_length=16, choices=SchoolStage.choices, default=SchoolStage.NONE)
    training_willing = models.BooleanField("有培训意愿", default=False)
    serious_illness = models.BooleanField("重病患者", default=False)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    history = _history("成员变更记录", "id_number", "name")

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household_id", "id"]
        constraints = [
            # One head per household, whoever writes (two imports or a form at the same moment).
            models.UniqueConstraint(fields=["household"], condition=Q(relation="head"), name="member_one_head_per_household",
                violation_error_message=RULES["member_one_head_per_household"]),
            models.CheckConstraint(condition=Q(relation__in=Relation.values), name="member_relation_known",
                violation_error_message=RULES["member_relation_known"]),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="member_sex_known",
                violation_error_message=RULES["member_sex_known"]),
        ]

    def __str__(self) -> str:
        return self.name


class IncomeRecord(models.Model):
    """A household's income components for one year (fen)."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="incomes", verbose_name="户")
    year = models.PositiveSmallIntegerField("年度")
    wage = models.BigIntegerField("工资性收入（分）", default=0)
    business_income = models.BigIntegerField("生产经营性收入（分）", default=0)
    business_cost = models.BigIntegerField("生产经营性支出（分）", default=0)
    property_income = models.BigIntegerField("财产性收入（分）", default=0)
    transfer_income = models.BigIntegerField("转移性收入（分）", default=0)
    history = _history("收入变更记录")

    class Meta:
        verbose_name = "年度收入"
        verbose_name_plural = "年度收入"
        ordering = ["household_id", "year"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="income_one_per_household_year")]

    @property
    def net_income(self) -> int:
        return self.wage + self.business_income - self.business_cost + self.property_income + self.transfer_income


class Employment(models.Model):
    """One spell of work by a member: where, for whom, how long and for what wage."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="employments", verbose_name="成员")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("就业类型", max_length=32, choices=EmploymentKind.choices, default=EmploymentKind.WAGE_JOB)
    # public-welfare posts only: which kind of post and the year it was created (双发〔2022〕67号 13, 14)
    post_kind = models.CharField("公益岗位类别", max_length=32, choices=PostKind.choices, blank=True)
    post_created_year = models.PositiveSmallIntegerField("岗位设立年度", null=True, blank=True)
    place = models.CharField("务工地域", max_length=32, choices=EmploymentPlace.choices)
    employer = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, null=True, blank=True, related_name="employments", verbose_name="用工单位"
    )
    employer_name = models.CharField("用工单位名称", max_length=200, blank=True)
    agency = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, null=True, blank=True, related_name="placements",
        verbose_name="介绍就业的人力资源服务机构",
    )
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    months = models.PositiveSmallIntegerField("连续务工月数")
    monthly_wage = models.BigIntegerField("月工资（分）")
    contract_months = models.PositiveSmallIntegerField("劳动合同期限（月）", null=True, blank=True)
    first_stable = models.BooleanField("首次稳定就业", default=False)
    returnee = models.BooleanField("返乡回流人员", default=False)
    history = _history("就业变更记录", "employer", "agency")

    class Meta:
        verbose_name = "就业记录"
        verbose_name_plural = "就业记录"
        ordering = ["member_id", "start_date"]
        constraints = [models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                                              name="employment_ends_after_start",
                violation_error_message=RULES["employment_ends_after_start"]),
                       models.CheckConstraint(
                           condition=Q(kind=EmploymentKind.PUBLIC_WELFARE_POST)
                           | (Q(post_kind="") & Q(post_created_year__isnull=True)),
                           name="employment_post_fields_only_for_posts",
                           violation_error_message=RULES["employment_post_fields_only_for_posts"])]


class Training(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="trainings", verbose_name="成员")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("培训类型", max_length=32, choices=TrainingKind.choices)
    institution = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, null=True, blank=True, related_name="trainings", verbose_name="培训机构"
    )
    start_date = models.DateField("开始日期")
    days = models.PositiveSmallIntegerField("培训天数")
    employed_after = models.BooleanField("培训后就业", default=False)
    history = _history("培训变更记录", "institution")

    class Meta:
        verbose_name = "培训记录"
        verbose_name_plural = "培训记录"
        ordering = ["member_id", "start_date"]


class Startup(models.Model):
    """A member's own business (自主创业)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="startups", verbose_name="成员")
    kind = models.CharField("创业类型", max_length=32, choices=StartupKind.choices)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, null=True, blank=True, related_name="founders", verbose_name="所创经营主体"
    )
    started_on = models.DateField("开业日期")
    operating_months = models.PositiveSmallIntegerField("正常经营月数")
    yearly_rent = models.BigIntegerField("年场地租金（分）", default=0)
    guaranteed_loan = models.BigIntegerField("创业担保贷款（分）", default=0)
    returnee = models.BooleanField("返乡回流人员", default=False)
    stable_income = models.BooleanField("有稳定收入（经核实）", default=False)
    history = _history("创业变更记录", "enterprise")

    class Meta:
        verbose_name = "自主创业"
        verbose_name_plural = "自主创业"
        ordering = ["member_id", "started_on"]


class VillageTally(models.Model):
    """Households per village and category, kept current by every write (registry/tallies.py) so that the overview
    reads a village's row instead of counting its households on every view."""

    village = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="tallies",
                                verbose_name="村")
    category = models.CharField("户类别", max_length=16, choices=Category.choices)
    households = models.PositiveIntegerField("户数")

    class Meta:
        verbose_name = "村户数统计"
        verbose_name_plural = "村户数统计"
        constraints = [models.UniqueConstraint(fields=["village", "category"], name="village_tally_one_per_category")]
