"""Demo ledgers (台账) for 平鲁区 (双碾乡) and 陇县: made up, deterministic, and imported through each ledger's own import
as the county's bureau, so the demo shows what a county's file gives. Each ledger's app has a `demo.py` whose
`build(county, villages, townships, rng, today)` gives the ledger's sheets in the exchange format's JSON."""
from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import json
import random
import tempfile
from pathlib import Path

from fangpin.accounts.models import User
from fangpin.orgunits.models import OrgUnit

def day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A day from `start` to `end` (both included; `start` when they cross), drawn with the ledger's own generator."""
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


BUREAUS = {"140603000000": "xianju", "610327000000": "longxian"}


def ensure_ledgers(today: dt.date | None = None, seed: int = 2026) -> dict[str, dict[str, int]]:
    """Each ledger's demo rows for each demo county, imported by the county's bureau, once (a ledger that has rows in
    the county is left as it is). Returns ledger -> county -> rows written."""
    from fangpin.accounts import access
    from fangpin.ledgers import catalog, importer

    today = today or dt.date.today()
    out: dict[str, dict[str, int]] = {}
    for key, ledger in catalog.LEDGERS.items():
        if importlib.util.find_spec(f"{ledger.package}.demo") is None:
            continue
        module = importlib.import_module(f"{ledger.package}.demo")
        build = getattr(module, f"build_{key}", None) or module.build  # an app of several ledgers: one build each
        for county_code, username in BUREAUS.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                continue
            first = ledger.bindings[0]
            if access.scope(user, first.model.objects.all(), "ledgers.read").exists():
                continue
            county = OrgUnit.objects.get(code=county_code)
            # 平鲁区's demo is 双碾乡's; 陇县's is the whole county
            area = "140603203" if county_code.startswith("140603") else county_code[:6]
            villages = list(OrgUnit.objects.filter(code__startswith=area, level="village").order_by("code"))
            townships = list(OrgUnit.objects.filter(code__startswith=area, level="township").order_by("code"))
            if not villages:
                continue
            rng = random.Random(f"{seed}-{key}-{county_code}")
            sheets = build(county, villages, townships, rng, today)
            if not any(sheets.values()):  # nothing to show here (referrals: no household meets a condition)
                continue
            doc = {"format": "fangpin-exchange", "version": "1.0", **sheets}
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / f"{key}.json"
                path.write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")
                result = importer.import_file(user=user, ledger=ledger, path=path)
            if not result.ok:
                raise RuntimeError(f"演示台账 {key}（{county_code}）导入失败：" + "；".join(
                    f"{p.where()}：{p.message}" for p in result.problems[:5]))
            out.setdefault(key, {})[county_code] = sum(result.counts.values())
            if after := getattr(module, f"after_{key}", None):  # what the county does next (陇县's bulk enrollment)
                after(user, county)
    return out
