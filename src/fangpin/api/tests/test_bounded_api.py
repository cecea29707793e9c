"""The API on hostile files: a 400 with the Chinese message naming the file and the limit (413 for an upload over the
size limit), never a 500, and nothing kept. A tripwire stands in for calamine, which must not be reached."""
import io

import pytest
from django.test import Client

from fangpin.exchange.tests.helpers import block_calamine
from fangpin.lib.tests import hostile
from fangpin.monitoring.models import FeedUpload
from fangpin.registry.models import Household

XFD = "文件“hostile.xlsx”的工作表“家庭成员”声明的范围达 XFD1048576（1,048,576 行 × 16,384 列），超过上限 256 列"


@pytest.fixture(autouse=True)
def tripwire(monkeypatch):
    block_calamine(monkeypatch)


def client(user):
    c = Client(raise_request_exception=False)
    c.force_login(user)
    return c


def named(data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return f


@pytest.fixture
def xfd(tmp_path):
    return named(hostile.xfd_workbook(tmp_path / "h.xlsx").read_bytes(), "hostile.xlsx")


def test_evaluate_refuses_the_xfd_workbook(world, xfd):
    r = client(world.leader).post("/api/policies/sn2022-67/evaluate", {"file": xfd, "as_of": "2025-06-30"})
    assert r.status_code == 400, r.content
    assert r.json() == {"detail": XFD}


@pytest.mark.parametrize("kind", ["array", "object"])
def test_evaluate_refuses_deep_json(world, kind):
    f = named(hostile.deep_json(100_000, kind=kind).encode(), "deep.json")
    r = client(world.leader).post("/api/policies/sn2022-67/evaluate", {"file": f, "as_of": "2025-06-30"})
    assert r.status_code == 400, r.content
    assert r.json() == {"detail": "文件“deep.json”的数组和对象嵌套超过上限 32 层"}


def test_simulate_and_audit_name_the_refused_file(world, xfd):
    r = client(world.county).post("/api/policies/sn2022-67/simulate", {
        "file": xfd, "as_of": "2025-06-30", "set": ["transport_cross_province=2000"]})
    assert (r.status_code, r.json()) == (400, {"detail": XFD})
    doc = named(b'{"format": "fangpin-exchange", "version": "1.0"}', "in.json")
    pay = named(hostile.deep_json(50, kind="object").encode(), "pay.json")
    r = client(world.clerk).post("/api/policies/sn2022-67/audit", {"file": doc, "payments": pay, "as_of": "2025-06-30"})
    assert (r.status_code, r.json()) == (400, {"detail": "文件“pay.json”的数组和对象嵌套超过上限 32 层"})


def test_an_upload_over_the_size_limit_is_413(world, settings):
    settings.UPLOAD_LIMITS = {"file_bytes": 1000}
    big = b'{"format": "fangpin-exchange"}' + b" " * 5000
    expected = {"detail": "文件“big.json”超过上限 1,000 字节，已停止接收，未保存"}
    r = client(world.leader).post("/api/policies/sn2022-67/evaluate", {"file": named(big, "big.json"), "as_of": "2025-06-30"})
    assert (r.status_code, r.json()) == (413, expected)
    r = client(world.clerk).post("/api/imports", {"file": named(big, "big.json")})
    assert (r.status_code, r.json()) == (413, expected)
    r = client(world.department).post("/api/monitoring/feeds", {"feed": "medical_insurance", "file": named(big, "big.json")})
    assert (r.status_code, r.json()) == (413, expected)


def test_import_api_reports_the_refusal_and_writes_nothing(world, xfd):
    before = Household.objects.count()
    r = client(world.clerk).post("/api/imports", {"file": xfd})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["ok"] is False and [p["message"] for p in body["problems"]] == [XFD]
    assert Household.objects.count() == before


def test_department_file_api_refuses_too_many_rows(world, settings, tmp_path, xfd):
    settings.FEEDS_DIR = tmp_path / "feeds"
    settings.UPLOAD_LIMITS = {"rows": 10}
    rows = "身份证号,姓名,结算日期,个人自付金额（元）\n" + "140603198005170011,王一,2025-03-01,5\n" * 11
    c = client(world.department)
    r = c.post("/api/monitoring/feeds", {"feed": "medical_insurance", "file": named(rows.encode("gbk"), "med.csv")})
    assert r.status_code == 400, r.content
    assert [p["message"] for p in r.json()["detail"]] == ["文件“med.csv”有 11 行数据，超过上限 10 行"]
    r = c.post("/api/monitoring/feeds", {"feed": "medical_insurance", "file": xfd})
    assert r.status_code == 400 and [p["message"] for p in r.json()["detail"]] == [XFD]
    assert not FeedUpload.objects.exists()
