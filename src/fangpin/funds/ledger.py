"""衔接资金项目台账 in the exchange format: three sheets, 项目库, 资金下达 and 资金支出 (docs/ledgers.md)."""
from __future__ import annotations

from fangpin.exchange.spec import YEAR, Field, Sheet
from fangpin.ledgers.base import Binding, Ledger, Ref
from fangpin.orgunits.models import OrgUnit

from .choices import FundKind, ProjectKind, ReliefMode, Source
from .models import STEPS, Allocation, Expenditure, Project

PROJECTS = Sheet(
    "fund_projects", "项目库",
    (
        Field("code", "项目编号", "string", True, max_length=40),
        Field("name", "项目名称", "string", True, max_length=200),
        Field("year", "项目年度", "integer", True, **YEAR),
        Field("division_code", "实施地点", "place", True,
              description="Excel：导入者管辖范围内的村、乡镇或县名（如 双碾村、双碾乡），或12位区划代码；JSON：12位区划代码"),
        Field("kind", "项目类别", "enum", True, ProjectKind, description="产业发展类项目的资金计入产业发展比重"),
        Field("relief_mode", "以工代赈", "enum", False, ReliefMode, description="空为“否”"),
        Field("featured_industry", "支持“一特两辅”产业", "boolean",
              description="湖南十条 四：支持省定“一特两辅”特色产业的项目填“是”；空为“否”"),
        Field("implementer", "实施单位", "string", max_length=100),
        Field("budget", "计划投资", "money"),
        Field("households", "带动脱贫户和监测户户数", "integer", minimum=0, maximum=1_000_000),
        Field("stored_on", "入库日期", "date", True),
        Field("announced_on", "公示日期", "date", description="以下各日期依次不早于前一步，未到该步的留空"),
        Field("started_on", "开工日期", "date"),
        Field("completed_on", "完工日期", "date"),
        Field("accepted_on", "验收日期", "date"),
        Field("note", "备注", "string", max_length=200),
    ),
    "每个项目一行；按项目编号新增或更新",
    ("code",),
)

ALLOCATIONS = Sheet(
    "fund_allocations", "资金下达",
    (
        Field("project_code", "项目编号", "string", True, max_length=40),
        Field("source", "资金来源", "enum", True, Source),
        Field("fund_kind", "资金类型", "enum", True, FundKind),
        Field("amount", "金额", "money", True),
        Field("allocated_on", "下达日期", "date", True),
        Field("document", "下达文号", "string", max_length=100),
    ),
    "每笔下达到项目的资金一行；导入时，文件中出现的项目的资金下达记录整体替换",
    ("project_code",),
)

EXPENDITURES = Sheet(
    "fund_expenditures", "资金支出",
    (
        Field("project_code", "项目编号", "string", True, max_length=40),
        Field("source", "资金来源", "enum", True, Source),
        Field("fund_kind", "资金类型", "enum", True, FundKind),
        Field("amount", "金额", "money", True),
        Field("paid_on", "支出日期", "date", True),
        Field("labour", "劳务报酬", "boolean", description="以工代赈项目发放给参与群众的劳务报酬填“是”"),
        Field("voucher", "凭证号", "string", max_length=60),
    ),
    "每笔支出一行；导入时，文件中出现的项目的资金支出记录整体替换",
    ("project_code",),
)


def _project_problems(row: dict, today) -> list[tuple[str, str]]:
    """Each step dated no later than today, after the step before it, and never without it (the table's checks)."""
    out = []
    fields = [f for f, _ in STEPS]
    for earlier, field in zip((None, *fields), fields):
        on, label = row.get(field), PROJECTS.field(field).header
        if on is None:
            continue
        if on > today:
            out.append((field, f"“{label}”不能晚于今天"))
        if earlier is None:
            continue
        before, before_label = row.get(earlier), PROJECTS.field(earlier).header
        if before is None:
            out.append((field, f"已填“{label}”，应先填“{before_label}”"))
        elif before > on:
            out.append((field, f"“{label}”不能早于“{before_label}”（{before:%Y-%m-%d}）"))
    if row.get("year") and row.get("stored_on") and row["stored_on"].year > row["year"]:
        out.append(("stored_on", f"入库日期（{row['stored_on']:%Y-%m-%d}）晚于项目年度{row['year']}年"))
    return out


def _amount_problems(date_key: str):
    def problems(row: dict, today) -> list[tuple[str, str]]:
        out = []
        if row.get("amount") == 0:
            out.append(("amount", "“金额”应大于0"))
        if row.get(date_key) and row[date_key] > today:
            out.append((date_key, "日期不能晚于今天"))
        return out
    return problems


PROJECT = Ref("project", Project, "code", sheet=PROJECTS.key, area="org_unit_id",
              missing="项目编号“{}”在文件和系统中都没有登记")
PLACE = Ref("org_unit", OrgUnit, "code")

LEDGER = Ledger(
    key="funds",
    title="衔接资金项目台账",
    description="项目库（入库、公示、实施、完工、验收）、按来源和类型下达到项目的资金、资金支出",
    bindings=(
        Binding(PROJECTS, Project, area="division_code", refs={"division_code": PLACE}, order=("year", "code"),
                problems=_project_problems),
        Binding(ALLOCATIONS, Allocation, area="project_code", refs={"project_code": PROJECT}, mode="replace",
                parent="project_code", order=("project__code", "allocated_on", "pk"),
                problems=_amount_problems("allocated_on")),
        Binding(EXPENDITURES, Expenditure, area="project_code", refs={"project_code": PROJECT}, mode="replace",
                parent="project_code", order=("project__code", "paid_on", "pk"),
                problems=_amount_problems("paid_on")),
    ),
    checks="checks.yaml",
)
