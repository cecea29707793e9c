"""Divisions as people read them: by name, from the province down, never by code."""
from __future__ import annotations

from fangpin.lib import divisions

from .models import OrgUnit


def region_name(prefix: str) -> str:
    """忻州市 for "1409", 山西省朔州市平鲁区双碾乡 for "140603203": the names from the province down (one query)."""
    try:
        code = divisions.full_code(prefix)
    except ValueError:
        return str(prefix)
    unit = OrgUnit.objects.filter(code=code).select_related("parent__parent__parent__parent").first()
    if unit is None:
        return "（区划库中没有该区划）"
    names = []
    while unit is not None:
        names.append(unit.name)
        unit = unit.parent
    return "".join(reversed(names))


def region_names(prefixes) -> str:
    return "、".join(region_name(p) for p in prefixes)


def names_of(codes) -> dict[str, str]:
    """code -> name of these units (one query)."""
    return dict(OrgUnit.objects.filter(code__in=set(codes)).values_list("code", "name"))
