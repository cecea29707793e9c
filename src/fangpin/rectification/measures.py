"""What the rectification checks measure (checks.yaml): each problem found in the year under an area, due by its own
整改时限 or, without one, by the seed's day of the year it was found (山西: 6月30日, 湖南: 7月20日), and whether it was
closed (销号) by the day asked. The day itself is on time ("7月20日前" includes 20 July)."""
from __future__ import annotations

import datetime as dt

from django.urls import reverse

from fangpin.accounts import access
from fangpin.ledgers.checks import Done, Subject
from fangpin.lib import divisions

from .models import Problem


def seed_due(found_on: dt.date, by: str) -> dt.date | None:
    """The seed's day (by: "06-30") in the year the problem was found; none for a problem found after it."""
    month, day = (int(x) for x in by.split("-"))
    due = dt.date(found_on.year, month, day)
    return due if found_on <= due else None


def due_of(problem: Problem, by: str | None) -> dt.date | None:
    return problem.deadline or (seed_due(problem.found_on, by) if by else None)


def closed_by_deadline(code: str, year: int, on: dt.date, *, by: str):
    """One (subject, Done) for each problem found in `year` by `on` under `code`."""
    problems = (Problem.objects.filter(access.subtree("org_unit_id", divisions.prefix(code)),
                                       found_on__gte=dt.date(year, 1, 1), found_on__lte=min(on, dt.date(year, 12, 31)))
                .order_by("found_on", "code"))
    for p in problems:
        closed = p.closed_on if p.closed_on is not None and p.closed_on <= on else None
        subject = Subject(f"问题{p.code}（{p.responsible_unit}，{p.get_category_display()}）", p.org_unit_id,
                          reverse("ledger_entry", args=["rectification", "rectification_problems", p.pk]),
                          due=due_of(p, by))
        text = f"已于{closed:%Y-%m-%d}销号（审核人：{p.reviewer}）" if closed else ""
        yield subject, Done(closed, text, "尚未销号")


# -- what the list shows beside the sheet's columns ----------------------------------------------------------------

def _seed_by(code: str) -> str | None:
    """The seed's day for a place: that of the deadline check whose region holds it (none outside every region)."""
    from fangpin.ledgers import checks

    return next((c.params["by"] for c in checks.checks_of("rectification")
                 if c.kind == "deadline" and c.applies_to(code)), None)


def due_shown(problem: Problem, today: dt.date) -> dt.date | None:
    return due_of(problem, _seed_by(problem.org_unit_id))


def state_shown(problem: Problem, today: dt.date) -> str:
    due = due_shown(problem, today)
    if problem.closed_on is not None:
        return "逾期销号" if due is not None and problem.closed_on > due else "已销号"
    if due is None:
        return "未销号（无整改时限）"
    return "逾期未整改" if due < today else "整改中"
