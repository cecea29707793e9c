"""The bounded reader's gate: every limit refuses with a Chinese message naming the file and the limit, before a
parser runs; ordinary files pass unchanged. Hostile files are built by hand (hostile.py) and never parsed here."""
import json
import subprocess
import sys
import zipfile

import openpyxl
import polars as pl
import pytest
import xlsxwriter

from fangpin.lib import uploads
from fangpin.lib.tests import hostile
from fangpin.lib.uploads import Limits, UnsafeFile

DEFAULT = Limits()
XLSX = ("xlsx", "json")


def refused(path, name, limits=DEFAULT, kinds=XLSX) -> UnsafeFile:
    with pytest.raises(UnsafeFile) as e:
        uploads.inspect(path, name, limits, kinds=kinds)
    return e.value


# --- workbooks: the grid calamine would allocate -------------------------------------------------------------------

def test_a_declared_dimension_beyond_the_limit_is_refused(tmp_path):
    e = refused(hostile.xfd_workbook(tmp_path / "h.xlsx"), "家庭成员.xlsx")
    assert str(e) == ("文件“家庭成员.xlsx”的工作表“家庭成员”声明的范围达 XFD1048576（1,048,576 行 × 16,384 列），"
                      "超过上限 256 列")
    assert e.limit == "columns"


@pytest.mark.parametrize("dimension", [None, "A1", "A1:B2"])
def test_cells_far_apart_are_refused_whatever_the_dimension_says(tmp_path, dimension):
    e = refused(hostile.xfd_workbook(tmp_path / "h.xlsx", dimension=dimension), "h.xlsx")
    assert str(e) == "文件“h.xlsx”的工作表“家庭成员”中的单元格范围达 XFD1048576（1,048,576 行 × 16,384 列），超过上限 256 列"


def test_rows_and_cells_limits(tmp_path):
    p = hostile.workbook(tmp_path / "h.xlsx", hostile.sheet_xml([("A1", "x"), ("J2000", "y")]))
    assert uploads.inspect(p, "h.xlsx", DEFAULT, kinds=XLSX) == "xlsx"
    assert str(refused(p, "h.xlsx", Limits(rows=1999))).endswith("（2,000 行 × 10 列），超过上限 1,999 行")
    assert str(refused(p, "h.xlsx", Limits(cells=19_999))).endswith(
        "（2,000 行 × 10 列），共 20,000 个单元格，超过上限 19,999 个")


@pytest.mark.parametrize(("sheets", "ok"), [(2, True), (3, False)])
def test_the_sheets_of_a_workbook_together_are_limited(tmp_path, sheets, ok):
    """Each sheet within its own limit, seven of them 31 s of one worker: the grids of all sheets count together."""
    grid = hostile.sheet_xml([("A1", "x"), ("J2000", "y")])  # 2,000 x 10 = 20,000 cells
    extra = {f"xl/worksheets/sheet{i}.xml": grid for i in range(2, sheets + 1)}
    p = hostile.workbook(tmp_path / "h.xlsx", grid, parts=extra)
    limits = Limits(cells=20_000, workbook_cells=50_000)
    if ok:
        assert uploads.inspect(p, "h.xlsx", limits, kinds=XLSX) == "xlsx"
    else:
        e = refused(p, "h.xlsx", limits)
        assert str(e) == "文件“h.xlsx”各工作表的单元格范围合计 60,000 个，超过上限 50,000 个" and e.limit == "workbook_cells"


def test_the_guard_keeps_the_process_alive(tmp_path):
    """The dangerous read, in a child process: with the guard it ends normally with the message; without it calamine
    would ask for 512 GiB and abort (a signal), which fails this test instead of killing the test run."""
    path = hostile.xfd_workbook(tmp_path / "h.xlsx", dimension=None)
    code = (
        "import sys\n"
        "from fangpin.lib import uploads\n"
        "try:\n"
        f"    uploads.inspect({str(path)!r}, 'h.xlsx', uploads.Limits(), kinds=('xlsx',))\n"
        "except uploads.UnsafeFile as e:\n"
        "    print(e); sys.exit(3)\n"
        "from python_calamine import CalamineWorkbook\n"
        f"CalamineWorkbook.from_path({str(path)!r}).get_sheet_by_index(0).to_python()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 3, (done.returncode, done.stderr[-2000:])
    assert "单元格范围达 XFD1048576" in done.stdout


def test_a_shared_string_table_declaring_too_many_strings_is_refused(tmp_path):
    sst = (f'<?xml version="1.0"?><sst {hostile.NS} count="1" uniqueCount="99999999999"><si><t>x</t></si></sst>')
    p = hostile.workbook(tmp_path / "s.xlsx", hostile.sheet_xml([("A1", "x")]), parts={"xl/sharedStrings.xml": sst})
    assert str(refused(p, "s.xlsx")) == "文件“s.xlsx”的共享字符串表声明有 99,999,999,999 个字符串，超过上限 10,000,000 个"


# Cells not written the usual way go to the full parse, which replays calamine's row and column counters.
@pytest.mark.parametrize("body,message", [
    # no references: the 300th cell of row 1 is in column 300
    ('<row r="1">' + "<c><v>1</v></c>" * 300 + "</row>", "KN1（1 行 × 300 列），超过上限 256 列"),
    # a row number and cells without references
    ('<row r="1048576"><c t="n"><v>1</v></c></row>', None),
    ('<row r="3000000"><c t="n"><v>1</v></c></row>', "A3000000（3,000,000 行 × 1 列），超过上限 2,000,000 行"),
    # the reference after another attribute, and a ">" inside a quoted value
    ('<row r="1"><c s="0" r="XFD1"><v>1</v></c></row>', "XFD1（1 行 × 16,384 列），超过上限 256 列"),
    ('<row r="1"><c t=">" r="XFD1"><v>1</v></c></row>', "XFD1（1 行 × 16,384 列），超过上限 256 列"),
    # a namespace prefix
    ('<x:row r="1"><x:c r="XFD1"><x:v>1</x:v></x:c></x:row>', "XFD1（1 行 × 16,384 列），超过上限 256 列"),
])
def test_cells_written_otherwise_are_measured_as_calamine_reads_them(tmp_path, body, message):
    xml = (f'<?xml version="1.0"?><worksheet {hostile.NS} xmlns:x="{hostile.NS[7:-1]}">'
           f"<sheetData>{body}</sheetData></worksheet>")
    p = hostile.workbook(tmp_path / "o.xlsx", xml)
    limits = Limits(rows=2_000_000)
    if message is None:
        assert uploads.inspect(p, "o.xlsx", limits, kinds=XLSX) == "xlsx"
    else:
        assert str(refused(p, "o.xlsx", limits)) == f"文件“o.xlsx”的工作表“家庭成员”中的单元格范围达 {message}"


@pytest.mark.parametrize("cell", ['<c r="A1" r="XFD1048576"><v>1</v></c>', '<c r="A1"r="XFD1048576"><v>1</v></c>'])
def test_a_second_reference_in_a_cell_is_refused(tmp_path, cell):
    xml = f'<?xml version="1.0"?><worksheet {hostile.NS}><sheetData><row r="1">{cell}</row></sheetData></worksheet>'
    p = hostile.workbook(tmp_path / "d.xlsx", xml)
    assert str(refused(p, "d.xlsx")).startswith("文件“d.xlsx”中的“xl/worksheets/sheet1.xml”结构异常，无法安全读取")


def test_a_cell_inside_a_cell_and_a_dtd_are_refused(tmp_path):
    nested = (f'<?xml version="1.0"?><worksheet {hostile.NS}><sheetData><row><c><c r="B1"/></c></row>'
              "</sheetData></worksheet>")
    dtd = f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e "x">]><worksheet {hostile.NS}><sheetData/></worksheet>'
    for xml in (nested, dtd):
        p = hostile.workbook(tmp_path / "n.xlsx", xml)
        assert "结构异常" in str(refused(p, "n.xlsx"))


def test_parts_that_are_not_xml_pass_unless_they_could_be_sheets(tmp_path):
    image = bytes(range(256)) * 400 + b"<c r" + bytes(70_000)
    p = hostile.workbook(tmp_path / "i.xlsx", hostile.sheet_xml([("A1", "x")]), parts={"xl/media/image1.png": image})
    assert uploads.inspect(p, "i.xlsx", DEFAULT, kinds=XLSX) == "xlsx"
    p = hostile.workbook(tmp_path / "j.xlsx", hostile.sheet_xml([("A1", "x")]),
                         parts={"xl/media/x.bin": b"<sheetData>\x00<c/><c/><"})
    assert "结构异常" in str(refused(p, "j.xlsx"))


def test_a_long_text_cell_passes(tmp_path):
    p = hostile.workbook(tmp_path / "t.xlsx", hostile.sheet_xml([("A1", "长" * 40_000), ("B2", "x")]))
    assert uploads.inspect(p, "t.xlsx", DEFAULT, kinds=XLSX) == "xlsx"


# --- workbooks: the zip --------------------------------------------------------------------------------------------

def test_a_zip_bomb_is_refused_by_what_it_inflates_to(tmp_path):
    p = hostile.zeros_workbook(tmp_path / "bomb.xlsx", 3)
    assert p.stat().st_size < 20_000
    e = refused(p, "bomb.xlsx", Limits(decompressed_bytes=1 << 20))
    assert str(e) == "文件“bomb.xlsx”解压后超过上限 1 MB（可能是压缩炸弹）" and e.limit == "decompressed_bytes"


def test_declared_sizes_are_not_trusted(tmp_path):
    p = hostile.zeros_workbook(tmp_path / "bomb.xlsx", 3)
    hostile.lie_about_sizes(p, "xl/worksheets/sheet1.xml", 100)
    with zipfile.ZipFile(p) as z:
        assert z.getinfo("xl/worksheets/sheet1.xml").file_size == 100
    assert str(refused(p, "bomb.xlsx", Limits(decompressed_bytes=1 << 20))) == (
        "文件“bomb.xlsx”解压后超过上限 1 MB（可能是压缩炸弹）")


def test_compression_ratio(tmp_path):
    p = hostile.zeros_workbook(tmp_path / "r.xlsx", 20)
    assert str(refused(p, "r.xlsx")) == "文件“r.xlsx”中的“xl/worksheets/sheet1.xml”压缩比超过上限 200 倍（可能是压缩炸弹）"


def test_too_many_parts(tmp_path):
    p = hostile.workbook(tmp_path / "m.xlsx", hostile.sheet_xml([("A1", "x")]),
                         parts={f"xl/media/{i}.txt": "x" for i in range(10)})
    assert str(refused(p, "m.xlsx", Limits(zip_members=14))) == "文件“m.xlsx”包含 15 个部件，超过上限 14 个"


def test_other_zip_formats_and_old_workbooks_are_refused(tmp_path):
    p = hostile.workbook(tmp_path / "o.xlsx", hostile.sheet_xml([("A1", "x")]), parts={"content.xml": "<x/>"})
    assert "不是 .xlsx 工作簿" in str(refused(p, "o.ods"))
    xls = tmp_path / "old.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))
    assert str(refused(xls, "old.xls")) == ("文件“old.xls”是 Excel 97-2003 工作簿（.xls）或加密的工作簿，系统不直接读取："
                                            "请在 Excel 或 WPS 中另存为不加密的 .xlsx 后再上传")


def test_a_damaged_zip_is_a_file_problem(tmp_path):
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"PK\x03\x04broken")
    with pytest.raises(uploads.FileProblem) as e:
        uploads.inspect(p, "x.xlsx", DEFAULT, kinds=XLSX)
    assert str(e.value) == "文件“x.xlsx”无法作为 Excel 工作簿读取，可能已损坏"


def test_workbooks_written_by_excel_libraries_pass(tmp_path):
    a = tmp_path / "a.xlsx"
    wb = xlsxwriter.Workbook(a)
    ws = wb.add_worksheet("家庭成员")
    ws.write_row(0, 0, ["双碾村2025年花名册"])
    for i in range(1, 500):
        ws.write_row(i, 0, [f"H{i}", "张三", i * 1.5, "是"])
    ws.insert_textbox("F2", "备注")
    wb.close()
    b = tmp_path / "b.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["户编号", "姓名"])
    wb.active["C3"] = "=1+1"
    wb.create_sheet("经营主体").append(["x"] * 200)
    wb.save(b)
    for p in (a, b):
        assert uploads.inspect(p, p.name, DEFAULT, kinds=XLSX) == "xlsx"


# --- CSV, Parquet, JSON, size --------------------------------------------------------------------------------------

def test_csv_rows_and_columns(tmp_path):
    p = tmp_path / "med.csv"
    p.write_bytes(("身份证号,姓名\n" + "1,王\n" * 11).encode("gbk"))
    assert uploads.inspect(p, "med.csv", Limits(rows=11), kinds=("csv",)) == "csv"
    assert str(refused(p, "med.csv", Limits(rows=10), kinds=("csv",))) == "文件“med.csv”有 11 行数据，超过上限 10 行"
    p.write_text(",".join(f"c{i}" for i in range(300)) + "\n1\n")
    assert str(refused(p, "med.csv", kinds=("csv",))) == "文件“med.csv”的表头有 300 列，超过上限 256 列"


def test_parquet_rows_columns_and_size_from_the_footer(tmp_path):
    p = tmp_path / "m.parquet"
    pl.DataFrame({"id_number": [str(i) for i in range(1000)], "name": ["王"] * 1000, "n": range(1000)}).write_parquet(p)
    kinds = ("parquet", "csv")
    assert uploads.inspect(p, "m.parquet", DEFAULT, kinds=kinds) == "parquet"
    assert str(refused(p, "m.parquet", Limits(rows=999), kinds)) == "文件“m.parquet”有 1,000 行，超过上限 999 行"
    assert str(refused(p, "m.parquet", Limits(columns=2), kinds)) == "文件“m.parquet”有 3 列，超过上限 2 列"
    assert str(refused(p, "m.parquet", Limits(decompressed_bytes=1000), kinds)) == (
        "文件“m.parquet”解压后超过上限 1,000 字节")


@pytest.mark.parametrize("compression", ["zstd", "snappy", "uncompressed", "gzip"])
def test_parquet_footer_and_pages_read_as_pyarrow_reads_them(tmp_path, compression):
    pq = pytest.importorskip("pyarrow.parquet")
    p = tmp_path / "m.parquet"
    frame = pl.DataFrame({"id_number": [f"1406031980{i:08d}" for i in range(60_000)],
                          "code": ["dropout", "repeat", None] * 20_000, "amount": range(60_000)})
    frame.write_parquet(p, compression=compression, row_group_size=25_000, statistics=True)
    meta = pq.ParquetFile(p).metadata
    total = sum(meta.row_group(g).column(c).total_uncompressed_size
                for g in range(meta.num_row_groups) for c in range(meta.num_columns))
    assert uploads.inspect(p, "m.parquet", Limits(rows=60_000, decompressed_bytes=total), kinds=("parquet",))
    assert "超过上限" in str(refused(p, "m.parquet", Limits(rows=59_999), ("parquet",)))


def test_a_damaged_parquet_is_a_file_problem(tmp_path):
    p = tmp_path / "x.parquet"
    p.write_bytes(b"PAR1" + bytes(100) + b"\x10\x00\x00\x00PAR1")
    with pytest.raises(uploads.FileProblem, match="无法作为 Parquet 文件读取"):
        uploads.inspect(p, "x.parquet", DEFAULT, kinds=("parquet",))


@pytest.mark.parametrize("kind", ["array", "object"])
def test_deep_json_is_refused_not_a_recursion_error(tmp_path, kind):
    p = tmp_path / "deep.json"
    p.write_text(hostile.deep_json(100_000, kind=kind))
    assert uploads.inspect(p, "deep.json", DEFAULT, kinds=XLSX) == "json"
    with pytest.raises(UnsafeFile) as e:
        uploads.load_json(p, "deep.json", DEFAULT)
    assert str(e.value) == "文件“deep.json”的数组和对象嵌套超过上限 32 层" and e.value.limit == "json_depth"


def test_json_depth_at_the_limit(tmp_path):
    p = tmp_path / "d.json"
    p.write_text(hostile.deep_json(32))
    assert uploads.load_json(p, "d.json", DEFAULT) is not None
    p.write_text(hostile.deep_json(33))
    with pytest.raises(UnsafeFile):
        uploads.load_json(p, "d.json", DEFAULT)
    p.write_text(json.dumps({"format": "fangpin-exchange", "members": [{"id_number": "1"}] * 3}))
    assert uploads.load_json(p, "d.json", DEFAULT)["members"][0] == {"id_number": "1"}


def test_file_and_json_size(tmp_path):
    p = tmp_path / "big.json"
    p.write_text('{"format": "fangpin-exchange"}' + " " * 2000)
    assert str(refused(p, "big.json", Limits(file_bytes=1000))) == "文件“big.json”有 2.0 KB，超过上限 1,000 字节"
    assert str(refused(p, "big.json", Limits(json_bytes=1024))) == "文件“big.json”有 2.0 KB，超过 JSON 文件的上限 1 KB"


def test_limits_from_settings_reject_unknown_keys():
    assert Limits.from_mapping({"rows": "10"}).rows == 10
    with pytest.raises(ValueError, match="unknown keys"):
        Limits.from_mapping({"row": 10})
