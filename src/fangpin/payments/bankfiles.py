"""Bank disbursement files (代发文件) and the banks' return files (回盘文件), in the layouts of layouts.yaml.

No Django here: the payment round hands `write` its approved rows and records what it returns (rows, total, SHA-256);
it hands `read_return` an uploaded return file and, if that reads, `check_against` the rows of the file it issued.

Writing streams: a line is formatted and written, never kept (CSV and delimited text go out in chunks of about 1 MiB;
an .xlsx is written by XlsxWriter in constant-memory mode to a temporary file, then copied out while hashing).
Text cells of CSV and .xlsx files that start with = + - @ get a leading apostrophe, so that Excel or WPS shows them as
text instead of evaluating them as a formula (CSV injection; tabs and line breaks are refused in every field).
Delimited bank files are read by the bank's system, which compares the holder's name as written: they are written as
they are, and no field may hold the separator.

Reading is all or nothing: the file goes through the bounded reader (fangpin.lib.uploads.inspect) first, then every
line is checked, and any problem refuses the whole file with every problem named by row (as the user sees it in the
file) and column (its Chinese title). Amounts are parsed as text into fen, never through float.
"""
from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import shutil
import string
import tempfile
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import nullcontext
from dataclasses import dataclass, fields
from datetime import date, datetime
from functools import cache
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import BinaryIO

import polars as pl
import xlsxwriter
from python_calamine import CalamineWorkbook

from fangpin.lib import bankcard, uploads
from fangpin.lib.uploads import Limits, parser_failed
from fangpin.lib.yamldata import CatalogError, line_of
from fangpin.lib.yamldata import load as load_yaml

__all__ = ["Layout", "PayLine", "PayLineError", "Problem", "ReturnFileError", "ReturnLine", "Written", "check_against",
           "layouts", "load_layouts", "read_return", "simulate_return", "write"]

LAYOUTS_PATH = Path(__file__).with_name("layouts.yaml")
FORMATS = ("csv", "xlsx", "delimited")
EXTENSIONS = {"csv": "csv", "xlsx": "xlsx", "delimited": "txt"}
PLACEHOLDERS = {"rows": "笔数", "total_yuan": "总金额", "total_fen": "总金额（分）", "title": "标题", "payer": "付款单位",
                "paid_on": "日期"}
RETURN_FIELDS = ("status", "reason")
REQUIRED_RETURN = ("reference", "account_number", "amount", "status")
READ_ORDER = REQUIRED_RETURN + ("reason",)  # the arguments of _Collector.detail
REFERENCE_MAX = 32
XLSX_MAX_ROWS = 1_048_576  # one worksheet
MAX_PROBLEMS = 10_000  # kept on a ReturnFileError (all are counted in `total`)
SHOWN = 20  # problems in the error's message
HEADER_SEARCH_ROWS = 10  # a return workbook may carry title rows above its column titles
CHUNK = 1 << 20
FORMULA_START = ("=", "+", "-", "@")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_AMOUNT = re.compile(r"(\d{1,13})(?:\.(\d{1,2}))?")
_NUMBER = re.compile(r"-?\d*(?:\.\d*)?")


# --- what the callers hand over and get back -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PayLine:
    """One row of a disbursement file."""

    reference: str  # our row reference, unique in a round (ASCII, at most 32 characters), e.g. FP2026000012-0000045
    name: str  # account holder (户名)
    account_number: str  # digits
    bank: str  # 开户银行
    amount: int  # fen, > 0
    id_number: str  # 18-character ID number, an enterprise's credit code, or ""
    benefit: str  # benefit name
    basis: str  # e.g. 双发〔2022〕67号第5条
    village: str


@dataclass(frozen=True)
class Written:
    rows: int
    total: int  # fen
    sha256: str  # of the bytes written
    filename: str  # suggested download name


@dataclass(frozen=True, slots=True)
class ReturnLine:
    row: int  # as the user sees it in the file
    reference: str
    account_number: str
    amount: int  # fen
    paid: bool
    reason: str  # the bank's reason for a failed row (with its code, for layouts of codes); "" for a paid row


@dataclass(frozen=True)
class Problem:
    row: int | None  # None: the file as a whole
    column: str  # the column's Chinese title, or "" for the whole line
    message: str  # of the file as a whole (no row, no column): a whole sentence that names the file

    def text(self, filename: str) -> str:
        if self.row is None and not self.column:
            return self.message
        where = (f"第{self.row}行" if self.row is not None else "") + (f"“{self.column}”列" if self.column else "")
        return f"文件“{filename}”{where}：{self.message}"


class ReturnFileError(ValueError):
    """The return file is refused whole. `problems` holds the first MAX_PROBLEMS in file order, `total` counts all;
    str() is one Chinese message with the first SHOWN."""

    def __init__(self, filename: str, problems: list[Problem], total: int | None = None):
        self.filename, self.problems = filename, problems[:MAX_PROBLEMS]
        self.total = max(total or 0, len(problems))
        lines = [f"回盘文件“{filename}”有 {self.total:,} 处问题，整份未导入："]
        lines += [p.text(filename) for p in self.problems[:SHOWN]]
        if self.total > SHOWN:
            lines.append(f"……另有 {self.total - SHOWN:,} 处问题未列出")
        super().__init__("\n".join(lines))


class PayLineError(ValueError):
    """A line that cannot be written in the layout (the file written so far is not to be used)."""


# --- layouts -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Column:
    field: str
    title: str
    format: str = "text"  # text, yuan (2 decimals from fen) or fen (integer)


@dataclass(frozen=True)
class ReturnSpec:
    columns: tuple[Column, ...]
    paid: tuple[str, ...]  # status values meaning paid
    failed: tuple[str, ...] | None  # status values meaning failed; None: any other value is a failure code
    header: tuple[str, ...] = ()
    totals: tuple[str, ...] = ()
    totals_optional: bool = False

    def title(self, field: str) -> str:
        return next(c.title for c in self.columns if c.field == field)


@dataclass(frozen=True)
class Layout:
    key: str
    label: str
    format: str  # csv, xlsx or delimited
    encoding: str  # utf-8-sig or gbk ("" for xlsx)
    separator: str  # "," for csv; the layout's separator for delimited
    record: str  # delimited: the first item of a detail record
    columns: tuple[Column, ...]
    header: tuple[str, ...]  # template cells of the header line (delimited only)
    totals: tuple[str, ...]  # template cells of the totals (trailer) line
    returns: ReturnSpec

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def load_layouts(path: Path = LAYOUTS_PATH) -> dict[str, Layout]:
    """The layouts of a layouts file, validated; CatalogError naming the file, line and layout otherwise."""
    data = load_yaml(path)
    items = data.get("layouts")
    if not isinstance(items, dict) or not items:
        raise CatalogError(path, line_of(data), "缺少 layouts")
    return {key: _layout(path, str(key), spec) for key, spec in items.items()}


@cache
def layouts() -> dict[str, Layout]:
    return load_layouts()


def _layout(path: Path, key: str, spec) -> Layout:
    def fail(message: str, node=None, at=None):
        raise CatalogError(path, line_of(node if node is not None else spec, at), f"代发格式“{key}”{message}")

    if not isinstance(spec, dict):
        fail("应为一个映射")
    unknown = set(spec) - {"label", "format", "encoding", "separator", "record", "header", "columns", "totals",
                           "return"}
    if unknown:
        fail(f"有未知的键：{'、'.join(sorted(map(str, unknown)))}")
    for required in ("label", "format", "columns", "return"):
        if required not in spec:
            fail(f"缺少 {required}")
    fmt = spec["format"]
    if fmt not in FORMATS:
        fail(f"的 format 应为 {'、'.join(FORMATS)} 之一", at="format")
    encoding = str(spec.get("encoding") or "")
    if fmt == "xlsx":
        if encoding:
            fail("是 xlsx 格式，不写 encoding", at="encoding")
    else:
        try:
            codecs.lookup(encoding)
        except LookupError:
            fail(f"的 encoding“{encoding}”不是已知的编码（应如 utf-8-sig、gbk）", at="encoding")
    separator, record = ",", ""
    if fmt == "delimited":
        separator, record = str(spec.get("separator") or ""), str(spec.get("record") or "")
        if len(separator) != 1 or separator.isalnum() or _CONTROL.match(separator) and separator != "\t":
            fail("的 separator 应为一个标点字符，如 |", at="separator")
        if not record:
            fail("缺少 record（明细记录的第一项，如 D）")
    elif "separator" in spec or "record" in spec:
        fail("只有 delimited 格式才写 separator 和 record")
    pay_fields = {f.name for f in fields(PayLine)}
    columns = _columns(spec["columns"], pay_fields, fail)
    header = _template(spec, "header", separator, fail)
    totals = _template(spec, "totals", separator, fail)
    if header and fmt != "delimited":
        fail("是表格格式：第一行是列名，不能有 header 行", at="header")

    ret = spec["return"]
    if not isinstance(ret, dict):
        fail("的 return 应为一个映射", at="return")
    unknown = set(ret) - {"columns", "header", "totals", "totals_optional", "status"}
    if unknown:
        fail(f"的 return 有未知的键：{'、'.join(sorted(map(str, unknown)))}", ret)
    ret_columns = _columns(ret.get("columns"), pay_fields | set(RETURN_FIELDS), fail, ret)
    missing = [f for f in REQUIRED_RETURN if f not in {c.field for c in ret_columns}]
    if missing:
        fail(f"的回盘列缺少 {'、'.join(missing)}", ret, "columns")
    ret_header = _template(ret, "header", separator, fail)
    ret_totals = _template(ret, "totals", separator, fail)
    if ret_header and fmt != "delimited":
        fail("是表格格式：回盘文件第一行是列名，不能有 header 行", ret, "header")
    status = ret.get("status")
    if not isinstance(status, dict) or not isinstance(status.get("paid"), list) or not status["paid"]:
        fail("的 return.status 应写明 paid（表示成功的取值）", ret, "status")
    paid = tuple(str(v) for v in status["paid"])
    failed_spec = status.get("failed")
    if failed_spec == "other":
        failed = None
    elif isinstance(failed_spec, list) and failed_spec:
        failed = tuple(str(v) for v in failed_spec)
        if set(paid) & set(failed):
            fail("的 return.status 中 paid 与 failed 有相同的取值", status)
    else:
        fail("的 return.status.failed 应为取值的列表，或 other（其余取值都是失败）", status)
    return Layout(key=key, label=str(spec["label"]), format=fmt, encoding=encoding, separator=separator,
                  record=record, columns=columns, header=header, totals=totals,
                  returns=ReturnSpec(columns=ret_columns, paid=paid, failed=failed, header=ret_header,
                                     totals=ret_totals, totals_optional=bool(ret.get("totals_optional", False))))


def _columns(items, allowed: set[str], fail, node=None) -> tuple[Column, ...]:
    if not isinstance(items, list) or not items:
        fail("的 columns 应为非空的列表", node)
    out = []
    for item in items:
        if not isinstance(item, dict) or set(item) - {"field", "title", "format"} or "field" not in item \
                or "title" not in item:
            fail("的每一列应写 field、title，可写 format", item if isinstance(item, dict) else node)
        column = Column(str(item["field"]), str(item["title"]).strip(), str(item.get("format", "text")))
        if column.field not in allowed:
            fail(f"的列“{column.title}”的 field“{column.field}”不是可用的字段（{'、'.join(sorted(allowed))}）", item)
        if column.format not in ("text", "yuan", "fen"):
            fail(f"的列“{column.title}”的 format 应为 text、yuan 或 fen", item)
        if (column.format != "text") != (column.field == "amount"):
            fail(f"的列“{column.title}”：金额列写 format: yuan 或 fen，其余列为 text", item)
        out.append(column)
    titles = [c.title for c in out]
    repeated = {t for t in titles if titles.count(t) > 1}
    if repeated or "" in titles:
        fail(f"的列名不能为空或重复：{'、'.join(sorted(repeated)) or '（空）'}", node)
    return tuple(out)


def _template(spec, key: str, separator: str, fail) -> tuple[str, ...]:
    cells = spec.get(key)
    if cells is None:
        return ()
    if not isinstance(cells, list) or not cells:
        fail(f"的 {key} 应为每项一格的列表", spec, key)
    cells = tuple("" if c is None else str(c) for c in cells)
    for cell in cells:
        try:
            parsed = list(string.Formatter().parse(cell))
        except ValueError as e:
            fail(f"的 {key}“{cell}”写法有误：{e}", spec, key)
        for literal, name, spec_text, conversion in parsed:
            if separator in literal and separator != ",":
                fail(f"的 {key}“{cell}”含有分隔符“{separator}”", spec, key)
            if name is None:
                continue
            if name not in PLACEHOLDERS or conversion or (spec_text and name != "paid_on"):
                fail(f"的 {key}“{cell}”中的“{{{name}}}”不是可用的占位符（{'、'.join(PLACEHOLDERS)}；"
                     "只有 paid_on 可写日期格式）", spec, key)
    if "{" in cells[0]:
        fail(f"的 {key} 的第一项应为固定文字（用来认出这一行）", spec, key)
    return cells


# --- writing -------------------------------------------------------------------------------------------------------

def yuan(fen: int) -> str:
    """12345 -> "123.45"."""
    return f"{fen // 100}.{fen % 100:02d}"


def neutralize(text: str) -> str:
    """Text that Excel or WPS would evaluate as a formula, made plain text with a leading apostrophe (CSV injection)."""
    return "'" + text if text.startswith(FORMULA_START) else text


class _Sink:
    """Writes through to `out`, hashing the bytes."""

    def __init__(self, out: BinaryIO):
        self.out, self.hash = out, hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.hash.update(data)
        self.out.write(data)


def _values(layout_columns: tuple[Column, ...]):
    """The cells of a line as text, in column order."""
    getters = [(attrgetter(c.field), c.format) for c in layout_columns]

    def cells(line) -> list[str]:
        out = []
        for get, fmt in getters:
            v = get(line)
            out.append(yuan(v) if fmt == "yuan" else str(v))
        return out

    return cells


def _check_line(line: PayLine, n: int, separator: str | None) -> None:
    def bad(field: str, message: str):
        raise PayLineError(f"代发明细第{n}条（业务流水号“{line.reference}”）的 {field}：{message}")

    ref = line.reference
    if not ref or len(ref) > REFERENCE_MAX or not ref.isascii() or not ref.isprintable() or ref != ref.strip():
        bad("reference", f"应为不超过{REFERENCE_MAX}个字符的英文字母、数字和符号")
    if type(line.amount) is not int or line.amount <= 0:
        bad("amount", "应为大于0的整数（分）")
    if not line.account_number.isascii() or not line.account_number.isdigit():
        bad("account_number", "应只含数字")
    if not line.name.strip():
        bad("name", "户名为空")
    text = (line.name, line.bank, line.id_number, line.benefit, line.basis, line.village, ref)
    joined = "".join(text)
    if _CONTROL.search(joined) or (separator and separator in joined):
        for f in ("name", "bank", "id_number", "benefit", "basis", "village", "reference"):
            v = getattr(line, f)
            if _CONTROL.search(v):
                bad(f, "含有换行或控制字符")
            if separator and separator in v:
                bad(f, f"含有分隔符“{separator}”")


def _fill(cells: tuple[str, ...], **values) -> list[str]:
    return [c.format(**values) for c in cells]


def safe_filename(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\s]+', "_", text).strip("_.") or "代发"


def write(layout: Layout, lines: Iterable[PayLine], out: BinaryIO, *, title: str, paid_on: date,
          payer: str) -> Written:
    """Write the disbursement file of `lines` to `out` in `layout`; the counts, total and SHA-256.

    `title` names the file (代发_<title>.<ext>: give the round and the bank, e.g. "FP2026000012_中国农业银行") and
    fills {title}. The caller guarantees unique references (they come from the round's rows). A line that cannot be
    written (PayLineError: a line break in a name, a character GBK lacks, more rows than one worksheet holds) stops the
    writing; what was written to `out` is then not to be used."""
    return write_frames(layout, _frames(lines, layout), out, title=title, paid_on=paid_on, payer=payer)


def write_frames(layout: Layout, frames: Iterable[pl.DataFrame], out: BinaryIO, *, title: str, paid_on: date,
                 payer: str) -> Written:
    """`write` of lines given as Polars frames (a column per PayLine field): a round's million lines are checked and
    formatted column by column, then encoded a chunk at a time, with the same checks and errors as line by line."""
    sink = _Sink(out)
    chunks = (chunk for frame in frames for chunk in frame.iter_slices(FRAME_ROWS))
    if layout.format == "xlsx":
        lines = (_Line(row) for chunk in chunks for row in chunk.iter_rows(named=True))
        rows, total = _write_xlsx(layout, lines, sink, title=title, paid_on=paid_on, payer=payer)
    else:
        rows, total = _write_text(layout, chunks, sink, title=title, paid_on=paid_on, payer=payer)
    return Written(rows=rows, total=total, sha256=sink.hash.hexdigest(),
                   filename=f"代发_{safe_filename(title)}.{layout.extension}")


FRAME_ROWS = 50_000
_LINE_FIELDS = tuple(f.name for f in fields(PayLine))
_TEXT_FIELDS = ("name", "bank", "id_number", "benefit", "basis", "village", "reference")
_REFERENCE_OK = r"^[!-~](?:[ -~]*[!-~])?$"  # printable ASCII, no space at either end (_check_line's rule)


class _Line:
    """A frame row read as a line (attribute access, as the per-line writers and `_check_line` read lines)."""

    __slots__ = ("_row",)

    def __init__(self, row: dict):
        self._row = row

    def __getattr__(self, name):
        try:
            return self._row[name]
        except KeyError:
            raise AttributeError(name) from None


def _frames(lines: Iterable, layout: Layout) -> Iterator[pl.DataFrame]:
    """Lines (PayLine, or anything with their attributes and the layout's fields) as frames of FRAME_ROWS."""
    names = list(dict.fromkeys([*_LINE_FIELDS, *(c.field for c in layout.columns)]))
    getters = [attrgetter(n) for n in names]
    batch: list = []
    done = 0
    for line in lines:
        batch.append(line)
        if len(batch) == FRAME_ROWS:
            yield _frame(batch, names, getters, done + 1)
            done += len(batch)
            batch = []
    if batch:
        yield _frame(batch, names, getters, done + 1)


def _frame(batch: list, names: list[str], getters, first: int) -> pl.DataFrame:
    columns = {n: [g(x) for x in batch] for n, g in zip(names, getters)}
    # an amount that is not an int (a bool, a float) would be cast quietly: refused here, as line by line
    for i, amount in enumerate(columns["amount"]):
        if type(amount) is not int:
            _check_line(batch[i], first + i, None)
    return pl.DataFrame(columns, schema_overrides={"amount": pl.Int64}, strict=False)


def _check_frame(frame: pl.DataFrame, first: int, separator: str | None) -> None:
    """`_check_line` over a frame at once (line numbers from `first`): the rows a vectorized test flags are checked
    again line by line, so the error is the one-line writer's."""
    ref = pl.col("reference")
    bad = (~ref.str.contains(_REFERENCE_OK) | (ref.str.len_chars() > REFERENCE_MAX) | (pl.col("amount") <= 0)
           | ~pl.col("account_number").str.contains(r"^[0-9]+$") | (pl.col("name").str.strip_chars() == ""))
    for f in _TEXT_FIELDS:
        bad = bad | pl.col(f).str.contains(r"[\x00-\x1f\x7f]")
        if separator:
            bad = bad | pl.col(f).str.contains(separator, literal=True)
    flagged = frame.select(bad.fill_null(True).arg_true()).to_series().to_list()
    for i in flagged:
        row = frame.row(i, named=True)
        line = PayLine(**{f: row[f] for f in _LINE_FIELDS})
        if type(line.amount) is not int or any(not isinstance(getattr(line, f), str) for f in _TEXT_FIELDS):
            raise PayLineError(f"代发明细第{first + i}条（业务流水号“{line.reference}”）缺少内容")
        _check_line(line, first + i, separator)


def _cell_exprs(layout: Layout) -> list[pl.Expr]:
    """Each column's text, as `_values` writes it."""
    out = []
    for c in layout.columns:
        if c.format == "yuan":
            fen = pl.col(c.field)
            out.append(pl.concat_str([(fen // 100).cast(pl.String), pl.lit("."),
                                      (fen % 100).cast(pl.String).str.zfill(2)]))
        else:
            out.append(pl.col(c.field).cast(pl.String))
    return out


def _csv_cell(e: pl.Expr) -> pl.Expr:
    """A cell as csv.writer (QUOTE_MINIMAL) writes it after `neutralize`."""
    e = pl.when(e.str.contains(r"^[=+\-@]")).then(pl.lit("'") + e).otherwise(e)
    return pl.when(e.str.contains(r'[,"\r\n]')).then(
        pl.lit('"') + e.str.replace_all('"', '""', literal=True) + pl.lit('"')).otherwise(e)


def _write_text(layout: Layout, chunks: Iterable[pl.DataFrame], sink: _Sink, **meta) -> tuple[int, int]:
    delimited = layout.format == "delimited"
    separator = layout.separator if delimited else None
    bom = layout.encoding.lower().replace("_", "-") == "utf-8-sig"
    encoding = "utf-8" if bom else layout.encoding
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")

    def text_of(cells: list[str]) -> str:
        if delimited:
            return separator.join(cells) + "\r\n"
        writer.writerow([neutralize(c) for c in cells])
        text = buf.getvalue()
        buf.seek(0)
        buf.truncate()
        return text

    def encoded(text: str, what: str) -> bytes:
        try:
            return text.encode(encoding)
        except UnicodeEncodeError as e:
            raise PayLineError(f"{what}含有 {_encoding_name(layout)} 编码无法表示的字“{e.object[e.start:e.end]}”"
                               f"（格式“{layout.label}”）") from None

    cells = _cell_exprs(layout)
    if delimited:
        line_expr = pl.concat_str([pl.lit(layout.record), *cells], separator=separator) + pl.lit("\r\n")
    else:
        line_expr = pl.concat_str([_csv_cell(c) for c in cells], separator=",") + pl.lit("\r\n")
    # A header line carries the count and total, known only at the end: the details wait in a temporary file.
    with tempfile.TemporaryFile() if layout.header else nullcontext(sink) as body:
        out = _Buffered(body)
        if bom:
            sink.write(codecs.BOM_UTF8)
        if not delimited:
            out.write(encoded(text_of([c.title for c in layout.columns]), "列名"))
        rows = total = 0
        for chunk in chunks:
            _check_frame(chunk, rows + 1, separator)
            texts = chunk.select(line_expr.alias("line"))["line"]
            try:
                out.write("".join(texts.to_list()).encode(encoding))
            except UnicodeEncodeError:
                for text, ref in zip(texts.to_list(), chunk["reference"].to_list()):
                    encoded(text, f"业务流水号“{ref}”的一行")
                raise
            rows += chunk.height
            total += int(chunk["amount"].sum())
        values = dict(meta, rows=rows, total_yuan=yuan(total), total_fen=total)
        if layout.totals:
            out.write(encoded(text_of(_checked_meta(_fill(layout.totals, **values), separator)), "合计行"))
        out.flush()
        if layout.header:
            sink.write(encoded(text_of(_checked_meta(_fill(layout.header, **values), separator)), "文件头"))
            body.seek(0)
            shutil.copyfileobj(body, sink, CHUNK)
    return rows, total


class _Buffered:
    """Small writes gathered into writes of about CHUNK bytes."""

    def __init__(self, target):
        self.target, self.parts, self.size = target, [], 0

    def write(self, data: bytes) -> None:
        self.parts.append(data)
        self.size += len(data)
        if self.size >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.parts:
            self.target.write(b"".join(self.parts))
            self.parts, self.size = [], 0


def _checked_meta(cells: list[str], separator: str | None) -> list[str]:
    """Header and totals cells filled with the title and payer the caller gave."""
    for c in cells:
        if _CONTROL.search(c) or (separator and separator in c):
            raise PayLineError(f"文件头或合计行“{c}”含有换行、控制字符或分隔符“{separator}”：请检查付款单位和标题")
    return cells


def _write_xlsx(layout: Layout, lines: Iterable[PayLine], sink: _Sink, **meta) -> tuple[int, int]:
    cells_of = _values(layout.columns)
    amount_at = next(i for i, c in enumerate(layout.columns) if c.field == "amount")
    fen_amount = layout.columns[amount_at].format == "fen"
    room = XLSX_MAX_ROWS - 1 - (1 if layout.totals else 0)
    rows = total = 0
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.xlsx"
        stamp = datetime(meta["paid_on"].year, meta["paid_on"].month, meta["paid_on"].day)
        wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "tmpdir": tmp})
        wb.set_properties({"title": meta["title"], "created": stamp})  # fixed, so the same rows give the same bytes
        ws = wb.add_worksheet("代发明细")
        bold = wb.add_format({"bold": True})
        for j, c in enumerate(layout.columns):
            ws.set_column(j, j, 22 if c.field in ("reference", "account_number", "id_number", "basis") else 14)
            ws.write_string(0, j, c.title, bold)
        try:
            for line in lines:
                rows += 1
                if rows > room:
                    raise PayLineError(f"超过一个 Excel 工作表的行数上限（{room:,} 行）：请改用 CSV 格式，或分成几个文件")
                _check_line(line, rows, None)
                total += line.amount
                for j, text in enumerate(cells_of(line)):
                    if j == amount_at and fen_amount:
                        ws.write_number(rows, j, line.amount)  # an integer: exact
                    else:
                        ws.write_string(rows, j, neutralize(text))  # amounts in yuan as text, never a float
        except BaseException:
            wb.close()  # XlsxWriter complains of a workbook left open; the file is thrown away with the directory
            raise
        if layout.totals:
            values = dict(meta, rows=rows, total_yuan=yuan(total), total_fen=total)
            for j, text in enumerate(_fill(layout.totals, **values)):
                if text:
                    ws.write_string(rows + 1, j, neutralize(text), bold)
        wb.close()
        with open(path, "rb") as fh:
            shutil.copyfileobj(fh, sink, CHUNK)
    return rows, total


def simulate_return(layout: Layout, results: Iterable[tuple[PayLine, str, str]], out: BinaryIO, *,
                    paid_on: date, payer: str = "模拟银行") -> Written:
    """The return file a bank would send for `results` (line, status as the bank writes it, reason): for tests, demos
    and benchmarks. Amounts and statuses are written as given, unchecked."""
    spec = layout.returns
    shadow = Layout(key=layout.key, label=layout.label, format=layout.format, encoding=layout.encoding,
                    separator=layout.separator, record=layout.record, returns=spec,
                    columns=tuple(Column(c.field if c.field not in RETURN_FIELDS else "_" + c.field, c.title, c.format)
                                  for c in spec.columns),
                    header=spec.header, totals=spec.totals)
    return write(shadow, (_Result(line, status, reason) for line, status, reason in results), out,
                 title="回盘", paid_on=paid_on, payer=payer)


class _Result:
    """A PayLine with the bank's status and reason, as `write` reads it."""

    __slots__ = ("reference", "name", "account_number", "bank", "amount", "id_number", "benefit", "basis", "village",
                 "_status", "_reason")

    def __init__(self, line: PayLine, status: str, reason: str):
        for f in PayLine.__slots__:
            setattr(self, f, getattr(line, f))
        self._status, self._reason = status, reason


# --- reading a return file -----------------------------------------------------------------------------------------

def parse_fen(text: str) -> tuple[int | None, str]:
    """(fen, "") for a positive amount in yuan with at most two decimals, else (None, why)."""
    m = _AMOUNT.fullmatch(text)
    if m:
        whole, frac = m.groups()
        fen = int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)
        return (fen, "") if fen > 0 else (None, "金额应大于0")
    if not text:
        return None, "金额为空"
    if _NUMBER.fullmatch(text) and any(ch.isdigit() for ch in text):
        if text.startswith("-"):
            return None, f"金额“{text}”不能为负数"
        if "." in text and len(text.split(".")[1]) > 2:
            return None, f"金额“{text}”超过两位小数"
    return None, f"“{text}”不是金额（应为元，最多两位小数，如 1234.50）"


class _Collector:
    """Problems, the lines read, and the count and total of detail lines (for header and totals lines)."""

    def __init__(self, filename: str, layout: Layout):
        self.filename, self.layout, self.spec = filename, layout, layout.returns
        self.problems: list[Problem] = []
        self.total_problems = 0
        self.lines: list[ReturnLine] = []
        self.details = 0
        self.sum = 0
        self.sum_known = True
        self.paid, self.failed = frozenset(self.spec.paid), frozenset(self.spec.failed or ())
        self.codes = self.spec.failed is None
        self.titles = {c.field: c.title for c in self.spec.columns}
        self.status_hint = ("、".join(self.spec.paid + self.spec.failed) if not self.codes
                            else f"{'、'.join(self.spec.paid)}（成功）或银行的失败代码")

    def add(self, row: int | None, column: str, message: str) -> None:
        self.total_problems += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(row, column, message))

    def whole(self, message: str) -> None:
        """A problem of the file as a whole, its message naming the file."""
        self.add(None, "", f"文件“{self.filename}”{message}")

    def detail(self, row: int, reference: str, account: str, amount: str, status: str, reason: str = "", *,
               reported: Collection[str] = ()) -> None:
        """One detail line's cells as text; `reported`: fields whose problem the caller has already added."""
        self.details += 1
        before = self.total_problems
        t = self.titles
        if "reference" in reported:
            pass
        elif not reference:
            self.add(row, t["reference"], "业务流水号为空")
        elif len(reference) > REFERENCE_MAX or not reference.isascii() or not reference.isprintable():
            self.add(row, t["reference"], f"“{reference}”不是本系统的业务流水号（不超过{REFERENCE_MAX}位的英文字母、数字）")
        if not (account.isascii() and account.isdigit()):  # the usual case needs no folding
            account = bankcard.normalize(account)
        why = bankcard.problem(account, card=False) if account else "账号为空"
        if why and "account_number" not in reported:
            self.add(row, t["account_number"], why)
        fen, why = parse_fen(amount)
        if fen is None:
            self.add(row, t["amount"], why)
            self.sum_known = False
        else:
            self.sum += fen
        paid = status in self.paid
        if not paid and not status:
            self.add(row, t["status"], f"为空（应为{self.status_hint}）")
        elif not paid and not self.codes and status not in self.failed:
            self.add(row, t["status"], f"“{status}”不是规定的取值（应为{self.status_hint}）")
        if self.total_problems > before or reported:
            return
        if paid:
            reason = ""
        elif self.codes:
            reason = f"{reason}（{status}）" if reason else f"失败代码 {status}"
        else:
            reason = reason or "（银行未注明原因）"
        self.lines.append(ReturnLine(row, reference, account, fen, paid, reason))

    def summary(self, row: int, cells: list[str], template: tuple[str, ...], what: str,
                titles: list[str] | None = None) -> None:
        """A header or totals line against its template and the detail lines read. Its cells are named by the
        column titles above them (tables) or by their placeholder (笔数, 总金额, …)."""
        for i, pattern in enumerate(template):
            value = cells[i] if i < len(cells) else ""
            slots = {name: fmt for _, name, fmt, _ in string.Formatter().parse(pattern) if name}
            if not slots:
                continue  # fixed text (the line's mark, blank cells): a bank may write more there; not checked
            column = (titles[i] if titles and i < len(titles) else "") or PLACEHOLDERS[next(iter(slots))]
            m = _cell_pattern(pattern).fullmatch(value)
            if not m:
                self.add(row, column, f"{what}此处应为“{pattern}”，实为“{value}”")
                continue
            for name, got in m.groupdict().items():
                if name == "rows" and int(got) != self.details:
                    self.add(row, column, f"{what}写 {int(got):,} 笔，明细实有 {self.details:,} 笔")
                elif name in ("total_yuan", "total_fen"):
                    fen, why = parse_fen(got) if name == "total_yuan" else (int(got) if got.isdigit() else None,
                                                                            f"“{got}”不是整数（分）")
                    if fen is None:
                        self.add(row, column, f"{what}的总金额：{why}")
                    elif self.sum_known and fen != self.sum:
                        self.add(row, column, f"{what}写总金额 {yuan(fen)} 元，明细合计 {yuan(self.sum)} 元")
                elif name == "paid_on":
                    fmt = slots["paid_on"] or "%Y-%m-%d"
                    try:
                        datetime.strptime(got, fmt)
                    except ValueError:
                        self.add(row, column, f"{what}的日期“{got}”无法识别（应如 {date(2026, 3, 1):{fmt}}）")

    def result(self) -> list[ReturnLine]:
        if self.total_problems:
            self.problems.sort(key=lambda p: (p.row is not None, p.row or 0))
            raise ReturnFileError(self.filename, self.problems, self.total_problems)
        return self.lines


@cache
def _cell_pattern(template: str) -> re.Pattern:
    """A template cell as a pattern: its literal text, a group per placeholder (title and payer: any text)."""
    out = []
    for literal, name, _fmt, _ in string.Formatter().parse(template):
        out.append(re.escape(literal))
        if name == "rows":
            out.append(r"(?P<rows>\d+)")
        elif name in ("total_yuan", "total_fen", "paid_on"):
            out.append(rf"(?P<{name}>.*?)")
        elif name is not None:
            out.append(r".*?")
    return re.compile("".join(out), re.S)


def _refused(filename: str, message: str) -> ReturnFileError:
    """The file refused as a whole; `message` names it."""
    return ReturnFileError(filename, [Problem(None, "", message)])


def read_return(path: Path | str, filename: str, layout: Layout, *, limits: Limits) -> list[ReturnLine]:
    """Every detail line of the bank's return file, in file order; ReturnFileError naming every problem otherwise.

    The bounded reader measures the file first (size, rows, columns, an .xlsx's zip). Checked: the encoding, the column
    titles (csv, xlsx) or the number of items (delimited), each line's reference, account, amount (yuan, at most two
    decimals, more than 0) and status, and the header and totals lines' counts and totals against the details."""
    path = Path(path)
    kinds = ("xlsx",) if layout.format == "xlsx" else ("csv",)
    try:
        kind = uploads.inspect(path, filename, limits, kinds=kinds)
    except uploads.FileProblem as e:
        raise _refused(filename, str(e)) from e
    if kind != kinds[0]:
        wanted = "Excel 工作簿（.xlsx）" if layout.format == "xlsx" else "文本文件"
        found = {"xlsx": "Excel 工作簿", "xls": "Excel 97-2003 工作簿", "parquet": "Parquet 文件"}.get(kind, "文本文件")
        raise _refused(filename, f"文件“{filename}”是{found}，“{layout.label}”的回盘文件应为{wanted}")
    if layout.format == "xlsx":
        got = _Collector(filename, layout)
        _read_table(_xlsx_rows(path, filename), got, numbers=True)
        return got.result()
    wrong = _encoding_problem(path, layout)
    if wrong:
        raise _refused(filename, f"文件“{filename}”{wrong}")
    read = _read_csv if layout.format == "csv" else _read_delimited
    try:  # decoding in C, the whole file
        got = _Collector(filename, layout)
        read(_text_lines(path, layout, got, careful=False), got)
    except UnicodeDecodeError:  # again, a line at a time, to name the lines that do not decode
        got = _Collector(filename, layout)
        read(_text_lines(path, layout, got, careful=True), got)
    return got.result()


def _encoding_name(layout: Layout) -> str:
    return "GBK" if codecs.lookup(layout.encoding).name in ("gbk", "gb18030", "gb2312") else "UTF-8"


def _decoder(layout: Layout) -> str:
    # GB18030 is a superset of GBK: a bank that writes a rare character in it is still read
    return "gb18030" if _encoding_name(layout) == "GBK" else layout.encoding


def _encoding_problem(path: Path, layout: Layout) -> str | None:
    """The file's first 64 KiB against the layout's encoding: a UTF-8 file decodes as GBK without an error (into
    nonsense), so a GBK layout refuses text that is valid UTF-8 with non-ASCII characters in it."""
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
    name = _encoding_name(layout)
    as_utf8 = True
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        as_utf8 = False
    if name == "GBK" and (head.startswith(codecs.BOM_UTF8) or (as_utf8 and not head.isascii())):
        return f"是 UTF-8 编码的文本，“{layout.label}”的回盘文件应为 GBK 编码：请确认是银行返回的原文件，未经另存"
    if name == "UTF-8" and not as_utf8:
        return (f"不是 UTF-8 编码（可能是 GBK 编码），“{layout.label}”的回盘文件应为 UTF-8："
                "请在 Excel 或 WPS 中另存为“CSV UTF-8（逗号分隔）”后再上传")
    return None


def _text_lines(path: Path, layout: Layout, got: _Collector, *, careful: bool) -> Iterator[str]:
    """The file's lines, decoded. Not careful: by the io module (fast; UnicodeDecodeError on a bad byte). Careful: a
    line at a time, and a line that does not decode is a problem of its row."""
    encoding, name = _decoder(layout), _encoding_name(layout)
    if not careful:
        with open(path, encoding=encoding, newline="") as fh:
            yield from fh
        return
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            try:
                yield raw.decode(encoding)
            except UnicodeDecodeError:
                got.add(n, "", f"含有 {name} 编码无法识别的字节（文件应为 {name} 编码）")
                yield raw.decode(encoding, "replace")


def _csv_rows(lines: Iterator[str], got: _Collector) -> Iterator[tuple[int, list]]:
    """(line number, cells) of each CSV record; a malformed record ends the reading as a problem of its line."""
    reader = csv.reader(lines)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as e:  # an unpaired quote runs into the field size limit, for one
        got.add(reader.line_num, "", f"CSV 格式错误（{e}），可能有未配对的引号")


def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, date):
        return v.isoformat()
    return str(v).strip()


def _xlsx_rows(path: Path, filename: str) -> Iterator[tuple[int, list]]:
    try:
        wb = CalamineWorkbook.from_path(str(path))
        ws = wb.get_sheet_by_index(0)
    except BaseException as e:  # calamine's errors, and its panics
        if not parser_failed(e):
            raise
        raise _refused(filename, f"文件“{filename}”无法作为 Excel 工作簿读取，可能已损坏") from None
    try:
        start_row, start_col = ws.start or (0, 0)
        for i, cells in enumerate(ws.iter_rows(), start=start_row + 1):
            yield i, [None] * start_col + list(cells)
    finally:
        wb.close()


def _read_csv(lines: Iterator[str], got: _Collector) -> None:
    _read_table(_csv_rows(lines, got), got)


def _read_table(rows: Iterator[tuple[int, list]], got: _Collector, *, numbers: bool = False) -> None:
    """CSV rows or worksheet rows (`numbers`: cells may be numbers): the column titles (within the first rows),
    details, an optional totals row."""
    spec = got.spec
    titles = {c.title for c in spec.columns}
    needed = [c.title for c in spec.columns if c.field in READ_ORDER]  # in the layout's order
    header_row, header, first = None, None, None
    for n, cells in rows:
        texts = [_cell_text(c) for c in cells]
        if first is None and any(texts):
            first = (n, texts)
        if len(titles & set(texts)) >= 2:
            header_row, header = n, texts
            break
        if n >= HEADER_SEARCH_ROWS:
            break
    if header is None:
        n, texts = first or (1, [])
        for t in needed:
            got.add(n, t, "缺少此列（回盘文件应有：" + "、".join(c.title for c in spec.columns) + "）")
        return
    at = {}
    for i, t in enumerate(header):
        if t in titles:
            if t in at:
                got.add(header_row, t, "列名重复")
            at.setdefault(t, i)
    for t in needed:
        if t not in at:
            got.add(header_row, t, "缺少此列（回盘文件应有：" + "、".join(c.title for c in spec.columns) + "）")
    if got.total_problems:
        return
    order = [f for f in READ_ORDER if f in got.titles]
    index = [at[got.titles[f]] for f in order]
    pick = itemgetter(*index)
    width = max(index) + 1
    mark = spec.totals[0] if spec.totals else None
    totals_row = None
    for n, cells in rows:
        if totals_row is not None:
            if any(_cell_text(c) for c in cells):
                got.add(n, "", "合计行之后还有内容")
            continue
        if len(cells) < width:
            cells = list(cells) + [None] * (width - len(cells))
        first = cells[0]
        if mark is not None and (first.strip() if type(first) is str else _cell_text(first)) == mark:
            totals_row = n
            got.summary(n, [_cell_text(c) for c in cells], spec.totals, "合计行", header)
            continue
        values = [v.strip() if type(v) is str else _cell_text(v) for v in pick(cells)]
        if not any(values) and not any(_cell_text(c) for c in cells):
            continue  # blank line
        reported = set()
        if numbers:
            for f, i in zip(order[:2], index[:2], strict=True):  # reference, account_number
                if isinstance(cells[i], float) and abs(cells[i]) >= 1e15:
                    got.add(n, got.titles[f], "是数字格式，位数已经丢失：请把该列设为文本格式，用银行返回的原文件")
                    reported.add(f)
        got.detail(n, *values, reported=reported)
    if got.details == 0 and got.total_problems == 0:
        got.whole("没有明细记录")
    if totals_row is None and spec.totals and not spec.totals_optional:
        got.whole(f"缺少合计行（以“{mark}”开头）")


def _read_delimited(lines: Iterator[str], got: _Collector) -> None:
    """Records split by the separator: a header record first, detail records, a trailer record last."""
    layout = got.layout
    spec, sep = got.spec, layout.separator
    items = 1 + len(spec.columns)  # the record type, then the columns
    index = {c.field: i + 1 for i, c in enumerate(spec.columns)}
    ref, acct, amt, st, why = (index.get(f) for f in ("reference", "account_number", "amount", "status", "reason"))
    head = spec.header[0] if spec.header else None
    tail = spec.totals[0] if spec.totals else None
    header_line = trailer_at = None
    first = True
    for n, text in enumerate(lines, start=1):
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        cells = text.split(sep)
        tag = cells[0].strip()
        if first and head and tag != head:
            got.add(n, "", f"第一行应为文件头记录（以“{head}{sep}”开头）")
        first = False
        if trailer_at is not None:
            got.add(n, "", "文件尾记录之后还有内容")
        elif head and tag == head:
            if header_line is not None or got.details:
                got.add(n, "", "文件头记录只能在第一行")
            else:
                header_line = (n, cells)
        elif tail and tag == tail:
            trailer_at = n
            _summary_line(got, n, cells, spec.totals, "文件尾记录", sep)
        elif tag != layout.record:
            kinds = "、".join(f"“{t}”" for t in (layout.record, head, tail) if t)
            got.add(n, "", f"记录类型“{tag}”不对（应为 {kinds} 之一）")
        elif len(cells) != items:
            got.add(n, "", f"明细记录应有 {items} 项（以“{sep}”分隔），实有 {len(cells)} 项")
            got.details += 1  # still a detail for the header's and trailer's count; its amount is unknown
            got.sum_known = False
        else:
            got.detail(n, cells[ref].strip(), cells[acct].strip(), cells[amt].strip(), cells[st].strip(),
                       cells[why].strip() if why else "")
    if got.details == 0 and got.total_problems == 0:
        got.whole("没有明细记录")
    if header_line is not None:  # checked last: it counts what follows it
        _summary_line(got, *header_line, spec.header, "文件头记录", sep)
    if tail and trailer_at is None:
        got.whole(f"缺少文件尾记录（以“{tail}{sep}”开头），可能不完整")


def _summary_line(got: _Collector, n: int, cells: list[str], template: tuple[str, ...], what: str, sep: str) -> None:
    if len(cells) != len(template):
        got.add(n, "", f"{what}应有 {len(template)} 项（以“{sep}”分隔），实有 {len(cells)} 项")
    else:
        got.summary(n, [c.strip() for c in cells], template, what)


# --- the return against the file issued --------------------------------------------------------------------------

def check_against(lines: list[ReturnLine], expected: Mapping[str, tuple[int, str]], filename: str, *,
                  layout: Layout | None = None) -> list[Problem]:
    """The return's lines against the disbursement file issued: `expected` maps each issued reference to its (amount in
    fen, account number). Problems, in the return file's order: a reference not issued in that file, an amount or
    account that differs from the issued one, a reference returned twice (naming both rows). An empty list if all agree.

    Rows of the issued file that are missing from the return are not a problem: a bank may return a file in parts, and
    the rows not yet returned stay pending (the caller lists them). Column names come from `layout`'s return columns
    when given. To refuse the file whole on any of these, raise ReturnFileError(filename, problems)."""
    title = {"reference": "业务流水号", "account_number": "账号", "amount": "金额"}
    if layout is not None:
        title = {f: layout.returns.title(f) for f in title}
    problems: list[Problem] = []
    first_row: dict[str, int] = {}
    for line in lines:
        seen = first_row.setdefault(line.reference, line.row)
        if seen != line.row:
            problems.append(Problem(line.row, title["reference"],
                                    f"业务流水号“{line.reference}”在回盘文件“{filename}”中重复：第{seen}行和第{line.row}行"))
            continue
        issued = expected.get(line.reference)
        if issued is None:
            problems.append(Problem(line.row, title["reference"],
                                    f"业务流水号“{line.reference}”不在本次代发文件中（无法对应）"))
            continue
        amount, account = issued
        if line.amount != amount:
            problems.append(Problem(line.row, title["amount"],
                                    f"回盘金额 {yuan(line.amount)} 元与代发金额 {yuan(amount)} 元不符"))
        if line.account_number != account:
            problems.append(Problem(line.row, title["account_number"],
                                    f"回盘账号 {bankcard.mask(line.account_number)} 与代发账号 "
                                    f"{bankcard.mask(account)} 不符"))
    return problems
