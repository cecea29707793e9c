"""The income accounting page: a county bureau sets its line and recomputes; readers see bands and flagged households."""
from django.test import Client

from fangpin.registry.models import IncomeRecord


def test_county_sets_line_recomputes_and_readers_see_the_result(world, households):
    h = households["shuangnian"]
    IncomeRecord.objects.create(household=h, year=2025, wage=1_500_000)  # 5,000 a person
    c = Client()
    c.force_login(world.county)
    r = c.post("/monitoring/income/", {"action": "line", "year": "2025", "line": "7000", "edge_factor": "1.5",
                                       "sharp_fall": "0.3", "reason": "区政府文件"})
    assert r.status_code == 302
    r = c.post("/monitoring/income/?year=2025", {"action": "recompute", "year": "2025"})
    body = r.content.decode()
    assert "2025年收入全面核算完成" in body and f"{h.number}" in body and "首次核算" in body
    reader = Client()
    reader.force_login(world.township)
    body = reader.get("/monitoring/income/?year=2025").content.decode()
    assert "7,000.00" in body or "7000" in body
    assert "低于监测标准" in body and h.number in body and "设置本县监测标准" not in body and "全面核算</button>" not in body
