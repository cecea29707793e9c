"""What the ledgers' tests share: a document of the exchange format, written as a JSON file to import."""
from __future__ import annotations

import json
from pathlib import Path


def exchange_doc(**sheets) -> dict:
    return {"format": "fangpin-exchange", "version": "1.0", **sheets}


def json_file(tmp_path: Path, doc: dict, name: str = "ledger.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path
