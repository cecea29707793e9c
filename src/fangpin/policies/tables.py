"""Basis tables for the engine, built from an exchange-format document; nothing is written to the database (rows are
checked by the importer's rules, which read the division table).

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
from fangpin.lib.income import NET_INCOME_PARTS, net_income_expr
from fangpin.exchange.readers import ExchangeFile, FileProblem
from fangpin.exchange.spec import BY_KEY


@dataclass
class Unreadable:
    sheet: str
    row: int
    key: str  # household number, ID number, ...
    reason: str
    column: str = ""  # the column at fault, when one is


@dataclass
class Inputs:
    households: list[dict] = field(default_factory=list)
    members: list[dict] = field(default_factory=list)
    employments: list[dict] = field(default_factory=list)
    trainings: list[dict] = field(default_factory=list)
    enterprises: list[dict] = field(default_factory=list)
    incomes: list[dict] = field(default_factory=list)
    startups: list[dict] = field(default_factory=list)
    problems: list[Unreadable] = field(default_factory=list)


SHEETS = ("households", "members", "employments", "trainings", "enterprises", "incomes", "startups")
_PERSON_SHEETS = ("employments", "trainings", "startups")


def read(path: Path, filename: str | None = None) -> Inputs:
    """Read an exchange file (JSON or Excel) and check it by the importer's rules (one validator for import and every
    policy command). A row those rules refuse is listed with its sheet, row, column and reason and never evaluated,
    and so is everything that depends on it: a household with a refused row (its size, income or members are not
    known), its members and their records; a person registered in two households, in both; rows whose household or
    person is not in the file. `filename` is the name messages give the file (an upload's own name; the path's by
    default)."""
    from fangpin.exchange import importer  # Django's models: not imported where only the tables are built (Spark)

    try:
        f = ExchangeFile(Path(path), filename)
    except FileProblem as e:
        raise ValueError(str(e)) from None
    known, _ = f.sheets()
    sheets = [sheet for sheet in known if sheet.key in SHEETS]
    for sheet in sheets:
        if f.header_problems(sheet):
            raise ValueError("；".join(p.message for p in f.header_problems(sheet)))
    typed: dict[str, list[tuple[int, dict]]] = {key: [] for key in SHEETS}
    bad_households: dict[str, str] = {}  # number -> where the trouble is

    def on_row(sheet, number, row, raw):
        if row is not None:
            typed[sheet.key].append((number, row))
        elif sheet.key in ("households", "members", "incomes") and raw.get("household_number") not in (None, ""):
            bad_households.setdefault(str(raw["household_number"]).strip(), f"工作表“{f.sheet_label(sheet)}”第{number}行")

    problems = importer.check(f, sheets, on_row=on_row)
    for p in problems:
        if p.row is None:
            raise ValueError(f"{p.where()}：{p.message}" if p.where() else p.message)
    by_title = {f.sheet_label(sheet): sheet.key for sheet in sheets}
    refused: dict[tuple[str, int], list] = {}
    for p in problems:
        refused.setdefault((by_title.get(p.sheet, p.sheet), p.row), []).append(p)
    out = Inputs()

    def refuse(key: str, number: int, row: dict, reason: str, column: str = "") -> None:
        sheet = BY_KEY[key]
        out.problems.append(Unreadable(f.sheet_label(sheet), number, str(row.get(sheet.keys[0]) or ""), reason, column))

    # people in more than one household: which household is right is not known, so neither is paid
    counts: dict[str, int] = {}
    for _, row in typed["members"]:
        counts[row["id_number"]] = counts.get(row["id_number"], 0) + 1
    twice = {i for i, n in counts.items() if n > 1}
    for key in ("households", "members", "incomes"):
        for number, row in typed[key]:
            if (key, number) in refused or (key == "members" and row["id_number"] in twice):
                bad_households.setdefault(row["household_number"], f"工作表“{f.sheet_label(BY_KEY[key])}”第{number}行")
    households = {row["household_number"] for _, row in typed["households"]} - set(bad_households)
    for (key, number), found in refused.items():  # the refused rows themselves, with their columns
        for p in found:
            out.problems.append(Unreadable(p.sheet or "", number, p.value, p.message, p.column or ""))
    kept: dict[str, list[tuple[int, dict]]] = {key: [] for key in SHEETS}
    for key in SHEETS:
        for number, row in typed[key]:
            if (key, number) in refused:
                continue
            number_ = row.get("household_number")
            if key == "members" and row["id_number"] in twice:
                refuse(key, number, row, "同一身份证号登记在文件的多个户中，无法确定所属户，不予计算", "id_number")
            elif number_ is not None and number_ in bad_households:
                refuse(key, number, row, f"本户有无法评估的行（{bad_households[number_]}），本户不予计算", "household_number")
            elif number_ is not None and number_ not in households:
                refuse(key, number, row, f"所属户“{number_}”不在文件中，无法评估", "household_number")
            else:
                kept[key].append((number, row))
    members = {row["id_number"] for _, row in kept["members"]}
    for key in _PERSON_SHEETS:
        for number, row in kept[key]:
            if row["id_number"] not in members:
                refuse(key, number, row, "此人不在文件的家庭成员中，或其户无法评估，不予计算", "id_number")
        kept[key] = [(n, r) for n, r in kept[key] if r["id_number"] in members]
    for sheet in sheets:  # the rows as the engine reads them: JSON values
        setattr(out, sheet.key, [{spec.key: values.to_json(spec, r[spec.key]) for spec in sheet.fields if spec.key in r}
                                 for _, r in kept[sheet.key]])
    return out


def from_document(doc: dict) -> Inputs:
    """An in-memory document (as the exporter writes it) whose rows are already valid."""
    return Inputs(**{k: list(doc.get(k) or []) for k in SHEETS})


# The columns each input sheet contributes, in the exchange format's JSON types.
INPUT_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "households": {
        "household_number": pl.String, "village_code": pl.String, "category": pl.String, "monitor_type": pl.String,
        "risk_eliminated_on": pl.String, "dibao": pl.Boolean, "contracted_land_mu": pl.String, "grain_area_mu": pl.String, "courtyard_economy": pl.Boolean,
        "industry_project": pl.Boolean,
    },
    "members": {
        "household_number": pl.String, "id_number": pl.String, "relation": pl.String, "labor_capacity": pl.String,
        "disability_grade": pl.Int64, "tekun": pl.Boolean, "school_stage": pl.String, "training_willing": pl.Boolean,
        "serious_illness": pl.Boolean,
    },
    "employments": {
        "id_number": pl.String, "year": pl.Int64, "kind": pl.String, "place": pl.String, "months": pl.Int64,
        "post_kind": pl.String, "post_created_year": pl.Int64, "start_date": pl.String, "end_date": pl.String,
        "employer_credit_code": pl.String, "agency_credit_code": pl.String,
        "monthly_wage": pl.Int64, "contract_months": pl.Int64, "first_stable": pl.Boolean, "returnee": pl.Boolean,
    },
    "trainings": {"id_number": pl.String, "year": pl.Int64, "kind": pl.String, "days": pl.Int64,
                  "start_date": pl.String, "employed_after": pl.Boolean, "institution_credit_code": pl.String},
    "enterprises": {"credit_code": pl.String, "kind": pl.String, "division_code": pl.String, "base_level": pl.String,
                    "base_certified_on": pl.String, "total_employees": pl.Int64, "labor_intensive": pl.Boolean,
                    "declared_year": pl.Int64, "drives_target": pl.Boolean, "breeding_pigs": pl.Int64,
                    "new_greenhouse_mu": pl.String, "renovated_greenhouse_mu": pl.String, "cool_vegetable_mu": pl.String,
                    "utilities_cost": pl.Int64, "premises_kind": pl.String, "premises_rent": pl.Int64,
                    "premises_area_m2": pl.String},
    "incomes": {"household_number": pl.String, "year": pl.Int64, "wage": pl.Int64, "business_income": pl.Int64,
                "business_cost": pl.Int64, "property_income": pl.Int64, "transfer_income": pl.Int64},
    "startups": {"id_number": pl.String, "kind": pl.String, "started_on": pl.String, "operating_months": pl.Int64,
                 "yearly_rent": pl.Int64, "returnee": pl.Boolean, "stable_income": pl.Boolean},
}


# Code columns with few distinct values are kept as categoricals: 4 bytes a row instead of a string view of 16, which is
# most of the memory of a province's tables.
CATEGORICAL: dict[str, tuple[str, ...]] = {
    "households": ("village_code", "category", "monitor_type"),
    "members": ("relation", "labor_capacity", "school_stage"),
    "employments": ("kind", "place", "post_kind"),
    "trainings": ("kind",),
    "startups": ("kind",),
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


def _date(name: str, frame: pl.DataFrame | None = None) -> pl.Expr:
    """An ISO date text as a date (a blank or, in keyed frames, an absent value is null); a column that is already a
    date (keyed frames from callers holding typed arrays) is taken as it is."""
    if frame is not None and frame.schema.get(name) == pl.Date:
        return pl.col(name)
    return pl.col(name).cast(pl.String).str.to_date("%Y-%m-%d", strict=False).alias(name)


def _flag(name: str) -> pl.Expr:
    return pl.col(name).fill_null(False)


class BasisTables:
    """The four basis tables of one year, plus enterprises, collected with only the columns rules read.

    Households, persons and spells are keyed once by integers (hid, pid) when they are built, so that every join
    here is on integers. collect() computes the person table a single time (with the union of person and household
    columns the rules need) and joins the year's spells to it; derived columns (household size, employed in the
    year, workers per enterprise) are computed only when a rule reads them. tables["person"] gives a full table."""

    def __init__(self, households, persons, employments, trainings, enterprises, last_year, *, as_of: dt.date,
                 incomes=None, startups=None):
        self._households, self._persons_base = households, persons  # eager: hid / pid keyed
        self._employments, self._trainings = employments, trainings  # eager: pid keyed, the year's rows
        self._enterprises, self._last_year = enterprises, last_year
        self._incomes = incomes if incomes is not None else pl.DataFrame(  # eager: hid keyed, the year's rows
            schema={"hid": pl.UInt32, **{k: pl.Int64 for k in NET_INCOME_PARTS}})
        self._startups = startups if startups is not None else pl.DataFrame(  # eager: pid keyed
            schema={"pid": pl.UInt32, **{k: v for k, v in INPUT_SCHEMAS["startups"].items() if k != "id_number"}})
        self.as_of = as_of
        self.stable_months: int | None = None  # the evaluated document's 稳定就业 months, set by collect()

    @classmethod
    def keyed(cls, households: pl.DataFrame, persons: pl.DataFrame, employments: pl.DataFrame | None = None,
              trainings: pl.DataFrame | None = None, *, as_of: dt.date) -> BasisTables:
        """Tables from frames that already carry integer keys, for callers holding arrays (no string keys to join):
        households with hid = row number and the household.* columns build_frames() makes; persons with pid = row
        number, hid, id_number, household_number and the members sheet's columns; spells keyed by pid. Columns left
        out are filled as build_frames() fills a blank cell. household_number and id_number may be the caller's own
        integer keys, and the result rows then carry them as integers (rules reading age or sex need real ID
        numbers)."""
        def fill(frame, defaults: dict) -> pl.DataFrame:
            return frame.with_columns(pl.lit(v, dtype=t).alias(c) for c, (t, v) in defaults.items() if c not in frame.columns)

        def raw(sheet: str, *drop: str) -> dict:
            return {c: (t, None) for c, t in INPUT_SCHEMAS[sheet].items() if c not in drop}

        for frame, key in ((households, "hid"), (persons, "pid")):
            if not (frame[key] == pl.int_range(0, frame.height, eager=True, dtype=frame[key].dtype)).all():
                raise ValueError(f"{key} 应为行号（0 起连续）")
        households = fill(households, {
            "household.village_code": (pl.Categorical, None), "household.category": (pl.Categorical, None),
            "household.monitor_type": (pl.Categorical, ""), "household.risk_eliminated": (pl.Boolean, False),
            "household.dibao": (pl.Boolean, False),
            "household.contracted_land_mu": (pl.Int64, 0), "household.grain_area_mu": (pl.Int64, 0),
            "household.courtyard_economy": (pl.Boolean, False), "household.industry_project": (pl.Boolean, False)})
        persons = fill(persons, raw("members", "household_number", "id_number"))
        spell = raw("employments", "id_number", "year")
        employments = fill(employments if employments is not None else pl.DataFrame(schema={"pid": pl.UInt32}), spell)
        trainings = fill(trainings if trainings is not None else pl.DataFrame(schema={"pid": pl.UInt32}),
                         raw("trainings", "id_number", "year"))
        return cls(households, persons, employments, trainings, pl.DataFrame(schema=INPUT_SCHEMAS["enterprises"]),
                   pl.DataFrame(schema={"employer_credit_code": pl.String, "pid": pl.UInt32}), as_of=as_of)

    def _person_columns(self) -> dict[str, pl.Expr]:
        as_of = self.as_of
        birth = pl.col("id_number").str.slice(6, 8).str.to_date("%Y%m%d")
        before_birthday = (pl.lit(as_of.month) * 100 + pl.lit(as_of.day)) < (
            birth.dt.month().cast(pl.Int64) * 100 + birth.dt.day().cast(pl.Int64))
        return {
            "person.relation": pl.col("relation"),
            "person.sex": pl.when(pl.col("id_number").str.slice(16, 1).cast(pl.Int64) % 2 == 1).then(pl.lit("male"))
            .otherwise(pl.lit("female")).cast(pl.Categorical),
            "person.age": pl.lit(as_of.year) - birth.dt.year().cast(pl.Int64) - before_birthday.cast(pl.Int64),
            "person.labor_capacity": pl.col("labor_capacity"),
            "person.disability_grade": pl.col("disability_grade"),
            "person.tekun": _flag("tekun"),
            "person.school_stage": pl.col("school_stage").fill_null("none"),
            "person.training_willing": _flag("training_willing"),
            "person.serious_illness": _flag("serious_illness"),
        }

    def _persons(self, cols: set[str]) -> pl.LazyFrame:
        exprs = self._person_columns()
        out = self._persons_base.lazy().select(
            "pid", "hid", "id_number", "household_number", *[exprs[c].alias(c) for c in sorted(cols) if c in exprs])
        if "person.employed_in_year" in cols:
            out = out.with_columns(pl.col("pid").is_in(self._employments["pid"].unique().implode())
                                   .alias("person.employed_in_year"))
        return out

    def _household_frame(self, cols: set[str]) -> pl.LazyFrame:
        out = self._households.lazy().select(
            "hid", "household_number", *[c for c in sorted(cols) if c in HOUSEHOLD_COLUMNS])
        derived = {"household.size", "household.laborers", "household.disabled_members"}
        income = {"household.net_income", "household.net_income_per_capita"}
        if cols & income:
            cols = cols | {"household.size"}
        if cols & derived:
            size = self._persons_base.lazy().group_by("hid").agg(
                pl.len().cast(pl.Int64).alias("household.size"),
                (pl.col("labor_capacity") == "laborer").sum().cast(pl.Int64).alias("household.laborers"),
                pl.col("disability_grade").is_not_null().sum().cast(pl.Int64).alias("household.disabled_members"),
            )
            out = out.join(size, on="hid", how="left", maintain_order="left").with_columns(
                pl.col(c).fill_null(0) for c in sorted(derived))
        if cols & income:
            # 纯收入 = 工资性 + 生产经营性收入 − 生产经营性支出 + 财产性 + 转移性; per capita rounded half up to the fen
            net = self._incomes.lazy().group_by("hid").agg(net_income_expr().sum().alias("household.net_income"))
            size = pl.col("household.size")
            out = out.join(net, on="hid", how="left", maintain_order="left").with_columns(
                pl.when(size > 0).then((2 * pl.col("household.net_income") + size) // (2 * size))
                .alias("household.net_income_per_capita"))
        return out

    def _enterprise_frame(self, people: pl.LazyFrame) -> pl.LazyFrame:
        """Enterprises with the year's registered workers: all, lifted and monitored, lifted (脱贫劳动力), and
        lifted workers who did not work there the year before. `people`: pid, household.category, household.monitor_type."""
        lifted = (pl.col("household.category") == "lifted") | (pl.col("household.monitor_type") == "unstable")

        def pairs(spells):
            return spells.lazy().filter(pl.col("employer_credit_code").is_not_null()).select(
                "employer_credit_code", "pid").unique()

        before = pairs(self._last_year).with_columns(pl.lit(True).alias("before"))
        months = self._employments.lazy().filter(pl.col("employer_credit_code").is_not_null()).group_by(
            "employer_credit_code", "pid").agg(pl.col("months").max().alias("months"))
        # 稳定就业: at least the document's `stable_min_months` at this employer in the year (陇县十条措施 二、三)
        stable = (pl.col("months") >= self.stable_months) if self.stable_months is not None else pl.lit(None, pl.Boolean)
        workers = (
            months.join(before, on=["employer_credit_code", "pid"], how="left")
            .join(people.select("pid", "household.category", "household.monitor_type"), on="pid", how="inner")
            .group_by("employer_credit_code").agg(
                pl.len().cast(pl.Int64).alias("enterprise.workers"),
                pl.col("household.category").is_in(["lifted", "monitored"]).sum().cast(pl.Int64)
                .alias("enterprise.target_workers"),
                lifted.sum().cast(pl.Int64).alias("enterprise.lifted_workers"),
                (lifted & stable).sum().cast(pl.Int64).alias("enterprise.stable_lifted_workers"),
                (lifted & pl.col("before").is_null()).sum().cast(pl.Int64).alias("enterprise.new_lifted_workers"),
            )
        )
        return self._enterprises.lazy().select(
            "credit_code",
            pl.col("kind").alias("enterprise.kind"), pl.col("base_level").fill_null("none").alias("enterprise.base_level"),
            pl.col("total_employees").fill_null(0).alias("enterprise.total_employees"),
            _flag("labor_intensive").alias("enterprise.labor_intensive"),
            pl.col("division_code").alias("enterprise.division_code"),
            (pl.col("base_certified_on").str.slice(0, 4).cast(pl.Int64, strict=False) == self.as_of.year)
            .fill_null(False).alias("enterprise.certified_this_year"),
            (pl.lit(self.as_of.year) - pl.col("base_certified_on").str.slice(0, 4).cast(pl.Int64, strict=False))
            .alias("enterprise.certified_years_ago"),
            (pl.col("declared_year") == self.as_of.year).fill_null(False).alias("enterprise.declared_this_year"),
            _flag("drives_target").alias("enterprise.drives_target"),
            pl.col("breeding_pigs").fill_null(0).alias("enterprise.breeding_pigs"),
            *[_centi(c).alias(f"enterprise.{c}") for c in ("new_greenhouse_mu", "renovated_greenhouse_mu",
                                                           "cool_vegetable_mu", "premises_area_m2")],
            pl.col("utilities_cost").fill_null(0).alias("enterprise.utilities_cost"),
            pl.col("premises_kind").fill_null("none").alias("enterprise.premises_kind"),
            pl.col("premises_rent").fill_null(0).alias("enterprise.premises_rent"),
        ).join(workers, left_on="credit_code", right_on="employer_credit_code", how="left", maintain_order="left"
               ).with_columns(
            pl.col("enterprise.workers").fill_null(0), pl.col("enterprise.target_workers").fill_null(0),
            pl.col("enterprise.lifted_workers").fill_null(0), pl.col("enterprise.new_lifted_workers").fill_null(0),
            pl.col("enterprise.stable_lifted_workers").fill_null(0) if self.stable_months is not None
            else pl.col("enterprise.stable_lifted_workers"))

    def _spells(self, name: str) -> pl.LazyFrame:
        if name == "startup":
            year = self.as_of.year
            start = pl.col("started_on").str.to_date("%Y-%m-%d", strict=False)
            until = start.dt.offset_by(pl.concat_str([pl.col("operating_months").fill_null(0).cast(pl.String), pl.lit("mo")]))
            return self._startups.lazy().select(
                "pid", pl.col("kind").alias("startup.kind"), start.alias("startup.started_on"),
                pl.col("operating_months").alias("startup.operating_months"),
                pl.col("yearly_rent").alias("startup.yearly_rent"), _flag("returnee").alias("startup.returnee"),
                _flag("stable_income").alias("startup.stable_income"),
                (start.dt.year() == year).fill_null(False).alias("startup.started_this_year"),
                (start.dt.offset_by("6mo").dt.year() == year).fill_null(False).alias("startup.six_months_this_year"),
                ((start <= dt.date(year, 12, 31)) & (until >= dt.date(year, 1, 1))).fill_null(False)
                .alias("startup.operating_in_year"))
        if name == "employment":
            return self._employments.lazy().select(
                "pid",
                pl.col("kind").alias("employment.kind"), pl.col("place").alias("employment.place"),
                pl.col("post_kind").alias("employment.post_kind"),
                pl.col("post_created_year").alias("employment.post_created_year"),
                _date("start_date", self._employments).alias("employment.start_date"),
                (_date("start_date", self._employments).dt.year() == self.as_of.year).fill_null(False)
                .alias("employment.started_this_year"),
                self._months_in_year().alias("employment.months_in_year"),
                self._months_before_year().alias("employment.months_before_year"),
                pl.col("months").alias("employment.months"), pl.col("monthly_wage").alias("employment.monthly_wage"),
                pl.col("contract_months").alias("employment.contract_months"),
                _flag("first_stable").alias("employment.first_stable"), _flag("returnee").alias("employment.returnee"),
                pl.col("agency_credit_code").alias("employment.agency"))
        batch = ["institution_credit_code", "kind"]  # one institution's trainees of one kind in the year
        trainings = self._trainings.lazy().with_row_index("_t").with_columns(_date("start_date", self._trainings))
        at_work = self._at_work_on_start(trainings).with_columns(pl.lit(True).alias("at_work"))
        return trainings.join(at_work, on="_t", how="left", maintain_order="left").select(
            "pid", pl.col("kind").alias("training.kind"), pl.col("days").alias("training.days"),
            pl.col("start_date").alias("training.start_date"),
            pl.col("at_work").fill_null(False).alias("training.employed_at_start"),
            _flag("employed_after").alias("training.employed_after"),
            pl.col("institution_credit_code").alias("training.institution"),
            pl.when(pl.col("institution_credit_code").is_not_null()).then(pl.len().over(batch).cast(pl.Int64))
            .alias("training.batch_trainees"),
            pl.when(pl.col("institution_credit_code").is_not_null())
            .then(_flag("employed_after").sum().over(batch).cast(pl.Int64)).alias("training.batch_employed"))

    def _months_before_year(self) -> pl.Expr:
        """The spell's months before the evaluated year: from its start to 1 January, at most its 连续务工月数 (the
        months are recorded when the row is, so they are counted from the start, not back from the year's end);
        without a start date, none."""
        start = _date("start_date", self._employments)
        before = (self.as_of.year * 12 + 1) - (start.dt.year().cast(pl.Int64) * 12 + start.dt.month().cast(pl.Int64))
        return pl.min_horizontal(pl.max_horizontal(before, 0), pl.col("months")).fill_null(0)

    def _months_in_year(self) -> pl.Expr:
        """The spell's months inside the evaluated year: its 连续务工月数 less those before the year, and at most the
        calendar months from its start (or January) to its end (or December); never more than 12."""
        year = self.as_of.year
        start = _date("start_date", self._employments)
        end = _date("end_date", self._employments)
        first = (pl.when(start.is_null() | (start.dt.year() < year)).then(1).when(start.dt.year() > year).then(13)
                 .otherwise(start.dt.month().cast(pl.Int64)))
        last = (pl.when(end.is_null() | (end.dt.year() > year)).then(12).when(end.dt.year() < year).then(0)
                .otherwise(end.dt.month().cast(pl.Int64)))
        inside = pl.max_horizontal(last - first + 1, 0)
        return pl.min_horizontal(pl.max_horizontal(pl.col("months") - self._months_before_year(), 0), inside)

    def _at_work_on_start(self, trainings: pl.LazyFrame) -> pl.LazyFrame:
        """Trainings (by row `_t`) whose trainee was in work on the day the training started: a spell of this year or
        last year that had begun by then and had not ended (no end date: still working). 双发〔2022〕67号 18 “未实现
        就业” is judged on that day, not over the whole year: finding work after the training is its purpose."""
        spells = [f.lazy().select("pid", _date("start_date", f).alias("s"), _date("end_date", f).alias("e"),
                                  pl.lit(age).alias("age"))
                  for age, f in enumerate((self._employments, self._last_year)) if "start_date" in f.columns]
        if not spells:
            return trainings.select("_t").head(0)
        day = pl.col("start_date")
        # only the trainees' spells (a few of all); a spell listed in both years: this year's row (age 0) is the newer
        # record (last year's was still open when written)
        spells = pl.concat(spells).join(trainings.select("pid").unique(), on="pid", how="semi").sort("age").unique(
            subset=["pid", "s"], keep="first", maintain_order=True)
        return trainings.select("_t", "pid", "start_date").join(spells, on="pid", how="inner").filter(
            (pl.col("s") <= day) & (pl.col("e").is_null() | (pl.col("e") >= day))).select("_t").unique()

    def __getitem__(self, basis: str) -> pl.LazyFrame:
        from .columns import COLUMNS

        every = set(COLUMNS)
        households = self._household_frame(every)
        persons = self._persons(every).join(households.drop("household_number"), on="hid", how="inner")
        if basis == "household":
            return households
        if basis == "enterprise":
            return self._enterprise_frame(persons)
        if basis == "person":
            return persons
        return self._spells(basis).join(persons, on="pid", how="inner")

    def collect(self, wanted: dict[str, set[str]], *, stable_months: int | None = None) -> dict[str, pl.DataFrame]:
        """The basis tables the rules need, each with only the columns they read. `stable_months`: what the document
        calls 稳定就业 (months at one employer), for enterprise.stable_lifted_workers; without it that column is null."""
        self.stable_months = stable_months
        def spaces(cols, *names):
            return {c for c in cols if c.split(".")[0] in names}

        # household numbers by hid and ID numbers by pid, for the rows a rule keeps (the engine looks them up last)
        out = {"household_keys": self._households.select("household_number"),
               "person_keys": self._persons_base.select("id_number")}
        wanted = dict(wanted)
        enterprise_cols = wanted.pop("enterprise", None)
        hh_cols = set().union(*(spaces(c, "household") for c in wanted.values()))
        if enterprise_cols is not None:
            hh_cols |= {"household.category", "household.monitor_type"}  # to count lifted and monitored workers
        person_cols = set().union(*(spaces(c, "person") for b, c in wanted.items() if b != "household"))
        households = self._household_frame(hh_cols).collect()
        if "household" in wanted:
            out["household"] = households.select(sorted({"hid"} | spaces(wanted["household"], "household")))
        if enterprise_cols is None and not any(b != "household" for b in wanted):
            return out
        # hid and pid are row numbers (build_frames numbers the rows): joining on them is gathering by position. Each
        # table gathers its household's columns by hid and its person's by pid, only for its own rows.
        employed = "person.employed_in_year"  # computed on each table's own rows
        persons = self._persons(person_cols - {employed}).collect()
        employed_pids = self._employments["pid"].unique().implode()

        def finish(frame: pl.DataFrame, cols: set[str]) -> pl.DataFrame:
            frame = frame.with_columns(households[c].gather(frame["hid"]) for c in sorted(cols)
                                       if c in households.columns and c not in ("hid", "household_number"))
            if employed in cols:
                frame = frame.with_columns(pl.col("pid").is_in(employed_pids).alias(employed))
            return frame.select(sorted(cols))

        if enterprise_cols is not None:
            people = finish(persons, {"pid", "household.category", "household.monitor_type"})
            out["enterprise"] = self._enterprise_frame(people.lazy()).select(sorted(enterprise_cols)).collect()
        if "person" in wanted:
            out["person"] = finish(persons, wanted["person"])
        for name in ("employment", "training", "startup"):
            if name in wanted:
                spells = self._spells(name).select(["pid", *sorted(spaces(wanted[name], name))]).collect()
                spells = spells.with_columns(persons[c].gather(spells["pid"]) for c in sorted(wanted[name] | {"hid"})
                                             if c in persons.columns and c not in spells.columns)
                out[name] = finish(spells, wanted[name])
        return out


HOUSEHOLD_COLUMNS = {"household.village_code", "household.category", "household.monitor_type",
                     "household.risk_eliminated", "household.dibao",
                     "household.contracted_land_mu", "household.grain_area_mu", "household.courtyard_economy",
                     "household.industry_project"}


def build(inputs: Inputs, *, year: int, as_of: dt.date) -> tuple[BasisTables, list[Unreadable]]:
    """The basis tables for one year from rows already read (see read() and from_document())."""
    tables, problems = build_frames(frames_from(inputs), year=year, as_of=as_of)
    return tables, list(inputs.problems) + problems


def build_frames(frames: dict, *, year: int, as_of: dt.date) -> tuple[BasisTables, list[Unreadable]]:
    """The basis tables for one year, and the rows that point at a household or person not in the input (reported,
    not evaluated). The string keys are joined here once; everything after joins on integer keys."""
    lf = {}
    for sheet, schema in INPUT_SCHEMAS.items():
        frame = frames.get(sheet)
        frame = (pl.DataFrame(schema=schema) if frame is None else frame).lazy()
        present = frame.collect_schema().names()
        # optional columns a file may leave out arrive as nulls
        lf[sheet] = frame.with_columns(pl.lit(None, dtype=t).alias(c) for c, t in schema.items() if c not in present
                                       ).with_columns(pl.col(c).cast(pl.Categorical) for c in CATEGORICAL.get(sheet, ()))
    households = lf["households"].select(
        "household_number",
        pl.col("village_code").alias("household.village_code"),
        pl.col("category").alias("household.category"),
        pl.col("monitor_type").fill_null("").alias("household.monitor_type"),
        # risk eliminated through the workflow on or before the evaluation date (the county's approval that day counts)
        (pl.col("risk_eliminated_on").str.to_date("%Y-%m-%d", strict=False) <= as_of).fill_null(False)
        .alias("household.risk_eliminated"),
        _flag("dibao").alias("household.dibao"),
        _centi("contracted_land_mu").alias("household.contracted_land_mu"),
        _centi("grain_area_mu").alias("household.grain_area_mu"),
        _flag("courtyard_economy").alias("household.courtyard_economy"),
        _flag("industry_project").alias("household.industry_project"),
    ).with_row_index("hid").collect()
    keyed_members = lf["members"].with_row_index("row", offset=1).join(
        households.lazy().select("household_number", "hid"), on="household_number", how="left", maintain_order="left")
    orphans, persons = pl.collect_all([  # one join of members to households, shared by both
        keyed_members.filter(pl.col("hid").is_null()).select("row", "id_number", "household_number"),
        keyed_members.filter(pl.col("hid").is_not_null()).drop("row").with_row_index("pid"),
    ])
    problems = [Unreadable("members", r["row"], r["id_number"], f"所属户“{r['household_number']}”不在文件中，无法评估")
                for r in orphans.iter_rows(named=True)]
    ids = persons.lazy().select("id_number", "pid")

    def keyed(sheet: str, with_last_year: bool = False) -> list[pl.DataFrame]:
        rows = lf[sheet].with_row_index("row", offset=1)
        this_year = pl.col("year") == year if "year" in INPUT_SCHEMAS[sheet] else pl.lit(True)  # start-ups: every row
        if "year" in INPUT_SCHEMAS[sheet]:
            rows = rows.filter(pl.col("year").is_in([year, year - 1] if with_last_year else [year]))
        rows = rows.join(ids, on="id_number", how="left", maintain_order="left")  # result rows in the file's order
        queries = [
            rows.filter(pl.col("pid").is_null() & this_year).select("row", "id_number"),
            rows.filter(pl.col("pid").is_not_null() & this_year).drop("row", "id_number"),
        ]
        if with_last_year:  # who worked where the year before (for "new workers")
            queries.append(rows.filter(pl.col("pid").is_not_null() & (pl.col("year") == year - 1))
                           .select("employer_credit_code", "pid", "start_date", "end_date"))
        lost, *kept = pl.collect_all(queries)
        problems.extend(Unreadable(sheet, r["row"], r["id_number"], "此人不在文件的家庭成员中，无法评估")
                        for r in lost.iter_rows(named=True))
        return kept

    employments, last_year = keyed("employments", with_last_year=True)
    (trainings,) = keyed("trainings")
    (startups,) = keyed("startups")
    incomes = lf["incomes"].with_row_index("row", offset=1).filter(pl.col("year") == year).join(
        households.lazy().select("household_number", "hid"), on="household_number", how="left", maintain_order="left")
    lost, incomes = pl.collect_all([incomes.filter(pl.col("hid").is_null()).select("row", "household_number"),
                                    incomes.filter(pl.col("hid").is_not_null()).drop("row", "household_number")])
    problems.extend(Unreadable("incomes", r["row"], r["household_number"], "所属户不在文件中，无法评估")
                    for r in lost.iter_rows(named=True))
    return BasisTables(households, persons, employments, trainings, lf["enterprises"].collect(), last_year,
                       as_of=as_of, incomes=incomes, startups=startups), problems
