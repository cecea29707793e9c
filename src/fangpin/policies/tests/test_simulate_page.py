"""The simulation page: a parameter changed on the registry of the user's area, totals by benefit, payer and village,
nothing saved."""
import datetime as dt

from django.test import Client

from fangpin.policies.models import ParameterValue
from fangpin.registry.models import Employment


def test_simulating_the_cross_province_transport_subsidy(world, households):
    head = households["shuangnian"].members.get(relation="head")
    Employment.objects.create(member=head, year=2025, place="cross_province", start_date=dt.date(2025, 1, 1), months=8,
                              monthly_wage=300000)
    c = Client()
    c.force_login(world.county)
    page = c.get("/policies/sn2022-67/simulate/", {"key": "transport_cross_province", "value": "2000",
                                                   "as_of": "2025-06-30"}).content.decode()
    assert 'id="simulate-summary"' in page and "跨省务工一次性交通补贴上限 模拟为 2000 元" in page
    assert "增加 500.00 元" in page  # 1,500 yuan now, 2,000 simulated, one worker
    assert "双碾村" in page and not ParameterValue.objects.exists()  # nothing saved


def test_a_bad_value_is_refused_on_its_field(world, households):
    c = Client()
    c.force_login(world.county)
    page = c.get("/policies/sn2022-67/simulate/", {"key": "transport_cross_province", "value": "abc",
                                                   "as_of": "2025-06-30"}).content.decode()
    assert 'id="simulate-summary"' not in page and "errorlist" in page


def test_without_a_date_the_form_offers_the_documents_last_day(world):
    c = Client()
    c.force_login(world.county)
    page = c.get("/policies/sn2022-67/simulate/").content.decode()
    assert 'value="2025-12-31"' in page
