"""Import is all-or-nothing and names file, sheet, row and column for every problem."""
import datetime as dt

import openpyxl
import pytest

from conftest import new_id
from fangpin.exchange import importer
from fangpin.exchange.readers import ExchangeFile
from fangpin.exchange.workbooks import write_error_report
from fangpin.exchange.spec import BY_KEY
from fangpin.lib import idnumber
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.models import Employment, Household, IncomeRecord, Member

from .helpers import household, json_doc, member, workbook

V = "140603203200"  # 双碾村


def good_file(tmp_path, name="good.xlsx"):
    a, b = new_id(), new_id(male=False)
    return workbook(tmp_path / name, {
        "households": [household("H1", monitor_type=None), household("H2", category="监测户", monitor_type="边缘易致贫户")],
        "members": [member("H1", a, "王一"), member("H2", b, "李二"), member("H1", new_id(birth=dt.date(2010, 1, 1)), "王小", "子女")],
        "incomes": [{"household_number": "H1", "year": 2024, "wage": 12000.5, "business_income": 3000,
                     "business_cost": 500, "transfer_income": "800.25"}],
    })


def nothing_written():
    return not Household.objects.exists() and not Member.objects.exists() and not IncomeRecord.objects.exists()


def only_problem(result):
    assert len(result.problems) == 1, [(p.where(), p.message) for p in result.problems]
    return result.problems[0]


def test_good_workbook_lands_whole(world, tmp_path):
    result = importer.import_file(user=world.county, path=good_file(tmp_path))
    assert result.ok, result.problems
    assert result.counts == {"户": 2, "家庭成员": 3, "年度收入": 1}
    h1 = Household.objects.get(number="H1")
    assert h1.members.count() == 2 and h1.village_id == V
    income = IncomeRecord.objects.get()
    assert (income.wage, income.transfer_income, income.net_income) == (1200050, 80025, 1200050 + 300000 - 50000 + 80025)
    assert Household.objects.get(number="H2").monitor_type == "marginal"
    assert h1.history.get().history_change_reason == "导入 good.xlsx" and h1.history.get().history_user == world.county


# --- the refusals the issue names: each with nothing written, and row and column named ---

def run(world, tmp_path, sheets):
    result = importer.import_file(user=world.county, path=workbook(tmp_path / "in.xlsx", sheets))
    assert not result.ok
    assert nothing_written()
    return result


def base():
    return {
        "households": [household("H1"), household("H2")],
        "members": [member("H1", new_id(), "王一"), member("H2", new_id(), "李二")],
        "incomes": [{"household_number": "H1", "year": 2024, "wage": 100}],
    }


def test_wrong_check_character(world, tmp_path):
    sheets = base()
    good = sheets["members"][1]["id_number"]
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    sheets["members"][1]["id_number"] = wrong
    p = only_problem(run(world, tmp_path, sheets))
    assert (p.sheet, p.row, p.letter, p.column) == ("家庭成员", 3, "B", "身份证号")
    assert f"校验位错误：应为“{good[17]}”" in p.message and p.value == wrong


def test_seventeen_digit_id(world, tmp_path):
    sheets = base()
    sheets["members"][0]["id_number"] = sheets["members"][0]["id_number"][:17]
    p = only_problem(run(world, tmp_path, sheets))
    assert (p.sheet, p.row, p.column) == ("家庭成员", 2, "身份证号") and "应为18位，实际为17位" in p.message


def test_impossible_birth_date(world, tmp_path):
    sheets = base()
    first17 = "140603" + "19810230" + "011"
    sheets["members"][0]["id_number"] = first17 + idnumber.check_char(first17)
    p = only_problem(run(world, tmp_path, sheets))
    assert (p.row, p.column) == (2, "身份证号") and "出生日期“19810230”不是真实日期" in p.message


def test_duplicate_id_across_households(world, tmp_path):
    sheets = base()
    sheets["members"][1]["id_number"] = sheets["members"][0]["id_number"]
    p = only_problem(run(world, tmp_path, sheets))
    assert (p.row, p.column) == (3, "身份证号") and "与第2行（户H1）重复：一人只能登记在一户" in p.message


def test_duplicate_id_against_the_database(world, households, tmp_path):
    sheets = base()
    sheets["members"][1]["id_number"] = households["wujiayao"].members.get().id_number
    result = importer.import_file(user=world.county, path=workbook(tmp_path / "in.xlsx", sheets))
    p = only_problem(result)
    assert (p.row, p.column) == (3, "身份证号") and "已登记在户1406032032030001" in p.message
    assert not Household.objects.filter(number__in=["H1", "H2"]).exists()


def test_negative_income(world, tmp_path):
    sheets = base()
    sheets["incomes"][0]["wage"] = -100
    p = only_problem(run(world, tmp_path, sheets))
    assert (p.sheet, p.row, p.column) == ("年度收入", 2, "工资性收入（元）") and "不能为负数" in p.message


def test_monitored_without_monitor_type(world, tmp_path):
    sheets = base()
    sheets["households"][1]["category"] = "监测户"
    p = only_problem(run(world, tmp_path, sheets))
    assert (p.sheet, p.row, p.column) == ("户", 3, "监测对象类型") and "监测户必须填写监测对象类型" in p.message


def test_existing_household_monitoring_status_is_not_imported(world, tmp_path):
    """New households may arrive monitored; an existing one's status changes only through the workflow."""
    assert importer.import_file(user=world.county, path=good_file(tmp_path)).ok
    before = Household.objects.get(number="H1")
    sheets = {"households": [household("H1", category="监测户", monitor_type="脱贫不稳定户")]}
    result = importer.import_file(user=world.county, path=workbook(tmp_path / "again.xlsx", sheets))
    p = only_problem(result)
    assert (p.sheet, p.row, p.column) == ("户", 2, "户类别") and "体外循环" in p.message
    assert Household.objects.get(number="H1").category == before.category
    # Unchanged status, other fields: fine.
    same = {"households": [household("H2", category="监测户", monitor_type="边缘易致贫户", address="新址")]}
    assert importer.import_file(user=world.county, path=workbook(tmp_path / "same.xlsx", same)).ok


def test_risk_elimination_date_arrives_with_a_new_household_only(world, tmp_path):
    """风险消除日期 is the workflow's: a new monitored household may bring it (the first load from the national system),
    an existing household's file may repeat it but never set, change or clear it (严禁体外循环)."""
    sheets = {"households": [household("E1", category="监测户", monitor_type="边缘易致贫户", risk_eliminated_on="2025-03-01")],
              "members": [member("E1", new_id())]}
    assert importer.import_file(user=world.county, path=workbook(tmp_path / "new.xlsx", sheets)).ok
    h = Household.objects.get(number="E1")
    assert h.risk_eliminated_on == dt.date(2025, 3, 1) and not h.at_risk
    # the same date again (an export re-imported): fine
    same = {"households": [household("E1", category="监测户", monitor_type="边缘易致贫户", risk_eliminated_on="2025-03-01",
                                     address="新址")]}
    assert importer.import_file(user=world.county, path=workbook(tmp_path / "same.xlsx", same)).ok
    for value in ("2025-04-01", None):  # another date; a blank cell in the column (clearing it)
        changed = {"households": [household("E1", category="监测户", monitor_type="边缘易致贫户", risk_eliminated_on=value,
                                            address="又一新址")]}
        p = only_problem(importer.import_file(user=world.county, path=workbook(tmp_path / "changed.xlsx", changed)))
        assert (p.sheet, p.row, p.column) == ("户", 2, "风险消除日期")
        assert "体外循环" in p.message and "系统中该户的风险消除日期为“2025-03-01”" in p.message
    h.refresh_from_db()
    assert h.risk_eliminated_on == dt.date(2025, 3, 1) and h.address == "新址"
    # setting it on a household whose risk is not eliminated
    at_risk = {"households": [household("H9", category="监测户", monitor_type="边缘易致贫户")], "members": [member("H9", new_id())]}
    assert importer.import_file(user=world.county, path=workbook(tmp_path / "h9.xlsx", at_risk)).ok
    at_risk["households"][0]["risk_eliminated_on"] = "2025-05-01"
    p = only_problem(importer.import_file(user=world.county, path=workbook(tmp_path / "h9b.xlsx", {"households": at_risk["households"]})))
    assert p.column == "风险消除日期" and "系统中该户风险尚未消除" in p.message
    assert Household.objects.get(number="H9").risk_eliminated_on is None


@pytest.mark.parametrize("category,monitor_type,day,message", [
    ("脱贫户", None, "2025-03-01", "只有监测户可以有风险消除日期"),
    ("监测户", "边缘易致贫户", (dt.date.today() + dt.timedelta(days=1)).isoformat(), "风险消除日期不能晚于今天"),
])
def test_risk_elimination_date_rules(world, tmp_path, category, monitor_type, day, message):
    sheets = {"households": [household("E1", category=category, monitor_type=monitor_type, risk_eliminated_on=day)],
              "members": [member("E1", new_id())]}
    p = only_problem(run(world, tmp_path, sheets))
    assert (p.sheet, p.row, p.column, p.message) == ("户", 2, "风险消除日期", message)


def test_unknown_village_code(world, tmp_path):
    sheets = base()
    sheets["households"][0]["village_code"] = "140603203299"
    p = only_problem(run(world, tmp_path, sheets))
    assert (p.sheet, p.row, p.letter, p.column) == ("户", 2, "B", "村（名称或区划代码）") and "“140603203299”不存在" in p.message


@pytest.mark.parametrize("content,name", [
    (b"name,id\n", "households.csv"),
    (b"%PDF-1.4 fake", "report.pdf"),
    (b"", "empty.xlsx"),
    (b"PK\x03\x04 not really a zip", "broken.xlsx"),
])
def test_file_that_is_not_a_spreadsheet(world, tmp_path, content, name):
    path = tmp_path / name
    path.write_bytes(content)
    result = importer.import_file(user=world.county, path=path)
    p = only_problem(result)
    assert p.sheet is None and name in p.message and ("不是电子表格" in p.message or "无法作为 Excel" in p.message)
    assert nothing_written()


# --- more rules ---

def test_every_problem_is_reported_at_once(world, tmp_path):
    sheets = base()
    sheets["members"][0]["id_number"] = "123"
    sheets["households"][1]["category"] = "贫困户"
    sheets["incomes"][0]["year"] = 1999
    result = run(world, tmp_path, sheets)
    where = {(p.sheet, p.row, p.column) for p in result.problems}
    assert {("家庭成员", 2, "身份证号"), ("户", 3, "户类别"), ("年度收入", 2, "年度")} <= where
    assert any("应为以下之一：脱贫户、监测户、一般农户" in p.message for p in result.problems)


def test_village_outside_the_users_scope(world, tmp_path):
    sheets = base()
    sheets["households"][1]["village_code"] = world.longxian_village
    p = only_problem(run(world, tmp_path, sheets))
    assert (p.row, p.column) == (3, "村（名称或区划代码）") and "不在您的管辖范围内" in p.message


def test_clerk_imports_only_into_own_village(world, tmp_path):
    sheets = base()
    sheets["households"][1]["village_code"] = "140603203203"
    result = importer.import_file(user=world.clerk, path=workbook(tmp_path / "in.xlsx", sheets))
    assert [p.row for p in result.problems] == [3] and nothing_written()


@pytest.mark.parametrize("who", ["township", "leader", "department"])
def test_roles_without_import(world, tmp_path, who):
    result = importer.import_file(user=getattr(world, who), path=good_file(tmp_path))
    assert "无权导入" in only_problem(result).message and nothing_written()


def test_township_code_is_not_a_village(world, tmp_path):
    sheets = base()
    sheets["households"][0]["village_code"] = "140603203000"
    assert "不是村级区划" in only_problem(run(world, tmp_path, sheets)).message


def test_household_needs_members_and_one_head(world, tmp_path):
    sheets = base()
    sheets["households"].append(household("H3"))
    sheets["members"].append(member("H1", new_id(), "王二", "户主"))
    sheets["members"].append(member("H2", new_id(), "李三", "子女"))
    sheets["members"][1]["relation"] = "配偶"
    result = run(world, tmp_path, sheets)
    msgs = {(p.sheet, p.row, p.message) for p in result.problems}
    assert ("户", 4, "户H3没有家庭成员") in msgs
    assert ("家庭成员", 4, "户H1只能有一名户主") in msgs
    assert ("户", 3, "户H2没有户主") in msgs


def test_member_of_unknown_household(world, tmp_path):
    sheets = base()
    sheets["members"][1]["household_number"] = "H9"
    result = run(world, tmp_path, sheets)
    assert any(p.row == 3 and p.column == "户编号" and "“H9”在文件和系统中都不存在" in p.message for p in result.problems)


def test_id_number_typed_as_a_number(world, tmp_path):
    sheets = base()
    sheets["members"][0]["id_number"] = 140603198005170011
    p = only_problem(run(world, tmp_path, sheets))
    assert "文本格式" in p.message


def test_missing_required_column_and_unknown_column(world, tmp_path):
    path = tmp_path / "cols.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "户"
    ws.append(["户编号", "户类别", "备注"])
    ws.append(["H1", "脱贫户", "x"])
    wb.save(path)
    result = importer.import_file(user=world.county, path=path)
    msgs = {(p.row, p.letter, p.message) for p in result.problems}
    assert (1, "C", "未知的列“备注”") in msgs
    assert any("缺少必填列“村（名称或区划代码）”" in m for _, _, m in msgs)
    assert nothing_written()


def test_unknown_sheet(world, tmp_path):
    path = good_file(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("Sheet9")
    wb.save(path)
    result = importer.import_file(user=world.county, path=path)
    assert only_problem(result).message == "未知的工作表“Sheet9”" and nothing_written()


def test_error_report_workbook_marks_rows(world, tmp_path):
    sheets = base()
    sheets["incomes"][0]["wage"] = -1
    path = workbook(tmp_path / "in.xlsx", sheets)
    result = importer.import_file(user=world.county, path=path)
    out = tmp_path / "report.xlsx"
    write_error_report(ExchangeFile(path), result, out)
    wb = openpyxl.load_workbook(out)
    assert "共 1 处错误" in wb["错误汇总"]["A1"].value
    ws = wb["年度收入"]
    header = [c.value for c in ws[1]]
    assert header[-1] == "错误信息"
    assert "B列“工资性收入（元）”不能为负数" in ws.cell(2, len(header)).value or "不能为负数" in ws.cell(2, len(header)).value
    assert ws.cell(2, 1).value == "H1"
    assert wb["户"].cell(2, len([c for c in wb["户"][1]])).value is None


def test_json_import_uses_codes_and_fen(world, tmp_path):
    a = new_id()
    path = json_doc(tmp_path / "in.json", {
        "households": [{"household_number": "J1", "village_code": V, "category": "monitored", "monitor_type": "unstable",
                        "lifted_year": 2019}],
        "members": [{"household_number": "J1", "id_number": a, "name": "赵一", "relation": "head",
                     "labor_capacity": "laborer"}],
        "incomes": [{"household_number": "J1", "year": 2025, "wage": 150050}],
    })
    result = importer.import_file(user=world.clerk, path=path)
    assert result.ok, result.problems
    assert IncomeRecord.objects.get().wage == 150050


def test_json_problems_name_item_and_key(world, tmp_path):
    path = json_doc(tmp_path / "in.json", {
        "households": [{"household_number": "J1", "village_code": V, "category": "脱贫户"}],
        "incomes": [{"household_number": "J1", "year": 2025, "wage": 1500.5}],
    })
    result = importer.import_file(user=world.clerk, path=path)
    where = {(p.sheet, p.row, p.column) for p in result.problems}
    assert ("households", 1, "category") in where and ("incomes", 1, "wage") in where
    assert nothing_written()


def test_reimport_updates_and_absent_columns_stay(world, tmp_path):
    assert importer.import_file(user=world.county, path=good_file(tmp_path)).ok
    h1 = Household.objects.get(number="H1")
    head = h1.members.get(relation="head")
    path = workbook(tmp_path / "update.xlsx", {
        "households": [{"household_number": "H1", "village_code": V, "category": "脱贫户", "dibao": "是"}],
        "members": [{"household_number": "H1", "id_number": head.id_number, "name": "王一改", "relation": "户主",
                     "labor_capacity": "半劳力"}],
    })
    result = importer.import_file(user=world.county, path=path)
    assert result.ok, result.problems
    h1.refresh_from_db()
    head.refresh_from_db()
    assert h1.dibao and head.name == "王一改" and head.labor_capacity == "half"
    assert h1.members.count() == 2  # members not in the file are kept
    assert h1.history.count() == 2 and head.history.count() == 2


def test_member_cannot_move_household_by_import(world, tmp_path):
    assert importer.import_file(user=world.county, path=good_file(tmp_path)).ok
    child = Member.objects.get(relation="child")
    path = workbook(tmp_path / "move.xlsx", {"members": [member("H2", child.id_number, "王小", "子女")]})
    p = only_problem(importer.import_file(user=world.county, path=path))
    assert "已登记在户H1" in p.message


def test_employments_of_a_person_and_year_are_replaced(world, tmp_path):
    assert importer.import_file(user=world.county, path=good_file(tmp_path)).ok
    head = Member.objects.get(name="王一")
    row = {"id_number": head.id_number, "year": 2025, "kind": "务工", "place": "跨省", "start_date": "2025-03-01",
           "months": 7, "monthly_wage": 2500}
    first = workbook(tmp_path / "e1.xlsx", {"employments": [row, {**row, "start_date": "2025-11-01", "months": 1}]})
    assert importer.import_file(user=world.county, path=first).ok
    assert Employment.objects.count() == 2
    second = workbook(tmp_path / "e2.xlsx", {"employments": [{**row, "months": 8}]})
    assert importer.import_file(user=world.county, path=second).ok
    e = Employment.objects.get()
    assert (e.months, e.monthly_wage, e.place) == (8, 250000, "cross_province")
    assert Employment.history.filter(history_type="-").count() == 2


def test_employment_end_before_start(world, tmp_path):
    assert importer.import_file(user=world.county, path=good_file(tmp_path)).ok
    head = Member.objects.get(name="王一")
    path = workbook(tmp_path / "e.xlsx", {"employments": [{
        "id_number": head.id_number, "year": 2025, "kind": "务工", "place": "县（区）内", "start_date": "2025-03-01",
        "end_date": "2025-02-01", "months": 1, "monthly_wage": 2500}]})
    p = only_problem(importer.import_file(user=world.county, path=path))
    assert (p.row, p.column) == (2, "结束日期") and "不能早于开始日期" in p.message


# --- what county spreadsheets look like in practice ---

def test_title_rows_above_the_header(world, tmp_path):
    path = tmp_path / "titled.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "户"
    ws.append(["双碾村2025年脱贫户花名册"])
    ws.append(["填报单位：双碾村委会", None, "填报日期：2025-12-01"])
    ws.append(["户编号", "村区划代码", "户类别", "监测对象类型"])
    ws.append(["T1", V, "脱贫户", None])
    ws.append(["T2", V, "监测户", None])  # row 5: no monitor type
    m = wb.create_sheet("家庭成员")
    m.append(["户编号", "身份证号", "姓名", "与户主关系", "劳动能力"])
    m.append(["T1", new_id(), "甲", "户主", "劳动力"])
    m.append(["T2", new_id(), "乙", "户主", "劳动力"])
    wb.save(path)
    p = only_problem(importer.import_file(user=world.county, path=path))
    assert (p.sheet, p.row, p.letter, p.column) == ("户", 5, "D", "监测对象类型")
    ws["D5"] = "边缘易致贫户"
    wb.save(path)
    assert importer.import_file(user=world.county, path=path).ok
    assert set(Household.objects.values_list("number", flat=True)) == {"T1", "T2"}


def test_full_width_and_spaced_id_numbers_are_read(world, tmp_path):
    a = new_id()
    pasted = " ".join([a[:6], a[6:14], a[14:]]).translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    path = workbook(tmp_path / "fw.xlsx", {"households": [household("F1")], "members": [member("F1", pasted, "全角")]})
    assert importer.import_file(user=world.county, path=path).ok
    assert Member.objects.get().id_number == a


def test_national_system_wordings(world, tmp_path):
    path = workbook(tmp_path / "national.xlsx", {
        "households": [household("N1", category="监测对象", monitor_type="边缘易致贫")],
        "members": [member("N1", new_id(), "甲", "户主", labor_capacity="普通劳动力"),
                    member("N1", new_id(), "乙", "之子", labor_capacity="弱劳动力或半劳动力"),
                    member("N1", new_id(male=False), "丙", "之儿媳", labor_capacity="丧失劳动力")],
        "incomes": [{"household_number": "N1", "year": 2025, "wage": "1500元"}],
    })
    result = importer.import_file(user=world.county, path=path)
    assert result.ok, [(p.where(), p.message) for p in result.problems]
    assert sorted(Member.objects.values_list("relation", "labor_capacity")) == [
        ("child", "half"), ("head", "laborer"), ("other", "none")]
    assert Household.objects.get().monitor_type == "marginal" and IncomeRecord.objects.get().wage == 150000


def test_sex_and_birth_date_must_agree_with_the_id(world, tmp_path):
    a = new_id(male=True, birth=dt.date(1975, 3, 9))
    birth = idnumber.parse(a).birth_date
    rows = [member("S1", a, "甲", sex="男", birth_date=birth)]
    ok = workbook(tmp_path / "ok.xlsx", {"households": [household("S1")], "members": rows})
    assert importer.import_file(user=world.county, path=ok).ok
    Household.objects.all().delete()
    bad = workbook(tmp_path / "bad.xlsx", {"households": [household("S1")],
                                           "members": [{**rows[0], "sex": "女", "birth_date": birth + dt.timedelta(days=1)}]})
    result = importer.import_file(user=world.county, path=bad)
    msgs = {(p.column, p.message) for p in result.problems}
    assert ("性别", "性别与身份证号不符（身份证号第17位奇数为男、偶数为女）") in msgs
    assert {p.value for p in result.problems if p.column == "性别"} == {"女"}  # as written, not the stored code
    assert any(c == "出生日期" and "身份证号为" in m and m.endswith("）") for c, m in msgs)
    assert nothing_written()


def test_post_kind_only_on_a_public_welfare_post(world, tmp_path):
    """双发〔2022〕67号 13/14: the kind of a post and the year it was created describe posts; on a work spell they are
    refused with the row and the column, and nothing is written."""
    sheets = base()
    worker = sheets["members"][0]["id_number"]
    spell = {"id_number": worker, "year": 2024, "place": "县（区）内", "start_date": "2024-03-01", "months": 3,
             "monthly_wage": 1500}
    sheets["employments"] = [dict(spell, kind="务工", post_kind="村级公益岗位（光伏收益等集体收入）"),
                             dict(spell, kind="公益岗位", start_date="2024-05-01", post_created_year=2025)]
    result = run(world, tmp_path, sheets)
    got = sorted((p.sheet, p.row, p.column, p.message) for p in result.problems)
    assert got == [("就业", 2, "公益岗位类别", "只有就业类型为公益岗位时才填写公益岗位类别"),
                   ("就业", 3, "岗位设立年度", "岗位设立年度2025晚于就业记录的年度2024")]


def test_post_kind_and_year_land_and_come_back(world, tmp_path):
    from fangpin.exchange import exporter
    from fangpin.exchange.spec import BY_KEY

    sheets = base()
    worker = sheets["members"][0]["id_number"]
    sheets["employments"] = [{"id_number": worker, "year": 2024, "kind": "公益岗位", "place": "县（区）内",
                              "start_date": "2024-03-01", "months": 3, "monthly_wage": 900,
                              "post_kind": "就业帮扶公益岗位（就业补助资金）", "post_created_year": 2022}]
    result = importer.import_file(user=world.county, path=workbook(tmp_path / "in.xlsx", sheets))
    assert result.ok, [(p.where(), p.message) for p in result.problems]
    e = Employment.objects.get()
    assert (e.post_kind, e.post_created_year) == ("employment_assistance", 2022)
    row = next(exporter.rows(world.county, BY_KEY["employments"]))
    assert (row["post_kind"], row["post_created_year"]) == ("employment_assistance", 2022)


# --- villages by name (issue 11): in Excel, the village column takes a name of the user's area or a code ---

VILLAGE_COLUMN = "村（名称或区划代码）"


def by_name(*villages, prefix="V"):
    return {"households": [household(f"{prefix}{i}", village=v) for i, v in enumerate(villages)],
            "members": [member(f"{prefix}{i}", new_id()) for i, _ in enumerate(villages)]}


def test_village_names_and_codes_in_one_file(world, tmp_path):
    path = workbook(tmp_path / "names.xlsx", by_name("双碾村", "吴家窑村委会", "下面高乡赵家窑村", " 双碾乡 双碾村", V))
    result = importer.import_file(user=world.county, path=path)
    assert result.ok, [(p.where(), p.message) for p in result.problems]
    assert dict(Household.objects.values_list("number", "village_id")) == {
        "V0": V, "V1": "140603203203", "V2": "140603207212", "V3": V, "V4": V}


def test_a_name_shared_by_two_villages_of_the_area_is_refused_with_both(world, tmp_path):
    p = only_problem(run(world, tmp_path, by_name("双碾村", "赵家窑村")))
    assert (p.sheet, p.row, p.letter, p.column, p.value) == ("户", 3, "B", VILLAGE_COLUMN, "赵家窑村")
    assert p.message == "您的管辖范围内有2个村名为“赵家窑村”，请写明乡镇：高石庄乡赵家窑村、下面高乡赵家窑村（或填写12位村区划代码）"
    assert p.where() == f"工作表“户”，第3行，B列“{VILLAGE_COLUMN}”"


def test_an_unknown_name_is_refused(world, tmp_path):
    p = only_problem(run(world, tmp_path, by_name("双碾村", "双碾乡不存在村")))
    assert (p.sheet, p.row, p.column) == ("户", 3, VILLAGE_COLUMN)
    assert "您的管辖范围（山西省朔州市平鲁区）内没有名为“双碾乡不存在村”的村" in p.message


def test_a_name_outside_the_users_area_is_refused(world, tmp_path):
    result = importer.import_file(user=world.clerk, path=workbook(tmp_path / "in.xlsx", by_name("双碾村", "吴家窑村")))
    p = only_problem(result)
    assert (p.row, p.column) == (3, VILLAGE_COLUMN) and "您的管辖范围（山西省朔州市平鲁区双碾乡双碾村委会）内没有名为“吴家窑村”的村" in p.message
    assert nothing_written()
    longxian = OrgUnit.objects.select_related("parent").get(code=world.longxian_village)
    p = only_problem(run(world, tmp_path, by_name(longxian.parent.name + longxian.name)))
    assert p.row == 2 and "内没有名为" in p.message


def test_numbers_that_are_not_codes_are_refused_as_before(world, tmp_path):
    p = run(world, tmp_path, by_name("14060320320")).problems[0]  # (the member's household is not known either)
    assert p.column == VILLAGE_COLUMN and p.message == f"“{VILLAGE_COLUMN}”应为村名或12位村级区划代码，实际为“14060320320”（11位数字）"


def test_json_keeps_to_codes(world, tmp_path):
    doc = by_name("双碾村")
    for h in doc["households"]:
        h["category"] = "lifted"
    for m in doc["members"]:
        m.update(relation="head", labor_capacity="laborer")
    p = importer.import_file(user=world.county, path=json_doc(tmp_path / "in.json", doc)).problems[0]
    assert nothing_written() and (p.sheet, p.row, p.column) == ("households", 1, "village_code") and "应为12位村级区划代码" in p.message


def test_the_earlier_header_still_imports(world, tmp_path):
    path = tmp_path / "old.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "户"
    ws.append(["户编号", "村区划代码", "户类别"])
    ws.append(["O1", V, "脱贫户"])
    ws.append(["O2", "吴家窑村", "脱贫户"])
    m = wb.create_sheet("家庭成员")
    m.append(["户编号", "身份证号", "姓名", "与户主关系", "劳动能力"])
    m.append(["O1", new_id(), "甲", "户主", "劳动力"])
    m.append(["O2", new_id(), "乙", "户主", "劳动力"])
    wb.save(path)
    result = importer.import_file(user=world.county, path=path)
    assert result.ok, [(p.where(), p.message) for p in result.problems]
    assert dict(Household.objects.values_list("number", "village_id")) == {"O1": V, "O2": "140603203203"}


def test_the_area_is_read_once_for_the_whole_file(world, tmp_path, monkeypatch):
    from fangpin.orgunits import villages

    calls = []
    real = villages.village_names
    monkeypatch.setattr(villages, "village_names", lambda prefix: calls.append(prefix) or real(prefix))
    path = workbook(tmp_path / "many.xlsx", by_name(*["双碾村", "吴家窑村", "下面高乡赵家窑村"] * 20))
    assert importer.import_file(user=world.county, path=path).ok
    assert calls == ["140603"] and Household.objects.count() == 60
    calls.clear()
    assert importer.import_file(user=world.county, path=workbook(tmp_path / "codes.xlsx", by_name(V, V, prefix="C"))).ok
    assert calls == []  # a file of codes reads no names


def test_a_file_checked_on_its_own_resolves_names_in_the_whole_division_table(world, tmp_path):
    typed = []
    f = ExchangeFile(workbook(tmp_path / "eval.xlsx", by_name("双碾乡双碾村", "赵家窑村")))
    problems = importer.check(f, [BY_KEY["households"], BY_KEY["members"]],
                              on_row=lambda sheet, n, row, raw: typed.append(row) if sheet.key == "households" else None)
    assert typed[0]["village_code"] == V
    p = only_problem(importer.ImportResult("x", problems=problems))
    assert p.row == 3 and p.message.startswith("区划库中有") and "下面高乡赵家窑村" in p.message
