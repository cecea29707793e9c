"""Villages by the names people write: 双碾村, or 双碾乡双碾村 where two villages of an area share a name.

The statistical tables name the committee (双碾村委会, 古城社区居委会); people write the village (双碾村, 古城社区).
Both are accepted. An area's villages are read in one query and looked up in memory, so an import of 100,000 rows
costs one query whatever it names.
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from fangpin.accounts import access

from .models import Level, OrgUnit

# The committee's name -> the village's: the longest suffix first.
_COMMITTEE = (("村民委员会", "村"), ("村委会", "村"), ("居民委员会", ""), ("居委会", ""))


def short_name(name: str) -> str:
    """双碾村 for 双碾村委会, 古城社区 for 古城社区居民委员会; other names as they are."""
    for suffix, replacement in _COMMITTEE:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + replacement
    return name


def normalize(text: str) -> str:
    """A name as typed, compared: full-width characters folded (NFKC), spaces removed."""
    return "".join(unicodedata.normalize("NFKC", str(text)).split())


@dataclass(frozen=True)
class Village:
    code: str
    label: str  # township and village (双碾乡双碾村), with the county too where that alone is not unique in the area


class VillageNames:
    """An area's villages by every name people give them: the village alone, with its township, with its county and
    township; each in the committee's name or the village's. `resolve` gives the code, or the candidates' labels."""

    def __init__(self, rows: Iterable[tuple[str, str, str, str]]):
        """rows: (code, village name, township name, county name), as the division table has them."""
        rows = sorted(rows)
        by_township: dict[str, list[str]] = defaultdict(list)
        for code, village, township, _ in rows:
            by_township[township + short_name(village)].append(code)
        self.villages: list[Village] = []
        self._labels: dict[str, str] = {}  # label -> code: a list's values always resolve, whatever the aliases
        # name -> code, or the codes of the villages that share it (a tuple): no set per name, as the whole division
        # table (a file checked without a user) may hold hundreds of thousands of villages
        aliases: dict[str, str | tuple[str, ...]] = {}
        for code, village, township, county in rows:
            label = township + short_name(village)
            if len(by_township[label]) > 1:
                label = county + label
            if label in self._labels:  # the same county, township and village twice: only the code tells them apart
                label = f"{label}（{code}）"
            self._labels[normalize(label)] = code
            self.villages.append(Village(code, label))
            for name in {village, short_name(village)}:
                for qualified in (name, township + name, county + township + name):
                    key = normalize(qualified)
                    found = aliases.get(key)
                    if found is None:
                        aliases[key] = code
                    elif isinstance(found, str):
                        if found != code:
                            aliases[key] = (found, code)
                    elif code not in found:
                        aliases[key] = (*found, code)
        self._aliases = aliases
        self._label_of = {v.code: v.label for v in self.villages}

    def __len__(self) -> int:
        return len(self.villages)

    def resolve(self, text: str) -> str | list[str]:
        """The code of the one village `text` names; otherwise the labels of the villages it could be (none: [])."""
        key = normalize(text)
        code = self._labels.get(key)
        if code is not None:
            return code
        found = self._aliases.get(key, ())
        if isinstance(found, str):
            return found
        return [self._label_of[c] for c in sorted(found)]


def village_names(prefix: str) -> VillageNames:
    """The villages whose codes start with `prefix` ("" for every village in the division table), in one query."""
    rows = (OrgUnit.objects.filter(access.subtree("code", prefix), level=Level.VILLAGE)
            .values_list("code", "name", "parent__name", "parent__parent__name"))
    return VillageNames((code, name, township or "", county or "") for code, name, township, county in rows.iterator())
