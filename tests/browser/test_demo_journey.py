"""Real browser, on the demo data, at a desktop's width and a phone's: the whole procedure as the demo accounts live
it — a department file, the screening, the village's verification, the village -> township -> county enrollment, a
cadre from the roster and a measure, the printed plan, and the risk eliminated for a household the demo enrolled
eight months ago. Every page is kept under test-artifacts/screenshots/journey-<width>/."""
import datetime as dt

import pytest
from django.utils import timezone

from .helpers import SHOTS, login, new_page

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture
def demo(divisions_restored, transactional_db, settings, tmp_path, monkeypatch):
    from django.core.management import call_command

    from fangpin.demo import setup

    settings.FEEDS_DIR = tmp_path / "feeds"
    monkeypatch.setattr(setup, "DEMO_SIZES", {setup.PINGLU: 300, setup.LONGXIAN: 20})
    call_command("demo_setup", "--quiet-accounts")


class Journey:
    def __init__(self, browser, base, width):
        self.browser, self.base, self.width = browser, base, width
        self.shots = SHOTS / f"journey-{width}"
        self.shots.mkdir(parents=True, exist_ok=True)
        self.n = 0

    def user(self, username):
        from fangpin.demo.setup import PASSWORD

        w, h = WIDTHS[self.width]
        page = new_page(self.browser, viewport={"width": w, "height": h})
        login(page, self.base, username, PASSWORD)
        return page

    def shot(self, page, name):
        self.n += 1
        page.screenshot(path=self.shots / f"{self.n:02d}-{name}.png", full_page=True)
        # a phone never scrolls the page sideways: wide tables scroll inside themselves
        assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"] + 1, name

    def walk(self, case_url, what):
        """The village appraises and, once the notice is over, submits; the township and the county approve."""
        from fangpin.monitoring.models import Case

        clerk = self.user("cunji")
        clerk.goto(case_url)
        self.shot(clerk, f"{what}-village")
        clerk.fill("#id_appraisal_attendance", "28")
        clerk.fill("#id_appraisal_record", "村民代表28人参加，27票同意")
        clerk.click("#act-appraise button[type=submit]")
        assert clerk.inner_text("#case-state") == "公示中"
        case_id = int(case_url.rstrip("/").split("/")[-1])
        # the notice days pass
        Case.objects.filter(pk=case_id).update(notice_end=timezone.localdate() - dt.timedelta(days=1))
        clerk.goto(case_url)
        clerk.click("#act-submit button[type=submit]")
        assert clerk.inner_text("#case-state") == "待乡镇审核"
        township = self.user("xiangzhen")
        township.goto(f"{self.base}/monitoring/")
        township.click(f"a[href='/monitoring/cases/{case_id}/']")
        self.shot(township, f"{what}-township")
        township.click("#act-approve button[type=submit]")
        assert township.inner_text("#case-state") == "待县级审定"
        county = self.user("xianju")
        county.goto(f"{self.base}/monitoring/cases/?state=county")
        county.click(f"a[href='/monitoring/cases/{case_id}/']")
        self.shot(county, f"{what}-county")
        county.click("#act-approve button[type=submit]")
        assert county.inner_text("#case-state") == "已通过"
        return clerk


@pytest.mark.parametrize("width", WIDTHS)
def test_the_whole_procedure_on_the_demo(demo, live_server, browser, tmp_path, width):
    from fangpin.demo.setup import SHUANGNIAN_CUN
    from fangpin.monitoring.models import Case, Warning
    from fangpin.registry.models import Household

    j = Journey(browser, live_server.url, width)
    base = live_server.url
    h = (Household.objects.filter(village_id=SHUANGNIAN_CUN, category="lifted", warnings__isnull=True,
                                  cases__isnull=True).order_by("number").first())
    head = h.members.get(relation="head")

    # 1. The medical insurance officer uploads claims: the head's out-of-pocket costs reach the threshold.
    claims = tmp_path / "医保结算-演示.csv"
    claims.write_text("身份证号,姓名,结算日期,个人自付金额（元）\n"
                      f"{head.id_number},{head.name},2025-04-02,8000.00\n{head.id_number},{head.name},2025-06-10,4000.00\n",
                      encoding="utf-8")
    dept = j.user("bumen")
    dept.goto(f"{base}/monitoring/feeds/")
    dept.set_input_files("input[type=file]", str(claims))
    dept.click("form[enctype] button[type=submit]")
    assert "已接收医保结算-演示.csv：2行" in dept.inner_text("main")
    j.shot(dept, "feed-uploaded")

    # 2. The county bureau screens the county's files.
    county = j.user("xianju")
    county.goto(f"{base}/monitoring/feeds/")
    county.click("text=开始筛查比对")
    county.wait_for_selector("text=已完成 100%")
    j.shot(county, "screening-done")
    warning = Warning.objects.get(household=h)

    # 3. The village clerk finds the warning in the list and verifies it: at risk, an enrollment case opens.
    clerk = j.user("cunji")
    clerk.goto(f"{base}/monitoring/warnings/?status=open")
    j.shot(clerk, "warnings")
    clerk.click(f"tr:has-text('{h.number}') a[href='/monitoring/warnings/{warning.pk}/']")
    assert "12000元（2次结算）" in clerk.inner_text("#warning-reason")
    j.shot(clerk, "warning")
    clerk.check("input[name=at_risk][value='1']")
    clerk.fill("#id_note", f"入户核实：{head.name}住院两次，自付医疗费用高")
    clerk.select_option("#id_monitor_type", "unstable")
    clerk.click("button:has-text('提交核实结果')")
    assert "/monitoring/cases/" in clerk.url and clerk.inner_text("#case-state") == "待村级评议"

    # 4. Village, township, county.
    clerk = j.walk(clerk.url, "enrollment")
    h.refresh_from_db()
    assert (h.category, h.monitor_type) == ("monitored", "unstable")

    # 5. A cadre from the demo's roster and a measure; the plan prints.
    clerk.goto(f"{base}/households/{h.pk}/monitoring/")
    assert "风险未消除" in clerk.inner_text("#monitoring-status")
    clerk.select_option("#cadre-form #id_cadre", label="郭志强（双碾村驻村第一书记，13903490000）· "
                        f"{h.village.name}名册")
    clerk.click("#cadre-form button[type=submit]")
    clerk.select_option("#measure-form #id_kind", "medical")
    clerk.fill("#measure-form #id_description", "落实大病保险和医疗救助，协助办理慢病卡")
    clerk.select_option("#measure-form #id_status", "in_progress")
    clerk.click("#measure-form button[type=submit]")
    body = clerk.inner_text("main")
    assert "郭志强" in body and "落实大病保险和医疗救助" in body
    j.shot(clerk, "assistance")
    clerk.goto(f"{base}/households/{h.pk}/plan/")
    plan = clerk.inner_text("main")
    assert "一户一策" in plan and "郭志强" in plan and "健康（医疗）帮扶" in plan
    j.shot(clerk, "plan")
    pdf = clerk.request.get(f"{base}/households/{h.pk}/plan.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    (j.shots / "plan.pdf").write_bytes(pdf.body())

    # 6. A household the demo enrolled eight months ago: its risk is eliminated through the same three levels.
    ready = next(c.household for c in Case.objects.filter(kind="enrollment", state="done", household__risk_eliminated_on=None,
                                                          closed_at__date__lt=timezone.localdate() - dt.timedelta(days=200)))
    clerk.goto(f"{base}/households/{ready.pk}/monitoring/")
    assert "尚不符合风险消除条件" not in clerk.inner_text("main")
    j.shot(clerk, "ready-for-elimination")
    clerk.fill("#eliminate-form #id_risk_causes", "务工收入稳定，家庭人均纯收入高于监测标准")
    clerk.click("#eliminate-form button[type=submit]")
    clerk = j.walk(clerk.url, "elimination")
    ready.refresh_from_db()
    assert ready.risk_eliminated_on == timezone.localdate()
    clerk.goto(f"{base}/households/{ready.pk}/monitoring/")
    assert "风险已消除" in clerk.inner_text("#monitoring-status")
    j.shot(clerk, "risk-eliminated")
