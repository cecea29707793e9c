"""The framework's guards found by the attack on the ledgers: control characters refused by cell, ID numbers never a
sort key, out-of-range years, dates and offsets refused (4xx, never 500), and a reference to a refused row of the
same file named as such."""
import json

import pytest
from django.test import Client

from conftest import SHUANGNIAN_CUN
from fangpin.funds.ledger import LEDGER
from fangpin.funds.models import Project
from fangpin.ledgers.importer import import_file
from fangpin.web import ledger_lists

pytestmark = pytest.mark.django_db

PROJECT = {"code": "G-1", "name": "项目", "year": 2024, "division_code": SHUANGNIAN_CUN, "kind": "industry",
           "stored_on": "2024-01-02"}


def _file(tmp_path, **sheets):
    path = tmp_path / "f.json"
    path.write_text(json.dumps({"format": "fangpin-exchange", "version": "1.0", **sheets}, ensure_ascii=False),
                    encoding="utf-8")
    return path


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.parametrize("bad", ["项目\x00", "项\x07目", "\x1b[31m项目"])
def test_a_control_character_is_refused_by_its_cell(world, tmp_path, bad):
    result = import_file(user=world.county, ledger=LEDGER, path=_file(tmp_path, fund_projects=[{**PROJECT, "name": bad}]))
    assert [(p.sheet, p.row, p.column, p.message) for p in result.problems] == [
        ("fund_projects", 1, "name", "“项目名称”含有不可见的控制字符，请删除后重新填写")]
    assert not Project.objects.exists()
    ok = import_file(user=world.county, ledger=LEDGER, path=_file(tmp_path, fund_projects=[{**PROJECT, "name": "项\t目"}]))
    assert ok.ok  # a tab is typed text


def test_an_object_in_a_text_cell_is_refused(world, tmp_path):
    result = import_file(user=world.county, ledger=LEDGER,
                         path=_file(tmp_path, fund_projects=[{**PROJECT, "name": {"a": 1}}]))
    assert [p.message for p in result.problems] == ["“项目名称”应为文本"]


def test_no_list_sorts_by_an_id_number():
    for spec in ledger_lists.SPECS.values():
        for column in spec.columns:
            if column.header.endswith("身份证号") or "身份证" in column.header:
                assert column.order_by == (), (spec.key, column.key)
    loans = ledger_lists.SPECS["ledger:credit:credit_loans"]
    assert next(c for c in loans.columns if c.key == "id_number").order_by == ()


@pytest.mark.parametrize("url", [
    "/api/ledgers/funds/checks?year=10000", "/api/ledgers/funds/checks?year=1", "/api/ledgers/posts/checks?on=0001-06-01",
    "/api/ledgers/funds/fund_projects?offset=99999999999999999999", "/api/ledgers/employment/by-place?year=100000",
])
def test_out_of_range_parameters_are_refused_not_a_server_error(world, url):
    assert _client(world.county).get(url).status_code == 422


def test_a_page_with_a_date_out_of_range_shows_today(world):
    r = _client(world.county).get("/ledgers/posts/?on=0001-06-01&year=2024")
    assert r.status_code == 200


def test_a_reference_to_a_refused_row_of_the_same_file_names_that_row(world, tmp_path):
    bad_project = {**PROJECT, "stored_on": "不是日期"}
    allocation = {"project_code": "G-1", "source": "county", "fund_kind": "linkage", "amount": 100,
                  "allocated_on": "2024-02-01"}
    result = import_file(user=world.county, ledger=LEDGER,
                         path=_file(tmp_path, fund_projects=[bad_project], fund_allocations=[allocation]))
    messages = [(p.sheet, p.row, p.message) for p in result.problems]
    assert ("fund_allocations", 1, "项目编号“G-1”在本文件“fund_projects”第1行，该行有错误，请先改正") in messages
    assert not any("都没有登记" in m for _, _, m in messages)


def test_a_borrower_outside_the_area_is_only_outside_whatever_the_household(world, tmp_path):
    """The credit ledger admits members of lifted and monitored households; for a person outside the importer's area
    the answer is the same whatever the household's category, so an import does not tell it."""
    from conftest import make_household
    from fangpin.credit.ledger import LEDGER as CREDIT

    lifted = make_household(world.longxian_village, "LX-1", region="610327").members.get()
    ordinary = make_household(world.longxian_village, "LX-2", category="ordinary", region="610327").members.get()
    inside_ordinary = make_household(SHUANGNIAN_CUN, "SN-9", category="ordinary").members.get()

    def loan(code, member):
        return {"code": code, "id_number": member.id_number, "bank": "农商行", "issued_on": "2024-03-01",
                "due_on": "2025-03-01", "amount": 1_000_000, "rate": "3.85", "use": "livestock"}

    messages = {}
    for code, member in (("A", lifted), ("B", ordinary), ("C", inside_ordinary)):
        result = import_file(user=world.county, ledger=CREDIT, path=_file(tmp_path, credit_loans=[loan(code, member)]))
        messages[code] = [p.message.replace(member.id_number, "ID") for p in result.problems]
    assert messages["A"] == messages["B"] and all("不在您的管辖范围内" in m for m in messages["A"])
    assert messages["C"] == ["身份证号“ID”不是户籍系统中脱贫户或监测户的成员"]
