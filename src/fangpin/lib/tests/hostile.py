"""Hostile files, written by hand: a workbook whose one sheet reaches XFD1048576 (under 2 KB on disk, 512 GiB in
calamine), zip bombs, deep JSON. Nothing here may be given to calamine, Polars or json in the test process itself."""
from __future__ import annotations

import re
import struct
import zipfile
from pathlib import Path

NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>')
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<workbook {NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>')
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>')


def sheet_xml(cells: list[tuple[str, str]], dimension: str | None = None) -> str:
    """A worksheet with inline-string cells, written the usual way (<c r="A1" ...>), rows in order."""
    rows: dict[int, list[str]] = {}
    for ref, text in cells:
        row = int(re.search(r"\d+", ref).group())
        rows.setdefault(row, []).append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
    body = "".join(f'<row r="{r}">{"".join(c)}</row>' for r, c in sorted(rows.items()))
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {NS}>{dim}'
            f'<sheetData>{body}</sheetData></worksheet>')


def workbook(path: Path, sheet: str, *, name: str = "家庭成员", parts: dict[str, bytes | str] | None = None,
             compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", ROOT_RELS)
        z.writestr("xl/workbook.xml", WORKBOOK.replace("{name}", name))
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for part, data in (parts or {}).items():
            z.writestr(part, data)
    return path


def xfd_workbook(path: Path, *, dimension: str | None = "A1:XFD1048576") -> Path:
    """The 4.8 KB workbook of the issue: cells at A1 and XFD1048576 (calamine's grid: 2^20 x 2^14 cells)."""
    return workbook(path, sheet_xml([("A1", "户编号"), ("XFD1048576", "x")], dimension))


def zeros_workbook(path: Path, megabytes: int) -> Path:
    """A sheet that inflates to `megabytes` MiB of padding (a zip bomb in miniature)."""
    pad = " " * (megabytes << 20)
    return workbook(path, sheet_xml([("A1", "x")]).replace("<sheetData>", pad + "<sheetData>"))


def lie_about_sizes(path: Path, part: str, size: int) -> None:
    """Rewrite a part's declared uncompressed size (central directory and local header) to `size`."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(part)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    name = part.encode()
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        n = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46:at + 46 + n]) == name:
            struct.pack_into("<I", data, at + 24, size)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def deep_json(depth: int, *, kind: str = "array") -> str:
    if kind == "array":
        return "[" * depth + "]" * depth
    return '{"format": "fangpin-exchange", "households": ' + '{"a": ' * depth + "1" + "}" * depth + "}"
