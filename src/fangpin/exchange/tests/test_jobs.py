"""Imports from the page run as background jobs: the job's page shows progress, then the result; a job is its
importer's own."""

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.test import Client

from conftest import new_id
from fangpin.exchange import importer
from fangpin.exchange.models import ImportJob
from fangpin.registry.models import Household

from .helpers import household, member, workbook


def upload(client, path):
    with open(path, "rb") as fh:
        return client.post("/import/", {"file": fh})


def test_a_page_import_runs_as_a_job_and_shows_its_result(world, tmp_path):
    c = Client()
    c.force_login(world.clerk)
    r = upload(c, workbook(tmp_path / "花名册.xlsx", {"households": [household("J1")], "members": [member("J1", new_id())]}))
    job = ImportJob.objects.get()
    assert r.status_code == 302 and r.url == f"/import/jobs/{job.pk}/"
    assert (job.status, job.counts) == ("done", {"户": 1, "家庭成员": 1}) and Household.objects.filter(number="J1").exists()
    page = c.get(r.url).content.decode()
    assert "导入成功：花名册.xlsx" in page and 'http-equiv="refresh"' not in page
    assert not (settings.VAR_DIR / "imports" / job.stored_name).exists()  # the upload is not kept
    assert "花名册.xlsx" in c.get("/import/").content.decode()  # listed under 最近的导入


def test_a_refused_import_lists_the_errors_and_offers_the_report(world, tmp_path):
    c = Client()
    c.force_login(world.clerk)
    r = upload(c, workbook(tmp_path / "bad.xlsx", {"households": [household("J2", village="140603203999")],
                                                   "members": [member("J2", new_id())]}))
    job = ImportJob.objects.get()
    assert job.status == "refused" and job.problem_count == 1 and not Household.objects.exists()
    page = c.get(r.url).content.decode()
    assert "未导入：bad.xlsx 共有 1 处错误" in page and "140603203999" in page
    report = c.get(f"/import/jobs/{job.pk}/report.xlsx")
    assert report.status_code == 200 and b"".join(report.streaming_content).startswith(b"PK")
    other = Client()
    other.force_login(world.county)  # a wider area, but not the importer: the file's rows stay the importer's
    assert other.get(r.url).status_code == 404 and other.get(f"/import/jobs/{job.pk}/report.xlsx").status_code == 404


def test_progress_is_reported_while_checking_and_writing(world, tmp_path):
    rows = [household(f"P{i}") for i in range(1200)]
    people = [member(f"P{i}", new_id()) for i in range(1200)]
    seen = []
    result = importer.import_file(user=world.county, path=workbook(tmp_path / "p.xlsx", {"households": rows,
                                                                                        "members": people}),
                                  batch_size=500, progress=lambda phase, n: seen.append((phase, n)))
    assert result.ok
    assert ("checking", 1000) in seen and ("checking", 2000) in seen
    writing = [n for phase, n in seen if phase == "writing"]
    assert writing == sorted(writing) and writing[-1] == 2400 and len(writing) == 6


@pytest.mark.parametrize("fields", [{"status": "finished"}, {"status": "done"}])  # unknown; finished without a time
def test_the_database_refuses_impossible_jobs(world, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        ImportJob.objects.create(user=world.clerk, filename="x.xlsx", stored_name="x.xlsx", **fields)
