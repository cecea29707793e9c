"""Statistical division codes: 12 digits = province 2 + city 2 + county 2 + township 3 + village 3."""
from __future__ import annotations

LEVELS = ("province", "city", "county", "township", "village")
PREFIX_LENGTH = {"province": 2, "city": 4, "county": 6, "township": 9, "village": 12}


def level_below(level: str) -> str:
    """The level a rollup of a `level` unit shows: the next one down (a village shows itself)."""
    return LEVELS[min(LEVELS.index(level) + 1, len(LEVELS) - 1)]


def is_code(value) -> bool:
    """Exactly twelve ASCII digits: what a division code given in a request must be before it reaches a query."""
    return isinstance(value, str) and len(value) == 12 and value.isascii() and value.isdigit()


def full_code(code: str) -> str:
    """Pad a 2/4/6/9/12-digit code to 12 digits."""
    code = str(code).strip()
    if not code.isdigit() or len(code) not in PREFIX_LENGTH.values():
        raise ValueError(f"区划代码“{code}”应为2、4、6、9或12位数字")
    return code.ljust(12, "0")


def level_of(code: str) -> str:
    """The level of a 12-digit code, read from which trailing groups are zero."""
    if len(code) != 12 or not code.isdigit():
        raise ValueError(f"区划代码“{code}”应为12位数字")
    if code[9:] != "000":
        return "village"
    if code[6:9] != "000":
        return "township"
    if code[4:6] != "00":
        return "county"
    if code[2:4] != "00":
        return "city"
    return "province"


def prefix(code: str, level: str | None = None) -> str:
    """The significant prefix: every code in the unit's subtree starts with it."""
    return code[: PREFIX_LENGTH[level or level_of(code)]]


def parent_code(code: str) -> str | None:
    level = level_of(code)
    idx = LEVELS.index(level)
    if idx == 0:
        return None
    return prefix(code, LEVELS[idx - 1]).ljust(12, "0")


def lineage(code: str) -> list[str]:
    """The 12-digit codes of the unit and every unit above it, the province first."""
    out = [code]
    while (up := parent_code(out[-1])) is not None:
        out.append(up)
    return out[::-1]
