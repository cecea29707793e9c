"""Where a value stands against its target on a day: met, on track, at risk, missed (or no data, no target).

- A target with no date holds on every day: met or missed by the day's value.
- A dated target (by a day, or a schedule of days) is judged at each of its days that has passed, by the value of that
  day: missed if any was not met. Before its next day it is met once the value already reaches that day's bound;
  otherwise it is on track or at risk by the time progress (序时进度): the bound expected today on the straight line
  from the previous day's bound (or zero on 1 January) to the next one. "Not lower than last year" compares with the
  same day a year before; before its day, a value below last year's is at risk. On a target's own day the status is
  that day's: met or missed.

The gap is in the indicator's unit: what is missing to the bound (positive), or the margin over it (negative)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .catalog import Indicator, Target

MET, ON_TRACK, AT_RISK, MISSED, NO_DATA, NO_TARGET = "met", "on_track", "at_risk", "missed", "no_data", "no_target"
LABELS = {MET: "达标", ON_TRACK: "正常推进", AT_RISK: "有风险", MISSED: "未达标", NO_DATA: "无数据", NO_TARGET: "无目标"}
CHOICES = list(LABELS.items())
SEVERITY = {MISSED: 5, AT_RISK: 4, NO_DATA: 3, ON_TRACK: 2, MET: 1, NO_TARGET: 0}  # the worst of several targets shows


def same_day_last_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return dt.date(day.year - 1, 2, 28)


@dataclass(frozen=True)
class Judgement:
    status: str
    bound: float | None = None  # the bound judged against (last year's value for "not lower than last year")
    expected: float | None = None  # by the time progress, for a dated target not yet due
    gap: float | None = None
    due: dt.date | None = None  # the day the bound holds by (None: every day)

    @property
    def label(self) -> str:
        return LABELS[self.status]


def _meets(target: Target, value: float, bound: float) -> bool:
    return value <= bound if target.comparison == "at_most" else value >= bound


def _gap(target: Target, value: float, bound: float) -> float:
    return value - bound if target.comparison == "at_most" else bound - value


def days_needed(targets: list[Target], on: dt.date) -> set[dt.date]:
    """The days whose values judging `targets` on `on` reads: the day, the same day last year, and each target day of
    the year already passed (with its own day last year)."""
    days = {on, same_day_last_year(on)}
    for t in targets:
        for m in t.schedule:
            day = m.on(on.year)
            if day <= on:
                days |= {day, same_day_last_year(day)}
    return days


def judge(target: Target, on: dt.date, values: dict[dt.date, float | None]) -> Judgement:
    """`values`: the indicator's value on each day of `days_needed` (None: no data, a share over a zero base)."""
    def bound_on(day: dt.date, milestone_bound: float | None) -> float | None:
        if target.comparison == "not_below_last_year":
            return values.get(same_day_last_year(day))
        return milestone_bound

    today = values.get(on)
    if not target.schedule:
        bound = bound_on(on, target.bound)
        if today is None or bound is None:
            return Judgement(NO_DATA, bound)
        return Judgement(MET if _meets(target, today, bound) else MISSED, bound, gap=_gap(target, today, bound))
    previous = (dt.date(on.year, 1, 1), 0.0)
    for m in target.schedule:
        day = m.on(on.year)
        bound = bound_on(day, m.bound)
        if day <= on:  # passed: judged by that day's value
            then = values.get(day)
            if then is None or bound is None:
                return Judgement(NO_DATA, bound, due=day)
            if not _meets(target, then, bound):
                return Judgement(MISSED, bound, gap=_gap(target, then, bound), due=day)
            if day == on:  # the target's own day: the bulletin of that day reports it met
                return Judgement(MET, bound, gap=_gap(target, then, bound), due=day)
            previous = (day, bound)
            continue
        # the next day to come
        if target.comparison == "not_below_last_year":  # not yet due: today against the same day last year
            bound = bound_on(on, None)
        if today is None or bound is None:
            return Judgement(NO_DATA, bound, due=day)
        if target.comparison != "not_below_last_year" and _meets(target, today, bound):
            return Judgement(MET, bound, gap=_gap(target, today, bound), due=day)  # reached ahead of its day
        if target.comparison == "at_least":
            start, start_bound = previous
            expected = start_bound + (bound - start_bound) * (on - start).days / (day - start).days
        else:  # not lower than last year: last year's figure of the same day; a ceiling: as it is
            expected = bound
        on_pace = _meets(target, today, expected)
        return Judgement(ON_TRACK if on_pace else AT_RISK, bound, expected, _gap(target, today, bound), day)
    last = target.schedule[-1]
    final = bound_on(last.on(on.year), last.bound)
    then = values.get(last.on(on.year))
    return Judgement(MET, final, gap=None if then is None or final is None else _gap(target, then, final),
                     due=last.on(on.year))


def applicable(indicator: Indicator, code: str, level: str, on: dt.date) -> list[Target]:
    return [t for t in indicator.targets if t.applies(code, level, on)]


def worst(judgements: list[tuple[Target, Judgement]]) -> tuple[Target | None, Judgement]:
    if not judgements:
        return None, Judgement(NO_TARGET)
    return max(judgements, key=lambda tj: SEVERITY[tj[1].status])
