"""Screening (筛查预警): department rows matched to registry persons by ID number, warning rules (rules.yaml, data)
applied over whole tables in Polars. Pure functions of data frames, no database, so that the same code runs in a web
job, a benchmark and inside Spark partitions (spark_screening.py).

Three steps, each partitionable:
1. `signals(rows, rules)`: per rule, the rows it looks at summed per person (ID number + name) and period
   (partition by ID number);
2. `match(identities, persons)`: each (ID number, name) seen in the files classified as matched, invalid ID, name
   mismatch or not in the registry (partition by ID number); only "matched" ever reaches a warning;
3. `warnings(matched_signals, rules)`: signals summed per household or person, thresholds applied, reasons written
   (partition by household).
A warning's key is (household, rule, period, subject): screening the same data again yields the same keys.
"""
from __future__ import annotations

import datetime as dt
import string
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from fangpin.lib.idnumber import CHECK_CHARS, PROVINCE_PREFIXES, WEIGHTS
from fangpin.lib.money import MoneyError, yuan_to_fen
from fangpin.lib.yamldata import CatalogError, line_of
from fangpin.lib.yamldata import load as load_yaml
from fangpin.policies.engine import yuan_text

from .feeds import FEEDS, NORMALIZED_SCHEMA, Feed

RULES_PATH = Path(__file__).with_name("rules.yaml")
SOURCES_KEPT = 20  # source rows kept on a warning (the count says how many there were)

ROWS_SCHEMA = {"feed": pl.String, "upload_id": pl.Int64, **NORMALIZED_SCHEMA}
PERSONS_SCHEMA = {"id_number": pl.String, "name": pl.String, "person_id": pl.Int64, "household_id": pl.Int64,
                  "village_code": pl.String}
SOURCE = pl.Struct({"upload_id": pl.Int64, "row": pl.Int64})
SIGNALS_SCHEMA = {"rule": pl.String, "id_number": pl.String, "name": pl.String, "period": pl.String,
                  "total": pl.Int64, "count": pl.Int64, "codes": pl.List(pl.String), "sources": pl.List(SOURCE)}
IDENTITIES_SCHEMA = {"feed": pl.String, "id_number": pl.String, "name": pl.String, "upload_id": pl.Int64,
                     "first_row": pl.Int64, "count": pl.Int64}
MATCHED_SCHEMA = {**IDENTITIES_SCHEMA, "status": pl.String, "person_id": pl.Int64, "household_id": pl.Int64,
                  "village_code": pl.String, "registry_name": pl.String}
WARNINGS_SCHEMA = {"household_id": pl.Int64, "village_code": pl.String, "rule": pl.String, "period": pl.String,
                   "subject": pl.String, "risk": pl.String, "reason": pl.String, "total": pl.Int64,
                   "count": pl.Int64, "days": pl.Int64, "person_ids": pl.List(pl.Int64), "sources": pl.List(SOURCE)}

STATUS_LABELS = {"matched": "已匹配", "invalid_id": "身份证号无效", "name_mismatch": "姓名与户籍不符",
                 "absent": "户籍库中无此人"}
RISK_LABELS = {"income": "收入", "medical": "医疗", "education": "教育", "housing": "住房", "water": "饮水",
               "sudden": "突发困难"}
PLACEHOLDERS = {"persons", "period", "total", "at_least", "codes", "count"}


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    feed: str
    per: str  # person | household
    window: str  # year | event
    risk: str
    days: int
    reason: str
    codes: tuple[str, ...] = ()
    at_least: int | None = None  # fen
    skip_monitored: bool = False  # no warning for a household already monitored with its risk open


INCOME_FLAGS = {"below": "低于监测标准", "edge": "低于边缘", "fell": "比上年下降", "sharp_fall": "比上年大幅下降"}
INCOME_PLACEHOLDERS = {"year", "per_capita", "line", "last_year", "last_per_capita", "fall"}
CATEGORIES = ("lifted", "monitored", "ordinary")


@dataclass(frozen=True)
class IncomeRule:
    """A warning raised by the income accounting's result (rules.yaml, income_rules)."""
    id: str
    label: str
    flag: str  # below | edge | fell | sharp_fall
    categories: tuple[str, ...]
    at_risk: bool  # also monitored households whose risk is not eliminated
    risk: str
    days: int
    reason: str

    @property
    def falls(self) -> bool:
        return self.flag in ("fell", "sharp_fall")


@dataclass(frozen=True)
class RuleBook:
    rules: tuple[Rule, ...]
    procedure: dict
    elimination: dict
    income: tuple[IncomeRule, ...] = ()
    referrals: dict = None  # type: ignore[assignment]
    guarantees: dict = None  # type: ignore[assignment]

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def income_rule(self, rule_id: str) -> IncomeRule | None:
        return next((r for r in self.income if r.id == rule_id), None)

    def label(self, rule_id: str) -> str:
        r = self.rule(rule_id) or self.income_rule(rule_id)
        return r.label if r else rule_id

    def is_income(self, rule_id: str) -> bool:
        return self.income_rule(rule_id) is not None


def load_rules(path: Path = RULES_PATH, feeds: dict[str, Feed] = FEEDS) -> RuleBook:
    data = load_yaml(path)
    rules, seen = [], set()
    for node in data.get("rules") or []:
        def fail(message, key=None, node=node):
            raise CatalogError(path, line_of(node, key), message)
        rid = str(node.get("id", ""))
        if not rid or rid in seen:
            fail(f"规则编号“{rid}”为空或重复", "id")
        seen.add(rid)
        feed = feeds.get(node.get("feed"))
        if feed is None:
            fail(f"规则“{rid}”的部门数据“{node.get('feed')}”不存在（应为：{'、'.join(feeds)}）", "feed")
        codes = tuple(str(c) for c in node.get("codes") or ())
        unknown = [c for c in codes if c not in feed.code_values.values()]
        if unknown:
            fail(f"规则“{rid}”的取值{unknown}不是{feed.label}的取值", "codes")
        if node.get("per") not in ("person", "household"):
            fail(f"规则“{rid}”的 per 应为 person 或 household", "per")
        if node.get("window") not in ("year", "event"):
            fail(f"规则“{rid}”的 window 应为 year 或 event", "window")
        if node.get("risk") not in RISK_LABELS:
            fail(f"规则“{rid}”的 risk 应为：{'、'.join(RISK_LABELS)}", "risk")
        at_least = node.get("at_least")
        if at_least is not None:
            if not feed.amount_header:
                fail(f"规则“{rid}”设了金额阈值，但{feed.label}没有金额列", "at_least")
            try:
                at_least = yuan_to_fen(at_least)
            except MoneyError as e:
                fail(f"规则“{rid}”的阈值：{e}", "at_least")
        days = node.get("days")
        if not isinstance(days, int) or days <= 0:
            fail(f"规则“{rid}”的核实期限 days 应为正整数", "days")
        reason = str(node.get("reason", ""))
        fields = {f for _, f, _, _ in string.Formatter().parse(reason) if f}
        if not reason or fields - PLACEHOLDERS:
            fail(f"规则“{rid}”的原因模板为空或含未知占位符{sorted(fields - PLACEHOLDERS)}", "reason")
        rules.append(Rule(id=rid, label=str(node.get("label", rid)), feed=feed.key, per=node["per"],
                          window=node["window"], risk=node["risk"], days=days, reason=reason, codes=codes,
                          at_least=at_least, skip_monitored=node.get("skip_monitored") is True))
    if not rules:
        raise CatalogError(path, line_of(data), "没有预警规则")
    return RuleBook(tuple(rules), dict(data.get("procedure") or {}), dict(data.get("elimination") or {}),
                    _income_rules(path, data.get("income_rules") or [], seen), _referral_rules(path, data),
                    _guarantee_rules(path, data, feeds))


def _guarantee_rules(path: Path, data, feeds: dict[str, Feed]) -> dict:
    node = data.get("guarantees") or {}
    for kind, spec in node.items():
        if kind not in ("education", "medical", "housing", "water"):
            raise CatalogError(path, line_of(node, kind), f"guarantees 的“{kind}”不是三保障和饮水安全之一")
        feed = feeds.get(spec.get("feed"))
        if feed is None or spec.get("per") not in ("person", "household"):
            raise CatalogError(path, line_of(spec), f"guarantees.{kind} 的 feed 或 per 无效")
        unknown = [c for c in (*spec.get("open", []), *spec.get("clear", [])) if c not in feed.code_values.values()]
        if unknown or not spec.get("open"):
            raise CatalogError(path, line_of(spec), f"guarantees.{kind} 的取值{unknown}不是{feed.label}的取值")
    return dict(node)


def _referral_rules(path: Path, data) -> dict:
    node = data.get("referrals") or {}
    expected = {"dibao", "tekun", "temporary"}
    if set(node) != expected:
        raise CatalogError(path, line_of(node or data), f"referrals 应有且只有{'、'.join(sorted(expected))}三项")
    for key in ("min_age", "days"):
        owner = "tekun" if key == "min_age" else "temporary"
        value = node[owner].get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise CatalogError(path, line_of(node[owner], key), f"referrals.{owner}.{key} 应为正整数")
    return dict(node)


def _income_rules(path: Path, nodes: list, seen: set[str]) -> tuple[IncomeRule, ...]:
    out = []
    for node in nodes:
        def fail(message, key=None, node=node):
            raise CatalogError(path, line_of(node, key), message)
        rid = str(node.get("id", ""))
        if not rid or rid in seen:
            fail(f"规则编号“{rid}”为空或重复", "id")
        seen.add(rid)
        if node.get("flag") not in INCOME_FLAGS:
            fail(f"收入预警“{rid}”的 flag 应为：{'、'.join(INCOME_FLAGS)}", "flag")
        categories = tuple(str(c) for c in node.get("categories") or ())
        if not categories or set(categories) - set(CATEGORIES):
            fail(f"收入预警“{rid}”的 categories 应为{'、'.join(CATEGORIES)}中的一个或几个", "categories")
        if not isinstance(node.get("at_risk"), bool):
            fail(f"收入预警“{rid}”的 at_risk 应为 true 或 false", "at_risk")
        if node.get("risk") not in RISK_LABELS:
            fail(f"收入预警“{rid}”的 risk 应为：{'、'.join(RISK_LABELS)}", "risk")
        days = node.get("days")
        if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
            fail(f"收入预警“{rid}”的核实期限 days 应为正整数", "days")
        reason = str(node.get("reason", ""))
        fields = {f for _, f, _, _ in string.Formatter().parse(reason) if f}
        if not reason or fields - INCOME_PLACEHOLDERS:
            fail(f"收入预警“{rid}”的原因模板为空或含未知占位符{sorted(fields - INCOME_PLACEHOLDERS)}", "reason")
        out.append(IncomeRule(id=rid, label=str(node.get("label", rid)), flag=node["flag"], categories=categories,
                              at_risk=node["at_risk"], risk=node["risk"], days=days, reason=reason))
    return tuple(out)


RULES = load_rules()


# --- ID numbers, names --------------------------------------------------------------------------------------------

def id_valid(expr: pl.Expr, today: dt.date) -> pl.Expr:
    """GB 11643 over a column: shape, province, a real birth date not after today, the MOD 11-2 check character."""
    shape = expr.str.contains(r"^\d{17}[\dX]$")
    birth = expr.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    total = pl.sum_horizontal([expr.str.slice(i, 1).cast(pl.Int64, strict=False) * w for i, w in enumerate(WEIGHTS)])
    check = (total % 11).replace_strict(dict(enumerate(CHECK_CHARS)), return_dtype=pl.String)
    return (shape & expr.str.slice(0, 2).is_in(sorted(PROVINCE_PREFIXES)) & birth.is_not_null()
            & (birth <= pl.lit(today)) & (birth >= pl.lit(dt.date(1880, 1, 1)))
            & (check == expr.str.slice(17, 1))).fill_null(False)


def same_name(expr: pl.Expr) -> pl.Expr:
    """Names compared without spaces and with one middle dot (少数民族姓名的“·”有多种写法)."""
    return expr.str.replace_all(r"\s", "").str.replace_all(r"[·•・．.]", "·")


# --- 1. signals ---------------------------------------------------------------------------------------------------

def signals(rows: pl.DataFrame, rules: tuple[Rule, ...]) -> pl.DataFrame:
    by_feed = {k[0]: v for k, v in rows.partition_by("feed", as_dict=True).items()} if rows.height else {}
    parts = [pl.DataFrame(schema=SIGNALS_SCHEMA)]
    for r in rules:
        q = by_feed.get(r.feed)
        if q is None:
            continue
        if r.codes:
            q = q.filter(pl.col("code").is_in(list(r.codes)))
        period = (pl.col("date").dt.year().cast(pl.String) if r.window == "year"
                  else pl.col("date").cast(pl.String))
        parts.append(
            q.with_columns(period.alias("period"))
            .group_by("id_number", "name", "period")
            .agg(total=pl.col("amount").fill_null(0).sum(), count=pl.len(),
                 codes=pl.col("code").drop_nulls().unique().sort(),
                 sources=pl.struct("upload_id", "row").sort_by("upload_id", "row").head(SOURCES_KEPT))
            .with_columns(rule=pl.lit(r.id))
            .select(list(SIGNALS_SCHEMA)).cast(SIGNALS_SCHEMA))  # type: ignore[arg-type]
    return pl.concat(parts)


def identities(rows: pl.DataFrame) -> pl.DataFrame:
    """Every (feed, ID number, name) in the files, with the first row it appears on."""
    return (rows.group_by("feed", "id_number", "name")
            .agg(upload_id=pl.col("upload_id").sort_by("upload_id", "row").first(), first_row=pl.col("row").min(),
                 count=pl.len())
            .select(list(IDENTITIES_SCHEMA)).cast(IDENTITIES_SCHEMA))  # type: ignore[arg-type]


# --- 2. match -----------------------------------------------------------------------------------------------------

def match(ids: pl.DataFrame, persons: pl.DataFrame, *, today: dt.date) -> pl.DataFrame:
    """Classify each identity: matched (ID in the registry and the same name), invalid_id, name_mismatch, absent."""
    joined = ids.join(persons.rename({"name": "registry_name"}), on="id_number", how="left")
    status = (pl.when(~id_valid(pl.col("id_number"), today)).then(pl.lit("invalid_id"))
              .when(pl.col("person_id").is_null()).then(pl.lit("absent"))
              .when(same_name(pl.col("name")) != same_name(pl.col("registry_name"))).then(pl.lit("name_mismatch"))
              .otherwise(pl.lit("matched")))
    out = joined.with_columns(status.alias("status"))
    # A row with an invalid ID or another person's name is never attached to a household.
    keep = pl.col("status").is_in(["matched", "name_mismatch"])
    out = out.with_columns(*(pl.when(keep).then(pl.col(c)).otherwise(None).alias(c)
                             for c in ("person_id", "household_id", "village_code", "registry_name")))
    out = out.with_columns(*(pl.when(pl.col("status") == "matched").then(pl.col(c)).otherwise(None).alias(c)
                             for c in ("person_id", "household_id", "village_code")))
    return out.select(list(MATCHED_SCHEMA)).cast(MATCHED_SCHEMA)  # type: ignore[arg-type]


def matched_signals(sigs: pl.DataFrame, matched: pl.DataFrame) -> pl.DataFrame:
    """Signals of matched persons only, named as in the registry."""
    ok = (matched.filter(pl.col("status") == "matched")
          .select("id_number", "name", "registry_name", "person_id", "household_id", "village_code")
          .unique(["id_number", "name"]))
    return (sigs.join(ok, on=["id_number", "name"], how="inner")
            .drop("name").rename({"registry_name": "name"}))


# --- 3. warnings --------------------------------------------------------------------------------------------------

def _template(text: str, fields: dict[str, pl.Expr]) -> pl.Expr:
    pieces = []
    for literal, name, _, _ in string.Formatter().parse(text):
        if literal:
            pieces.append(pl.lit(literal))
        if name:
            pieces.append(fields[name])
    return pl.concat_str(pieces)


# The lists are exploded outside the group-by: exploding, sorting and cutting them inside one aggregation crashed
# Polars 2.1 once in CI (a segmentation fault), and the plain form is as fast.
def _codes(s: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    return (s.select(*keys, "codes").explode("codes").drop_nulls("codes").unique()
            .sort(*keys, "codes").group_by(keys, maintain_order=True).agg(pl.col("codes")))


def _sources(s: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    e = s.select(*keys, "sources").explode("sources").drop_nulls("sources")
    return (e.sort(*keys, pl.col("sources").struct.field("upload_id"), pl.col("sources").struct.field("row"))
            .group_by(keys, maintain_order=True).agg(pl.col("sources").head(SOURCES_KEPT)))


def warnings(sigs: pl.DataFrame, rules: tuple[Rule, ...]) -> pl.DataFrame:
    """Matched signals -> warnings: summed per household (or person), thresholds applied, reasons written."""
    parts = [pl.DataFrame(schema=WARNINGS_SCHEMA)]
    for r in rules:
        s = sigs.filter(pl.col("rule") == r.id)
        if not s.height:
            continue
        keys = ["household_id", "village_code", "period"] + (["person_id"] if r.per == "person" else [])
        w = (s.group_by(keys).agg(
                total=pl.col("total").sum(), count=pl.col("count").sum(),
                persons=pl.col("name").unique().sort().str.join("、"),
                person_ids=pl.col("person_id").unique().sort())
             .join(_codes(s, keys), on=keys, how="left", nulls_equal=True)
             .join(_sources(s, keys), on=keys, how="left", nulls_equal=True)
             .with_columns(pl.col("codes").fill_null([]), pl.col("sources").fill_null([])))
        if r.at_least is not None:
            w = w.filter(pl.col("total") >= r.at_least)
        labels = FEEDS[r.feed]
        codes_text = (pl.col("codes").list.eval(pl.element().replace_strict(
            {v: k for k, v in labels.code_values.items()}, default=pl.element())).list.join("、"))
        reason = _template(r.reason, {
            "persons": pl.col("persons"), "period": pl.col("period"), "total": yuan_text(pl.col("total")),
            "at_least": pl.lit(str(r.at_least // 100) if r.at_least is not None and r.at_least % 100 == 0
                               else str((r.at_least or 0) / 100)),
            "codes": codes_text, "count": pl.col("count").cast(pl.String)})
        subject = pl.col("person_id").cast(pl.String) if r.per == "person" else pl.lit("")
        parts.append(w.with_columns(rule=pl.lit(r.id), subject=subject, risk=pl.lit(r.risk), reason=reason,
                                    days=pl.lit(r.days, pl.Int64))
                     .select(list(WARNINGS_SCHEMA)).cast(WARNINGS_SCHEMA))  # type: ignore[arg-type]
    return pl.concat(parts).sort("household_id", "rule", "period", "subject")


@dataclass
class Result:
    warnings: pl.DataFrame
    identities: pl.DataFrame  # every (feed, ID, name) with its status

    def problems(self) -> pl.DataFrame:
        return self.identities.filter(pl.col("status") != "matched")

    def counts(self) -> dict[str, int]:
        got = dict(self.identities.group_by("status").agg(pl.col("count").sum()).iter_rows())
        return {k: int(got.get(k, 0)) for k in STATUS_LABELS}


def screen(rows: pl.DataFrame, persons: pl.DataFrame, *, rules: tuple[Rule, ...] = RULES.rules,
           today: dt.date | None = None) -> Result:
    """The whole screening on one machine: rows of every feed against the registry persons."""
    today = today or dt.date.today()
    rows = rows.cast(ROWS_SCHEMA)  # type: ignore[arg-type]
    matched = match(identities(rows), persons.cast(PERSONS_SCHEMA), today=today)  # type: ignore[arg-type]
    return Result(warnings(matched_signals(signals(rows, rules), matched), rules), matched)
