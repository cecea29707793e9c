"""The bounded reader's gate: every uploaded or command-line file is inspected here before a parser sees it.

Spreadsheet and table parsers allocate what a file declares. python-calamine sizes a sheet's grid from the bounding
box of its cells (a 4.8 KB .xlsx with a cell at XFD1048576 asks for 512 GiB, and a failed allocation in Rust aborts
the process), reserves what a shared-string table's uniqueCount says, and trusts an .xls file's DIMENSIONS record;
Polars reserves by a Parquet footer's row counts; json recurses once per nesting level. `inspect()` measures a file
with cheap, bounded passes (no parser of ours holds more than a few MiB at a time) and refuses it, with a Chinese
message that names the file and the limit, before any of that happens. The limits are `Limits`; Django settings
override them in one place (fangpin.exchange.bounded). No Django here.

Kinds (by the first bytes, never by the name): "xlsx" (a zip), "xls" (OLE2: refused, see below), "parquet", and text,
which a caller takes as "json" or "csv".

Workbooks (.xlsx): the zip's directory is checked (one end record, no prepended data, at most `zip_members` parts,
declared sizes within `decompressed_bytes`), then every part is inflated by us from its raw deflate stream, counting
the bytes actually produced (declared sizes can lie) against `decompressed_bytes` and `compression_ratio`, and scanned
for what calamine would size a grid by: the cells' references (`<c r="XFD1048576">`), the row and column counters that
give a position to a cell without one, the declared `<dimension ref>` and the shared-string table's uniqueCount. Every
part is scanned, whatever its name, because calamine finds worksheets through the workbook's relationships. Cells
written the usual way (every `<c` followed by ` r="A1"`, the reference first: Excel, WPS, XlsxWriter, openpyxl, POI)
are measured by a few regular expressions over each inflated chunk; any other form sends the part to a full XML parse
(expat, no DTD) that replays calamine's counters, and a part that is not well-formed XML but mentions sheetData or
uniqueCount is refused.

Old .xls workbooks (and password-protected workbooks, which are OLE2 containers too) are refused with a request to
save as .xlsx: calamine's BIFF reader reserves memory by the DIMENSIONS record and by the cells' bounding box (up to
65,536 x 65,536), and bounding that safely means re-implementing the OLE2 container and BIFF record walk exactly as
calamine reads them; the exchange format and the department-file formats have only ever named .xlsx.
"""
from __future__ import annotations

import json
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, fields
from html import unescape
from pathlib import Path
from xml.parsers import expat

MiB = 1 << 20

ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0"
PARQUET_MAGIC = b"PAR1"


@dataclass(frozen=True)
class Limits:
    """What one file may hold. Settings: UPLOAD_LIMITS = {"rows": ..., ...} overrides any of these."""

    file_bytes: int = 200 * MiB  # any file, as uploaded (uploads stop streaming here) or named on the command line
    rows: int = 5_000_000  # per sheet, CSV file or Parquet file
    columns: int = 256  # per sheet, CSV header or Parquet schema
    cells: int = 10_000_000  # a sheet's grid, rows x columns from A1 (calamine holds 32 bytes a cell, 64 while loading)
    workbook_cells: int = 20_000_000  # the grids of all sheets together: readers go through every sheet of a file
    decompressed_bytes: int = 1024 * MiB  # a workbook's parts inflated, or a Parquet file's pages uncompressed
    compression_ratio: int = 200  # inflated / compressed, for a part that inflates beyond RATIO_FLOOR
    zip_members: int = 1000  # parts in a workbook
    json_bytes: int = 100 * MiB  # a JSON document (held whole in memory as Python objects)
    json_depth: int = 32  # nesting of arrays and objects (the exchange format needs 3)

    @classmethod
    def from_mapping(cls, values: Mapping[str, int] | None) -> Limits:
        values = dict(values or {})
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"UPLOAD_LIMITS has unknown keys: {sorted(unknown)}")
        return cls(**{k: int(v) for k, v in values.items()})


RATIO_FLOOR = 16 * MiB  # below this a part may compress as well as it likes
XML_CARRY_MAX = 64 * 1024  # a run this long without "<" in a part sends it to the full parse
STEP = 4 * MiB  # bytes inflated, read or parsed at a time


class FileProblem(ValueError):
    """The file as a whole cannot be read (not a spreadsheet, wrong format)."""


class UnsafeFile(FileProblem):
    """The file is refused before it is read: over a limit, or in a form that cannot be read safely.

    str() is the whole Chinese message (it names the file and the limit); `limit` names the Limits field, or "format".
    """

    def __init__(self, message: str, *, limit: str = "format"):
        self.limit = limit
        super().__init__(message)


def parser_failed(e: BaseException) -> bool:
    """What a parser raises on a malformed file: any Exception, or a Rust panic surfaced by pyo3 (PanicException,
    a BaseException); never KeyboardInterrupt or SystemExit."""
    return isinstance(e, Exception) or type(e).__name__ == "PanicException"


def size_text(n: int) -> str:
    for unit, factor in (("GB", 1 << 30), ("MB", MiB), ("KB", 1024)):
        if n >= factor:
            value = n / factor
            return f"{value:,.0f} {unit}" if value >= 10 or value == int(value) else f"{value:,.1f} {unit}"
    return f"{n:,} 字节"


def column_letters(n: int) -> str:
    """1 -> A, 16384 -> XFD."""
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# --- the entry -----------------------------------------------------------------------------------------------------


def sniff(path: Path) -> str:
    """"xlsx", "xls", "parquet", "json" (text starting with { or [) or "text"."""
    with open(path, "rb") as fh:
        head = fh.read(4096)
    if head.startswith(ZIP_MAGIC):
        return "xlsx"
    if head.startswith(OLE2_MAGIC):
        return "xls"
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        return "json"
    return "text"


def inspect(path: Path | str, filename: str, limits: Limits, *, kinds: Collection[str]) -> str:
    """The file's kind, once it is known to be within the limits; UnsafeFile (or FileProblem for a damaged
    container) otherwise. `kinds` are those the caller reads ("xlsx", "json", "csv", "parquet"): a text file is "json"
    if the caller reads JSON and it starts like JSON, else "csv" if it reads CSV. A kind the caller does not read is
    returned unchecked, for the caller's own "not a ... file" message; an .xls workbook is refused if it reads xlsx."""
    path = Path(path)
    size = path.stat().st_size
    if size > limits.file_bytes:
        raise UnsafeFile(f"文件“{filename}”有 {size_text(size)}，超过上限 {size_text(limits.file_bytes)}", limit="file_bytes")
    kind = sniff(path)
    if kind == "text":
        kind = "csv" if "csv" in kinds else "text"
    elif kind == "json" and "json" not in kinds:
        kind = "csv" if "csv" in kinds else "text"
    if kind == "xls" and "xlsx" in kinds:
        raise UnsafeFile(f"文件“{filename}”是 Excel 97-2003 工作簿（.xls）或加密的工作簿，系统不直接读取："
                         "请在 Excel 或 WPS 中另存为不加密的 .xlsx 后再上传")
    if kind not in kinds:
        return kind
    if kind == "xlsx":
        _check_workbook(path, filename, limits)
    elif kind == "csv":
        _check_csv(path, filename, limits)
    elif kind == "parquet":
        _check_parquet(path, filename, limits)
    elif kind == "json" and size > limits.json_bytes:
        raise UnsafeFile(f"文件“{filename}”有 {size_text(size)}，超过 JSON 文件的上限 {size_text(limits.json_bytes)}",
                         limit="json_bytes")
    return kind


def load_json(path: Path | str, filename: str, limits: Limits):
    """The parsed document, or UnsafeFile for one too large or too deep; json's own ValueError for invalid JSON."""
    path = Path(path)
    size = path.stat().st_size
    if size > limits.json_bytes:
        raise UnsafeFile(f"文件“{filename}”有 {size_text(size)}，超过 JSON 文件的上限 {size_text(limits.json_bytes)}",
                         limit="json_bytes")
    too_deep = UnsafeFile(f"文件“{filename}”的数组和对象嵌套超过上限 {limits.json_depth} 层", limit="json_depth")
    with open(path, encoding="utf-8-sig") as fh:
        text = fh.read()
    try:
        doc = json.loads(text)
    except RecursionError:
        raise too_deep from None
    # Walk the containers without recursion; a level beyond the limit stops the walk.
    level = [doc] if isinstance(doc, (dict, list)) else []
    depth = 0
    while level:
        depth += 1
        if depth > limits.json_depth:
            raise too_deep
        nxt = []
        for node in level:
            for v in node.values() if isinstance(node, dict) else node:
                if isinstance(v, (dict, list)):
                    nxt.append(v)
        level = nxt
    return doc


# --- CSV -----------------------------------------------------------------------------------------------------------


def _check_csv(path: Path, filename: str, limits: Limits) -> None:
    """Rows by counting line breaks (a quoted line break counts too: never fewer than the parser finds), columns by
    the commas of the header line (read up to 1 MiB)."""
    lines, header, ended, last = 0, b"", False, b""
    with open(path, "rb") as fh:
        while chunk := fh.read(STEP):
            if not ended:
                cut = chunk.find(b"\n")
                header += chunk if cut < 0 else chunk[:cut]
                ended = cut >= 0 or len(header) >= MiB
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last and last != b"\n":
        lines += 1
    columns = header.count(b",") + 1
    if columns > limits.columns:
        raise UnsafeFile(f"文件“{filename}”的表头有 {columns:,} 列，超过上限 {limits.columns:,} 列", limit="columns")
    rows = max(lines - 1, 0)
    if rows > limits.rows:
        raise UnsafeFile(f"文件“{filename}”有 {rows:,} 行数据，超过上限 {limits.rows:,} 行", limit="rows")


# --- workbooks -----------------------------------------------------------------------------------------------------

# Markers of the other zip-based formats calamine would try on a file whose name has no extension.
_OTHER_FORMATS = ("xl/workbook.bin", "xl/_rels/workbook.bin.rels", "content.xml", "mimetype")

_CANON_CELL = b'<c r="'
_CANON_ROW = b'<row r="'
_CANON_LETTERS = re.compile(rb'<c r="([A-Za-z]+)')
_CANON_DIGITS = re.compile(rb'<c r="[A-Za-z]+([0-9]+)')
# A cell start that is not `<c r="`: another separator, no reference first, or a namespace prefix.
_ODD_CELL = re.compile(rb'<c(?:[\t\n\r\f\v/>]| (?!r="))')
_PREFIXED_CELL = re.compile(rb':c[\s/>]')
_R_KEY = re.compile(rb"r\s*=")
_WS_QUOTE = frozenset(b" \t\n\r\f\v\"'")
_UNIQUE_COUNT = re.compile(rb"uniqueCount\s*=\s*[\"'][^0-9\"'<]*([0-9]+)")
_DIMENSION = re.compile(rb"<(?:[^\s/>:<]*:)?dimension\b[^>]*?\sref\s*=\s*[\"']([^\"'<>]*)[\"']")
_REF = re.compile(r"^\$?([A-Za-z]+)\$?([0-9]+)$")
_SHEET_TAG = re.compile(rb"<(?:[^\s/>:<]*:)?sheet\s([^>]*)>")
_REL_TAG = re.compile(rb"<(?:[^\s/>:<]*:)?Relationship\s([^>]*)>")
_ATTR = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


def _number(digits: bytes | str) -> int:
    return 10**13 if len(digits) > 13 else int(digits)


def _column(letters: bytes | str) -> int:
    if isinstance(letters, bytes):
        letters = letters.decode("ascii")
    if len(letters) > 8:
        return 26**9
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def _cell(ref: str | None) -> tuple[int, int] | None:
    """(row, column), 1-based, of "XFD1048576" (letters and digits, as calamine reads them), or None."""
    m = _REF.match(ref or "")
    return (_number(m.group(2)), _column(m.group(1))) if m else None


@dataclass
class _Part:
    """What one zip part would give calamine: the bounding corner of its cells (1-based, 0 = none), the declared
    dimension, the largest uniqueCount."""

    rows: int = 0
    columns: int = 0
    dimension: str | None = None
    unique: int = 0
    mentions: bool = False  # contains sheetData or uniqueCount (could be a worksheet or a shared-string table)


class _Budget:
    """Bytes actually inflated, across a workbook's parts."""

    def __init__(self, filename: str, limits: Limits):
        self.filename, self.limits, self.total = filename, limits, 0

    def take(self, n: int, part: str, produced: int, compressed: int) -> None:
        self.total += n
        if self.total > self.limits.decompressed_bytes:
            raise UnsafeFile(f"文件“{self.filename}”解压后超过上限 {size_text(self.limits.decompressed_bytes)}"
                             "（可能是压缩炸弹）", limit="decompressed_bytes")
        if produced > RATIO_FLOOR and produced > self.limits.compression_ratio * max(compressed, 1):
            raise UnsafeFile(f"文件“{self.filename}”中的“{part}”压缩比超过上限 {self.limits.compression_ratio} 倍"
                             "（可能是压缩炸弹）", limit="compression_ratio")


def _damaged(filename: str) -> FileProblem:
    return FileProblem(f"文件“{filename}”无法作为 Excel 工作簿读取，可能已损坏")


def _check_directory(fh, size: int, filename: str, limits: Limits) -> None:
    """The zip's end record, read by us before zipfile builds an entry per directory record."""
    tail_len = min(size, 22 + 65535 + 20 + 56)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        raise _damaged(filename)
    if tail.count(b"PK\x05\x06") > 1:
        raise UnsafeFile(f"文件“{filename}”的压缩目录不唯一，无法安全读取")
    entries, cd_size, cd_offset = struct.unpack("<6xHII", tail[at + 4:at + 20])
    eocd_pos = size - tail_len + at
    if at >= 20 and tail[at - 20:at - 16] == b"PK\x06\x07":  # zip64
        (z64_offset,) = struct.unpack("<Q", tail[at - 16:at - 8])
        fh.seek(z64_offset)
        rec = fh.read(56)
        if len(rec) < 56 or rec[:4] != b"PK\x06\x06":
            raise _damaged(filename)
        entries, cd_size, cd_offset = struct.unpack("<QQQ", rec[32:56])
        eocd_pos = z64_offset
    if entries > limits.zip_members:
        raise UnsafeFile(f"文件“{filename}”包含 {entries:,} 个部件，超过上限 {limits.zip_members:,} 个", limit="zip_members")
    if cd_size > limits.zip_members * 1024:
        raise UnsafeFile(f"文件“{filename}”的压缩目录有 {size_text(cd_size)}，超过上限（最多 {limits.zip_members:,} 个部件）",
                         limit="zip_members")
    if cd_offset + cd_size != eocd_pos:
        raise UnsafeFile(f"文件“{filename}”的压缩目录位置不符（文件前面可能附加了其他内容），无法安全读取")


def _inflate(fh, info: zipfile.ZipInfo, filename: str, budget: _Budget | None, cap: int | None = None) -> Iterator[bytes]:
    """The bytes a part's own data stream produces (the directory's sizes are not trusted), in chunks."""
    fh.seek(info.header_offset)
    local = fh.read(30)
    if len(local) < 30 or local[:4] != ZIP_MAGIC:
        raise _damaged(filename)
    name_len, extra_len = struct.unpack("<HH", local[26:30])
    fh.seek(info.header_offset + 30 + name_len + extra_len)
    remaining, produced = info.compress_size, 0
    if info.compress_type == zipfile.ZIP_STORED:
        while remaining > 0 and (data := fh.read(min(STEP, remaining))):
            remaining -= len(data)
            produced += len(data)
            if budget:
                budget.take(len(data), info.filename, produced, info.compress_size)
            yield data
        return
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise UnsafeFile(f"文件“{filename}”中的“{info.filename}”使用了不支持的压缩方式，请用 Excel 或 WPS 另存为 .xlsx")
    d = zlib.decompressobj(-15)
    pending = b""
    try:
        while not d.eof:
            if not pending:
                if remaining <= 0:
                    break
                pending = fh.read(min(MiB, remaining))
                if not pending:
                    break
                remaining -= len(pending)
            out = d.decompress(pending, STEP)
            pending = d.unconsumed_tail
            if out:
                produced += len(out)
                if budget:
                    budget.take(len(out), info.filename, produced, info.compress_size)
                if cap is not None and produced > cap:
                    raise _damaged(filename)  # the second pass of a part must not produce more than the first
                yield out
    except zlib.error:
        raise _damaged(filename) from None


def _check_workbook(path: Path, filename: str, limits: Limits) -> None:
    if path.suffix.lower() in (".xlsb", ".ods"):  # calamine picks its reader by the extension when there is one
        raise UnsafeFile(f"文件“{filename}”不是 .xlsx 工作簿：请在 Excel 或 WPS 中另存为 .xlsx 后再上传")
    try:
        with open(path, "rb") as fh:
            _check_zip(fh, path.stat().st_size, filename, limits)
    except FileProblem:
        raise
    except (ValueError, OSError, EOFError, struct.error, zipfile.BadZipFile):  # offsets or records that make no sense
        raise _damaged(filename) from None


def _check_zip(fh, size: int, filename: str, limits: Limits) -> None:
    _check_directory(fh, size, filename, limits)
    try:
        zf = zipfile.ZipFile(fh)
        infos = zf.infolist()
    except Exception:  # noqa: BLE001 - zipfile raises many kinds on a damaged directory
        raise _damaged(filename) from None
    if len(infos) > limits.zip_members:
        raise UnsafeFile(f"文件“{filename}”包含 {len(infos):,} 个部件，超过上限 {limits.zip_members:,} 个",
                         limit="zip_members")
    names = {i.filename.replace("\\", "/").lstrip("/").lower() for i in infos}
    if names.intersection(_OTHER_FORMATS):
        raise UnsafeFile(f"文件“{filename}”不是 .xlsx 工作簿（可能是 .xlsb 或 .ods）：请另存为 .xlsx 后再上传")
    if any(i.flag_bits & 0x1 for i in infos):
        raise UnsafeFile(f"文件“{filename}”中有加密的部件，系统不读取加密的工作簿：请另存为不加密的 .xlsx")
    if sum(i.file_size for i in infos) > limits.decompressed_bytes:
        raise UnsafeFile(f"文件“{filename}”解压后超过上限 {size_text(limits.decompressed_bytes)}（可能是压缩炸弹）",
                         limit="decompressed_bytes")
    for i in infos:
        if i.file_size > RATIO_FLOOR and i.file_size > limits.compression_ratio * max(i.compress_size, 1):
            raise UnsafeFile(f"文件“{filename}”中的“{i.filename}”压缩比超过上限 {limits.compression_ratio} 倍"
                             "（可能是压缩炸弹）", limit="compression_ratio")
    sheet_names = _sheet_names(fh, infos, filename)
    budget = _Budget(filename, limits)
    total = 0
    for info in infos:
        part = _scan_part(fh, info, filename, budget)
        key = info.filename.replace("\\", "/").lstrip("/").lower()
        where = f"工作表“{sheet_names[key]}”" if key in sheet_names else f"部件“{info.filename}”"
        total += _judge(part, filename, where, limits)
        if total > limits.workbook_cells:
            raise UnsafeFile(f"文件“{filename}”各工作表的单元格范围合计 {total:,} 个，超过上限 {limits.workbook_cells:,} 个",
                             limit="workbook_cells")


def _judge(part: _Part, filename: str, where: str, limits: Limits) -> int:
    """Refuse a part beyond the limits; otherwise the size of the grid calamine would hold for it."""
    ends = [c for c in map(_cell, (part.dimension or "").split(":")) if c]
    corner = (max(r for r, _ in ends), max(c for _, c in ends)) if ends else None
    if corner:
        excess = _grid_excess(*corner, limits)
        if excess:
            rows, cols = corner
            raise UnsafeFile(f"文件“{filename}”的{where}声明的范围达 {column_letters(cols)}{rows}"
                             f"（{rows:,} 行 × {cols:,} 列），{excess[1]}", limit=excess[0])
    excess = _grid_excess(part.rows, part.columns, limits)
    if excess:
        raise UnsafeFile(f"文件“{filename}”的{where}中的单元格范围达 {column_letters(part.columns)}{part.rows}"
                         f"（{part.rows:,} 行 × {part.columns:,} 列），{excess[1]}", limit=excess[0])
    if part.unique > limits.cells:
        raise UnsafeFile(f"文件“{filename}”的共享字符串表声明有 {part.unique:,} 个字符串，超过上限 {limits.cells:,} 个",
                         limit="cells")
    return max(corner[0] * corner[1] if corner else 0, part.rows * part.columns)


def _grid_excess(rows: int, cols: int, limits: Limits) -> tuple[str, str] | None:
    if cols > limits.columns:
        return "columns", f"超过上限 {limits.columns:,} 列"
    if rows > limits.rows:
        return "rows", f"超过上限 {limits.rows:,} 行"
    if rows * cols > limits.cells:
        return "cells", f"共 {rows * cols:,} 个单元格，超过上限 {limits.cells:,} 个"
    return None


def _small_part(fh, infos, name: str, filename: str) -> bytes:
    info = next((i for i in infos if i.filename.replace("\\", "/").lstrip("/").lower() == name.lower()), None)
    if info is None:
        return b""
    out = b""
    for chunk in _inflate(fh, info, filename, None, cap=8 * MiB):
        out += chunk
        if len(out) > 8 * MiB:
            return b""
    return out


def _attrs(raw: bytes) -> dict[str, str]:
    return {k.decode("utf-8", "replace").split(":")[-1] if k.startswith(b"r:") else k.decode("utf-8", "replace"):
            unescape((a if a is not None else b).decode("utf-8", "replace")) for k, a, b in _ATTR.findall(raw)}


def _sheet_names(fh, infos, filename: str) -> dict[str, str]:
    """Part name (lower case) -> sheet name, for messages only (safety never depends on it)."""
    try:
        workbook = "xl/workbook.xml"
        for tag in _REL_TAG.findall(_small_part(fh, infos, "_rels/.rels", filename)):
            a = _attrs(tag)
            if a.get("Type", "").endswith("/officeDocument") and a.get("Target"):
                workbook = a["Target"].lstrip("/")
        base = posixpath.dirname(workbook)
        rels = posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels")
        targets = {}
        for tag in _REL_TAG.findall(_small_part(fh, infos, rels, filename)):
            a = _attrs(tag)
            t = a.get("Target", "")
            targets[a.get("Id")] = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join(base, t))
        out = {}
        for tag in _SHEET_TAG.findall(_small_part(fh, infos, workbook, filename)):
            a = _attrs(tag)
            target = targets.get(a.get("id"))
            if target and a.get("name"):
                out[target.lower()] = a["name"]
        return out
    except Exception:  # noqa: BLE001 - names for messages only; the scan of every part decides
        return {}


def _scan_part(fh, info: zipfile.ZipInfo, filename: str, budget: _Budget) -> _Part:
    """One pass of regular expressions; a second, full XML parse only for a part not written the usual way."""
    part, odd = _Part(), False
    letters: set[bytes] = set()
    carry, tail, produced = b"", b"", 0
    for chunk in _inflate(fh, info, filename, budget):
        produced += len(chunk)
        probe = tail + chunk
        if b"sheetData" in probe or b"uniqueCount" in probe:
            part.mentions = True
        tail = chunk[-16:]
        if odd:
            continue  # keep inflating: the bytes count against the budget
        buf = carry + chunk
        cut = buf.rfind(b"<")
        if cut < 0 or len(buf) - cut > XML_CARRY_MAX:
            odd = True
            continue
        region, carry = buf[:cut], buf[cut:]
        odd = _fast(region, part, letters)
    if not odd and carry:
        odd = _fast(carry, part, letters)
    if odd:
        return _parsed(fh, info, filename, produced, part)
    if letters:
        part.columns = max(_column(b) for b in letters)
    return part


def _fast(region: bytes, part: _Part, letters: set) -> bool:
    """Measure a region (ending before a "<") of a part written the usual way; True if it is not."""
    if _ODD_CELL.search(region) or _PREFIXED_CELL.search(region) or b"<!DOCTYPE" in region:
        return True
    if _CANON_CELL in region:
        letters.update(_CANON_LETTERS.findall(region))
        found = _CANON_DIGITS.findall(region)
        if found:
            part.rows = max(part.rows, 10**13 if max(map(len, found)) > 13 else max(map(int, found)))
    # Any other attribute calamine would read as "r" (a second reference in a tag, a reference on another element)
    # sends the part to the full parse.
    rest = region.replace(_CANON_CELL, b'<c _="').replace(_CANON_ROW, b'<row _="')
    for m in _R_KEY.finditer(rest):
        if m.start() == 0 or rest[m.start() - 1] in _WS_QUOTE:
            return True
    if b"uniqueCount" in region:
        part.unique = max([part.unique, *(_number(n) for n in _UNIQUE_COUNT.findall(region))])
    if part.dimension is None and b"dimension" in region:
        m = _DIMENSION.search(region)
        if m:
            part.dimension = m.group(1).decode("ascii", "replace")
    return False


class _Refuse(Exception):
    pass


def _parsed(fh, info: zipfile.ZipInfo, filename: str, produced: int, seen: _Part) -> _Part:
    """calamine's reading of a part replayed on expat's events: a cell without a reference takes the current row
    (set by <row r>, one more at each </row>) and the column after the previous cell. Cells or rows nested in a
    cell, rows in rows, and DTDs are refused; a part expat cannot parse is refused if it could be a worksheet."""
    part = _Part(unique=seen.unique, mentions=seen.mentions)
    state = {"row": 0, "col": 0, "in_cell": 0, "in_row": 0}

    def local(name: str) -> str:
        return name.rpartition(":")[2]

    def start(name, attrs):
        n = local(name)
        if n == "c":
            if state["in_cell"]:
                raise _Refuse
            state["in_cell"] += 1
            pos = _cell(attrs.get("r")) if "r" in attrs else None
            if pos is None:
                pos = (state["row"] + 1, state["col"] + 1)
            else:
                state["col"] = pos[1] - 1
            part.rows, part.columns = max(part.rows, pos[0]), max(part.columns, pos[1])
            state["col"] += 1
        elif n == "row":
            if state["in_cell"] or state["in_row"]:
                raise _Refuse
            state["in_row"] += 1
            if "r" in attrs:
                m = re.match(r"^[A-Za-z]*([0-9]+)$", attrs["r"])
                if m:
                    state["row"] = _number(m.group(1)) - 1
        elif n == "dimension" and part.dimension is None:
            part.dimension = attrs.get("ref")
        if "uniqueCount" in attrs:
            found = re.findall(r"[0-9]+", attrs["uniqueCount"])
            part.unique = max([part.unique, *(_number(x) for x in found)])

    def end(name):
        n = local(name)
        if n == "c":
            state["in_cell"] = max(state["in_cell"] - 1, 0)
        elif n == "row":
            state["in_row"] = max(state["in_row"] - 1, 0)
            state["row"] += 1
            state["col"] = 0

    def no_dtd(*_):
        raise _Refuse

    p = expat.ParserCreate()
    p.StartElementHandler, p.EndElementHandler = start, end
    p.StartDoctypeDeclHandler = no_dtd
    p.EntityDeclHandler = no_dtd
    strange = UnsafeFile(f"文件“{filename}”中的“{info.filename}”结构异常，无法安全读取：请用 Excel 或 WPS 打开后另存为 .xlsx")
    try:
        for chunk in _inflate(fh, info, filename, None, cap=produced):
            p.Parse(chunk, False)
        p.Parse(b"", True)
    except _Refuse:
        raise strange from None
    except expat.ExpatError:
        if seen.mentions:
            raise strange from None
        return _Part(unique=seen.unique)  # not XML and never a worksheet or string table for calamine
    return part


# --- Parquet -------------------------------------------------------------------------------------------------------


def _check_parquet(path: Path, filename: str, limits: Limits) -> None:
    """Rows, columns and uncompressed bytes from the footer and from every page header, before Polars reads it."""
    broken = FileProblem(f"文件“{filename}”无法作为 Parquet 文件读取，可能已损坏")
    try:
        _parquet(path, filename, limits, broken)
    except FileProblem:
        raise
    except (TypeError, AttributeError, ValueError, OSError, struct.error):  # fields of the wrong type or place
        raise broken from None


def _parquet(path: Path, filename: str, limits: Limits, broken: FileProblem) -> None:
    size = path.stat().st_size
    with open(path, "rb") as fh:
        if size < 12:
            raise broken
        fh.seek(size - 8)
        footer_len, magic = struct.unpack("<I4s", fh.read(8))
        if magic != PARQUET_MAGIC or footer_len > size - 12:
            raise broken
        if footer_len > 16 * MiB:
            raise UnsafeFile(f"文件“{filename}”的元数据有 {size_text(footer_len)}，超过上限 16 MB")
        fh.seek(size - 8 - footer_len)
        try:
            meta = _Thrift(fh.read(footer_len)).struct()
        except _ThriftError:
            raise broken from None
        if not isinstance(meta.get(2), list) or not isinstance(meta.get(3), int) or not isinstance(meta.get(4), list):
            raise broken  # schema, num_rows and row_groups are required
        schema = meta[2]
        columns = max(len(schema) - 1, 0)
        if columns > limits.columns:
            raise UnsafeFile(f"文件“{filename}”有 {columns:,} 列，超过上限 {limits.columns:,} 列", limit="columns")
        groups = [g for g in meta[4] if isinstance(g, dict)]
        rows = max([meta.get(3) or 0, sum(g.get(3) or 0 for g in groups), *(g.get(3) or 0 for g in groups)])
        chunks = [c.get(3) or {} for g in groups for c in g.get(1) or []]
        rows = max([rows, *(c.get(5) or 0 for c in chunks)])
        if rows > limits.rows:
            raise UnsafeFile(f"文件“{filename}”有 {rows:,} 行，超过上限 {limits.rows:,} 行", limit="rows")
        too_big = UnsafeFile(f"文件“{filename}”解压后超过上限 {size_text(limits.decompressed_bytes)}",
                             limit="decompressed_bytes")
        declared = sum(max(c.get(6) or 0, 0) for c in chunks)
        if declared > limits.decompressed_bytes:
            raise too_big
        total, pages = 0, 0
        for c in chunks:
            start = c.get(11) if c.get(11) is not None else c.get(9)
            length = c.get(7) or 0
            if start is None or start < 0 or length < 0 or start + length > size:
                raise broken
            pos, end = start, start + length
            while pos < end:
                for window in (64 * 1024, 16 * MiB):  # a header with long statistics may need more than 64 KiB
                    fh.seek(pos)
                    reader = _Thrift(fh.read(min(window, end - pos)))
                    try:
                        page = reader.struct()
                        break
                    except _ThriftError:
                        if window >= end - pos or window == 16 * MiB:
                            raise broken from None
                unc, comp = page.get(2), page.get(3)
                if unc is None or comp is None or unc < 0 or comp < 0:
                    raise broken
                values = max([(page.get(k) or {}).get(1) or 0 for k in (5, 7, 8)])
                if values > limits.rows:
                    raise UnsafeFile(f"文件“{filename}”有 {values:,} 行，超过上限 {limits.rows:,} 行", limit="rows")
                total += unc
                pages += 1
                if total > limits.decompressed_bytes:
                    raise too_big
                if pages > 1_000_000:
                    raise UnsafeFile(f"文件“{filename}”的数据页超过 1,000,000 个，无法安全读取")
                pos += reader.pos + comp


class _ThriftError(Exception):
    pass


class _Thrift:
    """The Thrift compact protocol, as Parquet footers and page headers use it: a struct is {field id: value}, lists
    are lists, binary values are kept only when short (names), nesting and item counts are bounded."""

    MAX_DEPTH = 32
    MAX_ITEMS = 2_000_000

    def __init__(self, data: bytes):
        self.data, self.pos, self.items = data, 0, 0

    def _byte(self) -> int:
        if self.pos >= len(self.data):
            raise _ThriftError("truncated")
        b = self.data[self.pos]
        self.pos += 1
        return b

    def _varint(self) -> int:
        shift = result = 0
        while True:
            b = self._byte()
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7
            if shift > 70:
                raise _ThriftError("varint")

    def _zigzag(self) -> int:
        n = self._varint()
        return (n >> 1) ^ -(n & 1)

    def _count(self) -> None:
        self.items += 1
        if self.items > self.MAX_ITEMS:
            raise _ThriftError("too many items")

    def value(self, t: int, depth: int):
        self._count()
        if t in (1, 2):
            return t == 1
        if t == 3:
            return self._byte()
        if t in (4, 5, 6):
            return self._zigzag()
        if t == 7:
            self.pos += 8
            if self.pos > len(self.data):
                raise _ThriftError("truncated")
            return None
        if t == 8:
            n = self._varint()
            if self.pos + n > len(self.data):
                raise _ThriftError("truncated")
            raw = self.data[self.pos:self.pos + n] if n <= 256 else None
            self.pos += n
            return raw
        if t in (9, 10):
            return self.list(depth + 1)
        if t == 11:
            return self.map(depth + 1)
        if t == 12:
            return self.struct(depth + 1)
        raise _ThriftError(f"type {t}")

    def list(self, depth: int) -> list:
        if depth > self.MAX_DEPTH:
            raise _ThriftError("depth")
        head = self._byte()
        n, t = head >> 4, head & 0x0F
        if n == 15:
            n = self._varint()
        if n > len(self.data) - self.pos:  # every item takes at least one byte
            raise _ThriftError("list size")
        if t in (1, 2):  # booleans in a list are one byte each
            out = [self._byte() == 1 for _ in range(n)]
            self.items += n
            return out
        return [self.value(t, depth) for _ in range(n)]

    def map(self, depth: int) -> None:
        if depth > self.MAX_DEPTH:
            raise _ThriftError("depth")
        n = self._varint()
        if n == 0:
            return None
        if 2 * n > len(self.data) - self.pos:
            raise _ThriftError("map size")
        types = self._byte()
        for _ in range(n):
            self.value(types >> 4, depth)
            self.value(types & 0x0F, depth)
        return None

    def struct(self, depth: int = 0) -> dict:
        if depth > self.MAX_DEPTH:
            raise _ThriftError("depth")
        out, field = {}, 0
        while True:
            head = self._byte()
            if head == 0:
                return out
            delta, t = head >> 4, head & 0x0F
            field = field + delta if delta else self._zigzag()
            out[field] = self.value(t, depth)
