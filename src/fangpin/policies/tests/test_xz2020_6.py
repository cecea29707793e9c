"""忻州市六大举措 (seed 000) clause 六: the dibao uplift for the elderly, minors and the severely disabled."""
import datetime as dt

import pytest

from fangpin.lib import idnumber

from .helpers import household, member, run

XINZHOU = "140902001001"
AS_OF = dt.date(2020, 6, 30)


def person(birth: dt.date, **kw):
    return member("X1", id_number=idnumber.make("140902", birth, 11), **kw)


def go(m, dibao=True, village=XINZHOU, standard="600", as_of=AS_OF):
    doc = {"households": [household("X1", "ordinary", dibao=dibao, village=village)], "members": [m]}
    changes = {"dibao_standard_monthly": standard} if standard else None
    return run(doc, as_of=as_of, document="xz2020-6", benefit="dibao_uplift", changes=changes)


@pytest.mark.parametrize("birth,paid,reason", [
    (dt.date(1960, 6, 30), True, "老年人"),     # 60 on the day
    (dt.date(1960, 7, 1), False, None),        # 59
    (dt.date(2002, 7, 1), True, "未成年人"),    # 17
    (dt.date(2002, 6, 30), False, None),       # 18 on the day
])
def test_age_bounds(birth, paid, reason):
    rows, _, _ = go(person(birth))
    assert [r["amount"] for r in rows] == ([36000] if paid else [])  # 600 × 1/20 × 12 = 360 yuan
    if paid:
        assert rows[0]["bound"] == "at_least"
        assert rows[0]["explanation"] == (f"依据忻州市六大举措（2020）第六条：农村低保家庭中的{reason}，按当地低保标准每月600元的"
                                          "1/20提高救助水平，12个月不低于360元")


@pytest.mark.parametrize("grade,paid", [(1, True), (2, True), (3, False), (None, False)])
def test_severe_disability(grade, paid):
    rows, _, _ = go(person(dt.date(1980, 1, 1), disability_grade=grade))
    assert bool(rows) == paid


def test_only_dibao_households_in_xinzhou_and_only_in_2020():
    assert go(person(dt.date(1950, 1, 1)), dibao=False)[0] == []
    assert go(person(dt.date(1950, 1, 1)), village="140603203200")[0] == []
    rows, messages, _ = go(person(dt.date(1950, 1, 1)), as_of=dt.date(2021, 1, 1))
    assert rows == [] and any("不在有效期内" in m for m in messages)


def test_without_the_local_standard_nothing_is_computed_and_the_message_says_why():
    rows, messages, _ = go(person(dt.date(1950, 1, 1)), standard=None)
    assert rows == []
    assert any("当地农村低保标准" in m and "没有生效的取值" in m for m in messages)
