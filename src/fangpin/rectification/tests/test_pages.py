"""The rectification pages as a user reads them: places by name, codes by label, each item's deadline and state, the
checks with their clause, and an entry with its check and history."""
import datetime as dt

import pytest
from django.test import Client

from conftest import SHUANGNIAN, SHUANGNIAN_CUN
from fangpin.rectification.models import Problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def problems(world):
    late = Problem.objects.create(code="PLZG1", found_on=dt.date(2020, 3, 1), source="unannounced_visit",
                                  category="guarantees", description="饮水设施冻管", org_unit_id=SHUANGNIAN_CUN,
                                  responsible_unit="双碾村民委员会", closed_on=dt.date(2020, 7, 2), reviewer="张志明",
                                  evidence="现场照片")
    open_ = Problem.objects.create(code="PLZG2", found_on=dt.date(2020, 8, 1), source="audit", category="funds",
                                   description="项目公示不全", org_unit_id=SHUANGNIAN, responsible_unit="双碾乡人民政府",
                                   deadline=dt.date(2020, 9, 30))
    return late, open_


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_list_shows_names_labels_and_each_items_state(world, problems):
    page = _client(world.county).get("/ledgers/rectification/rectification_problems/").content.decode()
    assert "双碾乡双碾村" in page and "暗访" in page and "两不愁三保障" in page
    assert "应整改到位日期" in page and "2020-06-30" in page and "逾期销号" in page and "逾期未整改" in page
    assert "140603203200" not in page and "unannounced_visit" not in page
    village = _client(world.clerk).get("/ledgers/rectification/rectification_problems/").content.decode()
    assert "饮水设施冻管" in village and "项目公示不全" not in village


def test_the_ledger_page_and_an_entry_show_the_checks(world, problems):
    late, _ = problems
    page = _client(world.county).get("/ledgers/rectification/?year=2020&on=2020-12-31").content.decode()
    assert "问题整改到位（逐项销号）" in page and "山西十二条 九" in page
    assert "已于2020-07-02销号（审核人：张志明），逾期2天" in page and "截至2020-12-31尚未销号，已逾期92天" in page
    assert "湖南十条 七" in page  # listed, with its region, though not judged here
    entry = _client(world.township).get(f"/ledgers/rectification/rectification_problems/{late.pk}/?on=2020-12-31")
    text = entry.content.decode()
    assert entry.status_code == 200 and "应于2020-06-30前整改到位" in text and "未达标" in text
    assert "变更记录" in text
    outside = _client(world.other_county).get(f"/ledgers/rectification/rectification_problems/{late.pk}/")
    assert outside.status_code == 404
