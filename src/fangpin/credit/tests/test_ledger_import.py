"""The microcredit ledger through the exchange format: a loan names its borrower by ID number (a member of a lifted or
monitored household in the keeper's area), imports all or nothing with errors by sheet, row and column, and the
export reads back identically; only a county bureau keeps it."""
import datetime as dt
import io
import json

import pytest
from django.db import IntegrityError, transaction
from python_calamine import CalamineWorkbook

from conftest import SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.credit.ledger import LEDGER
from fangpin.credit.models import Compensation, Loan, Repayment
from fangpin.exchange import workbooks
from fangpin.ledgers import exporter
from fangpin.ledgers.importer import import_file
from fangpin.lib import idnumber
from fangpin.ledgers.testing import exchange_doc, json_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(world):
    lifted = make_household(SHUANGNIAN_CUN, "H1", category="lifted", head_name="王建国").members.get()
    marginal = make_household(WUJIAYAO, "H2", category="monitored", monitor_type="marginal",
                              head_name="李秀英").members.get()
    ordinary = make_household(SHUANGNIAN_CUN, "H3", category="ordinary", head_name="赵四").members.get()
    return lifted.id_number, marginal.id_number, ordinary.id_number


def _loans(people):
    lifted, marginal, _ = people
    first = {"code": "PLXD2024001", "id_number": lifted, "bank": "平鲁区农村信用合作联社", "issued_on": "2024-03-01",
             "due_on": "2027-03-01", "amount": 50_000_00, "rate": "3.85", "use": "livestock", "top_up": False,
             "extended_to": None, "subsidized": True, "note": None}
    top_up = {**first, "code": "PLXD2024002", "issued_on": "2024-06-01", "due_on": "2026-06-01",
              "amount": 50_000_00, "top_up": True, "note": "追加贷款"}
    other = {**first, "code": "PLXD2023003", "id_number": marginal, "issued_on": "2023-04-01", "due_on": "2024-04-01",
             "extended_to": "2025-04-01", "amount": 20_000_00, "rate": "4.35", "use": "crops", "subsidized": False}
    return [first, top_up, other]


REPAYMENTS = [{"loan_code": "PLXD2023003", "repaid_on": "2024-03-20", "principal": 5_000_00},
              {"loan_code": "PLXD2023003", "repaid_on": "2025-03-30", "principal": 15_000_00}]
COMPENSATIONS = [{"loan_code": "PLXD2024002", "applied_on": "2024-11-01", "amount": 1_000_00, "compensated_on": None}]


def _xlsx(tmp_path, sheets, name="credit.xlsx"):
    path = tmp_path / name
    workbooks.write_document(path, sheets, catalog=LEDGER.catalog)
    return path


def _export(user):
    out = io.StringIO()
    exporter.write_json(user, LEDGER, out)
    return {k: v for k, v in json.loads(out.getvalue()).items() if k.startswith("credit_")}


def _sheet_values(path, title):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(title).to_python()


def test_an_excel_ledger_imports_and_exports_back_identically(world, people, tmp_path):
    loans = _loans(people)
    sheets = {"credit_loans": [loans[2], loans[0], loans[1]], "credit_repayments": REPAYMENTS,
              "credit_compensations": COMPENSATIONS}
    path = _xlsx(tmp_path, sheets)
    result = import_file(user=world.county, ledger=LEDGER, path=path)
    assert result.ok, result.problems
    assert result.counts == {"贷款": 3, "还款": 2, "风险补偿": 1}
    assert _export(world.county) == sheets  # loans in the order they were lent
    again = tmp_path / "export.xlsx"
    exporter.write_xlsx(world.county, LEDGER, again)
    for sheet in LEDGER.catalog.sheets:
        assert _sheet_values(again, sheet.title) == _sheet_values(path, sheet.title)


def test_a_json_import_replaces_a_loans_repayments(world, people, tmp_path):
    doc = exchange_doc(credit_loans=_loans(people), credit_repayments=REPAYMENTS)
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc)).ok
    one = {**REPAYMENTS[0], "principal": 20_000_00}
    second = json_file(tmp_path, exchange_doc(credit_repayments=[one]), "b.json")
    assert import_file(user=world.county, ledger=LEDGER, path=second).ok
    assert _export(world.county)["credit_repayments"] == [one]
    assert Repayment.history.filter(history_type="-").count() == 2
    assert Loan.objects.get(code="PLXD2023003").member.name == "李秀英"


def test_errors_name_sheet_row_and_column_and_nothing_is_written(world, people, tmp_path):
    first, top_up, _ = _loans(people)
    unknown = idnumber.make("140603", dt.date(1970, 1, 1), 11)
    rows = [
        first,
        {**first, "code": "E2", "id_number": people[2]},  # an ordinary household
        {**first, "code": "E3", "id_number": unknown},  # nobody
        {**first, "code": "E4", "due_on": "2024-03-01"},  # due the day it was lent
        {**first, "code": "E5", "extended_to": "2027-03-01"},  # extended to its own due day
        {**first, "code": "E6", "amount": 0},
        {**first, "code": "E7", "issued_on": "2999-01-01", "due_on": "2999-06-01"},
        {**first, "code": "E8", "rate": "100.01"},
    ]
    repayments = [{**REPAYMENTS[0], "loan_code": "NOPE"}, {**REPAYMENTS[0], "loan_code": "E2", "principal": 0}]
    compensations = [{"loan_code": "PLXD2024001", "applied_on": "2024-11-01", "amount": 100,
                      "compensated_on": "2024-10-31"}]
    path = _xlsx(tmp_path, {"credit_loans": rows, "credit_repayments": repayments,
                            "credit_compensations": compensations})
    result = import_file(user=world.county, ledger=LEDGER, path=path)
    found = {(p.sheet, p.row, p.letter, p.message) for p in result.problems}
    assert ("贷款", 3, "B", f"身份证号“{people[2]}”不是户籍系统中脱贫户或监测户的成员") in found
    assert ("贷款", 4, "B", f"身份证号“{unknown}”不是户籍系统中脱贫户或监测户的成员") in found
    assert ("贷款", 5, "E", "“到期日期”应晚于“发放日期”（2024-03-01）") in found
    assert ("贷款", 6, "J", "“展期至”应晚于“到期日期”（2027-03-01）") in found
    assert ("贷款", 7, "F", "“贷款金额”应大于0") in found
    assert ("贷款", 8, "D", "“发放日期”不能晚于今天") in found
    assert ("贷款", 9, "G", "“年利率（%）”不能大于100") in found
    assert ("还款", 2, "A", "贷款编号“NOPE”在文件和系统中都没有登记") in found
    assert ("还款", 3, "C", "“还款本金”应大于0") in found
    assert ("风险补偿", 2, "D", "“代偿日期”不能早于“申请日期”（2024-11-01）") in found
    assert not Loan.objects.exists() and not Repayment.objects.exists() and not Compensation.objects.exists()


def test_only_a_county_bureau_keeps_it_and_only_for_its_peoples_loans(world, people, tmp_path):
    path = json_file(tmp_path, exchange_doc(credit_loans=_loans(people)[:1]))
    for user in (world.clerk, world.township, world.leader, world.department):
        assert [p.message for p in import_file(user=user, ledger=LEDGER, path=path).problems] == [
            "您的角色无权导入小额信贷台账"]
    result = import_file(user=world.other_county, ledger=LEDGER, path=path)  # 陇县: a 平鲁区 borrower
    assert [(p.sheet, p.message) for p in result.problems] == [("credit_loans", "该借款人身份证号不在您的管辖范围内")]
    assert import_file(user=world.county, ledger=LEDGER, path=path).ok
    repay = json_file(tmp_path, exchange_doc(credit_repayments=[{**REPAYMENTS[0], "loan_code": "PLXD2024001"}]), "r.json")
    assert "不在您的管辖范围" in import_file(user=world.other_county, ledger=LEDGER, path=repay).problems[0].message
    assert not Repayment.objects.exists()


def test_the_export_masks_id_numbers_for_roles_that_do_not_see_them(world, people, tmp_path):
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, exchange_doc(credit_loans=_loans(people)))).ok
    township = _export(world.township)["credit_loans"]
    assert len(township) == 3 and all("*" in row["id_number"] for row in township)
    assert [row["code"] for row in _export(world.clerk)["credit_loans"]] == ["PLXD2024001", "PLXD2024002"]
    assert _export(world.other_county)["credit_loans"] == []


def test_the_tables_refuse_impossible_loans(world, people):
    from fangpin.registry.models import Member

    member = Member.objects.get(id_number=people[0])
    base = dict(code="DB1", member=member, bank="b", issued_on="2024-03-01", due_on="2025-03-01", amount=100,
                rate="3.85", use="crops")
    for bad in ({"amount": 0}, {"due_on": "2024-03-01"}, {"extended_to": "2025-03-01"}, {"rate": "-0.01"},
                {"use": "gambling"}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Loan.objects.create(**{**base, **bad})
    loan = Loan.objects.create(**base)
    for model, bad in ((Repayment, {"repaid_on": "2024-04-01", "principal": 0}),
                       (Compensation, {"applied_on": "2024-04-01", "amount": 1, "compensated_on": "2024-03-31"})):
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.create(loan=loan, **bad)


def test_the_export_is_valid_against_the_formats_json_schema(world, people, tmp_path):
    import jsonschema

    from fangpin.exchange.schema import json_schema

    doc = exchange_doc(credit_loans=_loans(people), credit_repayments=REPAYMENTS, credit_compensations=COMPENSATIONS)
    assert import_file(user=world.county, ledger=LEDGER, path=json_file(tmp_path, doc)).ok
    out = io.StringIO()
    exporter.write_json(world.county, LEDGER, out)
    jsonschema.validate(json.loads(out.getvalue()), json_schema(), format_checker=jsonschema.FormatChecker())
