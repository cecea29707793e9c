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
