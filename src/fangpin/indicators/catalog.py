"""Indicators as data (`catalog/*.yaml`): what is counted over which fact rows, the unit, the seed clause it comes
from, and its targets. Read once, validated with file and line in every error; never executable code.

A value is one measure (a count or a sum over a fact's rows that meet its conditions), the share of two measures
(numerator / denominator, each rolled up on its own), or a difference (a loan balance: lent minus repaid minus
compensated).

A measure may also count **entities** (`per:`): the fact's rows that meet its conditions are grouped by an entity (a
household, a person, a loan: `row`, or a column such as `employer`), each entity gets figures of its own (`with:`,
counts or sums over this or another fact that names the entity, joined on `match`), and the entities whose figures
meet `having` (`lent - repaid - compensated > 10000000`, `lifted * 3 >= total`, or `any:` of such) are counted, or
one of their figures is added up. This is how a rule about each household or each cooperative becomes a number.

A condition reads `column op value`, ops `in`, `not in`, `=`, `!=`, `<`, `<=`, `>`, `>=`, `is null`, `is not null`;
`... or null` lets a missing value pass too (an open end date). A value may name the day asked: `date` (the day),
`year` (its year), `last_year`, `year_start` (1 January of its year).

A target holds at the levels and in the regions (division-code prefixes) it names, in the seed's period (`in_force`),
either on every day (no `by`), by a day of the year (`by: "12-31"`), or by a schedule of days (60% by 06-30 ...).
It is a floor (`at_least`), a ceiling (`at_most`) or "not lower than the same day last year" (`not_below:
last_year`). Floors and ceilings are in the indicator's unit (a share as a fraction: 0.55)."""
from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import yaml

from fangpin.lib.divisions import LEVELS
from fangpin.ledgers.checks import period_text
from fangpin.lib.yamldata import CatalogError
from fangpin.lib.yamldata import load as load_yaml

from .facts import FACTS

CATALOG_DIR = Path(__file__).parent / "catalog"

# Units and what one of them is in the stored integers (amounts are kept in fen).
UNITS = {"人": 1, "户": 1, "个": 1, "笔": 1, "村": 1, "项": 1, "元": 100, "万元": 1_000_000, "亿元": 10_000_000_000, "%": 1}
TOKENS = {"date": "统计日", "year": "统计年度", "last_year": "上一年度", "year_start": "统计年度1月1日"}
OPS = ("not in", "in", "is not null", "is null", "<=", ">=", "!=", "=", "<", ">")
_CONDITION = re.compile(r"^(\w+)\s+(not in|in|is not null|is null|<=|>=|!=|=|<|>)\s*(.*?)(\s+or null)?$")
OP_WORDS = {"in": "为", "not in": "不为", "=": "为", "!=": "不为", "<": "早于", "<=": "不晚于", ">": "晚于",
            ">=": "不早于", "is null": "为空", "is not null": "不为空"}
EACH = {"户": "逐户", "人": "逐人", "贷款": "逐笔贷款"}  # how one entity at a time reads
NUMBER_WORDS = {"<": "小于", "<=": "不超过", ">": "大于", ">=": "不少于", "=": "等于", "!=": "不等于"}


@dataclass(frozen=True)
class Condition:
    column: str
    op: str
    value: object = None  # a literal, a tuple of literals, or a token of TOKENS
    or_null: bool = False


@dataclass(frozen=True)
class AnyOf:
    """Conditions of which one suffices (`any:` in the YAML): a post, or a workshop's job."""
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class Term:
    """coefficient × an entity's figure (`name`), or a constant (no name); exact (0.6 is 3/5, not a float)."""
    coefficient: Fraction
    name: str = ""


@dataclass(frozen=True)
class Compare:
    """`a - b > 10000000`, `lifted * 3 >= total`: sums of terms on both sides."""
    left: tuple[Term, ...]
    op: str
    right: tuple[Term, ...]


@dataclass(frozen=True)
class AnyCompare:
    comparisons: tuple[Compare, ...]


@dataclass(frozen=True)
class Figure:
    """One figure of each entity (`with:`): a count or sum over `measure`'s rows whose column `by` names the entity,
    joined on the entity's column `match` (the entity itself, or a column of its rows such as its household)."""
    name: str
    label: str
    measure: "Measure"
    by: str
    match: str


@dataclass(frozen=True)
class Measure:
    of: str  # a fact key
    agg: str  # "count" or "sum"
    what: str | tuple[str, ...]  # count: rows / persons / households / a column (distinct values) / entities;
    # sum: column(s), or with `per` one of the entities' figures
    where: tuple[Condition | AnyOf, ...] = ()
    per: str = ""  # the entity: "row", or a column of the fact (household, person, employer ...)
    figures: tuple[Figure, ...] = ()
    having: tuple[Compare | AnyCompare, ...] = ()
    entity: str = ""  # what one entity is called (户, 笔贷款, 个合作社)

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns a sum adds up (one, or several added row by row)."""
        return self.what if isinstance(self.what, tuple) else (self.what,)

    @property
    def fact(self):
        return FACTS[self.of]

    @property
    def facts(self) -> tuple[str, ...]:
        """Every fact the measure reads (its own, and its figures')."""
        return tuple(dict.fromkeys((self.of, *(f.measure.of for f in self.figures))))


@dataclass(frozen=True)
class Milestone:
    month_day: tuple[int, int]
    bound: float

    def on(self, year: int) -> dt.date:
        return dt.date(year, *self.month_day)


@dataclass(frozen=True)
class Target:
    comparison: str  # at_least / at_most / not_below_last_year
    schedule: tuple[Milestone, ...]  # empty: the bound holds on every day
    bound: float | None  # a standing target's bound (None for not_below_last_year)
    levels: tuple[str, ...]
    regions: tuple[str, ...]
    in_force: tuple[dt.date, dt.date] | None
    note: str = ""

    def applies(self, code: str, level: str, on: dt.date) -> bool:
        if level not in self.levels or not any(code.startswith(r) for r in self.regions):
            return False
        # the seed's period asks of every year it overlaps (a document of August asks for its year's end too)
        return self.in_force is None or self.in_force[0].year <= on.year <= self.in_force[1].year

    @property
    def period_text(self) -> str:
        return period_text(self.in_force)


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    unit: str
    group: str
    seed: str
    clause: str
    quote: str
    form: str  # measure / share / difference
    measures: tuple[Measure, ...]  # one, or (numerator, denominator), or (plus, minus)
    targets: tuple[Target, ...]
    reading: str = ""
    order: int = 0

    @property
    def scale(self) -> int:
        return UNITS[self.unit]

    def words(self, m: Measure) -> str:
        return measure_words(m)

    @property
    def definition(self) -> str:
        if self.form == "share":
            return f"{measure_words(self.measures[0])} ÷ {measure_words(self.measures[1])}"
        if self.form == "difference":
            return " − ".join(measure_words(m) for m in self.measures)
        return measure_words(self.measures[0])

    @property
    def per_entity(self) -> bool:
        return any(m.per for m in self.measures)

    def target_text(self, target: Target) -> str:
        def figure(v):
            return format_value(self, v)

        if target.comparison == "not_below_last_year":
            when = "" if not target.schedule else f"{target.schedule[-1].month_day[0]}月{target.schedule[-1].month_day[1]}日"
            return f"{when}不低于上年同期"
        word = "不低于" if target.comparison == "at_least" else "不超过"
        if not target.schedule:
            return f"{word}{figure(target.bound)}"
        return "，".join(f"{m.month_day[0]}月{m.month_day[1]}日{word}{figure(m.bound)}" for m in target.schedule)


def format_value(indicator: Indicator, value: float | None) -> str:
    if value is None:
        return "—"
    if indicator.unit == "%":
        return f"{value * 100:.1f}%".replace(".0%", "%")
    if indicator.scale == 1:
        return f"{value:,.0f}{indicator.unit}"
    if indicator.unit == "亿元" and 0 < abs(value) < 1:  # a county's or village's loans: 12.50万元, not 0.00亿元
        return f"{value * 10000:,.2f}万元"
    return f"{value:,.2f}{indicator.unit}"


def _value_words(fact, column: str, value) -> str:
    if isinstance(value, str) and value in TOKENS:
        return TOKENS[value]
    field = fact.column_field(column) if column in fact.columns else None
    choices = dict(field.choices) if field is not None and field.choices else {}
    if isinstance(value, tuple):  # "或": "、" already separates the conditions (为脱贫户或监测户、开始日期不晚于…)
        return "或".join(str(choices.get(v, v)) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(choices.get(value, value))


def condition_words(fact, c: Condition | AnyOf) -> str:
    if isinstance(c, AnyOf):
        return "（" + "或".join(condition_words(fact, x) for x in c.conditions) + "）"
    name = fact.label(c.column)
    if c.op in ("is null", "is not null"):
        text = f"{name}{OP_WORDS[c.op]}"
    elif isinstance(c.value, (int, float)) and not isinstance(c.value, bool) and c.op in NUMBER_WORDS:
        if name.endswith("（分）"):  # an amount is stored in fen but read in yuan
            text = f"{name.removesuffix('（分）')}{NUMBER_WORDS[c.op]}{c.value / 100:,.2f}".rstrip("0").rstrip(".") + "元"
        else:
            text = f"{name}{NUMBER_WORDS[c.op]}{c.value}"
    else:
        text = f"{name}{OP_WORDS[c.op]}{_value_words(fact, c.column, c.value)}"
    return text + ("或为空" if c.or_null else "")


def _terms_words(terms: tuple[Term, ...], labels: dict[str, str], fen: bool) -> str:
    out = []
    for i, t in enumerate(terms):
        sign = "−" if t.coefficient < 0 else "＋"
        size = abs(t.coefficient)
        if t.name:
            text = labels[t.name] if size == 1 else f"{float(size):g}×{labels[t.name]}"
        else:
            text = f"{float(size) / 100:,.2f}".rstrip("0").rstrip(".") + "元" if fen else f"{float(size):,g}"
        out.append(text if i == 0 and sign == "＋" else f"{sign}{text}")
    return "".join(out).removeprefix("＋")


def compare_words(m: Measure, c: Compare | AnyCompare) -> str:
    if isinstance(c, AnyCompare):
        return "（" + "或".join(compare_words(m, x) for x in c.comparisons) + "）"
    labels = {f.name: f.label for f in m.figures}
    fen = any(f.measure.agg == "sum" and all("（分）" in str(f.measure.fact.column_field(col).verbose_name)
                                             for col in f.measure.columns)
              for f in m.figures if f.name in {t.name for t in c.left + c.right})
    return f"{_terms_words(c.left, labels, fen)}{NUMBER_WORDS[c.op]}{_terms_words(c.right, labels, fen)}"


def entity_words(m: Measure) -> str:
    if m.entity:
        return m.entity
    return {"household": "户", "person": "人", "row": m.fact.title}.get(m.per) or m.fact.label(m.per)


def _per_words(m: Measure) -> str:
    fact = m.fact
    conds = "、".join(condition_words(fact, c) for c in m.where)
    figures = "；".join(f"{f.label}为{measure_words(f.measure)}" for f in m.figures)
    having = "、".join(compare_words(m, c) for c in m.having)
    entity = entity_words(m)
    each = EACH.get(entity, f"逐个{entity}")
    what = f"{entity}数" if m.what == "entities" else f"{next(f.label for f in m.figures if f.name == m.what)}合计"
    return (f"{each}计（{fact.title}中{conds + '的' if conds else ''}{entity}，{figures}），"
            f"{having}的{what}")


def measure_words(m: Measure) -> str:
    if m.per:
        return _per_words(m)
    fact = m.fact
    conds = "、".join(condition_words(fact, c) for c in m.where)
    if m.agg == "sum":
        what = "、".join(str(fact.column_field(c).verbose_name) for c in m.columns).replace("（分）", "") + "合计"
    else:
        what = {"rows": "条数", "persons": "人数", "households": "户数"}.get(m.what) or f"{fact.column_field(m.what).verbose_name}数"
    return f"{fact.title}中{conds + '的' if conds else ''}{what}"


# --- reading the YAML ----------------------------------------------------------------------------------------------

def _fail(path, node, message):
    raise CatalogError(path, getattr(node, "line", None), message)


def _token_or_literal(text: str):
    text = text.strip()
    if text in TOKENS:
        return text
    value = yaml.safe_load(text) if text else None
    if isinstance(value, list):
        return tuple(value)
    return value


def _condition(path, node, fact, text) -> Condition:
    m = _CONDITION.match(str(text).strip())
    if not m:
        _fail(path, node, f"条件“{text}”应写作“列 运算 值”，运算为 {'、'.join(OPS)}")
    column, op, value, or_null = m.groups()
    if column not in fact.columns:
        _fail(path, node, f"条件“{text}”：事实表 {fact.key} 没有列 {column}（有 {'、'.join(fact.columns)}）")
    if op in ("is null", "is not null"):
        if value:
            _fail(path, node, f"条件“{text}”：{op} 之后不应再有值")
        return Condition(column, op, None, bool(or_null))
    parsed = _token_or_literal(value)
    if op in ("in", "not in") and not isinstance(parsed, tuple):
        _fail(path, node, f"条件“{text}”：in 之后应为列表，如 [lifted, monitored]")
    field = fact.column_field(column)
    if field.choices and op in ("in", "not in", "=", "!="):
        known = {str(k) for k, _ in field.choices}
        for v in parsed if isinstance(parsed, tuple) else (parsed,):
            if str(v) not in known:
                _fail(path, node, f"条件“{text}”：{v} 不是 {field.verbose_name} 的取值（{'、'.join(sorted(known))}）")
    return Condition(column, op, parsed, bool(or_null))


_NAME = re.compile(r"[A-Za-z_]\w*$")
_COMPARE = re.compile(r"^(.+?)\s*(<=|>=|!=|=|<|>)\s*(.+)$")


def _terms(path, node, text: str, names: set[str], whole: str) -> tuple[Term, ...]:
    """`a - b - 3`, `0.6 * total`: a sum of terms, each a number, a figure's name, or number * name."""
    out = []
    for sign, term in re.findall(r"([+-]?)\s*([^+-]+)", text.replace(" ", "")):
        factors = term.split("*")
        coefficient, name = Fraction(-1 if sign == "-" else 1), ""
        for f in factors:
            if _NAME.match(f):
                if f not in names or name:
                    _fail(path, node, f"having“{whole}”：{f} 不是 with 中的数（有 {'、'.join(sorted(names))}），"
                                      "每项最多一个名称")
                name = f
            else:
                try:
                    coefficient *= Fraction(f)
                except (ValueError, ZeroDivisionError):
                    _fail(path, node, f"having“{whole}”：{f} 不是数字或 with 中的名称")
        out.append(Term(coefficient, name))
    if not out:
        _fail(path, node, f"having“{whole}”应写作“式 比较 式”，如 lent - repaid > 10000000")
    return tuple(out)


def _compare(path, node, text, names: set[str]) -> Compare | AnyCompare:
    if isinstance(text, dict):
        if set(text) != {"any"} or not isinstance(text["any"], list) or len(text["any"]) < 2:
            _fail(path, node, "having 中的映射只能是 any: [两个以上的比较]（满足其一即可）")
        return AnyCompare(tuple(_compare(path, node, t, names) for t in text["any"]))
    m = _COMPARE.match(str(text).strip())
    if not m:
        _fail(path, node, f"having“{text}”应写作“式 比较 式”，如 lent - repaid > 10000000")
    left, op, right = m.groups()
    return Compare(_terms(path, node, left, names, text), op, _terms(path, node, right, names, text))


def _figures(path, node, base, per: str) -> tuple[Figure, ...]:
    items = node.get("with")
    if not isinstance(items, dict) or not items:
        _fail(path, node, "per 度量应有 with: 每个对象的数（名称: {label, of, count 或 sum, where, by}）")
    out = []
    for name, spec in items.items():
        if not isinstance(spec, dict) or not _NAME.match(str(name)):
            _fail(path, node, f"with 中的 {name} 应为 名称: {{label, count 或 sum ...}}")
        if not spec.get("label"):
            _fail(path, node, f"with 中的 {name} 缺少 label（页面上的名称）")
        of = spec.get("of", base.key)
        sub = _measure(path, {**{k: v for k, v in spec.items() if k not in ("label", "by", "match")}, "of": of})
        match = str(spec.get("match", per))
        if match != "row" and match not in base.columns:
            _fail(path, node, f"with 中 {name} 的 match: {match} 不是 {base.key} 的列")
        by = str(spec.get("by", match))
        if sub.per or by == "row" and of != base.key or by != "row" and by not in sub.fact.columns:
            _fail(path, node, f"with 中 {name} 的 by: {by} 不是 {of} 的列（写明 by: 该表中指向这个对象的列）")
        out.append(Figure(str(name), str(spec["label"]), sub, by, match))
    return tuple(out)


def _per_measure(path, node, fact, agg: str, what, where) -> Measure:
    per = str(node["per"])
    if per != "row" and per not in fact.columns:
        _fail(path, node, f"per: {per} 应为 row 或 {fact.key} 的列")
    figures = _figures(path, node, fact, per)
    names = {f.name for f in figures}
    having = node.get("having") or []
    if not isinstance(having, list) or not having:
        _fail(path, node, "per 度量应有 having: 比较的列表")
    if agg == "count" and what != "entities" or agg == "sum" and what not in names:
        _fail(path, node, "per 度量的 count 应为 entities（对象数），sum 应为 with 中的一个名称")
    return Measure(fact.key, agg, what, where, per, figures,
                   tuple(_compare(path, node, c, names) for c in having), str(node.get("entity", "")))


def _measure(path, node) -> Measure:
    if not isinstance(node, dict):
        _fail(path, node, "度量应为映射：of、count 或 sum、where")
    of = node.get("of")
    if of not in FACTS:
        _fail(path, node, f"of: {of} 不是事实表（有 {'、'.join(FACTS)}）")
    fact = FACTS[of]
    if ("count" in node) == ("sum" in node):
        _fail(path, node, "度量应有 count 或 sum 之一")
    agg = "count" if "count" in node else "sum"
    what = node[agg]
    if "per" in node:
        where = node.get("where") or []
        if not isinstance(where, list):
            _fail(path, node, "where 应为条件列表")
        return _per_measure(path, node, fact, agg, str(what),
                            tuple(_where_item(path, node, fact, c) for c in where))
    if {"with", "having"} & set(node):
        _fail(path, node, "with、having 只用于按对象计（per）的度量")
    if agg == "sum" and isinstance(what, list):
        if not what or any(str(c) not in fact.columns for c in what):
            _fail(path, node, f"sum: {what} 应为 {of} 的列或列的列表")
        what = tuple(str(c) for c in what)
        if len(what) == 1:
            what = what[0]
    else:
        what = str(what)
    if agg == "count" and what not in ("rows", "persons", "households") and what not in fact.columns:
        _fail(path, node, f"count: {what} 应为 rows、persons、households 或 {of} 的列")
    if what == "persons" and not fact.person or what == "households" and not fact.household:
        _fail(path, node, f"事实表 {of} 的行不属于某人或某户，不能 count: {what}")
    if agg == "sum" and isinstance(what, str) and what not in fact.columns:
        _fail(path, node, f"sum: {what} 不是 {of} 的列")
    where = node.get("where") or []
    if not isinstance(where, list):
        _fail(path, node, "where 应为条件列表")
    return Measure(of, agg, what, tuple(_where_item(path, node, fact, c) for c in where))


def _where_item(path, node, fact, item) -> Condition | AnyOf:
    """A condition, or `any: [conditions]` of which one suffices."""
    if isinstance(item, dict):
        if set(item) != {"any"} or not isinstance(item["any"], list) or len(item["any"]) < 2:
            _fail(path, node, "where 中的映射只能是 any: [两个以上的条件]（满足其一即可）")
        return AnyOf(tuple(_condition(path, node, fact, c) for c in item["any"]))
    return _condition(path, node, fact, item)


def _date(path, node, value) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        _fail(path, node, f"日期“{value}”应写作 YYYY-MM-DD")


def _month_day(path, node, value) -> tuple[int, int]:
    m = re.fullmatch(r"(\d{2})-(\d{2})", str(value))
    if not m:
        _fail(path, node, f"by: “{value}”应写作 MM-DD")
    md = (int(m[1]), int(m[2]))
    try:
        dt.date(2001, *md)
    except ValueError:
        _fail(path, node, f"by: “{value}”不是一年中的日期")
    return md


def _target(path, node, unit: str) -> Target:
    levels = tuple(node.get("levels") or LEVELS)
    if bad := [lv for lv in levels if lv not in LEVELS]:
        _fail(path, node, f"levels 中 {bad} 不是区划级别（{'、'.join(LEVELS)}）")
    regions = tuple(str(r) for r in node.get("regions") or ())
    if not regions or any(not r.isdigit() or len(r) not in (2, 4, 6, 9, 12) for r in regions):
        _fail(path, node, "regions 应列出种子适用的区划代码前缀（2、4、6、9或12位）")
    period = node.get("in_force")
    in_force = ((_date(path, node, period["from"]), _date(path, node, period["to"]) if period.get("to") else dt.date.max)
                if period else None)
    kinds = [k for k in ("at_least", "at_most", "not_below", "schedule") if k in node]
    if len(kinds) != 1:
        _fail(path, node, "目标应有 at_least、at_most、not_below 或 schedule 之一")
    kind = kinds[0]
    by = _month_day(path, node, node["by"]) if "by" in node else None
    if kind == "not_below":
        if node["not_below"] != "last_year":
            _fail(path, node, "not_below 只能是 last_year（不低于上年同期）")
        schedule = (Milestone(by, 0.0),) if by else ()
        return Target("not_below_last_year", schedule, None, levels, regions, in_force, node.get("note", ""))
    if kind == "schedule":
        steps = node["schedule"]
        if not isinstance(steps, list) or not steps:
            _fail(path, node, "schedule 应为 {by, at_least} 的列表")
        schedule = tuple(Milestone(_month_day(path, s, s.get("by")), _number(path, s, s.get("at_least"))) for s in steps)
        if list(schedule) != sorted(schedule, key=lambda m: m.month_day):
            _fail(path, node, "schedule 应按日期先后排列")
        return Target("at_least", schedule, None, levels, regions, in_force, node.get("note", ""))
    bound = _number(path, node, node[kind])
    if unit == "%" and not 0 <= bound <= 1:
        _fail(path, node, f"{kind}: {bound}：百分比目标写作小数（55% 写 0.55）")
    schedule = (Milestone(by, bound),) if by else ()
    return Target(kind, schedule, bound, levels, regions, in_force, node.get("note", ""))


def _number(path, node, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        _fail(path, node, f"目标值“{value}”应为数字")
    return float(value)


def _pair(path, node, key: str, first: str, second: str) -> tuple[Measure, Measure]:
    pair = node[key]
    # a missing half is named at the indicator's line (a missing mapping has no line of its own)
    if not isinstance(pair, dict) or not isinstance(pair.get(first), dict) or not isinstance(pair.get(second), dict):
        _fail(path, node, f"{key} 应有 {first} 和 {second} 两个度量")
    return _measure(path, pair[first]), _measure(path, pair[second])


def _difference(path, node) -> tuple[Measure, ...]:
    """plus − minus, where minus may be a list of measures (repaid, and compensated)."""
    pair = node["difference"]
    minus = pair.get("minus") if isinstance(pair, dict) else None
    minus = minus if isinstance(minus, list) else [minus]
    if not isinstance(pair, dict) or not isinstance(pair.get("plus"), dict) or not all(isinstance(m, dict) for m in minus):
        _fail(path, node, "difference 应有 plus 和 minus（一个度量或度量的列表）")
    return (_measure(path, pair["plus"]), *(_measure(path, m) for m in minus))


REQUIRED = ("key", "title", "unit", "group", "seed", "clause", "quote")


def _indicator(path, node, order: int) -> Indicator:
    for k in REQUIRED:
        if not node.get(k):
            _fail(path, node, f"指标缺少 {k}")
    if node["unit"] not in UNITS:
        _fail(path, node, f"unit: {node['unit']} 应为 {'、'.join(UNITS)} 之一")
    if "share" in node:
        form, measures = "share", _pair(path, node, "share", "numerator", "denominator")
        if node["unit"] != "%":
            _fail(path, node, "比重（share）的单位应为 %")
    elif "difference" in node:
        form, measures = "difference", _difference(path, node)
    else:
        form, measures = "measure", (_measure(path, node),)
    targets = tuple(_target(path, t, node["unit"]) for t in node.get("targets") or ())
    return Indicator(key=str(node["key"]), title=node["title"], unit=node["unit"], group=node["group"],
                     seed=node["seed"], clause=node["clause"], quote=node["quote"], form=form, measures=measures,
                     targets=targets, reading=node.get("reading", ""), order=order)


def parse(path: Path) -> list[Indicator]:
    data = load_yaml(path)
    items = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise CatalogError(path, None, "文件应有 indicators: 列表")
    return [_indicator(path, node, i) for i, node in enumerate(items)]


@functools.cache
def load_catalog() -> dict[str, Indicator]:
    out: dict[str, Indicator] = {}
    order = 0
    for path in sorted(CATALOG_DIR.glob("*.yaml")):
        for ind in parse(path):
            if ind.key in out:
                raise CatalogError(path, None, f"指标 {ind.key} 重复")
            out[ind.key] = Indicator(**{**ind.__dict__, "order": order})
            order += 1
    return out
