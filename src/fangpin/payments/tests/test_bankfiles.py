"""Bank files: the layouts as data, the disbursement file written line by line, and the return file read all or
nothing, every refusal naming file, row and column."""
import csv
import dataclasses
import datetime as dt
import hashlib
import io

import openpyxl
import pytest
import xlsxwriter

from fangpin.lib.uploads import Limits
from fangpin.lib.yamldata import CatalogError
from fangpin.payments import bankfiles
from fangpin.payments.bankfiles import PayLine, PayLineError, ReturnFileError, parse_fen

LAYOUTS = bankfiles.layouts()
CSV, XLSX, YKT = LAYOUTS["generic_csv"], LAYOUTS["generic_xlsx"], LAYOUTS["yikatong"]
PAID_ON = dt.date(2026, 3, 20)
CARD = "6217000010001234569"
LIMITS = Limits()


def line(i: int, **kw) -> PayLine:
    values = dict(reference=f"FP2026000012-{i:07d}", name=("张三", "李四华", "王五")[i % 3], account_number=CARD,
                  bank="中国农业银行平鲁支行", amount=12_000 + i, id_number="140603199001011234",
                  benefit="耕地地力保护补贴", basis="双发〔2022〕67号第5条", village="双碾村")
    return PayLine(**(values | kw))


LINES = [line(i) for i in range(1, 4)]
EXPECTED = {x.reference: (x.amount, x.account_number) for x in LINES}


def write(layout, lines=LINES, **kw):
    out = io.BytesIO()
    args = {"title": "FP2026000012_中国农业银行", "paid_on": PAID_ON, "payer": "平鲁区财政局"} | kw
    written = bankfiles.write(layout, iter(lines), out, **args)  # an iterator: nothing is asked twice
    return written, out.getvalue()


def bank_return(tmp_path, layout, results=None, name=None):
    """The file the bank would send: the first line failed, the others paid, unless `results` says otherwise."""
    if results is None:
        failed = (layout.returns.failed or ("1001",))[0]
        results = [(x, failed if i == 0 else layout.returns.paid[0], "账户已销户" if i == 0 else "")
                   for i, x in enumerate(LINES)]
    out = io.BytesIO()
    bankfiles.simulate_return(layout, results, out, paid_on=PAID_ON)
    path = tmp_path / (name or f"回盘.{layout.extension}")
    path.write_bytes(out.getvalue())
    return path


def text_file(tmp_path, text: str, layout, name=None):
    path = tmp_path / (name or f"回盘.{layout.extension}")
    path.write_bytes(text.encode(layout.encoding))
    return path


def refusal(path, layout, limits=LIMITS) -> ReturnFileError:
    with pytest.raises(ReturnFileError) as e:
        bankfiles.read_return(path, path.name, layout, limits=limits)
    return e.value


def messages(err: ReturnFileError) -> list[str]:
    return [p.text(err.filename) for p in err.problems]


# --- the layouts as data -------------------------------------------------------------------------------------------

def test_the_shipped_layouts():
    assert set(LAYOUTS) == {"generic_csv", "generic_xlsx", "yikatong"}
    assert (CSV.format, CSV.encoding, CSV.extension) == ("csv", "utf-8-sig", "csv")
    assert (YKT.format, YKT.encoding, YKT.separator, YKT.record) == ("delimited", "gbk", "|", "D")
    assert YKT.header == ("H", "{payer}", "{paid_on:%Y%m%d}", "{rows}", "{total_yuan}")
    assert YKT.returns.paid == ("0000",) and YKT.returns.failed is None  # any other code is a failure
    assert CSV.returns.paid == ("成功",) and CSV.returns.failed == ("失败",)


GOOD = """layouts:
  mine:
    label: 测试
    format: csv
    encoding: utf-8-sig
    columns:
      - {field: reference, title: 参考号}
      - {field: amount, title: 金额, format: yuan}
    return:
      columns:
        - {field: reference, title: 参考号}
        - {field: account_number, title: 账号}
        - {field: amount, title: 金额, format: yuan}
        - {field: status, title: 结果}
      status: {paid: [成功], failed: [失败]}
"""


@pytest.mark.parametrize("change, message", [
    (("format: csv", "format: fixed"), "format 应为"),
    (("field: reference, title: 参考号}\n      - {field: amount", "field: owner, title: 参考号}\n      - {field: amount"),
     "field“owner”不是可用的字段"),
    (("encoding: utf-8-sig", "encoding: big-5x"), "不是已知的编码"),
    (("format: yuan}\n    return", "format: yuan}\n    totals: [合计, \"{count}\"]\n    return"), "“{count}”不是可用的占位符"),
    (("status: {paid: [成功], failed: [失败]}", "status: {paid: [成功], failed: [成功]}"), "paid 与 failed 有相同的取值"),
    (("        - {field: status, title: 结果}\n", ""), "回盘列缺少 status"),
    (("format: csv", "format: csv\n    header: [H, \"{rows}\"]"), "不能有 header 行"),
])
def test_a_bad_layout_file_is_named_with_its_line(tmp_path, change, message):
    assert bankfiles.load_layouts(_yaml(tmp_path, GOOD))  # the file as given is good
    with pytest.raises(CatalogError) as e:
        bankfiles.load_layouts(_yaml(tmp_path, GOOD.replace(*change)))
    assert message in str(e.value) and "代发格式“mine”" in str(e.value) and "第" in str(e.value)


def _yaml(tmp_path, text):
    path = tmp_path / "layouts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- writing -------------------------------------------------------------------------------------------------------

def test_the_generic_csv_file():
    written, data = write(CSV)
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    rows = data.decode("utf-8-sig").split("\r\n")
    assert rows[0] == "业务流水号,户名,账号,开户银行,金额（元）,证件号码,补贴项目,政策依据,所在村"
    assert rows[1] == ("FP2026000012-0000001,李四华,6217000010001234569,中国农业银行平鲁支行,120.01,140603199001011234,"
                       "耕地地力保护补贴,双发〔2022〕67号第5条,双碾村")
    assert rows[4:] == ["合计,共3笔,,,360.06", ""]
    assert (written.rows, written.total, written.filename) == (3, 36006, "代发_FP2026000012_中国农业银行.csv")


def test_lines_are_written_a_chunk_at_a_time_as_the_csv_module_would(monkeypatch):
    """Lines are checked and formatted column-wise a chunk at a time: the cells are those csv.writer writes (quotes,
    commas, formulas made text), the count and total span the chunks, and a bad line is named by its number."""
    monkeypatch.setattr(bankfiles, "FRAME_ROWS", 3)
    names = ['张,三', '李"四"', "=1+2", "王 五", '"', "-3", "赵六", "钱,\"七\""]
    lines = [line(i, name=n, amount=100 + i) for i, n in enumerate(names, 1)]
    written, data = write(CSV, lines)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r[1] for r in rows[1:9]] == [bankfiles.neutralize(n) for n in names]
    assert (written.rows, written.total) == (8, sum(100 + i for i in range(1, 9)))
    assert rows[9][:2] == ["合计", "共8笔"]
    with pytest.raises(PayLineError, match="第7条.*name：含有换行"):
        write(CSV, [*lines[:6], dataclasses.replace(lines[6], name="赵\n六"), lines[7]])
    with pytest.raises(PayLineError, match="第5条.*amount"):
        write(YKT, [*lines[:4], dataclasses.replace(lines[4], amount=1.5)])


def test_the_yikatong_file_is_gbk_with_header_and_trailer_records():
    written, data = write(YKT)
    assert data.decode("gbk").split("\r\n") == [
        "H|平鲁区财政局|20260320|3|360.06",
        "D|FP2026000012-0000001|6217000010001234569|李四华|140603199001011234|120.01|耕地地力保护补贴",
        "D|FP2026000012-0000002|6217000010001234569|王五|140603199001011234|120.02|耕地地力保护补贴",
        "D|FP2026000012-0000003|6217000010001234569|张三|140603199001011234|120.03|耕地地力保护补贴",
        "T|3|360.06", ""]
    assert written.filename.endswith(".txt")


def test_the_xlsx_file_holds_text_amounts_and_a_totals_row(tmp_path):
    written, data = write(XLSX)
    (tmp_path / "f.xlsx").write_bytes(data)
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx").active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][:5] == ["业务流水号", "户名", "账号", "开户银行", "金额（元）"]
    assert rows[1][2:5] == ["6217000010001234569", "中国农业银行平鲁支行", "120.01"]  # text: no digits lost, no float
    assert rows[4][:5] == ["合计", "共3笔", None, None, "360.06"]
    assert written.rows == 3 and written.filename.endswith(".xlsx")


@pytest.mark.parametrize("layout", [CSV, XLSX, YKT], ids=lambda x: x.key)
def test_the_recorded_sha256_is_that_of_the_bytes_written(layout):
    written, data = write(layout)
    assert written.sha256 == hashlib.sha256(data).hexdigest()
    assert written.total == sum(x.amount for x in LINES)


def test_the_same_lines_give_the_same_workbook():
    assert write(XLSX)[0].sha256 == write(XLSX)[0].sha256


@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"点我\")", "+1+2", "-2+3", "@SUM(A1)"])
def test_formulas_are_written_as_text_in_csv_and_xlsx(tmp_path, text):
    """Names and benefits come from user data: Excel must show them, not evaluate them (tabs and line breaks, the other
    starts of an injection, are refused outright)."""
    lines = [line(1, name=text, benefit=text)]
    _, data = write(CSV, lines)
    name = next(csv.reader(io.StringIO(data.decode("utf-8-sig").split("\r\n")[1])))[1]
    assert name == "'" + text
    _, data = write(XLSX, lines)
    (tmp_path / "f.xlsx").write_bytes(data)
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx").active
    benefit = ws.cell(2, 7)
    assert benefit.data_type == "s" and benefit.value == "'" + text


def test_a_formula_in_a_name_stays_as_it_is_in_the_yikatong_file():
    """A delimited bank file is read by the bank's system, not a spreadsheet; its holder name is compared as written."""
    _, data = write(YKT, [line(1, name="-王五")])
    assert "|-王五|" in data.decode("gbk")


@pytest.mark.parametrize("layout, bad, message", [
    (CSV, {"amount": 0}, "amount：应为大于0的整数（分）"),
    (CSV, {"amount": -100}, "amount：应为大于0的整数（分）"),
    (CSV, {"amount": True}, "amount：应为大于0的整数（分）"),
    (CSV, {"name": "张\n三"}, "name：含有换行或控制字符"),
    (CSV, {"account_number": "6217 0000"}, "account_number：应只含数字"),
    (CSV, {"reference": "FP2026000012-0000002 "}, "reference：应为不超过32个字符"),
    (YKT, {"benefit": "耕地|补贴"}, "benefit：含有分隔符“|”"),
    (YKT, {"name": "𠮷祥"}, "含有 GBK 编码无法表示的字“𠮷”"),
])
def test_a_line_that_cannot_be_written_is_named(layout, bad, message):
    with pytest.raises(PayLineError) as e:
        write(layout, [LINES[0], line(2, **bad)])
    assert message in str(e.value) and "FP2026000012-0000002" in str(e.value)


def test_more_lines_than_a_worksheet_holds_are_refused(monkeypatch):
    monkeypatch.setattr(bankfiles, "XLSX_MAX_ROWS", 4)  # the titles, two lines and the totals row
    assert write(XLSX, LINES[:2])[0].rows == 2
    with pytest.raises(PayLineError, match="超过一个 Excel 工作表的行数上限"):
        write(XLSX, LINES)


# --- reading the return, round trip --------------------------------------------------------------------------------

@pytest.mark.parametrize("layout", [CSV, XLSX, YKT], ids=lambda x: x.key)
def test_round_trip(tmp_path, layout):
    got = bankfiles.read_return(bank_return(tmp_path, layout), "回盘", layout, limits=LIMITS)
    assert [(r.row, r.reference, r.account_number, r.amount, r.paid) for r in got] == [
        (i + 2, x.reference, x.account_number, x.amount, i != 0) for i, x in enumerate(LINES)]
    assert got[0].reason == ("账户已销户（1001）" if layout is YKT else "账户已销户")  # a code stays with its reason
    assert got[1].reason == ""
    assert bankfiles.check_against(got, EXPECTED, "回盘", layout=layout) == []


def test_a_partial_return_is_accepted(tmp_path):
    """The bank returned one row: the other two stay pending; check_against does not complain."""
    path = bank_return(tmp_path, CSV, [(LINES[1], "成功", "")])
    got = bankfiles.read_return(path, path.name, CSV, limits=LIMITS)
    assert [r.reference for r in got] == [LINES[1].reference]
    assert bankfiles.check_against(got, EXPECTED, path.name) == []


HEAD = "业务流水号,户名,账号,开户银行,金额（元）,证件号码,补贴项目,政策依据,所在村,处理结果,失败原因\n"


def csv_row(x: PayLine, amount: str | None = None, status="成功", reason="") -> str:
    amount = bankfiles.yuan(x.amount) if amount is None else f'"{amount}"' if "," in amount else amount
    return (f"{x.reference},{x.name},{x.account_number},{x.bank},{amount},"
            f"{x.id_number},{x.benefit},{x.basis},{x.village},{status},{reason}\n")


@pytest.mark.parametrize("amount, fen", [("0.01", 1), ("1", 100), ("1.5", 150), ("1234567.89", 123456789)])
def test_amounts_at_the_boundary(tmp_path, amount, fen):
    path = text_file(tmp_path, HEAD + csv_row(LINES[0], amount), CSV)
    assert bankfiles.read_return(path, path.name, CSV, limits=LIMITS)[0].amount == fen


@pytest.mark.parametrize("amount, message", [
    ("0.00", "金额应大于0"),
    ("0", "金额应大于0"),
    ("1.005", "金额“1.005”超过两位小数"),
    ("-5.00", "金额“-5.00”不能为负数"),
    ("12元", "“12元”不是金额（应为元，最多两位小数，如 1234.50）"),
    ("1e3", "“1e3”不是金额（应为元，最多两位小数，如 1234.50）"),
    ("1,234.00", "“1,234.00”不是金额（应为元，最多两位小数，如 1234.50）"),
    ("", "金额为空"),
])
def test_a_bad_amount_is_named_by_row_and_column(tmp_path, amount, message):
    path = text_file(tmp_path, HEAD + csv_row(LINES[0]) + csv_row(LINES[1], amount), CSV)
    err = refusal(path, CSV)
    assert messages(err) == [f"文件“回盘.csv”第3行“金额（元）”列：{message}"]


def test_parse_fen_never_goes_through_float():
    assert parse_fen("0.29") == (29, "") and parse_fen("1234567890123.45") == (123456789012345, "")
    assert parse_fen("0.1")[0] == 10 and parse_fen("99999999999999.00")[0] is None  # 13 digits of yuan at most


def test_a_bad_status_is_named(tmp_path):
    path = text_file(tmp_path, HEAD + csv_row(LINES[0], status="OK") + csv_row(LINES[1], status=""), CSV)
    assert messages(refusal(path, CSV)) == [
        "文件“回盘.csv”第2行“处理结果”列：“OK”不是规定的取值（应为成功、失败）",
        "文件“回盘.csv”第3行“处理结果”列：为空（应为成功、失败）"]


def test_a_missing_or_misnamed_column_is_named(tmp_path):
    head = HEAD.replace("业务流水号", "参考号").replace(",失败原因", "")
    path = text_file(tmp_path, head + csv_row(LINES[0]), CSV)
    assert messages(refusal(path, CSV)) == [
        f"文件“回盘.csv”第1行“{t}”列：缺少此列（回盘文件应有：{HEAD.strip().replace(',', '、')}）"
        for t in ("业务流水号", "失败原因")]


def test_a_file_of_another_layout_has_no_column_titles(tmp_path):
    path = text_file(tmp_path, ykt("H|农行|20260321|2|240.03", D1, D2, "T|2|240.03"), CSV)
    err = refusal(path, CSV)
    assert "文件“回盘.csv”" in str(err) and "第1行“业务流水号”列：缺少此列" in str(err)


def test_the_totals_row_is_checked_when_present(tmp_path):
    path = text_file(tmp_path, HEAD + csv_row(LINES[0]) + csv_row(LINES[1]) + "合计,共3笔,,,240.00,,,,,,\n", CSV)
    assert messages(refusal(path, CSV)) == [
        "文件“回盘.csv”第4行“户名”列：合计行写 3 笔，明细实有 2 笔",
        "文件“回盘.csv”第4行“金额（元）”列：合计行写总金额 240.00 元，明细合计 240.03 元"]


def test_rows_after_the_totals_row_are_refused(tmp_path):
    path = text_file(tmp_path, HEAD + csv_row(LINES[0]) + "合计,共1笔,,,120.01\n" + csv_row(LINES[1]), CSV)
    assert messages(refusal(path, CSV)) == ["文件“回盘.csv”第4行：合计行之后还有内容"]


def test_blank_lines_are_skipped_and_rows_keep_their_numbers(tmp_path):
    path = text_file(tmp_path, HEAD + "\n" + csv_row(LINES[0]) + ",,,,,,,,,,\n" + csv_row(LINES[1]), CSV)
    assert [r.row for r in bankfiles.read_return(path, path.name, CSV, limits=LIMITS)] == [3, 5]


def test_an_unpaired_quote_is_a_problem_not_a_traceback(tmp_path):
    path = text_file(tmp_path, HEAD + csv_row(LINES[0]) + '"' + csv_row(LINES[1]) + ("x" * 200 + "\n") * 1000, CSV)
    err = refusal(path, CSV)
    assert err.problems[0].message.startswith("CSV 格式错误（field larger than field limit") and err.total == 1


def test_an_empty_return_is_refused(tmp_path):
    path = text_file(tmp_path, HEAD, CSV)
    assert messages(refusal(path, CSV)) == ["文件“回盘.csv”没有明细记录"]


def test_every_problem_is_counted_and_the_first_twenty_shown(tmp_path):
    rows = "".join(csv_row(line(i), status="未知") for i in range(1, 31))
    err = refusal(text_file(tmp_path, HEAD + rows, CSV), CSV)
    text = str(err).splitlines()
    assert err.total == len(err.problems) == 30
    assert text[0] == "回盘文件“回盘.csv”有 30 处问题，整份未导入："
    assert text[1] == "文件“回盘.csv”第2行“处理结果”列：“未知”不是规定的取值（应为成功、失败）"
    assert len(text) == 22 and text[-1] == "……另有 10 处问题未列出"


# --- the 一卡通 records ---------------------------------------------------------------------------------------------

def ykt(*records: str) -> str:
    return "\r\n".join(records) + "\r\n"


D1 = "D|FP2026000012-0000001|6217000010001234569|李四华|120.01|0000|"
D2 = "D|FP2026000012-0000002|6217000010001234569|王五|120.02|3004|户名不符"


def test_yikatong_reads_codes(tmp_path):
    path = text_file(tmp_path, ykt("H|农行|20260321|2|240.03", D1, D2, "T|2|240.03"), YKT)
    got = bankfiles.read_return(path, path.name, YKT, limits=LIMITS)
    assert [(r.row, r.paid, r.reason) for r in got] == [(2, True, ""), (3, False, "户名不符（3004）")]


@pytest.mark.parametrize("records, expected", [
    (("H|农行|20260321|2|240.03", D1, D2, "T|3|240.03"), ["第4行“笔数”列：文件尾记录写 3 笔，明细实有 2 笔"]),
    (("H|农行|20260321|2|240.03", D1, D2, "T|2|240.00"), ["第4行“总金额”列：文件尾记录写总金额 240.00 元，明细合计 240.03 元"]),
    (("H|农行|20260321|5|240.03", D1, D2, "T|2|240.03"), ["第1行“笔数”列：文件头记录写 5 笔，明细实有 2 笔"]),
    (("H|农行|2026-03-21|2|240.03", D1, D2, "T|2|240.03"), ["第1行“日期”列：文件头记录的日期“2026-03-21”无法识别（应如 20260301）"]),
    (("H|农行|20260321|2|240.03", D1, D2), ["缺少文件尾记录（以“T|”开头），可能不完整"]),
    ((D1, D2, "T|2|240.03"), ["第1行：第一行应为文件头记录（以“H|”开头）"]),
    (("H|农行|20260321|2|240.03", D1, "X|1", D2, "T|2|240.03"), ["第3行：记录类型“X”不对（应为 “D”、“H”、“T” 之一）"]),
    (("H|农行|20260321|2|240.03", D1, D2 + "|多余", "T|2|240.03"), ["第3行：明细记录应有 7 项（以“|”分隔），实有 8 项"]),
    (("H|农行|20260321|2|240.03", D1, D2.replace("|3004|", "||"), "T|2|240.03"),
     ["第3行“处理码”列：为空（应为0000（成功）或银行的失败代码）"]),
    (("H|农行|20260321|2|240.03", D1, D2.replace("120.02", "0.00"), "T|2|240.03"), ["第3行“金额”列：金额应大于0"]),
    (("H|农行|20260321|2|240.03", D1, D2, "T|2|240.03", D1), ["第5行：文件尾记录之后还有内容"]),
])
def test_yikatong_refusals_name_the_line(tmp_path, records, expected):
    path = text_file(tmp_path, ykt(*records), YKT, name="回盘.txt")
    assert messages(refusal(path, YKT)) == [f"文件“回盘.txt”{m}" for m in expected]


# --- the encoding --------------------------------------------------------------------------------------------------

def test_a_gbk_file_for_a_utf8_layout(tmp_path):
    path = tmp_path / "回盘.csv"
    path.write_bytes((HEAD + csv_row(LINES[0])).encode("gbk"))
    assert messages(refusal(path, CSV)) == [
        "文件“回盘.csv”不是 UTF-8 编码（可能是 GBK 编码），“通用代发格式（CSV）”的回盘文件应为 UTF-8："
        "请在 Excel 或 WPS 中另存为“CSV UTF-8（逗号分隔）”后再上传"]


def test_a_utf8_file_for_the_gbk_layout(tmp_path):
    path = tmp_path / "回盘.txt"
    path.write_bytes(ykt("H|农行|20260321|2|240.03", D1, D2, "T|2|240.03").encode("utf-8"))
    assert messages(refusal(path, YKT)) == [
        "文件“回盘.txt”是 UTF-8 编码的文本，“惠民惠农一卡通代发格式（GBK 文本，“|”分隔）”的回盘文件应为 GBK 编码："
        "请确认是银行返回的原文件，未经另存"]


def test_bytes_that_are_not_gbk_further_down_name_their_line(tmp_path):
    head = ykt("H|农行|20260321|2|240.03", D1).encode("gbk")  # GBK, but a broken byte pair on line 3
    broken = b"D|FP2026000012-0000002|6217000010001234569|\x81\x20|120.02|3004|x\r\n"
    path = tmp_path / "回盘.txt"
    path.write_bytes(head + broken + b"T|2|240.03\r\n")
    assert messages(refusal(path, YKT))[0] == "文件“回盘.txt”第3行：含有 GBK 编码无法识别的字节（文件应为 GBK 编码）"


# --- the bounded reader first ----------------------------------------------------------------------------------------

def test_too_many_rows_for_the_limits(tmp_path):
    path = bank_return(tmp_path, CSV)
    err = refusal(path, CSV, Limits(rows=2))
    assert messages(err) == ["文件“回盘.csv”有 4 行数据，超过上限 2 行"]
    assert isinstance(err.__cause__, bankfiles.uploads.UnsafeFile)


def test_an_xlsx_bomb_is_refused_before_it_is_parsed(tmp_path):
    path = tmp_path / "回盘.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_string(0, 0, "业务流水号")
    ws.write_string(1048575, 16383, "x")  # a grid of 17 billion cells for calamine to allocate
    wb.close()
    err = refusal(path, XLSX)
    assert len(err.problems) == 1 and "超过上限" in str(err)


def test_a_workbook_for_a_text_layout_and_text_for_the_workbook_layout(tmp_path):
    xlsx = bank_return(tmp_path, XLSX, name="回盘.csv")
    assert messages(refusal(xlsx, CSV)) == ["文件“回盘.csv”是Excel 工作簿，“通用代发格式（CSV）”的回盘文件应为文本文件"]
    text = bank_return(tmp_path, CSV, name="回盘.xlsx")
    assert messages(refusal(text, XLSX)) == ["文件“回盘.xlsx”是文本文件，“通用代发格式（Excel）”的回盘文件应为Excel 工作簿（.xlsx）"]


# --- Excel return files ----------------------------------------------------------------------------------------------

def test_an_excel_return_with_a_title_row_and_numbers(tmp_path):
    path = tmp_path / "回盘.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    ws.write_string(0, 0, "农行代发回盘 2026-03-21")
    for j, title in enumerate(HEAD.strip().split(",")):
        ws.write_string(1, j, title)
    x = LINES[0]
    ws.write_row(2, 0, [x.reference, x.name, x.account_number, x.bank])
    ws.write_number(2, 4, 120.01)  # a number typed in Excel: read as the shortest decimal, never rounded
    ws.write_row(2, 9, ["成功", ""])
    ws.write_row(3, 0, [LINES[1].reference, "", 6217000010001234569, "", 12.345, "", "", "", "", "成功"])
    wb.close()
    err = refusal(path, XLSX)
    assert messages(err) == [
        "文件“回盘.xlsx”第4行“账号”列：是数字格式，位数已经丢失：请把该列设为文本格式，用银行返回的原文件",
        "文件“回盘.xlsx”第4行“金额（元）”列：金额“12.345”超过两位小数"]


# --- the return against the file issued ------------------------------------------------------------------------------

def returned(*lines) -> list[bankfiles.ReturnLine]:
    return [bankfiles.ReturnLine(row, ref, acct, amount, True, "") for row, ref, acct, amount in lines]


def test_check_against_names_unmatched_changed_and_duplicate_rows():
    a, b, c = LINES
    got = returned((2, a.reference, a.account_number, a.amount),
                   (3, b.reference, b.account_number, b.amount + 1),
                   (4, c.reference, "6228480402564890018", c.amount),
                   (5, "FP2026000099-0000001", CARD, 100),
                   (6, a.reference, a.account_number, a.amount))
    problems = bankfiles.check_against(got, EXPECTED, "回盘.csv", layout=CSV)
    assert [p.text("回盘.csv") for p in problems] == [
        "文件“回盘.csv”第3行“金额（元）”列：回盘金额 120.03 元与代发金额 120.02 元不符",
        "文件“回盘.csv”第4行“账号”列：回盘账号 6228***********0018 与代发账号 6217***********4569 不符",
        "文件“回盘.csv”第5行“业务流水号”列：业务流水号“FP2026000099-0000001”不在本次代发文件中（无法对应）",
        "文件“回盘.csv”第6行“业务流水号”列：业务流水号“FP2026000012-0000001”在回盘文件“回盘.csv”中重复：第2行和第6行"]


def test_check_against_an_agreeing_return():
    got = returned(*[(i + 2, x.reference, x.account_number, x.amount) for i, x in enumerate(LINES)])
    assert bankfiles.check_against(got, EXPECTED, "回盘.csv") == []


def test_a_duplicate_read_from_the_file(tmp_path):
    path = text_file(tmp_path, HEAD + csv_row(LINES[0]) + csv_row(LINES[1]) + csv_row(LINES[0]), CSV)
    got = bankfiles.read_return(path, path.name, CSV, limits=LIMITS)
    problems = bankfiles.check_against(got, EXPECTED, path.name, layout=CSV)
    assert [(p.row, p.column) for p in problems] == [(4, "业务流水号")] and "第2行和第4行" in problems[0].message


def test_the_error_is_one_value_error_with_its_problems():
    err = ReturnFileError("回盘.csv", [bankfiles.Problem(3, "金额（元）", "金额应大于0")])
    assert isinstance(err, ValueError) and err.total == 1
    assert str(err) == "回盘文件“回盘.csv”有 1 处问题，整份未导入：\n文件“回盘.csv”第3行“金额（元）”列：金额应大于0"


def test_paylines_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        LINES[0].amount = 1
