"""Registry consistency rules shared by pages, API and importer: each returns (field, Chinese message) pairs."""
from __future__ import annotations

import datetime as dt

from .choices import Category, EmploymentKind, MonitorType


def monitoring_status(category: str | None, monitor_type: str | None) -> tuple[bool, str]:
    """What only the monitoring workflow may change: whether the household is monitored, and as what."""
    return category == Category.MONITORED, monitor_type or ""


def household_problems(*, category: str, monitor_type: str | None, lifted_year: int | None,
                       risk_eliminated_on: dt.date | None = None, today: dt.date | None = None) -> list[tuple[str, str]]:
    problems = []
    if category == Category.MONITORED and not monitor_type:
        problems.append(("monitor_type", "监测户必须填写监测对象类型"))
    if category != Category.MONITORED and monitor_type:
        problems.append(("monitor_type", "只有监测户可以填写监测对象类型"))
    if category == Category.ORDINARY and lifted_year:
        problems.append(("lifted_year", "一般农户不应填写脱贫年度"))
    if monitor_type == MonitorType.MARGINAL and lifted_year:
        problems.append(("lifted_year", "边缘易致贫户从未建档立卡，不应填写脱贫年度"))
    elif lifted_year and lifted_year > (today or dt.date.today()).year:
        problems.append(("lifted_year", f"脱贫年度{lifted_year}晚于今年：只能登记已经脱贫的年度"))
    if risk_eliminated_on is not None:
        if category != Category.MONITORED:
            problems.append(("risk_eliminated_on", "只有监测户可以有风险消除日期"))
        elif risk_eliminated_on > (today or dt.date.today()):
            problems.append(("risk_eliminated_on", "风险消除日期不能晚于今天"))
    return problems


def employment_problems(*, start_date, end_date, kind=None, post_kind=None, post_created_year=None,
                        year=None) -> list[tuple[str, str]]:
    problems = []
    if start_date and end_date and end_date < start_date:
        problems.append(("end_date", "结束日期不能早于开始日期"))
    if kind != EmploymentKind.PUBLIC_WELFARE_POST:
        if post_kind:
            problems.append(("post_kind", "只有就业类型为公益岗位时才填写公益岗位类别"))
        if post_created_year is not None:
            problems.append(("post_created_year", "只有就业类型为公益岗位时才填写岗位设立年度"))
    elif post_created_year is not None and year is not None and post_created_year > year:
        problems.append(("post_created_year", f"岗位设立年度{post_created_year}晚于就业记录的年度{year}"))
    return problems


def event_date_problems(dates: dict[str, dt.date | None], *, born: dt.date | None, today: dt.date) -> list[tuple[str, str]]:
    """Dates of things that happened to a person (a job, a training, a start-up) or to an enterprise: not in the
    future and not before the person was born."""
    problems = []
    for key, day in dates.items():
        if day is None:
            continue
        if day > today:
            problems.append((key, f"日期{day:%Y-%m-%d}晚于今天（{today:%Y-%m-%d}）：只能登记已经发生的事"))
        elif born is not None and day < born:
            problems.append((key, f"日期{day:%Y-%m-%d}早于本人出生日期（{born:%Y-%m-%d}）"))
    return problems
