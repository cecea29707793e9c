import datetime as dt

from django.core.management import call_command

from fangpin.demo.generate import generate
from fangpin.monitoring.feeds import FEEDS
from fangpin.lib import creditcode, idnumber


def test_generated_people_are_valid_and_of_their_county():
    doc = generate(county_code="610327000000", villages=["610327100001", "610327100002"], households=200, seed=3)
    ids = [m["id_number"] for m in doc["members"]]
    assert len(ids) == len(set(ids)) > 400
    for m in doc["members"]:
        info = idnumber.parse(m["id_number"])
        assert info.region == "610327" and info.birth_date <= dt.date.today()
        assert 2 <= len(m["name"]) <= 4
    for e in doc["enterprises"]:
        creditcode.validate(e["credit_code"])
    heads = [m for m in doc["members"] if m["relation"] == "head"]
    assert len(heads) == len(doc["households"])
    assert {h["category"] for h in doc["households"]} == {"lifted", "monitored", "ordinary"}
    assert all(h["monitor_type"] for h in doc["households"] if h["category"] == "monitored")


def test_same_seed_same_data():
    a = generate(county_code="140603000000", villages=["140603203200"], households=20, seed=9)
    b = generate(county_code="140603000000", villages=["140603203200"], households=20, seed=9)
    assert a == b


def test_demo_setup_small(db, monkeypatch, capsys, settings, tmp_path):
    from fangpin.demo import setup
    from fangpin.monitoring.models import FeedUpload, Warning
    from fangpin.registry.models import Household

    settings.FEEDS_DIR = tmp_path / "feeds"
    monkeypatch.setattr(setup, "DEMO_SIZES", {setup.PINGLU: 300, setup.LONGXIAN: 20})
    call_command("demo_setup")
    out = capsys.readouterr().out
    assert "演示账号（密码均为 fangpin-demo-2026）" in out and "cunji" in out and "县乡村振兴局" in out
    assert Household.objects.filter(village__code__startswith="140603203").count() == 300
    assert Household.objects.filter(village__code__startswith="610327").count() == 20
    # The demo's department files: every planted risk warns, none of the noise rows does.
    assert FeedUpload.objects.count() == len(FEEDS) and "完成筛查比对：新增预警" in out
    from fangpin.monitoring.screening import RULES

    departments = Warning.objects.filter(rule__in=[r.id for r in RULES.rules])
    assert departments.exists() and not departments.exclude(household__village__code__startswith="140603").exists()
    # last year's income accounting raised warnings in both counties
    incomes = Warning.objects.filter(rule__in=[r.id for r in RULES.income])
    assert {w.household.village_id[:6] for w in incomes} == {"140603", "610327"}
    # the procedure at every stage in 双碾村, so each level's screens have a case to show
    from fangpin.monitoring.models import Case, ContactCadre, Measure

    states = set(Case.objects.filter(household__village_id="140603203200").values_list("state", flat=True))
    assert {"village", "notice", "township", "county", "done"} <= states, states
    assert "已建立双碾村各环节的演示案件" in out and "已设置演示用监测标准" in out
    from fangpin.monitoring.models import IncomeAccount, MonitoringLine

    assert MonitoringLine.objects.filter(region_prefix="140603").exists() and IncomeAccount.objects.exists()
    assert all("演示数值" in line.reason for line in MonitoringLine.objects.all())
    import datetime as dt

    from django.utils import timezone

    from fangpin.monitoring import criteria

    today = timezone.localdate()
    enrolled = Case.objects.get(state="done", risk_causes__startswith="因灾房屋受损").household
    assert enrolled.category == "monitored" and ContactCadre.objects.filter(household=enrolled).exists()
    assert Measure.objects.filter(household=enrolled).count() == 2
    assert Measure.objects.get(household=enrolled, kind="employment").benefit_label == "务工就业交通补贴（双发〔2022〕67号第10条）"
    assert Case.objects.filter(green=True, channel="self_application").get().household.category == "monitored"
    # 陇县's demo disaster: its affected households enrolled in bulk through the green channel
    bulk = Case.objects.filter(green=True, channel="disaster_list")
    assert bulk.exists() and all(c.household.village_id.startswith("610327") for c in bulk)
    # referrals to civil affairs in both counties, most answered
    from fangpin.monitoring.models import Referral

    assert {r.household.village_id[:6] for r in Referral.objects.all()} == {"140603", "610327"}
    # every pairing is with a cadre of the roster, and copies what the roster says
    assert not ContactCadre.objects.filter(cadre__isnull=True).exists()
    assert all(p.name == p.cadre.name and p.phone == p.cadre.phone for p in ContactCadre.objects.select_related("cadre"))
    # households enrolled long enough ago: two may have their risk eliminated now, one had it eliminated
    long_ago = [c.household for c in Case.objects.filter(kind="enrollment", state="done", closed_at__date__lt=today
                                                         - dt.timedelta(days=200))]
    assert len(long_ago) in (2, 3)
    eliminated = [h for h in long_ago if h.risk_eliminated_on]
    assert len(eliminated) == 1 and eliminated[0].risk_eliminated_on < today
    ready = [h for h in long_ago if not h.risk_eliminated_on]
    assert ready and all(criteria.failures(h, today=today) == [] for h in ready)
    counts = {"done": 2 + len(long_ago), "village": 2, "notice": 1, "township": 1, "county": 1}
    procedure = Case.objects.exclude(channel="disaster_list")
    assert {s: procedure.filter(state=s).count() for s in counts} == counts
    # payments: a round paid (the ledger has rows, some failed), one being noticed with an objection
    from fangpin.payments.models import Objection, PaymentRound, RoundRow

    first, second = PaymentRound.objects.order_by("pk")
    assert first.state in ("issued", "closed") and second.state == "open"
    assert RoundRow.objects.filter(round=first, payment__status="paid").exists()
    assert RoundRow.objects.filter(round=first, payment__status="failed", payment__held=False).exists()
    assert Objection.objects.filter(row__round=second, outcome="").exists() and "演示兑现批次 2 批" in out
    # indicator snapshots: the suite's demo takes three days (conftest), for each top unit, each done once
    from fangpin.indicators.models import Snapshot

    days = sorted(set(Snapshot.objects.filter(state="done").values_list("on", flat=True)))
    assert days[:2] == [dt.date(today.year - 1, 6, 30), dt.date(today.year - 1, 12, 31)] and len(days) == 3
    snapshots = Snapshot.objects.count()
    cases = Case.objects.count()
    call_command("demo_setup", "--quiet-accounts")  # idempotent
    assert Household.objects.count() == 320 and FeedUpload.objects.count() == len(FEEDS) and Case.objects.count() == cases
    assert PaymentRound.objects.count() == 2 and Snapshot.objects.count() == snapshots
