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
from fangpin.lib import idnumber


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


def _centi(decimal_text) -> int:
    """'12.50' mu -> 1250 hundredths."""
    if decimal_text is None:
        return 0
    whole, _, frac = str(decimal_text).partition(".")
    return int(whole) * 100 + int((frac + "00")[:2])


def _frame(rows: list[dict], schema: dict) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def build(inputs: Inputs, *, year: int, as_of: dt.date) -> tuple[dict[str, pl.DataFrame], list[Unreadable]]:
    """The basis tables for one year: household, person, employment, training."""
    problems = list(inputs.problems)
    hh_rows = [
        (h["household_number"], h["village_code"], h["category"], h.get("monitor_type") or "", bool(h.get("dibao")),
         _centi(h.get("contracted_land_mu")), _centi(h.get("grain_area_mu")), bool(h.get("courtyard_economy")))
        for h in inputs.households
    ]
    households = _frame(hh_rows, {
        "household_number": pl.String, "household.village_code": pl.String, "household.category": pl.String,
        "household.monitor_type": pl.String, "household.dibao": pl.Boolean, "household.contracted_land_mu": pl.Int64,
        "household.grain_area_mu": pl.Int64, "household.courtyard_economy": pl.Boolean,
    })
    known_households = set(households["household_number"].to_list())
    employed = {e["id_number"] for e in inputs.employments if e["year"] == year}
    person_rows = []
    for i, m in enumerate(inputs.members, start=1):
        if m["household_number"] not in known_households:
            problems.append(Unreadable("members", i, m["id_number"], f"所属户“{m['household_number']}”不在文件中，无法评估"))
            continue
        info = idnumber.parse(m["id_number"])
        age = as_of.year - info.birth_date.year - ((as_of.month, as_of.day) < (info.birth_date.month, info.birth_date.day))
        person_rows.append((m["id_number"], m["household_number"], m["relation"], info.sex, age, m["labor_capacity"],
                            m.get("disability_grade"), bool(m.get("tekun")), m.get("school_stage") or "none",
                            bool(m.get("training_willing")), m["id_number"] in employed))
    persons = _frame(person_rows, {
        "id_number": pl.String, "household_number": pl.String, "person.relation": pl.String, "person.sex": pl.String,
        "person.age": pl.Int64, "person.labor_capacity": pl.String, "person.disability_grade": pl.Int64,
        "person.tekun": pl.Boolean, "person.school_stage": pl.String, "person.training_willing": pl.Boolean,
        "person.employed_in_year": pl.Boolean,
    })
    size = persons.group_by("household_number").agg(
        pl.len().cast(pl.Int64).alias("household.size"),
        (pl.col("person.labor_capacity") == "laborer").sum().cast(pl.Int64).alias("household.laborers"),
    )
    households = households.join(size, on="household_number", how="left").with_columns(
        pl.col("household.size").fill_null(0), pl.col("household.laborers").fill_null(0))
    person_table = persons.join(households, on="household_number", how="inner")
    known_people = set(persons["id_number"].to_list())

    def spells(rows, sheet, schema, make):
        kept = []
        for i, r in enumerate(rows, start=1):
            if r["year"] != year:
                continue
            if r["id_number"] not in known_people:
                problems.append(Unreadable(sheet, i, r["id_number"], "此人不在文件的家庭成员中，无法评估"))
                continue
            kept.append(make(r))
        return _frame(kept, schema).join(person_table, on="id_number", how="inner")

    employment = spells(inputs.employments, "employments", {
        "id_number": pl.String, "employment.kind": pl.String, "employment.place": pl.String,
        "employment.months": pl.Int64, "employment.monthly_wage": pl.Int64, "employment.contract_months": pl.Int64,
        "employment.first_stable": pl.Boolean, "employment.returnee": pl.Boolean,
    }, lambda r: (r["id_number"], r["kind"], r["place"], r["months"], r["monthly_wage"], r.get("contract_months"),
                  bool(r.get("first_stable")), bool(r.get("returnee"))))
    training = spells(inputs.trainings, "trainings", {
        "id_number": pl.String, "training.kind": pl.String, "training.days": pl.Int64, "training.employed_after": pl.Boolean,
    }, lambda r: (r["id_number"], r["kind"], r["days"], bool(r.get("employed_after"))))
    return {"household": households, "person": person_table, "employment": employment, "training": training}, problems
