"""The microcredit pages as a user reads them: borrowers by name and ID number as the role may see it, codes by label,
each loan's balance and state, the checks with their clause, and a loan with its repayments and history."""
import datetime as dt

import pytest
from django.test import Client

from conftest import SHUANGNIAN_CUN, make_household
from fangpin.credit.models import Loan, Repayment

pytestmark = pytest.mark.django_db


@pytest.fixture
def loan(world):
    member = make_household(SHUANGNIAN_CUN, "H1", head_name="王建国").members.get()
    loan = Loan.objects.create(code="PLXD1", member=member, bank="平鲁区农村信用合作联社", issued_on=dt.date(2019, 3, 1),
                               due_on=dt.date(2020, 3, 1), amount=30_000_00, rate="3.85", use="livestock")
    Repayment.objects.create(loan=loan, repaid_on=dt.date(2019, 9, 1), principal=10_000_00)
    return loan


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_list_shows_borrowers_labels_balance_and_state(world, loan):
    page = _client(world.county).get("/ledgers/credit/credit_loans/").content.decode()
    assert f"王建国（{loan.member.id_number}）" in page and "养殖业" in page and "30,000.00" in page
    assert "贷款余额（元）" in page and "20,000.00" in page and "逾期" in page and "livestock" not in page
    masked = _client(world.township).get("/ledgers/credit/credit_loans/").content.decode()
    assert "王建国" in masked and loan.member.id_number not in masked


def test_the_ledger_page_and_a_loan_show_the_checks(world, loan):
    page = _client(world.county).get("/ledgers/credit/?year=2020&on=2020-12-31").content.decode()
    assert "小额信贷按期偿还（逾期监测）" in page and "尚余本金20,000.00元未还，已逾期305天" in page
    assert "单户小额信贷余额上限" in page and "双发〔2022〕67号 第2条" in page and "湖南十条 四" in page
    entry = _client(world.county).get(f"/ledgers/credit/credit_loans/{loan.pk}/?on=2020-12-31").content.decode()
    assert "还款（1）" in entry and "2019-09-01" in entry and "10,000.00" in entry
    assert "应于2020-03-01前还清" in entry and "未达标" in entry and "变更记录" in entry


def test_the_ledger_page_shows_new_lending_and_balance_by_unit(world, loan):
    """The area's new lending of the year and balance on the day, for each unit one level down and in total."""
    from conftest import WUJIAYAO
    from fangpin.credit.models import Compensation

    other = make_household(WUJIAYAO, "H2", head_name="李秀英").members.get()
    late = Loan.objects.create(code="PLXD2", member=other, bank="农商行", issued_on=dt.date(2020, 5, 1),
                               due_on=dt.date(2021, 5, 1), amount=50_000_00, rate="3.85", use="livestock")
    Compensation.objects.create(loan=late, applied_on=dt.date(2020, 6, 1), amount=5_000_00,
                                compensated_on=dt.date(2020, 7, 1))
    page = _client(world.county).get("/ledgers/credit/?area=140603203000&year=2020&on=2020-12-31").content.decode()
    table = page.split('id="credit-summary"')[1].split("</table>")[0]
    rows = {r.split("</td>")[0].split(">")[-2].split("<")[0]: r for r in table.split("<tr>")[2:]}
    assert "2020年新增发放" in table and "截至2020-12-31贷款余额" in table
    # 双碾村: lent in 2019, 20,000 left; 吴家窑村: 50,000 lent in 2020, 5,000 compensated
    assert "0.00" in rows["双碾村委会"] and "20,000.00" in rows["双碾村委会"]
    assert "50,000.00" in rows["吴家窑村委会"] and "45,000.00" in rows["吴家窑村委会"]
    assert "合计" in table and "65,000.00" in table
    early = _client(world.county).get("/ledgers/credit/?area=140603203000&year=2019&on=2019-12-31").content.decode()
    assert "45,000.00" not in early.split('id="credit-summary"')[1].split("</table>")[0]
