"""Unified social credit codes (GB 32100-2015): 18 characters with a MOD 31 check character."""
from __future__ import annotations

import unicodedata

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class CreditCodeError(ValueError):
    pass


def check_char(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def validate(value: str) -> str:
    s = "".join(unicodedata.normalize("NFKC", value or "").split()).upper()
    if len(s) != 18:
        raise CreditCodeError(f"统一社会信用代码应为18位，实际为{len(s)}位")
    bad = [c for c in s if c not in CHARSET]
    if bad:
        raise CreditCodeError(f"统一社会信用代码含有无效字符“{bad[0]}”")
    if not s[2:8].isdigit():
        raise CreditCodeError("统一社会信用代码第3至8位应为行政区划代码")
    expected = check_char(s[:17])
    if s[17] != expected:
        raise CreditCodeError(f"统一社会信用代码校验位错误：应为“{expected}”，实际为“{s[17]}”")
    return s


def make(region: str, body: str, registrar: str = "92") -> str:
    """Build a valid code from a 2-char registrar type, a 6-digit region and a 9-char body (demo data)."""
    first17 = f"{registrar}{region}{body}"
    return first17 + check_char(first17)
