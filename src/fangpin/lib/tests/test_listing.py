"""Lists: the sort a page may apply, its header links, and the Excel file of its rows."""
import datetime as dt

import openpyxl
import pytest

from fangpin.lib import listing

COLUMNS = [
    listing.Column("number", "户编号", lambda r: r["number"], ("number",)),
    listing.Column("name", "户主", lambda r: r["name"]),
    listing.Column("village", "村", lambda r: r["village"], ("village_id", "-number")),
    listing.Column("size", "人口", lambda r: r["size"], num=True),
]


class FakeQuery:
    def order_by(self, *fields):
        """The ORDER BY as field names ("-" for descending); rising ones must put empty values last."""
        out = []
        for f in fields:
            if isinstance(f, str):
                out.append(f)
            else:
                assert f.descending or f.nulls_last, f
                out.append(("-" if f.descending else "") + f.expression.name)
        return tuple(out)


@pytest.mark.parametrize("requested,fields,key", [
    ("number", ("number", "pk"), "number"),
    ("-number", ("-number", "-pk"), "-number"),
    ("village", ("village_id", "-number", "pk"), "village"),
    ("-village", ("-village_id", "number", "-pk"), "-village"),  # every field turns, the tie-break too
    ("name", ("village_id", "-number", "pk"), "village"),  # not sortable (no index serves it): the default
    ("size; DROP TABLE x", ("village_id", "-number", "pk"), "village"),
    ("", ("village_id", "-number", "pk"), "village"),
])
def test_sort_takes_only_sortable_columns(requested, fields, key):
    assert listing.sort(FakeQuery(), COLUMNS, requested, "village") == (fields, key)


def test_header_links_keep_the_filters_and_turn_the_current_sort():
    heads = listing.headers(COLUMNS, "number", {"village": "140603203200", "page": "3", "sort": "number", "q": ""})
    by = {h["header"]: h for h in heads}
    assert by["户编号"]["link"] == "?village=140603203200&sort=-number" and by["户编号"]["mark"] == "▲"
    assert by["村"]["link"] == "?village=140603203200&sort=village" and by["村"]["mark"] == ""
    assert by["户主"]["link"] == "" and by["人口"]["num"]
    assert listing.headers(COLUMNS, "-number", {})[0]["link"] == "?sort=number"
    assert listing.export_link({"village": "1", "page": "2"}) == "?village=1&format=xlsx"


def test_the_excel_file_has_the_filters_the_rows_and_the_totals(tmp_path):
    rows = [{"number": "A1", "name": "王一", "village": "双碾村", "size": 3},
            {"number": "A2", "name": "李二", "village": "双碾村", "size": 2}]
    dated = COLUMNS + [listing.Column("on", "日期", lambda r: dt.date(2025, 6, 30))]
    n = listing.write_xlsx(tmp_path / "x.xlsx", title="户籍信息", filters=["村：双碾村"], columns=dated, rows=rows,
                           totals={"size": 5})
    ws = openpyxl.load_workbook(tmp_path / "x.xlsx").active
    values = [list(r) for r in ws.iter_rows(values_only=True)]
    assert n == 2 and values[0][0] == "户籍信息" and values[1][0] == "村：双碾村"
    assert values[4] == ["户编号", "户主", "村", "人口", "日期"]
    assert values[5][:4] == ["A1", "王一", "双碾村", 3] and values[5][4] == dt.datetime(2025, 6, 30)
    assert values[7][0] == "合计" and values[7][3] == 5


def test_more_rows_than_the_limit_are_refused(tmp_path):
    rows = ({"number": str(i), "name": "", "village": "", "size": 1} for i in range(11))
    with pytest.raises(listing.TooMany, match="超过 10 行"):
        listing.write_xlsx(tmp_path / "x.xlsx", title="t", filters=[], columns=COLUMNS, rows=rows, limit=10)
    assert listing.write_xlsx(tmp_path / "y.xlsx", title="t", filters=[], columns=COLUMNS,
                              rows=({"number": str(i), "name": "", "village": "", "size": 1} for i in range(10)),
                              limit=10) == 10


def test_rows_beyond_a_sheet_go_on_to_the_next_with_the_same_header(tmp_path):
    rows = ({"number": f"A{i}", "name": "", "village": "", "size": 1} for i in range(7))
    seen = []
    n = listing.write_xlsx(tmp_path / "x.xlsx", title="户籍信息", filters=["村：双碾村"], columns=COLUMNS, rows=rows,
                           sheet_rows=3, progress=seen.append, every=2)
    wb = openpyxl.load_workbook(tmp_path / "x.xlsx")
    sheets = [[list(r) for r in ws.iter_rows(values_only=True)] for ws in wb.worksheets]
    assert n == 7 and wb.sheetnames == ["户籍信息", "户籍信息（2）", "户籍信息（3）"]
    assert [s[1][0] for s in sheets] == ["村：双碾村"] * 3 and sheets[1][0][0] == "户籍信息（续1）"
    assert all(s[4] == ["户编号", "户主", "村", "人口"] for s in sheets)
    assert [r[0] for s in sheets for r in s[5:]] == [f"A{i}" for i in range(7)]
    assert seen == [2, 4, 6]
