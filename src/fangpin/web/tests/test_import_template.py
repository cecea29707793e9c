"""The import template a user downloads lists the villages of that user's area."""
import io

import openpyxl
from django.test import Client


def village_list(user) -> list[tuple]:
    c = Client()
    c.force_login(user)
    response = c.get("/import/template.xlsx")
    assert response.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return list(wb["村名单"].iter_rows(min_row=2, values_only=True))


def test_each_user_downloads_the_villages_of_the_own_area(world):
    assert village_list(world.clerk) == [("双碾乡双碾村", "140603203200")]
    county = village_list(world.county)
    assert ("双碾乡吴家窑村", "140603203203") in county and all(code.startswith("140603") for _, code in county)
