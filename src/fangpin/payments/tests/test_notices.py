"""Village notices (公示): every village's workbook at once is, cell for cell, the workbook its page gives, masked, and
only for the villages in the writer's area."""
import datetime as dt
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from conftest import SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.payments import accounts, notices, rounds
from fangpin.payments.models import RoundRow

AS_OF = dt.date(2025, 6, 30)
CARD = "6217000010001234569"


@pytest.fixture
def rnd(world, households):
    h = households["shuangnian"]
    h.contracted_land_mu = Decimal("10.50")
    h.address = "一组 <东> & 西"  # escaped in the sheet's XML
    h.save()
    w = households["wujiayao"]
    w.contracted_land_mu = Decimal("2.00")
    w.save()
    other = make_household(WUJIAYAO, "1406032032030077", members=2, head_name="赵六")
    other.contracted_land_mu = Decimal("3.25")
    other.save()
    head = h.members.get(relation="head")
    accounts.set_account(world.clerk, head, kind="bank_card", bank="中国农业银行平鲁支行", number=CARD, holder=head.name,
                         since=dt.date(2025, 1, 1))
    made = rounds.create(world.county, title="2025年第一批", document_id="sn2022-67",
                         benefit_ids=["consumption_voucher", "land_fertility_subsidy"],
                         as_of=AS_OF, area="140603203000", run=rounds.compute)
    made.refresh_from_db()
    assert made.state == "open", made.error
    return made


def cells(path):
    sheet = openpyxl.load_workbook(path).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_every_village_at_once_is_each_villages_own_workbook(world, rnd, tmp_path):
    written, rows = notices.write_all(world.county, rnd, tmp_path / "all")
    villages = sorted(rnd.notices.values_list("village_id", flat=True))
    assert villages == [SHUANGNIAN_CUN, WUJIAYAO]
    assert (written, rows) == (2, RoundRow.objects.filter(round=rnd, status="included").count())
    assert rows >= 4
    for village in villages:
        one = tmp_path / f"one-{village}.xlsx"
        notices.write_xlsx(notices.notice_for(world.county, rnd, village), one)
        got = cells(tmp_path / "all" / f"{rnd.pk}-{village}.xlsx")
        assert got == cells(one) and len(got) > 5


def test_the_workbooks_name_masked_numbers_only(world, rnd, tmp_path):
    notices.write_all(world.county, rnd, tmp_path)
    text = "\n".join(str(v) for p in tmp_path.iterdir() for row in cells(p) for v in row if v is not None)
    for r in RoundRow.objects.filter(round=rnd).exclude(id_number=""):
        assert r.id_number not in text and r.id_number[:4] + "*" * 14 in text
    assert CARD not in text and CARD[:4] + "*" * 11 + CARD[-4:] in text


def test_a_village_clerk_gets_their_own_village_only(world, rnd, tmp_path):
    written, _ = notices.write_all(world.clerk2, rnd, tmp_path)
    assert written == 1 and [p.name for p in tmp_path.iterdir()] == [f"{rnd.pk}-{WUJIAYAO}.xlsx"]
    with pytest.raises(PermissionDenied):
        notices.write_all(world.other_county, rnd, tmp_path / "x")
