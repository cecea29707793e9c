"""The household page's 可享政策 panel and its API: the engine on registry rows, IDs masked per role."""
import datetime as dt

import pytest
from django.test import Client

from fangpin.registry.models import Employment


@pytest.fixture
def worker(world, households):
    h = households["shuangnian"]
    head = h.members.get(relation="head")
    Employment.objects.create(member=head, year=2025, place="cross_province", start_date=dt.date(2025, 1, 1), months=8,
                              monthly_wage=300000)
    return h, head


def test_panel_lists_what_is_owed_with_the_clause(world, worker):
    h, head = worker
    c = Client()
    c.force_login(world.clerk)
    page = c.get(f"/households/{h.pk}/?as_of=2025-06-30").content.decode()
    assert "可享政策" in page and "务工就业交通补贴" in page and "双发〔2022〕67号 第10条" in page
    assert "依据双发〔2022〕67号第11条：连续外出务工8个月（≥6个月），月工资3000元（≥1000元），按每月200元补助6个月，计1200元" in page
    assert "2,700.00" in page  # 1500 + 1200


def test_without_a_date_the_panel_uses_the_last_day_in_force_and_says_so(world, worker, monkeypatch):
    """Today is after 双发〔2022〕67号's end: the panel computes on 2025-12-31 instead of showing nothing."""
    from fangpin.web import views

    class Today(dt.date):
        @classmethod
        def today(cls):
            return cls(2026, 11, 23)

    monkeypatch.setattr(views.dt, "date", Today)
    h, _ = worker
    c = Client()
    c.force_login(world.clerk)
    page = c.get(f"/households/{h.pk}/").content.decode()
    assert "按双发〔2022〕67号的最后有效日（2025年12月31日）计算" in page
    assert 'value="2025-12-31"' in page and "务工就业交通补贴" in page


def test_out_of_force_date_says_why(world, worker):
    h, _ = worker
    c = Client()
    c.force_login(world.clerk)
    page = c.get(f"/households/{h.pk}/?as_of=2026-11-23").content.decode()
    assert "不在有效期内" in page and "务工就业交通补贴" not in page


@pytest.mark.parametrize("who,masked", [("clerk", False), ("township", True), ("county", False), ("leader", True)])
def test_api_masks_ids_per_role(world, worker, who, masked):
    h, head = worker
    c = Client()
    c.force_login(getattr(world, who))
    body = c.get(f"/api/households/{h.pk}/entitlements?as_of=2025-06-30").json()
    ids = {i["id_number"] for i in body["items"] if i["entity"] == "person"}
    assert ids == {head.id_number[:4] + "*" * 14 if masked else head.id_number}
    assert sum(i["amount"] for i in body["items"] if i["entity"] == "person") == 270000


def test_other_counties_households_are_not_evaluated(world, worker):
    h, _ = worker
    c = Client()
    c.force_login(world.other_county)
    assert c.get(f"/api/households/{h.pk}/entitlements?as_of=2025-06-30").status_code == 404


# --- what is the household's and what is an enterprise's ------------------------------------------------------------

@pytest.fixture
def employers(world, worker):
    """The head works for a cooperative that declared clause-6 industry figures for 2025 (it counts him as a worker of a
    lifted household) and was placed by an agency; another cooperative of the village declared too, unlinked."""
    from decimal import Decimal

    from fangpin.lib import creditcode
    from fangpin.registry.models import Enterprise

    h, head = worker
    declared = dict(kind="cooperative", org_unit_id=h.village_id, declared_year=2025)
    own = Enterprise.objects.create(credit_code=creditcode.make("140603", "MA0000011"), name="双碾养殖合作社",
                                    breeding_pigs=100, new_greenhouse_mu=Decimal("2.00"), **declared)
    other = Enterprise.objects.create(credit_code=creditcode.make("140603", "MA0000012"), name="双碾蔬菜合作社",
                                      drives_target=True, new_greenhouse_mu=Decimal("1.70"), cool_vegetable_mu=Decimal("20"),
                                      **declared)
    agency = Enterprise.objects.create(credit_code=creditcode.make("140603", "MA0000013"), name="平鲁人力资源公司",
                                       kind="intermediary", org_unit_id="140603000000")
    Employment.objects.filter(member=head).update(employer=own, agency=agency, contract_months=12)
    return own, other, agency


def test_household_panel_holds_only_the_households_rows(world, worker, employers):
    """Clause 6 pays the cooperatives, clause 12 the agency: not the household, although its head is the worker."""
    h, head = worker
    c = Client()
    c.force_login(world.clerk)
    page = c.get(f"/households/{h.pk}/?as_of=2025-06-30").content.decode()
    assert "务工就业交通补贴" in page and "务工就业稳岗奖补" in page
    assert "生猪良种补贴" not in page and "新建日光温室补助" not in page and "职业介绍补贴" not in page
    assert "<th class=\"num\">2,700.00</th>" in page  # 1500 + 1200, nothing of the enterprises'


@pytest.mark.parametrize("who", ["clerk", "township", "county", "leader"])
def test_household_api_answers_with_the_households_rows(world, worker, employers, who):
    h, head = worker
    c = Client()
    c.force_login(getattr(world, who))
    r = c.get(f"/api/households/{h.pk}/entitlements?as_of=2025-06-30")
    assert r.status_code == 200, r.content[:300]
    items = r.json()["items"]
    assert sorted((i["benefit_id"], i["entity"], i["amount"]) for i in items) == [
        ("job_retention_bonus", "person", 120000), ("transport_subsidy", "person", 150000)]
    assert {(i["household_number"], i["credit_code"]) for i in items} == {(h.number, None)}


def test_enterprise_page_shows_its_clause_6_subsidies(world, worker, employers):
    own, other, agency = employers
    c = Client()
    c.force_login(world.clerk)
    page = c.get(f"/enterprises/{own.pk}/?as_of=2025-06-30").content.decode()
    assert "可享政策" in page and "双发〔2022〕67号 第6条" in page
    assert "依据双发〔2022〕67号第6条：吸纳脱贫户和监测户劳动力务工，2025年良种生猪100头，每头50元，计5000元" in page
    assert "依据双发〔2022〕67号第6条：2025年新建日光温室2亩，每亩30000元，计60000元" in page
    assert "<th class=\"num\">65,000.00</th>" in page
    assert "务工就业交通补贴" not in page and "双碾蔬菜合作社" not in page
    other_page = c.get(f"/enterprises/{other.pk}/?as_of=2025-06-30").content.decode()
    assert "<th class=\"num\">53,000.00</th>" in other_page  # 1.7 mu × 30000 + 20 mu × 100, it drives by itself


def test_enterprise_paid_per_person_names_the_person(world, worker, employers):
    h, head = worker
    own, other, agency = employers
    c = Client()
    c.force_login(world.township)  # IDs masked
    page = c.get(f"/enterprises/{agency.pk}/?as_of=2025-06-30").content.decode()
    assert "职业介绍补贴" in page and "不超过 800.00" in page and head.name in page
    assert head.id_number[:4] + "*" * 14 in page and head.id_number not in page
    body = c.get(f"/api/enterprises/{agency.pk}/entitlements?as_of=2025-06-30").json()
    assert [(i["benefit_id"], i["credit_code"], i["household_number"], i["amount"], i["bound"]) for i in body["items"]] == [
        ("job_placement_subsidy", agency.credit_code, h.number, 80000, "at_most")]
    assert body["items"][0]["id_number"] == head.id_number[:4] + "*" * 14


def test_enterprise_api_gives_its_own_rows(world, worker, employers):
    own, other, agency = employers
    c = Client()
    c.force_login(world.county)
    r = c.get(f"/api/enterprises/{own.pk}/entitlements?as_of=2025-06-30")
    assert r.status_code == 200
    assert sorted((i["benefit_id"], i["amount"], i["credit_code"], i["household_number"]) for i in r.json()["items"]) == [
        ("breeding_pig_subsidy", 500000, own.credit_code, None),
        ("greenhouse_new_subsidy", 6000000, own.credit_code, None)]
    # an enterprise outside the user's area, with none of the user's people linked: not found
    c.force_login(world.other_county)
    assert c.get(f"/api/enterprises/{own.pk}/entitlements?as_of=2025-06-30").status_code == 404


def test_measure_form_offers_the_households_own_benefits(world, worker, employers, monkeypatch):
    """A measure of the household plan may name one of the household's benefits (监测帮扶 page): its own, by id."""
    from django.utils import timezone

    h, _ = worker
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: dt.date(2025, 6, 30))  # the document in force
    c = Client()
    c.force_login(world.clerk)
    page = c.get(f"/households/{h.pk}/monitoring/").content.decode()
    assert 'value="sn2022-67:transport_subsidy"' in page and "务工就业交通补贴（双发〔2022〕67号第10条，1500.00元）" in page
    assert "生猪良种补贴" not in page and "职业介绍补贴" not in page


# --- 第25条 through the workflow: enrolled, then the risk eliminated by village, township and county ----------------

def test_voucher_ends_on_the_day_the_county_eliminates_the_risk(world, households):
    from django.utils import timezone

    from fangpin.monitoring import workflow
    from fangpin.monitoring.models import Case, ContactCadre, IncomeAccount, Measure

    h = households["shuangnian"]  # lifted, three members
    c = Client()
    c.force_login(world.clerk)

    def vouchers(day):
        body = c.get(f"/api/households/{h.pk}/entitlements?as_of={day}").json()
        return [i for i in body["items"] if i["benefit_id"] == "consumption_voucher"]

    assert vouchers("2024-09-30") == []  # lifted, not monitored
    # enrollment: village (appraisal, notice), township, county
    start = dt.date(2024, 9, 2)
    case = workflow.open_case(world.clerk, h, kind="enrollment", channel="self_application", monitor_type="unstable",
                              risk_causes="因病，医疗支出大", today=start)
    appraisal = {"date": start, "attendance": 21, "record": "村民代表21人参加，一致同意"}
    workflow.act(world.clerk, case, "appraise", version=0, appraisal=appraisal, today=start)
    workflow.act(world.clerk, case, "submit", version=1, today=start + dt.timedelta(days=6))
    workflow.act(world.township, case, "approve", version=2, today=start + dt.timedelta(days=8))
    workflow.act(world.county, case, "approve", version=3, today=start + dt.timedelta(days=10))
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.make_aware(dt.datetime(2024, 9, 12, 10)))  # then
    h.refresh_from_db()
    assert (h.category, h.monitor_type, h.risk_eliminated_on) == ("monitored", "unstable", None)
    assert len(vouchers("2024-09-30")) == 3
    # assistance, and the 2024 income above the line: the elimination criteria hold in June 2025
    ContactCadre.objects.create(household=h, name="刘干部", unit="区农业农村局", phone="13800000000", since=start)
    Measure.objects.create(household=h, kind="employment", description="推荐到帮扶车间就业", status="in_progress",
                           start=start, created_by=world.clerk)
    IncomeAccount.objects.create(household=h, year=2024, size=3, net_income=3 * 800_000, per_capita=800_000,
                                 line=700_000, band="above")
    day = dt.date(2025, 6, 20)
    case = workflow.open_case(world.clerk, h, kind="elimination", risk_causes="务工收入稳定", today=day - dt.timedelta(days=10))
    workflow.act(world.clerk, case, "appraise", version=0, today=day - dt.timedelta(days=10),
                 appraisal={"date": day - dt.timedelta(days=10), "attendance": 20, "record": "一致同意风险消除"})
    workflow.act(world.clerk, case, "submit", version=1, today=day - dt.timedelta(days=4))
    workflow.act(world.township, case, "approve", version=2, today=day - dt.timedelta(days=2))
    assert len(vouchers(day)) == 3  # until the county decides, the risk is not eliminated
    workflow.act(world.county, case, "approve", version=3, today=day)
    h.refresh_from_db()
    assert h.risk_eliminated_on == day and h.category == "monitored"
    # the county's approval takes effect on its day
    assert len(vouchers(day - dt.timedelta(days=1))) == 3
    assert vouchers(day) == [] and vouchers("2025-12-31") == []
    page = c.get(f"/households/{h.pk}/?as_of={day}").content.decode()
    assert "风险消除日期</dt><dd>2025-06-20" in page and "爱心消费券" not in page
    page = c.get(f"/households/{h.pk}/?as_of={day - dt.timedelta(days=1)}").content.decode()
    assert "爱心消费券" in page and "未消除风险监测对象" in page
    # the API shows the date and cannot change it
    assert c.get(f"/api/households/{h.pk}").json()["risk_eliminated_on"] == "2025-06-20"
    c.patch(f"/api/households/{h.pk}", data='{"risk_eliminated_on": null, "address": "新址"}', content_type="application/json")
    h.refresh_from_db()
    assert h.risk_eliminated_on == day


def test_out_of_force_date_reads_no_registry_rows(world, worker, django_assert_max_num_queries):
    """No document in force on the date: nothing to compute, so neither the registry nor the engine is touched."""
    from fangpin.policies import entitlements

    h, _ = worker
    with django_assert_max_num_queries(3):  # the page's parameter values, nothing of the registry
        owed = entitlements.for_households(user=world.clerk, household_ids=[h.pk], village_code=h.village_id,
                                           as_of=dt.date(2026, 11, 23))
    assert owed.rows == [] and any("不在有效期内" in m for m in owed.messages)


@pytest.mark.parametrize("place,today,expected,noted", [
    ("140603203200", dt.date(2025, 12, 31), dt.date(2025, 12, 31), False),  # the last day in force: today
    ("140603203200", dt.date(2026, 1, 1), dt.date(2025, 12, 31), True),  # the day after: the last day, said
    ("140603203200", dt.date(2026, 12, 3), dt.date(2025, 12, 31), True),
    ("140603203200", dt.date(2022, 8, 11), dt.date(2022, 8, 11), False),  # before it began: nothing to fall back on
    ("140603100200", dt.date(2026, 12, 3), dt.date(2026, 12, 3), False),  # no document covers 平鲁区's other towns
    ("610327100206", dt.date(2026, 12, 3), dt.date(2026, 12, 3), False),  # 陇县's measures have no end
    ("140902100200", dt.date(2023, 5, 1), dt.date(2020, 12, 31), True),  # 忻州's 2020 rules
])
def test_the_default_date_falls_back_to_the_last_day_in_force(db, place, today, expected, noted):
    from fangpin.policies import entitlements

    day, note = entitlements.default_date(place, today)
    assert day == expected and bool(note) == noted
    if noted:
        assert f"{expected.year}年{expected.month}月{expected.day}日" in note
