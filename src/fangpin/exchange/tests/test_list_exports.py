"""Large lists are exported by background jobs: above the threshold 导出 Excel queues a job, the job writes exactly
what the page shows (its filters, its order, its columns) for the user as they are when it runs, the file is its
user's own, the job keeps its progress, and a failure is told in Chinese."""
import datetime as dt
import io

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from conftest import SHUANGNIAN, SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.exchange import list_exports
from fangpin.exchange.models import ExportJob
from fangpin.lib import listing
from fangpin.web import lists


@pytest.fixture(autouse=True)
def _var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def rows_of(data: bytes) -> list[list]:
    return [list(r) for r in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


def download(client, job) -> list[list]:
    r = client.get(f"/exports/{job.pk}.xlsx")
    assert r.status_code == 200, r.status_code
    return rows_of(b"".join(r.streaming_content))


def in_request(client, path, query) -> list[list]:
    r = client.get(path, {**query, "format": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats"), r.status_code
    return rows_of(b"".join(r.streaming_content))


def more_households():
    make_household(SHUANGNIAN_CUN, "1406032032000002", head_name="赵一")
    make_household(SHUANGNIAN_CUN, "1406032032000003", category="monitored", monitor_type="marginal", head_name="钱二")


def test_above_the_threshold_the_export_is_queued_and_below_it_downloads(world, households, monkeypatch):
    more_households()
    c = client_for(world.county)
    monkeypatch.setattr(listing, "BACKGROUND_ABOVE", 5)  # 平鲁区 has five households
    assert c.get("/households/", {"format": "xlsx"}).status_code == 200 and not ExportJob.objects.exists()
    monkeypatch.setattr(listing, "BACKGROUND_ABOVE", 4)
    r = c.get("/households/", {"format": "xlsx", "sort": "-number"}, follow=True)
    job = ExportJob.objects.get()
    assert r.redirect_chain == [("/exports/", 302)]
    page = r.content.decode()
    assert "符合条件的共 5 行，已在后台生成，完成后可在“导出文件”页下载" in page
    assert (job.user, job.list_key, job.params, job.status) == (world.county, "households", {"sort": "-number"}, "done")
    assert (job.rows_done, job.rows_total) == (5, 5) and job.finished_at is not None
    assert f"/exports/{job.pk}.xlsx" in page and "/households/?sort=-number" in page  # the file, and the list it came from


def test_more_than_a_job_may_write_is_refused(world, households, monkeypatch):
    monkeypatch.setattr(listing, "BACKGROUND_ABOVE", 1)
    monkeypatch.setattr(listing, "JOB_MAX", 2)
    r = client_for(world.county).get("/households/", {"category": "", "format": "xlsx"}, follow=True)
    assert not ExportJob.objects.exists()
    assert r.redirect_chain[-1][0].startswith("/households/") and "format" not in r.redirect_chain[-1][0]
    assert "符合条件的共 3 行，超过导出上限 2 行，请按乡镇、村或其他条件缩小范围后再导出" in r.content.decode()


@pytest.mark.parametrize("path,query", [
    ("/households/", {"township": SHUANGNIAN, "sort": "-number"}),
    ("/households/", {"category": "lifted"}),
    ("/monitoring/warnings/", {"status": "open", "sort": "-deadline"}),
    ("/monitoring/measures/", {"sort": "start"}),
])
def test_the_job_writes_what_the_page_shows(world, households, monkeypatch, path, query):
    from fangpin.monitoring import assistance
    from fangpin.monitoring.models import Warning

    more_households()
    for h, deadline in ((households["shuangnian"], "2026-12-20"), (households["wujiayao"], "2026-12-10"),
                        (households["other_township"], "2026-12-15")):
        Warning.objects.create(household=h, rule="medical", label="大额医疗支出", period="2025", risk="medical",
                               reason="住院自付", source_count=1, deadline=dt.date.fromisoformat(deadline))
        assistance.add_measure(world.county, h, kind="industry", description=f"措施{deadline}",
                               start=dt.date.fromisoformat(deadline) - dt.timedelta(days=300))
    c = client_for(world.county)
    expected = in_request(c, path, query)  # below the threshold: the file made while the user waits
    monkeypatch.setattr(listing, "BACKGROUND_ABOVE", 0)
    c.get(path, {**query, "format": "xlsx"})
    job = ExportJob.objects.get()
    got = download(c, job)
    assert len(got) > 6 and got[:2] == expected[:2] and got[3:] == expected[3:]  # all but the export time
    assert ("；".join(job.filters) or "全部") == got[1][0]


def test_the_job_reads_the_users_area_whatever_the_parameters_say(world, households, monkeypatch):
    monkeypatch.setattr(listing, "BACKGROUND_ABOVE", 0)
    c = client_for(world.clerk)
    for query in ({"village": WUJIAYAO}, {"township": SHUANGNIAN, "village": WUJIAYAO}, {"village": "140603201201"}):
        c.get("/households/", {**query, "format": "xlsx"})
    jobs = list(ExportJob.objects.order_by("pk"))
    assert len(jobs) == 3 and {j.status for j in jobs} == {"done"}
    for job in jobs:
        assert [r[0] for r in download(c, job)[5:]] == [households["shuangnian"].number]


def test_the_scope_is_the_users_when_the_job_runs(world, households):
    job = ExportJob.objects.create(user=world.clerk, list_key="households", title="户籍信息", params={})
    world.clerk.org_unit_id = WUJIAYAO  # moved to another village before the worker took the job
    world.clerk.save()
    list_exports.execute(job.pk)
    job.refresh_from_db()
    assert job.status == "done"
    assert [r[0] for r in download(client_for(world.clerk), job)[5:]] == [households["wujiayao"].number]


def test_a_user_who_lost_the_right_gets_a_failed_job_with_a_chinese_reason(world, households):
    job = ExportJob.objects.create(user=world.clerk, list_key="warnings", title="预警清单", params={})
    world.clerk.role = "department_officer"
    world.clerk.save()
    list_exports.execute(job.pk)
    job.refresh_from_db()
    assert (job.status, job.error, job.stored_name) == ("failed", "导出失败：您的角色无权进行此操作", "")
    assert job.finished_at is not None
    list_exports.execute(job.pk)  # a finished job is not run again
    assert ExportJob.objects.get(pk=job.pk).finished_at == job.finished_at


def test_only_its_user_downloads_the_file(world, households, monkeypatch):
    monkeypatch.setattr(listing, "BACKGROUND_ABOVE", 0)
    clerk = client_for(world.clerk)
    clerk.get("/households/", {"format": "xlsx"})
    job = ExportJob.objects.get()
    assert download(clerk, job)[0][0] == "户籍信息"
    for other in (world.clerk2, world.township, world.county):  # a wider area is not enough: the file is its user's
        c = client_for(other)
        assert c.get(f"/exports/{job.pk}.xlsx").status_code == 404
        assert f"/exports/{job.pk}.xlsx" not in c.get("/exports/").content.decode()


def test_progress_is_kept_on_the_job_while_it_writes(world, households, monkeypatch):
    more_households()
    monkeypatch.setattr(lists, "CHUNK", 2)  # heads named, and progress kept, every two rows
    seen = []
    original = list_exports._progress

    def progress(pk, rows):
        original(pk, rows)
        job = ExportJob.objects.get(pk=pk)
        seen.append((job.status, job.rows_done, job.rows_total, job.percent))

    monkeypatch.setattr(list_exports, "_progress", progress)
    job = ExportJob.objects.create(user=world.county, list_key="households", title="户籍信息", params={})
    list_exports.execute(job.pk)
    assert seen == [("running", 2, 5, 40), ("running", 4, 5, 80)]
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.rows_total, job.percent) == ("done", 5, 5, 100)


def test_a_failure_is_recorded_in_chinese_and_leaves_no_file(world, households, monkeypatch, tmp_path):
    monkeypatch.setattr(listing, "BACKGROUND_ABOVE", 0)

    def broken(self, path, **kwargs):
        path.write_bytes(b"half a file")
        raise RuntimeError("disk full")

    monkeypatch.setattr(lists.Selection, "write", broken)
    c = client_for(world.county)
    c.get("/households/", {"format": "xlsx"})
    job = ExportJob.objects.get()
    assert job.status == "failed" and job.error == list_exports.FAILED and job.finished_at is not None
    assert "导出失败" in job.error and "disk" not in job.error
    assert list((tmp_path / "exports").iterdir()) == []
    assert list_exports.FAILED in c.get("/exports/").content.decode()
    assert c.get(f"/exports/{job.pk}.xlsx").status_code == 404


def test_the_same_export_is_not_queued_twice(world, households, monkeypatch):
    monkeypatch.setattr(listing, "BACKGROUND_ABOVE", 0)
    ExportJob.objects.create(user=world.county, list_key="households", title="户籍信息", params={"sort": "number"})
    r = client_for(world.county).get("/households/", {"sort": "number", "page": "2", "format": "xlsx"}, follow=True)
    assert ExportJob.objects.count() == 1 and "同样条件的导出已在后台生成中" in r.content.decode()
    client_for(world.county).get("/households/", {"sort": "-number", "format": "xlsx"})
    assert ExportJob.objects.count() == 2
    # a job under way for more than an hour may have lost its worker: the same query is queued again
    ExportJob.objects.filter(status="queued").update(created_at=timezone.now() - list_exports.SAME_WITHIN)
    client_for(world.county).get("/households/", {"sort": "number", "format": "xlsx"})
    assert ExportJob.objects.count() == 3


def test_old_exports_are_pruned_on_the_next_submission(world, households, monkeypatch, tmp_path):
    monkeypatch.setattr(listing, "BACKGROUND_ABOVE", 0)
    c = client_for(world.clerk)
    c.get("/households/", {"format": "xlsx"})
    old = ExportJob.objects.get()
    assert (tmp_path / "exports" / old.stored_name).exists()
    ExportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=list_exports.KEEP_DAYS, hours=1))
    c.get("/households/", {"sort": "-number", "format": "xlsx"})
    new = ExportJob.objects.get()
    assert new.pk != old.pk and not (tmp_path / "exports" / old.stored_name).exists()
    assert (tmp_path / "exports" / new.stored_name).exists()


def test_a_large_export_goes_on_to_a_second_sheet(world, households, monkeypatch):
    more_households()
    monkeypatch.setattr(listing, "BACKGROUND_ABOVE", 0)
    monkeypatch.setattr(listing, "SHEET_ROWS", 3)
    c = client_for(world.county)
    c.get("/households/", {"format": "xlsx"})
    r = c.get(f"/exports/{ExportJob.objects.get().pk}.xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert wb.sheetnames == ["户籍信息", "户籍信息（2）"]
    assert [ws.max_row - 5 for ws in wb.worksheets] == [3, 2]


def test_junk_parameters_do_not_make_a_new_job_and_a_user_has_two_at_most(world, households, monkeypatch):
    from fangpin.exchange import list_exports
    from fangpin.exchange.models import ExportJob

    class Stay:  # the jobs stay queued
        @staticmethod
        def enqueue(pk):
            return None

    monkeypatch.setattr(list_exports, "run_list_export", Stay)
    first, new = list_exports.submit(user=world.county, key="households", title="户籍信息", query={"junk": "1"},
                                     filters=[], keys={"q", "category", "sort"})
    again, new_again = list_exports.submit(user=world.county, key="households", title="户籍信息",
                                           query={"junk": "2"}, filters=[], keys={"q", "category", "sort"})
    assert new and not new_again and again.pk == first.pk
    list_exports.submit(user=world.county, key="households", title="户籍信息", query={"category": "lifted"},
                        filters=[], keys={"q", "category", "sort"})
    with pytest.raises(list_exports.Busy):
        list_exports.submit(user=world.county, key="warnings", title="预警清单", query={}, filters=[], keys={"sort"})
    assert ExportJob.objects.filter(user=world.county).count() == 2
