"""Monitoring: the yearly monitoring line per region, and each household's income accounting by year."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords


class MonitoringLine(models.Model):
    """The monitoring line (防返贫监测标准) for a year: set per province (2-digit code prefix), overridden by a county
    (6 digits); an empty prefix is the national fallback. With the edge factor and the sharp-fall share it uses."""

    region_prefix = models.CharField("区划代码前缀", max_length=6, blank=True, help_text="省2位、县6位；空为全国")
    year = models.PositiveSmallIntegerField("年度")
    line = models.BigIntegerField("家庭年人均纯收入监测标准（分）")
    edge_factor = models.DecimalField("边缘系数", max_digits=4, decimal_places=2, default=1.5,
                                      help_text="人均纯收入低于 监测标准 × 系数 为边缘")
    sharp_fall = models.DecimalField("大幅下降比例", max_digits=4, decimal_places=2, default=0.3,
                                     help_text="人均纯收入比上年下降达到该比例为大幅下降")
    dibao_line = models.BigIntegerField("农村低保标准（分/人·年）", null=True, blank=True,
                                        help_text="民政部门公布的农村低保标准；用于向民政转介低保（湖南十条 五）")
    reason = models.CharField("依据", max_length=200)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                               verbose_name="设置人")
    history = HistoricalRecords(verbose_name="监测标准变更记录")

    class Meta:
        verbose_name = "监测标准"
        constraints = [models.UniqueConstraint(fields=["region_prefix", "year"], name="one_line_per_region_year")]
        ordering = ["year", "region_prefix"]

    def __str__(self) -> str:
        return f"{self.region_prefix or '全国'} {self.year}: {self.line / 100:.2f}"


class Band(models.TextChoices):
    BELOW = "below", "低于监测标准"
    EDGE = "edge", "边缘（低于标准×系数）"
    ABOVE = "above", "高于边缘"
    UNKNOWN = "unknown", "无法判断"


class IncomeAccount(models.Model):
    """The result of the yearly income accounting (收入核算) of one household; recomputed in batch."""

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="income_accounts",
                                  verbose_name="户")
    year = models.PositiveSmallIntegerField("年度")
    size = models.PositiveSmallIntegerField("家庭人口")
    net_income = models.BigIntegerField("家庭纯收入（分）", null=True)
    per_capita = models.BigIntegerField("人均纯收入（分）", null=True)
    line = models.BigIntegerField("监测标准（分）", null=True)
    band = models.CharField("收入分档", max_length=16, choices=Band.choices)
    fell = models.BooleanField("比上年下降", default=False)
    sharp_fall = models.BooleanField("比上年大幅下降", default=False)
    note = models.CharField("说明", max_length=200, blank=True)
    computed_at = models.DateTimeField("核算时间", auto_now=True)
    history = HistoricalRecords(verbose_name="收入核算变更记录")

    class Meta:
        verbose_name = "收入核算"
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="one_account_per_household_year")]
        ordering = ["household_id", "year"]


# --- department data and warnings ------------------------------------------------------------------------------------

def _feed_choices():
    from .feeds import FEEDS

    return [(k, f"{f.department}：{f.label}") for k, f in FEEDS.items()]


class FeedUpload(models.Model):
    """One department file as uploaded: who, when, which format, its hash and row count; the rows are kept as
    normalized Parquet under var/feeds."""

    feed = models.CharField("部门数据", max_length=32, choices=_feed_choices)
    region = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, verbose_name="数据所属区划")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    filename = models.CharField("文件名", max_length=200)
    sha256 = models.CharField("文件SHA-256", max_length=64)
    size_bytes = models.BigIntegerField("文件大小（字节）")
    row_count = models.PositiveIntegerField("行数")
    period_from = models.DateField("数据起始日期", null=True)
    period_to = models.DateField("数据截止日期", null=True)
    month = models.DateField("数据月份", null=True, blank=True,
                             help_text="月度增量的月份（该月1日）；空为全量数据。比对时每个月取最新上传的数据，不重复计算")

    class Meta:
        verbose_name = "部门数据上传"
        ordering = ["-uploaded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["feed", "region", "sha256"], name="one_upload_per_file")]

    @property
    def extract_label(self) -> str:
        return f"{self.month:%Y年%m月}增量" if self.month else "全量"

    @property
    def parquet_name(self) -> str:
        return f"{self.feed}-{self.pk}.parquet"


class ScreeningRun(models.Model):
    """One screening (筛查比对) as a background job: its progress, the files it used and what it found."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "比对中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    region = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, verbose_name="比对范围")
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="发起人")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    step = models.CharField("当前步骤", max_length=100, blank=True)
    uploads = models.ManyToManyField(FeedUpload, verbose_name="使用的部门数据")
    counts = models.JSONField("比对结果计数", default=dict)
    warnings_new = models.PositiveIntegerField("新增预警", default=0)
    warnings_known = models.PositiveIntegerField("已有预警", default=0)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = "筛查比对"
        ordering = ["-created_at", "-id"]


class MatchProblem(models.Model):
    """A department row that could not be matched: invalid ID number, another name than the registry's, or a person
    not in the registry of the area. Never attached to a household."""

    run = models.ForeignKey(ScreeningRun, on_delete=models.CASCADE, related_name="problems")
    upload = models.ForeignKey(FeedUpload, on_delete=models.CASCADE, verbose_name="文件")
    row = models.PositiveIntegerField("行号")
    status = models.CharField("比对结果", max_length=16)
    id_number = models.CharField("身份证号（原样）", max_length=40)
    name = models.CharField("姓名（部门）", max_length=100)
    registry_name = models.CharField("姓名（户籍）", max_length=100, blank=True)
    count = models.PositiveIntegerField("行数", default=1)

    class Meta:
        ordering = ["status", "upload_id", "row"]


class Warning(models.Model):
    """预警: a signal from data matching for a household's village to verify by its deadline. Its key (household,
    rule, period, subject) makes re-screening the same data idempotent."""

    class Status(models.TextChoices):
        OPEN = "open", "待核实"
        CONFIRMED = "confirmed", "核实有风险"
        DISMISSED = "dismissed", "核实无风险"

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="warnings",
                                  verbose_name="户")
    rule = models.CharField("预警规则", max_length=40)
    label = models.CharField("预警类别", max_length=60)
    period = models.CharField("期间", max_length=10)
    subject = models.CharField("涉及成员", max_length=20, blank=True, help_text="按人预警时为成员编号")
    risk = models.CharField("风险类别", max_length=16)
    reason = models.TextField("预警原因")
    total = models.BigIntegerField("金额合计（分）", default=0)
    source_count = models.PositiveIntegerField("来源行数")
    sources = models.JSONField("来源行", default=list, help_text="[[上传编号, 行号], …]")
    person_ids = models.JSONField("成员", default=list)
    run = models.ForeignKey(ScreeningRun, on_delete=models.SET_NULL, null=True, verbose_name="首次发现于")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    deadline = models.DateField("核实期限")
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.OPEN)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                    related_name="+", verbose_name="核实人")
    verified_at = models.DateTimeField("核实时间", null=True)
    note = models.TextField("核实情况", blank=True)
    case = models.ForeignKey("Case", on_delete=models.SET_NULL, null=True, related_name="warnings",
                             verbose_name="识别案件")
    joined = models.JSONField("同户同期信号", default=list, blank=True,
                              help_text="并入本预警的收入核算或部门信号：[{rule, label, period, subject, risk, reason}, …]")
    history = HistoricalRecords(verbose_name="预警变更记录")

    class Meta:
        verbose_name = "预警"
        ordering = ["deadline", "id"]
        constraints = [models.UniqueConstraint(fields=["household", "rule", "period", "subject"],
                                               name="one_warning_per_signal")]
        indexes = [models.Index(fields=["status", "deadline"]),
                   models.Index(fields=["deadline", "id"], name="warning_by_deadline")]  # the list's default order

    def get_risk_display(self) -> str:
        from .screening import RISK_LABELS

        return RISK_LABELS.get(self.risk, self.risk)

    @property
    def from_income(self) -> bool:
        """Raised by the income accounting (not by a department's rows)."""
        from .screening import RULES

        return RULES.is_income(self.rule)


# --- identification and risk elimination ---------------------------------------------------------------------------


class Case(models.Model):
    """One pass through the approval procedure: enrolling a household in monitoring (识别纳入) or eliminating its risk
    (风险消除). Its state changes only through workflow.act(); `version` makes concurrent decisions exclusive."""

    class Kind(models.TextChoices):
        ENROLLMENT = "enrollment", "识别纳入"
        ELIMINATION = "elimination", "风险消除"

    class Channel(models.TextChoices):
        SELF_APPLICATION = "self_application", "农户自主申报"
        CADRE_VISIT = "cadre_visit", "干部走访排查"
        DEPARTMENT_WARNING = "department_warning", "部门筛查预警"
        DISASTER_LIST = "disaster_list", "受灾户名单（绿色通道）"

    class State(models.TextChoices):
        VILLAGE = "village", "待村级评议"
        NOTICE = "notice", "公示中"
        TOWNSHIP = "township", "待乡镇审核"
        COUNTY = "county", "待县级审定"
        DONE = "done", "已通过"
        DECLINED = "declined", "未通过"

    class GreenCause(models.TextChoices):
        DISASTER = "disaster", "自然灾害"
        EPIDEMIC = "epidemic", "疫情"
        MAJOR_CHANGE = "major_change", "家庭突发重大变故"

    kind = models.CharField("类别", max_length=16, choices=Kind.choices)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="cases",
                                  verbose_name="户")
    channel = models.CharField("识别渠道", max_length=24, choices=Channel.choices, blank=True)
    monitor_type = models.CharField("拟纳入类型", max_length=16, blank=True)
    risk_causes = models.TextField("致贫返贫风险 / 风险消除情况")
    green = models.BooleanField("绿色通道（先纳入后履行程序）", default=False)
    green_cause = models.CharField("绿色通道原因", max_length=16, choices=GreenCause.choices, blank=True)
    state = models.CharField("状态", max_length=16, choices=State.choices, default=State.VILLAGE)
    prior_category = models.CharField("纳入前户类别", max_length=16, blank=True, help_text="绿色通道未通过时恢复")
    appraisal_date = models.DateField("民主评议日期", null=True)
    appraisal_attendance = models.PositiveIntegerField("参加评议人数", null=True)
    appraisal_record = models.TextField("民主评议记录", blank=True)
    notice_start = models.DateField("公示开始", null=True)
    notice_end = models.DateField("公示截止", null=True)
    due = models.DateField("当前环节期限", null=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  verbose_name="发起人")
    opened_at = models.DateTimeField("发起时间", auto_now_add=True)
    closed_at = models.DateTimeField("办结时间", null=True)
    version = models.PositiveIntegerField("版本", default=0)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", verbose_name="正在审核")
    locked_at = models.DateTimeField("审核锁定时间", null=True)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name="经办人",
                                 help_text="本环节由同级同事移交给的经办人；环节变化后清空")

    class Meta:
        verbose_name = "识别/消除案件"
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["due", "id"], name="case_by_due")]  # the work queues: the most urgent first
        constraints = [models.UniqueConstraint(
            fields=["household", "kind"], condition=~models.Q(state__in=["done", "declined"]),
            name="one_open_case_per_household_kind")]

    @property
    def is_open(self) -> bool:
        return self.state not in (self.State.DONE, self.State.DECLINED)

    def get_monitor_type_display(self) -> str:
        from fangpin.registry.choices import MonitorType

        return dict(MonitorType.choices).get(self.monitor_type, self.monitor_type)


class Transition(models.Model):
    """Every state change of a case: who, when, from, to, why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField("操作", max_length=24)
    level = models.CharField("层级", max_length=16)
    from_state = models.CharField("原状态", max_length=16, blank=True)
    to_state = models.CharField("新状态", max_length=16)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name="操作人")
    at = models.DateTimeField("时间", auto_now_add=True)
    reason = models.TextField("意见 / 理由", blank=True)

    class Meta:
        ordering = ["at", "id"]

    @property
    def action_label(self) -> str:
        """The step's name as the procedure calls it (民主评议通过，开始公示 ...)."""
        from .workflow import step_for

        if self.action == "open":
            return "发起"
        if self.action == "hand_over":
            return "移交同级同事经办"
        step = step_for(self.from_state, self.action)
        return step.label if step else self.action

    @property
    def from_label(self) -> str:
        return Case.State(self.from_state).label if self.from_state in Case.State.values else self.from_state

    @property
    def to_label(self) -> str:
        return Case.State(self.to_state).label if self.to_state in Case.State.values else self.to_state


class OpenItem(models.Model):
    """A step a green-channel case skipped: to be completed by its deadline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="open_items")
    class Step(models.TextChoices):
        VILLAGE = "village", "村级民主评议和公示"
        TOWNSHIP = "township", "乡镇审核"
        COUNTY = "county", "县级审定"

    step = models.CharField("待补程序", max_length=16, choices=Step.choices)
    deadline = models.DateField("补办期限")
    done_at = models.DateTimeField("完成时间", null=True)

    class Meta:
        ordering = ["deadline", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "step"], name="one_item_per_step")]


# --- assistance ----------------------------------------------------------------------------------------------------

class Cadre(models.Model):
    """帮扶干部名册: the cadres an area can pair with its monitored households, with their unit and phone. A cadre is
    registered for a unit (a village, township or county) and may be paired with households anywhere below it."""

    org_unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="cadres",
                                 verbose_name="所属区划")
    name = models.CharField("姓名", max_length=50)
    unit = models.CharField("工作单位及职务", max_length=100)
    phone = models.CharField("联系电话", max_length=30)
    active = models.BooleanField("在册", default=True, help_text="调离、退休等不再结对的干部移出名册，已有的结对记录保留")
    history = HistoricalRecords(verbose_name="帮扶干部名册变更记录")

    class Meta:
        verbose_name = "帮扶干部"
        verbose_name_plural = "帮扶干部名册"
        ordering = ["org_unit_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org_unit", "name", "phone"], name="one_cadre_per_unit_name_phone"),
            models.CheckConstraint(condition=~models.Q(name="") & ~models.Q(unit="") & ~models.Q(phone=""),
                                   name="cadre_name_unit_phone_given"),
        ]
        indexes = [models.Index(fields=["org_unit", "name", "id"], name="cadre_by_unit_name")]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}，{self.phone}）"


class ContactCadre(models.Model):
    """帮扶联系人: one current per monitored household; ended only by a replacement or after risk elimination. The
    name, unit and phone are copied from the roster when paired, so the record shows who was paired then."""

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="contact_cadres",
                                  verbose_name="户")
    cadre = models.ForeignKey(Cadre, on_delete=models.PROTECT, null=True, blank=True, related_name="pairings",
                              verbose_name="名册中的干部", help_text="名册建立之前的结对记录为空")
    name = models.CharField("姓名", max_length=50)
    unit = models.CharField("工作单位及职务", max_length=100)
    phone = models.CharField("联系电话", max_length=30)
    since = models.DateField("结对日期")
    until = models.DateField("结束日期", null=True, blank=True)
    end_reason = models.CharField("结束原因", max_length=100, blank=True)
    history = HistoricalRecords(verbose_name="帮扶联系人变更记录")

    class Meta:
        verbose_name = "帮扶联系人"
        ordering = ["-since", "-id"]
        constraints = [models.UniqueConstraint(fields=["household"], condition=models.Q(until__isnull=True),
                                               name="one_current_cadre")]


class Measure(models.Model):
    """帮扶措施 of the household plan (一户一策), optionally tied to a benefit the policy engine says it is owed."""

    class Kind(models.TextChoices):
        INDUSTRY = "industry", "产业帮扶"
        EMPLOYMENT = "employment", "就业帮扶"
        FINANCE = "finance", "金融（小额信贷）帮扶"
        SOCIAL_ASSISTANCE = "social_assistance", "社会救助兜底"
        EDUCATION = "education", "教育帮扶"
        MEDICAL = "medical", "健康（医疗）帮扶"
        HOUSING = "housing", "住房安全保障"
        WATER = "water", "饮水安全保障"
        INCOME = "income", "增收措施"
        OTHER = "other", "其他"

    class Status(models.TextChoices):
        PLANNED = "planned", "计划中"
        IN_PROGRESS = "in_progress", "实施中"
        DONE = "done", "已完成"

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="measures",
                                  verbose_name="户")
    kind = models.CharField("措施类别", max_length=24, choices=Kind.choices)
    description = models.TextField("措施内容")
    status = models.CharField("落实情况", max_length=16, choices=Status.choices, default=Status.PLANNED)
    start = models.DateField("开始日期")
    end = models.DateField("完成日期", null=True, blank=True)
    benefit = models.CharField("对应政策", max_length=120, blank=True, help_text="文件编号:政策编号，来自可享政策")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords(verbose_name="帮扶措施变更记录")

    class Meta:
        verbose_name = "帮扶措施"
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["start", "id"], name="measure_by_start")]  # the measures list's order

    @property
    def benefit_label(self) -> str:
        """The policy the measure carries out, as people cite it: 务工就业交通补贴（双发〔2022〕67号第10条）."""
        if not self.benefit:
            return ""
        from fangpin.policies.catalog import load_catalog

        doc_id, _, benefit_id = self.benefit.partition(":")
        doc = load_catalog().get(doc_id)
        b = next((x for x in doc.benefits if x.id == benefit_id), None) if doc else None
        return f"{b.name}（{doc.number}第{b.clause}条）" if b else "（政策目录中已无此项）"


class MonitoringTally(models.Model):
    """The workbench's and the overview's counts per village, kept current by every write (monitoring/tallies.py):
    monitored households by type, whose risk is or is not eliminated; those without a current contact cadre or
    without measures; open warnings per deadline; cases under way per stage and due date; households per income band
    and year. Overdue counts are the rows dated before today, so a date-dependent figure still needs no recount of the
    villages' households."""

    class Measure(models.TextChoices):
        MONITORED = "monitored", "监测户（风险未消除）"
        ELIMINATED = "eliminated", "监测户（风险已消除）"
        NO_CADRE = "no_cadre", "无帮扶联系人"
        NO_MEASURES = "no_measures", "无帮扶措施"
        WARNINGS = "warnings", "待核实预警"
        CASES = "cases", "办理中案件"
        BANDS = "bands", "收入分档"

    village = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="monitoring_tallies",
                                verbose_name="村")
    measure = models.CharField("统计项", max_length=16, choices=Measure.choices)
    key = models.CharField("分项", max_length=24, blank=True, default="",
                           help_text="监测户的监测对象类型、案件的环节、收入分档的“年度:分档”；其他统计项为空")
    due = models.DateField("期限", null=True, help_text="预警的核实期限、案件当前环节的期限；其他统计项为空")
    n = models.PositiveIntegerField("数量")

    class Meta:
        verbose_name = "村监测统计"
        verbose_name_plural = "村监测统计"
        constraints = [
            models.UniqueConstraint(fields=["village", "measure", "key"], condition=models.Q(due__isnull=True),
                                    name="monitoring_tally_one_per_measure"),
            models.UniqueConstraint(fields=["village", "measure", "key", "due"], condition=models.Q(due__isnull=False),
                                    name="monitoring_tally_one_per_measure_and_due"),
        ]


# --- disasters and epidemics (湖南十条 一、五; 陇县: 因灾因疫……可先纳入后履行其他程序) ------------------------------------

class DisasterEvent(models.Model):
    """灾害事件: a disaster or epidemic a county records, with the villages it hit (AffectedVillage) and the households
    (AffectedHousehold) the county enrolls in bulk through the green channel."""

    class Kind(models.TextChoices):
        FLOOD = "flood", "洪涝"
        DROUGHT = "drought", "干旱"
        HAIL = "hail", "冰雹"
        FROST = "frost", "低温冻害"
        EARTHQUAKE = "earthquake", "地震"
        GEOLOGICAL = "geological", "地质灾害"
        FIRE = "fire", "火灾"
        EPIDEMIC = "epidemic", "疫情"
        OTHER = "other", "其他"

    code = models.CharField("事件编号", max_length=40, unique=True)
    county = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="县")
    name = models.CharField("事件名称", max_length=100)
    kind = models.CharField("灾害种类", max_length=16, choices=Kind.choices)
    start = models.DateField("开始日期")
    end = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("灾情概述", max_length=500, blank=True)
    # the bulk enrollment runs in the background (a county's list may have thousands): when it started, and the last
    # run's end and outcome, shown on the event's page
    enrolling_since = models.DateTimeField("批量纳入开始时间", null=True, blank=True, editable=False)
    enrolled_at = models.DateTimeField("上次批量纳入完成时间", null=True, blank=True, editable=False)
    enroll_summary = models.CharField("上次批量纳入结果", max_length=300, blank=True, editable=False)
    history = HistoricalRecords(verbose_name="灾害事件变更记录", user_db_constraint=False,
                                excluded_fields=["enrolling_since", "enrolled_at", "enroll_summary"])

    class Meta:
        verbose_name = "灾害事件"
        verbose_name_plural = "灾害事件"
        ordering = ["-start", "code"]
        constraints = [models.CheckConstraint(condition=models.Q(end__isnull=True) | models.Q(end__gte=models.F("start")),
                                              name="disaster_ends_after_start")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def green_cause(self) -> str:
        return Case.GreenCause.EPIDEMIC if self.kind == self.Kind.EPIDEMIC else Case.GreenCause.DISASTER


class AffectedVillage(models.Model):
    """A village the event hit."""

    event = models.ForeignKey(DisasterEvent, on_delete=models.CASCADE, related_name="villages", verbose_name="灾害事件")
    village = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="村")
    history = HistoricalRecords(verbose_name="受灾村变更记录", user_db_constraint=False)

    class Meta:
        verbose_name = "受灾村"
        verbose_name_plural = "受灾村"
        ordering = ["event", "village"]
        constraints = [models.UniqueConstraint(fields=["event", "village"], name="one_row_per_event_village")]

    def __str__(self) -> str:
        return f"{self.event.name}：{self.village.name}"


class AffectedHousehold(models.Model):
    """A household the event hit, with its loss; `case` is the green-channel enrollment it got (or the case it already
    had), set by the bulk enrollment."""

    event = models.ForeignKey(DisasterEvent, on_delete=models.CASCADE, related_name="households",
                              verbose_name="灾害事件")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="disasters",
                                  verbose_name="户")
    loss = models.BigIntegerField("直接经济损失（分）", null=True, blank=True)
    situation = models.CharField("受灾情况", max_length=300, blank=True)
    case = models.ForeignKey(Case, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name="识别纳入案件")
    outcome = models.CharField("批量纳入结果", max_length=100, blank=True)
    history = HistoricalRecords(verbose_name="受灾户变更记录", user_db_constraint=False)

    class Meta:
        verbose_name = "受灾户"
        verbose_name_plural = "受灾户"
        ordering = ["event", "household"]
        constraints = [models.UniqueConstraint(fields=["event", "household"], name="one_row_per_event_household"),
                       models.CheckConstraint(condition=models.Q(loss__isnull=True) | models.Q(loss__gte=0),
                                              name="affected_loss_not_negative")]

    def __str__(self) -> str:
        return f"{self.event.name}：户{self.household.number}"


# --- linkage with civil affairs (湖南十条 五: 加强防返贫监测对象与民政对象衔接) ----------------------------------------

class Referral(models.Model):
    """转介: a monitored household the county refers to civil affairs for 低保, 特困供养 or 临时救助 (the rules in
    rules.yaml, `referrals`), with civil affairs' answer as the county imports it back. One per household, kind and
    year: the code says which."""

    class Kind(models.TextChoices):
        DIBAO = "dibao", "农村低保"
        TEKUN = "tekun", "特困供养"
        TEMPORARY = "temporary", "临时救助"

    class Result(models.TextChoices):
        GRANTED = "granted", "已纳入"
        REFUSED = "refused", "不符合条件未纳入"
        IN_PROGRESS = "in_progress", "审核中"

    code = models.CharField("转介编号", max_length=40, unique=True)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="referrals",
                                  verbose_name="户")
    kind = models.CharField("转介事项", max_length=16, choices=Kind.choices)
    reason = models.CharField("转介原因", max_length=500)
    referred_on = models.DateField("转介日期")
    result = models.CharField("民政反馈结果", max_length=16, choices=Result.choices, blank=True)
    decided_on = models.DateField("反馈日期", null=True, blank=True)
    note = models.CharField("反馈说明", max_length=300, blank=True)
    history = HistoricalRecords(verbose_name="民政转介变更记录", user_db_constraint=False)

    class Meta:
        verbose_name = "民政转介"
        verbose_name_plural = "民政转介"
        ordering = ["-referred_on", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(result__in=["", "in_progress"]) | models.Q(decided_on__isnull=False),
                name="referral_decided_has_date"),
            models.CheckConstraint(condition=models.Q(decided_on__isnull=True)
                                   | models.Q(decided_on__gte=models.F("referred_on")),
                                   name="referral_decided_after_referred"),
        ]

    def __str__(self) -> str:
        return f"{self.code}（{self.get_kind_display()}）"


class ProcedureParameter(models.Model):
    """A county's own value of a monitoring parameter from a date on (监测参数): the procedure's days, a warning rule's
    threshold or days to verify. Without one, rules.yaml's value applies (monitoring/parameters.py)."""

    county = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="县")
    key = models.CharField("参数", max_length=64)
    valid_from = models.DateField("起始日期")
    value = models.DecimalField("取值", max_digits=12, decimal_places=2)
    reason = models.CharField("调整依据", max_length=200)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="设置人")
    changed_at = models.DateTimeField("设置时间", auto_now=True)
    history = HistoricalRecords(verbose_name="监测参数变更记录")

    class Meta:
        verbose_name = "监测参数"
        verbose_name_plural = "监测参数"
        ordering = ["county", "key", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["county", "key", "valid_from"], name="one_parameter_value_per_date"),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="parameter_value_positive"),
        ]


# --- the three guarantees and safe drinking water (两不愁三保障和饮水安全, 湖南十条 五: 突出问题动态清零) ---------------

class GuaranteeProblem(models.Model):
    """A problem of compulsory education, basic medical insurance, housing safety or drinking water found in a household
    (by a department's data or the village), the measure taken and the day it was cleared. A household is 清零 for a
    guarantee when none of its problems of that kind is open."""

    class Kind(models.TextChoices):
        EDUCATION = "education", "义务教育"
        MEDICAL = "medical", "基本医疗保险"
        HOUSING = "housing", "住房安全"
        WATER = "water", "饮水安全"

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="guarantee_problems",
                                  verbose_name="户")
    person = models.ForeignKey("registry.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                               verbose_name="涉及成员")
    kind = models.CharField("保障类别", max_length=16, choices=Kind.choices)
    description = models.CharField("问题", max_length=300)
    found_on = models.DateField("发现日期")
    source = models.CharField("来源", max_length=100, help_text="部门数据（文件）或村级排查")
    measure = models.CharField("采取的措施", max_length=300, blank=True)
    cleared_on = models.DateField("清零日期", null=True, blank=True)
    cleared_note = models.CharField("清零依据", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   verbose_name="登记人")
    history = HistoricalRecords(verbose_name="三保障问题变更记录")

    class Meta:
        verbose_name = "两不愁三保障和饮水安全问题"
        verbose_name_plural = "两不愁三保障和饮水安全问题"
        ordering = ["-found_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(cleared_on__isnull=True)
                                   | models.Q(cleared_on__gte=models.F("found_on")), name="guarantee_cleared_after_found"),
        ]
        indexes = [models.Index(fields=["found_on", "id"], name="guarantee_by_found"),
                   models.Index(fields=["household", "kind"], condition=models.Q(cleared_on__isnull=True),
                                name="guarantee_open_by_household")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.description}"


# --- relocation sites (易地扶贫搬迁集中安置点, 湖南十条 六: 跟踪监测搬迁后扶政策落实情况) -------------------------------------

class RelocationSite(models.Model):
    """易地扶贫搬迁集中安置点: where relocated households live now, followed up by the county."""

    code = models.CharField("安置点编号", max_length=40, unique=True)
    place = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, related_name="+", verbose_name="所在区划")
    name = models.CharField("安置点名称", max_length=100)
    completed_on = models.DateField("建成日期", null=True, blank=True)
    capacity = models.PositiveIntegerField("设计安置户数", null=True, blank=True)
    history = HistoricalRecords(verbose_name="安置点变更记录", user_db_constraint=False)

    class Meta:
        verbose_name = "易地扶贫搬迁集中安置点"
        verbose_name_plural = "易地扶贫搬迁集中安置点"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class RelocatedHousehold(models.Model):
    """A household relocated to a centralized site: the site and the day it moved in (one site per household)."""

    site = models.ForeignKey(RelocationSite, on_delete=models.PROTECT, related_name="households", verbose_name="安置点")
    household = models.OneToOneField("registry.Household", on_delete=models.CASCADE, related_name="relocation",
                                     verbose_name="户")
    relocated_on = models.DateField("搬迁入住日期")
    moved_from = models.ForeignKey("orgunits.OrgUnit", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", verbose_name="迁出村")
    history = HistoricalRecords(verbose_name="搬迁户变更记录", user_db_constraint=False)

    class Meta:
        verbose_name = "易地扶贫搬迁户"
        verbose_name_plural = "易地扶贫搬迁户"
        ordering = ["site", "household"]

    def __str__(self) -> str:
        return f"{self.site.name}：户{self.household.number}"
