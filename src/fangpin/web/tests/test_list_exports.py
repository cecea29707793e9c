"""Every list exports what it shows: the same filters, the same order, the same columns, ID numbers masked as on the
page; and sorts only by the columns it offers."""
import io

import openpyxl
from django.test import Client

from conftest import SHUANGNIAN_CUN, make_household


def sheet(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content)
    return [list(r) for r in openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]


def client_for(user):
    c = Client()
    c.force_login(user)
    return c


def test_household_list_exports_its_filtered_rows_in_its_order(world, households):
    make_household(SHUANGNIAN_CUN, "1406032032000002", head_name="赵一")
    make_household(SHUANGNIAN_CUN, "1406032032000003", category="monitored", monitor_type="marginal", head_name="钱二")
    c = client_for(world.county)
    page = c.get("/households/", {"township": "140603203000", "village": SHUANGNIAN_CUN, "sort": "-number"})
    html = page.content.decode()
    assert "?township=140603203000&amp;village=140603203200&amp;sort=-number&amp;format=xlsx" in html
    rows = sheet(c.get("/households/", {"township": "140603203000", "village": SHUANGNIAN_CUN, "sort": "-number",
                                        "format": "xlsx"}))
    assert rows[0][0] == "户籍信息" and "村：双碾村" in rows[1][0]
    assert rows[4] == ["户编号", "户主", "户主身份证号", "所在村", "户类别", "监测对象类型", "人口", "低保"]
    body = rows[5:]
    assert [r[0] for r in body] == ["1406032032000003", "1406032032000002", "1406032032000001"]
    assert body[0][1] == "钱二" and body[0][4] == "监测户" and body[0][5] == "边缘易致贫户" and body[0][6] == 1
    # the page shows the same households in the same order
    assert html.index("1406032032000003") < html.index("1406032032000002") < html.index("1406032032000001")


def test_the_export_masks_id_numbers_as_the_page_does(world, households):
    head = households["shuangnian"].members.get(relation="head")
    county_rows = sheet(client_for(world.county).get("/households/", {"village": SHUANGNIAN_CUN, "format": "xlsx"}))
    township_rows = sheet(client_for(world.township).get("/households/", {"village": SHUANGNIAN_CUN, "format": "xlsx"}))
    assert county_rows[5][2] == head.id_number
    assert township_rows[5][2] != head.id_number and township_rows[5][2].startswith(head.id_number[:4] + "*")
    assert head.id_number not in str(township_rows)


def test_the_export_stays_in_the_users_area(world, households):
    rows = sheet(client_for(world.clerk).get("/households/", {"format": "xlsx"}))
    assert [r[0] for r in rows[5:]] == [households["shuangnian"].number]


def warning(household, deadline, status="open", risk="medical", period="2025"):
    import datetime as dt

    from fangpin.monitoring.models import Warning

    return Warning.objects.create(household=household, rule="medical", label="大额医疗支出", period=period, risk=risk,
                                  reason="住院自付超过上年家庭收入一半", source_count=1, status=status,
                                  deadline=dt.date.fromisoformat(deadline))


def test_warning_list_filters_sorts_and_exports_what_it_shows(world, households):
    sn, wj = households["shuangnian"], households["wujiayao"]
    warning(sn, "2026-12-20")
    warning(wj, "2026-12-10")
    warning(sn, "2026-12-01", status="dismissed", period="2024")
    warning(households["longxian"], "2026-12-05")  # another county: never in 平鲁区's list
    c = client_for(world.county)
    rows = sheet(c.get("/monitoring/warnings/", {"status": "open", "format": "xlsx"}))
    assert rows[0][0] == "预警清单" and rows[1][0] == "状态：待核实"
    assert rows[4] == ["核实期限", "户", "村", "预警类别", "风险类别", "预警原因", "状态", "生成时间"]
    assert [(r[1], r[6]) for r in rows[5:]] == [("李秀英（1406032032030001）", "待核实"), ("王建国（1406032032000001）", "待核实")]
    assert rows[5][4] == "医疗"  # the label, not the stored code
    by_village = sheet(c.get("/monitoring/warnings/", {"village": SHUANGNIAN_CUN, "sort": "-deadline", "format": "xlsx"}))
    assert [r[0].date().isoformat() for r in by_village[5:]] == ["2026-12-20", "2026-12-01"]
    page = c.get("/monitoring/warnings/", {"village": SHUANGNIAN_CUN, "sort": "-deadline"}).content.decode()
    assert page.index("2026-12-20") < page.index("2026-12-01") and "李秀英" not in page


def test_case_list_under_way_and_export(world, households):
    from fangpin.monitoring import workflow
    from fangpin.monitoring.models import Case

    case = workflow.open_case(world.clerk, households["shuangnian"], kind=Case.Kind.ENROLLMENT,
                              channel=Case.Channel.CADRE_VISIT, monitor_type="unstable", risk_causes="务工中断")
    rows = sheet(client_for(world.township).get("/monitoring/cases/", {"state": "under_way", "format": "xlsx"}))
    assert rows[1][0] == "乡镇：双碾乡；环节：办理中（各环节）"
    assert [r[1] for r in rows[5:]] == [f"第{case.pk}号"] and rows[5][5] == "待村级评议"
    assert sheet(client_for(world.township).get("/monitoring/cases/", {"state": "done", "format": "xlsx"}))[5:] == []
    assert sheet(client_for(world.other_county).get("/monitoring/cases/", {"format": "xlsx"}))[5:] == []


def test_measure_list_filters_and_exports(world, households):
    import datetime as dt

    from fangpin.monitoring import assistance

    wj = households["wujiayao"]
    assistance.add_measure(world.county, wj, kind="employment", description="推荐务工", start=dt.date(2026, 3, 1),
                           status="in_progress", benefit="sn2022-67:transport_subsidy")
    assistance.add_measure(world.county, wj, kind="industry", description="庭院养殖", start=dt.date(2026, 5, 1))
    assistance.add_measure(world.other_county, households["longxian"], kind="industry", description="陇县的措施",
                           start=dt.date(2026, 4, 1))
    c = client_for(world.township)
    rows = sheet(c.get("/monitoring/measures/", {"format": "xlsx"}))
    assert rows[0][0] == "帮扶措施清单" and rows[4][:4] == ["开始日期", "户", "村", "措施类别"]
    assert [r[4] for r in rows[5:]] == ["庭院养殖", "推荐务工"]  # the newest first; 陇县's never
    assert rows[6][5] == "务工就业交通补贴（双发〔2022〕67号第10条）" and rows[6][6] == "实施中"
    only = sheet(c.get("/monitoring/measures/", {"status": "in_progress", "sort": "start", "format": "xlsx"}))
    assert [r[4] for r in only[5:]] == ["推荐务工"] and "落实情况：实施中" in only[1][0]
