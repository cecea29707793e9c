"""Catalog files are data: malformed ones fail with file, line and a Chinese message; nothing in them runs."""
from pathlib import Path

import pytest

from fangpin.policies.catalog import CATALOG_DIR, load_catalog, load_document
from fangpin.lib.yamldata import CatalogError

GOOD = (CATALOG_DIR / "001-shuangnian-2022-67.yaml").read_text(encoding="utf-8")


def broken(tmp_path: Path, old: str, new: str) -> Path:
    assert old in GOOD, old
    path = tmp_path / "broken.yaml"
    path.write_text(GOOD.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def test_every_catalog_file_loads():
    docs = load_catalog()
    assert "sn2022-67" in docs
    assert docs["sn2022-67"].number == "双发〔2022〕67号"


@pytest.mark.parametrize("old,new,message", [
    ("    entity: person\n    basis: employment", "    entity: person\n    basis: employment\n    colour: red",
     "未知的键“colour”"),
    ("value: $transport_in_province", "value: $transport_nowhere", "不存在的参数“$transport_nowhere”"),
    ("{col: employment.months, gte:", "{col: employment.moons, gte:", "没有的列“employment.moons”"),
    ("{col: employment.place, eq: cross_province}", "{col: employment.place, eq: abroad}", "实际为“abroad”"),
    ("      2022-08-12: 1500\n", "      2022-08-12: -1500\n", "应为非负数"),
    ("      2022-08-12: 600\n", "      2022-08-12: 600.001\n", "最多两位小数"),
    ("effective_to: 2025-12-31", "effective_to: 2021-12-31", "不能早于"),
    ("    once_per: person_year          #", "    once_per: lifetime          #", "“once_per”应为"),
    ("{col: person.tekun, eq: true, label: 特困人员}", "{col: person.tekun, gte: 1, label: 特困人员}", "不能比较大小"),
])
def test_malformed_file_names_path_line_and_reason(tmp_path, old, new, message):
    path = broken(tmp_path, old, new)
    with pytest.raises(CatalogError) as e:
        load_document(path)
    assert message in str(e.value)
    assert str(path) in str(e.value)
    text = path.read_text(encoding="utf-8")
    first_changed = new.splitlines()[-1] if "\n" in new else new
    assert e.value.line is not None and abs(e.value.line - line_of(text, first_changed.strip())) <= 3


def test_yaml_syntax_error_and_code_tags_are_refused(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("document: {id: [1, 2\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="YAML 格式错误"):
        load_document(path)
    path.write_text("document: !!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="第1行") as e:
        load_document(path)
    assert "hacked" not in str(e.value) or "constructor" in str(e.value)


def test_duplicate_keys_are_refused(tmp_path):
    path = broken(tmp_path, "  retention_min_months:\n", "  retention_monthly:\n    label: x\n    unit: yuan\n    values: {2022-08-12: 1}\n  retention_min_months:\n")
    with pytest.raises(CatalogError, match="键“retention_monthly”重复"):
        load_document(path)
