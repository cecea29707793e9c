"""The JSON Schema of the exchange format, derived from spec.SHEETS (committed as docs/exchange-format.schema.json)."""
from __future__ import annotations

from .spec import FORMAT_NAME, FORMAT_VERSION, SHEETS, Field


def _field_schema(f: Field) -> dict:
    t = f.type
    if t == "enum":
        s = {"type": "string", "enum": list(f.choices.values)}
    elif t == "integer":
        s = {"type": "integer"}
        if f.minimum is not None:
            s["minimum"] = f.minimum
        if f.maximum is not None:
            s["maximum"] = f.maximum
    elif t == "money":
        s = {"type": "integer", "minimum": 0, "description": "金额，单位：分"}
    elif t == "decimal":
        s = {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$"}
    elif t == "date":
        s = {"type": "string", "format": "date"}
    elif t == "boolean":
        s = {"type": "boolean"}
    elif t == "id_number":
        s = {"type": "string", "pattern": r"^\d{17}[\dX]$", "description": "GB 11643 身份证号（校验位按 ISO 7064 MOD 11-2）"}
    elif t in ("division_code", "village", "place"):  # a village's name is accepted in Excel only: JSON carries codes
        s = {"type": "string", "pattern": r"^\d{12}$"}
    elif t == "credit_code":
        s = {"type": "string", "pattern": r"^[0-9A-HJ-NPQRTUWXY]{18}$", "description": "GB 32100 统一社会信用代码"}
    elif t == "account_number":
        s = {"type": "string", "pattern": r"^\d{8,30}$"}
    else:
        s = {"type": "string"}
        if f.max_length:
            s["maxLength"] = f.max_length
    title = f.header + ("（元）" if t == "money" else "")
    s = {"title": title, **s}
    if f.description:
        s["description"] = (s.get("description", "") + "；" + f.description).lstrip("；")
    if not f.required:
        s = {**s, "type": [s["type"], "null"]} if "type" in s else s
        if "enum" in s:
            s["enum"] = [*s["enum"], None]
    return s


def json_schema() -> dict:
    """The format's schema: the registry's sheets, then every ledger's (fangpin.ledgers), each a top-level array; a
    file carries the sheets of one workbook."""
    from fangpin.ledgers.catalog import LEDGERS

    sheets = {}
    for sheet in (*SHEETS, *(s for ledger in LEDGERS.values() for s in ledger.catalog.sheets)):
        assert sheet.key not in sheets, f"sheet key {sheet.key} used twice"
        sheets[sheet.key] = {
            "title": sheet.title,
            "description": sheet.description,
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [f.key for f in sheet.fields if f.required],
                "properties": {f.key: _field_schema(f) for f in sheet.fields},
            },
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://fangpin.example/schema/exchange-{FORMAT_VERSION}.json",
        "title": f"防贫系统交换格式 {FORMAT_VERSION}",
        "type": "object",
        "required": ["format", "version"],
        "properties": {
            "format": {"const": FORMAT_NAME},
            "version": {"const": FORMAT_VERSION},
            "notes": {"type": "string"},
            **sheets,
        },
        "additionalProperties": False,
    }
