"""Real browser (Playwright driving Debian's Chromium): log in, import a workbook (first a bad one,
then a good one), open a household, and save screenshots under test-artifacts/screenshots/."""
import pytest

from conftest import new_id
from fangpin.exchange.tests.helpers import household, member, workbook

from .helpers import SHOTS, login, new_page

pytestmark = pytest.mark.browser

def test_login_import_and_open_a_household(divisions_restored, transactional_db, live_server, browser, tmp_path):
    from conftest import World  # noqa: F401  (the world fixture needs db; build users directly here)
    from conftest import make_user

    make_user("county", "county_bureau", "140603000000")
    make_user("township", "township_reviewer", "140603203000")
    SHOTS.mkdir(parents=True, exist_ok=True)
    head_id, wife_id = new_id(), new_id(male=False)
    good = workbook(tmp_path / "双碾村花名册.xlsx", {
        "households": [household("B1", category="监测户", monitor_type="突发严重困难户", dibao="是"),
                       household("B2", village="140603203203")],
        "members": [member("B1", head_id, "郝建国"), member("B1", wife_id, "贾秀兰", "配偶"),
                    member("B2", new_id(), "薛明")],
        "incomes": [{"household_number": "B1", "year": 2025, "wage": 18000, "transfer_income": 2400}],
    })
    bad = workbook(tmp_path / "有错误的花名册.xlsx", {
        "households": [household("B1", category="监测户")],
        "members": [member("B1", head_id[:17], "郝建国")],
    })

    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.locator("h1").inner_text() == "防贫监测帮扶系统"
    page.screenshot(path=SHOTS / "01-login.png")

    login(page, live_server.url, "county")
    assert "平鲁区 · 概览" in page.locator("h1").inner_text()

    page.goto(f"{live_server.url}/import/")
    page.set_input_files("input[type=file]", str(bad))
    page.click("text=上传并导入")
    errors = page.locator("#import-errors")
    assert "未写入任何数据" in errors.inner_text()
    text = errors.inner_text()
    assert "监测户必须填写监测对象类型" in text and "应为18位，实际为17位" in text and "家庭成员" in text
    page.screenshot(path=SHOTS / "02-import-errors.png", full_page=True)
    with page.expect_download() as dl:
        page.click("text=下载错误报告")
    assert dl.value.suggested_filename == "有错误的花名册-错误报告.xlsx"

    page.set_input_files("input[type=file]", str(good))
    page.click("text=上传并导入")
    assert "导入成功：双碾村花名册.xlsx" in page.content()
    page.screenshot(path=SHOTS / "03-import-ok.png", full_page=True)

    page.goto(f"{live_server.url}/households/?q=郝建国")
    page.click("text=B1")
    page.wait_for_selector("text=家庭成员")
    body = page.inner_text("main")
    assert "突发严重困难户" in body and head_id in body and "贾秀兰" in body and "导入 双碾村花名册.xlsx" in body
    page.screenshot(path=SHOTS / "04-household.png", full_page=True)

    # the township reviewer sees the same household with masked ID numbers
    page = new_page(browser)
    login(page, live_server.url, "township")
    page.goto(f"{live_server.url}/households/?q=郝建国")
    page.click("text=B1")
    body = page.inner_text("main")
    assert head_id not in body and head_id[:4] + "*" * 14 in body and "岁" in body
    page.screenshot(path=SHOTS / "05-household-masked.png", full_page=True)


def test_county_adjusts_a_policy_parameter_and_the_household_panel_follows(divisions_restored, transactional_db,
                                                                             live_server, browser):
    import datetime as dt

    from conftest import make_household, make_user
    from fangpin.registry.models import Employment

    make_user("county", "county_bureau", "140603000000")
    make_user("township", "township_reviewer", "140603203000")
    h = make_household("140603203200", "P-1", members=1, head_name="乔志刚")
    # a spell starting on the day the new value applies (the standard is the one in force when the spell begins)
    Employment.objects.create(member=h.members.get(), year=2025, place="cross_province", start_date=dt.date(2025, 7, 1),
                              months=3, monthly_wage=300000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")

    # a township reviewer may read the parameters but not change them
    login(page, live_server.url, "township")
    page.goto(f"{live_server.url}/policies/sn2022-67/?as_of=2025-06-30")
    assert "跨省务工一次性交通补贴上限" in page.inner_text("main") and page.locator("text=调整参数").count() == 0

    page = new_page(browser)
    login(page, live_server.url, "county")
    page.click("text=政策参数")
    page.click("text=双发〔2022〕67号")
    page.select_option("#id_key", "transport_cross_province")
    page.fill("#id_valid_from", "2025-07-01")
    page.fill("#id_value", "2000")
    page.fill("#id_reason", "区政府常务会议纪要")
    page.click("text=保存")
    body = page.inner_text("main")
    assert "参数已调整" in page.content() and "2025-07-01 起：2000 元（页面设置：county，区政府常务会议纪要）" in body
    assert "新增" in body
    page.screenshot(path=SHOTS / "06-policy-parameters.png", full_page=True)

    page.goto(f"{live_server.url}/households/{h.pk}/?as_of=2025-06-30")
    assert "每年一次性补贴不超过1500元" in page.inner_text("main")
    page.goto(f"{live_server.url}/households/{h.pk}/?as_of=2025-07-01")
    assert ("依据双发〔2022〕67号第10条：2025年跨省务工（2025-07-01开始，按当年务工起始日有效的标准），"
            "每年一次性补贴不超过2000元") in page.inner_text("main")
    page.screenshot(path=SHOTS / "07-household-after-adjustment.png", full_page=True)
