"""Demo set-up: the division slice, one account per role, synthetic households imported per county, and department
files with planted risks screened into warnings."""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from fangpin.accounts.models import Role, User
from fangpin.exchange import importer
from fangpin.monitoring.models import FeedUpload, ScreeningRun
from fangpin.orgunits import loading
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.models import Household

from .generate import generate

PASSWORD = "fangpin-demo-2026"
SHUANGNIAN = "140603203000"  # 双碾乡, 平鲁区
PINGLU = "140603000000"
LONGXIAN = "610327000000"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    org_unit: str
    department: str = ""


ACCOUNTS = (
    DemoAccount("cunji", Role.VILLAGE_CLERK, "140603203200"),  # 双碾村
    DemoAccount("xiangzhen", Role.TOWNSHIP_REVIEWER, SHUANGNIAN),
    DemoAccount("xianju", Role.COUNTY_BUREAU, PINGLU),
    DemoAccount("bumen", Role.DEPARTMENT_OFFICER, PINGLU, "医保"),
    DemoAccount("lingdao", Role.LEADER, "140600000000"),  # 朔州市
    DemoAccount("longxian", Role.COUNTY_BUREAU, LONGXIAN),
)

# households per county: 双碾乡's 15 villages and all of 陇县's
DEMO_SIZES = {PINGLU: 1500, LONGXIAN: 2500}


def ensure_divisions() -> int:
    if OrgUnit.objects.filter(code=SHUANGNIAN).exists() and OrgUnit.objects.filter(parent_id=LONGXIAN).exists():
        return 0
    return loading.load(loading.read_slice())


@transaction.atomic
def ensure_accounts(password: str = PASSWORD) -> list[User]:
    users = []
    for a in ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=a.username, defaults={"role": a.role, "org_unit_id": a.org_unit, "department": a.department}
        )
        if created:
            user.set_password(password)
            user.full_clean()
            user.save()
        users.append(user)
    return users


def ensure_households(sizes: dict[str, int] | None = None, seed: int = 2026) -> dict[str, importer.ImportResult]:
    """Generate and import the demo households, once. Returns the import results by county."""
    results = {}
    if Household.objects.exists():
        return results
    for county, n in (sizes or DEMO_SIZES).items():
        if county == PINGLU:
            villages = list(OrgUnit.objects.filter(parent_id=SHUANGNIAN).values_list("code", flat=True))
        else:
            villages = list(OrgUnit.objects.filter(level="village", code__startswith=county[:6]).values_list("code", flat=True))
        bureau = User.objects.get(role=Role.COUNTY_BUREAU, org_unit_id=county)
        doc = generate(county_code=county, villages=villages, households=n, seed=seed)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"demo-{county[:6]}.json"
            path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
            result = importer.import_file(user=bureau, path=path)
        if not result.ok:
            raise RuntimeError("演示数据导入失败：" + "；".join(f"{p.where()} {p.message}" for p in result.problems[:5]))
        results[county] = result
    return results


def ensure_screening(year: int | None = None, seed: int = 2026) -> ScreeningRun | None:
    """Once: a synthetic file from each department for 平鲁区 (planted risks, noise rows with invalid or unknown IDs and
    other names), uploaded in the three formats and screened, so that the work queues have warnings to verify."""
    from fangpin.monitoring import department, synthetic
    from fangpin.monitoring.feeds import FEEDS

    if FeedUpload.objects.exists():
        return None
    bureau = User.objects.get(role=Role.COUNTY_BUREAU, org_unit_id=PINGLU)
    year = year or timezone.localdate().year - 1
    persons = department.persons_in(PINGLU[:6])
    # About forty planted risks whatever the demo's size.
    plant_every = max(2, persons["household_id"].n_unique() // 40)
    feed = synthetic.generate(persons, year=year, seed=seed, plant_every=plant_every, noise=24)
    with tempfile.TemporaryDirectory() as tmp:
        for i, key in enumerate(FEEDS):
            path = Path(tmp) / f"演示-{FEEDS[key].department}-{year}.{('csv', 'xlsx', 'parquet')[i % 3]}"
            department.upload(bureau, key, synthetic.write_file(feed.rows, key, path), path.name)
    run = ScreeningRun.objects.create(region_id=PINGLU, started_by=bureau)
    run.uploads.set(department.latest_uploads(bureau))
    return department.execute(run.pk)
