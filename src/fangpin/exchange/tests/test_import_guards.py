"""What an import may write, checked at the moment it writes: only inside the importer's area, only what still holds
when the rows are written (another user may have changed the database since the check), only plausible dates; the
database refuses the impossible states as the last guard."""
import datetime as dt
import threading

import openpyxl
import pytest
from django.db import IntegrityError, connection, transaction

from conftest import LONGXIAN, SHUANGNIAN_CUN, make_household, new_id
from fangpin.exchange import importer
from fangpin.lib import creditcode, idnumber
from fangpin.registry import services
from fangpin.registry.models import Employment, Enterprise, Household, Member

from .helpers import household, json_doc, member, workbook

LONGXIAN_CODE = creditcode.make("610327", "MA0LX0001")


def longxian_enterprise():
    return Enterprise.objects.create(credit_code=LONGXIAN_CODE, name="陇县苹果合作社", kind="cooperative",
                                     org_unit_id=LONGXIAN)


def problems(result):
    return [(p.sheet, p.row, p.column, p.message) for p in result.problems]


# --- 3. enterprises: created or changed only inside the importer's area -------------------------------------------

def test_a_clerk_cannot_rename_or_move_an_enterprise_of_another_county(world, tmp_path):
    longxian_enterprise()
    path = workbook(tmp_path / "e.xlsx", {"enterprises": [
        {"credit_code": LONGXIAN_CODE, "name": "改名", "kind": "农民合作社", "division_code": SHUANGNIAN_CUN}]})
    result = importer.import_file(user=world.clerk, path=path)
    assert problems(result) == [("经营主体", 2, "统一社会信用代码", importer.ENTERPRISE_ELSEWHERE)]
    e = Enterprise.objects.get(credit_code=LONGXIAN_CODE)
    assert (e.name, e.org_unit_id) == ("陇县苹果合作社", LONGXIAN)


def test_an_enterprise_elsewhere_may_still_be_named_as_employer(world, households, tmp_path):
    longxian_enterprise()
    head = households["shuangnian"].members.get(relation="head")
    path = workbook(tmp_path / "j.xlsx", {"employments": [
        {"id_number": head.id_number, "year": 2025, "kind": "务工", "place": "跨省", "start_date": "2025-03-01",
         "months": 6, "monthly_wage": 3000, "employer_credit_code": LONGXIAN_CODE}]})
    result = importer.import_file(user=world.clerk, path=path)
    assert result.ok, problems(result)
    assert Employment.objects.get().employer.credit_code == LONGXIAN_CODE


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_a_clerks_own_export_imports_again_with_the_employers_elsewhere(world, households, tmp_path, fmt):
    """The export holds the enterprises the clerk's people work for, wherever registered: repeated unchanged, they
    are references, not changes."""
    from fangpin.exchange import exporter, workbooks

    longxian_enterprise()
    head = households["shuangnian"].members.get(relation="head")
    Employment.objects.create(member=head, year=2025, place="cross_province", start_date=dt.date(2025, 3, 1), months=6,
                              monthly_wage=300000, employer=Enterprise.objects.get(credit_code=LONGXIAN_CODE))
    path = tmp_path / f"export.{fmt}"
    if fmt == "json":
        with open(path, "w", encoding="utf-8") as fh:
            exporter.write_json(world.clerk, fh)
    else:
        workbooks.write_export(world.clerk, path)
    result = importer.import_file(user=world.clerk, path=path)
    assert result.ok, problems(result)
    assert result.counts["经营主体"] == 1 and Enterprise.objects.get(credit_code=LONGXIAN_CODE).name == "陇县苹果合作社"


# --- 8. dates: plausible or refused with row and column ------------------------------------------------------------

def employment_file(tmp_path, id_number, **cells):
    row = {"id_number": id_number, "year": 2025, "kind": "务工", "place": "跨省", "start_date": "2025-03-01",
           "months": 6, "monthly_wage": 3000, **cells}
    return workbook(tmp_path / "j.xlsx", {"employments": [row]})


def test_excel_serial_60_is_not_a_date(world, households, tmp_path):
    """Excel's phantom 1900-02-29 (serial 60) reads as 1900-02-28; it must not replace a real record."""
    head = households["shuangnian"].members.get(relation="head")
    Employment.objects.create(member=head, year=2025, place="cross_province", start_date=dt.date(2025, 2, 1), months=5,
                              monthly_wage=300000)
    path = employment_file(tmp_path, head.id_number, start_date=None)
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    col = [c.value for c in ws[1]].index("开始日期") + 1
    ws.cell(row=2, column=col, value=60).number_format = "yyyy-mm-dd"
    wb.save(path)
    result = importer.import_file(user=world.clerk, path=path)
    [(sheet, row, column, message)] = problems(result)
    assert (sheet, row, column) == ("就业", 2, "开始日期") and "1900-02-28" in message and "不是可信的日期" in message
    assert Employment.objects.get().start_date == dt.date(2025, 2, 1)  # the existing record stays


@pytest.mark.parametrize(("start", "end", "refused"), [
    ("birth-1", None, "start_date"),  # the day before birth
    ("birth", None, None),  # the day of birth is possible (boundary)
    ("today", None, None),
    ("today+1", None, "start_date"),
    ("2025-03-01", "today+1", "end_date"),
])
def test_event_dates_not_before_birth_nor_in_the_future(world, households, tmp_path, start, end, refused):
    young = new_id(birth=dt.date(2008, 6, 15))
    services.member_create(user=world.clerk, household=households["shuangnian"], id_number=young, name="王小",
                           relation="child", labor_capacity="laborer")
    head = Member.objects.get(id_number=young)
    born, today = head.birth_date, dt.date.today()
    days = {"birth-1": born - dt.timedelta(days=1), "birth": born, "today": today, "today+1": today + dt.timedelta(days=1)}
    start_day = days.get(start) or dt.date.fromisoformat(start)
    end_day = days.get(end) if end else None
    path = json_doc(tmp_path / "j.json", {"employments": [{
        "id_number": head.id_number, "year": start_day.year, "kind": "wage_job", "place": "cross_province",
        "start_date": start_day.isoformat(), "end_date": end_day.isoformat() if end_day else None, "months": 1,
        "monthly_wage": 300000}]})
    result = importer.import_file(user=world.clerk, path=path)
    if refused is None:
        assert result.ok, problems(result)
    else:
        [(sheet, row, column, message)] = problems(result)
        assert (sheet, row, column) == ("employments", 1, refused)
        assert ("早于本人出生日期" in message) if start == "birth-1" else ("晚于今天" in message)
        assert not Employment.objects.exists()


def test_an_enterprise_certified_in_the_future_is_refused(world, tmp_path):
    code = creditcode.make("140603", "MA0PL0001")
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    path = json_doc(tmp_path / "e.json", {"enterprises": [{
        "credit_code": code, "name": "帮扶车间", "kind": "workshop", "division_code": SHUANGNIAN_CUN,
        "base_level": "county", "base_certified_on": tomorrow.isoformat()}]})
    result = importer.import_file(user=world.clerk, path=path)
    assert [(p.column, "晚于今天" in p.message) for p in result.problems] == [("base_certified_on", True)]
    assert not Enterprise.objects.exists()


# --- 4. the database changes between the check and the write -------------------------------------------------------

@pytest.fixture
def between_check_and_write(monkeypatch):
    """Run `action` after the import's check pass and before its write pass, as another user would."""
    actions = []
    original = importer._Checker.run

    def run(self, sheets):
        original(self, sheets)
        while actions:
            actions.pop(0)()

    monkeypatch.setattr(importer._Checker, "run", run)
    return actions.append


def test_a_person_registered_elsewhere_meanwhile_is_not_moved(world, households, tmp_path, between_check_and_write):
    someone = new_id("610327")
    longxian = households["longxian"]
    between_check_and_write(lambda: services.member_create(
        user=world.other_county, household=longxian, id_number=someone, name="陇县人", relation="child",
        labor_capacity="laborer"))
    path = workbook(tmp_path / "m.xlsx", {"members": [member(households["shuangnian"].number, someone, "王新", "子女")]})
    result = importer.import_file(user=world.clerk, path=path)
    [(sheet, row, column, message)] = problems(result)
    assert (sheet, row, column) == ("家庭成员", 2, "身份证号") and importer.CHANGED_MEANWHILE in message
    assert Member.objects.get(id_number=someone).household == longxian


def test_two_imports_of_one_household_leave_one_head(world, tmp_path, between_check_and_write):
    a, b = new_id(), new_id()
    first = workbook(tmp_path / "a.xlsx", {"households": [household("H9")], "members": [member("H9", a, "甲")]})
    second = workbook(tmp_path / "b.xlsx", {"households": [household("H9")], "members": [member("H9", b, "乙")]})
    between_check_and_write(lambda: importer.import_file(user=world.county, path=second))
    result = importer.import_file(user=world.clerk, path=first)
    assert not result.ok and importer.CHANGED_MEANWHILE in result.problems[0].message
    assert list(Member.objects.filter(household__number="H9").values_list("name", "relation")) == [("乙", "head")]


def test_a_status_changed_by_the_workflow_meanwhile_is_not_overwritten(world, households, tmp_path,
                                                                       between_check_and_write):
    h = households["shuangnian"]
    between_check_and_write(lambda: Household.objects.filter(pk=h.pk).update(category="monitored",
                                                                             monitor_type="unstable"))
    result = importer.import_file(user=world.clerk, path=workbook(tmp_path / "h.xlsx", {"households": [
        household(h.number, category="脱贫户", address="新地址")]}))
    assert [p.column for p in result.problems] == ["户类别"]
    h.refresh_from_db()
    assert (h.category, h.address) == ("monitored", "")


def test_a_household_moved_out_of_the_area_meanwhile_is_not_written(world, households, tmp_path,
                                                                     between_check_and_write):
    h = households["shuangnian"]
    between_check_and_write(lambda: Household.objects.filter(pk=h.pk).update(village_id=world.longxian_village))
    result = importer.import_file(user=world.clerk, path=workbook(tmp_path / "i.xlsx", {"incomes": [
        {"household_number": h.number, "year": 2025, "wage": 100}]}))
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [("年度收入", 2, "户编号")]
    assert "不在您的管辖范围" in result.problems[0].message and not h.incomes.exists()


# --- the database itself -------------------------------------------------------------------------------------------

def test_the_database_refuses_a_second_head(world, households):
    h = households["shuangnian"]
    other = h.members.exclude(relation="head").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=other.pk).update(relation="head")


@pytest.mark.parametrize("change", [
    {"category": "monitored", "monitor_type": ""},
    {"category": "lifted", "monitor_type": "marginal"},
    {"category": "poor"},
    {"risk_eliminated_on": dt.date(2025, 1, 1)},  # a lifted household has no risk to eliminate
])
def test_the_database_refuses_impossible_households(world, households, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        Household.objects.filter(pk=households["shuangnian"].pk).update(**change)


def test_the_database_refuses_one_person_in_two_households(world, households):
    head = households["shuangnian"].members.get(relation="head")
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(household=households["wujiayao"], id_number=head.id_number, name="重", relation="child",
                              sex=head.sex, birth_date=head.birth_date, labor_capacity="laborer")


# --- the same races with real concurrency (PostgreSQL: SQLite serializes writers) -----------------------------------

@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_one_household_never_give_two_heads(world, tmp_path):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the deterministic tests above cover the same checks")
    for attempt in range(6):
        number = f"C{attempt}"
        files = [workbook(tmp_path / f"{number}-{i}.xlsx", {"households": [household(number)],
                                                           "members": [member(number, new_id(), f"人{i}")]})
                 for i in range(2)]
        barrier, outcomes = threading.Barrier(2), []

        def run(path):
            try:
                barrier.wait()
                outcomes.append(importer.import_file(user=world.county, path=path).ok)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(p,)) for p in files]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(outcomes) == 2 and outcomes.count(True) >= 1
        heads = Member.objects.filter(household__number=number, relation="head").count()
        assert heads == 1, (attempt, outcomes)


@pytest.mark.django_db(transaction=True)
def test_a_person_registered_during_a_long_import_is_not_moved(world, tmp_path):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serializes writers; the deterministic test above covers the same check")
    longxian = make_household(world.longxian_village, "LX1", category="ordinary", region="610327")
    pinglu = make_household(SHUANGNIAN_CUN, "PL1")
    for attempt in range(6):
        someone = new_id("610327")
        path = workbook(tmp_path / f"m{attempt}.xlsx", {"members": [member("PL1", someone, "王新", "子女")]})
        barrier = threading.Barrier(2)

        def register():
            try:
                barrier.wait()
                services.member_create(user=world.other_county, household=longxian, id_number=someone, name="陇县人",
                                       relation="child", labor_capacity="laborer")
            except Exception:  # noqa: BLE001 - the loser of the race is refused; which one loses does not matter
                pass
            finally:
                connection.close()

        thread = threading.Thread(target=register)
        thread.start()
        barrier.wait()
        importer.import_file(user=world.clerk, path=path)
        thread.join()
        owners = list(Member.objects.filter(id_number=someone).values_list("household__number", flat=True))
        assert len(owners) == 1, owners
        if owners == ["PL1"]:
            assert not Member.objects.filter(id_number=someone, household=longxian).exists()
    assert pinglu.members.count() >= 1


@pytest.mark.parametrize(("offset", "ok"), [(0, True), (1, False)])
def test_a_lifted_year_after_this_year_is_refused(world, tmp_path, offset, ok):
    year = dt.date.today().year + offset
    result = importer.import_file(user=world.clerk, path=workbook(tmp_path / "y.xlsx", {
        "households": [household("Y1", lifted_year=year)], "members": [member("Y1", new_id())]}))
    assert result.ok == ok
    if not ok:
        assert problems(result) == [("户", 2, "脱贫年度", f"脱贫年度{year}晚于今年：只能登记已经脱贫的年度")]


def test_a_file_without_rows_is_not_a_success(world, tmp_path):
    result = importer.import_file(user=world.clerk, path=json_doc(tmp_path / "empty.json", {"households": []}))
    assert problems(result) == [(None, None, None, "文件“empty.json”中没有任何数据行")]


def test_problems_are_listed_in_the_files_order(world, tmp_path):
    """Cell checks come first, database checks later: the list is still sheet by sheet, row by row."""
    sheets = {"households": [household("O1", village="140603203999"), household("O2", category="未知")],
              "members": [member("O1", new_id()), member("O2", "110101199001011234")]}
    result = importer.import_file(user=world.clerk, path=workbook(tmp_path / "o.xlsx", sheets))
    where = [(p.sheet, p.row) for p in result.problems]
    assert where == sorted(where, key=lambda w: (["户", "家庭成员"].index(w[0]), w[1])) and len(where) >= 3
