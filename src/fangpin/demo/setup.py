"""Demo set-up: the division slice, one account per role, synthetic households imported per county, and department
files with planted risks screened into warnings."""
from __future__ import annotations

import datetime as dt
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from fangpin.accounts.models import Role, User
from fangpin.exchange import importer
from fangpin.monitoring.models import FeedUpload, ScreeningRun
from fangpin.orgunits import loading
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.models import Household

from .generate import generate

PASSWORD = "fangpin-demo-2026"
SHUANGNIAN = "140603203000"  # 双碾乡, 平鲁区
PINGLU = "140603000000"
LONGXIAN = "610327000000"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    org_unit: str
    department: str = ""
    name: tuple[str, str] = ("", "")  # 姓, 名 (made up): pages name people, not login names


ACCOUNTS = (
    DemoAccount("cunji", Role.VILLAGE_CLERK, "140603203200", name=("王", "秀兰")),  # 双碾村
    DemoAccount("xiangzhen", Role.TOWNSHIP_REVIEWER, SHUANGNIAN, name=("李", "建华")),
    DemoAccount("xianju", Role.COUNTY_BUREAU, PINGLU, name=("张", "志明")),
    DemoAccount("bumen", Role.DEPARTMENT_OFFICER, PINGLU, "医保", name=("赵", "丽")),
    DemoAccount("lingdao", Role.LEADER, "140600000000", name=("刘", "国强")),  # 朔州市
    DemoAccount("longxian", Role.COUNTY_BUREAU, LONGXIAN, name=("陈", "文博")),
)

# households per county: 双碾乡's 15 villages and all of 陇县's
DEMO_SIZES = {PINGLU: 1500, LONGXIAN: 2500}


def ensure_divisions() -> int:
    if OrgUnit.objects.filter(code=SHUANGNIAN).exists() and OrgUnit.objects.filter(parent_id=LONGXIAN).exists():
        return 0
    return loading.load(loading.read_slice())


@transaction.atomic
def ensure_accounts(password: str = PASSWORD) -> list[User]:
    users = []
    for a in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=a.username, defaults={"role": a.role, "org_unit_id": a.org_unit, "department": a.department,
                                           "last_name": a.name[0], "first_name": a.name[1]}
        )
        if created:
            user.set_password(password)
            user.full_clean()
            user.save()
        users.append(user)
    return users


def ensure_households(sizes: dict[str, int] | None = None, seed: int = 2026) -> dict[str, importer.ImportResult]:
    """Generate and import the demo households, once. Returns the import results by county."""
    results = {}
    if Household.objects.exists():
        return results
    for county, n in (sizes or DEMO_SIZES).items():
        if county == PINGLU:
            villages = list(OrgUnit.objects.filter(parent_id=SHUANGNIAN).values_list("code", flat=True))
        else:
            villages = list(OrgUnit.objects.filter(level="village", code__startswith=county[:6]).values_list("code", flat=True))
        bureau = User.objects.get(role=Role.COUNTY_BUREAU, org_unit_id=county)
        doc = generate(county_code=county, villages=villages, households=n, seed=seed)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"演示户籍-{OrgUnit.objects.get(code=county).name}.json"
            path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
            result = importer.import_file(user=bureau, path=path)
        if not result.ok:
            raise RuntimeError("演示数据导入失败：" + "；".join(f"{p.where()} {p.message}" for p in result.problems[:5]))
        results[county] = result
    return results


def ensure_screening(year: int | None = None, seed: int = 2026) -> ScreeningRun | None:
    """Once: a synthetic file from each department for 平鲁区 (planted risks, noise rows with invalid or unknown IDs and
    other names), uploaded in the three formats and screened, so that the work queues have warnings to verify."""
    from fangpin.monitoring import department, synthetic
    from fangpin.monitoring.feeds import FEEDS

    if FeedUpload.objects.exists():
        return None
    bureau = User.objects.get(role=Role.COUNTY_BUREAU, org_unit_id=PINGLU)
    year = year or timezone.localdate().year - 1
    persons = department.persons_in(PINGLU[:6])
    # About forty planted risks whatever the demo's size.
    plant_every = max(2, persons["household_id"].n_unique() // 40)
    feed = synthetic.generate(persons, year=year, seed=seed, plant_every=plant_every, noise=24)
    with tempfile.TemporaryDirectory() as tmp:
        for i, key in enumerate(FEEDS):
            path = Path(tmp) / f"演示-{FEEDS[key].department}-{year}.{('csv', 'xlsx', 'parquet')[i % 3]}"
            department.upload(bureau, key, synthetic.write_file(feed.rows, key, path), path.name)
    run = ScreeningRun.objects.create(region_id=PINGLU, started_by=bureau)
    run.uploads.set(department.uploads_in_force(bureau))
    return department.execute(run.pk)


SHUANGNIAN_CUN = "140603203200"  # the demo clerk's village: every village-level step below is that clerk's
SHUANGNIAN_XIANG = SHUANGNIAN

# 帮扶干部名册 of the demo (names and phones are made up): (unit code, name, unit and post, phone)
DEMO_CADRES = [
    (PINGLU, "刘志强", "平鲁区农业农村局 干部", "0349-6021234"),
    (PINGLU, "王建军", "平鲁区乡村振兴服务中心 科员", "0349-6021235"),
    (PINGLU, "张海燕", "平鲁区人力资源和社会保障局 科员", "0349-6021236"),
    (SHUANGNIAN_XIANG, "李文斌", "双碾乡人民政府 副乡长", "0349-6101001"),
    (SHUANGNIAN_XIANG, "赵丽娟", "双碾乡人民政府 乡村振兴专干", "0349-6101002"),
    (SHUANGNIAN_CUN, "郭志强", "双碾村驻村第一书记", "13903490000"),
    (SHUANGNIAN_CUN, "孙永红", "双碾村驻村工作队员", "13903490001"),
    (LONGXIAN, "马晓东", "陇县农业农村局 干部", "0917-4621001"),
]


def ensure_cadres() -> int:
    """Once: the demo's roster of cadres (区、乡、村), registered by the county bureau of each county."""
    from fangpin.monitoring import assistance
    from fangpin.monitoring.models import Cadre

    if Cadre.objects.exists():
        return 0
    bureaus = {u.org_unit.prefix: u for u in User.objects.filter(role=Role.COUNTY_BUREAU).select_related("org_unit")}
    made = 0
    for unit, name, post, phone in DEMO_CADRES:
        bureau = bureaus.get(unit[:6])
        if bureau is not None and OrgUnit.objects.filter(code=unit).exists():
            assistance.add_cadre(bureau, org_unit_id=unit, name=name, unit=post, phone=phone)
            made += 1
    return made


def _date_back(case, on: dt.date) -> None:
    """The demo's procedure happened in the past: its last step is dated `on` (the steps ran today)."""
    from fangpin.monitoring.models import Case, Transition

    when = timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
    last = Transition.objects.filter(case=case).order_by("-pk").first()
    if last is not None:
        Transition.objects.filter(pk=last.pk).update(at=when)
    fields = {"opened_at": when} if last is None or last.action == "open" else {}
    if case.closed_at is not None:
        fields["closed_at"] = when
    if fields:
        Case.objects.filter(pk=case.pk).update(**fields)


def ensure_procedure(today: dt.date | None = None) -> dict[str, int]:
    """Once: cases of 双碾村 at every stage of the procedure, so that each level's screens have something to show —
    a warning verified and one dismissed; enrollment cases at the village, in notice, at the township, at the county;
    one enrolled a few weeks ago with its contact cadre and measures; one through the green channel; households enrolled
    eight months ago whose income of last year is above the line: one or two ready for risk elimination, one whose
    risk was eliminated last month. The steps are dated back (a notice period must be over before the township sees a case).
    Returns the count of cases by state."""
    from fangpin.monitoring import assistance, workflow
    from fangpin.monitoring.department import verify
    from fangpin.monitoring.models import Band, Cadre, Case, IncomeAccount, Measure, Warning

    today = today or timezone.localdate()
    if Case.objects.filter(household__village_id=SHUANGNIAN_CUN).exists():
        return {}
    clerk = User.objects.get(username="cunji")
    township = User.objects.get(username="xiangzhen")
    county = User.objects.get(username="xianju")
    roster = {c.name: c for c in Cadre.objects.filter(org_unit_id__in=[PINGLU, SHUANGNIAN_XIANG, SHUANGNIAN_CUN])}
    fresh = (Household.objects.filter(village_id=SHUANGNIAN_CUN, category__in=["lifted", "ordinary"])
             .exclude(warnings__isnull=False).order_by("number"))
    if len(fresh) < 8:  # the income accounting raised warnings for most: take those without a department's
        from fangpin.monitoring.screening import RULES

        fresh = (Household.objects.filter(village_id=SHUANGNIAN_CUN, category__in=["lifted", "ordinary"])
                 .exclude(warnings__rule__in=[r.id for r in RULES.rules]).order_by("number"))
    above = set(IncomeAccount.objects.filter(household__village_id=SHUANGNIAN_CUN, year=today.year - 1,
                                             band=Band.ABOVE).values_list("household_id", flat=True))
    # above the line last year: enrolled long ago, they are ready for elimination; the others open the recent cases
    fresh = list(fresh)
    ready = [h for h in fresh if h.pk in above][:3]
    candidates = ([h for h in fresh if h.pk not in above] + [h for h in fresh if h.pk in above][3:])[:6]
    if len(candidates) < 6 or len(ready) < 2 or len(roster) < 3:
        return {}
    days = workflow._procedure("notice_days", SHUANGNIAN_CUN, today)
    appraisal = {"attendance": 32, "record": "村民代表会议民主评议：同意纳入（演示数据）"}

    def opened(h, causes, start):
        kind = {"monitor_type": "unstable" if h.category == "lifted" else "marginal"}
        case = workflow.open_case(clerk, h, kind=Case.Kind.ENROLLMENT, channel=Case.Channel.CADRE_VISIT,
                                  risk_causes=causes, today=start, **kind)
        _date_back(case, start)
        return case

    def forward(case, to, start, record=appraisal):
        steps = [("appraise", clerk, start), ("submit", clerk, start + dt.timedelta(days=days + 1)),
                 ("approve", township, start + dt.timedelta(days=days + 3)),
                 ("approve", county, start + dt.timedelta(days=days + 6))]
        for action, user, on in steps[:to]:
            case.refresh_from_db()
            case = workflow.act(user, case, action, version=case.version, today=on,
                                appraisal={**record, "date": on} if action == "appraise" else None)
            _date_back(case, on)
        return case

    def assisted(case, start, cadre, measures):
        h = case.household
        assistance.assign_cadre(county, h, cadre=roster[cadre], since=start + dt.timedelta(days=days + 7))
        for kind, status, text, benefit in measures:
            on = start + dt.timedelta(days=days + 8)
            end = on + dt.timedelta(days=60) if status == Measure.Status.DONE else None
            assistance.add_measure(county, h, kind=kind, status=status, description=text, start=on, end=end,
                                   benefit=benefit)

    recent = today - dt.timedelta(days=days + 20)
    long_ago = today - dt.timedelta(days=250)  # enrolled eight months ago: past the six months elimination asks
    with transaction.atomic():
        for w in Warning.objects.filter(household__village_id=SHUANGNIAN_CUN, status=Warning.Status.OPEN).order_by("pk")[:1]:
            verify(clerk, w, at_risk=False, note="入户核实：大病已报销，家庭收入稳定，不存在返贫风险（演示数据）")
        c1, c2, c3, c4, c5 = candidates[:5]
        opened(c1, "家庭主要劳动力务工中断，收入明显下降（演示数据）", today)
        forward(opened(c2, "因病医疗支出较大（演示数据）", recent), 1, recent)
        forward(opened(c3, "子女上学支出增加，收入不稳定（演示数据）", recent), 2, recent)
        forward(opened(c4, "因残丧失部分劳动能力（演示数据）", recent), 3, recent)
        done = forward(opened(c5, "因灾房屋受损，收入骤减（演示数据）", recent), 4, recent)
        assisted(done, recent, "刘志强", [
            (Measure.Kind.EMPLOYMENT, Measure.Status.IN_PROGRESS, "推荐到区内企业务工，享受跨省务工交通补贴（演示数据）",
             "sn2022-67:transport_subsidy"),
            (Measure.Kind.INDUSTRY, Measure.Status.PLANNED, "发展庭院养殖，申请产业奖补（演示数据）", "")])
        green = candidates[5]
        case = workflow.open_case(clerk, green, kind=Case.Kind.ENROLLMENT, channel=Case.Channel.SELF_APPLICATION,
                                  monitor_type="unstable" if green.category == "lifted" else "marginal",
                                  green_cause=Case.GreenCause.MAJOR_CHANGE, risk_causes="突发火灾，房屋和财物损毁（演示数据）")
        # Enrolled eight months ago, assisted since, income of last year above the line: ready for elimination.
        causes = ["务工收入中断（演示数据）", "因病支出较大（演示数据）", "因灾农作物减产（演示数据）"]
        cadres = ["孙永红", "郭志强", "王建军"]
        eliminated = ready[-1]
        for h, cause, cadre in zip(ready, causes, cadres):
            case = forward(opened(h, cause, long_ago), 4, long_ago)
            assisted(case, long_ago, cadre, [
                (Measure.Kind.EMPLOYMENT, Measure.Status.DONE if h is eliminated else Measure.Status.IN_PROGRESS,
                 "介绍到帮扶车间稳定就业（演示数据）", "")])
        # Their income warnings of last year's accounting, verified: above the line, with an 增收措施 where it fell.
        for w in Warning.objects.filter(household__in=ready, status=Warning.Status.OPEN).order_by("pk"):
            verify(clerk, w, at_risk=False, note="入户核实：收入虽比上年下降，仍高于监测标准，已有帮扶措施（演示数据）",
                   income_measure="继续推荐到帮扶车间稳定就业，增加务工收入（演示数据）")
        # The last: its risk was eliminated last month, through the same three levels.
        elim_on = today - dt.timedelta(days=days + 25)
        case = workflow.open_case(clerk, eliminated, kind=Case.Kind.ELIMINATION, risk_causes="务工收入稳定，家庭人均纯收入"
                                  "高于监测标准，风险已消除（演示数据）", today=elim_on)
        _date_back(case, elim_on)
        forward(case, 4, elim_on, {"attendance": 30, "record": "村民代表会议民主评议：同意风险消除（演示数据）"})
    counts: dict[str, int] = {}
    for state in Case.objects.filter(household__village_id=SHUANGNIAN_CUN).values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    return counts


DEMO_LINES = {2023: "6900", 2024: "7200", 2025: "7500", 2026: "7800"}  # yuan a person a year: demo values, not policy
DEMO_DIBAO = {2023: "5400", 2024: "5700", 2025: "6000", 2026: "6300"}  # 农村低保标准, demo values too


def ensure_lines() -> int:
    """Once: each demo county's monitoring line for the years its incomes cover (demo values, said so in the reason),
    and the income accounting of those years, so that income bands and clause 30 show figures out of the box."""
    from decimal import Decimal

    from fangpin.monitoring import services as monitoring
    from fangpin.monitoring.models import MonitoringLine
    from fangpin.registry.models import IncomeRecord

    if MonitoringLine.objects.exists():
        return 0
    years = sorted(set(IncomeRecord.objects.values_list("year", flat=True)) & set(DEMO_LINES))
    made = 0
    for username in ("xianju", "longxian"):
        bureau = User.objects.get(username=username)
        for year in years:
            monitoring.set_line(bureau, region_prefix=bureau.org_unit.prefix, year=year, line_yuan=Decimal(DEMO_LINES[year]),
                                dibao_yuan=Decimal(DEMO_DIBAO[year]),
                                reason="演示数值（非正式标准），部署时请按省、县公布的标准重新设置")
            made += 1
        for year in years:  # the last finished year's accounting raises the income warnings the villages verify
            monitoring.recompute(bureau, year, warn=year == timezone.localdate().year - 1)
    return made


DEMO_BANKS = ("山西农村信用社", "中国邮政储蓄银行", "中国农业银行")


def ensure_payments(today: dt.date | None = None) -> dict[str, int]:
    """Once: 双碾乡's payment rounds of 2025 under 双发〔2022〕67号. The first went all the way: noticed, approved,
    paid by the bank with a few failures (the ledger has it, a reissue can be made); the second is being noticed now,
    with an objection to answer. Payees get demo accounts (a few have none yet: their rows wait)."""
    from fangpin.lib import bankcard
    from fangpin.payments import accounts, approval, bankfiles, disbursement, rounds
    from fangpin.payments.models import PaymentRound, RoundNotice, RoundPart, RoundRow

    if PaymentRound.objects.exists():
        return {}
    today = today or timezone.localdate()
    bureau = User.objects.filter(role=Role.COUNTY_BUREAU, org_unit_id=PINGLU).first()
    township = User.objects.filter(role=Role.TOWNSHIP_REVIEWER, org_unit_id=SHUANGNIAN).first()
    clerk = User.objects.filter(role=Role.VILLAGE_CLERK, org_unit__code__startswith="140603203").first()
    if not (bureau and township and clerk):
        return {}
    first = rounds.create(bureau, title="2025年耕地地力保护补贴、爱心消费券", document_id="sn2022-67",
                          benefit_ids=["land_fertility_subsidy", "consumption_voucher"], as_of=dt.date(2025, 6, 30),
                          area=SHUANGNIAN, run=rounds.compute)
    # payees' accounts: a passbook account for most, none for every 40th (their rows wait for one)
    rows = RoundRow.objects.filter(round=first).select_related("member", "household")
    for i, row in enumerate(rows):
        member = row.member or row.household.members.filter(relation="head").first()
        if member is None or i % 40 == 39 or member.payee_accounts.filter(until__isnull=True).exists():
            continue
        number = bankcard.normalize(f"70{member.pk:011d}")
        accounts.set_account(bureau, member, kind="one_card", bank=DEMO_BANKS[member.pk % len(DEMO_BANKS)],
                             number=number, holder=member.name, since=dt.date(2025, 1, 1))
    noticed = dt.date(2025, 7, 1)
    RoundNotice.objects.filter(round=first).update(start=noticed, end=noticed + dt.timedelta(days=first.notice_days - 1))
    after = noticed + dt.timedelta(days=first.notice_days)
    for part in RoundPart.objects.filter(round=first):
        part = approval.act(township, part, "approve", version=part.version, today=after)
        approval.act(bureau, part, "approve", version=part.version, today=after)
    first.refresh_from_db()
    made = disbursement.issue(bureau, first, layout="generic_csv", paid_on=after + dt.timedelta(days=3))
    paid = failed = 0
    for f in made:
        lines = []
        for line in disbursement.lines_of(f):
            fails = disbursement.row_of(line.reference) % 25 == 0
            failed += fails
            paid += not fails
            lines.append((line, "失败" if fails else "成功", "户名与账号不符" if fails else ""))
        layout = bankfiles.layouts()[f.layout]
        path = Path(tempfile.mkdtemp()) / f"回盘-{f.pk}.{layout.extension}"
        with path.open("wb") as fh:
            bankfiles.simulate_return(layout, lines, fh, paid_on=after + dt.timedelta(days=5))
        disbursement.import_return(bureau, f, path, path.name)
    second = rounds.create(bureau, title="2025年务工就业稳岗奖补、职业技能培训生活费补贴", document_id="sn2022-67",
                           benefit_ids=["job_retention_bonus", "training_living_allowance"],
                           as_of=dt.date(2025, 12, 31), area=SHUANGNIAN, run=rounds.compute)
    RoundNotice.objects.filter(round=second).update(start=today - dt.timedelta(days=2),
                                                    end=today + dt.timedelta(days=second.notice_days - 3))
    row = RoundRow.objects.filter(round=second, village_id=clerk.org_unit_id).first()
    if row is not None:
        rounds.raise_objection(clerk, row, who="本村村民", text="反映其务工时间不足六个月，请核实")
    return {"rounds": 2, "paid": paid, "failed": failed,
            "noticed": RoundRow.objects.filter(round=second, status=RoundRow.Status.INCLUDED).count()}

