"""API schemas. Field names are the exchange format's (docs/exchange-format.md); money in fen."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema

from fangpin.registry.choices import Category, LaborCapacity, MonitorType, Relation, SchoolStage


class OrgUnitOut(Schema):
    code: str
    name: str
    level: str


class MemberOut(Schema):
    id: int
    id_number: str  # masked for roles that do not need it in full
    name: str
    relation: Relation
    sex: str
    birth_date: dt.date | None  # only for roles that see full ID numbers; the others see the age
    age: int | None
    labor_capacity: LaborCapacity
    disability_grade: int | None
    tekun: bool
    school_stage: SchoolStage
    training_willing: bool
    serious_illness: bool
    phone: str


class HouseholdOut(Schema):
    id: int
    household_number: str
    village_code: str
    village_name: str
    category: Category
    monitor_type: MonitorType | None
    risk_eliminated_on: dt.date | None  # set by the elimination procedure only; not writable through the API
    lifted_year: int | None
    dibao: bool
    address: str
    phone: str
    contracted_land_mu: Decimal
    grain_area_mu: Decimal
    courtyard_economy: bool
    industry_project: bool


class HouseholdDetailOut(HouseholdOut):
    members: list[MemberOut]


class HouseholdPage(Schema):
    count: int  # at most 10,000: count_capped says the list is longer (narrow it by village or category)
    count_capped: bool
    page: int
    items: list[HouseholdOut]


class MemberIn(Schema):
    id_number: str
    name: str
    relation: Relation = Relation.HEAD
    labor_capacity: LaborCapacity
    disability_grade: int | None = None
    tekun: bool = False
    school_stage: SchoolStage = SchoolStage.NONE
    training_willing: bool = False
    serious_illness: bool = False
    phone: str = ""


class MemberPatch(Schema):
    name: str | None = None
    relation: Relation | None = None
    labor_capacity: LaborCapacity | None = None
    disability_grade: int | None = None
    tekun: bool | None = None
    school_stage: SchoolStage | None = None
    training_willing: bool | None = None
    serious_illness: bool | None = None
    phone: str | None = None


class HouseholdIn(Schema):
    village_code: str
    category: Category
    monitor_type: MonitorType | None = None
    lifted_year: int | None = None
    dibao: bool = False
    address: str = ""
    phone: str = ""
    contracted_land_mu: Decimal = Decimal(0)
    grain_area_mu: Decimal = Decimal(0)
    courtyard_economy: bool = False
    industry_project: bool = False
    head: MemberIn


class HouseholdPatch(Schema):
    category: Category | None = None
    monitor_type: MonitorType | None = None
    lifted_year: int | None = None
    dibao: bool | None = None
    address: str | None = None
    phone: str | None = None
    contracted_land_mu: Decimal | None = None
    grain_area_mu: Decimal | None = None
    courtyard_economy: bool | None = None
    industry_project: bool | None = None


class HistoryOut(Schema):
    date: dt.datetime
    user: str | None
    action: str
    what: str
    changes: list[str]
    reason: str


class ProblemOut(Schema):
    sheet: str | None
    row: int | None
    column: str | None
    letter: str | None
    value: str
    message: str


class ImportOut(Schema):
    ok: bool
    filename: str
    counts: dict[str, int]
    problems: list[ProblemOut]


class ErrorOut(Schema):
    detail: str | dict | list


class EntitlementOut(Schema):
    document_id: str
    document_number: str
    clause: int
    benefit_id: str
    benefit_name: str
    entity: str  # who is paid: person, household or enterprise
    household_number: str | None  # the household paid, or of the person paid or served; none for an enterprise's own
    id_number: str | None  # the person paid or served; masked for roles that do not need it in full
    credit_code: str | None  # the enterprise paid
    year: int
    amount: int  # fen
    bound: str | None  # at_most: a ceiling (owed as approved); at_least: a floor; none: the exact amount
    funding: str
    explanation: str


class UnevaluableOut(Schema):
    sheet: str
    row: int | None  # none for a row a rule could not evaluate (a missing fact), rather than an unreadable input row
    key: str
    reason: str


class EntitlementsOut(Schema):
    as_of: dt.date
    messages: list[str]
    items: list[EntitlementOut]
    unevaluable: list[UnevaluableOut]
