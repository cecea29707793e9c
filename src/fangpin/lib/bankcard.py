"""Account numbers people are paid into: bank cards (UnionPay cards carry a Luhn check digit), social-security cards'
financial accounts (bank cards too) and passbook accounts such as many 一卡通 accounts (no check digit)."""
from __future__ import annotations

import unicodedata

MIN_DIGITS, MAX_DIGITS = 8, 30  # a passbook account can be short; no scheme in use is longer
CARD_DIGITS = (13, 19)  # ISO/IEC 7812 card numbers


def normalize(value: str) -> str:
    """The digits as typed, full-width folded, spaces and hyphens removed (the rest is left for the check to refuse)."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return "".join(ch for ch in text if ch not in " -\t")


def luhn_ok(digits: str) -> bool:
    """The Luhn check (ISO/IEC 7812-1) over a string of ASCII digits."""
    if not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def problem(number: str, *, card: bool) -> str | None:
    """Why `number` (normalized) is not an account number of its kind, in Chinese; None if it is."""
    if not number.isascii() or not number.isdigit():
        return "账号只能由数字组成"
    if card:
        low, high = CARD_DIGITS
        if not low <= len(number) <= high:
            return f"卡号应为{low}至{high}位数字，现为{len(number)}位"
        if not luhn_ok(number):
            return "卡号校验位不符，请核对是否抄错"
        return None
    if not MIN_DIGITS <= len(number) <= MAX_DIGITS:
        return f"账号应为{MIN_DIGITS}至{MAX_DIGITS}位数字，现为{len(number)}位"
    return None


def mask(number: str) -> str:
    """Enough to tell two accounts of a person apart, never the account: at least eight digits stay hidden. The last
    four show from 12 digits on; the first four (the bank's card prefix, public) from 16 on."""
    n = len(number)
    head = 4 if n >= 16 else 0
    tail = 4 if n >= 12 else 0
    return number[:head] + "*" * (n - head - tail) + (number[n - tail:] if tail else "")


def mask_series(values):
    """`mask` of each value of a Polars string Series (null as ""), column-wise, by the same rule (a county's notices
    mask hundreds of thousands of accounts); a value longer than any account goes through `mask` itself."""
    import polars as pl

    frame = pl.DataFrame({"v": values.cast(pl.String).fill_null("")})
    n = pl.col("v").str.len_chars()
    head = pl.when(n >= 16).then(4).otherwise(0)
    tail = pl.when(n >= 12).then(4).otherwise(0)
    out = frame.select(
        (pl.col("v").str.slice(0, head) + pl.lit("*" * _STARS).str.slice(0, n - head - tail)
         + pl.col("v").str.slice(n - tail, tail)).alias("masked"),
        (n <= _STARS).alias("fits"))
    masked = out["masked"]
    other = (~out["fits"]).arg_true()
    if other.len():
        masked = masked.scatter(other, [mask(v) for v in frame["v"].gather(other)])
    return masked.rename(values.name)


_STARS = 64
