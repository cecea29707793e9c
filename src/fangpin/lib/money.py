"""Money is kept in fen (integer). Input in yuan is parsed exactly, never through float."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation


class MoneyError(ValueError):
    pass


def yuan_to_fen(value) -> int:
    """'1234.5' / 1234.5 / Decimal -> 123450. Rejects more than two decimals."""
    if isinstance(value, bool):
        raise MoneyError("金额应为数字")
    if isinstance(value, float):
        value = repr(value)  # shortest repr round-trips, so 0.1 stays 0.1
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise MoneyError(f"“{value}”不是有效金额") from None
    if not d.is_finite():
        raise MoneyError(f"“{value}”不是有效金额")
    fen = d * 100
    if fen != fen.to_integral_value():
        raise MoneyError(f"金额“{value}”最多两位小数")
    return int(fen)


def fen_to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def format_yuan(fen: int) -> str:
    return f"{fen_to_yuan(fen):,.2f}"
