"""Department data files (部门数据) for data matching: their formats (feeds.yaml, data) and a reader that turns a CSV,
Excel or Parquet file into one normalized table, or refuses it whole with every problem named by file, row and column.

Normalized table: row (the file's row number), id_number (as written, full-width and spaces cleaned; validity is the
matcher's business, so that a bad ID is reported rather than refused), name, date, code (system code or null), amount
(fen or null). Columns are checked as whole columns with Polars; no Python loop per row.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from python_calamine import CalamineWorkbook

from fangpin.exchange import bounded
from fangpin.exchange.readers import XLS_MAGIC, XLSX_MAGIC, column_letter
from fangpin.lib.uploads import parser_failed
from fangpin.lib.yamldata import CatalogError, line_of
from fangpin.lib.yamldata import load as load_yaml

SPEC_PATH = Path(__file__).with_name("feeds.yaml")
HEADER_SEARCH_ROWS = 10
MAX_LISTED = 200
PARQUET_MAGIC = b"PAR1"

NORMALIZED_SCHEMA = {"row": pl.Int64, "id_number": pl.String, "name": pl.String, "date": pl.Date,
                     "code": pl.String, "amount": pl.Int64}


@dataclass(frozen=True)
class Feed:
    key: str
    department: str
    label: str
    date_header: str
    code_header: str | None = None
    code_values: dict[str, str] = field(default_factory=dict)  # label in the file -> code
    amount_header: str | None = None
    amount_required: bool = False

    @property
    def headers(self) -> dict[str, str]:
        """Normalized key -> header in the file."""
        out = {"id_number": "身份证号", "name": "姓名", "date": self.date_header}
        if self.code_header:
            out["code"] = self.code_header
        if self.amount_header:
            out["amount"] = self.amount_header
        return out

    def code_label(self, code: str) -> str:
        return {v: k for k, v in self.code_values.items()}.get(code, code)


def load_feeds(path: Path = SPEC_PATH) -> dict[str, Feed]:
    data = load_yaml(path)
    feeds = data.get("feeds")
    if not isinstance(feeds, dict) or not feeds:
        raise CatalogError(path, line_of(data), "缺少 feeds")
    out = {}
    for key, f in feeds.items():
        try:
            code, amount = f.get("code") or {}, f.get("amount") or {}
            out[key] = Feed(key=key, department=str(f["department"]), label=str(f["label"]),
                            date_header=str(f["date"]["header"]), code_header=code.get("header"),
                            code_values={str(k): str(v) for k, v in (code.get("values") or {}).items()},
                            amount_header=amount.get("header"), amount_required=bool(amount.get("required", False)))
        except (KeyError, TypeError, AttributeError) as e:
            raise CatalogError(path, line_of(f), f"部门数据格式“{key}”不完整：{e}") from None
        if out[key].code_header and not out[key].code_values:
            raise CatalogError(path, line_of(f), f"部门数据格式“{key}”的取值列没有列出取值")
    return out


FEEDS: dict[str, Feed] = load_feeds()


def feeds_of_department(department: str) -> list[Feed]:
    return [f for f in FEEDS.values() if f.department == department]


@dataclass
class Problem:
    row: int | None
    column: str  # "C（结算日期）" or "" for the file as a whole
    value: str
    message: str

    def text(self, filename: str) -> str:
        where = "".join([f"第{self.row}行" if self.row else "", f"{self.column}列" if self.column else ""])
        shown = f"“{self.value}”" if self.value else ""
        return f"{filename} {where}{shown}：{self.message}"


class FeedError(ValueError):
    """The file is refused; `problems` lists every problem found (the first MAX_LISTED), `total` counts them."""

    def __init__(self, filename: str, problems: list[Problem], total: int | None = None):
        self.filename, self.problems, self.total = filename, problems[:MAX_LISTED], total or len(problems)
        super().__init__("\n".join(p.text(filename) for p in self.problems[:5]))


# --- reading the file as text columns ------------------------------------------------------------------------------

def _kind(path: Path, filename: str) -> str:
    with open(path, "rb") as fh:
        head = fh.read(8)
    if head.startswith(PARQUET_MAGIC):
        return "parquet"
    if head.startswith((XLSX_MAGIC, XLS_MAGIC)):
        return "excel"
    if filename.lower().endswith((".xlsx", ".xls", ".parquet")):
        return "broken"
    return "csv"


def _cell_text(v) -> str | None:
    if v is None or v == "":
        return None
    if isinstance(v, float):
        return repr(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _text_frame(path: Path, filename: str, feed: Feed) -> tuple[pl.DataFrame, int, dict[str, str]]:
    """(all-text frame keyed by the file's headers, row number of the first data row, header -> column letter)."""
    kind = _kind(path, filename)
    wanted = set(feed.headers.values())
    if kind == "broken":
        raise FeedError(filename, [Problem(None, "", "", "文件已损坏或不是所声明的格式")])
    try:  # the bounded reader: sizes, rows, columns, a workbook's cells and zip, a Parquet footer and pages
        bounded.check(path, filename, kinds=("xlsx", "parquet", "csv"))
    except bounded.FileProblem as e:
        raise FeedError(filename, [Problem(None, "", "", str(e))]) from None
    if kind == "parquet":
        try:
            frame = pl.read_parquet(path)
            # Parquet may name columns by the normalized keys instead of the Chinese headers.
            frame = frame.rename({k: h for k, h in feed.headers.items() if k in frame.columns and h not in frame.columns})
            frame = frame.select([pl.col(c).cast(pl.String) for c in frame.columns])
        except BaseException as e:  # Polars' errors (a damaged file, a nested column), and its panics
            if not parser_failed(e):
                raise
            raise FeedError(filename, [Problem(None, "", "", "无法读取该 Parquet 文件，可能已损坏或含有嵌套的列")]) from None
        return frame, 1, {c: column_letter(i) for i, c in enumerate(frame.columns)}
    if kind == "excel":
        try:
            sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        except BaseException as e:  # calamine raises several kinds for a damaged workbook, and may panic
            if not parser_failed(e):
                raise
            raise FeedError(filename, [Problem(None, "", "", "无法读取该 Excel 文件")]) from None
        header_at = next((i for i, r in enumerate(sheet[:HEADER_SEARCH_ROWS])
                          if len(wanted & {str(c).strip() for c in r}) >= 2), 0)
        headers = [str(c).strip() for c in sheet[header_at]] if sheet else []
        body = sheet[header_at + 1:]
        columns = {}
        for i, h in enumerate(headers):
            if h in wanted and h not in columns:
                columns[h] = pl.Series(h, [_cell_text(r[i]) if i < len(r) else None for r in body], dtype=pl.String)
        return pl.DataFrame(list(columns.values())), header_at + 2, {
            h: column_letter(headers.index(h)) for h in columns}
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise FeedError(filename, [Problem(None, "", "", "无法识别文件编码（应为 UTF-8 或 GBK 的 CSV）")]) from None
    try:
        frame = pl.read_csv(text.encode(), infer_schema=False, truncate_ragged_lines=False)
    except BaseException as e:  # polars' parse errors have no common base we can rely on; it may panic
        if not parser_failed(e):
            raise
        raise FeedError(filename, [Problem(None, "", "", f"CSV 格式错误：{str(e).splitlines()[0]}")]) from None
    frame = frame.rename({c: c.strip() for c in frame.columns})
    return frame, 2, {c: column_letter(i) for i, c in enumerate(frame.columns)}


# --- column checks -------------------------------------------------------------------------------------------------

_FULL_WIDTH = [chr(0xFF10 + i) for i in range(10)] + ["Ｘ", "ｘ"]
_HALF_WIDTH = [str(i) for i in range(10)] + ["X", "X"]


def clean_id(expr: pl.Expr) -> pl.Expr:
    """Full-width digits and X to ASCII, spaces out, upper case: how IDs arrive from other systems."""
    return expr.str.replace_many(_FULL_WIDTH, _HALF_WIDTH).str.replace_all(r"\s", "").str.to_uppercase()


def parse_date(expr: pl.Expr) -> pl.Expr:
    s = expr.str.strip_chars().str.replace(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", "")
    s = s.str.replace(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", "${1}-${2}-${3}").str.replace_all("/", "-")
    s = s.str.replace(r"^(\d{4})(\d{2})(\d{2})$", "${1}-${2}-${3}")
    s = s.str.replace(r"^(\d{4})-(\d)-", "${1}-0${2}-").str.replace(r"^(\d{4}-\d{2})-(\d)$", "${1}-0${2}")
    return s.str.to_date("%Y-%m-%d", strict=False)


def parse_fen(expr: pl.Expr) -> pl.Expr:
    """'1,234.5元' -> 123450; anything that is not a non-negative amount with at most two decimals -> null."""
    s = expr.str.strip_chars().str.replace_all(r"[,，\s]", "").str.strip_suffix("元")
    ok = s.str.contains(r"^\d{1,13}(\.\d{0,2})?$")
    whole = s.str.extract(r"^(\d+)", 1).cast(pl.Int64)
    frac = s.str.extract(r"\.(\d{0,2})$", 1).fill_null("").str.pad_end(2, "0").cast(pl.Int64)
    return pl.when(ok).then(whole * 100 + frac).otherwise(None)


def read(path: Path, filename: str, feed: Feed, *, today: dt.date | None = None,
         month: dt.date | None = None) -> pl.DataFrame:
    """The file as the normalized table, or FeedError naming every bad cell (file, row, column, value, why). A monthly
    increment (`month`, its first day) holds only that month's rows."""
    today = today or dt.date.today()
    frame, first_row, letters = _text_frame(Path(path), filename, feed)
    required = {k: h for k, h in feed.headers.items() if k != "amount" or feed.amount_required}
    missing = [h for h in required.values() if h not in frame.columns]
    if missing:
        raise FeedError(filename, [Problem(None, h, "", f"缺少“{h}”列（{feed.label}应有：{'、'.join(feed.headers.values())}）")
                                   for h in missing])
    h = feed.headers
    frame = frame.with_row_index("row", offset=first_row).with_columns(pl.col("row").cast(pl.Int64))
    # Blank lines at the end of a sheet are not rows.
    frame = frame.filter(pl.any_horizontal([pl.col(c).is_not_null() & (pl.col(c).str.strip_chars() != "")
                                            for c in h.values() if c in frame.columns]))
    values = {
        "id_number": clean_id(pl.col(h["id_number"])),
        "name": pl.col(h["name"]).str.strip_chars(),
        "date": parse_date(pl.col(h["date"])),
        "code": (pl.col(h["code"]).str.strip_chars().replace_strict(
            {**feed.code_values, **{v: v for v in feed.code_values.values()}}, default=None)
            if "code" in h else pl.lit(None, pl.String)),
        "amount": parse_fen(pl.col(h["amount"])) if "amount" in h and h["amount"] in frame.columns
        else pl.lit(None, pl.Int64),
    }
    checks = [  # (key, failed, message)
        ("id_number", values["id_number"].fill_null("") == "", "身份证号为空"),
        ("name", values["name"].fill_null("") == "", "姓名为空"),
        ("date", values["date"].is_null(), "日期无法识别（应如 2025-03-01）"),
        ("date", values["date"] > pl.lit(today), "日期晚于今天"),
    ]
    if month is not None:
        checks.append(("date", values["date"].dt.truncate("1mo") != pl.lit(month),
                       f"日期不在所报的{month:%Y年%m月}内（月度增量只含该月的记录）"))
    if "code" in h:
        checks.append(("code", values["code"].is_null(),
                       f"取值不在规定范围内（应为：{'、'.join(feed.code_values)}）"))
    if "amount" in h and h["amount"] in frame.columns:
        blank = pl.col(h["amount"]).fill_null("").str.strip_chars() == ""
        checks.append(("amount", values["amount"].is_null() & (~blank if not feed.amount_required else pl.lit(True)),
                       "金额应为不小于0的数，最多两位小数（元）"))
    flagged = frame.select(pl.col("row"), *[pl.col(h[k]).alias(f"v{i}") for i, (k, _, _) in enumerate(checks)],
                           *[failed.fill_null(False).alias(f"f{i}") for i, (_, failed, _) in enumerate(checks)])
    problems, total = [], 0
    for i, (key, _, message) in enumerate(checks):
        bad = flagged.filter(pl.col(f"f{i}"))
        total += bad.height
        for r in bad.head(MAX_LISTED).iter_rows(named=True):
            problems.append(Problem(r["row"], f"{letters.get(h[key], '')}（{h[key]}）", r[f"v{i}"] or "", message))
    if total:
        problems.sort(key=lambda p: (p.row or 0, p.column))
        raise FeedError(filename, problems, total)
    out = frame.select(pl.col("row"), **values)
    return out.cast(NORMALIZED_SCHEMA)  # type: ignore[arg-type]


def feeds_markdown() -> str:
    """docs/department-feeds.md, generated from feeds.yaml and rules.yaml (`fangpin exchange_files`)."""
    from fangpin.exchange.docs import limits_markdown

    from .screening import RISK_LABELS, RULES

    lines = ["# 部门数据文件格式（信息比对）", "",
             "由 `src/fangpin/monitoring/feeds.yaml` 和 `rules.yaml` 生成（`fangpin exchange_files`），请勿手改。",
             "文件可为 CSV（UTF-8 或 GBK）、Excel .xlsx（第一个工作表，表头上方可有标题行；.xls 请另存为 .xlsx）"
             "或 Parquet（列名用中文表头或英文键名）。",
             "日期写作 2025-03-01、2025/3/1、20250301 或 2025年3月1日；金额以元为单位，最多两位小数。", "",
             "## 文件的上限", "",
             "每个文件先量过再读：超过下列任一上限的文件整份不接收，提示写明文件名和所超的上限，例如：文件“医保.csv”有 "
             "5,000,001 行数据，超过上限 5,000,000 行。上限可在设置 `UPLOAD_LIMITS` 中调整，详见"
             "[交换格式的“文件的上限”](exchange-format.md#文件的上限)。默认值：", "",
             limits_markdown()]
    for f in FEEDS.values():
        lines += [f"## {f.department}：{f.label}（`{f.key}`）", "", "| 列 | 键名 | 必填 | 说明 |", "|---|---|---|---|",
                  "| 身份证号 | id_number | 是 | 18位；无效或与户籍不符的行在比对时列出，不匹配到户 |",
                  "| 姓名 | name | 是 | 与户籍姓名核对 |", f"| {f.date_header} | date | 是 | 不晚于上传当天 |"]
        if f.code_header:
            lines.append(f"| {f.code_header} | code | 是 | {'、'.join(f.code_values)} |")
        if f.amount_header:
            lines.append(f"| {f.amount_header} | amount | {'是' if f.amount_required else '否'} | 元 |")
        rules = [r for r in RULES.rules if r.feed == f.key]
        if rules:
            lines += ["", "预警规则："]
            for r in rules:
                codes = "、".join(f.code_label(c) for c in r.codes) or "全部记录"
                sums = f"，{'同户' if r.per == 'household' else '本人'}{'全年' if r.window == 'year' else '同日'}金额合计达到" \
                       f"{r.at_least // 100}元" if r.at_least is not None else ""
                lines.append(f"- {r.label}（`{r.id}`，{RISK_LABELS[r.risk]}）：{codes}{sums}；村级{r.days}天内核实")
        lines.append("")
    return "\n".join(lines)
