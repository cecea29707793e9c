import pytest

from fangpin.accounts.masking import account_number_for, age_on, id_number_for

FULL = {"clerk": True, "township": False, "county": True, "department": False, "leader": False, "other_county": True}
ID = "140603198005170011"


@pytest.mark.parametrize("who,full", FULL.items())
def test_masking_by_role(world, who, full):
    shown = id_number_for(world.users()[who], ID)
    assert shown == (ID if full else "1406**************")


@pytest.mark.parametrize("who,full", FULL.items())
@pytest.mark.parametrize("number,masked", [
    ("6217000010001234567", "6217***********4567"),  # a 19-digit card: its bank's prefix and last four
    ("6217000010001234", "6217********1234"),  # 16 digits: eight hidden
    ("621700001000", "********1000"),  # 12: the last four only
    ("62170000100", "***********"),  # 11: nothing shown, or fewer than eight would stay hidden
    ("12345678", "********"),
])
def test_account_numbers_by_role(world, who, full, number, masked):
    assert account_number_for(world.users()[who], number) == (number if full else masked)
    assert masked.count("*") >= 8


def test_blank_stays_blank(world):
    assert id_number_for(world.leader, "") == ""
    assert account_number_for(world.leader, "") == ""


# --- the reconstruction attack: everything a masked role can see, export or ask, together --------------------------

import datetime as dt  # noqa: E402
import io  # noqa: E402

from python_calamine import CalamineWorkbook  # noqa: E402

from fangpin.lib import idnumber  # noqa: E402
from fangpin.registry.models import Household, Member  # noqa: E402

MASKED_ROLES = ["township", "leader"]


def _text_of_xlsx(content: bytes) -> str:
    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    cells = []
    for name in wb.sheet_names:
        for row in wb.get_sheet_by_name(name).to_python():
            cells.extend(str(c) for c in row)
    return "\n".join(cells)


def _everything_seen(client, households) -> str:
    """Pages, API answers and both exports, as one text."""
    parts = [client.get("/households/").content.decode()]
    for h in households:
        parts.append(client.get(f"/households/{h.pk}/").content.decode())
        parts.append(client.get(f"/households/{h.pk}/monitoring/").content.decode())
        parts.append(client.get(f"/api/households/{h.pk}").content.decode())
        parts.append(client.get(f"/api/households/{h.pk}/history").content.decode())
        parts.append(client.get(f"/api/households/{h.pk}/entitlements").content.decode())
    parts.append(b"".join(client.get("/export/", {"format": "json"}).streaming_content).decode())
    parts.append(b"".join(client.get("/api/exports", {"format": "json"}).streaming_content).decode())
    parts.append(_text_of_xlsx(b"".join(client.get("/export/", {"format": "xlsx"}).streaming_content)))
    return "\n".join(parts)


def _candidates(masked: str, county: str, age: int | None, birth: str | None, sex: str, today: dt.date) -> int:
    """How many valid ID numbers fit what was seen: the household's county, the shown prefix, the birth date (or the
    dates the age allows) and the sex (parity of the 17th digit)."""
    if birth:
        days = [dt.date.fromisoformat(birth)]
    else:
        latest = today.replace(year=today.year - age)
        days = [d for d in (latest - dt.timedelta(days=n) for n in range(367)) if age_on(d, today) == age]
    visible = masked[:masked.index("*")]
    region = county if county.startswith(visible[:4]) else None
    if region is None:
        return 10**6  # born elsewhere: the county digits are unknown as well
    shown = masked[masked.rindex("*") + 1:]  # what is shown after the stars (nothing, today)
    count = 0
    for day in days:
        for seq in range(1000):
            if (seq % 2 == 1) != (sex == "male"):
                continue
            first17 = f"{region}{day:%Y%m%d}{seq:03d}"
            full = first17 + idnumber.check_char(first17)
            if shown and not full.endswith(shown):
                continue
            count += 1
            if count >= 10_000:
                return count  # enough to say the number is not determined
    return count


@pytest.mark.parametrize("who", MASKED_ROLES)
def test_a_masked_role_cannot_rebuild_an_id_number(world, households, client, who):
    user = world.users()[who]
    client.force_login(user)
    visible = list(Household.objects.filter(village__code__startswith=user.org_unit.prefix))
    assert visible
    seen = _everything_seen(client, visible)
    today = dt.date.today()
    for h in visible:
        detail = client.get(f"/api/households/{h.pk}").json()
        for m, shown in zip(Member.objects.filter(household=h).order_by("id"), detail["members"], strict=True):
            # nothing shows the number, its birth-date digits or the birth date
            assert m.id_number not in seen and m.id_number[6:14] not in seen
            assert m.birth_date.isoformat() not in seen
            assert shown["birth_date"] is None and shown["age"] is not None
            # the attack of the issue: the household's county + the masked number + the birth date. What is left is
            # far from one number
            assert _candidates(shown["id_number"], h.village_id[:6], shown["age"], shown["birth_date"], m.sex,
                               today) >= 10_000
            # and no query confirms a guess: search by the full number (or its start) answers nothing about members
            for q in (m.id_number, m.id_number[:14]):
                assert client.get("/api/households", {"q": q}).json()["count"] == 0
                page = client.get("/households/", {"q": q}).content.decode()
                assert h.number not in page and "不能按身份证号查询" in page


@pytest.mark.parametrize("who", ["clerk", "county"])
def test_full_roles_still_see_and_search_ids(world, households, client, who):
    client.force_login(world.users()[who])
    head = households["shuangnian"].members.get(relation="head")
    assert client.get("/api/households", {"q": head.id_number}).json()["count"] == 1
    shown = client.get(f"/api/households/{households['shuangnian'].pk}").json()["members"][0]
    assert (shown["id_number"], shown["birth_date"]) == (head.id_number, head.birth_date.isoformat())


@pytest.mark.parametrize(("who", "label"), [("leader", "姓名 / 户编号 / 村名"), ("clerk", "姓名 / 身份证号 / 户编号 / 村名")])
def test_the_search_box_offers_what_the_role_may_search(world, client, who, label):
    client.force_login(world.users()[who])
    assert label in client.get("/households/").content.decode()
