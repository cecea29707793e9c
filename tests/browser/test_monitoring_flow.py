"""Real browser: one household from a department warning to county approval, a cadre and a measure, the printed plan,
and, months later, the risk eliminated through the same three levels. Screenshots 10-… under test-artifacts."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from .helpers import SHOTS, login

pytestmark = pytest.mark.browser


def as_user(browser, base, username):
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    login(page, base, username)
    return page


def notice_over(case_id):
    """Five days pass: the public notice is over."""
    from fangpin.monitoring.models import Case

    Case.objects.filter(pk=case_id).update(notice_end=timezone.localdate() - dt.timedelta(days=1))


def walk_case(browser, base, case_url, shot_prefix):
    """Village appraisal and notice, township review, county approval, each as its own user."""
    clerk = as_user(browser, base, "clerk")
    clerk.goto(case_url)
    clerk.fill("#id_appraisal_attendance", "21")
    clerk.fill("#id_appraisal_record", "村民代表21人参加，20票同意")
    clerk.click("#act-appraise button[type=submit]")
    assert clerk.inner_text("#case-state") == "公示中"
    case_id = int(case_url.rstrip("/").split("/")[-1])
    notice_over(case_id)
    clerk.goto(case_url)
    clerk.click("#act-submit button[type=submit]")
    assert clerk.inner_text("#case-state") == "待乡镇审核"
    township = as_user(browser, base, "township")
    township.goto(case_url)
    township.click("#act-approve button[type=submit]")
    assert township.inner_text("#case-state") == "待县级审定"
    county = as_user(browser, base, "county")
    county.goto(case_url)
    county.screenshot(path=SHOTS / f"{shot_prefix}-county-decides.png", full_page=True)
    county.click("#act-approve button[type=submit]")
    assert county.inner_text("#case-state") == "已通过"
    assert [r for r in county.locator("#transitions tbody tr").all_inner_texts()]  # every step recorded
    return clerk


def test_warning_to_enrollment_assistance_plan_and_elimination(divisions_restored, transactional_db, live_server,
                                                               browser, tmp_path, settings):
    from conftest import make_household, make_user
    from fangpin.monitoring import services
    from fangpin.monitoring.models import Case, Warning
    from fangpin.registry.models import Household, IncomeRecord

    settings.FEEDS_DIR = tmp_path / "feeds"
    make_user("department", "department_officer", "140603000000", "医保")
    make_user("clerk", "village_clerk", "140603203200")
    make_user("township", "township_reviewer", "140603203000")
    county_user = make_user("county", "county_bureau", "140603000000")
    h = make_household("140603203200", "F-1", members=2, head_name="高永福")
    head = h.members.get(relation="head")
    SHOTS.mkdir(parents=True, exist_ok=True)
    base = live_server.url

    # The medical insurance officer uploads claims: 高永福's out-of-pocket costs reach the threshold.
    claims = tmp_path / "医保结算2025.csv"
    claims.write_text("身份证号,姓名,结算日期,个人自付金额（元）\n"
                      f"{head.id_number},高永福,2025-04-02,8000.00\n{head.id_number},高永福,2025-06-10,4000.00\n"
                      "140603198001010000,无效号,2025-06-10,90000\n", encoding="utf-8")
    dept = as_user(browser, base, "department")
    dept.goto(f"{base}/monitoring/feeds/")
    dept.set_input_files("input[type=file]", str(claims))
    dept.click("form[enctype] button[type=submit]")
    assert "已接收医保结算2025.csv：3行" in dept.inner_text("main")
    dept.screenshot(path=SHOTS / "10-feed-uploaded.png", full_page=True)

    # The county bureau runs the screening (a background job; its page shows the progress).
    county = as_user(browser, base, "county")
    county.goto(f"{base}/monitoring/feeds/")
    county.click("text=开始筛查比对")
    county.wait_for_selector("text=已完成 100%")
    assert county.inner_text("#run-new") == "1" and "身份证号无效" in county.inner_text("main")
    county.screenshot(path=SHOTS / "11-screening-done.png", full_page=True)

    # The village clerk verifies the warning at home: at risk, so an enrollment case opens.
    clerk = as_user(browser, base, "clerk")
    clerk.goto(f"{base}/monitoring/")
    clerk.click("a:has-text(\"高永福\")")
    assert "12000元（2次结算）" in clerk.inner_text("#warning-reason")
    clerk.check("input[name=at_risk][value='1']")
    clerk.fill("#id_note", "入户核实：高永福住院两次，自付医疗费用高")
    clerk.select_option("#id_monitor_type", "unstable")
    clerk.click("button:has-text('提交核实结果')")
    case_url = clerk.url
    assert "/monitoring/cases/" in case_url and clerk.inner_text("#case-state") == "待村级评议"
    clerk.screenshot(path=SHOTS / "12-case-opened.png", full_page=True)

    walk_case(browser, base, case_url, "13")
    h.refresh_from_db()
    assert (h.category, h.monitor_type) == ("monitored", "unstable")
    assert Warning.objects.get().status == "confirmed"

    # A contact cadre and a measure; the household plan prints.
    # The cadre is registered on the village's roster first, then picked for the household.
    clerk.goto(f"{base}/households/{h.pk}/monitoring/")
    assert "风险未消除" in clerk.inner_text("#monitoring-status") and "还没有在册干部" in clerk.inner_text("main")
    clerk.goto(f"{base}/monitoring/cadres/")
    clerk.click("summary:has-text('登记帮扶干部')")
    clerk.fill("#cadre-add #id_name", "郭志强")
    clerk.fill("#cadre-add #id_unit", "平鲁区农业农村局 科员")
    clerk.fill("#cadre-add #id_phone", "13903490000")
    clerk.click("#cadre-add button[type=submit]")
    assert "已登记帮扶干部：郭志强" in clerk.inner_text("main")
    clerk.goto(f"{base}/households/{h.pk}/monitoring/")
    from fangpin.monitoring.models import Cadre

    clerk.select_option("#cadre-form #id_cadre", str(Cadre.objects.get(name="郭志强").pk))
    clerk.click("#cadre-form button[type=submit]")
    clerk.select_option("#measure-form #id_kind", "medical")
    clerk.fill("#measure-form #id_description", "落实大病保险和医疗救助，协助办理慢病卡")
    clerk.select_option("#measure-form #id_status", "in_progress")
    clerk.click("#measure-form button[type=submit]")
    body = clerk.inner_text("main")
    assert "郭志强" in body and "落实大病保险和医疗救助" in body
    clerk.goto(f"{base}/households/{h.pk}/plan/")
    plan = clerk.inner_text("main")
    assert "一户一策" in plan and "郭志强" in plan and "健康（医疗）帮扶" in plan
    clerk.screenshot(path=SHOTS / "14-household-plan.png", full_page=True)
    pdf = clerk.request.get(f"{base}/households/{h.pk}/plan.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    (SHOTS / "14-household-plan.pdf").write_bytes(pdf.body())

    # Months later: enrolled over six months ago, 2025 income accounted above the line.
    Case.objects.filter(household=h).update(closed_at=timezone.now() - dt.timedelta(days=200))
    services.set_line(None, region_prefix="14", year=timezone.localdate().year - 1, line_yuan=Decimal(7000), reason="省定")
    IncomeRecord.objects.create(household=h, year=timezone.localdate().year - 1, wage=3_000_000)
    services.recompute(county_user, timezone.localdate().year - 1)
    clerk.goto(f"{base}/households/{h.pk}/monitoring/")
    assert "尚不符合风险消除条件" not in clerk.inner_text("main")
    clerk.fill("#eliminate-form #id_risk_causes", "务工收入稳定，医疗费用已由大病保险和救助解决")
    clerk.click("#eliminate-form button[type=submit]")
    walk_case(browser, base, clerk.url, "15")
    h.refresh_from_db()
    assert h.risk_eliminated_on == timezone.localdate()
    clerk.goto(f"{base}/households/{h.pk}/monitoring/")
    assert "风险已消除" in clerk.inner_text("#monitoring-status")
    clerk.screenshot(path=SHOTS / "16-risk-eliminated.png", full_page=True)
    assert Household.objects.get(pk=h.pk).history.count() >= 3
