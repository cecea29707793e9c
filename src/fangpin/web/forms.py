from django import forms

from fangpin.registry.choices import EnterpriseKind
from fangpin.registry.models import Household, Member


class HouseholdForm(forms.ModelForm):
    class Meta:
        model = Household
        fields = ["category", "monitor_type", "lifted_year", "dibao", "address", "phone",
                  "contracted_land_mu", "grain_area_mu", "courtyard_economy"]


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["name", "relation", "labor_capacity", "disability_grade", "tekun", "school_stage",
                  "training_willing", "phone"]
        widgets = {"disability_grade": forms.Select(choices=[(None, "非残疾"), (1, "一级"), (2, "二级"), (3, "三级"), (4, "四级")])}


class NewMemberForm(MemberForm):
    id_number = forms.CharField(label="身份证号", max_length=18, min_length=18)

    class Meta(MemberForm.Meta):
        fields = ["id_number", *MemberForm.Meta.fields]


class NewHouseholdForm(HouseholdForm):
    village = forms.ChoiceField(label="所在村")

    def __init__(self, *args, villages=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].choices = [(v.code, f"{v.parent.name if v.parent else ''}{v.name}（{v.code}）") for v in villages]
        self.order_fields(["village"])


class ImportForm(forms.Form):
    file = forms.FileField(label="选择文件（Excel 工作簿或交换格式 JSON）")


class SearchForm(forms.Form):
    q = forms.CharField(label="姓名 / 身份证号 / 户编号 / 村名", required=False)
    village = forms.ChoiceField(label="村", required=False)
    category = forms.ChoiceField(label="户类别", required=False)


class EnterpriseSearchForm(forms.Form):
    q = forms.CharField(label="名称 / 统一社会信用代码", required=False)
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部"), *EnterpriseKind.choices])


class ParameterValueForm(forms.Form):
    key = forms.ChoiceField(label="参数")
    valid_from = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))
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
    reason = forms.CharField(label="依据", max_length=200)
