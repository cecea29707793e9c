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
from .yamldata import CatalogError, Node, NodeList, line_of
from .yamldata import load as load_yaml

CATALOG_DIR = Path(__file__).parent / "catalog"
UNITS = {"yuan", "month", "day", "count", "mu", "ratio"}
ENTITIES = {"person", "household", "enterprise"}
OPERATORS = {"eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte"}
ONCE_PER = {"person_year"}
AMOUNT_KINDS = ("fixed", "per_unit", "tiers", "up_to")


@dataclass(frozen=True)
class Parameter:
    key: str
    label: str
    unit: str
    values: tuple[tuple[dt.date, Decimal], ...]  # ascending by date

    def value_on(self, day: dt.date) -> Decimal | None:
        """The value in force on `day` (the latest value dated on or before it), in yuan for money."""
        current = None
        for since, value in self.values:
            if since <= day:
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
class Amount:
    kind: str  # fixed, per_unit, tiers, up_to (a ceiling: paid as approved, never more)
    value: Ref | None = None
    rates: tuple[Ref, ...] = ()
    units: Ref | None = None
    tiers: tuple[Tier, ...] = ()
    cap: Ref | None = None  # the most one row may be (e.g. 每年累计不超过30万元)


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

    def in_force(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    def covers(self, division_code: str) -> bool:
        return any(division_code.startswith(r) for r in self.regions)


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
            self.mapping(p, where, {"label", "unit", "values"})
            if p["unit"] not in UNITS:
                self.fail(p, f"{where}的单位应为以下之一：{'、'.join(sorted(UNITS))}", "unit")
            values = p["values"]
            if not isinstance(values, dict) or not values:
                self.fail(p, f"{where}的“values”应为“日期: 数值”的映射", "values")
            dated = []
            for since, raw in values.items():
                if not isinstance(since, dt.date):
                    self.fail(values, f"{where}的取值应以日期为键（如 2022-08-12），实际为“{since}”", since)
                if p["unit"] == "ratio" and isinstance(raw, str) and "/" in raw:
                    num, _, den = raw.partition("/")
                    if not (num.strip().isdigit() and den.strip().isdigit() and int(den) > 0):
                        self.fail(values, f"{where}在 {since} 的比例“{raw}”应写成 分子/分母（如 1/3）", since)
                    dated.append((since, Fraction(int(num), int(den))))
                    continue
                try:
                    value = Decimal(str(raw))
                except InvalidOperation:
                    self.fail(values, f"{where}在 {since} 的值“{raw}”不是数字", since)
                if not value.is_finite() or value < 0:
                    self.fail(values, f"{where}在 {since} 的值应为非负数", since)
                if p["unit"] == "yuan" and value != value.quantize(Decimal("0.01")):
                    self.fail(values, f"{where}在 {since} 的金额最多两位小数", since)
                dated.append((since, Fraction(value) if p["unit"] == "ratio" else value))
            out[key] = Parameter(key, str(p["label"]), p["unit"], tuple(sorted(dated)))
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
        self.mapping(node, where, {kind}, {"cap"})
        cap = self.money_ref(node, node["cap"], params, basis, where, "cap") if "cap" in node else None
        if kind in ("fixed", "up_to"):
            return Amount(kind, value=self.money_ref(node, node[kind], params, basis, where, kind), cap=cap)
        if kind == "per_unit":
            spec = self.mapping(node["per_unit"], f"{where}的 per_unit", {"rate", "units"})
            rates = spec["rate"] if isinstance(spec["rate"], list) else [spec["rate"]]
            return Amount("per_unit", rates=tuple(self.money_ref(spec, r, params, basis, where, "rate") for r in rates),
                          units=self.ref(spec, spec["units"], params, basis, where, "units"), cap=cap)
        tiers = node["tiers"]
        if not isinstance(tiers, list) or not tiers:
            self.fail(node, f"{where}的“tiers”应为非空列表", "tiers")
        out = []
        for t in tiers:
            self.mapping(t, f"{where}的档次", {"when", "value"})
            out.append(Tier(self.condition(t["when"], params, basis, where),
                            self.money_ref(t, t["value"], params, basis, where, "value")))
        return Amount("tiers", tiers=tuple(out), cap=cap)

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
                     {"target", "when", "once_per", "funding"})
        basis = node["basis"]
        if basis not in columns.BASES:
            self.fail(node, f"{where}的依据表应为以下之一：{'、'.join(columns.BASES)}", "basis")
        if node["entity"] not in ENTITIES:
            self.fail(node, f"{where}的兑现对象应为以下之一：{'、'.join(sorted(ENTITIES))}", "entity")
        if (basis == "enterprise") != (node["entity"] == "enterprise"):
            self.fail(node, f"{where}：依据表为 enterprise 时兑现对象必须是 enterprise，反之亦然", "entity")
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
        funding = node.get("funding") or {}
        if not isinstance(funding, dict):
            self.fail(node, f"{where}的“funding”应为映射", "funding")
        return Benefit(
            id=str(node["id"]), clause=node["clause"], name=str(node["name"]), quote=str(node["quote"]),
            entity=node["entity"], basis=basis, target=tuple(target),
            when=tuple(self.condition(c, params, basis, where) for c in when),
            amount=self.amount(node["amount"], params, basis, where), once_per=once, funding=dict(funding),
            explain=str(node["explain"]), line=line_of(node),
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
