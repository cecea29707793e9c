"""The policy catalog: one YAML data file per document (policies/catalog/*.yaml), read into plain dataclasses.

Nothing in a catalog file is executed. Rules are written in a small vocabulary (conditions on named columns,
amount kinds, dated parameters) that the engine compiles into columnar expressions. A malformed file raises
CatalogError naming the file and line. The vocabulary is documented in docs/policy-catalog.md.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from . import columns
from fangpin.lib.yamldata import CatalogError, Node, NodeList, line_of
from fangpin.lib.yamldata import load as load_yaml

CATALOG_DIR = Path(__file__).parent / "catalog"
UNITS = {"yuan", "month", "day", "count", "mu", "ratio"}
ENTITIES = {"person", "household", "enterprise"}
OPERATORS = {"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte"}
# person_year: one row per person (or payee) and year, the highest; period: at most once per payee over the document's
# period ("一次性" with no "每年"): one row in a year, and none in a year after an earlier grant (engine.evaluate(granted=))
ONCE_PER = {"person_year", "period"}
CAP_PER = {"person_year"}  # a cap per person and year, summed over the person's rows (每人不超过 across trainings)
UNSTATED_FUNDING = "未规定"  # the seed names no source of funds


def value_text(value: Decimal | Fraction) -> str:
    """A parameter value as the catalog writes it: 1500, 15.6, 1/2."""
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)
    return format(value.normalize(), "f")


MAX_PARAMETER = 1_000_000_000


def parse_value(unit: str, raw) -> tuple[Decimal | Fraction | None, str | None]:
    """A parameter value as written in a file or typed on the page: (value, None) or (None, what is wrong)."""
    if unit == "ratio" and isinstance(raw, str) and "/" in raw:
        num, _, den = raw.partition("/")
        if not (num.strip().isdigit() and den.strip().isdigit() and int(den) > 0):
            return None, f"的比例“{raw}”应写成 分子/分母（如 1/3）"
        return Fraction(int(num), int(den)), None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None, f"的值“{raw}”不是数字"
    if not value.is_finite() or value < 0:
        return None, "的值应为非负数"
    if value > MAX_PARAMETER:  # amounts are computed in 64-bit fen; no clause comes near this
        return None, f"的值“{raw}”过大（上限 {MAX_PARAMETER:,}）"
    if unit == "yuan" and value != value.quantize(Decimal("0.01")):
        return None, "的金额最多两位小数"
    if unit in ("count", "day", "month") and value != value.to_integral_value():
        return None, "的值应为整数"
    return (Fraction(value) if unit == "ratio" else value), None


def parameters_of(b: Benefit) -> set[str]:
    """The parameters a benefit reads: in its conditions, amount and explanation."""
    import re

    def walk(conds):
        for c in conds:
            yield c
            yield from walk(c.children)

    refs = []
    for c in walk(b.when + tuple(t.when for t in b.amount.tiers)):
        refs.extend(c.value if isinstance(c.value, tuple) else (c.value,))
    a = b.amount
    refs.extend((a.value, a.units, a.cap, a.base, a.share, a.line, *a.rates, *(t.value for t in a.tiers)))
    refs.extend(x for st in a.steps for x in (st.upto, st.rate))
    refs.extend(a.base_at_most or ())
    names = {r.param for r in refs if r is not None and r.param}
    return names | set(re.findall(r"\{\$([^{}]+)\}", b.explain))
AMOUNT_KINDS = ("fixed", "per_unit", "tiers", "up_to", "share_of", "graduated", "gap")
BOUNDS = ("at_most", "at_least")  # the amount is a ceiling (paid as approved, never more) or a floor (never less)


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    unit: str
    values: tuple[tuple[dt.date, Decimal], ...]  # ascending by date
    per_year: bool = False  # a value set for one year only (e.g. the province's monitoring line): it lapses at year end

    def value_on(self, day: dt.date) -> Decimal | None:
        """The value in force on `day` (the latest value dated on or before it), in yuan for money."""
        current = None
        for since, value in self.values:
            if since <= day and not (self.per_year and since.year != day.year):
                current = value
        return current


@dataclass(frozen=True)
class Ref:
    """A value in a rule: a parameter ($name), a column (household.size) or a literal."""

    param: str | None = None
    col: str | None = None
    literal: object = None


@dataclass(frozen=True)
class Condition:
    kind: str  # cmp, any, all, not
    col: str | None = None
    op: str | None = None
    value: Ref | tuple[Ref, ...] | None = None
    children: tuple[Condition, ...] = ()
    label: str = ""
    denominator: str | None = None  # for ratio conditions: the column under the numerator `col`


@dataclass(frozen=True)
class Tier:
    when: Condition
    value: Ref


@dataclass(frozen=True)
class Step:
    """One band of a graduated amount: `rate` for each unit up to `upto` units in all (the last band has no end)."""
    upto: Ref | None
    rate: Ref


@dataclass(frozen=True)
class Amount:
    kind: str  # see AMOUNT_KINDS and docs/policy-catalog.md
    value: Ref | None = None
    rates: tuple[Ref, ...] = ()
    units: Ref | None = None
    tiers: tuple[Tier, ...] = ()
    cap: Ref | None = None  # the most one row may be (e.g. 每年累计不超过30万元)
    base: Ref | None = None  # share_of: a money column or parameter
    share: Ref | None = None  # share_of: a ratio parameter (1/2, 0.05)
    steps: tuple[Step, ...] = ()  # graduated
    line: Ref | None = None  # gap: a per-person money line; units = persons, base = the total it is compared with
    base_at_most: tuple[Ref, Ref] | None = None  # share_of: the base counted at most rate × units (50 元/m² × area)
    bound: str | None = None  # at_most (up_to) or at_least: the amount is a ceiling or a floor, not an exact sum
    cap_per: str | None = None  # person_year: `cap` bounds the sum of a person's rows in the year, not each row


@dataclass(frozen=True)
class Benefit:
    id: str
    clause: int
    name: str
    quote: str
    entity: str
    basis: str
    target: tuple[str, ...]
    when: tuple[Condition, ...]
    amount: Amount
    once_per: str | None
    funding: dict
    explain: str
    line: int | None = None
    payee: str | None = None  # an enterprise paid per row of a person basis (an agency per worker placed)
    not_with: tuple[str, ...] = ()  # 不重复享受: benefits the same payee cannot also have in the year (the higher stays)
    requires: tuple[str, ...] = ()  # columns without which a row cannot be evaluated: reported, never paid
    dated_by: str | None = None  # a date column: money parameters take their value on each row's date (a spell's start)


@dataclass(frozen=True)
class Document:
    id: str
    seed: str
    title: str
    number: str
    issuer: str
    regions: tuple[str, ...]
    effective_from: dt.date
    effective_to: dt.date | None
    parameters: dict[str, Parameter]
    benefits: tuple[Benefit, ...]
    path: str = field(default="", compare=False)

    def exclusive_groups(self) -> list[set[str]]:
        """Benefits that exclude one another (not_with, read both ways and transitively), as groups of ids."""
        groups: list[set[str]] = []
        present = {b.id for b in self.benefits}  # a part of the document (a Spark stage) keeps only its own
        for b in self.benefits:
            linked = {b.id, *(x for x in b.not_with if x in present)}
            if len(linked) == 1:
                continue
            touching = [g for g in groups if g & linked]
            for g in touching:
                groups.remove(g)
                linked |= g
            groups.append(linked)
        return groups

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def covers(self, division_code: str) -> bool:
        return any(division_code.startswith(r) for r in self.regions)

    def touches(self, division_code: str) -> bool:
        """Whether the document applies anywhere in the unit: it covers the unit, or a region of it lies inside (a
        county's page and 双发〔2022〕67号, which covers one township of it)."""
        from fangpin.lib import divisions

        try:
            prefix = divisions.prefix(divisions.full_code(division_code))
        except ValueError:
            return False
        return self.covers(division_code) or any(r.startswith(prefix) for r in self.regions)


class _Reader:
    def __init__(self, path: Path):
        self.path = path

    def fail(self, node, message: str, key=None):
        raise CatalogError(self.path, line_of(node, key), message)

    def mapping(self, node, where: str, required: set[str], optional: set[str] = frozenset()) -> Node:
        if not isinstance(node, dict):
            self.fail(node, f"{where}应为映射（键: 值）")
        unknown = set(node) - required - set(optional)
        for key in sorted(unknown, key=str):
            self.fail(node, f"{where}中有未知的键“{key}”", key)
        for key in sorted(required - set(node)):
            self.fail(node, f"{where}缺少“{key}”")
        return node

    def text(self, node, key, where) -> str:
        value = node[key]
        if not isinstance(value, (str, int)) or str(value).strip() == "":
            self.fail(node, f"{where}的“{key}”应为非空文本", key)
        return str(value)

    def date(self, node, key, where) -> dt.date:
        value = node[key]
        if not isinstance(value, dt.date):
            self.fail(node, f"{where}的“{key}”应为日期（如 2022-08-12）", key)
        return value

    def document(self) -> Document:
        root = self.mapping(load_yaml(self.path), "文件", {"document", "parameters", "benefits"})
        d = self.mapping(root["document"], "document", {"id", "seed", "title", "number", "issuer", "regions",
                                                        "effective_from"}, {"effective_to"})
        regions = d["regions"]
        if not isinstance(regions, list) or not regions or not all(isinstance(r, str) and r.isdigit() for r in regions):
            self.fail(d, "document 的“regions”应为区划代码前缀（数字文本）的列表", "regions")
        start = self.date(d, "effective_from", "document")
        end = self.date(d, "effective_to", "document") if d.get("effective_to") is not None else None
        if end and end < start:
            self.fail(d, "“effective_to”不能早于“effective_from”", "effective_to")
        params = self.parameters(root["parameters"])
        benefits = root["benefits"]
        if not isinstance(benefits, list):
            self.fail(root, "“benefits”应为列表", "benefits")
        ids = set()
        out = []
        for b in benefits:
            benefit = self.benefit(b, params)
            if benefit.id in ids:
                self.fail(b, f"待遇 id“{benefit.id}”重复", "id")
            ids.add(benefit.id)
            out.append(benefit)
        for b, node in zip(out, benefits, strict=True):
            for other in b.not_with:
                if other not in ids or other == b.id:
                    self.fail(node, f"待遇“{b.id}”的“not_with”引用了本文件中不存在的待遇“{other}”", "not_with")
                partner = next(x for x in out if x.id == other)
                if partner.entity != b.entity:
                    self.fail(node, f"待遇“{b.id}”与“{other}”的兑现对象不同，不能互斥", "not_with")
        return Document(
            id=self.text(d, "id", "document"), seed=self.text(d, "seed", "document"),
            title=self.text(d, "title", "document"), number=self.text(d, "number", "document"),
            issuer=self.text(d, "issuer", "document"), regions=tuple(regions), effective_from=start,
            effective_to=end, parameters=params, benefits=tuple(out), path=str(self.path),
        )

    def parameters(self, node) -> dict[str, Parameter]:
        if not isinstance(node, dict):
            self.fail(node, "“parameters”应为映射")
        out = {}
        for key, p in node.items():
            where = f"参数“{key}”"
            self.mapping(p, where, {"label", "unit", "values"}, {"per_year"})
            if not isinstance(p.get("per_year", False), bool):
                self.fail(p, f"{where}的“per_year”应为 true 或 false", "per_year")
            if p["unit"] not in UNITS:
                self.fail(p, f"{where}的单位应为以下之一：{'、'.join(sorted(UNITS))}", "unit")
            values = p["values"]
            if not isinstance(values, dict):  # {} : not set in the file (e.g. "按有关规定"), set on the page
                self.fail(p, f"{where}的“values”应为“日期: 数值”的映射", "values")
            dated = []
            for since, raw in values.items():
                if not isinstance(since, dt.date):
                    self.fail(values, f"{where}的取值应以日期为键（如 2022-08-12），实际为“{since}”", since)
                value, problem = parse_value(p["unit"], raw)
                if problem:
                    self.fail(values, f"{where}在 {since} {problem}", since)
                dated.append((since, value))
            out[key] = Parameter(key, str(p["label"]), p["unit"], tuple(sorted(dated)), bool(p.get("per_year", False)))
        return out

    def ref(self, node, raw, params, basis, where, key=None) -> Ref:
        if isinstance(raw, str) and raw.startswith("$"):
            if raw[1:] not in params:
                self.fail(node, f"{where}引用了不存在的参数“{raw}”", key)
            return Ref(param=raw[1:])
        if isinstance(raw, str) and "." in raw and raw.split(".")[0] in columns.NAMESPACES:
            if raw not in columns.available(basis):
                self.fail(node, f"{where}引用了本依据表（{basis}）没有的列“{raw}”", key)
            return Ref(col=raw)
        if isinstance(raw, (bool, int, float, str)):
            return Ref(literal=raw)
        self.fail(node, f"{where}的值“{raw}”无法识别", key)

    def condition(self, node, params, basis, where) -> Condition:
        if not isinstance(node, dict):
            self.fail(node, f"{where}的条件应为映射")
        for combinator in ("any", "all"):
            if combinator in node:
                self.mapping(node, where, {combinator}, {"label"})
                items = node[combinator]
                if not isinstance(items, list) or not items:
                    self.fail(node, f"{where}的“{combinator}”应为非空列表", combinator)
                return Condition(combinator, children=tuple(self.condition(c, params, basis, where) for c in items),
                                 label=str(node.get("label", "")))
        if "ratio" in node:
            return self.ratio_condition(node, params, basis, where)
        if "not" in node:
            self.mapping(node, where, {"not"}, {"label"})
            return Condition("not", children=(self.condition(node["not"], params, basis, where),), label=str(node.get("label", "")))
        ops = [k for k in node if k in OPERATORS]
        self.mapping(node, where, {"col"}, OPERATORS | {"label"})
        if len(ops) != 1:
            self.fail(node, f"{where}的条件应有且只有一个比较（{'、'.join(sorted(OPERATORS))}）")
        col, op = node["col"], ops[0]
        if col not in columns.available(basis):
            self.fail(node, f"{where}引用了本依据表（{basis}）没有的列“{col}”", "col")
        raw = node[op]
        if op in ("in", "not_in"):
            if not isinstance(raw, list) or not raw:
                self.fail(node, f"{where}的“{op}”应为非空列表", op)
            value = tuple(self.ref(node, r, params, basis, where, op) for r in raw)
            literals = [v.literal for v in value if v.literal is not None]
        else:
            value = self.ref(node, raw, params, basis, where, op)
            literals = [value.literal] if value.literal is not None else []
        spec = columns.COLUMNS[col]
        if spec.kind in ("enum", "bool", "str") and op in ("gt", "gte", "lt", "lte"):
            self.fail(node, f"{where}：列“{col}”不能比较大小", op)
        for lit in literals:
            if spec.kind == "enum" and lit not in spec.choices.values:
                self.fail(node, f"{where}：列“{col}”的取值应为 {'、'.join(spec.choices.values)} 之一，实际为“{lit}”", op)
            if spec.kind == "bool" and not isinstance(lit, bool):
                self.fail(node, f"{where}：列“{col}”只能与 true/false 比较", op)
        return Condition("cmp", col=col, op=op, value=value, label=str(node.get("label", "")))

    def ratio_condition(self, node, params, basis, where) -> Condition:
        """{ratio: [numerator column, denominator column], gte: $share}: compared exactly, a × d ≥ b × n."""
        ops = [k for k in node if k in ("gt", "gte", "lt", "lte")]
        self.mapping(node, where, {"ratio"}, {"gt", "gte", "lt", "lte", "label"})
        pair = node["ratio"]
        if not isinstance(pair, list) or len(pair) != 2 or any(c not in columns.available(basis) for c in pair):
            self.fail(node, f"{where}的“ratio”应为本依据表（{basis}）的两列：[分子, 分母]", "ratio")
        if any(columns.COLUMNS[c].kind != "int" for c in pair):
            self.fail(node, f"{where}的“ratio”只能用于整数列（人数等）", "ratio")
        if len(ops) != 1:
            self.fail(node, f"{where}的比例条件应有且只有一个比较（gt、gte、lt、lte）")
        ref = self.ref(node, node[ops[0]], params, basis, where, ops[0])
        if not ref.param or params[ref.param].unit != "ratio":
            self.fail(node, f"{where}的比例应与单位为 ratio 的参数比较（如 1/3）", ops[0])
        return Condition("ratio", col=pair[0], op=ops[0], value=ref, children=(), label=str(node.get("label", "")),
                         denominator=pair[1])

    def amount(self, node, params, basis, where) -> Amount:
        kinds = [k for k in AMOUNT_KINDS if k in node] if isinstance(node, dict) else []
        if len(kinds) != 1:
            self.fail(node, f"{where}的“amount”应有且只有 {'、'.join(AMOUNT_KINDS)} 之一")
        kind = kinds[0]
        self.mapping(node, where, {kind}, {"cap", "bound", "cap_per"})
        cap = self.money_ref(node, node["cap"], params, basis, where, "cap") if "cap" in node else None
        cap_per = node.get("cap_per")
        if cap_per is not None and (cap_per not in CAP_PER or cap is None or basis in ("household", "enterprise")):
            self.fail(node, f"{where}的“cap_per”应为 {'、'.join(CAP_PER)}，且须有 cap、依据表为人的记录", "cap_per")
        bound = node.get("bound")
        if bound is not None and bound not in BOUNDS:
            self.fail(node, f"{where}的“bound”应为 {'、'.join(BOUNDS)} 之一", "bound")
        if kind == "up_to":
            bound = "at_most"
        if kind in ("fixed", "up_to"):
            return Amount(kind, value=self.money_ref(node, node[kind], params, basis, where, kind), cap=cap, bound=bound, cap_per=cap_per)
        if kind == "per_unit":
            spec = self.mapping(node["per_unit"], f"{where}的 per_unit", {"rate", "units"})
            rates = spec["rate"] if isinstance(spec["rate"], list) else [spec["rate"]]
            return Amount("per_unit", rates=tuple(self.money_ref(spec, r, params, basis, where, "rate") for r in rates),
                          units=self.ref(spec, spec["units"], params, basis, where, "units"), cap=cap, bound=bound, cap_per=cap_per)
        if kind == "share_of":
            spec = self.mapping(node[kind], f"{where}的 share_of", {"base"}, {"share", "units", "base_at_most"})
            base = self.ref(spec, spec["base"], params, basis, where, "base")
            if not (base.param and params[base.param].unit == "yuan") and not (
                    base.col and columns.COLUMNS[base.col].kind == "money"):
                self.fail(spec, f"{where}：share_of 的 base 应为金额列或单位为 yuan 的参数", "base")
            share = self.ratio_ref(spec, spec["share"], params, basis, where, "share") if "share" in spec else None
            units = self.count_ref(spec, spec["units"], params, basis, where, "units") if "units" in spec else None
            at_most = None
            if "base_at_most" in spec:
                lim = self.mapping(spec["base_at_most"], f"{where}的 base_at_most", {"rate", "units"})
                per = self.ref(lim, lim["units"], params, basis, where, "units")
                if not per.col or columns.COLUMNS[per.col].kind not in ("int", "area"):
                    self.fail(lim, f"{where}：base_at_most 的 units 应为数量或面积列", "units")
                at_most = (self.money_ref(lim, lim["rate"], params, basis, where, "rate"), per)
            return Amount(kind, base=base, share=share, units=units, cap=cap, bound=bound, cap_per=cap_per, base_at_most=at_most)
        if kind == "graduated":
            spec = self.mapping(node[kind], f"{where}的 graduated", {"units", "steps"})
            steps = spec["steps"]
            if not isinstance(steps, list) or not steps:
                self.fail(spec, f"{where}的“steps”应为非空列表", "steps")
            out_steps = []
            for i, st in enumerate(steps):
                last = i == len(steps) - 1
                self.mapping(st, f"{where}的分段", {"rate"} if last else {"rate", "upto"})
                upto = None if last else self.count_ref(st, st["upto"], params, basis, where, "upto")
                if upto is not None and not upto.param:
                    self.fail(st, f"{where}：分段的 upto 应引用参数", "upto")
                out_steps.append(Step(upto, self.money_ref(st, st["rate"], params, basis, where, "rate")))
            units = self.count_ref(spec, spec["units"], params, basis, where, "units")
            if not units.col:
                self.fail(spec, f"{where}：graduated 的 units 应为列", "units")
            return Amount(kind, units=units, steps=tuple(out_steps), cap=cap, bound=bound, cap_per=cap_per)
        if kind == "gap":
            spec = self.mapping(node[kind], f"{where}的 gap", {"line", "persons", "income"})
            persons = self.count_ref(spec, spec["persons"], params, basis, where, "persons")
            income = self.ref(spec, spec["income"], params, basis, where, "income")
            if not income.col or columns.COLUMNS[income.col].kind != "money" or not persons.col:
                self.fail(spec, f"{where}：gap 的 persons 应为人数列，income 应为金额列", "income")
            return Amount(kind, line=self.money_ref(spec, spec["line"], params, basis, where, "line"), units=persons,
                          base=income, cap=cap, bound=bound, cap_per=cap_per)
        tiers = node["tiers"]
        if not isinstance(tiers, list) or not tiers:
            self.fail(node, f"{where}的“tiers”应为非空列表", "tiers")
        out = []
        for t in tiers:
            self.mapping(t, f"{where}的档次", {"when", "value"})
            out.append(Tier(self.condition(t["when"], params, basis, where),
                            self.money_ref(t, t["value"], params, basis, where, "value")))
        return Amount("tiers", tiers=tuple(out), cap=cap, bound=bound, cap_per=cap_per)

    def ratio_ref(self, node, raw, params, basis, where, key) -> Ref:
        ref = self.ref(node, raw, params, basis, where, key)
        if not ref.param or params[ref.param].unit != "ratio":
            self.fail(node, f"{where}：比例应引用单位为 ratio 的参数（如 1/2、0.05）", key)
        return ref

    def count_ref(self, node, raw, params, basis, where, key) -> Ref:
        """Units: an integer column (days, persons, months) or a count/day/month parameter."""
        ref = self.ref(node, raw, params, basis, where, key)
        if ref.col and columns.COLUMNS[ref.col].kind != "int":
            self.fail(node, f"{where}：“{key}”应为整数列（天数、人数、月数），“{ref.col}”不是", key)
        if ref.param and params[ref.param].unit not in ("count", "day", "month"):
            self.fail(node, f"{where}：“{key}”应引用单位为 count、day 或 month 的参数", key)
        return ref

    def money_ref(self, node, raw, params, basis, where, key) -> Ref:
        ref = self.ref(node, raw, params, basis, where, key)
        if ref.param and params[ref.param].unit != "yuan":
            self.fail(node, f"{where}：金额应引用单位为 yuan 的参数，“${ref.param}”的单位是 {params[ref.param].unit}", key)
        if ref.col or (ref.literal is not None and not ref.param):
            self.fail(node, f"{where}：金额应引用参数（$名称），以便按日期取值和模拟", key)
        return ref

    def benefit(self, node, params) -> Benefit:
        where = f"待遇“{node.get('id', '?')}”" if isinstance(node, dict) else "待遇"
        self.mapping(node, where, {"id", "clause", "name", "quote", "entity", "basis", "amount", "explain"},
                     {"target", "when", "once_per", "funding", "payee", "requires", "not_with", "dated_by"})
        basis = node["basis"]
        if basis not in columns.BASES:
            self.fail(node, f"{where}的依据表应为以下之一：{'、'.join(columns.BASES)}", "basis")
        if node["entity"] not in ENTITIES:
            self.fail(node, f"{where}的兑现对象应为以下之一：{'、'.join(sorted(ENTITIES))}", "entity")
        payee = node.get("payee")
        if (basis == "enterprise" or payee is not None) != (node["entity"] == "enterprise"):
            self.fail(node, f"{where}：兑现对象为 enterprise 时，依据表应为 enterprise，或用 payee 指明收款的经营主体列", "entity")
        if payee is not None and (payee not in columns.available(basis) or columns.COLUMNS[payee].kind != "code"):
            self.fail(node, f"{where}的“payee”应为本依据表中的信用代码列", "payee")
        requires = node.get("requires") or []
        if not isinstance(requires, list) or any(r not in columns.available(basis) for r in requires):
            self.fail(node, f"{where}的“requires”应为本依据表的列名列表", "requires")
        if basis == "enterprise" and node.get("target"):
            self.fail(node, f"{where}：经营主体待遇不能用户类别（target）限定，请用条件", "target")
        if not isinstance(node["clause"], int):
            self.fail(node, f"{where}的“clause”应为条款序号（整数）", "clause")
        target = node.get("target") or []
        from fangpin.registry.choices import Category

        if not isinstance(target, list) or any(t not in Category.values for t in target):
            self.fail(node, f"{where}的“target”应为户类别列表（{'、'.join(Category.values)}）", "target")
        when = node.get("when") or []
        if not isinstance(when, list):
            self.fail(node, f"{where}的“when”应为条件列表", "when")
        once = node.get("once_per")
        if once is not None and once not in ONCE_PER:
            self.fail(node, f"{where}的“once_per”应为 {'、'.join(ONCE_PER)}", "once_per")
        funding = node.get("funding") or {"source": UNSTATED_FUNDING}  # never invented: 未规定 where the seed is silent
        if not isinstance(funding, dict):
            self.fail(node, f"{where}的“funding”应为映射", "funding")
        dated_by = node.get("dated_by")
        if dated_by is not None and (dated_by not in columns.available(basis) or columns.COLUMNS[dated_by].kind != "date"):
            self.fail(node, f"{where}的“dated_by”应为本依据表的日期列", "dated_by")
        amount = self.amount(node["amount"], params, basis, where)
        if dated_by is not None and (amount.kind not in ("fixed", "up_to", "tiers", "per_unit") or amount.cap_per):
            self.fail(node, f"{where}：“dated_by”只能用于 fixed、up_to、tiers、per_unit 金额，且不与 cap_per 同用", "dated_by")
        return Benefit(
            id=str(node["id"]), clause=node["clause"], name=str(node["name"]), quote=str(node["quote"]),
            entity=node["entity"], basis=basis, target=tuple(target),
            when=tuple(self.condition(c, params, basis, where) for c in when),
            amount=amount, once_per=once, funding=dict(funding),
            explain=str(node["explain"]), line=line_of(node), payee=payee, requires=tuple(requires),
            not_with=tuple(str(x) for x in (node.get("not_with") or [])), dated_by=dated_by,
        )


def load_document(path: Path) -> Document:
    return _Reader(Path(path)).document()


def load_catalog(directory: Path = CATALOG_DIR) -> dict[str, Document]:
    """All documents of the catalog; read again only when a file changes."""
    stamp = tuple((p.name, p.stat().st_mtime_ns) for p in sorted(Path(directory).glob("*.yaml")))
    return _load_catalog(str(directory), stamp)


@functools.lru_cache(maxsize=4)
def _load_catalog(directory: str, stamp: tuple) -> dict[str, Document]:
    docs = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        doc = load_document(path)
        if doc.id in docs:
            raise CatalogError(path, None, f"文件 id“{doc.id}”与 {docs[doc.id].path} 重复")
        docs[doc.id] = doc
    return docs


__all__ = ["CatalogError", "Document", "Benefit", "Parameter", "load_catalog", "load_document", "NodeList"]
