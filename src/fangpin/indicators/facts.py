"""The indicators' input: one Polars frame per fact table, read from the registry, monitoring and ledger tables.

A fact is a table of rows the indicators count or sum (persons, work spells, allocations, loans ...). Each row carries
`code`, the division code of the place it belongs to (a household's village, a project's place) as an integer, so
that rolling up is integer division (`engine.py`), and `row`, the primary key of the database row it comes from (the
rows behind a number are those keys). The other columns are the ones indicators filter on or add up; text columns
hold the stored codes (the pages label them by the model's choices).

The same frames come from the database (`load`, PostgreSQL's COPY for an area's millions) or from Parquet files of
this shape (`scan`: the benchmark's province)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from fangpin.accounts import access
from fangpin.lib import bulkwrite

DATE, INT, STR, BOOL = pl.Date, pl.Int64, pl.String, pl.Boolean
HUNDREDTHS = pl.Decimal(12, 2)  # a decimal with two places (a rate in %), kept as an integer of hundredths: exact


@dataclass(frozen=True)
class Fact:
    key: str
    title: str  # what one row is, as the pages name it
    model: str  # app_label.Model of the rows
    place: str  # ORM path to the row's division code
    columns: dict[str, tuple[str, pl.DataType]]  # column -> (ORM path, type)
    person: str = ""  # the column naming the person a row belongs to (count: persons)
    household: str = ""  # ... the household (count: households)
    where: Q | None = field(default=None, hash=False)  # rows that are facts at all
    labels: dict[str, str] = field(default_factory=dict, hash=False)  # a column whose field's own name is unclear here
    hidden: tuple[str, ...] = ()  # columns the rows behind a figure do not show (a stored key without a label)

    def label(self, name: str) -> str:
        """A column's name for readers: the field's verbose name, unless `labels` says better (an employer's 类型)."""
        return self.labels.get(name) or str(self.column_field(name).verbose_name)

    @property
    def model_class(self):
        return apps.get_model(self.model)

    def column_field(self, name: str):
        """The model field behind a column (its verbose name and choices label the rows behind a number)."""
        model = self.model_class
        parts = self.columns[name][0].split("__")
        for part in parts[:-1]:
            model = model._meta.get_field(part).related_model
        last = parts[-1]
        if last == "pk":
            return model._meta.pk
        try:
            return model._meta.get_field(last)  # a field named …_id of its own (a payment's benefit_id)
        except FieldDoesNotExist:
            return model._meta.get_field(last.removesuffix("_id"))  # a foreign key's column

    def schema(self) -> dict[str, pl.DataType]:
        return {"code": INT, "row": INT} | {c: INT if t == HUNDREDTHS else t for c, (_, t) in self.columns.items()}


def _household(prefix: str = "") -> dict[str, tuple[str, pl.DataType]]:
    """The household's own columns on a row that belongs to a household (through `prefix`)."""
    return {"household": (f"{prefix}pk" if not prefix else f"{prefix}id", INT),
            "category": (f"{prefix}category", STR),
            "monitor_type": (f"{prefix}monitor_type", STR),
            "risk_eliminated_on": (f"{prefix}risk_eliminated_on", DATE)}


FACTS: dict[str, Fact] = {f.key: f for f in (
    Fact("households", "户", "registry.Household", "village_id", _household() | {
        "lifted_year": ("lifted_year", INT), "dibao": ("dibao", BOOL), "industry_project": ("industry_project", BOOL),
        "courtyard_economy": ("courtyard_economy", BOOL)}, household="household"),
    Fact("persons", "人", "registry.Member", "household__village_id", _household("household__") | {
        "person": ("pk", INT), "labor_capacity": ("labor_capacity", STR), "birth_date": ("birth_date", DATE),
        "disability_grade": ("disability_grade", INT)},
        person="person", household="household"),
    Fact("enterprises", "经营主体", "registry.Enterprise", "org_unit_id", {
        "enterprise": ("pk", INT), "name": ("name", STR), "kind": ("kind", STR),
        "total_employees": ("total_employees", INT),
        "labor_intensive": ("labor_intensive", BOOL)}),
    Fact("startups", "自主创业", "registry.Startup", "member__household__village_id",
         _household("member__household__") | {"person": ("member_id", INT), "started_on": ("started_on", DATE)},
         person="person", household="household"),
    Fact("spells", "就业记录", "registry.Employment", "member__household__village_id", _household("member__household__") | {
        "person": ("member_id", INT), "year": ("year", INT), "kind": ("kind", STR), "post_kind": ("post_kind", STR),
        "place": ("place", STR), "employer": ("employer_id", INT), "employer_kind": ("employer__kind", STR),
        "start": ("start_date", DATE),
        "end": ("end_date", DATE), "months": ("months", INT), "returnee": ("returnee", BOOL)},
        person="person", household="household", labels={"employer_kind": "用工单位类型"}),
    Fact("trainings", "培训记录", "registry.Training", "member__household__village_id",
         _household("member__household__") | {
             "person": ("member_id", INT), "year": ("year", INT), "kind": ("kind", STR), "start": ("start_date", DATE),
             "days": ("days", INT), "disability_grade": ("member__disability_grade", INT)},
         person="person", household="household"),
    Fact("income_accounts", "收入核算", "monitoring.IncomeAccount", "household__village_id",
         _household("household__") | {"year": ("year", INT), "band": ("band", STR), "fell": ("fell", BOOL)},
         household="household"),
    Fact("cadres", "帮扶联系人结对", "monitoring.ContactCadre", "household__village_id", _household("household__") | {
        "since": ("since", DATE), "until": ("until", DATE)}, household="household"),
    Fact("measures", "帮扶措施", "monitoring.Measure", "household__village_id", _household("household__") | {
        "kind": ("kind", STR), "status": ("status", STR), "start": ("start", DATE), "end": ("end", DATE)},
        household="household"),
    Fact("payments", "政策兑现发放明细", "payments.Payment", "village_id", {
        "household": ("household_id", INT), "person": ("member_id", INT), "benefit": ("benefit_id", STR),
        "amount": ("amount", INT), "status": ("status", STR), "paid_on": ("paid_on", DATE)},
        person="person", household="household", hidden=("benefit",)),
    Fact("projects", "衔接资金项目", "funds.Project", "org_unit_id", {
        "year": ("year", INT), "kind": ("kind", STR), "relief_mode": ("relief_mode", STR),
        "stored_on": ("stored_on", DATE), "started_on": ("started_on", DATE), "completed_on": ("completed_on", DATE),
        "accepted_on": ("accepted_on", DATE)}),
    Fact("allocations", "资金下达", "funds.Allocation", "project__org_unit_id", {
        "project": ("project_id", INT), "year": ("project__year", INT), "project_kind": ("project__kind", STR),
        "relief_mode": ("project__relief_mode", STR), "completed_on": ("project__completed_on", DATE),
        "featured_industry": ("project__featured_industry", BOOL),
        "source": ("source", STR), "fund_kind": ("fund_kind", STR), "amount": ("amount", INT),
        "allocated_on": ("allocated_on", DATE)}),
    Fact("expenditures", "资金支出", "funds.Expenditure", "project__org_unit_id", {
        "project": ("project_id", INT), "year": ("project__year", INT), "project_kind": ("project__kind", STR),
        "relief_mode": ("project__relief_mode", STR), "completed_on": ("project__completed_on", DATE),
        "source": ("source", STR), "fund_kind": ("fund_kind", STR), "amount": ("amount", INT),
        "paid_on": ("paid_on", DATE), "labour": ("labour", BOOL)}),
    Fact("loans", "小额信贷", "credit.Loan", "member__household__village_id", _household("member__household__") | {
        "person": ("member_id", INT), "issued_on": ("issued_on", DATE), "due_on": ("due_on", DATE),
        "extended_to": ("extended_to", DATE), "amount": ("amount", INT), "use": ("use", STR)},
        person="person", household="household"),
    Fact("repayments", "还款", "credit.Repayment", "loan__member__household__village_id",
         _household("loan__member__household__") | {
             "loan": ("loan_id", INT), "person": ("loan__member_id", INT), "issued_on": ("loan__issued_on", DATE),
             "repaid_on": ("repaid_on", DATE), "principal": ("principal", INT)}, person="person", household="household"),
    Fact("compensations", "风险补偿", "credit.Compensation", "loan__member__household__village_id",
         _household("loan__member__household__") | {
             "loan": ("loan_id", INT), "person": ("loan__member_id", INT), "issued_on": ("loan__issued_on", DATE),
             "compensated_on": ("compensated_on", DATE), "amount": ("amount", INT)},
         person="person", household="household"),
    Fact("problems", "整改问题", "rectification.Problem", "org_unit_id", {
        "found_on": ("found_on", DATE), "source": ("source", STR), "problem_category": ("category", STR),
        "deadline": ("deadline", DATE), "closed_on": ("closed_on", DATE)}),
    Fact("referrals", "民政转介", "monitoring.Referral", "household__village_id", _household("household__") | {
        "kind": ("kind", STR), "referred_on": ("referred_on", DATE), "result": ("result", STR),
        "decided_on": ("decided_on", DATE)}, household="household"),
    Fact("relocated", "易地扶贫搬迁户", "monitoring.RelocatedHousehold", "household__village_id",
         _household("household__") | {"site": ("site_id", INT), "relocated_on": ("relocated_on", DATE)},
         household="household", hidden=("site",)),
    Fact("posts", "公益岗位", "employment.Post", "village_id", {
        "kind": ("kind", STR), "funding": ("funding", STR), "created_on": ("created_on", DATE),
        "abolished_on": ("abolished_on", DATE)}),
    Fact("post_holders", "公益岗位在岗人员", "employment.PostHolder", "post__village_id",
         _household("member__household__") | {
             "person": ("member_id", INT), "post_kind": ("post__kind", STR), "labor_capacity": ("member__labor_capacity", STR),
             "started_on": ("started_on", DATE), "ended_on": ("ended_on", DATE)}, person="person", household="household"),
    Fact("asset_incomes", "资产收益", "assets.AssetIncome", "asset__org_unit_id", {
        "asset": ("asset_id", INT), "asset_kind": ("asset__kind", STR), "ownership": ("asset__ownership", STR),
        "year": ("year", INT), "income": ("income", INT), "agreed_dividends": ("agreed_dividends", INT),
        "to_households": ("to_households", INT), "disclosed_on": ("disclosed_on", DATE)}),
    Fact("station_incomes", "光伏电站收益", "assets.StationIncome", "station__org_unit_id", {
        "year": ("year", INT), "station_kind": ("station__kind", STR), "income": ("income", INT),
        "to_villages": ("to_villages", INT), "settled_on": ("settled_on", DATE)}),
    Fact("pv_uses", "村级光伏收益分配", "assets.VillagePvUse", "village_id", {
        "year": ("year", INT), "received": ("received", INT), "post_wages": ("post_wages", INT),
        "poor_post_wages": ("poor_post_wages", INT),
        "labour": ("labour", INT)}),
    Fact("assets", "扶贫项目资产", "assets.Asset", "org_unit_id", {
        "kind": ("kind", STR), "ownership": ("ownership", STR), "operation": ("operation", STR),
        "owner": ("owner", STR), "custodian": ("custodian", STR), "custodian_person": ("custodian_person", STR),
        "custody_measures": ("custody_measures", STR), "formed_on": ("formed_on", DATE)}),
    Fact("purchases", "消费帮扶采购", "consumption.Purchase", "unit__org_unit_id", {
        "year": ("year", INT), "unit_level": ("unit__level", STR), "five_entries": ("unit__five_entries", BOOL),
        "canteen": ("unit__canteen", BOOL), "assisting": ("unit__assisting", BOOL),
        "canteen_total": ("canteen_total", INT), "canteen_directed": ("canteen_directed", INT),
        "farm_total": ("farm_total", INT), "farm_832": ("farm_832", INT), "welfare_budget": ("welfare_budget", INT),
        "welfare_bought": ("welfare_bought", INT), "bulk_bought": ("bulk_bought", INT)}),
    Fact("link_entities", "带贫主体", "industry.LinkEntity", "enterprise__org_unit_id", {
        "year": ("year", INT), "afforestation": ("afforestation", BOOL), "members": ("members", INT),
        "members_target": ("members_target", INT), "employees": ("employees", INT),
        "employees_target": ("employees_target", INT), "enterprise_kind": ("enterprise__kind", STR),
        "enterprise": ("enterprise_id", INT), "new_loan_rate": ("new_loan_rate", HUNDREDTHS),
        "hard_hit": ("hard_hit", BOOL)},
        labels={"enterprise_kind": "主体类型"}),
    Fact("links", "带动明细", "industry.Link", "household__village_id", _household("household__") | {
        "year": ("year", INT), "way": ("way", STR), "started_on": ("started_on", DATE)}, household="household"),
    Fact("household_haves", "户级五有", "industry.HouseholdHaves", "household__village_id", _household("household__") | {
        "year": ("year", INT), "income_project": ("income_project", STR), "skills": ("skills", STR)},
        household="household"),
    Fact("village_haves", "村级五有", "industry.VillageHaves", "village_id", {
        "year": ("year", INT), "leading_industry": ("leading_industry", STR), "entity_name": ("entity_name", STR),
        "cooperative_name": ("cooperative_name", STR)}),
    Fact("villages", "村", "orgunits.OrgUnit", "code", {"name": ("name", STR)}, where=Q(level="village")),
    Fact("townships", "乡镇", "orgunits.OrgUnit", "code", {"name": ("name", STR)}, where=Q(level="township")),
    Fact("express_outlets", "乡镇快递网点", "industry.ExpressOutlet", "township_id", {
        "township": ("township_id", STR), "operator": ("operator", STR), "opened_on": ("opened_on", DATE),
        "closed_on": ("closed_on", DATE)}),
)}


def _frame(fact: Fact, prefix: str) -> pl.DataFrame:
    """One fact's rows placed under the division `prefix` ("" = everywhere)."""
    qs = fact.model_class._default_manager.all()
    if fact.where is not None:
        qs = qs.filter(fact.where)
    if prefix:
        qs = qs.filter(access.subtree(fact.place, prefix))
    key = "code" if fact.place == "code" else "pk"  # a village is its own place and key
    paths = {fact.place: STR, key: (STR if key == "code" else INT)}
    for path, typ in fact.columns.values():
        paths.setdefault(path, STR if typ == BOOL else typ)
    frame = bulkwrite.read_frame(qs.order_by(), paths)
    columns = [pl.col(fact.place).cast(INT).alias("code"), pl.col(key).cast(INT).alias("row")]
    for name, (path, typ) in fact.columns.items():
        col = pl.col(path)
        if typ == BOOL:  # PostgreSQL's CSV says t/f
            col = col.cast(STR).is_in(["t", "true", "True", "1"])
        elif typ == HUNDREDTHS:
            col = (col * 100).cast(INT)
        elif typ == STR:
            col = pl.when(col != "").then(col)  # blank text is no value
        columns.append(col.alias(name))
    return frame.select(columns)


def load(prefix: str = "", keys: list[str] | None = None) -> dict[str, pl.DataFrame]:
    """The fact frames of an area (its division prefix; "" for the whole database)."""
    return {key: _frame(FACTS[key], prefix) for key in (keys or FACTS)}


def write_parquet(frames: dict[str, pl.DataFrame], directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for key, frame in frames.items():
        frame.write_parquet(directory / f"{key}.parquet")


def scan(directory: Path) -> dict[str, pl.LazyFrame]:
    """Frames of this shape from Parquet files (one per fact); a fact without a file is empty."""
    out = {}
    for key, fact in FACTS.items():
        path = directory / f"{key}.parquet"
        out[key] = pl.scan_parquet(path) if path.exists() else pl.LazyFrame(schema=fact.schema())
    return out
