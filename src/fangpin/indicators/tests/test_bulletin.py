"""The 调度通报: its content from a snapshot (ranking best first, at_most the lowest first; figures formatted in their
units), the workbook's sheets and Chinese headers, and the PDF with its Chinese text and Noto CJK fonts."""
from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zlib

import pytest

from conftest import LONGXIAN, PINGLU, SHUANGNIAN
from fangpin.indicators import bulletin, status
from fangpin.indicators.catalog import Indicator, Milestone, Target
from fangpin.indicators.models import IndicatorValue, Snapshot
from fangpin.orgunits.models import OrgUnit

ON = dt.date(2025, 10, 31)
LEVELS = ("county", "township")


def _indicator(key, title, unit, group, targets, order):
    return Indicator(key=key, title=title, unit=unit, group=group, seed="004.txt", clause=f"湖南十条 {order + 1}",
                     quote=f"{title}的原文", form="measure", measures=(), targets=tuple(targets), reading="口径说明",
                     order=order)


WORKERS = _indicator("workers", "脱贫人口务工就业规模", "人", "稳岗就业",
                     [Target("at_least", (), 1000.0, LEVELS, ("14",), None)], 0)
SPENDING = _indicator("spending", "衔接资金支出进度", "%", "资金项目", [Target(
    "at_least", (Milestone((6, 30), 0.6), Milestone((9, 30), 0.8), Milestone((12, 31), 1.0)), None, LEVELS, ("14",),
    None)], 1)
RISK = _indicator("risk", "监测对象风险未消除占比", "%", "监测帮扶",
                  [Target("at_most", (), 0.1, LEVELS, ("14",), None)], 2)
INCOME = _indicator("income", "脱贫人口人均纯收入", "元", "稳岗就业",
                    [Target("not_below_last_year", (), None, LEVELS, ("14",), None)], 3)
CATALOG = {i.key: i for i in (WORKERS, SPENDING, RISK, INCOME)}


def townships():
    return list(OrgUnit.objects.filter(parent_id=PINGLU).order_by("code").values_list("code", flat=True))


def make_snapshot(on=ON) -> Snapshot:
    """平鲁区 and its first four townships (双碾乡 among them), with figures set by hand."""
    snap = Snapshot.objects.create(area_id=PINGLU, on=on, kind=Snapshot.Kind.MONTHLY, state=Snapshot.State.DONE)
    t = [c for c in townships() if c != SHUANGNIAN][:3]
    rows = [
        # the county
        ("workers", PINGLU, None, 1200, 1200.0, 1000.0, status.MET, 1000.0, None, -200.0, None, 0),
        ("spending", PINGLU, None, 85, 0.85, 0.9, status.AT_RISK, 1.0, 0.935, 0.15, dt.date(2025, 12, 31), 0),
        ("risk", PINGLU, None, 12, 0.12, 0.08, status.MISSED, 0.1, None, 0.02, None, 0),
        ("income", PINGLU, None, 1500000, 15000.0, 14000.0, status.MET, 14000.0, None, -1000.0, None, 0),
        # its townships: workers 500, 500, 300 and one with no data; risk 20%, 5%, 10%, 10%
        ("workers", SHUANGNIAN, PINGLU, 300, 300.0, None, status.MISSED, 1000.0, None, 700.0, None, 0),
        ("workers", t[0], PINGLU, 500, 500.0, None, status.MISSED, 1000.0, None, 500.0, None, 0),
        ("workers", t[1], PINGLU, 500, 500.0, None, status.MISSED, 1000.0, None, 500.0, None, 0),
        ("workers", t[2], PINGLU, None, None, None, status.NO_DATA, 1000.0, None, None, None, 0),
        ("risk", SHUANGNIAN, PINGLU, 20, 0.2, None, status.MISSED, 0.1, None, 0.1, None, 0),
        ("risk", t[0], PINGLU, 5, 0.05, None, status.MET, 0.1, None, -0.05, None, 0),
        ("risk", t[1], PINGLU, 10, 0.1, None, status.MET, 0.1, None, 0.0, None, 0),
        ("risk", t[2], PINGLU, 10, 0.1, None, status.MET, 0.1, None, 0.0, None, 0),
    ]
    IndicatorValue.objects.bulk_create(IndicatorValue(
        snapshot=snap, indicator=k, unit_id=u, parent_id=p, numerator=n, denominator=100 if k == "risk" else None,
        value=v, base=b, status=s, bound=bound, expected=e, gap=g, due=due, target=ti)
        for k, u, p, n, v, b, s, bound, e, g, due, ti in rows)
    return snap


@pytest.fixture
def snap(db):
    return make_snapshot()


@pytest.fixture
def pinglu(db):
    return OrgUnit.objects.get(code=PINGLU)


@pytest.fixture
def content(snap, pinglu):
    return bulletin.content(snap, pinglu, catalog=CATALOG)


def _ranking(c, key):
    return next(b for b in c["rankings"] if b["key"] == key)


def test_title_and_summary(content):
    assert content["title"] == "平鲁区巩固拓展脱贫攻坚成果指标调度通报（2025年10月）"
    assert content["on_text"] == "2025年10月31日" and content["last_year_text"] == "2024年10月31日"
    assert content["summary"] == "共4项指标：达标2项，正常推进0项，有风险1项，未达标1项。"
    assert content["attention"] == {"未达标": ["监测对象风险未消除占比"], "有风险": ["衔接资金支出进度"]}


def test_a_day_within_the_month_says_so():
    assert bulletin.period_text(dt.date(2025, 10, 15)) == "截至2025年10月15日"
    assert bulletin.period_text(dt.date(2024, 2, 29)) == "2024年2月"


def test_groups_keep_the_catalogs_order_and_stay_together(content):
    assert [(g["name"], [r["key"] for r in g["rows"]]) for g in content["groups"]] == [
        ("稳岗就业", ["workers", "income"]), ("资金项目", ["spending"]), ("监测帮扶", ["risk"])]


def test_rows_are_formatted_in_their_units(content):
    rows = {r["key"]: r for g in content["groups"] for r in g["rows"]}
    w = rows["workers"]
    assert (w["value_text"], w["base_text"], w["change_text"]) == ("1,200人", "1,000人", "增加200人（+20.0%）")
    assert (w["target_text"], w["status_label"], w["gap_text"]) == ("不低于1,000人", "达标", "超出目标200人")
    s = rows["spending"]
    assert (s["value_text"], s["base_text"], s["change_text"]) == ("85%", "90%", "减少5个百分点")
    assert s["target_text"] == "6月30日不低于60%，9月30日不低于80%，12月31日不低于100%"
    assert (s["status_label"], s["gap_text"]) == ("有风险", "距目标差15个百分点；按序时进度应达93.5%")
    r = rows["risk"]
    assert (r["target_text"], r["status_label"], r["gap_text"]) == ("不超过10%", "未达标", "超出上限2个百分点")
    i = rows["income"]
    assert (i["value_text"], i["target_text"], i["gap_text"]) == ("15,000.00元", "不低于上年同期", "高于上年同期1,000.00元")
    assert (w["clause"], w["quote"]) == ("湖南十条 1", "脱贫人口务工就业规模的原文")


def test_at_least_ranks_the_highest_first_ties_share_a_rank_no_data_last(content):
    b = _ranking(content, "workers")
    assert not b["lower_is_better"] and b["order_text"] == "数值越高越靠前"
    assert [(r["rank"], r["value_text"]) for r in b["rows"]] == [(1, "500人"), (1, "500人"), (3, "300人"), (None, "—")]
    assert b["rows"][2]["name"] == "双碾乡" and b["rows"][2]["status_label"] == "未达标"
    assert content["child_level"] == "乡镇"


def test_at_most_ranks_the_lowest_first(content):
    b = _ranking(content, "risk")
    assert b["lower_is_better"] and b["order_text"] == "数值越低越靠前"
    assert [(r["rank"], r["value_text"]) for r in b["rows"]] == [(1, "5%"), (2, "10%"), (2, "10%"), (4, "20%")]
    assert b["rows"][-1]["name"] == "双碾乡"


def test_only_indicators_with_children_values_are_ranked(content):
    assert [b["key"] for b in content["rankings"]] == ["workers", "risk"]


def test_a_township_has_its_own_figures_and_no_children_here(snap):
    c = bulletin.content(snap, OrgUnit.objects.get(code=SHUANGNIAN), catalog=CATALOG)
    assert c["title"].startswith("双碾乡巩固拓展") and c["rankings"] == []
    assert c["summary"] == "共2项指标：达标0项，正常推进0项，有风险0项，未达标2项。"


def test_a_unit_outside_the_snapshot_or_an_unfinished_snapshot_is_refused(snap):
    with pytest.raises(ValueError, match="不在快照范围"):
        bulletin.content(snap, OrgUnit.objects.get(code=LONGXIAN), catalog=CATALOG)
    running = Snapshot.objects.create(area_id=PINGLU, on=ON, kind=Snapshot.Kind.ON_DEMAND)
    with pytest.raises(ValueError, match="尚未完成"):
        bulletin.content(running, OrgUnit.objects.get(code=PINGLU), catalog=CATALOG)


def test_indicators_no_longer_in_the_catalog_are_left_out(snap, pinglu):
    c = bulletin.content(snap, pinglu, catalog={"workers": WORKERS})
    assert [r["key"] for g in c["groups"] for r in g["rows"]] == ["workers"]


# --- the workbook ---------------------------------------------------------------------------------------------------

def test_workbook_opens_with_its_sheets_and_chinese_headers(content, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    path = tmp_path / "通报.xlsx"
    bulletin.write_xlsx(content, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["通报", "排名", "说明"]
    ws = wb["通报"]
    assert ws["A1"].value == "平鲁区巩固拓展脱贫攻坚成果指标调度通报（2025年10月）"
    assert [c.value for c in ws[4]] == ["指标组", "指标", "单位", "本期值", "上年同期", "同比变化", "目标", "状态",
                                       "差距", "依据条款"]
    assert ws.freeze_panes == "C5"
    assert [ws.cell(r, 2).value for r in range(5, 9)] == ["脱贫人口务工就业规模", "脱贫人口人均纯收入", "衔接资金支出进度",
                                                          "监测对象风险未消除占比"]
    assert ws["H7"].value == "有风险" and ws["D5"].value == "1,200人"
    ranks = wb["排名"]
    assert [c.value for c in ranks[3]] == ["指标", "排序", "名次", "区划代码", "单位名称", "数值", "状态"]
    risk = [[c.value for c in row] for row in ranks.iter_rows(min_row=4) if row[0].value == "监测对象风险未消除占比"]
    assert [(r[2], r[5]) for r in risk] == [(1, "5%"), (2, "10%"), (2, "10%"), (4, "20%")]
    notes = wb["说明"]
    texts = [c.value for row in notes.iter_rows() for c in row if c.value]
    assert "“脱贫人口务工就业规模的原文”" in texts and any(str(t).startswith("状态判定规则") for t in texts)


def test_workbook_into_a_buffer(content):
    data = bulletin.xlsx_bytes(content)
    assert data[:2] == b"PK"
    openpyxl = pytest.importorskip("openpyxl")
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames == ["通报", "排名", "说明"]


# --- the PDF --------------------------------------------------------------------------------------------------------

def pdf_fonts(data: bytes) -> set[str]:
    """The fonts a PDF names, read from its (compressed) object streams too."""
    names = set()
    for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            body = zlib.decompress(m.group(1))
        except zlib.error:
            continue
        names |= {n.decode() for n in re.findall(rb"/BaseFont\s*/([^\s/<>\[\]()]+)", body)}
    names |= {n.decode() for n in re.findall(rb"/BaseFont\s*/([^\s/<>\[\]()]+)", data)}
    return names


@pytest.fixture
def pdf_bytes(content):
    return bulletin.pdf(content)


def test_pdf_embeds_noto_cjk(pdf_bytes):
    assert pdf_bytes.startswith(b"%PDF")
    fonts = pdf_fonts(pdf_bytes)
    assert fonts and all("Noto" in f and "CJK" in f for f in fonts), fonts


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdf_text_is_chinese_with_page_numbers(pdf_bytes, tmp_path):
    path = tmp_path / "b.pdf"
    path.write_bytes(pdf_bytes)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "平鲁区巩固拓展脱贫攻坚成果指标调度通报（2025年10月）" in flat
    assert "共4项指标：达标2项，正常推进0项，有风险1项，未达标1项。" in flat
    assert re.search(r"第1页，共\d+页", flat) and "所辖乡镇排名" in flat and "双碾乡" in flat


def test_pdf_repeats_table_headers_over_pages(snap, pinglu, tmp_path):
    """A long ranking spreads over pages; each page starts its table with the header again."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    c = bulletin.content(snap, pinglu, catalog=CATALOG)
    block = _ranking(c, "workers")
    block["rows"] = [dict(block["rows"][0], rank=i, name=f"测试乡{i}") for i in range(1, 120)]
    path = tmp_path / "long.pdf"
    path.write_bytes(bulletin.pdf(c))
    pages = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 3
    with_ranking = [p for p in pages if "测试乡" in p]
    assert len(with_ranking) >= 2 and all("名次" in p for p in with_ranking)
    assert f"共 {len(pages)} 页" in pages[-1] or f"共{len(pages)}页" in re.sub(r"\s+", "", pages[-1])
