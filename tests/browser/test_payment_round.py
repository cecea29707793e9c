"""Real browser, at a desktop's width and a phone's: one payment round of issue 12 (政策兑现), each step done by the
role that does it, on the pages. The county computes the round; the village clerk notices it, records an objection,
corrects the household's registry and answers the objection with the correction; the township and the county approve;
the county issues the bank file, imports the bank's return (one row failed), records the failed payee's new account and
reissues; the ledger lists what was paid, and its Excel opens. Every page is kept under
test-artifacts/screenshots/payments-<width>/."""
import csv
import datetime as dt
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pytest

from .helpers import SHOTS, login, new_page

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": (1366, 768), "phone": (390, 844)}
SHUANGNIAN_CUN, WUJIAYAO, SHUANGNIAN, PINGLU = "140603203200", "140603203203", "140603203000", "140603000000"


def luhn(prefix: str) -> str:
    from fangpin.lib import bankcard

    return next(prefix + str(d) for d in range(10) if bankcard.luhn_ok(prefix + str(d)))


@pytest.fixture
def payees(divisions_restored, transactional_db, settings, tmp_path):
    """The users of the round with known passwords; 王建国 of 双碾村 with contracted land (耕地地力保护补贴) and 李秀英 of
    吴家窑村, a monitored household (爱心消费券), each head with a bank card at the same bank, so one file has both."""
    from conftest import make_household, make_user
    from fangpin.payments import accounts

    settings.VAR_DIR = tmp_path / "var"  # the bank files are written under VAR_DIR/payments
    clerk = make_user("clerk", "village_clerk", SHUANGNIAN_CUN)
    clerk2 = make_user("clerk2", "village_clerk", WUJIAYAO)
    make_user("township", "township_reviewer", SHUANGNIAN)
    make_user("county", "county_bureau", PINGLU)
    wang = make_household(SHUANGNIAN_CUN, "1406032032000001", members=3, head_name="王建国")
    wang.contracted_land_mu = Decimal("10.50")
    wang.save()
    li = make_household(WUJIAYAO, "1406032032030001", category="monitored", monitor_type="marginal", head_name="李秀英")
    for user, h, prefix in ((clerk, wang, "622848001234567890"), (clerk2, li, "622848009876543210")):
        head = h.members.get(relation="head")
        accounts.set_account(user, head, kind="bank_card", bank="中国农业银行", number=luhn(prefix), holder=head.name,
                             since=dt.date.today() - dt.timedelta(days=30))
    return {"wang": wang, "li": li}


class Round:
    """The users' pages at one width, and the screenshots numbered in the order taken."""

    def __init__(self, browser, base, width):
        self.browser, self.base, self.width = browser, base, width
        self.shots = SHOTS / f"payments-{width}"
        self.shots.mkdir(parents=True, exist_ok=True)
        for old in self.shots.glob("*.png"):  # numbered in order: an earlier run's numbers would mix in
            old.unlink()
        self.n = 0

    def user(self, username):
        w, h = WIDTHS[self.width]
        page = new_page(self.browser, viewport={"width": w, "height": h})
        login(page, self.base, username)
        return page

    def nav(self, page, text):
        """A link of the top menu; on a phone the menu is folded behind 菜单 and opens first."""
        if self.width == "phone":
            page.click("label.menu-button")
        with page.expect_navigation():
            page.click(f"header.top nav a:has-text('{text}')")

    def shot(self, page, name, *, fits=False):
        self.n += 1
        page.screenshot(path=self.shots / f"{self.n:02d}-{name}.png", full_page=True)
        if fits and self.width == "phone":
            # a phone never scrolls the page sideways: wide tables scroll inside themselves
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name}: {overflow}px too wide at 390px"

    @staticmethod
    def said(page) -> str:
        return page.inner_text("ul.messages") if page.locator("ul.messages").count() else ""

    @staticmethod
    def submit(page, selector):
        with page.expect_navigation():
            page.click(selector)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_payment_round_in_the_browser(payees, live_server, browser, tmp_path, width):
    from fangpin.payments import bankfiles
    from fangpin.payments.models import DisbursementFile, PaymentRound, RoundNotice, RoundPart, RoundRow

    r = Round(browser, live_server.url, width)
    wang, li = payees["wang"], payees["li"]

    # 1. The county bureau computes the round: 双发〔2022〕67号, 爱心消费券 and 耕地地力保护补贴, as of 2025-06-30, 双碾乡.
    county = r.user("county")
    r.nav(county, "政策兑现")
    r.shot(county, "rounds-empty")
    r.submit(county, "#round-new")
    county.select_option("#pick-document select[name=document]", "sn2022-67")  # submits itself (onchange)
    county.wait_for_load_state()
    county.fill("#round-form input[name=title]", "2025年消费券和地力补贴")
    county.check("#round-form input[name=benefits][value=consumption_voucher]")
    county.check("#round-form input[name=benefits][value=land_fertility_subsidy]")
    county.fill("#round-form input[name=as_of]", "2025-06-30")
    county.select_option("#round-form select[name=area]", SHUANGNIAN)
    r.shot(county, "new-round-form", fits=True)
    r.submit(county, "#round-form button[type=submit]")
    rnd = PaymentRound.objects.get()
    assert county.url.endswith(f"/payments/{rnd.pk}/"), county.url
    # the computation is a task: under pytest it runs at once, when the creating request commits
    if county.inner_text("#round-state") == "计算中":
        county.reload()
    assert county.inner_text("#round-state") == "公示审核中", county.inner_text("main")[:500]
    assert county.inner_text("#round-totals") == "2户，2人次，2,203.50元"
    round_url = county.url
    r.shot(county, "round-computed", fits=True)

    # 2. The village clerk of 双碾村: the round, the village's notice, the row; an objection, the registry corrected,
    # the objection answered by the correction; the village is noticed again.
    clerk = r.user("clerk")
    r.nav(clerk, "政策兑现")
    r.submit(clerk, f"a[href='/payments/{rnd.pk}/']")
    r.shot(clerk, "round-village", fits=True)
    r.submit(clerk, "#notices a:has-text('查看')")
    notice = clerk.inner_text("#notice-rows")
    head = wang.members.get(relation="head")
    assert "王建国" in notice and "703.50" in notice and head.id_number not in notice and "李秀英" not in notice
    r.shot(clerk, "notice", fits=True)
    clerk.go_back()
    r.submit(clerk, "a:has-text('查看兑现明细')")
    assert "王建国" in clerk.inner_text("#round-rows")
    r.shot(clerk, "rows", fits=True)
    r.submit(clerk, "#round-rows a:has-text('王建国')")
    row_url = clerk.url
    assert clerk.inner_text("#row-amount") == "703.50元"
    clerk.fill("#object-form input[name=who]", "王建国")
    clerk.fill("#object-form textarea[name=text]", "确权承包地面积登记有误：2024年确权证为12亩")
    r.submit(clerk, "#object-form button[type=submit]")
    assert "已登记异议" in r.said(clerk)
    assert "确权承包地面积登记有误" in clerk.inner_text("#objections")
    r.shot(clerk, "row-objection", fits=True)
    r.submit(clerk, "a:has-text('本户')")
    r.submit(clerk, f"a[href='/households/{wang.pk}/edit/']")
    clerk.fill("#id_contracted_land_mu", "12.00")
    r.shot(clerk, "household-edit", fits=True)
    r.submit(clerk, "main form[method=post] button[type=submit]")
    assert "已保存" in r.said(clerk)
    clerk.goto(row_url)
    answer = clerk.locator("form[id^=answer-]")
    answer.locator("select[name=outcome]").select_option("corrected")
    answer.locator("textarea[name=answer]").fill("经核对确权证，承包地面积为12亩，已更正登记信息")
    r.shot(clerk, "row-answer", fits=True)
    with clerk.expect_navigation():
        answer.locator("button[type=submit]").click()
    assert "已处理异议" in r.said(clerk), r.said(clerk)
    objections = clerk.inner_text("#objections")
    assert "\t已更正\t" in objections and "已更正登记信息" in objections
    # the corrected row is out of the roster: no objection or withdrawal on it, and a link to the row replacing it
    assert "已更正（被替换）" in clerk.inner_text("#row-status") and clerk.locator("#object-form").count() == 0
    r.shot(clerk, "row-corrected", fits=True)
    r.submit(clerk, "#replaced-by")
    assert clerk.inner_text("#row-amount") == "804.00元" and "确权承包地12亩" in clerk.inner_text("#row-explanation")
    r.shot(clerk, "row-replacing", fits=True)
    clerk.goto(round_url)
    notices = clerk.inner_text("#notices")
    assert "双碾村" in notices and notices.strip().splitlines()[-1].split("\t")[4] == "2", notices
    assert "2,304.00" in clerk.inner_text("#parts")  # 1500 + 12亩 × 67元
    assert "重新公示（第2次）" in clerk.inner_text("#events")
    r.shot(clerk, "round-renoticed", fits=True)
    corrected = RoundRow.objects.get(round=rnd, benefit_id="land_fertility_subsidy", status="included")
    assert corrected.amount == 80400 and corrected.replaces_id

    # 3. Time passes: the only step not on the pages. The notices' days are over (moved into the past in the DB).
    RoundNotice.objects.filter(round=rnd).update(start=dt.date.today() - dt.timedelta(days=10),
                                                 end=dt.date.today() - dt.timedelta(days=3))

    # 4. The township reviewer approves its part, then the county.
    township = r.user("township")
    r.nav(township, "政策兑现")
    r.submit(township, f"a[href='/payments/{rnd.pk}/']")
    part = RoundPart.objects.get(round=rnd)
    township.fill(f"#part-{part.pk}-approve input[name=reason]", "名单已核，同意")
    r.shot(township, "township-review", fits=True)
    r.submit(township, f"#part-{part.pk}-approve button[type=submit]")
    assert "双碾乡：已审核通过" in r.said(township), r.said(township)
    county.goto(round_url)
    r.shot(county, "county-review", fits=True)
    r.submit(county, f"#part-{part.pk}-approve button:has-text('县级审定通过')")
    assert county.inner_text("#round-state") == "已审定"

    # 5. The county issues the bank file and downloads it: its SHA-256 is the one shown.
    county.select_option("#issue-form select[name=layout]", "generic_csv")
    county.fill("#issue-form input[name=paid_on]", "2025-07-10")
    r.submit(county, "#issue-form button[type=submit]")
    assert "已生成代发文件：中国农业银行2笔" in r.said(county), r.said(county)
    r.shot(county, "file-issued", fits=True)
    f = DisbursementFile.objects.get()
    with county.expect_download() as download:
        county.click(f"#return-{f.pk} a:has-text('下载代发文件')")
    body = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(body).hexdigest() == county.inner_text(f"#sha-{f.pk}") == f.sha256
    assert download.value.suggested_filename == f.filename

    # 6. The bank's return, built from the file's rows: 王建国 paid, 李秀英 failed; imported on the page.
    layout = bankfiles.layouts()["generic_csv"]
    lines = []
    for rec in csv.DictReader(io.StringIO(body.decode("utf-8-sig"))):
        if rec["业务流水号"] == "合计":
            continue
        lines.append(bankfiles.PayLine(
            reference=rec["业务流水号"], name=rec["户名"], account_number=rec["账号"], bank=rec["开户银行"],
            amount=int(Decimal(rec["金额（元）"]) * 100), id_number=rec["证件号码"], benefit=rec["补贴项目"],
            basis=rec["政策依据"], village=rec["所在村"]))
    assert sorted(l.name for l in lines) == ["李秀英", "王建国"]
    returned = tmp_path / "回盘-中国农业银行.csv"
    with returned.open("wb") as fh:
        bankfiles.simulate_return(layout, [(l, "成功", "") if l.name == "王建国" else (l, "失败", "账户已销户")
                                           for l in lines], fh, paid_on=dt.date(2025, 7, 12))
    county.set_input_files(f"#return-{f.pk} input[type=file]", str(returned))
    r.submit(county, f"#return-{f.pk} button[type=submit]")
    assert "已导入回盘：成功1笔，失败1笔" in r.said(county), r.said(county)
    assert "成功1笔 失败1笔" in county.inner_text("#files")
    assert "通用代发格式（CSV）" in county.inner_text("#files")
    r.shot(county, "return-imported", fits=True)
    r.submit(county, "a:has-text('查看兑现明细')")
    rows = county.inner_text("#round-rows")
    assert "已到账" in rows and "账户已销户" in rows
    r.shot(county, "rows-after-return", fits=True)

    # 7. The failed payee's new account, on the household's page; the failed row reissued, approved and issued.
    county.goto(f"{live_server.url}/households/{li.pk}/")
    r.submit(county, "#payee-accounts a:has-text('登记 / 更换')")
    county.select_option("select[name=member]", label="李秀英")
    county.select_option("select[name=kind]", "bank_card")
    county.fill("input[name=bank]", "中国农业银行")
    new_number = luhn("622848005555666677")
    county.fill("input[name=account_number]", new_number)
    county.fill("input[name=holder]", "李秀英")
    r.shot(county, "new-account", fits=True)
    r.submit(county, "main form[method=post] button[type=submit]")
    assert "已登记李秀英的收款账户" in r.said(county), r.said(county)
    county.goto(round_url)
    county.fill("#reissue-form input[name=title]", "2025年消费券失败重发")
    r.submit(county, "#reissue-form button[type=submit]")
    new = PaymentRound.objects.exclude(pk=rnd.pk).get()
    assert county.url.endswith(f"/payments/{new.pk}/") and "待县级审定" in r.said(county)
    new_part = RoundPart.objects.get(round=new)
    r.shot(county, "reissue-round", fits=True)
    r.submit(county, f"#part-{new_part.pk}-approve button:has-text('县级审定通过')")
    assert county.inner_text("#round-state") == "已审定"
    county.select_option("#issue-form select[name=layout]", "generic_csv")
    r.submit(county, "#issue-form button[type=submit]")
    assert "已生成代发文件：中国农业银行1笔" in r.said(county), r.said(county)
    r.shot(county, "reissue-issued", fits=True)
    again = RoundRow.objects.select_related("payment").get(round=new)
    assert again.payment.account_number == new_number and again.payment.status == "pending" and again.amount == 150000

    # 8. The ledger: the paid row with its funding shares; its Excel holds the paid payee.
    r.nav(county, "发放台账")
    ledger = county.inner_text("#ledger tbody")
    assert "王建国" in ledger and "804.00" in ledger and "李秀英" not in ledger
    cells = county.locator("#ledger tbody tr:has-text('王建国') td.num").all_inner_texts()
    amount, shares = Decimal(cells[0].replace(",", "")), [Decimal(c.replace(",", "") or 0) for c in cells[1:]]
    assert amount == Decimal("804.00") and sum(shares) == amount, cells
    r.shot(county, "ledger", fits=True)
    with county.expect_download() as download:
        county.click("main a.button:has-text('导出 Excel')")
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    values = [c for row in wb.active.iter_rows(values_only=True) for c in row if c is not None]
    assert "王建国" in values and 804 in values and "李秀英" not in values
