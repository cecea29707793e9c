import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fangpin.lib import idnumber

VALID = "11010519491231002X"  # the standard's own example


def test_standard_example_is_valid():
    info = idnumber.parse(VALID)
    assert info.region == "110105"
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == "female"


def test_lowercase_x_is_normalized():
    assert idnumber.parse(VALID.lower()).birth_date == dt.date(1949, 12, 31)


@pytest.mark.parametrize("value,message", [
    (VALID[:17], "应为18位，实际为17位"),
    (VALID + "1", "应为18位，实际为19位"),
    ("", "应为18位，实际为0位"),
    ("11010519491231002A", "末位应为数字或X"),
    ("1101051949123X0021", "前17位应为数字"),
    ("11010519491231002" + "1", "校验位错误：应为“X”，实际为“1”"),
    ("990105194912310021", "不是有效的省级区划"),
])
def test_rejections(value, message):
    with pytest.raises(idnumber.IdNumberError, match=message):
        idnumber.parse(value)


@pytest.mark.parametrize("birth,ok", [
    ("20000229", True),   # 2000 is a leap year
    ("19000229", False),  # 1900 is not
    ("19800230", False),
    ("19801301", False),
    ("19800000", False),
    ("18791231", False),  # before 1880: not plausible
    ("18800101", True),
])
def test_birth_date_must_be_real(birth, ok):
    first17 = f"140603{birth}001"
    value = first17 + idnumber.check_char(first17)
    if ok:
        assert idnumber.parse(value).birth_date.strftime("%Y%m%d") == birth
    else:
        with pytest.raises(idnumber.IdNumberError, match="出生日期"):
            idnumber.parse(value)


def test_birth_date_in_future_is_rejected_today_is_accepted():
    today = dt.date(2026, 11, 23)
    assert idnumber.parse(idnumber.make("140603", today, 1), today=today).birth_date == today
    with pytest.raises(idnumber.IdNumberError, match="合理范围"):
        idnumber.parse(idnumber.make("140603", today + dt.timedelta(days=1), 1), today=today)


def test_sex_from_sequence_parity():
    assert idnumber.parse(idnumber.make("140603", dt.date(1990, 1, 1), 11)).sex == "male"
    assert idnumber.parse(idnumber.make("140603", dt.date(1990, 1, 1), 12)).sex == "female"


def test_mask_keeps_prefix_and_last_four():
    assert idnumber.mask("140603198005170011") == "1406**************"
    assert idnumber.mask("") == ""


births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31))


@given(births, st.integers(min_value=0, max_value=999))
def test_made_numbers_parse_back(birth, seq):
    value = idnumber.make("610327", birth, seq)
    info = idnumber.parse(value)
    assert (info.region, info.birth_date) == ("610327", birth)


@given(births, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_change_is_caught(birth, seq, pos, delta):
    value = idnumber.make("610327", birth, seq)
    changed = value[:pos] + str((int(value[pos]) + delta) % 10) + value[pos + 1:]
    with pytest.raises(idnumber.IdNumberError):
        idnumber.parse(changed)


def test_mask_series_is_mask_value_by_value():
    import random

    import polars as pl

    rng = random.Random(7)
    alphabet = "0123456789Xx１２３ -\t"
    values = ["140603198005170011", "14060319800517001x", "", "1234", "12345678", "123456789", "a" * 70, None,
              "１４０６０３１９８００５１７００１１", " 1406 0319 8005 1700 11"]
    values += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24))) for _ in range(500)]
    got = idnumber.mask_series(pl.Series("id", values, dtype=pl.String))
    assert got.to_list() == [idnumber.mask(v or "") for v in values]
    assert got.name == "id"
