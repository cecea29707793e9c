"""Every page a demo role can reach by following links shows people and places by name and every stored code by its
Chinese label: no choice value, parameter key, workflow action or bare division code as page text (issue 11).

The crawl starts at the overview and a few searches, follows the links each page shows (downloads, the API and logout
aside), and visits at most a few pages of each kind; it runs on the small demo with cases at every stage."""
from __future__ import annotations

import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.db import models
from django.test import Client
from django.urls import Resolver404, resolve

PER_KIND = 3  # pages of one URL name per role (another household, another case ...)
SKIP = ("/accounts/logout/", "/api/", "/static/")
DOWNLOADS = (".xlsx", ".pdf", ".json", ".csv")


def choice_classes():
    from fangpin.accounts import models as accounts
    from fangpin.exchange import models as exchange
    from fangpin.monitoring import models as monitoring
    from fangpin.orgunits import models as orgunits
    from fangpin.registry import choices

    found = []
    for module in (accounts, exchange, monitoring, orgunits, choices):
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, models.Choices) and obj.__module__ == module.__name__:
                found.append(obj)
            if isinstance(obj, type) and issubclass(obj, models.Model):
                found += [v for v in vars(obj).values() if isinstance(v, type) and issubclass(v, models.Choices)]
    return found


def known_codes() -> set[str]:
    from fangpin.monitoring.workflow import ACTIONS
    from fangpin.policies.catalog import load_catalog

    codes = {str(v) for cls in choice_classes() for v in cls.values}
    codes |= set(ACTIONS)
    for doc in load_catalog().values():
        codes |= set(doc.parameters) | {b.id for b in doc.benefits}
    return {c for c in codes if re.search(r"[A-Za-z]", c) and len(c) >= 3}


def division_codes() -> set[str]:
    """Every unit's code as a page might print it: the full 12 digits or the prefix of its level (1409, 140603 ...)."""
    from fangpin.lib import divisions
    from fangpin.orgunits.models import OrgUnit

    out = set()
    for code, level in OrgUnit.objects.values_list("code", "level"):
        out.add(code)
        prefix = divisions.prefix(code, level)
        if len(prefix) >= 4:
            out.add(prefix)
    return out


class _Text(HTMLParser):
    # a cell or block ends a word: "21:43" in one cell and "1221.49" in the next are not a code "431221"
    BREAKS = {"td", "th", "tr", "li", "p", "div", "br", "dd", "dt", "h1", "h2", "h3", "option", "label"}

    def __init__(self):
        super().__init__()
        self.parts, self.links, self._hidden = [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.BREAKS:
            self.parts.append(" ")
        if tag in ("script", "style"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag):
        if tag in self.BREAKS:
            self.parts.append(" ")
        if tag in ("script", "style"):
            self._hidden -= 1

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def problems_in(text: str, codes: set[str], divisions_: set[str]) -> list[str]:
    found = []

    def where(m) -> str:  # the words around a find, for the report (not compared)
        return " ".join(text[max(0, m.start() - 12):m.end() + 12].split())

    for m in re.finditer(r"[A-Za-z][A-Za-z0-9_]*", text):
        if m[0] in codes or "_" in m[0]:
            found.append((f"代码“{m[0]}”", where(m)))
    for m in re.finditer(r"->", text):
        found.append(("箭头“->”（状态代码）", where(m)))
    for m in re.finditer(r"(?<![\d*])(\d{4}|\d{6}|\d{9}|\d{12})(?![\d*])", text):
        if m[0] in divisions_:
            found.append((f"区划代码“{m[0]}”", where(m)))
    for m in re.finditer(r"文件\d+第\d+行", text):
        found.append(("预警来源写成“文件N第M行”", where(m)))
    return found


def crawl(client: Client, starts: list[str]) -> dict[str, str]:
    """path -> page text, for every page reached (at most PER_KIND of each URL name)."""
    pages, per_kind, queue, seen = {}, {}, deque(starts), set()
    while queue:
        url = queue.popleft()
        parts = urlsplit(url)
        if parts.netloc or url in seen or parts.path.startswith(SKIP) or parts.path.endswith(DOWNLOADS):
            continue
        if "format=" in parts.query or "export=" in parts.query or "page=" in parts.query:  # downloads, more pages
            continue
        seen.add(url)
        try:
            name = resolve(parts.path).url_name
        except Resolver404:
            continue
        if per_kind.get(name, 0) >= PER_KIND:
            continue
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        per_kind[name] = per_kind.get(name, 0) + 1
        parser = _Text()
        parser.feed(response.content.decode())
        pages[url] = "".join(parser.parts)
        for href in parser.links:
            if href.startswith("?"):
                href = parts.path + href
            if href.startswith("/"):
                queue.append(href.split("#")[0])
    return pages


@pytest.fixture(scope="module")
def small_demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The small demo, made once for the module's tests (each runs in a transaction rolled back at its end)."""
    from django.core.management import call_command
    from django.test.utils import override_settings

    from conftest import kept
    from fangpin.demo import setup

    with pytest.MonkeyPatch.context() as monkeypatch, override_settings(FEEDS_DIR=tmp_path_factory.mktemp("feeds")):
        monkeypatch.setattr(setup, "DEMO_SIZES", {setup.PINGLU: 300, setup.LONGXIAN: 20})
        yield from kept(django_db_blocker, lambda: call_command("demo_setup", "--quiet-accounts"))


@pytest.fixture
def demo(db, small_demo):
    pass


def test_no_page_shows_a_stored_code(demo, settings, tmp_path):
    from fangpin.accounts import access
    from fangpin.accounts.models import User
    from fangpin.demo.setup import ACCOUNTS
    from fangpin.exchange import list_exports
    from fangpin.registry.models import Household
    from fangpin.web import lists

    settings.VAR_DIR = tmp_path

    codes, divisions_ = known_codes(), division_codes()
    assert {"sudden_hardship", "appraise", "transport_cross_province", "village"} <= codes  # the list is not empty
    report, visited = [], 0
    for account in ACCOUNTS:
        user = User.objects.get(username=account.username)
        client = Client()
        client.force_login(user)
        if access.can(user, "registry.read"):  # a background export on the 导出文件 page (the job runs at once here)
            query = {"category": "lifted", "sort": "-number"}
            list_exports.submit(user=user, key="households", title="户籍信息", query=query,
                                filters=lists.select(lists.HOUSEHOLDS, user, query).filters)
        # and the benefit panels on a date the documents are in force (their explanations are page text too)
        dated = [f"/households/{pk}/?as_of=2025-06-30" for pk in Household.objects.filter(
            category="lifted", village__code__startswith=account.org_unit[:6]).order_by("pk").values_list("pk", flat=True)[:3]]
        pages = crawl(client, ["/", "/households/", "/monitoring/", "/policies/", "/monitoring/income/",
                               "/monitoring/feeds/", "/enterprises/", "/import/", "/monitoring/cadres/", "/exports/",
                               "/policies/roster/?as_of=2025-06-30",
                               "/policies/sn2022-67/simulate/?key=transport_cross_province&value=2000&as_of=2025-06-30",
                               *dated])
        visited += len(pages)
        if access.can(user, "registry.read"):
            assert "户类别：脱贫户" in pages["/exports/"], account.username  # the job's row was checked too
        for url, text in pages.items():
            for problem, context in problems_in(text, codes, divisions_):
                report.append(f"{account.username} {url}: {problem} 〔{context}〕")
    assert visited > 40, visited
    assert not report, "\n".join(sorted(set(report)))


def test_the_check_sees_what_it_should():
    codes = {"sudden_hardship", "village"}
    divisions_ = {"1409", "140603203"}
    def found(text):
        return sorted(p for p, _ in problems_in(text, codes, divisions_))

    assert found("拟纳入类型 sudden_hardship") == ["代码“sudden_hardship”"]
    assert found("village -> notice") == ["代码“village”", "箭头“->”（状态代码）"]
    assert found("适用区域 1409、140603203") == ["区划代码“140603203”", "区划代码“1409”"]
    assert found("户编号 1406032032000001 与 2025 年，身份证号 1406**************") == []
    assert found("来源：文件10第2行") == ["预警来源写成“文件N第M行”"]
    assert found("双碾村 · 村级 · cunji") == []


def test_households_are_named_by_their_head(demo):
    """The workbench, a case and a warning name the household's head beside its number; its pages carry the name."""
    from fangpin.accounts.models import User
    from fangpin.monitoring.models import Case
    from fangpin.registry.models import Member

    client = Client()
    client.force_login(User.objects.get(username="xiangzhen"))
    case = Case.objects.get(state="township")
    head = Member.objects.get(household=case.household, relation="head").name
    workbench = client.get("/monitoring/").content.decode()
    assert f"{head} <span class=\"muted\">{case.household.number}" in workbench
    page = client.get(f"/monitoring/cases/{case.pk}/").content.decode()
    assert f"{head}户</a>" in page
    title = client.get(f"/households/{case.household.pk}/").content.decode().split("<title>")[1].split("</title>")[0]
    assert title.startswith(f"{head}户 {case.household.number}")


def test_a_measures_update_row_shows_its_current_status(demo):
    from fangpin.accounts.models import User
    from fangpin.monitoring.models import Measure

    measure = Measure.objects.get(kind="employment", benefit="sn2022-67:transport_subsidy")
    client = Client()
    client.force_login(User.objects.get(username="xianju"))
    page = client.get(f"/households/{measure.household_id}/monitoring/").content.decode()
    row = page.split(f'name="measure" value="{measure.pk}"')[1].split("</form>")[0]
    assert '<option value="in_progress" selected>实施中</option>' in row and "selected" not in row.replace(
        '<option value="in_progress" selected>', "")
    assert "务工就业交通补贴（双发〔2022〕67号第10条）" in page


def test_a_screening_runs_unmatched_rows_export_whole(demo):
    """Every unmatched row, named by department and file, ID numbers as the county bureau sees them."""
    import io

    import openpyxl

    from fangpin.accounts.models import User
    from fangpin.monitoring.models import MatchProblem, ScreeningRun

    run = ScreeningRun.objects.get()
    client = Client()
    client.force_login(User.objects.get(username="xianju"))
    r = client.get(f"/monitoring/runs/{run.pk}/", {"format": "xlsx"})
    rows = [list(x) for x in openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True)]
    assert rows[0][0] == "比对未匹配的行" and rows[4][:4] == ["部门数据", "文件", "行", "比对结果"]
    assert len(rows) - 5 == MatchProblem.objects.filter(run=run).count() > 0
    assert all(isinstance(x[2], int) and x[3] in ("身份证号无效", "姓名与户籍不符", "户籍库中无此人") for x in rows[5:]), rows[5]


EXCEL_LISTS = ["/households/", "/monitoring/warnings/", "/monitoring/cases/", "/monitoring/measures/",
               "/monitoring/cadres/", "/monitoring/income/households/", "/monitoring/income/",
               "/policies/roster/?as_of=2025-06-30", "/ledgers/employment/?year=2025"]


@pytest.mark.parametrize("username", ["cunji", "xianju", "lingdao"])
def test_no_excel_file_of_a_list_shows_a_stored_code(demo, username):
    """The Excel files hold what the pages show: labels and names, never the stored codes."""
    import io

    import openpyxl

    from fangpin.accounts.models import User

    codes, divisions_ = known_codes(), division_codes()
    client = Client()
    client.force_login(User.objects.get(username=username))
    report, cells = [], 0
    for url in EXCEL_LISTS:
        r = client.get(url + ("&" if "?" in url else "?") + "format=xlsx")
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml"), (url, r.status_code)
        wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, str):
                        cells += 1
                        report += [f"{url}: {p} 〔{c}〕" for p, c in problems_in(value, codes, divisions_)]
    assert cells > 100, cells
    assert not report, "\n".join(sorted(set(report)))


def test_pages_name_people_not_login_names(demo):
    """The header, a case's record and a household's change record name the demo's people, not their accounts."""
    from fangpin.accounts.models import User
    from fangpin.monitoring.models import Case

    client = Client()
    client.force_login(User.objects.get(username="xiangzhen"))
    case = Case.objects.get(state="township")
    page = client.get(f"/monitoring/cases/{case.pk}/").content.decode()
    records = page.split('id="transitions"')[1].split("</table>")[0]
    assert "王秀兰" in records and "cunji" not in records
    assert "李建华" in page.split("<header")[1].split("</header>")[0]


def test_every_ledger_shows_figures_in_the_demo(demo):
    """The demo's ledgers: each sheet of each ledger has rows for 平鲁区 and 陇县, and 平鲁区's ledger page judges its
    checks on them."""
    from fangpin.accounts.models import User
    from fangpin.ledgers.catalog import LEDGERS

    for username in ("xianju", "longxian"):
        client = Client()
        client.force_login(User.objects.get(username=username))
        for ledger in LEDGERS.values():
            for b in ledger.bindings:
                page = client.get(f"/ledgers/{ledger.key}/{b.sheet.key}/").content.decode()
                assert "没有符合条件的记录" not in page, (username, b.sheet.title)
    from fangpin.ledgers.checks import checks_of

    def reach(ledger, prefix):
        return any(r.startswith(prefix) or prefix.startswith(r) for c in checks_of(ledger.key) for r in c.regions)

    for ledger in LEDGERS.values():
        # 平鲁区's page, or 陇县's for a ledger whose seeds do not reach 山西 (the disasters ledger: 湖南 and 陇县); a
        # ledger whose seeds reach neither (relocation: 湖南 only) lists its checks as not applying here
        shanxi, shaanxi = reach(ledger, "14"), reach(ledger, "61")
        client = Client()
        client.force_login(User.objects.get(username="xianju" if shanxi or not shaanxi else "longxian"))
        page = client.get(f"/ledgers/{ledger.key}/").content.decode()
        if shanxi or shaanxi:
            assert "本区域没有适用的检查项" not in page and ("达标" in page or "未到期" in page), ledger.key
        else:
            assert "本区域没有适用的检查项" in page and checks_of(ledger.key)[0].label in page, ledger.key
