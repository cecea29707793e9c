import pytest

from fangpin.lib import bankcard

VALID_CARD = "6217000010001234569"  # Luhn-valid (checked below against the algorithm by hand)


def test_luhn_by_hand():
    # the classic example: 79927398713 is valid, 79927398710 is not
    assert bankcard.luhn_ok("79927398713") and not bankcard.luhn_ok("79927398710")
    assert bankcard.luhn_ok(VALID_CARD)
    assert not bankcard.luhn_ok("6217000010001234567") and not bankcard.luhn_ok("６２１７")


@pytest.mark.parametrize("number,card,message", [
    (VALID_CARD, True, None),
    ("6217000010001234567", True, "校验位不符"),
    ("621700001000", True, "13至19位"),  # 12 digits: too short for a card
    ("4" * 19 + "0", True, "13至19位"),  # 20 digits: too long
    ("1234567", False, "8至30位"),  # a passbook of 7 digits: too short
    ("12345678", False, None),  # 8: the shortest passbook
    ("1" * 30, False, None),
    ("1" * 31, False, "8至30位"),
    ("1234abcd5678", False, "只能由数字组成"),
])
def test_problems_at_the_boundaries(number, card, message):
    got = bankcard.problem(number, card=card)
    assert (got is None) if message is None else (message in got)


def test_normalize_folds_full_width_and_separators():
    assert bankcard.normalize("６２１７ 0000-1000 1234 569") == VALID_CARD


def test_mask_series_is_mask_value_by_value():
    import random

    import polars as pl

    from fangpin.lib import bankcard

    rng = random.Random(11)
    values = ["6222020200112233445", "12345678", "123456789012", "12345678901", "1234567890123456",
              "123456789012345", "", None, "9" * 70, "６２２２"]
    values += ["".join(rng.choice("0123456789") for _ in range(rng.randint(0, 32))) for _ in range(500)]
    got = bankcard.mask_series(pl.Series("account", values, dtype=pl.String))
    assert got.to_list() == [bankcard.mask(v or "") for v in values]
