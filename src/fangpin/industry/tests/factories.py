"""Rows the industry tests share: registry enterprises and households in 双碾乡 and elsewhere."""
from __future__ import annotations

from fangpin.lib import creditcode
from fangpin.registry.models import Enterprise

_n = iter(range(10**6))


def enterprise(place: str, kind: str = "cooperative", name: str = "") -> Enterprise:
    n = next(_n)
    code = creditcode.make(place[:6], f"MA{100000 + n:06d}1", "93" if kind == "cooperative" else "91")
    return Enterprise.objects.create(credit_code=code, name=name or f"测试{n}号{kind}", kind=kind, org_unit_id=place)
