"""What a refused write means, in Chinese: the database's constraints are the last guard behind every check, and
when one fires (two users at the same moment) the user is told which rule held, not shown an IntegrityError."""
from __future__ import annotations

from django.db import IntegrityError

# Constraint or column -> the rule it keeps. PostgreSQL names the constraint; SQLite names the columns.
RULES = {
    "member_one_head_per_household": "一户只能有一名户主",
    "registry_member.household_id": "一户只能有一名户主",
    "registry_member_id_number": "该身份证号已登记：一人只能登记在一户",
    "registry_member.id_number": "该身份证号已登记：一人只能登记在一户",
    "registry_household_number": "该户编号已被登记",
    "registry_household.number": "该户编号已被登记",
    "registry_enterprise_credit_code": "该统一社会信用代码已被登记",
    "registry_enterprise.credit_code": "该统一社会信用代码已被登记",
    "income_one_per_household_year": "同一户同一年度只能有一条收入记录",
    "household_monitor_type_iff_monitored": "监测户必须有监测对象类型，非监测户不能有",
    "household_category_known": "户类别不在规定的类别中",
    "household_risk_eliminated_only_monitored": "只有监测户才有风险消除日期",
    "member_relation_known": "与户主关系不在规定的选项中",
    "member_sex_known": "性别不在规定的选项中",
    "employment_ends_after_start": "结束日期不能早于开始日期",
    "employment_post_fields_only_for_posts": "只有公益岗位才填写公益岗位类别和岗位设立年度",
}


def explain(error: IntegrityError) -> str:
    cause = getattr(error, "__cause__", None)
    name = getattr(getattr(cause, "diag", None), "constraint_name", None)
    text = f"{name or ''} {error}"
    for key, rule in RULES.items():
        if key in text:
            return f"{rule}（数据库拒绝了这次写入，未写入任何数据）"
    return "数据与系统中已有的记录冲突（数据库拒绝了这次写入，未写入任何数据）"
