"""问题整改台账 in the exchange format: one sheet, 问题清单 (docs/ledgers.md)."""
from __future__ import annotations

from fangpin.exchange.spec import Field, Sheet
from fangpin.ledgers.base import Binding, Ledger, Ref
from fangpin.orgunits.models import OrgUnit

from . import measures
from .choices import Category, Source
from .models import Problem

PROBLEMS = Sheet(
    "rectification_problems", "问题清单",
    (
        Field("code", "问题编号", "string", True, max_length=40),
        Field("found_on", "发现日期", "date", True),
        Field("source", "问题来源", "enum", True, Source),
        Field("category", "问题类别", "enum", True, Category),
        Field("description", "问题描述", "string", True, max_length=500),
        Field("division_code", "所在区划", "place", True,
              description="Excel：导入者管辖范围内的村、乡镇或县名（如 双碾村、双碾乡），或12位区划代码；JSON：12位区划代码"),
        Field("responsible_unit", "责任单位", "string", True, max_length=100),
        Field("responsible_person", "责任人", "string", max_length=50),
        Field("deadline", "整改时限", "date",
              description="空为政策文件的期限：山西省为发现当年6月30日，湖南省为发现当年7月20日（发现于该日之后的应填写）"),
        Field("measures", "整改措施", "string", max_length=500),
        Field("closed_on", "销号日期", "date", description="整改到位、经审核销号之日；未销号的留空"),
        Field("reviewer", "销号审核人", "string", max_length=50, description="已销号的必填"),
        Field("evidence", "整改佐证", "string", max_length=500, description="已销号的必填：整改材料、验收意见等"),
        Field("note", "备注", "string", max_length=200),
    ),
    "每个问题一行；按问题编号新增或更新；逐项销号",
    ("code",),
)


def _problem_problems(row: dict, today) -> list[tuple[str, str]]:
    """Dates no later than today and not before the finding; a closed item with its reviewer and evidence, and a
    reviewer only on a closed item (the table's checks)."""
    out = []
    found, closed = row.get("found_on"), row.get("closed_on")
    for key in ("found_on", "closed_on"):
        if row.get(key) and row[key] > today:
            out.append((key, f"“{PROBLEMS.field(key).header}”不能晚于今天"))
    for key in ("closed_on", "deadline"):
        if found and row.get(key) and row[key] < found:
            out.append((key, f"“{PROBLEMS.field(key).header}”不能早于“发现日期”（{found:%Y-%m-%d}）"))
    if closed:
        for key in ("reviewer", "evidence"):
            if not row.get(key):
                out.append((key, f"已销号的问题应填写“{PROBLEMS.field(key).header}”"))
    elif row.get("reviewer"):
        out.append(("closed_on", "已填“销号审核人”，应填写“销号日期”"))
    return out


PLACE = Ref("org_unit", OrgUnit, "code")

LEDGER = Ledger(
    key="rectification",
    title="问题整改台账",
    description="巡视巡察、审计、考核评估、督查检查等发现的问题，责任单位、整改时限和措施，逐项销号",
    bindings=(
        Binding(PROBLEMS, Problem, area="division_code", refs={"division_code": PLACE}, order=("found_on", "code"),
                problems=_problem_problems,
                shown=(("应整改到位日期", measures.due_shown), ("整改状态", measures.state_shown))),
    ),
    checks="checks.yaml",
)
