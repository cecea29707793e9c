"""Relocation sites (易地扶贫搬迁集中安置点, 湖南十条 六): the county's ledger of sites and relocated households (errors by
sheet, row and column, nothing written), the site's follow-up page per household in the reader's area with its totals
and Excel, and the check that a relocated household with a laborer has one at work."""
import datetime as dt
import io

import openpyxl
import pytest

from conftest import SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.exchange import workbooks
from fangpin.ledgers.importer import import_file
from fangpin.monitoring.ledger import RELOCATION as LEDGER
from fangpin.monitoring.measures import relocated_employed
from fangpin.monitoring.models import RelocatedHousehold, RelocationSite
from fangpin.registry.models import Employment, Member

pytestmark = pytest.mark.django_db

SITE = {"code": "平鲁区-安置点-01", "division_code": SHUANGNIAN_CUN, "name": "双碾村集中安置点",
        "completed_on": "2018-06-30", "capacity": 60}


def _xlsx(tmp_path, sheets, name="relocation.xlsx"):
    path = tmp_path / name
    workbooks.write_document(path, sheets, catalog=LEDGER.catalog)
    return path


def _moved(households, *numbers, on="2019-03-01"):
    return [{"site_code": SITE["code"], "household_number": n, "relocated_on": on, "moved_from": WUJIAYAO}
            for n in numbers]


def _work(member, year):
    Employment.objects.create(member=member, year=year, place="in_county", start_date=dt.date(year, 3, 1),
                              months=6, monthly_wage=300000)


def test_the_county_imports_sites_and_relocated_households(world, households, tmp_path):
    doc = {"relocation_sites": [SITE],
           "relocation_households": _moved(households, households["shuangnian"].number, households["wujiayao"].number)}
    result = import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, doc))
    assert result.ok, result.problems
    site = RelocationSite.objects.get()
    assert (site.place_id, site.completed_on, site.capacity) == (SHUANGNIAN_CUN, dt.date(2018, 6, 30), 60)
    got = {(r.household.number, r.relocated_on, r.moved_from_id) for r in RelocatedHousehold.objects.all()}
    assert got == {(households["shuangnian"].number, dt.date(2019, 3, 1), WUJIAYAO),
                   (households["wujiayao"].number, dt.date(2019, 3, 1), WUJIAYAO)}
    assert site.history.first().history_user == world.county
    # A household moves to one site only: a second import updates its row by the household number
    doc["relocation_households"] = _moved(households, households["shuangnian"].number, on="2019-04-01")
    assert import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, doc, "again.xlsx")).ok
    assert RelocatedHousehold.objects.get(household=households["shuangnian"]).relocated_on == dt.date(2019, 4, 1)


def test_bad_rows_name_sheet_row_and_column_and_nothing_is_written(world, households, tmp_path):
    tomorrow = str(dt.date.today() + dt.timedelta(days=1))
    doc = {"relocation_sites": [{**SITE, "division_code": "140603000000", "completed_on": tomorrow}],
           "relocation_households": [
               *_moved(households, households["longxian"].number),  # 陇县's: outside the area
               {"site_code": "没有的安置点", "household_number": households["shuangnian"].number,
                "relocated_on": "2019-03-01"},
               {"site_code": SITE["code"], "household_number": households["wujiayao"].number,
                "relocated_on": tomorrow, "moved_from": "140603203000"},
           ]}
    result = import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, doc))
    assert not result.ok
    found = {(p.sheet, p.row, p.letter) for p in result.problems}
    messages = " ".join(p.message for p in result.problems)
    assert ("安置点", 2, "B") in found and "应为村（社区）或乡镇（街道）" in messages
    assert ("安置点", 2, "D") in found and "“建成日期”不能晚于今天" in messages
    assert ("搬迁户", 2, "B") in found and ("搬迁户", 3, "A") in found
    assert ("搬迁户", 4, "C") in found and ("搬迁户", 4, "D") in found and "“迁出村”应为村（社区）" in messages
    assert not RelocationSite.objects.exists() and not RelocatedHousehold.objects.exists()


@pytest.fixture
def site(world, households):
    site = RelocationSite.objects.create(code=SITE["code"], place_id=SHUANGNIAN_CUN, name=SITE["name"])
    busy = make_household(SHUANGNIAN_CUN, "1406032032000301", members=2, head_name="周红")
    idle = make_household(SHUANGNIAN_CUN, "1406032032000302", members=1, head_name="吴平")
    old = make_household(SHUANGNIAN_CUN, "1406032032000303", members=1, head_name="郑老")
    Member.objects.filter(household=old).update(labor_capacity="none")
    _work(busy.members.first(), dt.date.today().year)
    _work(idle.members.first(), dt.date.today().year - 1)  # last year's work does not count this year
    for h in (busy, idle, old, households["wujiayao"]):
        RelocatedHousehold.objects.create(site=site, household=h, relocated_on=dt.date(2019, 5, 1))
    return site


def test_the_site_page_follows_up_each_household_in_the_readers_area(world, site, client):
    client.force_login(world.county)
    r = client.get(f"/monitoring/relocation/{site.pk}/")
    text = r.content.decode()
    assert r.status_code == 200 and "双碾村集中安置点后续扶持情况" in text
    # 4 households, 2 + 1 + 1 + 1 persons; laborers: 周红's 2, 吴平, 李秀英 (郑老 has none); at work: one of 周红's
    totals = text[text.index('id="relocation-totals"'):text.index("</p>", text.index('id="relocation-totals"'))]
    assert ("<strong>4</strong> 户 5 人" in totals and "劳动力 4 人" in totals and "务工就业 1 人" in totals
            and "有劳动力但无人就业的户 <strong class=\"overdue\">2</strong>" in totals)
    assert "周红" in text and "吴平" in text

    client.force_login(world.clerk2)  # 吴家窑村's clerk: the site is elsewhere, but one of its households is theirs
    text = client.get(f"/monitoring/relocation/{site.pk}/").content.decode()
    assert "李秀英" in text and "周红" not in text and "<strong>1</strong> 户" in text

    client.force_login(world.other_county)
    assert client.get(f"/monitoring/relocation/{site.pk}/").status_code == 404


def test_the_site_page_exports_what_it_shows(world, site, client):
    client.force_login(world.county)
    r = client.get(f"/monitoring/relocation/{site.pk}/?format=xlsx")
    assert r.status_code == 200
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)).active
    values = list(ws.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(values) if row[0] == "户")
    body = [row for row in values[header + 1:] if row[0]]
    assert len(body) == 4
    by_head = {row[0].split()[0]: row for row in body}
    assert by_head["周红"][5:8] == (2, 2, 1) and by_head["郑老"][6] == 0 and by_head["李秀英"][2] == "监测户"
    assert by_head["李秀英"][1] == "双碾乡吴家窑村委会"


def test_the_site_page_filters_by_division_and_work_and_sorts(world, site, client):
    client.force_login(world.county)
    url = f"/monitoring/relocation/{site.pk}/"

    def heads(query):
        text = client.get(url + query).content.decode()
        body = text[text.index("<tbody>"):text.index("</tbody>")]
        return [n for n in ("周红", "吴平", "郑老", "李秀英") if n in body], text

    assert heads("?work=idle")[0] == ["吴平", "李秀英"]
    assert heads("?work=no_labor")[0] == ["郑老"]
    names, text = heads(f"?village={WUJIAYAO}")
    assert names == ["李秀英"] and "<strong>1</strong> 户" in text
    body = client.get(url + "?sort=-employed").content.decode()
    assert body.index("周红") < min(body.index("吴平", body.index("<tbody>")), body.index("李秀英", body.index("<tbody>")))
    r = client.get(url + "?work=idle&format=xlsx")
    ws = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)).active
    cells = [row[0] for row in ws.iter_rows(values_only=True) if row[0]]
    assert any("就业情况：有劳动力但无人就业" in str(c) for c in cells)
    assert sum(1 for c in cells if str(c).split()[0] in ("吴平", "李秀英")) == 2


def test_a_relocated_household_with_a_laborer_needs_one_at_work_in_the_year(world, site):
    year = dt.date.today().year
    got = {s.label.split("户")[-1]: ratio_on(s.due).numerator
           for s, ratio_on in relocated_employed("140603203000", year, dt.date(year, 12, 31))}
    # 郑老 has no laborer: not judged; 吴平 worked last year only
    assert got == {"1406032032000301": 1, "1406032032000302": 0, "1406032032030001": 0}
    # moved in after the day judged: not yet followed up
    RelocatedHousehold.objects.filter(household__number="1406032032000302").update(relocated_on=dt.date(year, 12, 31))
    assert len(list(relocated_employed("140603203000", year - 1, dt.date(year - 1, 12, 31)))) == 2
    assert list(relocated_employed("610327000000", year, dt.date(year, 12, 31))) == []


def test_a_county_relocates_its_households_to_its_own_sites_only(world, households, tmp_path):
    """A 平鲁区 household pointed at 陇县's site is refused (naming the row and column) and nothing is written: else
    陇县's site would show in 平鲁区's pages and the household in nobody's who keeps the site."""
    other = RelocationSite.objects.create(code="陇县-安置点-01", place_id=world.longxian_village, name="陇县安置点")
    doc = {"relocation_households": [{"site_code": other.code, "household_number": households["shuangnian"].number,
                                      "relocated_on": "2019-03-01"}]}
    result = import_file(user=world.county, ledger=LEDGER, path=_xlsx(tmp_path, doc))
    assert not result.ok
    assert {(p.sheet, p.row, p.letter) for p in result.problems} == {("搬迁户", 2, "A")}
    assert "管辖范围" in " ".join(p.message for p in result.problems)
    assert not RelocatedHousehold.objects.exists()


def test_the_year_is_the_latest_with_work_recorded_unless_asked(world, site, client):
    from fangpin.monitoring import selectors

    this_year = dt.date.today().year
    assert selectors.relocation_year(site=site) == this_year  # 周红 works this year
    Employment.objects.filter(year=this_year).update(year=this_year - 1)
    assert selectors.relocation_year(site=site) == this_year - 1
    client.force_login(world.county)
    text = client.get(f"/monitoring/relocation/{site.pk}/").content.decode()
    assert f"{this_year - 1}年（查询范围内）" in text and "务工就业 2 人" in text  # 周红's and 吴平's
    text = client.get(f"/monitoring/relocation/{site.pk}/?year={this_year}").content.decode()
    assert f"{this_year}年（查询范围内）" in text and "务工就业 0 人" in text


def test_the_households_page_carries_its_site_and_date(world, site, client):
    client.force_login(world.clerk)
    h = RelocatedHousehold.objects.get(household__number="1406032032000301").household
    text = client.get(f"/households/{h.pk}/monitoring/").content.decode()
    part = text[text.index('id="household-relocation"'):]
    assert "2019-05-01搬迁入住" in part and f'/monitoring/relocation/{site.pk}/' in part and "双碾村集中安置点" in part

