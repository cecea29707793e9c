"""Every URL and API route, for every role: who may read it, who may write through it.

A write is judged by what it did to the database, not by the status code alone. A route added
without an entry here fails test_every_route_is_in_the_matrix.
"""
from __future__ import annotations

import copy
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from conftest import SHUANGNIAN_CUN, new_id
from fangpin.monitoring.models import Case as MCase
from fangpin.monitoring.models import Cadre, ContactCadre, FeedUpload, IncomeAccount, MonitoringLine, ScreeningRun, Warning
from fangpin.payments.models import (Application, BankReturn, DisbursementFile, Objection, Payment, PaymentRound, RoundNotice,
                                     RoundPart, RoundRow)
from fangpin.policies.models import ParameterValue
from fangpin.registry.models import Household, Member

ROLES = ("anonymous", "clerk", "township", "county", "department", "leader", "other_county")
READERS_HERE = {"clerk", "township", "county", "leader"}  # may read 双碾村's household
WRITERS_HERE = {"clerk", "county"}  # may change it
READ_ROLES = {"clerk", "township", "county", "leader", "other_county"}
IMPORT_ROLES = {"clerk", "county", "other_county"}
LOGGED_IN = set(ROLES) - {"anonymous"}


@dataclass
class Case:
    name: str  # URL name, as the resolver lists it
    method: str
    path: Callable[[dict], str]
    allowed: set[str]
    data: Callable[[dict], object] | None = None
    json: bool = False
    changed: Callable[[dict], bool] | None = None  # for writes: did it happen?
    label: str = ""


def sn(h):
    return h["shuangnian"]


def _parameter_set() -> bool:
    from fangpin.monitoring.models import ProcedureParameter

    return ProcedureParameter.objects.filter(county_id="140603000000").exists()


def _referred(h) -> bool:
    from fangpin.monitoring.models import Referral

    return Referral.objects.filter(household=h["wujiayao"]).exists()


def _affected_outcome(h) -> str:
    from fangpin.monitoring.models import AffectedHousehold

    return AffectedHousehold.objects.get(pk=h["affected"].pk).outcome


def _enrollment_started(h) -> bool:
    """The bulk enrollment was started (a job, run once the request commits) or already done."""
    from fangpin.monitoring.models import DisasterEvent

    return DisasterEvent.objects.get(pk=h["disaster"].pk).enrolling_since is not None or _affected_outcome(h) != ""


def head(h):
    return sn(h).members.get(relation="head")


def clerk_job(h, report=False):
    """An import job of the 双碾村 clerk (refused, with an error report): only its importer may open it."""
    from django.conf import settings

    from fangpin.accounts.models import User
    from fangpin.exchange.models import ImportJob

    from django.utils import timezone

    job = ImportJob.objects.create(user=User.objects.get(username="clerk"), filename="m.xlsx", stored_name="x.xlsx",
                                   status="refused", finished_at=timezone.now(),
                                   report_name="x-report.xlsx" if report else "")
    if report:
        (settings.VAR_DIR / "imports").mkdir(parents=True, exist_ok=True)
        (settings.VAR_DIR / "imports" / "x-report.xlsx").write_bytes(b"PK report")
    return job


def clerk_export(h):
    """A finished export of the 双碾村 clerk, its file on disk: only its own user may download it."""
    from django.conf import settings
    from django.utils import timezone

    from fangpin.accounts.models import User
    from fangpin.exchange.models import ExportJob

    (settings.VAR_DIR / "exports").mkdir(parents=True, exist_ok=True)
    (settings.VAR_DIR / "exports" / "matrix.xlsx").write_bytes(b"PK export")
    return ExportJob.objects.create(user=User.objects.get(username="clerk"), list_key="households", title="户籍信息",
                                    status="done", rows_done=1, rows_total=1, stored_name="matrix.xlsx",
                                    finished_at=timezone.now())


def import_file(h):
    doc = {"format": "fangpin-exchange", "version": "1.0",
           "households": [{"household_number": "M-IMPORT", "village_code": SHUANGNIAN_CUN, "category": "lifted"}],
           "members": [{"household_number": "M-IMPORT", "id_number": new_id(), "name": "导入人", "relation": "head",
                        "labor_capacity": "laborer"}]}
    f = io.BytesIO(json.dumps(doc).encode())
    f.name = "m.json"
    return f


def policy_file():
    """An exchange file for the policy calls: one lifted household with a cross-province worker."""
    member = new_id()
    doc = {"format": "fangpin-exchange", "version": "1.0",
           "households": [{"household_number": "P1", "village_code": SHUANGNIAN_CUN, "category": "lifted"}],
           "members": [{"household_number": "P1", "id_number": member, "name": "计算人", "relation": "head",
                        "labor_capacity": "laborer"}],
           "employments": [{"id_number": member, "year": 2025, "kind": "wage_job", "place": "cross_province",
                            "start_date": "2025-02-01", "months": 3, "monthly_wage": 300000}]}
    f = io.BytesIO(json.dumps(doc).encode())
    f.name = "p.json"
    return f


def medical_file():
    f = io.BytesIO(f"身份证号,姓名,结算日期,个人自付金额（元）\n{new_id()},矩阵,2025-03-01,12\n".encode())
    f.name = "矩阵.csv"
    return f


def payments_file():
    f = io.BytesIO(json.dumps({"format": "fangpin-exchange", "version": "1.0", "payments": []}).encode())
    f.name = "pay.json"
    return f


HOUSEHOLD_FORM = {"category": "lifted", "monitor_type": "", "lifted_year": "", "address": "矩阵测试", "phone": "",
                  "contracted_land_mu": "1", "grain_area_mu": "1"}
MEMBER_FORM = {"name": "矩阵成员", "relation": "child", "labor_capacity": "laborer", "disability_grade": "",
               "school_stage": "none", "phone": ""}

CASES = [
    Case("login", "get", lambda h: "/accounts/login/", set(ROLES)),
    Case("logout", "post", lambda h: "/accounts/logout/", set(ROLES)),
    Case("home", "get", lambda h: "/", LOGGED_IN),
    Case("household_list", "get", lambda h: "/households/", READ_ROLES),
    Case("household_create", "get", lambda h: "/households/new/", IMPORT_ROLES),
    Case("household_create", "post", lambda h: "/households/new/", WRITERS_HERE, label="post",
         data=lambda h: {**HOUSEHOLD_FORM, "village": SHUANGNIAN_CUN, "head-id_number": new_id(), "head-name": "新户主",
                         "head-labor_capacity": "laborer", "head-school_stage": "none", "head-disability_grade": ""},
         changed=lambda h: Member.objects.filter(name="新户主").exists()),
    Case("household_detail", "get", lambda h: f"/households/{sn(h).pk}/", READERS_HERE, label="in 双碾村"),
    Case("household_detail", "get", lambda h: f"/households/{h['longxian'].pk}/", {"other_county"}, label="in 陇县"),
    Case("household_edit", "get", lambda h: f"/households/{sn(h).pk}/edit/", WRITERS_HERE),
    Case("household_edit", "post", lambda h: f"/households/{sn(h).pk}/edit/", WRITERS_HERE, label="post",
         data=lambda h: HOUSEHOLD_FORM, changed=lambda h: Household.objects.get(pk=sn(h).pk).address == "矩阵测试"),
    Case("member_create", "get", lambda h: f"/households/{sn(h).pk}/members/new/", WRITERS_HERE),
    Case("member_create", "post", lambda h: f"/households/{sn(h).pk}/members/new/", WRITERS_HERE, label="post",
         data=lambda h: {**MEMBER_FORM, "id_number": new_id()}, changed=lambda h: Member.objects.filter(name="矩阵成员").exists()),
    Case("payee_account_set", "get", lambda h: f"/households/{sn(h).pk}/accounts/", WRITERS_HERE),
    Case("payee_account_set", "post", lambda h: f"/households/{sn(h).pk}/accounts/", WRITERS_HERE, label="post",
         data=lambda h: {"member": head(h).pk, "kind": "one_card", "bank": "农商行", "account_number": "1234567890",
                         "holder": head(h).name, "since": "2026-01-05"},
         changed=lambda h: head(h).payee_accounts.exists()),
    Case("member_edit", "get", lambda h: f"/households/{sn(h).pk}/members/{head(h).pk}/edit/", WRITERS_HERE),
    Case("member_edit", "post", lambda h: f"/households/{sn(h).pk}/members/{head(h).pk}/edit/", WRITERS_HERE, label="post",
         data=lambda h: {**MEMBER_FORM, "relation": "head"}, changed=lambda h: head(h).name == "矩阵成员"),
    Case("enterprise_list", "get", lambda h: "/enterprises/", READ_ROLES),
    Case("enterprise_account_set", "get", lambda h: f"/enterprises/{h['ent_wujiayao'].pk}/account/", {"county"},
         label="in 吴家窑村"),
    Case("enterprise_account_set", "post", lambda h: f"/enterprises/{h['ent_longxian'].pk}/account/", {"other_county"},
         label="in 陇县, seen by 双碾村 too",
         data=lambda h: {"bank": "陇县农商行", "account_number": "27010012345678", "holder": h["ent_longxian"].name,
                         "since": "2026-01-05"},
         changed=lambda h: h["ent_longxian"].payee_accounts.exists()),
    Case("enterprise_detail", "get", lambda h: f"/enterprises/{h['ent_wujiayao'].pk}/", {"township", "county", "leader"},
         label="in 吴家窑村, unlinked"),
    Case("enterprise_detail", "get", lambda h: f"/enterprises/{h['ent_longxian'].pk}/", READERS_HERE | {"other_county"},
         label="in 陇县, employs a 双碾村 person"),
    Case("import", "get", lambda h: "/import/", IMPORT_ROLES),
    Case("import", "post", lambda h: "/import/", WRITERS_HERE, label="post", data=lambda h: {"file": import_file(h)},
         changed=lambda h: Household.objects.filter(number="M-IMPORT").exists()),
    Case("import_template", "get", lambda h: "/import/template.xlsx", IMPORT_ROLES),
    Case("import_job", "get", lambda h: f"/import/jobs/{clerk_job(h).pk}/", {"clerk"}, label="the clerk's own job"),
    Case("import_job_report", "get", lambda h: f"/import/jobs/{clerk_job(h, report=True).pk}/report.xlsx", {"clerk"},
         label="the clerk's own report"),
    Case("ledger_index", "get", lambda h: "/ledgers/", READ_ROLES),
    Case("ledger_home", "get", lambda h: "/ledgers/funds/", READ_ROLES),
    Case("ledger_home", "get", lambda h: "/ledgers/funds/?area=610327000000&year=2024", READ_ROLES,
         label="another county's area falls back to one's own"),
    Case("ledger_findings", "get", lambda h: "/ledgers/funds/checks/district_industry_share/?year=2024", READ_ROLES),
    Case("ledger_list", "get", lambda h: "/ledgers/funds/fund_projects/", READ_ROLES),
    Case("ledger_list", "get", lambda h: "/ledgers/funds/fund_allocations/?format=xlsx", READ_ROLES, label="xlsx"),
    Case("ledger_entry", "get", lambda h: f"/ledgers/funds/fund_projects/{h['project'].pk}/", READERS_HERE),
    Case("ledger_template", "get", lambda h: "/ledgers/funds/template.xlsx", READ_ROLES),
    Case("ledger_export", "get", lambda h: "/ledgers/funds/export/", READ_ROLES),
    Case("ledger_export", "get", lambda h: "/ledgers/funds/export/?format=json", READ_ROLES, label="json"),
    Case("ledger_import", "get", lambda h: "/ledgers/funds/import/", {"county", "other_county"}),
    Case("ledger_import", "post", lambda h: "/ledgers/funds/import/", {"county"}, label="post",
         data=lambda h: {"file": ledger_file()},
         changed=lambda h: __import__("fangpin.funds.models", fromlist=["Project"]).Project.objects.filter(
             code="M-PROJECT").exists()),
    Case("ledger_home", "get", lambda h: "/ledgers/linkage/", READ_ROLES, label="linkage"),
    Case("ledger_home", "get", lambda h: "/ledgers/five_haves/", READ_ROLES, label="five haves"),
    Case("ledger_list", "get", lambda h: "/ledgers/linkage/linkage_links/", READ_ROLES, label="linkage"),
    Case("ledger_list", "get", lambda h: "/ledgers/five_haves/village_gaps/", READ_ROLES, label="five-haves gaps"),
    Case("ledger_list", "get", lambda h: "/ledgers/five_haves/household_gaps/?format=xlsx", READ_ROLES,
         label="five-haves gaps xlsx"),
    Case("ledger_entry", "get", lambda h: f"/ledgers/linkage/linkage_entities/{h['link_entity'].pk}/", READERS_HERE,
         label="linkage"),
    Case("ledger_import", "get", lambda h: "/ledgers/five_haves/import/", {"county", "township", "other_county"},
         label="five haves"),
    Case("ledger_home", "get", lambda h: "/ledgers/posts/", READ_ROLES, label="posts"),
    Case("ledger_import", "get", lambda h: "/ledgers/posts/import/", {"clerk", "county", "other_county"}, label="posts"),
    Case("ledger_import", "post", lambda h: "/ledgers/posts/import/", {"clerk", "county"}, label="posts, in 双碾村",
         data=lambda h: {"file": posts_file()}, changed=lambda h: __import__(
             "fangpin.employment.models", fromlist=["Post"]).Post.objects.filter(code="M-POST").exists()),
    Case("ledger_employment", "get", lambda h: "/ledgers/employment/?year=2025", READ_ROLES),
    Case("ledger_employment", "get", lambda h: "/ledgers/employment/?year=2025&format=xlsx", READ_ROLES, label="xlsx"),
    Case("ledger_employment", "get", lambda h: "/ledgers/employment/?area=610327000000", READ_ROLES,
         label="another county's area falls back to one's own"),
    Case("indicator_home", "get", lambda h: "/indicators/", READ_ROLES),
    Case("indicator_home", "get", lambda h: f"/indicators/?unit={SHUANGNIAN_CUN}&snapshot={h['snapshot'].pk}",
         READERS_HERE, label="双碾村"),
    Case("indicator_home", "get", lambda h: "/indicators/?export=xlsx", READ_ROLES, label="xlsx"),
    Case("indicator_detail", "get", lambda h: "/indicators/lifted_workers/?unit=140603000000", {"county", "leader"}),
    Case("indicator_detail", "get", lambda h: "/indicators/spending_progress/?export=xlsx", READ_ROLES, label="xlsx"),
    Case("indicator_rows", "get", lambda h: f"/indicators/lifted_workers/rows/?unit={SHUANGNIAN_CUN}", READERS_HERE),
    Case("indicator_rows", "get", lambda h: "/indicators/lifted_workers/rows/?export=xlsx", READ_ROLES, label="xlsx"),
    Case("indicator_bulletin", "get", lambda h: "/indicators/bulletin.xlsx", READ_ROLES),
    Case("indicator_bulletin", "get", lambda h: "/indicators/bulletin.pdf?unit=140603000000", {"county", "leader"},
         label="pdf"),
    Case("snapshot_list", "get", lambda h: "/indicators/snapshots/", READ_ROLES),
    Case("indicator_bulletin_file", "get", lambda h: f"/indicators/bulletins/{archived(h)}.pdf?unit=140603000000",
         {"county", "leader"}),
    Case("api:indicator_list", "get", lambda h: "/api/indicators", READ_ROLES),
    Case("api:indicator_values", "get", lambda h: "/api/indicators/values?on=2025-07-01", READ_ROLES),
    Case("api:indicator_values", "get", lambda h: "/api/indicators/values?area=140603000000&indicator=lifted_workers",
         {"county", "leader"}, label="the county"),
    Case("snapshot_list", "post", lambda h: "/indicators/snapshots/?unit=140603000000", {"county"}, label="post",
         data=lambda h: {"on": "2025-09-30"}, changed=lambda h: __import__(
             "fangpin.indicators.models", fromlist=["Snapshot"]).Snapshot.objects.filter(
             on="2025-09-30", area_id="140603000000").exists()),
    Case("export", "get", lambda h: "/export/", READ_ROLES),
    Case("export_jobs", "get", lambda h: "/exports/", LOGGED_IN),  # each user's own exports only
    Case("export_job_file", "get", lambda h: f"/exports/{clerk_export(h).pk}.xlsx", {"clerk"},
         label="the clerk's own file"),
    Case("household_list", "get", lambda h: "/households/?format=xlsx", READ_ROLES, label="xlsx"),
    Case("policy_list", "get", lambda h: "/policies/", READ_ROLES),
    Case("benefit_roster", "get", lambda h: "/policies/roster/?village=140603203200&as_of=2025-06-30", READ_ROLES),
    Case("benefit_roster", "get", lambda h: "/policies/roster/?village=140603203200&as_of=2025-06-30&format=xlsx",
         READ_ROLES, label="xlsx"),
    Case("income_accounting", "get", lambda h: "/monitoring/income/?year=2025", READ_ROLES),
    Case("income_accounting", "post", lambda h: "/monitoring/income/", {"county", "other_county"}, label="line",
         data=lambda h: {"action": "line", "year": "2025", "line": "7000", "edge_factor": "1.5", "sharp_fall": "0.3",
                         "reason": "矩阵测试"},
         changed=lambda h: MonitoringLine.objects.filter(reason="矩阵测试").exists()),
    Case("income_accounting", "post", lambda h: "/monitoring/income/", {"county", "other_county"}, label="recompute",
         data=lambda h: {"action": "recompute", "year": "2025"},
         changed=lambda h: IncomeAccount.objects.exists()),
    Case("policy_detail", "get", lambda h: "/policies/sn2022-67/", READ_ROLES),
    Case("policy_simulate", "get", lambda h: "/policies/sn2022-67/simulate/", READ_ROLES),
    Case("policy_audit", "get", lambda h: "/policies/sn2022-67/audit/", {"county", "other_county"}),
    Case("policy_audit", "post", lambda h: "/policies/sn2022-67/audit/", {"county", "other_county"}, label="post",
         data=lambda h: {"payments": payments_file(), "as_of": "2025-06-30"}),
    Case("policy_simulate", "get", lambda h: "/policies/sn2022-67/simulate/?key=transport_cross_province&value=2000"
         "&as_of=2025-06-30", READ_ROLES, label="run"),
    Case("policy_detail", "post", lambda h: "/policies/sn2022-67/", {"county"}, label="post",
         data=lambda h: {"key": "voucher_per_person", "valid_from": "2025-01-01", "value": "1600", "reason": "矩阵测试"},
         changed=lambda h: ParameterValue.objects.filter(reason="矩阵测试").exists()),
    Case("monitoring_home", "get", lambda h: "/monitoring/", READ_ROLES),
    Case("feeds", "get", lambda h: "/monitoring/feeds/", {"county", "other_county", "department"}),
    Case("feeds", "post", lambda h: "/monitoring/feeds/", {"county", "other_county", "department"}, label="upload",
         data=lambda h: {"feed": "medical_insurance", "file": medical_file()},
         changed=lambda h: FeedUpload.objects.filter(filename="矩阵.csv").exists()),
    Case("feeds", "post", lambda h: "/monitoring/feeds/", {"county"}, label="screen",
         data=lambda h: {"action": "screen"}, changed=lambda h: ScreeningRun.objects.count() > 1),
    Case("screening_run", "get", lambda h: f"/monitoring/runs/{h['run'].pk}/", {"county"}),
    Case("screening_run", "get", lambda h: f"/monitoring/runs/{h['run'].pk}/?format=xlsx", {"county"}, label="xlsx"),
    Case("warning_list", "get", lambda h: "/monitoring/warnings/", READ_ROLES),
    Case("warning_list", "get", lambda h: "/monitoring/warnings/?format=xlsx", READ_ROLES, label="xlsx"),
    Case("case_list", "get", lambda h: "/monitoring/cases/", READ_ROLES),
    Case("measure_list", "get", lambda h: "/monitoring/measures/", READ_ROLES),
    Case("measure_list", "get", lambda h: "/monitoring/measures/?format=xlsx", READ_ROLES, label="xlsx"),
    Case("case_list", "get", lambda h: "/monitoring/cases/?format=xlsx", READ_ROLES, label="xlsx"),
    Case("warning_detail", "get", lambda h: f"/monitoring/warnings/{h['warning'].pk}/", READERS_HERE),
    Case("warning_detail", "post", lambda h: f"/monitoring/warnings/{h['warning'].pk}/", {"clerk"}, label="verify",
         data=lambda h: {"at_risk": "0", "note": "矩阵核实"},
         changed=lambda h: Warning.objects.get(pk=h["warning"].pk).status == "dismissed"),
    Case("case_detail", "get", lambda h: f"/monitoring/cases/{h['case'].pk}/", READERS_HERE),
    Case("case_detail", "post", lambda h: f"/monitoring/cases/{h['case'].pk}/", {"clerk"}, label="appraise",
         data=lambda h: {"action": "appraise", "version": "0", "appraisal_date": "2026-01-05",
                         "appraisal_attendance": "20", "appraisal_record": "矩阵评议"},
         changed=lambda h: MCase.objects.get(pk=h["case"].pk).state == "notice"),
    Case("disaster_event", "get", lambda h: f"/monitoring/disasters/{h['disaster'].pk}/", READERS_HERE),
    Case("disaster_event", "get", lambda h: f"/monitoring/disasters/{h['disaster'].pk}/?format=xlsx", READERS_HERE,
         label="xlsx"),
    Case("relocation_site", "get", lambda h: f"/monitoring/relocation/{h['site'].pk}/", READERS_HERE),
    Case("relocation_site", "get", lambda h: f"/monitoring/relocation/{h['site'].pk}/?format=xlsx", READERS_HERE,
         label="xlsx"),
    Case("disaster_event", "post", lambda h: f"/monitoring/disasters/{h['disaster'].pk}/", {"county"}, label="enroll",
         data=lambda h: {},
         changed=_enrollment_started),
    Case("guarantee_list", "get", lambda h: "/monitoring/guarantees/", READ_ROLES),
    Case("guarantee_list", "get", lambda h: "/monitoring/guarantees/?format=xlsx", READ_ROLES, label="xlsx"),
    Case("monitoring_parameters", "get", lambda h: "/monitoring/parameters/", READ_ROLES),
    Case("monitoring_parameters", "get", lambda h: "/monitoring/parameters/?format=xlsx", READ_ROLES, label="xlsx"),
    Case("monitoring_parameters", "post", lambda h: "/monitoring/parameters/", {"county"}, label="set",
         data=lambda h: {"key": "notice_days", "valid_from": "2026-01-05", "value": "6", "reason": "矩阵"},
         changed=lambda h: _parameter_set()),
    Case("civil_affairs", "get", lambda h: "/monitoring/civil-affairs/", READ_ROLES),
    Case("civil_affairs", "post", lambda h: "/monitoring/civil-affairs/", {"county"}, label="generate",
         data=lambda h: {}, changed=lambda h: _referred(h)),
    Case("household_monitoring", "get", lambda h: f"/households/{sn(h).pk}/monitoring/", READERS_HERE),
    Case("household_monitoring", "post", lambda h: f"/households/{sn(h).pk}/monitoring/", WRITERS_HERE, label="cadre",
         data=lambda h: {"action": "cadre", "cadre": h["cadre"].pk, "since": "2026-01-05"},
         changed=lambda h: ContactCadre.objects.filter(name="矩阵干部").exists()),
    Case("income_flag_list", "get", lambda h: "/monitoring/income/households/", READ_ROLES),
    Case("income_flag_list", "get", lambda h: "/monitoring/income/households/?format=xlsx", READ_ROLES, label="xlsx"),
    Case("cadre_list", "get", lambda h: "/monitoring/cadres/", READ_ROLES),
    Case("cadre_list", "get", lambda h: "/monitoring/cadres/?format=xlsx", READ_ROLES, label="xlsx"),
    Case("cadre_list", "post", lambda h: "/monitoring/cadres/", WRITERS_HERE, label="add in 双碾村",
         data=lambda h: {"org_unit": SHUANGNIAN_CUN, "name": "矩阵登记", "unit": "村委会", "phone": "2"},
         changed=lambda h: Cadre.objects.filter(name="矩阵登记").exists()),
    Case("cadre_edit", "get", lambda h: f"/monitoring/cadres/{h['cadre'].pk}/", {"county"}, label="双碾乡's roster"),
    Case("cadre_edit", "post", lambda h: f"/monitoring/cadres/{h['cadre'].pk}/", {"county"}, label="双碾乡's roster",
         data=lambda h: {"unit": "乡政府", "phone": "3", "active": "on"},
         changed=lambda h: Cadre.objects.get(pk=h["cadre"].pk).phone == "3"),
    Case("household_plan", "get", lambda h: f"/households/{sn(h).pk}/plan/", READERS_HERE),
    Case("household_plan_pdf", "get", lambda h: f"/households/{sn(h).pk}/plan.pdf", READERS_HERE),
    # 政策兑现
    Case("round_list", "get", lambda h: "/payments/", READ_ROLES),
    Case("round_list", "get", lambda h: "/payments/?format=xlsx", READ_ROLES, label="xlsx"),
    Case("round_create", "get", lambda h: "/payments/new/", {"county", "other_county"}),
    Case("round_create", "post", lambda h: "/payments/new/", {"county"}, label="in 双碾乡",
         data=lambda h: {"title": "矩阵批次", "document": "sn2022-67", "benefits": ["land_fertility_subsidy"],
                         "as_of": "2025-06-30", "area": "140603203000"},
         changed=lambda h: PaymentRound.objects.filter(title="矩阵批次").exists()),
    Case("round_detail", "get", lambda h: f"/payments/{h['round'].pk}/", READERS_HERE),
    Case("round_part_act", "post", lambda h: f"/payments/{h['round'].pk}/parts/{h['part'].pk}/", {"township"},
         data=lambda h: {"action": "approve", "version": h["part"].version},
         changed=lambda h: RoundPart.objects.get(pk=h["part"].pk).state == "county"),
    Case("round_rows", "get", lambda h: f"/payments/{h['round'].pk}/rows/?round={h['round'].pk}", READERS_HERE),
    Case("round_row", "get", lambda h: f"/payments/rows/{h['row'].pk}/", READERS_HERE, label="in 双碾村"),
    Case("round_row", "post", lambda h: f"/payments/rows/{h['row'].pk}/", WRITERS_HERE, label="objection",
         data=lambda h: {"what": "object", "who": "矩阵", "text": "矩阵异议"},
         changed=lambda h: Objection.objects.filter(text="矩阵异议").exists()),
    Case("round_notice", "get", lambda h: f"/payments/{h['round'].pk}/notices/{SHUANGNIAN_CUN}/", READERS_HERE),
    Case("round_issue", "post", lambda h: f"/payments/{h['approved'].pk}/issue/", {"county"},
         data=lambda h: {"layout": "generic_csv", "paid_on": "2025-07-01"},
         changed=lambda h: DisbursementFile.objects.filter(round=h["approved"]).exists()),
    Case("round_reissue", "post", lambda h: f"/payments/{h['failed'].pk}/reissue/", {"county"},
         data=lambda h: {"title": "矩阵重发"}, changed=lambda h: PaymentRound.objects.filter(title="矩阵重发").exists()),
    Case("payment_file", "get", lambda h: f"/payments/files/{h['file'].pk}/", {"county"}),
    Case("payment_file_return", "post", lambda h: f"/payments/files/{h['file'].pk}/return/", {"county"},
         data=lambda h: {"file": return_file(h)}, changed=lambda h: BankReturn.objects.exists()),
    Case("application_list", "get", lambda h: "/payments/applications/", READ_ROLES),
    Case("application_list", "get", lambda h: "/payments/applications/?format=xlsx", READ_ROLES, label="xlsx"),
    Case("application_new", "get", lambda h: f"/payments/applications/new/?household={sn(h).pk}", WRITERS_HERE),
    Case("application_new", "post", lambda h: f"/payments/applications/new/?household={h['lx_monitored'].pk}",
         {"other_county"}, label="in 陇县",
         data=lambda h: {"benefit": "lx2022-10:monitored_industry_award", "asked": "3000", "purpose": "矩阵申请",
                         "evidence": [evidence_file()]},
         changed=lambda h: Application.objects.filter(purpose="矩阵申请").exists()),
    Case("application_detail", "get", lambda h: f"/payments/applications/{h['application'].pk}/", READERS_HERE),
    Case("application_detail", "post", lambda h: f"/payments/applications/{h['application'].pk}/", {"clerk"},
         label="verify", data=lambda h: {"action": "verify", "version": h["application"].version, "amount": "100"},
         changed=lambda h: Application.objects.get(pk=h["application"].pk).state == "township"),
    Case("evidence_download", "get", lambda h: f"/payments/evidence/{h['application'].evidence.first().pk}/",
         READERS_HERE),
    Case("payment_ledger", "get", lambda h: "/payments/ledger/", READ_ROLES),
    Case("payment_ledger", "get", lambda h: "/payments/ledger/?format=xlsx", READ_ROLES, label="xlsx"),
    # API
    Case("api:api-root", "get", lambda h: "/api/", set()),
    Case("api:openapi-json", "get", lambda h: "/api/openapi.json", LOGGED_IN),
    Case("api:openapi-view", "get", lambda h: "/api/docs", LOGGED_IN),
    Case("api:me", "get", lambda h: "/api/me", LOGGED_IN),
    Case("api:orgunits", "get", lambda h: "/api/orgunits", LOGGED_IN),
    Case("api:household_list", "get", lambda h: "/api/households", READ_ROLES),
    Case("api:household_create", "post", lambda h: "/api/households", WRITERS_HERE, json=True,
         data=lambda h: {"village_code": SHUANGNIAN_CUN, "category": "ordinary",
                         "head": {"id_number": new_id(), "name": "接口户主", "labor_capacity": "laborer"}},
         changed=lambda h: Member.objects.filter(name="接口户主").exists()),
    Case("api:household_get", "get", lambda h: f"/api/households/{sn(h).pk}", READERS_HERE, label="in 双碾村"),
    Case("api:household_get", "get", lambda h: f"/api/households/{h['longxian'].pk}", {"other_county"}, label="in 陇县"),
    Case("api:household_update", "patch", lambda h: f"/api/households/{sn(h).pk}", WRITERS_HERE, json=True,
         data=lambda h: {"address": "接口修改"}, changed=lambda h: Household.objects.get(pk=sn(h).pk).address == "接口修改"),
    Case("api:household_entitlements", "get", lambda h: f"/api/households/{sn(h).pk}/entitlements?as_of=2025-06-30",
         READERS_HERE),
    Case("api:enterprise_entitlements", "get",
         lambda h: f"/api/enterprises/{h['ent_wujiayao'].pk}/entitlements?as_of=2025-06-30", {"township", "county", "leader"},
         label="in 吴家窑村, unlinked"),
    Case("api:enterprise_entitlements", "get",
         lambda h: f"/api/enterprises/{h['ent_longxian'].pk}/entitlements?as_of=2022-09-30", READERS_HERE | {"other_county"},
         label="in 陇县, employs a 双碾村 person"),
    Case("api:household_history", "get", lambda h: f"/api/households/{sn(h).pk}/history", READERS_HERE),
    Case("api:account_list", "get", lambda h: f"/api/households/{sn(h).pk}/accounts", READERS_HERE),
    Case("api:account_set", "post", lambda h: f"/api/households/{sn(h).pk}/accounts", WRITERS_HERE, json=True,
         data=lambda h: {"member_id": head(h).pk, "kind": "one_card", "bank": "农商行", "account_number": "1234567890",
                         "holder": head(h).name},
         changed=lambda h: head(h).payee_accounts.exists()),
    Case("api:member_create", "post", lambda h: f"/api/households/{sn(h).pk}/members", WRITERS_HERE, json=True,
         data=lambda h: {"id_number": new_id(), "name": "接口成员", "relation": "child", "labor_capacity": "laborer"},
         changed=lambda h: Member.objects.filter(name="接口成员").exists()),
    Case("api:member_update", "patch", lambda h: f"/api/households/{sn(h).pk}/members/{head(h).pk}", WRITERS_HERE,
         json=True, data=lambda h: {"name": "接口改名"}, changed=lambda h: head(h).name == "接口改名"),
    Case("api:import_file", "post", lambda h: "/api/imports", WRITERS_HERE, data=lambda h: {"file": import_file(h)},
         changed=lambda h: Household.objects.filter(number="M-IMPORT").exists()),
    Case("api:export", "get", lambda h: "/api/exports", READ_ROLES),
    Case("api:ledger_list", "get", lambda h: "/api/ledgers", READ_ROLES),
    Case("api:ledger_checks", "get", lambda h: "/api/ledgers/funds/checks?year=2024&on=2024-12-31", READ_ROLES),
    Case("api:ledger_checks", "get", lambda h: f"/api/ledgers/funds/checks?area={SHUANGNIAN_CUN}", READERS_HERE,
         label="a village's checks"),
    Case("api:ledger_rows", "get", lambda h: "/api/ledgers/funds/fund_projects", READ_ROLES),
    Case("api:ledger_checks", "get", lambda h: "/api/ledgers/five_haves/checks", READ_ROLES, label="five haves"),
    Case("api:ledger_import", "post", lambda h: "/api/ledgers/funds/imports", {"county"},
         data=lambda h: {"file": ledger_file()},
         changed=lambda h: __import__("fangpin.funds.models", fromlist=["Project"]).Project.objects.filter(
             code="M-PROJECT").exists()),
    Case("api:employment_by_place", "get", lambda h: "/api/ledgers/employment/by-place?year=2025", READ_ROLES),
    Case("api:employment_by_place", "get", lambda h: f"/api/ledgers/employment/by-place?area={SHUANGNIAN_CUN}",
         READERS_HERE, label="a village's"),
    Case("api:ledger_import", "post", lambda h: "/api/ledgers/posts/imports", {"clerk", "county"}, label="posts",
         data=lambda h: {"file": posts_file()}, changed=lambda h: __import__(
             "fangpin.employment.models", fromlist=["Post"]).Post.objects.filter(code="M-POST").exists()),
    Case("api:policy_list", "get", lambda h: "/api/policies", READ_ROLES),
    Case("api:policy_parameters", "get", lambda h: "/api/policies/sn2022-67/parameters?as_of=2025-06-30", READ_ROLES),
    Case("api:evaluate", "post", lambda h: "/api/policies/sn2022-67/evaluate", READ_ROLES,
         data=lambda h: {"file": policy_file(), "as_of": "2025-06-30"}),
    Case("api:what_if", "post", lambda h: "/api/policies/sn2022-67/simulate", READ_ROLES,
         data=lambda h: {"file": policy_file(), "as_of": "2025-06-30", "set": ["transport_cross_province=2000"]}),
    Case("api:village_counts", "get", lambda h: "/api/monitoring/villages", READ_ROLES),
    Case("api:warning_list", "get", lambda h: "/api/monitoring/warnings", READ_ROLES),
    Case("api:verify", "post", lambda h: f"/api/monitoring/warnings/{h['warning'].pk}/verify", {"clerk"}, json=True,
         data=lambda h: {"at_risk": False, "note": "接口核实"},
         changed=lambda h: Warning.objects.get(pk=h["warning"].pk).status == "dismissed"),
    Case("api:case_get", "get", lambda h: f"/api/monitoring/cases/{h['case'].pk}", READERS_HERE),
    Case("api:act", "post", lambda h: f"/api/monitoring/cases/{h['case'].pk}/act", {"clerk"}, json=True,
         data=lambda h: {"action": "decline", "version": 0, "reason": "接口评议不通过"},
         changed=lambda h: MCase.objects.get(pk=h["case"].pk).state == "declined"),
    Case("api:upload", "post", lambda h: "/api/monitoring/feeds", {"county", "other_county", "department"},
         data=lambda h: {"feed": "medical_insurance", "file": medical_file()},
         changed=lambda h: FeedUpload.objects.filter(filename="矩阵.csv").exists()),
    Case("api:screening_start", "post", lambda h: "/api/monitoring/screenings", {"county"},
         changed=lambda h: ScreeningRun.objects.count() > 1),
    Case("api:screening_get", "get", lambda h: f"/api/monitoring/screenings/{h['run'].pk}", {"county"}),
    Case("api:audit", "post", lambda h: "/api/policies/sn2022-67/audit", READ_ROLES,
         data=lambda h: {"file": policy_file(), "payments": payments_file(), "as_of": "2025-06-30"}),
    Case("api:round_index", "get", lambda h: "/api/payments/rounds", READ_ROLES),
    Case("api:round_new", "post", lambda h: "/api/payments/rounds", {"county"}, json=True,
         data=lambda h: {"title": "接口批次", "document_id": "sn2022-67", "benefit_ids": ["land_fertility_subsidy"],
                         "as_of": "2025-06-30", "area": "140603203000"},
         changed=lambda h: PaymentRound.objects.filter(title="接口批次").exists()),
    Case("api:round_read", "get", lambda h: f"/api/payments/rounds/{h['round'].pk}", READERS_HERE),
    Case("api:round_rows", "get", lambda h: f"/api/payments/rounds/{h['round'].pk}/rows", READERS_HERE),
    Case("api:part_act", "post", lambda h: f"/api/payments/rounds/{h['round'].pk}/parts/{h['part'].pk}/act",
         {"township"}, json=True, data=lambda h: {"action": "approve", "version": h["part"].version},
         changed=lambda h: RoundPart.objects.get(pk=h["part"].pk).state == "county"),
    Case("api:objection_add", "post", lambda h: f"/api/payments/rows/{h['row'].pk}/objections", WRITERS_HERE,
         json=True, data=lambda h: {"who": "接口", "text": "接口异议"},
         changed=lambda h: Objection.objects.filter(text="接口异议").exists()),
    Case("api:round_issue", "post", lambda h: f"/api/payments/rounds/{h['approved'].pk}/issue", {"county"},
         json=True, data=lambda h: {"layout": "yikatong"},
         changed=lambda h: DisbursementFile.objects.filter(round=h["approved"]).exists()),
    Case("api:file_return", "post", lambda h: f"/api/payments/files/{h['file'].pk}/return", {"county"},
         data=lambda h: {"file": return_file(h)}, changed=lambda h: BankReturn.objects.exists()),
    Case("api:ledger_rows", "get", lambda h: "/api/payments/ledger", READ_ROLES),
    Case("api:ledger_audit", "get", lambda h: "/api/payments/ledger/audit?document=sn2022-67&as_of=2025-06-30",
         {"county", "other_county"}),
    Case("api:application_index", "get", lambda h: "/api/payments/applications", READ_ROLES),
    Case("api:application_submit", "post", lambda h: "/api/payments/applications", {"other_county"}, label="in 陇县",
         data=lambda h: {"document_id": "lx2022-10", "benefit_id": "monitored_industry_award", "asked": 300000,
                         "purpose": "接口申请", "household_id": h["lx_monitored"].pk, "evidence": [evidence_file()]},
         changed=lambda h: Application.objects.filter(purpose="接口申请").exists()),
    Case("api:application_act", "post", lambda h: f"/api/payments/applications/{h['application'].pk}/act", {"clerk"},
         json=True, data=lambda h: {"action": "verify", "version": h["application"].version, "amount": 10000},
         changed=lambda h: Application.objects.get(pk=h["application"].pk).state == "township"),
]


def client_for(world, role) -> Client:
    c = Client()
    if role != "anonymous":
        c.force_login(world.users()[role])
    return c


def request(c: Client, case: Case, h):
    path = case.path(h)
    data = case.data(h) if case.data else None
    if case.json:
        return getattr(c, case.method)(path, data=json.dumps(data), content_type="application/json")
    if case.method == "patch":
        return c.patch(path, data=data)
    return getattr(c, case.method)(path, data=data) if data is not None else getattr(c, case.method)(path)


def text(r) -> str:
    """The body of a plain or streaming response."""
    body = b"".join(r.streaming_content) if r.streaming else r.content
    return body.decode()


def ledger_file():
    """A funds ledger with one project in 双碾村: only 平鲁区's bureau may write it."""
    body = {"format": "fangpin-exchange", "version": "1.0", "fund_projects": [
        {"code": "M-PROJECT", "name": "矩阵项目", "year": 2024, "division_code": SHUANGNIAN_CUN, "kind": "industry",
         "stored_on": "2024-01-02"}]}
    out = io.BytesIO(json.dumps(body, ensure_ascii=False).encode())
    out.name = "funds.json"
    return out


def posts_file():
    """A posts ledger with one post in 双碾村: 平鲁区's bureau and 双碾村's clerk may write it."""
    body = {"format": "fangpin-exchange", "version": "1.0", "employment_posts": [
        {"code": "M-POST", "village_code": SHUANGNIAN_CUN, "name": "矩阵保洁员", "kind": "village", "funding": "pv_income",
         "monthly_wage": 50000, "created_on": "2024-01-02"}]}
    out = io.BytesIO(json.dumps(body, ensure_ascii=False).encode())
    out.name = "posts.json"
    return out


def denied(r) -> bool:
    if r.status_code in (401, 403, 404):
        return True
    return r.status_code == 302 and r["Location"].startswith("/accounts/login/")


def matrix_data(world, households) -> dict:
    """The households plus two enterprises: one in 吴家窑村 with nobody linked, one in 陇县 employing 双碾村's head."""
    import datetime as dt

    from fangpin.lib import creditcode
    from fangpin.registry.models import Employment, Enterprise

    ent_w = Enterprise.objects.create(credit_code=creditcode.make("140603", "MA0000001"), name="吴家窑帮扶车间",
                                      kind="workshop", org_unit_id="140603203203")
    ent_l = Enterprise.objects.create(credit_code=creditcode.make("610327", "MA0000002"), name="陇县苹果合作社",
                                      kind="cooperative", org_unit_id=world.longxian_village)
    Employment.objects.create(member=head(households), year=2025, place="in_province_out_of_county", employer=ent_l,
                              start_date=dt.date(2025, 3, 1), months=7, monthly_wage=250000)
    upload = FeedUpload.objects.create(feed="medical_insurance", region_id="140603000000", uploaded_by=world.county,
                                       filename="医保.csv", sha256="0" * 64, size_bytes=1, row_count=1)
    run = ScreeningRun.objects.create(region_id="140603000000", started_by=world.county, status="done", progress=100)
    run.uploads.set([upload])
    warning = Warning.objects.create(household=sn(households), rule="school_dropout", label="辍学", period="2025-09-01",
                                     risk="education", reason="矩阵预警", source_count=1, deadline=dt.date(2026, 12, 1))
    case = MCase.objects.create(kind="enrollment", household=sn(households), channel="self_application",
                                monitor_type="unstable", risk_causes="矩阵案件", opened_by=world.clerk)
    cadre = Cadre.objects.create(org_unit_id="140603203000", name="矩阵干部", unit="双碾乡政府", phone="1")
    from fangpin.funds.models import Project

    project = Project.objects.create(code="M-1", name="矩阵产业项目", year=2024, org_unit_id=SHUANGNIAN_CUN,
                                     kind="industry", stored_on=dt.date(2024, 1, 2))
    from fangpin.industry.models import LinkEntity

    link_entity = LinkEntity.objects.create(year=2024, enterprise=Enterprise.objects.create(
        credit_code=creditcode.make("140603", "MA0000003"), name="双碾村种养专业合作社", kind="cooperative",
        org_unit_id=SHUANGNIAN_CUN))
    from fangpin.monitoring.models import AffectedHousehold, AffectedVillage, DisasterEvent

    disaster = DisasterEvent.objects.create(code="平鲁区2025-洪涝-01", county_id="140603000000", name="矩阵洪涝",
                                            kind="flood", start=dt.date(2025, 7, 20))
    AffectedVillage.objects.create(event=disaster, village_id=SHUANGNIAN_CUN)
    affected = AffectedHousehold.objects.create(event=disaster, household=sn(households), loss=800000)
    from fangpin.monitoring.models import RelocatedHousehold, RelocationSite

    site = RelocationSite.objects.create(code="矩阵安置点", place_id=SHUANGNIAN_CUN, name="矩阵安置点")
    RelocatedHousehold.objects.create(site=site, household=sn(households), relocated_on=dt.date(2019, 5, 1))
    Member.objects.filter(household=households["wujiayao"]).update(labor_capacity="none")  # a 特困供养 referral
    from fangpin.indicators import snapshots

    shots = {a.code: snapshots.take(a, dt.date(2025, 6, 30)) for a in snapshots.top_units()}
    return {**households, "disaster": disaster, "affected": affected, "site": site, "project": project, "link_entity": link_entity, "ent_wujiayao": ent_w, "ent_longxian": ent_l, "run": run, "warning": warning,
            "case": case, "cadre": cadre, "snapshot": shots["140000000000"]}


# The keys of payment_world: the payment rounds (several engine runs) are made only for the cases that read them, and
# only once for all of those (TestMatrix), as the other cases are run on the world without them.
PAYMENT_KEYS = frozenset({"round", "part", "approved", "file", "failed", "row", "application", "lx_monitored"})


def keys_read(fn, seen=None) -> set[str]:
    """The keys a case's function reads as h["key"], with those read by the functions of this module it calls."""
    import dis
    import inspect

    code = getattr(fn, "__code__", fn)
    seen = set() if seen is None else seen
    if code in seen:
        return set()
    seen.add(code)
    out = set()
    ins = list(dis.get_instructions(code))
    for a, b in zip(ins, ins[1:]):
        if (a.opname == "LOAD_CONST" and isinstance(a.argval, str)
                and (b.opname == "BINARY_SUBSCR" or (b.opname == "BINARY_OP" and "[" in b.argrepr))):
            out.add(a.argval)
    for const in code.co_consts:
        if inspect.iscode(const):
            out |= keys_read(const, seen)
    for name in code.co_names:
        f = globals().get(name)
        if inspect.isfunction(f) and f.__module__ == __name__:
            out |= keys_read(f, seen)
    return out


def uses_payments(case: Case) -> bool:
    """Whether the case reads a payment round before its request (in its path or data), as it must if at all."""
    before = keys_read(case.path) | (keys_read(case.data) if case.data else set())
    assert not case.changed or PAYMENT_KEYS & before or not PAYMENT_KEYS & keys_read(case.changed), case_id(case)
    return bool(PAYMENT_KEYS & before)


class Read(dict):
    """The matrix's objects, remembering which were read; without the payment rounds, reading one of them fails."""

    def __init__(self, values):
        super().__init__(values)
        self.read = set()

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def __missing__(self, key):
        if key in PAYMENT_KEYS:
            raise KeyError(f"{key}: a case that reads the payment rounds must read one in its path or data")
        raise KeyError(f"{key}: not in the matrix's world (if payment_world makes it, add it to PAYMENT_KEYS)")


def payment_world(world, households) -> dict:
    """A round of 双碾乡 whose notices are over (the township may approve); an approved round with a held row and an
    account (the county may issue it); an issued round's file (download, return); a round with a failed row."""
    import datetime as dt
    from decimal import Decimal

    from fangpin.payments import accounts, approval, disbursement, rounds

    h = sn(households)
    h.contracted_land_mu = Decimal("10.50")
    h.save()
    accounts.set_account(world.clerk, head(households), kind="one_card", bank="农商行", number="7000000000001",
                         holder=head(households).name)

    def computed(benefits, title, year=2025):
        return rounds.create(world.county, title=title, document_id="sn2022-67", benefit_ids=benefits,
                             as_of=dt.date(year, 6, 30), area="140603203000", run=rounds.compute)

    def approved(rnd):
        RoundNotice.objects.filter(round=rnd).update(start=dt.date(2025, 7, 1), end=dt.date(2025, 7, 7))
        part = RoundPart.objects.get(round=rnd)
        part = approval.act(world.township, part, "approve", version=part.version, today=dt.date(2025, 7, 8))
        approval.act(world.county, part, "approve", version=part.version, today=dt.date(2025, 7, 8))
        rnd.refresh_from_db()
        return rnd

    issued = approved(computed(["land_fertility_subsidy"], "矩阵已发", 2023))  # each year's land subsidy: its own slot
    f, = disbursement.issue(world.county, issued, layout="generic_csv")
    rnd = computed(["consumption_voucher", "land_fertility_subsidy"], "矩阵公示")
    RoundNotice.objects.filter(round=rnd).update(start=dt.date(2025, 7, 1), end=dt.date(2025, 7, 7))
    nxt = approved(computed(["land_fertility_subsidy"], "矩阵待发", 2024))  # approved, not yet issued
    # a failed row of another round, to be reissued
    other = approved(rounds.create(world.county, title="矩阵失败", document_id="sn2022-67",
                                   benefit_ids=["consumption_voucher"], as_of=dt.date(2025, 6, 30),
                                   area="140603203000", run=rounds.compute))
    for row in RoundRow.objects.filter(round=other, member__isnull=False).exclude(member=head(households)):
        accounts.set_account(world.county, row.member, kind="one_card", bank="农商行", number="7000000000019",
                             holder=row.member.name)
    disbursement.issue(world.county, other, layout="generic_csv")
    Payment.objects.filter(round=other).update(status="failed", held=False, reason="账户冻结")
    failed = other
    # an application in 双碾村 waiting for the village; a monitored household of 陇县 that may apply
    from conftest import make_household
    from fangpin.payments import applications

    h.courtyard_economy = True
    h.save()
    with evidence_path() as path:
        app = applications.submit(world.clerk, document_id="sn2022-67", benefit_id="courtyard_economy_award",
                                  household=h, asked=100000, purpose="矩阵庭院", evidence=[("验收.pdf", path)],
                                  as_of=dt.date(2025, 6, 30))
    lx = make_household(world.longxian_village, f"{world.longxian_village}0009", category="monitored",
                        monitor_type="marginal", region="610327")
    lx.industry_project = True
    lx.save()
    return {"round": rnd, "part": RoundPart.objects.get(round=rnd), "approved": nxt, "file": f, "failed": failed,
            "row": RoundRow.objects.get(round=rnd, benefit_id="land_fertility_subsidy"), "application": app,
            "lx_monitored": lx}


def evidence_file():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("票据.pdf", b"%PDF-1.4 matrix")


def evidence_path():
    import contextlib
    import tempfile
    from pathlib import Path

    @contextlib.contextmanager
    def made():
        with tempfile.TemporaryDirectory() as tmp:
            p = Path(tmp) / "e.pdf"
            p.write_bytes(b"%PDF-1.4 matrix")
            yield p
    return made()


def return_file(h):
    """The bank's return for the matrix's file: every row paid."""
    import datetime as dt

    from fangpin.payments import bankfiles, disbursement

    f = h["file"]
    lines = [(line, "成功", "") for line in disbursement.lines_of(f)]
    out = io.BytesIO()
    bankfiles.simulate_return(bankfiles.layouts()["generic_csv"], lines, out, paid_on=dt.date(2025, 7, 20))
    out.seek(0)
    out.name = "回盘.csv"
    return out


def archived(h) -> str:
    """The 平鲁区 bulletin of the matrix's snapshot, archived as the monthly job does: its day."""
    from fangpin.indicators import bulletin, snapshots
    from fangpin.orgunits.models import OrgUnit

    bulletin.archive(snapshots.take(OrgUnit.objects.get(code="140603000000"), h["snapshot"].on))
    return f"{h['snapshot'].on:%Y-%m-%d}"


def case_id(c: Case) -> str:
    return f"{c.method}-{c.name}{'-' + c.label if c.label else ''}"


def check(world, households, case, role):
    r = request(client_for(world, role), case, households)
    allowed = role in case.allowed
    if case.changed is not None:
        assert case.changed(households) == allowed, (r.status_code, r.content[:300])
        if not allowed:
            # an importer outside the area gets its job's page, which lists the refused rows (nothing written)
            refused_job = r.status_code == 302 and r.url.startswith("/import/jobs/")
            # a bureau of another county acting on a whole-area page (generate the referral list) acts on its own
            # county: back to the page, nothing of 平鲁区 changed
            own_area = role == "other_county" and r.status_code == 302 and not r.url.startswith("/accounts/")
            assert r.status_code in (200, 401, 403, 404, 422) or denied(r) or refused_job or own_area
        return
    if allowed:
        assert r.status_code == 200 or (case.name == "logout" and r.status_code == 302), (r.status_code, r.content[:300])
    else:
        assert denied(r), (r.status_code, r.content[:300])


class TestMatrix:
    """The cases that read no payment round. The matrix's world is made once for the class; each case runs in a
    transaction rolled back at its end (conftest.kept)."""

    payments = False

    @pytest.fixture(scope="class")
    @classmethod
    def matrix_world(cls, request, django_db_setup, django_db_blocker):
        from conftest import build_households, build_world, kept

        def build():
            world = build_world()
            households = build_households(world)
            data = matrix_data(world, households)
            if request.cls.payments:
                data.update(payment_world(world, households))
            return world, data

        yield from kept(django_db_blocker, build)

    @pytest.fixture
    def world(self, db, matrix_world):
        return copy.deepcopy(matrix_world[0])

    @pytest.fixture
    def world_data(self, db, matrix_world, request):
        data = Read(copy.deepcopy(matrix_world[1]))
        yield data
        if request.cls.payments:
            assert data.read & PAYMENT_KEYS, "the case reads no payment round: it belongs to TestMatrix"

    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("case", [c for c in CASES if not uses_payments(c)], ids=case_id)
    def test_matrix(self, world, world_data, case, role):
        check(world, world_data, case, role)


class TestMatrixWithPayments(TestMatrix):
    """The cases that read a payment round: the world has the rounds of payment_world too (several engine runs)."""

    payments = True

    @pytest.mark.parametrize("role", ROLES)
    @pytest.mark.parametrize("case", [c for c in CASES if uses_payments(c)], ids=case_id)
    def test_matrix(self, world, world_data, case, role):
        check(world, world_data, case, role)


@pytest.mark.parametrize("role", ["clerk", "township", "county", "leader", "other_county"])
@pytest.mark.parametrize("path", ["/api/exports", "/export/?format=json", "/api/households"])
def test_listings_hold_only_the_subtree(world, households, role, path):
    body = json.loads(text(client_for(world, role).get(path)))
    numbers = {h["household_number"] for h in body.get("households", body.get("items", []))}
    expected = {"clerk": {"shuangnian"}, "township": {"shuangnian", "wujiayao"},
                "county": {"shuangnian", "wujiayao", "other_township"},
                "leader": {"shuangnian", "wujiayao", "other_township"}, "other_county": {"longxian"}}[role]
    assert numbers == {households[k].number for k in expected}


@pytest.mark.parametrize("role,masked", [("clerk", False), ("township", True), ("county", False), ("leader", True)])
def test_id_numbers_masked_on_every_surface(world, households, role, masked):
    c = client_for(world, role)
    full = head(households).id_number
    paths = [f"/households/{sn(households).pk}/", "/households/", f"/api/households/{sn(households).pk}",
             "/api/exports", "/export/?format=json"]
    pages = [text(c.get(p)) for p in paths]
    for page in pages:
        assert (full in page) == (not masked)
        if masked:
            assert full[:4] + "*" * 14 in page and full[6:14] not in page


def _workbook_cells(r) -> list:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True)
    return [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c is not None]


@pytest.mark.parametrize("role,masked", [("clerk", False), ("township", True), ("county", False), ("leader", True)])
def test_account_numbers_masked_on_every_export(world, households, role, masked):
    """收款账户 in the exchange exports (JSON and Excel, page and API) as in the household page: MASKED_FIELDS."""
    import datetime as dt

    from fangpin.lib import bankcard
    from fangpin.payments import accounts

    card = "6217000010001234569"
    accounts.set_account(world.clerk, head(households), kind="bank_card", bank="农行", number=card,
                         holder=head(households).name, since=dt.date(2026, 3, 1))
    c = client_for(world, role)
    pages = [text(c.get(p)) for p in ("/api/exports", "/export/?format=json", f"/households/{sn(households).pk}/")]
    pages += ["\n".join(_workbook_cells(c.get(p))) for p in ("/api/exports?format=xlsx", "/export/?format=xlsx")]
    for page in pages:
        assert (card in page) == (not masked)
        assert (bankcard.mask(card) in page) == masked
    for p in ("/api/exports", "/export/?format=json"):
        assert json.loads(text(c.get(p))).get("notes") == ("身份证号、收款账号已按角色脱敏，本文件不能再导入" if masked else None)


def _patterns(resolver: URLResolver, ns: str = ""):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, f"{ns}{p.namespace}:" if p.namespace else ns)
        elif isinstance(p, URLPattern):
            yield f"{ns}{p.name}"


def test_every_route_is_in_the_matrix():
    assert set(_patterns(get_resolver())) == {c.name for c in CASES}


def test_api_rejects_bad_input_with_4xx_not_500(world, households):
    c = client_for(world, "county")
    pk = sn(households).pk
    r = c.patch(f"/api/households/{pk}", data=json.dumps({"phone": None, "dibao": None}), content_type="application/json")
    assert r.status_code == 422 and "低保户" in r.json()["detail"]["dibao"][0]
    r = c.post("/api/imports", data=b"--x\r\nbroken", content_type="multipart/form-data")
    assert r.status_code == 400
    r = c.post("/api/households", data=json.dumps({"village_code": SHUANGNIAN_CUN, "category": "lifted", "phone": None,
                                                   "head": {"id_number": new_id(), "name": "甲", "labor_capacity": "laborer"}}),
               content_type="application/json")
    assert r.status_code in (201, 422)
