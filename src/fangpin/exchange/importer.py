"""All-or-nothing import of an exchange file into the registry.

Pass 1 reads every row, checks every cell and every cross-row and database rule, and collects all
problems; the typed rows go to a spool file as they are checked (each cell is coerced once). Only when there
are no problems does pass 2 read the spool and write it in batches, inside one transaction, with set-based
inserts (fangpin.lib.bulkwrite: COPY on PostgreSQL). Rows are never all held as Python objects: pass 1 keeps
only the keys it needs for cross-row checks (household numbers, ID numbers, credit codes).

Import semantics (docs/exchange-format.md): enterprises, households, members and incomes are
inserted or updated by their keys; a column absent from the file leaves that field as it is. For
employments and trainings, a person's records for each year in the file are replaced; for
start-ups, a person's records are replaced.
"""
from __future__ import annotations

import datetime as dt
import pickle
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from fangpin.accounts import access
from fangpin.lib import bulkwrite, divisions, idnumber
from fangpin.orgunits import names, villages
from fangpin.orgunits.models import OrgUnit
from fangpin.payments import accounts as payee_accounts
from fangpin.payments.models import PayeeAccount
from fangpin.registry import rules
from fangpin.registry import services as registry_services
from fangpin.monitoring import tallies as monitoring_tallies
from fangpin.registry import tallies as registry_tallies
from fangpin.registry import constraints, name_index
from fangpin.registry.choices import Relation
from fangpin.registry.models import Employment, Enterprise, Household, IncomeRecord, Member, Startup, Training

from . import mapping, values
from .readers import ExchangeFile, FileProblem, column_letter
from .spec import BY_KEY, Sheet

CHUNK = 500  # keys per IN (...) query; well under SQLite's variable limit
ENTERPRISE_ELSEWHERE = "该统一社会信用代码已登记为您管辖范围以外的经营主体：可以引用，不能通过导入修改"
EVENT_DATES = ("start_date", "end_date", "started_on", "base_certified_on")  # not in the future, not before birth
CHANGED_MEANWHILE = "检查通过后、写入前，系统中的数据被他人修改"
# what makes an account the same as the current one (the columns of the 收款账户 sheet but its payee's key)
ACCOUNT_COLUMNS = ("kind", "bank", "account_number", "holder", "proxy_relation", "proxy_reason", "since")
PAYEE_MISSING = {"id_number": "身份证号“{}”在文件和系统中都没有登记为家庭成员",
                 "credit_code": "信用代码“{}”在文件和系统中都没有登记为经营主体"}
PAYEE_ELSEWHERE = {"id_number": "该成员不在您的管辖范围内：只能登记本人管辖范围内的收款账户",
                   "credit_code": "该经营主体不在您的管辖范围内：只能登记本人管辖范围内的收款账户"}


@dataclass
class Problem:
    sheet: str | None
    row: int | None
    column: str | None
    letter: str | None
    value: str
    message: str

    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"工作表“{self.sheet}”")
        if self.row:
            parts.append(f"第{self.row}行")
        if self.column:
            parts.append(f"{self.letter + '列' if self.letter else ''}“{self.column}”")
        return "，".join(parts)


class _Spool:
    """The checked rows of pass 1, typed, in a temporary file: pass 2 writes them without reading or coercing the file
    again, and memory holds one batch at a time."""

    def __init__(self, batch_size: int):
        self.batch_size = batch_size
        self.file = tempfile.TemporaryFile()
        self.sheet: str | None = None
        self.batch: list[dict] = []

    def add(self, sheet_key: str, row: dict) -> None:
        if sheet_key != self.sheet or len(self.batch) >= self.batch_size:
            self._flush()
            self.sheet = sheet_key
        self.batch.append(row)

    def _flush(self) -> None:
        if self.batch:
            pickle.dump((self.sheet, self.batch), self.file, protocol=pickle.HIGHEST_PROTOCOL)
        self.batch = []

    def batches(self) -> Iterator[tuple[str, list[dict]]]:
        self._flush()
        self.file.seek(0)
        while True:
            try:
                yield pickle.load(self.file)
            except EOFError:
                return

    def close(self) -> None:
        self.file.close()


@dataclass
class ImportResult:
    filename: str
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # sheet title -> rows written
    kind: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems


def _chunks(items: Iterable, n: int = CHUNK) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch


class _Checker:
    """Pass 1: every problem in the file, with sheet, row and column.

    With a user, the file is checked for an import by that user (area, the registry's rows). Without one (user=None), it
    is checked as a file to evaluate on its own (fangpin evaluate / simulate / audit and their API): the same cell,
    row and cross-row rules, the division codes against the division tree, nothing against the registry. `on_row`
    receives every row (typed, or None when a cell is wrong, and the raw values), so a caller need not read the
    file twice.
    """

    def __init__(self, user, f: ExchangeFile, result: ImportResult, on_row=None, progress=None, spool=None):
        self.user = user
        self.on_row = on_row
        self.spool = spool
        self.progress = progress
        self.f = f
        self.result = result
        self.today = timezone.localdate()
        self.letters: dict[str, dict[str, str]] = {}
        # keys seen in the file
        self.enterprises: dict[str, int] = {}  # credit code -> row
        self.enterprise_rows: dict[str, dict] = {}  # credit code -> typed row (enterprises are few)
        self.enterprise_divisions: dict[str, list[int]] = defaultdict(list)  # division -> rows
        self.households: dict[str, tuple[int, str | None]] = {}  # number -> (row, village; None: a name not found)
        self._villages: villages.VillageNames | None = None  # the area's villages by name, read at the first name
        self._area = ""
        self.household_status: dict[str, tuple[bool, str]] = {}  # number -> (monitored, monitor type), if in the file
        self.risk_eliminated: dict[str, object] = {}  # number -> 风险消除日期 (or None), if the column is in the file
        self.members: dict[str, tuple[int, str, bool]] = {}  # id -> (row, household number, is head)
        self.member_names: dict[str, str] | None = None  # id -> name, kept only when the file has accounts to check
        # 收款账户: (payee key column, its value) -> (row, the account's ACCOUNT_COLUMNS)
        self.accounts: dict[tuple[str, str], tuple[int, tuple]] = {}
        self.keys: dict[str, set] = defaultdict(set)
        # households with a member row that failed its own checks: their head count is not judged again
        self.unsure_households: set[str] = set()
        # references to keys not in the file, to look up in the database: sheet -> key -> [(sheet, row, col)]
        self.pending: dict[str, dict[str, list[tuple[Sheet, int, str]]]] = defaultdict(lambda: defaultdict(list))

    def problem(self, sheet: Sheet | None, row: int | None, key: str | None, value, message: str):
        col = letter = None
        if sheet is not None and key is not None:
            field = sheet.field(key)
            col = self.f.column_label(field)
            letter = self.letters.get(sheet.key, {}).get(key)
            if field.choices is not None and value in field.choices.values:
                value = field.choices(value).label  # the value as the file wrote it (男), not as it is stored
        self.result.problems.append(
            Problem(self.f.sheet_label(sheet) if sheet else None, row, col, letter, "" if value is None else str(value), message)
        )

    def run(self, sheets: list[Sheet]) -> None:
        readable, done = 0, 0
        if any(s.key == "accounts" for s in sheets):
            self.member_names = {}  # a holder is compared with the member's name
        for i, sheet in enumerate(sheets):  # sheet by sheet, headers then rows: calamine parses each sheet once
            header_problems = self.f.header_problems(sheet)
            for p in header_problems:
                self.result.problems.append(
                    Problem(self.f.sheet_label(sheet), self.f.header_row_number(sheet) or None, p.header,
                            column_letter(p.column) if self.f.kind == "excel" else None, "", p.message)
                )
            if header_problems:
                continue
            readable += 1
            if self.f.kind == "excel":
                self.letters[sheet.key] = {k: column_letter(i) for k, i in self.f.column_index(sheet).items()}
            if i + 1 < len(sheets):
                self.f.prefetch(sheets[i + 1])
            for raw in self.f.rows(sheet):
                done += 1
                if self.progress is not None and done % 1000 == 0:
                    self.progress("checking", done)
                typed = self.typed_row(sheet, raw)
                if typed is not None:
                    getattr(self, f"row_{sheet.key}")(sheet, raw.number, typed)
                    if self.spool is not None and not self.result.problems:
                        typed["_row"] = raw.number
                        self.spool.add(sheet.key, typed)
                elif sheet.key == "members":
                    self.unsure_households.add(str(raw.values.get("household_number") or "").strip())
                if self.on_row is not None:
                    self.on_row(sheet, raw.number, typed, raw.values)
        if readable and not done and not self.result.problems:
            self.result.problems.append(Problem(None, None, None, None, "", f"文件“{self.f.filename}”中没有任何数据行"))
        self.check_database()
        self.check_heads()
        if self.accounts:
            self.check_accounts()
        # in the file's order: sheet by sheet, row by row (the checks above find them in another order)
        order = {self.f.sheet_label(s): i for i, s in enumerate(sheets)}
        self.result.problems.sort(key=lambda p: (order.get(p.sheet, -1 if p.sheet is None else len(order)), p.row or 0))

    def typed_row(self, sheet: Sheet, raw) -> dict | None:
        if "__not_object__" in raw.values:
            self.problem(sheet, raw.number, None, None, "每一条应为对象（键值对）")
            return None
        cells = raw.values
        unknown = cells.keys() - sheet.field_keys
        for key in sorted(unknown):
            self.result.problems.append(
                Problem(self.f.sheet_label(sheet), raw.number, key, None, "", f"未知的字段“{key}”")
            )
        typed, ok, excel = {}, not unknown, self.f.kind == "excel"
        for f, convert in values.converters(sheet):  # values.coerce, unrolled: this loop runs for every cell
            key = f.key
            if key not in cells:
                if f.required:
                    self.problem(sheet, raw.number, key, None, f"“{f.header}”必填")
                    ok = False
                continue
            cell = cells[key]
            try:
                if cell is None or (cell.__class__ is str and not cell.strip()):
                    if f.required:
                        raise values.CellError(f"“{f.header}”必填")
                    typed[key] = None
                else:
                    typed[key] = convert(f, cell, excel)
            except values.CellError as e:
                self.problem(sheet, raw.number, key, cell, str(e))
                ok = False
        return typed if ok else None

    def once(self, sheet: Sheet, row: int, key: tuple, label: str) -> bool:
        seen = self.keys[sheet.key]
        if key in seen:
            self.problem(sheet, row, sheet.keys[0], key[0], f"{label}在本表中重复")
            return False
        seen.add(key)
        return True

    def refer(self, sheet: Sheet, row: int, key: str, value) -> None:
        if value is None:
            return
        target = mapping.REFERENCES[key]
        in_file = {"households": self.households, "members": self.members, "enterprises": self.enterprises}[target]
        if value not in in_file:
            self.pending[target][value].append((sheet, row, key))

    # one method per sheet: the checks that need only this row and earlier rows
    def row_enterprises(self, sheet, row, t):
        code = t["credit_code"]
        if code in self.enterprises:
            self.problem(sheet, row, "credit_code", code, f"统一社会信用代码与第{self.enterprises[code]}行重复")
            return
        self.enterprises[code] = row
        self.enterprise_rows[code] = t
        self.enterprise_divisions[t["division_code"]].append(row)
        dates = {k: t.get(k) for k in EVENT_DATES if k in t}
        for key, message in rules.event_date_problems(dates, born=None, today=self.today):
            self.problem(sheet, row, key, t.get(key), message)

    def row_households(self, sheet, row, t):
        number = t["household_number"]
        if number in self.households:
            self.problem(sheet, row, "household_number", number, f"户编号与第{self.households[number][0]}行重复")
            return
        village = t["village_code"]
        if not divisions.is_code(village):  # a village's name (Excel): its code, or the row is refused
            village = t["village_code"] = self.village_by_name(sheet, row, village)
        self.households[number] = (row, village)
        if "category" in t:
            self.household_status[number] = rules.monitoring_status(t.get("category"), t.get("monitor_type"))
        if "risk_eliminated_on" in t:
            self.risk_eliminated[number] = t["risk_eliminated_on"]
        for key, message in rules.household_problems(
            category=t.get("category"), monitor_type=t.get("monitor_type"), lifted_year=t.get("lifted_year"),
            risk_eliminated_on=t.get("risk_eliminated_on"), today=self.today,
        ):
            self.problem(sheet, row, key, t.get(key), message)

    def village_by_name(self, sheet, row, name: str) -> str | None:
        """The code of the village `name` names in the user's area (every village, for a file checked on its own);
        None, with the problem noted, if it names none or several. The area's villages are read once, at the first
        name: a file of codes reads nothing."""
        if self._villages is None:
            prefix = access.user_prefix(self.user) if self.user is not None else ""
            self._villages = villages.village_names(prefix)
            self._area = names.region_name(prefix) if prefix else ""
        found = self._villages.resolve(name)
        if isinstance(found, str):
            return found
        if found:
            shown = "、".join(found[:10]) + (f"等{len(found)}个" if len(found) > 10 else "")
            where = "您的管辖范围内" if self.user is not None else "区划库中"
            self.problem(sheet, row, "village_code", name,
                         f"{where}有{len(found)}个村名为“{name}”，请写明乡镇：{shown}（或填写12位村区划代码）")
        elif self.user is not None:
            self.problem(sheet, row, "village_code", name,
                         f"您的管辖范围（{self._area}）内没有名为“{name}”的村：请从下拉列表中选择，或填写12位村区划代码")
        else:
            self.problem(sheet, row, "village_code", name, f"区划库中没有名为“{name}”的村：请填写12位村区划代码")
        return None

    def row_members(self, sheet, row, t):
        id_number = t["id_number"]
        if id_number in self.members:
            first_row, first_household, _ = self.members[id_number]
            self.problem(
                sheet, row, "id_number", id_number,
                f"身份证号与第{first_row}行（户{first_household}）重复：一人只能登记在一户",
            )
            self.unsure_households.add(t["household_number"])
            return
        self.members[id_number] = (row, t["household_number"], t["relation"] == Relation.HEAD)
        if self.member_names is not None:
            self.member_names[id_number] = t["name"]
        self.refer(sheet, row, "household_number", t["household_number"])
        info = idnumber.parse(id_number)
        t["_sex"], t["_birth"] = info.sex, info.birth_date  # for the write pass
        if t.get("sex") and t["sex"] != info.sex:
            self.problem(sheet, row, "sex", t["sex"], "性别与身份证号不符（身份证号第17位奇数为男、偶数为女）")
        if t.get("birth_date") and t["birth_date"] != info.birth_date:
            self.problem(sheet, row, "birth_date", t["birth_date"], f"出生日期与身份证号不符（身份证号为{info.birth_date:%Y-%m-%d}）")

    def row_incomes(self, sheet, row, t):
        if self.once(sheet, row, (t["household_number"], t["year"]), "同一户同一年度的收入"):
            self.refer(sheet, row, "household_number", t["household_number"])

    def row_employments(self, sheet, row, t):
        self._person_row(sheet, row, t, ("employer_credit_code", "agency_credit_code"))
        for key, message in rules.employment_problems(
                start_date=t.get("start_date"), end_date=t.get("end_date"), kind=t.get("kind"),
                post_kind=t.get("post_kind"), post_created_year=t.get("post_created_year"), year=t.get("year")):
            self.problem(sheet, row, key, t.get(key), message)

    def row_trainings(self, sheet, row, t):
        self._person_row(sheet, row, t, ("institution_credit_code",))

    def row_startups(self, sheet, row, t):
        self._person_row(sheet, row, t, ("enterprise_credit_code",))

    def row_accounts(self, sheet, row, t):
        id_number, code = t.get("id_number"), t.get("credit_code")
        if (id_number is None) == (code is None):
            self.problem(sheet, row, "id_number", id_number,
                         "家庭成员的账户填写身份证号，经营主体的对公账户填写统一社会信用代码，二者只填其一"
                         if id_number else "请填写收款人的身份证号（家庭成员）或统一社会信用代码（经营主体）")
            return
        payee = ("id_number", id_number) if id_number else ("credit_code", code)
        if payee in self.accounts:
            self.problem(sheet, row, payee[0], payee[1],
                         f"与第{self.accounts[payee][0]}行是同一收款人：每个收款人只填一行（现用账户）")
            return
        # absent optional columns are blanks: a row describes the whole account
        self.accounts[payee] = (row, tuple(t.get(k) or "" if k.startswith("proxy") else t[k] for k in ACCOUNT_COLUMNS))

    def _person_row(self, sheet, row, t, enterprise_keys):
        key = tuple(t.get(k) for k in sheet.keys)
        if not self.once(sheet, row, key, "同一人同一开始日期的记录"):
            return
        self.refer(sheet, row, "id_number", t["id_number"])
        for k in enterprise_keys:
            self.refer(sheet, row, k, t.get(k))
        dates = {k: t.get(k) for k in EVENT_DATES if k in t}
        born = idnumber.parse(t["id_number"]).birth_date
        for key, message in rules.event_date_problems(dates, born=born, today=self.today):
            self.problem(sheet, row, key, t.get(key), message)

    # checks against the database
    def check_database(self) -> None:
        hh_sheet, ent_sheet = mapping_sheet("households"), mapping_sheet("enterprises")
        # villages and enterprise divisions: exist, right level, in the user's subtree
        by_village = defaultdict(list)
        for row, village in self.households.values():
            if village is not None:
                by_village[village].append(row)
        units = {}
        for chunk in _chunks(set(by_village) | set(self.enterprise_divisions)):
            units.update(OrgUnit.objects.filter(code__any_of=chunk).values_list("code", "level").iterator())
        for code, rows in by_village.items():
            for row in rows:
                if code not in units:
                    self.problem(hh_sheet, row, "village_code", code, f"村区划代码“{code}”不存在")
                elif units[code] != "village":
                    self.problem(hh_sheet, row, "village_code", code, f"区划代码“{code}”不是村级区划")
                elif self.user is not None and not access.covers(self.user, code):
                    self.problem(hh_sheet, row, "village_code", code, f"村“{code}”不在您的管辖范围内")
        # enterprises registered outside the user's area: a row that repeats them unchanged (a clerk's own export
        # holds the employers of the clerk's people) is a reference; one that would change them is refused
        elsewhere, unchanged = set(), set()
        if self.user is not None:
            for chunk in _chunks(self.enterprises):
                for e in Enterprise.objects.filter(credit_code__any_of=chunk):
                    if not access.covers(self.user, e.org_unit_id):
                        elsewhere.add(e.credit_code)
                        if same_as_stored(e, BY_KEY["enterprises"], self.enterprise_rows[e.credit_code]):
                            unchanged.add(e.credit_code)
        codes_by_row = {row: code for code, row in self.enterprises.items()}
        for code, rows in self.enterprise_divisions.items():
            for row in rows:
                if codes_by_row[row] in unchanged:
                    continue
                if code not in units:
                    self.problem(ent_sheet, row, "division_code", code, f"区划代码“{code}”不存在")
                elif self.user is not None and not access.covers(self.user, code):
                    self.problem(ent_sheet, row, "division_code", code, f"区划“{code}”不在您的管辖范围内")
        if self.user is None:
            return  # a file evaluated on its own: nothing to compare with the registry
        for code in sorted(elsewhere - unchanged, key=self.enterprises.get):
            self.problem(ent_sheet, self.enterprises[code], "credit_code", code, ENTERPRISE_ELSEWHERE)
        # existing households elsewhere
        for chunk in _chunks(self.households):
            for number, village, category, monitor_type, eliminated in Household.objects.filter(
                    number__any_of=chunk).values_list("number", "village_id", "category", "monitor_type", "risk_eliminated_on"):
                if not access.covers(self.user, village):
                    self.problem(hh_sheet, self.households[number][0], "household_number", number,
                                 f"户编号“{number}”已登记在您管辖范围以外的村")
                status = self.household_status.get(number)
                if status is not None and status != rules.monitoring_status(category, monitor_type):
                    # New households may arrive monitored (the first load from the national system); an existing
                    # household's monitoring status changes only in the workflow.
                    self.problem(hh_sheet, self.households[number][0], "category", status[1] or category,
                                 registry_services.OFF_SYSTEM)
                if number in self.risk_eliminated and self.risk_eliminated[number] != eliminated:
                    # The date is written by the elimination procedure alone; a file may repeat it, not change it.
                    stored = f"系统中该户的风险消除日期为“{eliminated:%Y-%m-%d}”" if eliminated else "系统中该户风险尚未消除"
                    self.problem(hh_sheet, self.households[number][0], "risk_eliminated_on",
                                 self.risk_eliminated[number], f"{registry_services.OFF_SYSTEM}；{stored}")
        # existing members in another household
        mem_sheet = mapping_sheet("members")
        for chunk in _chunks(self.members):
            rows = Member.objects.filter(id_number__any_of=chunk).values_list("id_number", "household__number", "household__village_id")
            for id_number, number, village in rows:
                row, file_number, _ = self.members[id_number]
                if number != file_number:
                    self.unsure_households.add(file_number)
                    self.problem(mem_sheet, row, "id_number", id_number,
                                 f"该身份证号已登记在户{number if access.covers(self.user, village) else '（其他区划）'}：一人只能登记在一户")
        # references to rows not in the file
        self._check_pending("households", Household, "number", "village_id", "户编号“{}”在文件和系统中都不存在")
        self._check_pending("members", Member, "id_number", "household__village_id", "身份证号“{}”在文件和系统中都没有登记为家庭成员")
        self._check_pending("enterprises", Enterprise, "credit_code", None, "信用代码“{}”在文件和系统中都没有登记为经营主体")

    def check_accounts(self) -> None:
        """Each account by the rules of payments.accounts (its payee in the file or the registry, in the user's area,
        the holder the payee or a named proxy); one that differs from the payee's current account starts after it."""
        sheet = BY_KEY["accounts"]
        payees: dict[tuple[str, str], tuple[str, str | None]] = {}  # payee -> (name, area; None: judged elsewhere)
        for (key, value) in self.accounts:
            if key == "id_number" and value in self.members:
                payees[key, value] = (self.member_names[value], None)  # its household's area is the members' check
            elif key == "credit_code" and value in self.enterprise_rows:
                t = self.enterprise_rows[value]
                payees[key, value] = (t["name"], t["division_code"])
        wanted = {key: [v for k, v in self.accounts if k == key and (k, v) not in payees] for key in PAYEE_MISSING}
        if self.user is not None:
            for chunk in _chunks(wanted["id_number"]):
                for id_number, name, village in Member.objects.filter(id_number__any_of=chunk).values_list(
                        "id_number", "name", "household__village_id"):
                    payees["id_number", id_number] = (name, village)
            for chunk in _chunks(wanted["credit_code"]):
                for code, name, area in Enterprise.objects.filter(credit_code__any_of=chunk).values_list(
                        "credit_code", "name", "org_unit_id"):
                    payees["credit_code", code] = (name, area)
        current = self._current_accounts(payees) if self.user is not None else {}
        for payee, (row, account) in self.accounts.items():
            key, value = payee
            name, area = payees.get(payee, (None, None))
            if name is None and self.user is not None:
                self.problem(sheet, row, key, value, PAYEE_MISSING[key].format(value))
            elif area is not None and self.user is not None and not access.covers(self.user, area):
                self.problem(sheet, row, key, value, PAYEE_ELSEWHERE[key])
                continue
            fields = dict(zip(ACCOUNT_COLUMNS, account))
            errors = payee_accounts.problems(
                kind=fields["kind"], bank=fields["bank"], number=fields["account_number"], holder=fields["holder"],
                since=fields["since"], proxy_relation=fields["proxy_relation"], proxy_reason=fields["proxy_reason"],
                payee_name=name, enterprise=key == "credit_code", today=self.today)
            for column, message in errors.items():
                self.problem(sheet, row, column, fields[column], message)
            stored = current.get(payee)
            if stored is not None and stored != account and "since" not in errors:
                if message := payee_accounts.since_problem(fields["since"], stored[-1]):
                    self.problem(sheet, row, "since", fields["since"], message)

    def _current_accounts(self, payees) -> dict[tuple[str, str], tuple]:
        """payee -> its current account's ACCOUNT_COLUMNS, for the payees in the registry."""
        out = {}
        for key, path in (("id_number", "member__id_number"), ("credit_code", "enterprise__credit_code")):
            for chunk in _chunks(v for k, v in payees if k == key):
                rows = PayeeAccount.objects.filter(until__isnull=True, **{f"{path}__any_of": chunk})
                for value, *account in rows.values_list(path, *ACCOUNT_COLUMNS):
                    out[key, value] = tuple(account)
        return out

    def _check_pending(self, target, model, key_field, scope_field, missing):
        refs = self.pending.get(target, {})
        found = {}
        for chunk in _chunks(refs):
            fields = [key_field] + ([scope_field] if scope_field else [])
            for rec in model.objects.filter(**{f"{key_field}__any_of": chunk}).values_list(*fields):
                found[rec[0]] = rec[1] if scope_field else None
        for value, places in refs.items():
            for sheet, row, col in places:
                if value not in found:
                    self.problem(sheet, row, col, value, missing.format(value))
                elif scope_field and not access.covers(self.user, found[value]):
                    self.problem(sheet, row, col, value, f"“{value}”不在您的管辖范围内")

    def check_heads(self) -> None:
        """Each household the file touches has exactly one head after the import."""
        heads: dict[str, list[int]] = defaultdict(list)
        with_members: set[str] = set()
        mem_sheet, hh_sheet = mapping_sheet("members"), mapping_sheet("households")
        for row, number, is_head in self.members.values():
            with_members.add(number)
            if is_head:
                heads[number].append(row)
        touched = set(self.households) | with_members
        db_heads: dict[str, int] = defaultdict(int)
        db_members: set[str] = set()
        for chunk in _chunks(touched if self.user is not None else ()):
            for id_number, number, relation in Member.objects.filter(household__number__any_of=chunk).values_list(
                "id_number", "household__number", "relation"
            ):
                if id_number in self.members:
                    continue  # the file's row decides
                db_members.add(number)
                if relation == Relation.HEAD:
                    db_heads[number] += 1
        for number in sorted(touched - self.unsure_households):
            total = len(heads[number]) + db_heads[number]
            if number in self.households and number not in with_members and number not in db_members:
                self.problem(hh_sheet, self.households[number][0], "household_number", number, f"户{number}没有家庭成员")
            elif total == 0:
                row = self.households[number][0] if number in self.households else None
                if row:
                    self.problem(hh_sheet, row, "household_number", number, f"户{number}没有户主")
                else:
                    first = min(r for r, n, _ in self.members.values() if n == number)
                    self.problem(mem_sheet, first, "relation", None, f"户{number}没有户主")
            elif total > 1:
                for row in heads[number][1 if db_heads[number] == 0 else 0:]:
                    self.problem(mem_sheet, row, "relation", "户主", f"户{number}只能有一名户主")


def same_as_stored(obj, sheet: Sheet, row: dict) -> bool:
    """Whether writing the row would leave the stored object as it is."""
    return all(getattr(obj, attr) == value for attr, value in mapping.model_fields(sheet, row).items())


def mapping_sheet(key: str) -> Sheet:
    return BY_KEY[key]


class WriteConflict(Exception):
    """The database changed between the check and the write in a way the checks would have refused."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


class _Writer:
    """Pass 2: write the checked rows from the spool, batch by batch, with history (set-based inserts).

    Everything pass 1 checked against the database is checked again here, on the rows being written and under their
    locks (SELECT ... FOR UPDATE on PostgreSQL; SQLite has one writer at a time): a row that another user changed in
    the meantime stops the whole import, which then writes nothing. The constraints of the tables are the last guard.
    """

    def __init__(self, user, f: ExchangeFile, result: ImportResult, spool: _Spool, progress=None):
        self.user = user
        self.spool = spool
        self.progress = progress
        self.f = f
        self.result = result
        self.batch_size = spool.batch_size
        self.reason = f"导入 {f.filename}"
        self.cleared: dict[str, set] = defaultdict(set)
        self.letters: dict[str, dict[str, str]] = {}
        self.touched: set[int] = set()  # households whose members this import wrote
        # households and members this import wrote: key -> (id, village), so later sheets need not look them up
        self.written: dict[type, dict[str, tuple[int, str]]] = {Household: {}, Member: {}}
        self._covers: dict[str, bool] = {}
        self.villages: set[str] = set()  # villages whose households this import wrote (their tallies are recounted)

    def run(self, sheets: list[Sheet]) -> None:
        for sheet in sheets:
            if self.f.kind == "excel":
                self.letters[sheet.key] = {k: column_letter(i) for k, i in self.f.column_index(sheet).items()}
            self.result.counts[sheet.title] = 0
        written = 0
        for key, batch in self.spool.batches():
            sheet = BY_KEY[key]
            getattr(self, f"write_{key}")(sheet, batch)
            self.result.counts[sheet.title] += len(batch)
            written += len(batch)
            if self.progress is not None:
                self.progress("writing", written)
        self.check_heads()
        registry_tallies.recount(self.villages)  # bulk writes send no signals
        monitoring_tallies.recount(self.villages)

    def conflict(self, sheet: Sheet, t: dict, key: str, message: str):
        letter = self.letters.get(sheet.key, {}).get(key)
        value = t.get(key)
        raise WriteConflict(Problem(self.f.sheet_label(sheet), t["_row"], self.f.column_label(sheet.field(key)), letter,
                                    "" if value is None else str(value), f"{CHANGED_MEANWHILE}：{message}"))

    def _upsert(self, model, sheet: Sheet, lookup: dict, rows: list[tuple[object, dict]]) -> dict:
        """rows: (key, field values). lookup: key -> existing instance. Returns key -> primary key of every row."""
        creates, create_keys, updates, update_fields = [], [], [], set()
        pks = {}
        for key, fields in rows:
            obj = lookup.get(key)
            if obj is None:
                creates.append(fields)
                create_keys.append(key)
            else:
                pks[key] = obj.pk
                changed = {k: v for k, v in fields.items() if getattr(obj, k) != v}
                if changed:
                    for k, v in changed.items():
                        setattr(obj, k, v)
                    updates.append(obj)
                    update_fields.update(changed)
        if creates:
            with name_index.bulk_insert(model) as add_names:
                new = bulkwrite.insert_with_history(model, creates, user=self.user, reason=self.reason)
                add_names(new, [fields.get("name") for fields in creates])
            pks.update(zip(create_keys, new))
        if updates:
            bulk_update_with_history(updates, model, sorted(update_fields), batch_size=self.batch_size,
                                     default_user=self.user, default_change_reason=self.reason)
        return pks

    def covers(self, code: str) -> bool:
        if code not in self._covers:
            self._covers[code] = access.covers(self.user, code)
        return self._covers[code]

    def _locked(self, model, key_field: str, keys: Iterable) -> dict:
        """The existing rows with these keys, locked until the import commits, in a stable order (no deadlocks)."""
        return {getattr(o, key_field): o for o in
                model.objects.select_for_update().filter(**{f"{key_field}__any_of": sorted(set(keys))}).order_by("pk")}

    def _scoped_ids(self, sheet: Sheet, batch: list[dict], key: str, model, key_field: str, area_field: str,
                    with_area: bool = False) -> dict:
        """key -> id (with_area: (id, village)) of the rows the batch refers to, each still existing and still in the
        user's area; locked. Rows this import wrote are known already (written under its locks, areas checked)."""
        written = self.written[model]
        found = {}
        wanted = sorted({t[key] for t in batch} - written.keys())
        if wanted:
            rows = (model.objects.select_for_update(of=("self",)).filter(**{f"{key_field}__any_of": wanted})
                    .order_by("pk").values_list(key_field, "id", area_field))
            for value, pk, code in rows:
                found[value] = (pk, code)
        for t in batch:
            hit = written.get(t[key]) or found.get(t[key])
            if hit is None:
                self.conflict(sheet, t, key, f"“{t[key]}”已不存在")
            if not self.covers(hit[1]):
                self.conflict(sheet, t, key, f"“{t[key]}”已不在您的管辖范围内")
            found[t[key]] = hit
        return found if with_area else {value: pk for value, (pk, _) in found.items()}

    def write_enterprises(self, sheet, batch):
        existing = self._locked(Enterprise, "credit_code", (t["credit_code"] for t in batch))
        for t in batch:
            obj = existing.get(t["credit_code"])
            if obj is not None and not access.covers(self.user, obj.org_unit_id) and not same_as_stored(obj, sheet, t):
                self.conflict(sheet, t, "credit_code", ENTERPRISE_ELSEWHERE)
        self._upsert(Enterprise, sheet, existing, [(t["credit_code"], mapping.model_fields(sheet, t, ())) for t in batch])

    def write_households(self, sheet, batch):
        existing = self._locked(Household, "number", (t["household_number"] for t in batch))
        for t in batch:
            obj = existing.get(t["household_number"])
            self.villages.add(t["village_code"])
            if obj is None:
                continue
            self.villages.add(obj.village_id)
            if not access.covers(self.user, obj.village_id):
                self.conflict(sheet, t, "household_number", "该户编号已登记在您管辖范围以外的村")
            if "category" in t and rules.monitoring_status(t["category"], t.get("monitor_type")) != rules.monitoring_status(
                    obj.category, obj.monitor_type):
                self.conflict(sheet, t, "category", registry_services.OFF_SYSTEM)
            if "risk_eliminated_on" in t and t["risk_eliminated_on"] != obj.risk_eliminated_on:
                self.conflict(sheet, t, "risk_eliminated_on", registry_services.OFF_SYSTEM)
        pks = self._upsert(Household, sheet, existing,
                           [(t["household_number"], mapping.model_fields(sheet, t, ())) for t in batch])
        for t in batch:
            self.written[Household][t["household_number"]] = (pks[t["household_number"]], t["village_code"])

    def write_members(self, sheet, batch):
        households = self._scoped_ids(sheet, batch, "household_number", Household, "number", "village_id", True)
        existing = self._locked(Member, "id_number", (t["id_number"] for t in batch))
        rows = []
        for t in batch:
            hid = households[t["household_number"]][0]
            obj = existing.get(t["id_number"])
            if obj is not None and obj.household_id != hid:
                self.conflict(sheet, t, "id_number", "该身份证号已登记在另一户：一人只能登记在一户")
            fields = mapping.model_fields(sheet, t, ("household_number",))
            fields.update(household_id=hid, sex=t["_sex"], birth_date=t["_birth"])
            rows.append((t["id_number"], fields))
            self.touched.add(hid)
        pks = self._upsert(Member, sheet, existing, rows)
        for t in batch:
            self.written[Member][t["id_number"]] = (pks[t["id_number"]], households[t["household_number"]][1])

    def check_heads(self) -> None:
        """Every household whose members were written has exactly one head (the constraint refuses a second)."""
        for chunk in _chunks(sorted(self.touched)):
            headed = set(Member.objects.filter(household_id__any_of=chunk, relation=Relation.HEAD)
                         .values_list("household_id", flat=True))
            for number in Household.objects.filter(pk__any_of=set(chunk) - headed).values_list("number", flat=True)[:1]:
                raise WriteConflict(Problem(None, None, None, None, number, f"{CHANGED_MEANWHILE}：户{number}没有户主"))

    def write_incomes(self, sheet, batch):
        households = self._scoped_ids(sheet, batch, "household_number", Household, "number", "village_id")
        existing = {
            (r.household_id, r.year): r
            for r in IncomeRecord.objects.select_for_update().filter(household_id__any_of=set(households.values()))
        }
        rows = []
        for t in batch:
            hid = households[t["household_number"]]
            fields = mapping.model_fields(sheet, t, ("household_number",))
            fields["household_id"] = hid
            rows.append(((hid, t["year"]), fields))
        self._upsert(IncomeRecord, sheet, existing, rows)

    def _enterprise_ids(self, sheet, batch, keys) -> dict:
        """Referenced enterprises (in any area: a person may work anywhere); each must still exist."""
        wanted = {t[k] for t in batch for k in keys if t.get(k)}
        ids = dict(Enterprise.objects.filter(credit_code__any_of=sorted(wanted)).values_list("credit_code", "id"))
        for t in batch:
            for k in keys:
                if t.get(k) and t[k] not in ids:
                    self.conflict(sheet, t, k, f"经营主体“{t[k]}”已不存在")
        return ids

    def _replace(self, model, sheet, batch, enterprise_keys: dict[str, str], per_year: bool):
        members = self._scoped_ids(sheet, batch, "id_number", Member, "id_number", "household__village_id")
        enterprises = self._enterprise_ids(sheet, batch, enterprise_keys)
        cleared = self.cleared[sheet.key]
        keys = {(members[t["id_number"]], t["year"]) if per_year else members[t["id_number"]] for t in batch}
        to_clear = keys - cleared
        if to_clear:
            member_ids = {k[0] if per_year else k for k in to_clear}
            existing = model.objects.filter(member_id__any_of=member_ids)
            if per_year:
                existing = existing.filter(year__in={k[1] for k in to_clear})
            stale = [pk for pk, mid, *year in existing.values_list("pk", "member_id", *(["year"] if per_year else []))
                     if ((mid, year[0]) if per_year else mid) in to_clear]
            if stale:
                # QuerySet.delete() sends post_delete per row, so simple-history records each deletion.
                model.objects.filter(pk__in=stale).delete()
        cleared |= to_clear
        objs = []
        for t in batch:
            fields = mapping.model_fields(sheet, t, ("id_number", *enterprise_keys))
            fields["member_id"] = members[t["id_number"]]
            for key, attr in enterprise_keys.items():
                if key in t:
                    fields[attr] = enterprises[t[key]] if t[key] else None
            objs.append(fields)
        bulkwrite.insert_with_history(model, objs, user=self.user, reason=self.reason)

    def write_employments(self, sheet, batch):
        self._replace(Employment, sheet, batch, {"employer_credit_code": "employer_id", "agency_credit_code": "agency_id"}, True)

    def write_trainings(self, sheet, batch):
        self._replace(Training, sheet, batch, {"institution_credit_code": "institution_id"}, True)

    def write_startups(self, sheet, batch):
        self._replace(Startup, sheet, batch, {"enterprise_credit_code": "enterprise_id"}, False)

    def write_accounts(self, sheet, batch):
        """A row equal to its payee's current account leaves it alone; another replaces it: the current one ends the
        day before the new one starts (history: "~" on the old, "+" on the new, as payments.accounts writes them)."""
        today = timezone.localdate()
        payees, current = {}, {}
        for key, model, field, area, fk in (("id_number", Member, "id_number", "household__village_id", "member_id"),
                                            ("credit_code", Enterprise, "credit_code", "org_unit_id", "enterprise_id")):
            wanted = sorted({t[key] for t in batch if t.get(key)})
            if not wanted:
                continue
            ids = {}
            for value, pk, code, name in (model.objects.select_for_update(of=("self",))
                                          .filter(**{f"{field}__any_of": wanted}).order_by("pk")
                                          .values_list(field, "id", area, "name")):
                payees[key, value] = (fk, pk, code, name)
                ids[pk] = value
            for a in (PayeeAccount.objects.select_for_update().filter(until__isnull=True, **{f"{fk}__any_of": sorted(ids)})
                      .order_by("pk")):
                current[key, ids[getattr(a, fk)]] = a
        ends, creates = [], []
        for t in batch:
            key = "id_number" if t.get("id_number") else "credit_code"
            hit = payees.get((key, t[key]))
            if hit is None:
                self.conflict(sheet, t, key, f"“{t[key]}”已不存在")
            fk, pk, code, name = hit
            if not self.covers(code):
                self.conflict(sheet, t, key, f"“{t[key]}”已不在您的管辖范围内")
            fields = {k: t.get(k) or "" if k.startswith("proxy") else t[k] for k in ACCOUNT_COLUMNS}
            errors = payee_accounts.problems(
                kind=fields["kind"], bank=fields["bank"], number=fields["account_number"], holder=fields["holder"],
                since=fields["since"], proxy_relation=fields["proxy_relation"], proxy_reason=fields["proxy_reason"],
                payee_name=name, enterprise=key == "credit_code", today=today)
            for column, message in errors.items():
                self.conflict(sheet, t, column, message)
            old = current.get((key, t[key]))
            if old is not None:
                if all(getattr(old, k) == v for k, v in fields.items()):
                    continue  # the account the payee has: nothing to write
                if message := payee_accounts.since_problem(fields["since"], old.since):
                    self.conflict(sheet, t, "since", message)
                old.until = fields["since"] - dt.timedelta(days=1)
                ends.append(old)
            creates.append({"member_id": None, "enterprise_id": None, fk: pk, **fields, "until": None,
                            "created_by_id": self.user.pk})
        if ends:
            bulk_update_with_history(ends, PayeeAccount, ["until"], batch_size=self.batch_size,
                                     default_user=self.user, default_change_reason=self.reason)
        bulkwrite.insert_with_history(PayeeAccount, creates, user=self.user, reason=self.reason)


def check(f: ExchangeFile, sheets: list[Sheet], *, user=None, on_row=None) -> list[Problem]:
    """Every problem of the file by the import's rules (see _Checker); for a file to evaluate, user=None."""
    result = ImportResult(filename=f.filename, kind=f.kind)
    _Checker(user, f, result, on_row).run(sheets)
    return result.problems


def import_file(*, user, path: Path | str, filename: str | None = None, batch_size: int = 1000,
                progress=None) -> ImportResult:
    """Check the whole file; write it only if nothing is wrong. The result lists every problem.
    `progress(phase, rows)` is told how far the check ("checking") and the write ("writing") have come."""
    result = ImportResult(filename=filename or Path(path).name)
    if not access.can(user, "registry.import"):
        result.problems.append(Problem(None, None, None, None, "", "您的角色无权导入数据"))
        return result
    try:
        f = ExchangeFile(Path(path), result.filename)
    except FileProblem as e:
        result.problems.append(Problem(None, None, None, None, "", str(e)))
        return result
    result.kind = f.kind
    sheets, unknown = f.sheets()
    for name in unknown:
        result.problems.append(Problem(name, None, None, None, "", f"未知的工作表“{name}”"))
    if not sheets:
        result.problems.append(Problem(None, None, None, None, "", f"文件“{f.filename}”中没有可导入的工作表"))
        return result
    spool = _Spool(batch_size)
    try:
        _Checker(user, f, result, progress=progress, spool=spool).run(sheets)
        if result.problems:
            return result
        with transaction.atomic(), bulkwrite.big_cache():
            _Writer(user, f, result, spool, progress).run(sheets)
        bulkwrite.refresh_statistics(sum(result.counts.values()))
    except WriteConflict as e:
        result.counts.clear()
        result.problems.append(e.problem)
    except IntegrityError as e:
        result.counts.clear()
        result.problems.append(Problem(None, None, None, None, "", f"{CHANGED_MEANWHILE}：{constraints.explain(e)}"))
    finally:
        spool.close()
        f.close_all()
    return result
