"""The audit page: a payments file against what the registry says was owed, for a county bureau's area."""
import datetime as dt
import io
import json

import openpyxl
from django.test import Client

from fangpin.registry.models import Employment


def payments(rows):
    f = io.BytesIO(json.dumps({"format": "fangpin-exchange", "version": "1.0", "payments": rows}).encode())
    f.name = "发放记录.json"
    return f


def test_audit_finds_what_was_missed_and_what_was_not_owed(world, households):
    head = households["shuangnian"].members.get(relation="head")
    Employment.objects.create(member=head, year=2025, place="cross_province", start_date=dt.date(2025, 1, 1), months=8,
                              monthly_wage=300000)
    other = households["wujiayao"].members.get(relation="head")  # no work spell: the transport subsidy is not owed
    rows = [{"benefit_id": "transport_subsidy", "household_number": households["wujiayao"].number,
             "id_number": other.id_number, "year": 2025, "amount": 150000, "reference": "凭证001"}]
    c = Client()
    c.force_login(world.county)
    page = c.post("/policies/sn2022-67/audit/", {"payments": payments(rows), "as_of": "2025-06-30"}).content.decode()
    assert 'id="audit-summary"' in page and "违规享受" in page and "应享未享" in page
    assert other.id_number in page  # the county bureau sees full ID numbers
    r = c.post("/policies/sn2022-67/audit/", {"payments": payments(rows), "as_of": "2025-06-30", "export": "1"})
    sheet = [list(x) for x in openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True)]
    assert sheet[0][0] == "发放审计" and sheet[4][0] == "审计发现"
    assert {x[0] for x in sheet[5:]} >= {"违规享受", "应享未享"}


def test_a_bad_payments_file_is_refused_on_its_field(world):
    c = Client()
    c.force_login(world.county)
    f = io.BytesIO(b"not a workbook")
    f.name = "x.xlsx"
    page = c.post("/policies/sn2022-67/audit/", {"payments": f, "as_of": "2025-06-30"}).content.decode()
    assert 'id="audit-summary"' not in page and "errorlist" in page


def test_only_a_county_bureau_audits(world):
    c = Client()
    c.force_login(world.township)
    assert c.get("/policies/sn2022-67/audit/").status_code == 403


def test_audit_on_the_systems_own_ledger_needs_no_file(world, households):
    c = Client()
    c.force_login(world.county)
    page = c.post("/policies/sn2022-67/audit/", {"source": "ledger", "as_of": "2025-06-30"}).content.decode()
    assert 'id="audit-summary"' in page and "发放记录 0 条" in page and "应享未享" in page  # nothing paid yet
    page = c.post("/policies/sn2022-67/audit/", {"source": "file", "as_of": "2025-06-30"}).content.decode()
    assert "请上传发放记录，或选择本系统的发放台账" in page and 'id="audit-summary"' not in page
    r = c.post("/policies/sn2022-67/audit/", {"source": "ledger", "as_of": "2025-06-30", "export": "1"})
    sheet = [list(x) for x in openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True)]
    assert any("本系统的发放台账" in str(x[0]) for x in sheet[:4])
