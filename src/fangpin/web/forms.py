from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone

from fangpin.exchange import bounded
from fangpin.monitoring.models import Case, GuaranteeProblem, Measure
from fangpin.registry.choices import Category, EnterpriseKind, MonitorType
from fangpin.registry.models import Household, Member


# A browser's date field takes and gives ISO dates whatever the page's language (zh-Hans would print 2025/12/31,
# which the field shows as empty).
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HouseholdForm(forms.ModelForm):
    """A household's own facts. Whether it is monitored, and as what, only the procedure decides (识别纳入, 风险消除):
    the form never offers 监测户, and shows a monitored household's category and type without letting them change."""

    class Meta:
        model = Household
        fields = ["category", "monitor_type", "lifted_year", "dibao", "address", "phone",
                  "contracted_land_mu", "grain_area_mu", "courtyard_economy", "industry_project"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.category == Category.MONITORED:
            for name in ("category", "monitor_type"):
                self.fields[name].disabled = True
            self.fields["category"].help_text = "监测户的纳入、类型和风险消除通过“监测帮扶”页的识别纳入、风险消除程序办理"
        else:
            self.fields["category"].choices = [c for c in self.fields["category"].choices if c[0] != Category.MONITORED]
            self.fields["category"].help_text = "纳入监测户请在“监测帮扶”页发起识别纳入"
            del self.fields["monitor_type"]


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["name", "relation", "labor_capacity", "disability_grade", "tekun", "school_stage",
                  "training_willing", "serious_illness", "phone"]
        widgets = {"disability_grade": forms.Select(choices=[(None, "非残疾"), (1, "一级"), (2, "二级"), (3, "三级"), (4, "四级")])}


class NewMemberForm(MemberForm):
    id_number = forms.CharField(label="身份证号", max_length=18, min_length=18)

    class Meta(MemberForm.Meta):
        fields = ["id_number", *MemberForm.Meta.fields]


class NewHouseholdForm(HouseholdForm):
    village = forms.ChoiceField(label="所在村")

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(v.code, f"{v.parent.name if v.parent else ''}{v.name}") for v in villages]
        self.order_fields(["village"])


class BoundedFileField(forms.FileField):
    """An upload stopped at the size limit (fangpin.exchange.bounded) is this field's error, in Chinese."""

    def clean(self, data, initial=None):
        message = bounded.refusal(data)
        if message:
            raise forms.ValidationError(message, code="too_large")
        return super().clean(data, initial)


class ImportForm(forms.Form):
    file = BoundedFileField(label="选择文件（Excel 工作簿或交换格式 JSON）")


class AreaForm(forms.Form):
    """The division picker of a list (choices set by the view: the user's counties when there are several, the
    townships, then the chosen one's villages)."""
    county = forms.ChoiceField(label="县（市、区）", required=False)
    township = forms.ChoiceField(label="乡镇", required=False)
    village = forms.ChoiceField(label="村", required=False)


class SearchForm(AreaForm):
    q = forms.CharField(label="姓名 / 身份证号 / 户编号 / 村名", required=False,
                        help_text="姓名输入一两个字时按开头查找（如姓氏），三个字以上时按包含查找")
    category = forms.ChoiceField(label="户类别", required=False)
    monitor_type = forms.ChoiceField(label="监测对象类型", required=False)
    stage = forms.ChoiceField(label="监测状态", required=False, choices=[
        ("", "全部"), ("at_risk", "风险未消除"), ("eliminated", "风险已消除"),
        ("no_cadre", "风险未消除且无帮扶联系人"), ("no_measures", "风险未消除且无帮扶措施")])
    field_order = ["q", "county", "township", "village", "category", "monitor_type", "stage"]


class SimulateForm(AreaForm):
    key = forms.ChoiceField(label="调整的参数")
    value = forms.CharField(label="模拟取值", max_length=32, help_text="金额以元计；比例写成 1/2 或 0.5")
    as_of = forms.DateField(label="计算日期", widget=DATE)
    field_order = ["key", "value", "as_of", "township", "village"]


class AuditForm(AreaForm):
    source = forms.ChoiceField(label="发放记录来源", choices=[("file", "上传的发放记录"), ("ledger", "本系统的发放台账")],
                               initial="file", required=False)
    payments = BoundedFileField(label="发放记录（Excel 的“发放记录”工作表，或交换格式 JSON）", required=False)
    as_of = forms.DateField(label="审计日期", widget=DATE, help_text="按该日有效的政策和登记信息计算应享，审计该年度的发放")
    field_order = ["source", "payments", "as_of", "township", "village"]

    def clean(self):
        data = super().clean()
        data["source"] = data.get("source") or "file"
        if data["source"] == "file" and not data.get("payments"):
            self.add_error("payments", "请上传发放记录，或选择本系统的发放台账")
        return data


class MeasureFilterForm(AreaForm):
    kind = forms.ChoiceField(label="措施类别", required=False)
    status = forms.ChoiceField(label="落实情况", required=False)


class GuaranteeFilterForm(AreaForm):
    kind = forms.ChoiceField(label="保障类别", required=False)
    status = forms.ChoiceField(label="状态", required=False)


class RelocationFilterForm(AreaForm):
    year = forms.IntegerField(label="年度", min_value=2016, max_value=2100, required=False)
    work = forms.ChoiceField(label="就业情况", required=False)
    field_order = ["year", "county", "township", "village", "work"]


class WarningFilterForm(AreaForm):
    status = forms.ChoiceField(label="状态", required=False)
    risk = forms.ChoiceField(label="风险类别", required=False)


class IncomeFlagFilterForm(AreaForm):
    year = forms.IntegerField(label="年度", min_value=2000, required=False)
    flag = forms.ChoiceField(label="情形", required=False)
    field_order = ["year", "county", "township", "village", "flag"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].max_value = timezone.localdate().year
        self.fields["year"].validators.append(MaxValueValidator(timezone.localdate().year))

    def clean(self):
        data = super().clean()
        if not data.get("year"):  # none given, or not a year the accounting covers: last year, and the file says so
            data["year"] = timezone.localdate().year - 1
        return data


class CaseFilterForm(AreaForm):
    state = forms.ChoiceField(label="环节", required=False)
    kind = forms.ChoiceField(label="类别", required=False)


class EnterpriseSearchForm(forms.Form):
    q = forms.CharField(label="名称 / 统一社会信用代码", required=False)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *EnterpriseKind.choices])


class ParameterValueForm(forms.Form):
    key = forms.ChoiceField(label="参数")
    valid_from = forms.DateField(label="起始日期", widget=DATE)
    value = forms.CharField(label="取值", max_length=32, help_text="金额以元计；比例写成 1/2 或 0.5")
    reason = forms.CharField(label="调整依据", max_length=200, help_text="文件文号、会议纪要等")

    def __init__(self, *args, parameters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = [(p.key, p.label) for p in parameters]


class MonitoringLineForm(forms.Form):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    line = forms.DecimalField(label="监测标准（元/人·年）", max_digits=10, decimal_places=2)
    edge_factor = forms.DecimalField(label="边缘系数", max_digits=4, decimal_places=2, initial="1.5")
    sharp_fall = forms.DecimalField(label="大幅下降比例", max_digits=4, decimal_places=2, initial="0.3")
    dibao = forms.DecimalField(label="农村低保标准（元/人·年，可不填）", max_digits=10, decimal_places=2, required=False)
    reason = forms.CharField(label="依据", max_length=200)


# --- monitoring ----------------------------------------------------------------------------------------------------



class FeedUploadForm(forms.Form):
    feed = forms.ChoiceField(label="部门数据")
    file = BoundedFileField(label="文件（CSV、Excel 或 Parquet）")
    month = forms.CharField(label="数据月份（月度增量填写，如 2026-03；全量数据留空）", required=False, max_length=7)

    def clean_month(self):
        import datetime as dt
        import re

        text = (self.cleaned_data.get("month") or "").strip()
        if not text:
            return None
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 2000:
            raise forms.ValidationError("数据月份应写作 2026-03")
        return dt.date(int(m.group(1)), int(m.group(2)), 1)

    def __init__(self, *args, feeds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["feed"].choices = [(f.key, f"{f.department}：{f.label}") for f in feeds]


class VerifyForm(forms.Form):
    at_risk = forms.TypedChoiceField(label="核实结论", choices=[("1", "有返贫致贫风险"), ("0", "无风险")],
                                     coerce=lambda v: v == "1", widget=forms.RadioSelect)
    note = forms.CharField(label="入户核实情况", widget=forms.Textarea(attrs={"rows": 3}))
    monitor_type = forms.ChoiceField(label="拟纳入类型（有风险时）", required=False,
                                     choices=[("", "—")] + list(MonitorType.choices))

    def __init__(self, *args, income_fall: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if income_fall:  # 湖南十条 二: a household whose income fell gets 增收措施 in its plan
            self.fields["income_measure"] = forms.CharField(
                label="增收措施（收入下降，一户一策；核实有风险时必填）", required=False,
                widget=forms.Textarea(attrs={"rows": 2}))


class OpenCaseForm(forms.Form):
    channel = forms.ChoiceField(label="识别渠道", choices=[c for c in Case.Channel.choices
                                                         if c[0] != Case.Channel.DEPARTMENT_WARNING])
    monitor_type = forms.ChoiceField(label="拟纳入类型", choices=MonitorType.choices)
    risk_causes = forms.CharField(label="致贫返贫风险", widget=forms.Textarea(attrs={"rows": 2}))
    green_cause = forms.ChoiceField(label="绿色通道（先纳入后履行程序）", required=False,
                                    choices=[("", "否：按程序办理")] + list(Case.GreenCause.choices))


class EliminationForm(forms.Form):
    risk_causes = forms.CharField(label="风险消除情况", widget=forms.Textarea(attrs={"rows": 2}))


class AppraisalForm(forms.Form):
    appraisal_date = forms.DateField(label="民主评议日期", widget=DATE)
    appraisal_attendance = forms.IntegerField(label="参加评议人数", min_value=1)
    appraisal_record = forms.CharField(label="民主评议记录", widget=forms.Textarea(attrs={"rows": 3}))


class CadreForm(forms.Form):
    """Pair a household with a cadre of the roster (choices: the roster of its village and the units above)."""
    cadre = forms.TypedChoiceField(label="帮扶联系人", coerce=int, empty_value=None,
                                   help_text="从帮扶干部名册中选择；名册中没有的，先到“帮扶干部名册”登记")
    since = forms.DateField(label="结对日期", widget=DATE)

    def __init__(self, *args, cadres=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cadre"].choices = [("", "—")] + [
            (c.pk, f"{c.name}（{c.unit}，{c.phone}）· {c.org_unit.name}名册") for c in cadres]


class CadreFilterForm(AreaForm):
    active = forms.ChoiceField(label="名册状态", required=False,
                               choices=[("", "全部"), ("1", "在册"), ("0", "已移出名册")])


class CadreAddForm(forms.Form):
    org_unit = forms.ChoiceField(label="登记到", help_text="干部可与该区划及其下各村的监测户结对")
    name = forms.CharField(label="姓名", max_length=50)
    unit = forms.CharField(label="工作单位及职务", max_length=100)
    phone = forms.CharField(label="联系电话", max_length=30)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].choices = list(units)


class CadreEditForm(forms.Form):
    unit = forms.CharField(label="工作单位及职务", max_length=100)
    phone = forms.CharField(label="联系电话", max_length=30)
    active = forms.BooleanField(label="在册", required=False, help_text="取消勾选即移出名册，已有结对记录保留")
    reason = forms.CharField(label="变更原因", max_length=100, required=False)


class MeasureForm(forms.Form):
    kind = forms.ChoiceField(label="措施类别", choices=Measure.Kind.choices)
    description = forms.CharField(label="措施内容", widget=forms.Textarea(attrs={"rows": 2}))
    status = forms.ChoiceField(label="落实情况", choices=Measure.Status.choices)
    start = forms.DateField(label="开始日期", widget=DATE)
    end = forms.DateField(label="完成日期", required=False, widget=DATE)
    benefit = forms.ChoiceField(label="对应政策（可享政策）", required=False)

    def __init__(self, *args, benefits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benefit"].choices = [("", "—")] + list(benefits)


class MeasureStatusForm(forms.Form):
    status = forms.ChoiceField(label="落实情况", choices=Measure.Status.choices)
    end = forms.DateField(label="完成日期", required=False, widget=DATE)


class PayeeAccountForm(forms.Form):
    """收款账户 of a member: the holder is the member, or a proxy named with the relation and the reason."""
    member = forms.TypedChoiceField(label="家庭成员", coerce=int)
    kind = forms.ChoiceField(label="账户类型")
    bank = forms.CharField(label="开户银行", max_length=60)
    account_number = forms.CharField(label="账号", max_length=40, help_text="银行卡、社保卡核对卡号校验位；一卡通存折账号8至30位")
    holder = forms.CharField(label="户名", max_length=50, help_text="与本人姓名不同时为代领，须填写下面两项")
    proxy_relation = forms.CharField(label="代领人与本人关系", max_length=20, required=False)
    proxy_reason = forms.CharField(label="代领原因", max_length=100, required=False)
    since = forms.DateField(label="启用日期", widget=DATE)

    def __init__(self, *args, members=(), **kwargs):
        from fangpin.payments.models import PayeeAccount

        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.name) for m in members]
        self.fields["kind"].choices = PayeeAccount.Kind.choices


class EnterpriseAccountForm(forms.Form):
    """对公账户 of an enterprise, held in its name."""
    bank = forms.CharField(label="开户银行", max_length=60)
    account_number = forms.CharField(label="账号", max_length=40)
    holder = forms.CharField(label="户名", max_length=200, help_text="应与经营主体名称一致")
    since = forms.DateField(label="启用日期", widget=DATE)


# --- 政策兑现 ----------------------------------------------------------------------------------------------------------

class RoundFilterForm(AreaForm):
    state = forms.ChoiceField(label="状态", required=False)


class RoundRowFilterForm(AreaForm):
    round = forms.IntegerField(widget=forms.HiddenInput, required=True)
    status = forms.ChoiceField(label="状态", required=False)
    bank_status = forms.ChoiceField(label="发放状态", required=False)
    q = forms.CharField(label="姓名", required=False, max_length=50)


class LedgerFilterForm(AreaForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
    benefit = forms.CharField(label="兑现项目", required=False, max_length=100)
    field_order = ["year", "county", "township", "village", "benefit"]


class RoundForm(forms.Form):
    title = forms.CharField(label="批次名称", max_length=100)
    document = forms.ChoiceField(label="政策文件")
    benefits = forms.MultipleChoiceField(label="兑现项目", widget=forms.CheckboxSelectMultiple,
                                         help_text="“最高不超过”的待遇按村核实、乡审核、县审定的申请兑现，须单独成批")
    as_of = forms.DateField(label="计算日期", widget=DATE, help_text="按该日有效的政策参数和该年度的登记信息计算")
    area = forms.ChoiceField(label="兑现范围")


class PartActionForm(forms.Form):
    action = forms.ChoiceField(choices=[("approve", "审核通过"), ("return", "退回")])
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label="理由", required=False, max_length=500)


class ObjectionForm(forms.Form):
    who = forms.CharField(label="异议人", max_length=50, help_text="可写“匿名”")
    text = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 2}))


class ObjectionAnswerForm(forms.Form):
    outcome = forms.ChoiceField(label="处理结果", choices=[("dismissed", "异议不成立"), ("withdrawn", "异议成立，撤回该行"),
                                                       ("corrected", "异议成立，按更正后的登记信息重算")])
    answer = forms.CharField(label="处理意见", widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", max_length=200)


class IssueForm(forms.Form):
    layout = forms.ChoiceField(label="代发文件格式")
    paid_on = forms.DateField(label="代发日期", widget=DATE)


class ReturnUploadForm(forms.Form):
    file = forms.FileField(label="银行回盘文件")


class ApplicationFilterForm(AreaForm):
    state = forms.ChoiceField(label="状态", required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several files in one field (Django's documented pattern for multiple uploads)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class YuanField(forms.DecimalField):
    """An amount typed in yuan (two decimals at most), cleaned to fen."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0.01"))
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        return None if value is None else int(value * 100)


class ApplicationForm(forms.Form):
    benefit = forms.ChoiceField(label="申请待遇")
    member = forms.ChoiceField(label="享受人", required=False, help_text="按人享受的待遇须选择家庭成员")
    asked = YuanField(label="申请金额（元）")
    purpose = forms.CharField(label="申请事项", widget=forms.Textarea(attrs={"rows": 3}),
                              help_text="项目名称、规模、验收或票据情况")
    evidence = EvidenceField(label="证明材料", help_text="验收记录、票据、合同或照片：PDF、JPEG、PNG，每个不超过10MB，最多10个")


class ApplicationActForm(forms.Form):
    action = forms.CharField()
    version = forms.IntegerField(widget=forms.HiddenInput)
    amount = YuanField(label="金额（元）", required=False)
    reason = forms.CharField(label="意见 / 理由", required=False, max_length=500)


class ParameterForm(forms.Form):
    key = forms.ChoiceField(label="参数")
    valid_from = forms.DateField(label="起始日期", widget=DATE)
    value = forms.DecimalField(label="取值（天或元）", max_digits=12, decimal_places=2)
    reason = forms.CharField(label="调整依据", max_length=200)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].choices = choices


class GuaranteeForm(forms.Form):
    kind = forms.ChoiceField(label="保障类别", choices=GuaranteeProblem.Kind.choices)
    person = forms.TypedChoiceField(label="涉及成员", required=False, coerce=int, empty_value=None)
    description = forms.CharField(label="问题", max_length=300)
    found_on = forms.DateField(label="发现日期", widget=DATE)
    measure = forms.CharField(label="采取的措施", max_length=300, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [("", "（全户）")] + [(m.pk, m.name) for m in members]


class GuaranteeUpdateForm(forms.Form):
    measure = forms.CharField(label="采取的措施", max_length=300, required=False)
    cleared_on = forms.DateField(label="清零日期", widget=DATE, required=False)
