"""The bounded reader in the system: the limits from settings, the exchange and department-file readers, the import and
department pages, the commands, and the upload handler that stops an upload at the size limit.

Refused files must never reach calamine. In this process a tripwire stands in for calamine (a regression fails the test
instead of aborting the run); the real read of the XFD1048576 workbook happens only in child processes."""
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, RequestFactory

from fangpin.exchange import bounded, readers
from fangpin.exchange.readers import ExchangeFile, FileProblem
from fangpin.lib.tests import hostile

from .helpers import block_calamine
from fangpin.monitoring import feeds
from fangpin.monitoring.models import FeedUpload
from fangpin.registry.models import Household

XFD = "文件“hostile.xlsx”的工作表“家庭成员”声明的范围达 XFD1048576（1,048,576 行 × 16,384 列），超过上限 256 列"
CELLS = "文件“hostile.xlsx”的工作表“家庭成员”中的单元格范围达 XFD1048576（1,048,576 行 × 16,384 列），超过上限 256 列"
ROOT = Path(__file__).resolve().parents[4]


@pytest.fixture
def tripwire(monkeypatch):
    block_calamine(monkeypatch)


def client(user):
    c = Client()
    c.force_login(user)
    return c


def run(args, tmp_path, **kw):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fangpin.settings", "FANGPIN_VAR_DIR": str(tmp_path / "var")}
    env.pop("DATABASE_URL", None)
    return subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=ROOT, env=env, **kw)


def test_the_readers_refuse_before_calamine(tmp_path, tripwire):
    path = hostile.xfd_workbook(tmp_path / "h.xlsx")
    with pytest.raises(FileProblem) as e:
        ExchangeFile(path, "hostile.xlsx")
    assert str(e.value) == XFD
    with pytest.raises(feeds.FeedError) as e:
        feeds.read(path, "hostile.xlsx", feeds.FEEDS["education"])
    assert [p.message for p in e.value.problems] == [XFD]


def test_limits_come_from_settings(settings, tmp_path):
    path = hostile.workbook(tmp_path / "h.xlsx", hostile.sheet_xml([("A1", "户编号"), ("B5", "x")]))
    assert ExchangeFile(path).kind == "excel"
    settings.UPLOAD_LIMITS = {"rows": 4}
    with pytest.raises(FileProblem, match="（5 行 × 2 列），超过上限 4 行"):
        ExchangeFile(path)


def test_a_zip_bomb_under_a_lowered_cap(settings, tmp_path):
    path = hostile.zeros_workbook(tmp_path / "bomb.xlsx", 3)
    settings.UPLOAD_LIMITS = {"decompressed_bytes": 1 << 20}
    with pytest.raises(FileProblem) as e:
        ExchangeFile(path, "bomb.xlsx")
    assert str(e.value) == "文件“bomb.xlsx”解压后超过上限 1 MB（可能是压缩炸弹）"


def test_deep_json_is_a_file_problem(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text(hostile.deep_json(100_000, kind="object"))
    with pytest.raises(FileProblem) as e:
        ExchangeFile(path)
    assert str(e.value) == "文件“deep.json”的数组和对象嵌套超过上限 32 层"


def test_the_dangerous_reads_end_normally_in_a_child_process(tmp_path):
    """`fangpin evaluate` and the department-file reader on the real XFD1048576 workbook, with the real calamine: a
    clean Chinese error, not a signal (without the guard the child would abort asking for 512 GiB)."""
    path = hostile.xfd_workbook(tmp_path / "hostile.xlsx", dimension=None)
    fangpin = Path(sys.executable).with_name("fangpin")
    done = run([str(fangpin), "evaluate", "--policy", "sn2022-67", "--as-of", "2025-06-30", "--input", str(path),
                "--output", str(tmp_path / "out.json")], tmp_path)
    assert done.returncode == 1, (done.returncode, done.stderr[-2000:])
    assert CELLS in done.stderr
    code = ("import django; django.setup()\n"
            "from fangpin.monitoring import feeds\n"
            "try:\n"
            f"    feeds.read({str(path)!r}, 'hostile.xlsx', feeds.FEEDS['education'])\n"
            "except feeds.FeedError as e:\n"
            "    print(e.problems[0].message)\n")
    done = run([sys.executable, "-c", code], tmp_path)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.strip() == CELLS


def test_import_page_shows_the_message_and_writes_nothing(world, tmp_path, tripwire):
    before = Household.objects.count()
    with open(hostile.xfd_workbook(tmp_path / "hostile.xlsx"), "rb") as f:
        c = client(world.clerk)
        r = c.post("/import/", {"file": f})
    assert r.status_code == 302 and r.url.startswith("/import/jobs/")  # the background job refused the file
    assert XFD in c.get(r.url).content.decode()
    assert Household.objects.count() == before


def test_department_page_shows_the_message_and_keeps_nothing(world, tmp_path, settings, tripwire):
    settings.FEEDS_DIR = tmp_path / "feeds"
    settings.UPLOAD_LIMITS = {"rows": 10}
    big = tmp_path / "med.csv"
    big.write_text("身份证号,姓名,结算日期,个人自付金额（元）\n" + "140603198005170011,王一,2025-03-01,5\n" * 11)
    c = client(world.department)
    for path, message in [(hostile.xfd_workbook(tmp_path / "hostile.xlsx"), XFD),
                          (big, "文件“med.csv”有 11 行数据，超过上限 10 行")]:
        with open(path, "rb") as f:
            r = c.post("/monitoring/feeds/", {"feed": "medical_insurance", "file": f})
        assert r.status_code == 200
        assert message in r.content.decode()
    assert not FeedUpload.objects.exists()
    assert not settings.FEEDS_DIR.exists() or not any(settings.FEEDS_DIR.iterdir())


def test_import_command_exits_with_the_message(world, tmp_path, tripwire):
    err = io.StringIO()
    with pytest.raises(CommandError, match="未导入：共 1 处错误"):
        call_command("import", str(hostile.xfd_workbook(tmp_path / "hostile.xlsx")), user="clerk", stderr=err)
    assert XFD in err.getvalue()


def test_an_upload_stops_being_stored_at_the_limit(settings, tmp_path):
    settings.UPLOAD_LIMITS = {"file_bytes": 100_000}
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1000  # to the temporary-file handler, as large uploads go
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    (tmp_path / "uploads").mkdir()
    request = RequestFactory().post("/import/", {"file": io.BytesIO(b"x" * 300_000), "note": "kept"})
    request.FILES["file"].name  # noqa: B018 - parses the body
    upload = request.FILES["file"]
    assert isinstance(upload, bounded.RefusedUpload)
    assert 100_000 < upload.size <= 100_000 + 64 * 1024  # stopped at the chunk that passed the limit
    assert bounded.refusal(upload) == "文件“file”超过上限 98 KB，已停止接收，未保存"
    assert list((tmp_path / "uploads").iterdir()) == []  # what was stored before the limit is gone
    assert request.POST["note"] == "kept"
    with pytest.raises(bounded.UploadTooLarge):
        list(upload.chunks())
    small = RequestFactory().post("/import/", {"file": io.BytesIO(b"x" * 5000)})
    assert small.FILES["file"].read() == b"x" * 5000


def test_the_import_page_names_an_upload_over_the_limit(world, settings):
    settings.UPLOAD_LIMITS = {"file_bytes": 1000}
    f = io.BytesIO(b'{"format": "fangpin-exchange"}' + b" " * 5000)
    f.name = "big.json"
    r = client(world.clerk).post("/import/", {"file": f})
    assert r.status_code == 200
    assert "文件“big.json”超过上限 1,000 字节，已停止接收，未保存" in r.content.decode()


@pytest.mark.parametrize(("text", "message"), [
    ('{"format": "fangpin-exchange",\n "households": [1, }', "不是有效的 JSON：第2行第20列附近格式有误"),
    ('{"format": "fangpin-exchange", "n": ' + "9" * 100_001 + "}", "不是有效的 JSON：其中有位数过多的数字"),
])
def test_invalid_json_is_told_in_chinese(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileProblem) as e:
        ExchangeFile(path, "bad.json")
    assert str(e.value) == f"文件“bad.json”{message}"
