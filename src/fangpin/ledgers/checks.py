"""The seeds' rules on a ledger (shares, progress by a date, deadlines), as data: each check in its ledger's YAML names
what it measures, the target and when it holds, the region its seed applies to, and the clause it comes from.

A measure is a function of the ledger's domain (`measures.py` beside its ledger) that gives, for a unit or for each of
its rows, a ratio as of a date; this module compares it with the target and says why, clause and figures included.

Statuses: 达标 (met), 未达标 (missed), 未到期 (pending: the date the target must hold by has not come; the current
figure is shown), 无数据 (the ratio's base is zero).

A check of kind "deadline" asks a row to be done by its own day (an item rectified, a loan repaid): its measure gives
each row with its due day and what was done by the day asked (`Done`); the row is met once done by its due day, missed
when done late or still open after it, pending while open before it. Its ratio is 1/1 when done and 0/1 when not."""
from __future__ import annotations

import datetime as dt
import functools
import importlib
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from fangpin.lib import money
from fangpin.lib.yamldata import load as load_yaml

from .base import Ledger

MET, MISSED, PENDING, NO_DATA = "met", "missed", "pending", "no_data"
STATUS_LABELS = {MET: "达标", MISSED: "未达标", PENDING: "未到期", NO_DATA: "无数据"}


def period_text(in_force: tuple[dt.date, dt.date] | None) -> str:
    """A seed's period as people say it: 2022年, 2022-08-12至2025-12-31, 2022-01-01起, 长期. Indicator targets say it too."""
    if in_force is None:
        return "长期"
    start, end = in_force
    if start.year == end.year and (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
        return f"{start.year}年"
    if end == dt.date.max:
        return f"{start:%Y-%m-%d}起"
    return f"{start:%Y-%m-%d}至{end:%Y-%m-%d}"


@dataclass(frozen=True)
class Milestone:
    month_day: tuple[int, int]  # the target holds from this day of the year on
    at_least: Fraction | None = None
    at_most: Fraction | None = None  # a ceiling (不超过, 可扩大至) instead of a floor

    def on(self, year: int) -> dt.date:
        return dt.date(year, *self.month_day)

    @property
    def bound(self) -> Fraction:
        return self.at_least if self.at_least is not None else self.at_most

    def meets(self, value: Fraction) -> bool:
        return value >= self.at_least if self.at_least is not None else value <= self.at_most

    def words(self, met: bool = True) -> str:
        if self.at_least is not None:
            return "不低于" if met else "低于"
        return "不超过" if met else "超过"


@dataclass(frozen=True)
class Check:
    id: str
    label: str
    ledger: str
    measure: str  # a function of the ledger's measures module
    per: str  # "unit": one finding for each unit of `level`; "row": one for each row the measure gives
    level: str  # the units judged (county, township ...), for per == "unit"
    schedule: tuple[Milestone, ...]  # one milestone: a target that holds from its day (12-31: by the year's end)
    regions: tuple[str, ...]  # division-code prefixes the seed applies to
    seed: str
    clause: str
    quote: str
    params: dict = field(default_factory=dict, hash=False)
    reading: str = ""  # where the seed's wording left a choice, the one made
    in_force: tuple[dt.date, dt.date] | None = None  # the seed's period: the check asks of the years it overlaps
    count_unit: str = ""  # a target that is a number, not a share (社员20人以上): its unit; the measure's ratio is n / 1
    on_date_asked: bool = False  # a snapshot: judged on the date asked (a past year: its last day), not a milestone's
    zero_base_met: bool = False  # a figure that must not fall below a base (只增不减): any figure over a zero base is met

    def figure(self, value: Fraction | None) -> str:
        """A measured value or a target as the check states it: a share in percent, or a count with its unit."""
        if not self.count_unit or value is None:
            return percent(value)
        return f"{value.numerator if value.denominator == 1 else float(value)}{self.count_unit}"
    kind: str = "share"  # share: a ratio against its schedule; deadline: each row done by its own due day
    target: str = ""  # the target as the page states it, where the schedule does not say it (a deadline, a ceiling)

    def applies_to(self, code: str) -> bool:
        return any(code.startswith(r) for r in self.regions)

    def applies_in(self, year: int) -> bool:
        if self.in_force is None:
            return True
        start, end = self.in_force
        return start.year <= year <= end.year

    @property
    def period_text(self) -> str:
        return period_text(self.in_force)

    @property
    def target_text(self) -> str:
        if self.target:
            return self.target
        if self.per == "row":  # judged on the row's own date, not the calendar's
            m = self.schedule[-1]
            return f"{m.words()}{self.figure(m.bound)}"
        if self.on_date_asked:
            m = self.schedule[-1]
            return f"查询日期{m.words()}{self.figure(m.bound)}"
        return "，".join(f"{m.month_day[0]}月{m.month_day[1]}日{m.words()}{self.figure(m.bound)}" for m in self.schedule)


@dataclass(frozen=True)
class Ratio:
    numerator: int
    denominator: int
    numerator_label: str
    denominator_label: str
    unit: str = "fen"  # fen, or count
    shown: str = ""  # a state in words (运营状态：闲置) that stands for the figures: 1 of 1 where it holds, 0 where not

    @property
    def value(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None

    def text(self) -> str:
        if self.shown:
            return self.shown
        show = (lambda v: f"{money.fen_to_yuan(v):,.2f}元") if self.unit == "fen" else (lambda v: f"{v:,}")
        if not self.denominator_label:  # a count (n / 1): the figure alone
            return f"{self.numerator_label}{show(self.numerator)}"
        out = f"{self.numerator_label}{show(self.numerator)}，{self.denominator_label}{show(self.denominator)}"
        return out + (f"，占{percent(self.value)}" if self.value is not None else "")


@dataclass(frozen=True)
class Subject:
    """What a finding is about: a unit (双碾乡) or a row (a project), with the page that shows it."""
    label: str
    code: str  # its division code
    url: str = ""
    due: dt.date | None = None  # a row's own date its target holds by (a project's completion), if any


@dataclass(frozen=True)
class Done:
    """What a deadline check measures for one row as of the day asked: the day it was done (None: not yet), how that
    reads (已于2026-07-10销号（审核人：王五）), and what is left while it is not (尚余本金3,000.00元未还)."""
    on: dt.date | None
    text: str = ""
    left: str = ""


@dataclass(frozen=True)
class Finding:
    check: Check
    subject: Subject
    year: int
    on: dt.date
    status: str
    ratio: Ratio | None
    target: Fraction | None  # the target judged (or, pending, the next one)
    judged_on: dt.date | None  # the date the status was judged at (a milestone), None while pending
    explanation: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def value_text(self) -> str:
        if self.ratio is not None and self.ratio.shown:
            return self.ratio.shown
        return self.check.figure(self.ratio.value) if self.ratio is not None else "—"


def percent(value: Fraction | None) -> str:
    if value is None:
        return "—"
    d = (Decimal(value.numerator) / Decimal(value.denominator) * 100).quantize(Decimal("0.1"))
    return f"{d:.0f}%" if d == d.to_integral() else f"{d}%"


def _fraction(value) -> Fraction:
    return Fraction(str(value))


def _date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def load(ledger: Ledger, path: Path) -> tuple[Check, ...]:
    doc = load_yaml(path)
    out = []
    for c in doc["checks"]:
        if "schedule" in c:
            schedule = tuple(_milestone(tuple(int(x) for x in str(m["by"]).split("-")), m) for m in c["schedule"])
        elif c.get("kind") == "deadline":  # each row's own due day, given by the measure
            schedule = ()
        else:
            schedule = (_milestone((12, 31), c),)
        period = c.get("in_force")
        # a period without its end runs on (陇县's measures: until the county repeals them)
        in_force = (_date(period["from"]), _date(period["to"]) if period.get("to") else dt.date.max) if period else None
        out.append(Check(id=c["id"], label=c["label"], ledger=ledger.key, measure=c["measure"], per=c.get("per", "unit"),
                         level=c.get("level", "county"), schedule=schedule, regions=tuple(str(r) for r in c["regions"]),
                         seed=c["seed"], clause=c["clause"], quote=c["quote"], params=c.get("params") or {},
                         reading=c.get("reading", ""), in_force=in_force, count_unit=c.get("count_unit", ""),
                         kind=c.get("kind", "share"), target=c.get("target", ""),
                         on_date_asked=c.get("judged") == "on_date_asked", zero_base_met=c.get("zero_base") == "met"))
    return tuple(out)


def _milestone(month_day: tuple[int, int], spec: dict) -> Milestone:
    if "at_most" in spec:
        return Milestone(month_day, at_most=_fraction(spec["at_most"]))
    return Milestone(month_day, _fraction(spec["at_least"]))


@functools.cache
def checks_of(ledger_key: str) -> tuple[Check, ...]:
    from .catalog import LEDGERS

    ledger = LEDGERS[ledger_key]
    if not ledger.checks:
        return ()
    module = importlib.import_module(ledger.package + ".ledger")
    return load(ledger, Path(module.__file__).with_name(ledger.checks))


def measure_of(check: Check):
    from .catalog import LEDGERS

    return getattr(importlib.import_module(f"{LEDGERS[check.ledger].package}.measures"), check.measure)


def judge(check: Check, subject: Subject, year: int, on: dt.date, ratio_on) -> Finding:
    """The finding for one subject. `ratio_on(date)` gives the measure as of a date. A schedule's last milestone passed
    by `on` is judged with the figure as of that milestone; before the first, the finding is pending with the figure
    as of `on`. A row is judged on its own date (a project's completion) instead of the calendar's."""
    if check.per == "row":  # judged on the row's own date, once it has one
        passed = [(subject.due, check.schedule[-1])] if subject.due is not None and subject.due <= on else []
    elif check.on_date_asked:  # on the date asked, within the year
        day = min(on, dt.date(year, 12, 31))
        passed = [(day, check.schedule[-1])] if day.year == year else []
    else:
        passed = [(m.on(year), m) for m in check.schedule if m.on(year) <= on]
    cite = f"（{check.clause}：“{check.quote}”）"
    if not passed:
        ratio = ratio_on(on)
        upcoming = next((m for m in check.schedule if check.per == "row" or m.on(year) > on), check.schedule[-1])
        if check.per != "row":
            when = f"{upcoming.on(year):%Y-%m-%d}"
        else:  # a row's own date once known (a station's year's end), else the event it waits for (完工时)
            when = f"{subject.due:%Y-%m-%d}" if subject.due is not None else check.params.get("due_text", "完工时")
        now = ratio.text() if ratio.denominator else "尚无数据"
        # a state (管护主体、责任、措施逐项落实) is stated in words, a share or a count by its bound
        target = check.target if ratio.shown and check.target else f"{upcoming.words()}{check.figure(upcoming.bound)}"
        return Finding(check, subject, year, on, PENDING, ratio, upcoming.bound, None,
                       f"{subject.label}：截至{on:%Y-%m-%d}，{now}；应于{when}{target}{cite}")
    day, milestone = passed[-1]
    ratio = ratio_on(day)
    if not ratio.denominator and check.zero_base_met and ratio.numerator:
        return Finding(check, subject, year, on, MET, ratio, milestone.bound, day,
                       f"{subject.label}：截至{day:%Y-%m-%d}，{ratio.text()}，{ratio.denominator_label}为0{cite}："
                       f"{STATUS_LABELS[MET]}")
    if not ratio.denominator:
        return Finding(check, subject, year, on, NO_DATA, ratio, milestone.bound, day,
                       f"{subject.label}：截至{day:%Y-%m-%d}，{ratio.denominator_label or ratio.numerator_label + '未填'}"
                       f"{'为0' if ratio.denominator_label else ''}，无从计算{cite}")
    met = milestone.meets(ratio.value)
    verdict = "" if ratio.shown else f"，{milestone.words(met)}{check.figure(milestone.bound)}"
    return Finding(check, subject, year, on, MET if met else MISSED, ratio, milestone.bound, day,
                   f"{subject.label}：截至{day:%Y-%m-%d}，{ratio.text()}{verdict}"
                   f"{cite}：{STATUS_LABELS[MET if met else MISSED]}")


def judge_deadline(check: Check, subject: Subject, year: int, on: dt.date, done: Done) -> Finding:
    """A row due by `subject.due` (the day itself is on time) as of `on`: met once done by then, missed when done late
    or still open after it, pending while open before it; no due day, no data. `deed` (params) is what is due:
    整改到位, 还清."""
    cite = f"（{check.clause}：“{check.quote}”）"
    deed = check.params.get("deed", "完成")
    ratio = Ratio(1 if done.on else 0, 1, f"已{deed}", f"应{deed}", unit="count")
    if subject.due is None:
        why = check.params.get("no_due", "没有期限")
        return Finding(check, subject, year, on, NO_DATA, ratio, Fraction(1), None,
                       f"{subject.label}：{why}，无从判定{cite}")
    head = f"{subject.label}：应于{subject.due:%Y-%m-%d}前{deed}"
    left = done.left or f"尚未{deed}"
    if done.on is not None:
        met = done.on <= subject.due
        late = "" if met else f"，逾期{(done.on - subject.due).days}天"
        return Finding(check, subject, year, on, MET if met else MISSED, ratio, Fraction(1), min(done.on, subject.due),
                       f"{head}，{done.text}{late}{cite}：{STATUS_LABELS[MET if met else MISSED]}")
    if subject.due < on:
        return Finding(check, subject, year, on, MISSED, ratio, Fraction(1), subject.due,
                       f"{head}，截至{on:%Y-%m-%d}{left}，已逾期{(on - subject.due).days}天{cite}：{STATUS_LABELS[MISSED]}")
    return Finding(check, subject, year, on, PENDING, ratio, Fraction(1), None,
                   f"{head}，截至{on:%Y-%m-%d}{left}，距期限还有{(subject.due - on).days}天{cite}")


def _measure_params(check: Check) -> dict:
    return {k: v for k, v in check.params.items() if k not in ("due_text", "deed", "no_due")}


def evaluate(check: Check, *, units, year: int, on: dt.date) -> list[Finding]:
    """The check's findings over `units` (the OrgUnits of the area asked about, at the check's level) for the
    year, as of `on`; rows outside the seed's regions, and years outside its period, are not judged."""
    if not check.applies_in(year):
        return []
    fn = measure_of(check)
    out = []
    if check.per == "unit":
        for unit in units:
            if not check.applies_to(unit.code):
                continue
            subject = Subject(unit.name, unit.code)
            out.append(judge(check, subject, year, on, lambda day, u=unit: fn(u.code, year, day, **_measure_params(check))))
    else:
        judged = judge_deadline if check.kind == "deadline" else judge
        for unit in units:
            for subject, measured in fn(unit.code, year, on, **_measure_params(check)):
                if check.applies_to(subject.code):
                    out.append(judged(check, subject, year, on, measured))
    return out


def years_in_force(ledger_key: str, area) -> set[int]:
    """The years some check of the ledger asks of `area` (a check without a period: every year, None in the set)."""
    out = set()
    for check in checks_of(ledger_key):
        if not any(area.code.startswith(r) or r.startswith(area.prefix) for r in check.regions):
            continue
        if check.in_force is None or check.in_force[1] == dt.date.max:
            out.add(None)
        else:
            out |= set(range(check.in_force[0].year, check.in_force[1].year + 1))
    return out


def for_area(ledger_key: str, area, *, year: int, on: dt.date) -> list[Finding]:
    """Every check of the ledger over `area` (an OrgUnit): per unit, the units of the check's level in the area (the
    area itself at that level); per row, the area's rows."""
    from fangpin.accounts import access
    from fangpin.orgunits.models import OrgUnit

    out = []
    for check in checks_of(ledger_key):
        if check.per == "unit":
            units = OrgUnit.objects.filter(access.subtree("code", area.prefix), level=check.level).order_by("code")
            units = [u for u in units if check.applies_to(u.code)]
        else:
            units = [area] if any(area.code.startswith(r) or r.startswith(area.prefix) for r in check.regions) else []
        out.extend(evaluate(check, units=units, year=year, on=on))
    return out
