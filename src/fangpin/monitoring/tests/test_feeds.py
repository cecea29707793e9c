"""Department files: CSV (UTF-8 or GBK), Excel and Parquet read to one table; a bad file is refused whole with every
problem named by file, row and column."""
import datetime as dt

import polars as pl
import pytest
import xlsxwriter

from fangpin.monitoring import feeds
from fangpin.monitoring.feeds import FEEDS, FeedError

TODAY = dt.date(2026, 11, 23)
MED = FEEDS["medical_insurance"]
EDU = FEEDS["education"]
ID = "140603198005170011"


def csv(tmp_path, text, name="med.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def xlsx(tmp_path, rows, name="edu.xlsx"):
    p = tmp_path / name
    wb = xlsxwriter.Workbook(p)
    ws = wb.add_worksheet()
    for i, r in enumerate(rows):
        ws.write_row(i, 0, r)
    wb.close()
    return p


def test_csv_to_normalized_rows(tmp_path):
    p = csv(tmp_path, "身份证号,姓名,结算日期,个人自付金额（元）\n"
                      f"{ID},王一,2025-03-01,\"1,234.5元\"\n"
                      "１４０６０３１９８００５１７００１ｘ, 王二 ,2025/3/2,0\n"
                      "\n")
    out = feeds.read(p, p.name, MED, today=TODAY)
    assert out.to_dicts() == [
        {"row": 2, "id_number": ID, "name": "王一", "date": dt.date(2025, 3, 1), "code": None, "amount": 123450},
        {"row": 3, "id_number": "14060319800517001X", "name": "王二", "date": dt.date(2025, 3, 2), "code": None,
         "amount": 0}]


def test_gbk_csv(tmp_path):
    p = csv(tmp_path, f"身份证号,姓名,结算日期,个人自付金额（元）\n{ID},王一,20250301,5\n", encoding="gbk")
    assert feeds.read(p, p.name, MED, today=TODAY)["date"].to_list() == [dt.date(2025, 3, 1)]


def test_every_bad_cell_is_named(tmp_path):
    p = csv(tmp_path, "身份证号,姓名,结算日期,个人自付金额（元）\n"
                      f"{ID},王一,2025-13-01,12.345\n"
                      f",,2027-01-01,-5\n")
    with pytest.raises(FeedError) as e:
        feeds.read(p, p.name, MED, today=TODAY)
    got = {(x.row, x.column, x.message) for x in e.value.problems}
    assert got == {
        (2, "C（结算日期）", "日期无法识别（应如 2025-03-01）"),
        (2, "D（个人自付金额（元））", "金额应为不小于0的数，最多两位小数（元）"),
        (3, "A（身份证号）", "身份证号为空"), (3, "B（姓名）", "姓名为空"), (3, "C（结算日期）", "日期晚于今天"),
        (3, "D（个人自付金额（元））", "金额应为不小于0的数，最多两位小数（元）")}
    assert "med.csv 第2行C（结算日期）列“2025-13-01”" in e.value.problems[0].text("med.csv")


def test_missing_column_is_named(tmp_path):
    p = csv(tmp_path, f"身份证号,姓名,日期\n{ID},王一,2025-01-01\n")
    with pytest.raises(FeedError) as e:
        feeds.read(p, p.name, MED, today=TODAY)
    assert [x.column for x in e.value.problems] == ["结算日期", "个人自付金额（元）"]


def test_excel_with_a_title_row_and_labels(tmp_path):
    p = xlsx(tmp_path, [["平鲁区教育局学籍变动情况（2025年）"], ["身份证号", "姓名", "变动日期", "学籍状态"],
                        [ID, "王小", "2025-09-01", "辍学"], [ID, "王小", "2025-10-01", "在读"],
                        [ID, "王小", "2025-10-02", "逃学"]])
    with pytest.raises(FeedError) as e:
        feeds.read(p, p.name, EDU, today=TODAY)
    [problem] = e.value.problems
    assert (problem.row, problem.column, problem.value) == (5, "D（学籍状态）", "逃学")
    assert "辍学、休学、在读、毕业、转学" in problem.message


def test_excel_codes(tmp_path):
    p = xlsx(tmp_path, [["身份证号", "姓名", "变动日期", "学籍状态"], [ID, "王小", "2025年9月1日", "辍学"]])
    out = feeds.read(p, p.name, EDU, today=TODAY)
    assert out.select("row", "date", "code").to_dicts() == [{"row": 2, "date": dt.date(2025, 9, 1), "code": "dropout"}]


def test_parquet_by_keys_or_headers(tmp_path):
    p = tmp_path / "edu.parquet"
    pl.DataFrame({"id_number": [ID], "name": ["王小"], "date": [dt.date(2025, 9, 1)], "code": ["dropout"]}
                 ).write_parquet(p)
    out = feeds.read(p, p.name, EDU, today=TODAY)
    assert out.select("row", "id_number", "code").to_dicts() == [{"row": 1, "id_number": ID, "code": "dropout"}]


@pytest.mark.parametrize("content,name", [(b"PK\x03\x04broken", "x.xlsx"), (b"\xff\xfe\x00garbage\x81", "x.csv"),
                                          (b"not parquet", "x.parquet")])
def test_unreadable_files(tmp_path, content, name):
    p = tmp_path / name
    p.write_bytes(content)
    with pytest.raises(FeedError) as e:
        feeds.read(p, name, MED, today=TODAY)
    assert e.value.problems and e.value.problems[0].row is None


def test_every_feed_has_the_common_columns():
    # 湖南十条 一's departments, plus the disabled persons' federation and civil affairs' low-income file (五)
    assert set(FEEDS) == {"civil_affairs", "civil_affairs_low_income", "disabled_federation", "education", "emergency",
                          "health", "housing", "human_resources", "medical_insurance", "water"}
    for f in FEEDS.values():
        assert list(f.headers)[:3] == ["id_number", "name", "date"]
