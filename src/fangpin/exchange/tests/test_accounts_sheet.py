"""收款账户 in the exchange format: exported as the role may see them, imported all or nothing by the rules of
payments.accounts, a different account replacing the current one, an equal one left alone."""
import datetime as dt
import io
import json

import openpyxl
import pytest

from conftest import SHUANGNIAN_CUN, new_id
from fangpin.exchange import exporter, importer, workbooks
from fangpin.exchange.readers import column_letter
from fangpin.exchange.spec import ACCOUNTS
from fangpin.lib import creditcode
from fangpin.payments import accounts
from fangpin.payments.models import PayeeAccount
from fangpin.registry.models import Enterprise, Household

from .helpers import json_doc, workbook

CARD = "6217000010001234569"  # Luhn-valid
OTHER_CARD = "6228480010000000009"
DAY = dt.date(2026, 3, 1)


@pytest.fixture
def people(world, households):
    """双碾村's household: the head with a bank card, a child paid through a proxy; an enterprise of 双碾村 with its
    corporate account."""
    h = households["shuangnian"]
    head = h.members.get(relation="head")
    child = h.members.filter(relation="child").order_by("pk").first()
    accounts.set_account(world.clerk, head, kind="bank_card", bank="中国农业银行平鲁支行", number=CARD, holder=head.name,
                         since=DAY)
    accounts.set_account(world.clerk, child, kind="one_card", bank="平鲁农商银行", number="1234567890",
                         holder="王代领", proxy_relation="父亲", proxy_reason="本人在外上学", since=DAY)
    firm = Enterprise.objects.create(credit_code=creditcode.make("140603", "MA0000031"), name="双碾帮扶车间",
                                     kind="workshop", org_unit_id=SHUANGNIAN_CUN)
    accounts.set_enterprise_account(world.clerk, firm, bank="中国农业银行平鲁支行", number="140201040001234",
                                    holder=firm.name, since=DAY)
    return {"head": head, "child": child, "firm": firm, "wujiayao": households["wujiayao"].members.get()}


def export_json(user) -> dict:
    buf = io.StringIO()
    exporter.write_json(user, buf)
    return json.loads(buf.getvalue())


def history_rows() -> int:
    return PayeeAccount.history.count()


def state():
    """Every account as stored, and the count of history rows: what 'nothing written' compares."""
    return list(PayeeAccount.objects.order_by("pk").values()), history_rows()


def row(member, **kw):
    return {"id_number": member.id_number, "kind": "银行卡", "bank": "中国建设银行平鲁支行", "account_number": OTHER_CARD,
            "holder": member.name, "since": "2026-04-01", **kw}


def only_problem(result):
    assert len(result.problems) == 1, [(p.where(), p.message) for p in result.problems]
    return result.problems[0]


# --- export ----------------------------------------------------------------------------------------------------------

def test_export_has_the_current_accounts_of_the_area(world, people):
    doc = export_json(world.clerk)
    got = {(r["id_number"] or r["credit_code"]): r for r in doc["accounts"]}
    assert got[people["head"].id_number] == {
        "id_number": people["head"].id_number, "credit_code": None, "kind": "bank_card", "bank": "中国农业银行平鲁支行",
        "account_number": CARD, "holder": people["head"].name, "proxy_relation": "", "proxy_reason": "",
        "since": "2026-03-01"}
    assert got[people["child"].id_number]["proxy_relation"] == "父亲"
    assert got[people["firm"].credit_code]["kind"] == "corporate"
    assert len(got) == 3
    # an ended account is not exported; another village's clerk sees none of these
    accounts.set_account(world.clerk, people["head"], kind="bank_card", bank="建行", number=OTHER_CARD,
                         holder=people["head"].name, since=DAY + dt.timedelta(days=5))
    numbers = [r["account_number"] for r in export_json(world.clerk)["accounts"]]
    assert OTHER_CARD in numbers and CARD not in numbers
    assert export_json(world.clerk2)["accounts"] == []


def test_masked_export_for_a_township_user_and_its_import_refused(world, people, tmp_path):
    doc = export_json(world.township)
    assert doc["notes"] == exporter.MASKED_NOTE
    shown = {r["account_number"] for r in doc["accounts"]}
    assert "6217***********4569" in shown and CARD not in json.dumps(doc)
    x = tmp_path / "township.xlsx"
    workbooks.write_export(world.township, x)
    wb = openpyxl.load_workbook(x, read_only=True)
    cells = [c for r in wb["收款账户"].iter_rows(values_only=True) for c in r]
    assert "6217***********4569" in cells and CARD not in cells
    notes = [c for r in wb["说明"].iter_rows(values_only=True) for c in r]
    assert exporter.MASKED_NOTE in notes
    before = state()
    path = tmp_path / "township.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    for f in (path, x):
        result = importer.import_file(user=world.county, path=f)
        assert not result.ok
        refused = [p for p in result.problems if p.sheet in ("收款账户", "accounts") and p.column in ("账号", "account_number")]
        assert refused and all("已按角色脱敏" in p.message for p in refused)
    assert state() == before


# --- round trip ------------------------------------------------------------------------------------------------------

def test_json_round_trip_unchanged_and_into_an_empty_registry(world, people, tmp_path):
    first = export_json(world.county)
    path = json_doc(tmp_path / "export.json", {k: v for k, v in first.items() if k not in ("format", "version")})
    before = state()
    result = importer.import_file(user=world.county, path=path)
    assert result.ok, result.problems[:3]
    assert result.counts["收款账户"] == 3
    assert state() == before  # equal accounts are left alone: no row, no history
    Household.objects.all().delete()
    Enterprise.objects.all().delete()
    assert not PayeeAccount.objects.exists()
    assert importer.import_file(user=world.county, path=path).ok
    assert export_json(world.county) == first


def test_excel_round_trip(world, people, tmp_path):
    first = export_json(world.county)
    x1 = tmp_path / "x1.xlsx"
    workbooks.write_export(world.county, x1)
    before = state()
    assert importer.import_file(user=world.county, path=x1).ok
    assert state() == before
    Household.objects.all().delete()
    Enterprise.objects.all().delete()
    result = importer.import_file(user=world.county, path=x1)
    assert result.ok, result.problems[:3]
    assert export_json(world.county) == first
    assert PayeeAccount.history.order_by("-history_id").first().history_change_reason == "导入 x1.xlsx"


# --- replacing -------------------------------------------------------------------------------------------------------

def test_a_different_account_replaces_the_current_one_which_is_kept_with_its_end(world, people, tmp_path):
    head = people["head"]
    result = importer.import_file(user=world.clerk, path=workbook(tmp_path / "new.xlsx", {"accounts": [row(head)]}))
    assert result.ok, result.problems
    old, new = PayeeAccount.objects.filter(member=head).order_by("since")
    assert (old.account_number, old.until) == (CARD, dt.date(2026, 3, 31))
    assert (new.account_number, new.since, new.until, new.created_by) == (OTHER_CARD, dt.date(2026, 4, 1), None, world.clerk)
    ended = old.history.order_by("history_id").last()
    assert (ended.history_type, ended.until, ended.history_user, ended.history_change_reason) == (
        "~", dt.date(2026, 3, 31), world.clerk, "导入 new.xlsx")
    assert new.history.get().history_type == "+"
    # the other accounts of the area, absent from the file, stay as they were
    assert PayeeAccount.objects.get(member=people["child"]).until is None


def test_json_codes_and_a_new_member_of_the_same_file(world, households, tmp_path):
    """A member first registered by the file is paid into the account the same file gives (JSON: codes)."""
    person = new_id()
    doc = {
        "households": [{"household_number": "H9", "village_code": SHUANGNIAN_CUN, "category": "lifted"}],
        "members": [{"household_number": "H9", "id_number": person, "name": "新成员", "relation": "head",
                     "labor_capacity": "laborer"}],
        "accounts": [{"id_number": person, "kind": "social_security", "bank": "平鲁农商银行",
                      "account_number": "6228 4800 1000 0000 009", "holder": "新成员", "since": "2026-01-05"}],
    }
    result = importer.import_file(user=world.clerk, path=json_doc(tmp_path / "new.json", doc))
    assert result.ok, result.problems
    a = PayeeAccount.objects.get(member__id_number=person)
    assert (a.kind, a.account_number, a.proxy_relation) == ("social_security", OTHER_CARD, "")
    doc["accounts"][0]["kind"] = "银行卡"  # a label is Excel's, JSON carries codes
    p = only_problem(importer.import_file(user=world.clerk, path=json_doc(tmp_path / "label.json", doc)))
    assert (p.sheet, p.row, p.column) == ("accounts", 1, "kind")


# --- refusals: each named by row and column, nothing written -----------------------------------------------------------

@pytest.mark.parametrize("case,column,message", [
    ("bad_luhn", "账号", "卡号校验位不符"),
    ("short_number", "账号", "账号应为8至30位数字，现为7位"),
    ("holder_not_the_member", "户名", "不是本人（王建国）：代领须写明代领人与本人关系和代领原因"),
    ("proxy_relation_without_reason", "代领原因", "代领须写明代领原因"),
    ("member_as_holder_with_a_proxy", "代领人与本人关系", "户名是本人时不填代领人"),
    ("unknown_person", "身份证号", "在文件和系统中都没有登记为家庭成员"),
    ("person_outside_the_area", "身份证号", "该成员不在您的管辖范围内"),
    ("duplicate_payee", "身份证号", "与第2行是同一收款人"),
    ("since_not_after_the_current", "启用日期", "新账户的启用日期应晚于现账户（2026-03-01）"),
    ("since_in_the_future", "启用日期", "启用日期不能晚于今天"),
    ("enterprise_with_a_card", "账户类型", "经营主体的账户类型应为对公账户"),
    ("enterprise_holder", "户名", "对公账户的户名应为经营主体名称“双碾帮扶车间”"),
    ("member_with_a_corporate_account", "账户类型", "对公账户是经营主体的"),
    ("neither_payee", "身份证号", "请填写收款人的身份证号"),
    ("card_in_a_number_cell", "账号", "须以文本格式填写"),
])
def test_refused_with_row_and_column(world, people, tmp_path, case, column, message):
    head, firm = people["head"], people["firm"]
    good = row(people["child"], holder="王代领", proxy_relation="父亲", proxy_reason="在外上学")
    bad = {
        "bad_luhn": row(head, account_number="6217000010001234567"),
        "short_number": row(head, kind="惠民惠农“一卡通”账户", account_number="1234567"),
        "holder_not_the_member": row(head, holder="王代领"),
        "proxy_relation_without_reason": row(head, holder="王代领", proxy_relation="儿子"),
        "member_as_holder_with_a_proxy": row(head, proxy_relation="儿子", proxy_reason="外出"),
        "unknown_person": row(head, id_number=new_id()),
        "person_outside_the_area": row(people["wujiayao"]),
        "duplicate_payee": row(people["child"], holder="王代领", proxy_relation="父亲", proxy_reason="在外上学",
                               since="2026-05-01"),
        "since_not_after_the_current": row(head, since="2026-03-01"),
        "since_in_the_future": row(head, since=(dt.date.today() + dt.timedelta(days=1)).isoformat()),
        "enterprise_with_a_card": {**row(head, holder=firm.name), "id_number": None, "credit_code": firm.credit_code},
        "enterprise_holder": {**row(head, kind="对公账户", account_number="140201040009999"), "id_number": None,
                              "credit_code": firm.credit_code},
        "neither_payee": row(head, id_number=None),
        "member_with_a_corporate_account": row(head, kind="对公账户", account_number="140201040009999"),
        "card_in_a_number_cell": row(head, account_number=int(OTHER_CARD)),
    }[case]
    before = state()
    result = importer.import_file(user=world.clerk, path=workbook(tmp_path / "in.xlsx", {"accounts": [good, bad]}))
    p = only_problem(result)
    assert (p.sheet, p.row, p.column) == ("收款账户", 3, column)
    assert message in p.message, p.message
    headers = [f.excel_header for f in ACCOUNTS.fields if f.required or any(f.key in r for r in (good, bad))]
    assert p.letter == column_letter(headers.index(column))
    assert state() == before


def test_nothing_written_when_any_row_is_bad(world, people, tmp_path):
    """Two good replacements and a household; one bad account: no account, no history, no household."""
    head, child = people["head"], people["child"]
    sheets = {
        "households": [{"household_number": "H9", "village_code": SHUANGNIAN_CUN, "category": "脱贫户"}],
        "members": [{"household_number": "H9", "id_number": new_id(), "name": "新成员", "relation": "户主",
                     "labor_capacity": "劳动力"}],
        "accounts": [row(head), row(child, holder=child.name), row(people["wujiayao"])],
    }
    before = state()
    result = importer.import_file(user=world.clerk, path=workbook(tmp_path / "in.xlsx", sheets))
    p = only_problem(result)
    assert (p.sheet, p.row, p.column) == ("收款账户", 4, "身份证号")
    assert state() == before and not Household.objects.filter(number="H9").exists()


def test_the_same_account_twice_in_the_file_for_an_enterprise(world, people, tmp_path):
    firm = people["firm"]
    ent = {"credit_code": firm.credit_code, "kind": "对公账户", "bank": "农行", "account_number": "140201040009999",
           "holder": firm.name, "since": "2026-04-01"}
    result = importer.import_file(user=world.clerk, path=workbook(tmp_path / "in.xlsx", {"accounts": [ent, ent]}))
    p = only_problem(result)
    assert (p.row, p.column, p.letter) == (3, "统一社会信用代码", "A")
    result = importer.import_file(user=world.clerk, path=workbook(tmp_path / "ok.xlsx", {"accounts": [ent]}))
    assert result.ok, result.problems
    assert firm.payee_accounts.get(until__isnull=True).account_number == "140201040009999"


def test_an_account_of_a_member_registered_by_another_clerk_is_refused_for_the_writer_s_area(world, people, tmp_path):
    """The township reads 双碾村 but does not import; 吴家窑村's clerk imports, not 双碾村's accounts."""
    result = importer.import_file(user=world.clerk2, path=workbook(tmp_path / "in.xlsx", {"accounts": [row(people["head"])]}))
    p = only_problem(result)
    assert (p.row, p.column) == (2, "身份证号") and "不在您的管辖范围内" in p.message


def test_the_template_has_the_sheet_and_the_kind_drop_down(tmp_path):
    path = tmp_path / "t.xlsx"
    workbooks.write_template(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["收款账户"]
    assert [c.value for c in ws[1]] == [f.excel_header for f in ACCOUNTS.fields]
    lists = [dv.formula1 for dv in ws.data_validations.dataValidation if str(dv.sqref).startswith("C2")]
    assert lists and "银行卡" in lists[0] and "对公账户" in lists[0]
    assert wb.sheetnames.index("收款账户") < wb.sheetnames.index("经营主体")
