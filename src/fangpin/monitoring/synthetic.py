"""A synthetic department feed with planted risks, for tests, the demo and the benchmark (any size: the background
rows are built with Polars expressions, not a Python loop per person).

Background rows never meet a rule (benign codes, small amounts); every `plant_every`-th household gets one planted
risk, round robin over the rules; amount rules are planted exactly at the threshold (must warn) or one fen below
(must not). Noise rows carry risks under an invalid ID, an ID absent from the registry, or another person's name:
none of them may ever warn. `expected` lists the warning keys (household, rule, period, subject) screening must give.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from fangpin.lib import idnumber

from .feeds import FEEDS
from .screening import ROWS_SCHEMA, RULES, Rule

BENIGN = {"education": ["enrolled", "graduated"], "civil_affairs": ["dibao_granted", "tekun"],
          "human_resources": ["employed"], "housing": ["A", "B"], "water": ["resolved"], "health": ["chronic"],
          "emergency": ["hail", "drought"], "disabled_federation": ["3", "4"]}


@dataclass
class Planted:
    rows: pl.DataFrame  # ROWS_SCHEMA (upload_id 0)
    expected: set[tuple[int, str, str, str]]
    planted_below: int  # amount risks planted one fen below the threshold (no warning)
    noise: dict[str, int]  # invalid_id / absent / name_mismatch rows with risks


def _rand(n: int, seed: int, salt: int) -> pl.Expr:
    return pl.int_range(0, n, dtype=pl.UInt64).hash(seed * 1_000_003 + salt)


def generate(persons: pl.DataFrame, *, year: int, seed: int = 1, claims_per_person: float = 2.0,
             event_share: float = 0.2, plant_every: int = 25, noise: int = 30,
             feeds: tuple[str, ...] = tuple(FEEDS), rules: tuple[Rule, ...] = RULES.rules) -> Planted:
    """persons: id_number, name, person_id, household_id (the registry)."""
    persons = persons.select("id_number", "name", "person_id", "household_id").sort("person_id")
    n = persons.height
    start = dt.date(year, 1, 1)
    rules = tuple(r for r in rules if r.feed in feeds)
    households = persons.group_by("household_id").agg(pl.all().first()).sort("household_id")
    # chosen by position, not by key: the same registry loaded again (other keys from the database's sequence, as
    # after a test's flush on PostgreSQL) plants the same households
    planted_households = households.filter(pl.int_range(pl.len(), dtype=pl.Int64).hash(seed) % plant_every == 0)
    amount_feeds = {r.feed for r in rules if r.at_least is not None}
    skip = set(planted_households["household_id"].to_list())
    parts = []

    def frame(feed, idx: pl.DataFrame, code: pl.Expr, amount: pl.Expr, salt: int) -> pl.DataFrame:
        m = idx.height
        return idx.with_columns(
            feed=pl.lit(feed), upload_id=pl.lit(0, pl.Int64),
            date=pl.lit(start) + pl.duration(days=_rand(m, seed, salt + 1) % 360),
            code=code, amount=amount)

    for f in feeds:
        if f == "medical_insurance":
            m = int(n * claims_per_person)
            pick = persons.select(pl.all().gather(_rand(m, seed, 11) % n)) if m else persons.clear()
            base = frame(f, pick, pl.lit(None, pl.String), (_rand(m, seed, 12) % 10001).cast(pl.Int64), 13)
        else:
            m = int(n * event_share)
            pick = persons.select(pl.all().gather(_rand(m, seed, 21 + len(parts)) % n)) if m else persons.clear()
            if f == "emergency":  # one small loss per household and year
                pick = pick.unique("household_id", keep="first", maintain_order=True)
            m = pick.height
            choices = BENIGN.get(f)
            if not choices:  # every row of this feed warns (民政低收入人口): no background rows
                continue
            code = pl.lit(pl.Series(choices)).gather(_rand(m, seed, 31) % len(choices)) if m else pl.lit(None)
            amount = ((_rand(m, seed, 32) % 50001).cast(pl.Int64) if f == "emergency" else pl.lit(None, pl.Int64))
            base = frame(f, pick, code.cast(pl.String), amount, 33)
        if f in amount_feeds:
            base = base.filter(~pl.col("household_id").is_in(list(skip)))
        parts.append(base)

    expected, below, planted = set(), 0, []
    members = persons.partition_by("household_id", as_dict=True)
    for i, hid in enumerate(planted_households["household_id"].to_list()):
        rule = rules[i % len(rules)] if rules else None
        if rule is None:
            break
        person = members[(hid,)].row(0, named=True)
        day = start + dt.timedelta(days=10 + i % 300)
        code = rule.codes[i % len(rule.codes)] if rule.codes else BENIGN.get(rule.feed, [None])[0]
        period = str(year) if rule.window == "year" else day.isoformat()
        subject = str(person["person_id"]) if rule.per == "person" else ""
        if rule.at_least is not None:
            at = (i // len(rules)) % 2 == 0  # alternately exactly at the threshold and one fen below
            total = rule.at_least if at else rule.at_least - 1
            # Split over two rows (two members when there are two) to exercise the household sum.
            other = members[(hid,)].row(min(1, members[(hid,)].height - 1), named=True)
            for who, amount in ((person, total // 2), (other, total - total // 2)):
                planted.append({**who, "feed": rule.feed, "date": day, "code": code, "amount": amount})
            if at:
                expected.add((hid, rule.id, period, subject))
            else:
                below += 1
        else:
            planted.append({**person, "feed": rule.feed, "date": day, "code": code, "amount": None})
            expected.add((hid, rule.id, period, subject))
    noise_rows, counts = [], {"invalid_id": 0, "absent": 0, "name_mismatch": 0}
    risky = [r for r in planted if r["code"] is not None or r["amount"]]
    for j in range(min(noise, len(risky))):
        r = dict(risky[j])
        kind = ("invalid_id", "absent", "name_mismatch")[j % 3]
        if kind == "invalid_id":
            r["id_number"] = r["id_number"][:17] + ("0" if r["id_number"][17] != "0" else "1")
        elif kind == "absent":
            r["id_number"] = idnumber.make("110101", dt.date(1960, 1, 1) + dt.timedelta(days=j), 900 + j % 99)
        else:
            r["name"] = r["name"] + "某"
        if r["amount"] is not None:
            r["amount"] = r["amount"] * 10
        counts[kind] += 1
        noise_rows.append(r)
    extra = pl.DataFrame(planted + noise_rows, schema={
        "id_number": pl.String, "name": pl.String, "person_id": pl.Int64, "household_id": pl.Int64, "feed": pl.String,
        "date": pl.Date, "code": pl.String, "amount": pl.Int64}).with_columns(upload_id=pl.lit(0, pl.Int64))
    rows = pl.concat([p.select(extra.columns) for p in parts] + [extra], how="vertical_relaxed")
    rows = (rows.with_columns(row=pl.int_range(2, pl.len() + 2, dtype=pl.Int64).over("feed"))
            .select(list(ROWS_SCHEMA)).cast(ROWS_SCHEMA))  # type: ignore[arg-type]
    return Planted(rows, expected, below, counts)


def file_frame(rows: pl.DataFrame, feed_key: str) -> pl.DataFrame:
    """One feed's rows as the department would send them: Chinese headers, labels, yuan."""
    feed = FEEDS[feed_key]
    h = feed.headers
    labels = {v: k for k, v in feed.code_values.items()}
    out = rows.filter(pl.col("feed") == feed_key).sort("row")
    cols = [pl.col("id_number").alias(h["id_number"]), pl.col("name").alias(h["name"]),
            pl.col("date").cast(pl.String).alias(h["date"])]
    if "code" in h:
        cols.append(pl.col("code").replace_strict(labels, default=None).alias(h["code"]))
    if "amount" in h:
        cols.append(pl.when(pl.col("amount").is_null()).then(None).otherwise(
            pl.format("{}.{}", pl.col("amount") // 100, (pl.col("amount") % 100).cast(pl.String).str.zfill(2)))
            .alias(h["amount"]))
    return out.select(cols)


def write_file(rows: pl.DataFrame, feed_key: str, path: Path) -> Path:
    """One feed's rows written as a department file; the format follows the suffix (.csv, .xlsx, .parquet)."""
    frame = file_frame(rows, feed_key)
    if path.suffix == ".csv":
        frame.write_csv(path)
    elif path.suffix == ".xlsx":
        frame.write_excel(path, autofit=False)
    else:
        frame.write_parquet(path)
    return path
