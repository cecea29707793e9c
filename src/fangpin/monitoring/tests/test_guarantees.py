"""两不愁三保障和饮水安全 (湖南十条 五, 动态清零): the departments' newest rows open and clear problems, the village records
its own with the measure and the day cleared, a household or unit with none open is 清零, and the list and its Excel."""
import datetime as dt

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from conftest import SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.monitoring import guarantees, screening
from fangpin.monitoring.models import GuaranteeProblem

pytestmark = pytest.mark.django_db


def _rows(items):
    """items: (feed, household, date, code): the head of the household as the department's row."""
    out = []
    for i, (feed, h, day, code) in enumerate(items):
        head = h.members.get(relation="head")
        out.append({"feed": feed, "upload_id": 1, "row": i + 2, "id_number": head.id_number, "name": head.name,
                    "date": dt.date.fromisoformat(day), "code": code, "amount": None})
    return pl.DataFrame(out, schema=screening.ROWS_SCHEMA)


def _states(items):
    from fangpin.monitoring import department

    rows = _rows(items)
    result = screening.screen(rows, department.persons_in("140603"), today=dt.date(2026, 12, 1))
    return {(r["kind"], r["household_id"]): (r["state"], str(r["date"]))
            for r in guarantees.states(rows, result.identities).iter_rows(named=True)}


def test_the_newest_row_of_each_person_or_household_decides(world, households):
    a, b = households["shuangnian"], households["wujiayao"]
    got = _states([
        ("education", a, "2026-03-01", "dropout"), ("education", a, "2026-09-01", "enrolled"),  # back at school
        ("education", b, "2026-03-01", "enrolled"), ("education", b, "2026-09-01", "dropout"),
        ("housing", a, "2026-04-01", "D"), ("housing", b, "2026-04-01", "B"),
        ("water", a, "2026-05-01", "quality"), ("water", a, "2026-06-01", "resolved"),
    ])
    assert got == {("education", a.pk): ("clear", "2026-09-01"), ("education", b.pk): ("open", "2026-09-01"),
                   ("housing", a.pk): ("open", "2026-04-01"), ("housing", b.pk): ("clear", "2026-04-01"),
                   ("water", a.pk): ("clear", "2026-06-01")}
    # 休学 neither opens nor clears; a person not in the registry never reaches a household
    assert _states([("education", a, "2026-03-01", "suspended")]) == {}


def test_apply_opens_once_and_clears_what_the_data_opened(world, households):
    a = households["shuangnian"]
    frame = pl.DataFrame([{"kind": "housing", "household_id": a.pk, "person_id": None, "state": "open",
                           "date": dt.date(2026, 4, 1), "code": "D", "upload_id": 1, "row": 2}],
                         schema=guarantees.STATES_SCHEMA)
    assert guarantees.apply(frame, user=world.county, source="部门数据（筛查比对1）") == (1, 0)
    assert guarantees.apply(frame, user=world.county, source="部门数据（筛查比对2）") == (0, 0)  # still open: once
    p = GuaranteeProblem.objects.get()
    assert (p.kind, p.description, p.found_on) == ("housing", "住建部门：D级（2026-04-01）", dt.date(2026, 4, 1))
    village = guarantees.add(world.clerk, a, kind="housing", description="院墙倒塌", found_on=dt.date(2026, 5, 1))
    clear = frame.with_columns(state=pl.lit("clear"), code=pl.lit("A"), date=pl.lit(dt.date(2026, 8, 1)))
    assert guarantees.apply(clear, user=world.county, source="部门数据（筛查比对3）") == (0, 1)
    p.refresh_from_db()
    village.refresh_from_db()
    assert p.cleared_on == dt.date(2026, 8, 1) and "A级" in p.cleared_note
    assert village.cleared_on is None  # the village's own problem waits for the village


def test_the_village_records_a_problem_and_clears_it_with_its_measure(world, households):
    h = households["shuangnian"]
    child = h.members.exclude(relation="head").first()
    with pytest.raises(PermissionDenied):
        guarantees.add(world.township, h, kind="education", description="x", found_on=dt.date(2026, 9, 1))
    with pytest.raises(PermissionDenied):
        guarantees.add(world.clerk2, h, kind="education", description="x", found_on=dt.date(2026, 9, 1))
    with pytest.raises(ValidationError) as e:
        guarantees.add(world.clerk, h, kind="food", description=" ", found_on=timezone.localdate() + dt.timedelta(1),
                       person=households["wujiayao"].members.first())
    assert set(e.value.message_dict) == {"kind", "description", "found_on", "person"}
    with pytest.raises(ValidationError, match="不能早于2020-01-01"):
        guarantees.add(world.clerk, h, kind="water", description="x", found_on=dt.date(2019, 12, 31))
    p = guarantees.add(world.clerk, h, kind="education", description="未按时返校", found_on=dt.date(2026, 9, 1),
                       person=child)
    assert [s["open"] for s in guarantees.household_status(h) if s["kind"] == "education"] == [[p]]
    with pytest.raises(ValidationError, match="措施"):
        guarantees.update(world.clerk, p, measure=" ", cleared_on=dt.date(2026, 9, 10))
    with pytest.raises(ValidationError, match="清零日期"):
        guarantees.update(world.clerk, p, measure="劝返复学", cleared_on=dt.date(2026, 8, 31))
    guarantees.update(world.clerk, p, measure="劝返复学", cleared_on=dt.date(2026, 9, 1))  # the same day: allowed
    status = {s["kind"]: s for s in guarantees.household_status(h)}
    assert not status["education"]["open"] and status["education"]["cleared"] == [p]
    assert p.history.count() == 2 and p.history.first().history_user == world.clerk


def test_units_count_households_with_an_open_problem_and_the_rest_are_cleared(world, households):
    from fangpin.orgunits.models import OrgUnit

    second = make_household(SHUANGNIAN_CUN, "1406032032000201")
    for h in (households["shuangnian"], second):
        guarantees.add(world.clerk, h, kind="water", description="水质不达标", found_on=dt.date(2026, 6, 1))
    guarantees.add(world.clerk, households["shuangnian"], kind="water", description="取水不便",
                   found_on=dt.date(2026, 6, 2))  # the same household twice: counted once
    township = OrgUnit.objects.get(code="140603203000")
    got = {r["code"]: r for r in guarantees.open_counts(world.county, township)}
    assert got[SHUANGNIAN_CUN]["water"] == 2 and WUJIAYAO not in got
    county = {r["code"]: r["water"] for r in guarantees.open_counts(world.county, OrgUnit.objects.get(code="140603000000"))}
    assert county == {"140603203000": 2}
    assert guarantees.open_counts(world.other_county, township) == []


def test_the_list_shows_open_problems_and_clear_units_and_the_household_page_records_them(world, households):
    h = households["shuangnian"]
    clerk = Client()
    clerk.force_login(world.clerk)
    r = clerk.post(f"/households/{h.pk}/monitoring/", {"action": "guarantee", "kind": "housing", "person": "",
                                                       "description": "房屋裂缝", "found_on": "2026-06-01"})
    assert r.status_code == 302
    p = GuaranteeProblem.objects.get()
    county = Client()
    county.force_login(world.county)
    page = county.get("/monitoring/guarantees/?unit=140603203000").content.decode()
    units = page.split('id="guarantee-units"')[1].split("</table>")[0]
    assert "未清零" in units and "清零" in units  # 双碾村 has one open, 吴家窑村 none
    assert "房屋裂缝" in page
    r = clerk.post(f"/households/{h.pk}/monitoring/", {"action": "guarantee_update", "problem": p.pk,
                                                       "measure": "危房改造", "cleared_on": "2026-07-01"})
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.measure, p.cleared_on) == ("危房改造", dt.date(2026, 7, 1))
    page = county.get("/monitoring/guarantees/").content.decode()
    assert "房屋裂缝" not in page.split("<tbody>")[-1]  # open ones by default
    assert "房屋裂缝" in county.get("/monitoring/guarantees/?status=cleared").content.decode()
    assert county.get("/monitoring/guarantees/?format=xlsx").status_code == 200
    township = Client()
    township.force_login(world.township)
    assert township.post(f"/households/{h.pk}/monitoring/", {"action": "guarantee", "kind": "water",
                                                             "description": "x", "found_on": "2026-06-01"}).status_code == 403


def test_the_screening_job_opens_the_problems_of_its_files(world, households, tmp_path, settings,
                                                          django_capture_on_commit_callbacks):
    from fangpin.monitoring import department

    settings.FEEDS_DIR = tmp_path / "feeds"
    head = households["shuangnian"].members.get(relation="head")
    path = tmp_path / "住建.csv"
    path.write_text(f"身份证号,姓名,鉴定日期,房屋安全等级\n{head.id_number},{head.name},2026-04-01,C级\n", encoding="utf-8")
    department.upload(world.county, "housing", path, path.name)
    with django_capture_on_commit_callbacks(execute=True):
        run = department.start_screening(world.county)
    p = GuaranteeProblem.objects.get()
    assert (p.household, p.kind, p.source) == (households["shuangnian"], "housing", f"部门数据（筛查比对{run.pk}）")
