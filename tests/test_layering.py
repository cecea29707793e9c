"""Layering: pages and API handlers reach data only through selectors and services (which go through
fangpin.accounts.access.scope), never through a model manager of their own."""
import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "fangpin"
THIN = sorted([*SRC.glob("web/*views.py"), *SRC.glob("api/*.py")])


@pytest.mark.parametrize("path", THIN, ids=lambda p: str(p.relative_to(SRC)))
def test_no_manager_access_in_views_and_api(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    offenders = [
        f"{path.name}:{node.lineno}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager", "raw")
    ]
    assert offenders == []


@pytest.mark.parametrize("module", ["selectors", "services", "rules", "models", "choices", "history"])
def test_domain_modules_do_not_import_views(module):
    text = (SRC / "registry" / f"{module}.py").read_text(encoding="utf-8")
    assert "fangpin.web" not in text and "fangpin.api" not in text


def test_thin_files_found():
    assert len(THIN) >= 2
