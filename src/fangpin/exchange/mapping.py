"""How each exchange sheet maps onto the registry models: the ORM path of every column."""
from __future__ import annotations

from django.db.models import F

from fangpin.payments.models import PayeeAccount
from fangpin.registry.models import Employment, Enterprise, Household, IncomeRecord, Member, Startup, Training

MODELS = {
    "enterprises": Enterprise,
    "households": Household,
    "members": Member,
    "incomes": IncomeRecord,
    "employments": Employment,
    "trainings": Training,
    "startups": Startup,
    "accounts": PayeeAccount,
}

# column key -> ORM path (for export values() and for import field names where it is a plain field)
ORM_PATH: dict[str, dict[str, str]] = {
    "enterprises": {
        "credit_code": "credit_code", "name": "name", "kind": "kind", "division_code": "org_unit_id",
        "base_level": "base_level", "base_certified_on": "base_certified_on", "total_employees": "total_employees",
        "labor_intensive": "labor_intensive", "contact": "contact", "phone": "phone",
        "declared_year": "declared_year", "drives_target": "drives_target", "breeding_pigs": "breeding_pigs",
        "new_greenhouse_mu": "new_greenhouse_mu", "renovated_greenhouse_mu": "renovated_greenhouse_mu",
        "cool_vegetable_mu": "cool_vegetable_mu", "utilities_cost": "utilities_cost", "premises_kind": "premises_kind",
        "premises_rent": "premises_rent", "premises_area_m2": "premises_area_m2",
    },
    "households": {
        "household_number": "number", "village_code": "village_id", "category": "category",
        "monitor_type": "monitor_type", "risk_eliminated_on": "risk_eliminated_on", "lifted_year": "lifted_year", "dibao": "dibao", "address": "address",
        "phone": "phone", "contracted_land_mu": "contracted_land_mu", "grain_area_mu": "grain_area_mu",
        "courtyard_economy": "courtyard_economy", "industry_project": "industry_project",
    },
    "members": {
        "household_number": "household__number", "id_number": "id_number", "name": "name", "relation": "relation",
        "sex": "sex", "birth_date": "birth_date", "labor_capacity": "labor_capacity", "disability_grade": "disability_grade", "tekun": "tekun",
        "school_stage": "school_stage", "training_willing": "training_willing", "serious_illness": "serious_illness",
        "phone": "phone",
    },
    "incomes": {
        "household_number": "household__number", "year": "year", "wage": "wage",
        "business_income": "business_income", "business_cost": "business_cost",
        "property_income": "property_income", "transfer_income": "transfer_income",
    },
    "employments": {
        "id_number": "member__id_number", "year": "year", "kind": "kind", "post_kind": "post_kind",
        "post_created_year": "post_created_year", "place": "place",
        "employer_credit_code": "employer__credit_code", "employer_name": "employer_name",
        "agency_credit_code": "agency__credit_code", "start_date": "start_date", "end_date": "end_date",
        "months": "months", "monthly_wage": "monthly_wage", "contract_months": "contract_months",
        "first_stable": "first_stable", "returnee": "returnee",
    },
    "trainings": {
        "id_number": "member__id_number", "year": "year", "kind": "kind",
        "institution_credit_code": "institution__credit_code", "start_date": "start_date", "days": "days",
        "employed_after": "employed_after",
    },
    "startups": {
        "id_number": "member__id_number", "kind": "kind", "enterprise_credit_code": "enterprise__credit_code",
        "started_on": "started_on", "operating_months": "operating_months", "yearly_rent": "yearly_rent",
        "guaranteed_loan": "guaranteed_loan", "returnee": "returnee", "stable_income": "stable_income",
    },
    "accounts": {
        "id_number": "member__id_number", "credit_code": "enterprise__credit_code", "kind": "kind", "bank": "bank",
        "account_number": "account_number", "holder": "holder", "proxy_relation": "proxy_relation",
        "proxy_reason": "proxy_reason", "since": "since",
    },
}

# Stable export order: after a re-import, primary keys follow file order, so the same order comes back.
ORDER = {
    "enterprises": ("credit_code",),
    "households": ("number",),
    "members": ("household__number", "id"),
    "incomes": ("household__number", "year"),
    "employments": ("member__household__number", "member_id", "start_date", "id"),
    "trainings": ("member__household__number", "member_id", "start_date", "id"),
    "startups": ("member__household__number", "member_id", "started_on", "id"),
    # members' accounts first (NULLS FIRST: SQLite and PostgreSQL sort NULL differently), then enterprises'
    "accounts": (F("enterprise__credit_code").asc(nulls_first=True), "member__household__number", "member_id"),
}

# Columns that point at another row, and the sheet whose key they name.
REFERENCES = {
    "household_number": "households",
    "id_number": "members",
    "employer_credit_code": "enterprises",
    "agency_credit_code": "enterprises",
    "institution_credit_code": "enterprises",
    "enterprise_credit_code": "enterprises",
}

# Model defaults for optional columns left blank.
BLANK_DEFAULTS = {
    "string": "", "boolean": False, "decimal": 0, "money": 0,
}
KEY_DEFAULTS = {"base_level": "none", "school_stage": "none", "monitor_type": "", "post_kind": "", "total_employees": 0,
                "premises_kind": "none", "breeding_pigs": 0}


def model_fields(sheet, row: dict, skip: tuple[str, ...] = ()) -> dict:
    """Model field values for the columns present in a typed row; blanks become the model's defaults."""
    plan = _PLANS.get((sheet.key, skip))
    if plan is None:
        plan = _PLANS[sheet.key, skip] = _plan(sheet, skip)
    out = {}
    for key, path, blank in plan:
        if key in row:
            value = row[key]
            out[path] = blank if value is None else value
    return out


_PLANS: dict[tuple[str, tuple[str, ...]], tuple] = {}  # by sheet key: hashing a Sheet hashes all its fields


def _plan(sheet, skip: tuple[str, ...]) -> tuple[tuple[str, str, object], ...]:
    """(column key, ORM path, value for a blank) of each column model_fields writes: worked out once per sheet."""
    return tuple((f.key, ORM_PATH[sheet.key][f.key], KEY_DEFAULTS.get(f.key, BLANK_DEFAULTS.get(f.type)))
                 for f in sheet.fields if f.key not in skip)
