from decimal import Decimal

import pytest

from fangpin.lib import money


@pytest.mark.parametrize("value,fen", [
    ("1500", 150000), ("0.01", 1), ("1,234.50", 123450), (0.1, 10), (2500.01, 250001), (Decimal("7.7"), 770), (0, 0),
    ("-3", -300),
])
def test_yuan_to_fen_is_exact(value, fen):
    assert money.yuan_to_fen(value) == fen


@pytest.mark.parametrize("value", ["0.001", "abc", "", True, "nan", "inf"])
def test_yuan_to_fen_rejects(value):
    with pytest.raises(money.MoneyError):
        money.yuan_to_fen(value)


def test_fen_to_yuan_and_format():
    assert money.fen_to_yuan(123450) == Decimal("1234.50")
    assert money.format_yuan(123456789) == "1,234,567.89"
