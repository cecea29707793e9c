"""公益岗位台账 in the exchange format: two sheets, 岗位 and 在岗人员 (docs/ledgers.md)."""
from __future__ import annotations

from fangpin.exchange.spec import Field, Sheet
from fangpin.ledgers.base import Binding, Ledger, Ref
from fangpin.lib import divisions
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.models import Member

from .choices import FundingSource, PostKind
from .models import Post, PostHolder

POSTS = Sheet(
    "employment_posts", "岗位",
    (
        Field("code", "岗位编号", "string", True, max_length=40),
        Field("village_code", "所在村", "place", True,
              description="Excel：导入者管辖范围内的村名（如 双碾村，同名村写明乡镇：双碾乡双碾村），或12位村级区划代码；"
                          "JSON：12位村级区划代码"),
        Field("name", "岗位名称", "string", True, max_length=100, description="如 保洁员、护路员、养老护理员"),
        Field("kind", "岗位类别", "enum", True, PostKind,
              description="村级公益岗位（光伏收益等集体收入设置，双发〔2022〕67号第13条）计入脱贫户、监测户、"
                          "残疾人家庭劳动力占比"),
        Field("funding", "资金来源", "enum", True, FundingSource),
        Field("monthly_wage", "月工资", "money", True),
        Field("created_on", "设立日期", "date", True),
        Field("abolished_on", "撤销日期", "date", description="岗位撤销的日期，未撤销的留空"),
    ),
    "每个公益岗位一行；按岗位编号新增或更新",
    ("code",),
)

HOLDERS = Sheet(
    "employment_post_holders", "在岗人员",
    (
        Field("post_code", "岗位编号", "string", True, max_length=40),
        Field("id_number", "身份证号", "id_number", True, description="户籍信息中登记的本辖区家庭成员"),
        Field("started_on", "上岗日期", "date", True),
        Field("ended_on", "离岗日期", "date", description="仍在岗的留空"),
        Field("monthly_wage", "月工资", "money", description="与岗位月工资不同时填写"),
    ),
    "每人每次上岗一行；导入时，文件中出现的岗位的在岗人员记录整体替换",
    ("post_code",),
)


def _post_problems(row: dict, today) -> list[tuple[str, str]]:
    out = []
    code = row.get("village_code")
    if divisions.is_code(code) and divisions.level_of(code) != "village":  # a name not found is reported already
        out.append(("village_code", "公益岗位应登记到村：请填写村名或12位村级区划代码"))
    created, abolished = row.get("created_on"), row.get("abolished_on")
    if created and created > today:
        out.append(("created_on", "“设立日期”不能晚于今天"))
    if created and abolished and abolished < created:
        out.append(("abolished_on", f"“撤销日期”不能早于“设立日期”（{created:%Y-%m-%d}）"))
    return out


def _holder_problems(row: dict, today) -> list[tuple[str, str]]:
    out = []
    started, ended = row.get("started_on"), row.get("ended_on")
    if started and started > today:
        out.append(("started_on", "“上岗日期”不能晚于今天"))
    if started and ended and ended < started:
        out.append(("ended_on", f"“离岗日期”不能早于“上岗日期”（{started:%Y-%m-%d}）"))
    return out


POST = Ref("post", Post, "code", sheet=POSTS.key, area="village_id", missing="岗位编号“{}”在文件和系统中都没有登记")
PERSON = Ref("member", Member, "id_number", area="household__village_id", within_area=True,
             missing="身份证号“{}”在户籍信息中没有登记")
PLACE = Ref("village", OrgUnit, "code")

LEDGER = Ledger(
    key="posts",
    title="公益岗位台账",
    description="各村公益岗位（类别、资金来源、月工资、设立和撤销日期）及其在岗人员（户籍信息中的家庭成员）",
    bindings=(
        Binding(POSTS, Post, area="village_code", refs={"village_code": PLACE}, order=("village_id", "code"),
                problems=_post_problems),
        Binding(HOLDERS, PostHolder, area="post_code", refs={"post_code": POST, "id_number": PERSON}, mode="replace",
                parent="post_code", unique=("post_code", "id_number", "started_on"),
                order=("post__code", "started_on", "pk"), problems=_holder_problems),
    ),
    checks="checks.yaml",
)
