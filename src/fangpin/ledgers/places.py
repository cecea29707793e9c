"""The place a ledger row names (a project's site, a post's village): a village, township or county of the importing
user's area, by its 12-digit code or, in Excel, by its name as people write it (双碾村, 双碾乡双碾村, 双碾乡, 平鲁区)."""
from __future__ import annotations

from collections import defaultdict

from fangpin.accounts import access
from fangpin.lib import divisions
from fangpin.orgunits import names
from fangpin.orgunits.models import Level, OrgUnit
from fangpin.orgunits.villages import normalize, village_names


class Places:
    def __init__(self, prefix: str):
        self.prefix = prefix
        self._villages = None
        self._units: dict[str, list[str]] | None = None  # township and county names -> codes
        self._codes: set[str] | None = None  # every code of the area, read once at the first code asked

    def _unit_names(self) -> dict[str, list[str]]:
        if self._units is None:
            found = defaultdict(list)
            rows = (OrgUnit.objects.filter(access.subtree("code", self.prefix), level__in=(Level.TOWNSHIP, Level.COUNTY))
                    .values_list("code", "name", "parent__name"))
            for code, name, parent in rows:
                for key in {normalize(name), normalize((parent or "") + name)}:
                    found[key].append(code)
            self._units = found
        return self._units

    def resolve(self, text: str) -> tuple[str | None, str]:
        """(code, "") for the one place `text` names in the area, else (None, why)."""
        area = names.region_name(self.prefix) if self.prefix else "区划库"
        if divisions.is_code(text):
            if not text.startswith(self.prefix):
                return None, f"区划代码“{text}”不在您的管辖范围（{area}）内"
            if self._codes is None:
                self._codes = set(OrgUnit.objects.filter(access.subtree("code", self.prefix)).values_list("code", flat=True))
            if text not in self._codes:
                return None, f"区划库中没有区划代码“{text}”"
            return text, ""
        units = self._unit_names().get(normalize(text), [])
        if len(units) == 1:
            return units[0], ""
        if self._villages is None:
            self._villages = village_names(self.prefix)
        found = self._villages.resolve(text)
        if isinstance(found, str) and not units:
            return found, ""
        if found or units:
            return None, f"“{text}”在您的管辖范围内指向多个区划，请写明上级（如 乡镇名+村名）或填写12位区划代码"
        return None, f"您的管辖范围（{area}）内没有名为“{text}”的村、乡镇或县：请填写名称或12位区划代码"
