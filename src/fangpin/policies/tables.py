"""Basis tables for the engine, built from an exchange-format document without any database.

A document (JSON representation: codes, fen, ISO dates) becomes Polars frames whose columns carry the names
rules use ("household.category", "employment.months", ...). Rows that cannot be read are reported with the
reason and left out of the tables: never skipped silently, never paid by default.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from fangpin.exchange import values
from fangpin.exchange.readers import ExchangeFile, FileProblem


@dataclass
class Unreadable:
    sheet: str
    row: int
    key: str  # household number, ID number, ...
    reason: str


@dataclass
class Inputs:
    households: list[dict] = field(default_factory=list)
    members: list[dict] = field(default_factory=list)
    employments: list[dict] = field(default_factory=list)
    trainings: list[dict] = field(default_factory=list)
    problems: list[Unreadable] = field(default_factory=list)


SHEETS = ("households", "members", "employments", "trainings")


def read(path: Path) -> Inputs:
    """Read an exchange file (JSON or Excel); every row is checked as the importer checks its cells."""
    try:
        f = ExchangeFile(Path(path))
    except FileProblem as e:
        raise ValueError(str(e)) from None
    out = Inputs()
    excel = f.kind == "excel"
    known, _ = f.sheets()
    for sheet in known:
        if sheet.key not in SHEETS:
            continue
        if f.header_problems(sheet):
            raise ValueError("；".join(p.message for p in f.header_problems(sheet)))
        for raw in f.rows(sheet):
            row, reasons = {}, []
            for spec in sheet.fields:
                if spec.key not in raw.values:
                    if spec.required:
                        reasons.append(f"缺少“{spec.header}”")
                    continue
                try:
                    row[spec.key] = values.to_json(spec, values.coerce(spec, raw.values[spec.key], excel=excel))
                except values.CellError as e:
                    reasons.append(str(e))
            key = str(raw.values.get(sheet.keys[0]) or "")
            if reasons:
                out.problems.append(Unreadable(f.sheet_label(sheet), raw.number, key, "；".join(reasons)))
            else:
                getattr(out, sheet.key).append(row)
    return out


def from_document(doc: dict) -> Inputs:
    """An in-memory document (as the exporter writes it) whose rows are already valid."""
    return Inputs(**{k: list(doc.get(k) or []) for k in SHEETS})


# The columns each input sheet contributes, in the exchange format's JSON types.
INPUT_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "households": {
        "household_number": pl.String, "village_code": pl.String, "category": pl.String, "monitor_type": pl.String,
        "dibao": pl.Boolean, "contracted_land_mu": pl.String, "grain_area_mu": pl.String, "courtyard_economy": pl.Boolean,
    },
    "members": {
        "household_number": pl.String, "id_number": pl.String, "relation": pl.String, "labor_capacity": pl.String,
        "disability_grade": pl.Int64, "tekun": pl.Boolean, "school_stage": pl.String, "training_willing": pl.Boolean,
    },
    "employments": {
        "id_number": pl.String, "year": pl.Int64, "kind": pl.String, "place": pl.String, "months": pl.Int64,
        "monthly_wage": pl.Int64, "contract_months": pl.Int64, "first_stable": pl.Boolean, "returnee": pl.Boolean,
    },
    "trainings": {"id_number": pl.String, "year": pl.Int64, "kind": pl.String, "days": pl.Int64,
                  "employed_after": pl.Boolean},
}


def frames_from(inputs: Inputs) -> dict[str, pl.DataFrame]:
    """The input rows as frames of the exchange format's columns (absent optional keys become nulls)."""
    out = {}
    for sheet, schema in INPUT_SCHEMAS.items():
        rows = [{k: r.get(k) for k in schema} for r in getattr(inputs, sheet)]
        out[sheet] = pl.DataFrame(rows, schema=schema) if rows else pl.DataFrame(schema=schema)
    return out


def _centi(name: str) -> pl.Expr:
    """A decimal area such as '12.50' mu as hundredths (1250); blank is 0."""
    return (pl.col(name).cast(pl.Decimal(14, 2)) * 100).cast(pl.Int64).fill_null(0)


def _flag(name: str) -> pl.Expr:
    return pl.col(name).fill_null(False)


class BasisTables:
    """The four basis tables of one year, built lazily and collected once with only the columns rules read.

    collect() computes the person table a single time (with the union of person and household columns the rules
    need) and joins the year's work spells and trainings to it; the household size and the employed-in-year flag
    are computed only when a rule reads them. Indexing (tables["person"]) gives the full lazy table."""

    def __init__(self, households, members, employments, trainings, *, as_of: dt.date):
        self._households, self._members = households, members
        self._employments, self._trainings = employments, trainings
        self.as_of = as_of

    def _person_columns(self) -> dict[str, pl.Expr]:
        as_of = self.as_of
        birth = pl.col("id_number").str.slice(6, 8).str.to_date("%Y%m%d")
        before_birthday = (pl.lit(as_of.month) * 100 + pl.lit(as_of.day)) < (
            birth.dt.month().cast(pl.Int64) * 100 + birth.dt.day().cast(pl.Int64))
        return {
            "person.relation": pl.col("relation"),
            "person.sex": pl.when(pl.col("id_number").str.slice(16, 1).cast(pl.Int64) % 2 == 1).then(pl.lit("male"))
            .otherwise(pl.lit("female")),
            "person.age": pl.lit(as_of.year) - birth.dt.year().cast(pl.Int64) - before_birthday.cast(pl.Int64),
            "person.labor_capacity": pl.col("labor_capacity"),
            "person.disability_grade": pl.col("disability_grade"),
            "person.tekun": _flag("tekun"),
            "person.school_stage": pl.col("school_stage").fill_null("none"),
            "person.training_willing": _flag("training_willing"),
        }

    def _persons(self, cols: set[str]) -> pl.LazyFrame:
        exprs = self._person_columns()
        persons = self._members.join(self._households.select("household_number"), on="household_number", how="semi")
        out = persons.select("id_number", "household_number", *[exprs[c].alias(c) for c in sorted(cols) if c in exprs])
        if "person.employed_in_year" in cols:
            employed = self._employments.select("id_number").unique().with_columns(
                pl.lit(True).alias("person.employed_in_year"))
            out = out.join(employed, on="id_number", how="left").with_columns(_flag("person.employed_in_year"))
        return out

    def _household_frame(self, cols: set[str]) -> pl.LazyFrame:
        out = self._households.select("household_number", *[c for c in sorted(cols) if c in HOUSEHOLD_COLUMNS])
        if cols & {"household.size", "household.laborers"}:
            size = self._persons({"person.labor_capacity"}).group_by("household_number").agg(
                pl.len().cast(pl.Int64).alias("household.size"),
                (pl.col("person.labor_capacity") == "laborer").sum().cast(pl.Int64).alias("household.laborers"),
            )
            out = out.join(size, on="household_number", how="left").with_columns(
                pl.col("household.size").fill_null(0), pl.col("household.laborers").fill_null(0))
        return out

    def _spells(self, name: str) -> pl.LazyFrame:
        if name == "employment":
            return self._employments.select(
                "id_number",
                pl.col("kind").alias("employment.kind"), pl.col("place").alias("employment.place"),
                pl.col("months").alias("employment.months"), pl.col("monthly_wage").alias("employment.monthly_wage"),
                pl.col("contract_months").alias("employment.contract_months"),
                _flag("first_stable").alias("employment.first_stable"), _flag("returnee").alias("employment.returnee"))
        return self._trainings.select(
            "id_number", pl.col("kind").alias("training.kind"), pl.col("days").alias("training.days"),
            _flag("employed_after").alias("training.employed_after"))

    def __getitem__(self, basis: str) -> pl.LazyFrame:
        from .columns import COLUMNS

        every = set(COLUMNS)
        households = self._household_frame(every)
        if basis == "household":
            return households
        persons = self._persons(every).join(households, on="household_number", how="inner")
        if basis == "person":
            return persons
        return self._spells(basis).join(persons, on="id_number", how="inner")

    def collect(self, wanted: dict[str, set[str]]) -> dict[str, pl.DataFrame]:
        """The basis tables the rules need, each with only the columns they read."""
        def spaces(cols, *names):
            return {c for c in cols if c.split(".")[0] in names}

        hh_cols = set().union(*(spaces(c, "household") for c in wanted.values()))
        person_cols = set().union(*(spaces(c, "person") for b, c in wanted.items() if b != "household"))
        out = {}
        households = self._household_frame(hh_cols).collect()
        if "household" in wanted:
            out["household"] = households.select(sorted({"household_number"} | spaces(wanted["household"], "household")))
        if any(b != "household" for b in wanted):
            persons = self._persons(person_cols).collect().join(households, on="household_number", how="inner")
            if "person" in wanted:
                out["person"] = persons.select(sorted(wanted["person"]))
            for name in ("employment", "training"):
                if name in wanted:
                    spells = self._spells(name).select(["id_number", *sorted(spaces(wanted[name], name))]).collect()
                    out[name] = spells.join(persons, on="id_number", how="inner").select(sorted(wanted[name]))
        return out


HOUSEHOLD_COLUMNS = {"household.village_code", "household.category", "household.monitor_type", "household.dibao",
                     "household.contracted_land_mu", "household.grain_area_mu", "household.courtyard_economy"}


def build(inputs: Inputs, *, year: int, as_of: dt.date) -> tuple[BasisTables, list[Unreadable]]:
    """The basis tables for one year from rows already read (see read() and from_document())."""
    tables, problems = build_frames(frames_from(inputs), year=year, as_of=as_of)
    return tables, list(inputs.problems) + problems


def build_frames(frames: dict, *, year: int, as_of: dt.date) -> tuple[BasisTables, list[Unreadable]]:
    """The basis tables for one year (lazy), and the rows that point at a household or person not in the input,
    which are reported and not evaluated."""
    lf = {k: (v.lazy() if isinstance(v, pl.DataFrame) else v) for k, v in frames.items()}
    hh = lf["households"].select(
        "household_number",
        pl.col("village_code").alias("household.village_code"),
        pl.col("category").alias("household.category"),
        pl.col("monitor_type").fill_null("").alias("household.monitor_type"),
        _flag("dibao").alias("household.dibao"),
        _centi("contracted_land_mu").alias("household.contracted_land_mu"),
        _centi("grain_area_mu").alias("household.grain_area_mu"),
        _flag("courtyard_economy").alias("household.courtyard_economy"),
    )
    members = lf["members"].with_row_index("row", offset=1)
    hh_keys = hh.select("household_number")
    employments = lf["employments"].with_row_index("row", offset=1).filter(pl.col("year") == year)
    trainings = lf["trainings"].with_row_index("row", offset=1).filter(pl.col("year") == year)
    people = members.join(hh_keys, on="household_number", how="semi").select("id_number")
    orphans, lost_work, lost_training = pl.collect_all([
        members.join(hh_keys, on="household_number", how="anti").select("row", "id_number", "household_number"),
        employments.join(people, on="id_number", how="anti").select("row", "id_number"),
        trainings.join(people, on="id_number", how="anti").select("row", "id_number"),
    ])
    problems = [Unreadable("members", r["row"], r["id_number"], f"所属户“{r['household_number']}”不在文件中，无法评估")
                for r in orphans.iter_rows(named=True)]
    problems += [Unreadable("employments", r["row"], r["id_number"], "此人不在文件的家庭成员中，无法评估")
                 for r in lost_work.iter_rows(named=True)]
    problems += [Unreadable("trainings", r["row"], r["id_number"], "此人不在文件的家庭成员中，无法评估")
                 for r in lost_training.iter_rows(named=True)]
    return BasisTables(hh, members, employments, trainings, as_of=as_of), problems
