"""Who pays a benefit's amount: its shares (5:3:2 by province, city and county; a rate split such as the central and
provincial grain subsidies) or its named source. One rule for every page, file and simulation."""
from __future__ import annotations

import json

LEVEL_LABELS = {"central": "中央", "province": "省级", "city": "市级", "county": "县级"}


def split(funding: str, amount: int) -> list[tuple[str, int]]:
    """[(level or source, fen)] for `amount` fen. By shares, each level's part is rounded down and the fen left over
    go to the largest share (on a tie, the first named); without shares, the whole amount under its source."""
    f = json.loads(funding) if funding else {}
    shares = {k: v for k, v in (f.get("shares") or {}).items() if v > 0}
    if not shares:
        return [(f.get("source") or "未注明资金来源", amount)]
    whole = sum(shares.values())
    parts = {level: amount * share // whole for level, share in shares.items()}
    parts[max(shares, key=shares.get)] += amount - sum(parts.values())
    return list(parts.items())


def label(level: str) -> str:
    return LEVEL_LABELS.get(level, level)
