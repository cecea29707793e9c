"""Resident ID numbers (GB 11643-1999): structure, birth date and the ISO 7064 MOD 11-2 check character."""
from __future__ import annotations

import datetime as dt
import functools
import operator
import unicodedata
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"

# Province-level prefixes in use (GB/T 2260); 71/81/82 are Taiwan, Hong Kong, Macao.
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)


class IdNumberError(ValueError):
    """Raised with a Chinese message saying what is wrong with the ID number."""


@dataclass(frozen=True)
class IdInfo:
    region: str
    birth_date: dt.date
    sex: str  # "male" / "female"


def check_char(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("check_char needs the first 17 characters")
    total = sum(map(operator.mul, map(int, first17), WEIGHTS))  # imports check millions of these
    return CHECK_CHARS[total % 11]


def normalize(value: str) -> str:
    """Full-width digits and letters to ASCII (NFKC), spaces removed, x to X: how IDs get pasted from other systems."""
    if value and value.isascii() and value.isalnum():
        return value.upper()  # already clean: NFKC would change nothing
    return "".join(unicodedata.normalize("NFKC", value or "").split()).upper()


def parse(value: str, *, today: dt.date | None = None) -> IdInfo:
    """Validate an ID number and return what it encodes; raise IdNumberError otherwise."""
    return _parse(normalize(value), today or dt.date.today())


@functools.lru_cache(maxsize=4096)  # an import checks a number as a cell, then as a person: the second time is free
def _parse(s: str, today: dt.date) -> IdInfo:
    if len(s) != 18:
        raise IdNumberError(f"身份证号应为18位，实际为{len(s)}位")
    if not s[:17].isdigit() or not (s[17].isdigit() or s[17] == "X"):
        raise IdNumberError("身份证号前17位应为数字，末位应为数字或X")
    if s[:2] not in PROVINCE_PREFIXES:
        raise IdNumberError(f"身份证号地址码“{s[:6]}”不是有效的省级区划")
    try:
        birth = dt.date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise IdNumberError(f"身份证号出生日期“{s[6:14]}”不是真实日期") from None
    if birth > today or birth.year < 1880:
        raise IdNumberError(f"身份证号出生日期“{s[6:14]}”不在合理范围内")
    expected = check_char(s[:17])
    if s[17] != expected:
        raise IdNumberError(f"身份证号校验位错误：应为“{expected}”，实际为“{s[17]}”")
    return IdInfo(region=s[:6], birth_date=birth, sex="male" if int(s[16]) % 2 else "female")


def is_valid(value: str) -> bool:
    try:
        parse(value)
    except IdNumberError:
        return False
    return True


def make(region: str, birth: dt.date, sequence: int) -> str:
    """Build a valid ID number (for demo and test data)."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)


def mask(value: str) -> str:
    """1406**************: the province and city only. The birth date and the sequence are hidden (with the household's
    county and the person's age known, any shown digit of them narrows the number down: see docs/access.md)."""
    s = normalize(value)
    if len(s) <= 8:
        return "*" * len(s)
    return s[:4] + "*" * (len(s) - 4)


def mask_series(values):
    """`mask` of each value of a Polars string Series (null as ""), column-wise: a county's notices mask a million
    numbers. Clean values (ASCII letters and digits, as the registry stores them) are masked by Polars; any other goes
    through `mask` itself, so both give the same text."""
    import polars as pl

    frame = pl.DataFrame({"v": values.cast(pl.String).fill_null("")})
    n = pl.col("v").str.len_chars()
    stars = pl.lit("*" * _STARS)
    clean = pl.col("v").str.contains(r"^[0-9A-Za-z]*$") & (n <= _STARS)
    out = frame.select(
        pl.when(n <= 8).then(stars.str.slice(0, n))
        .otherwise(pl.col("v").str.slice(0, 4).str.to_uppercase() + stars.str.slice(0, n - 4)).alias("masked"),
        clean.alias("clean"))
    masked = out["masked"]
    other = (~out["clean"]).arg_true()
    if other.len():
        masked = masked.scatter(other, [mask(v) for v in frame["v"].gather(other)])
    return masked.rename(values.name)


_STARS = 64  # longer values (never an ID number) go through `mask`
