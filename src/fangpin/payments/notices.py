"""A village's public notice of a round (公示): who gets what and by which clause, for the board and the village's
group chat. A notice is public: ID numbers and account numbers are masked whoever prints it (never by role)."""
from __future__ import annotations

import datetime as dt
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.core.exceptions import PermissionDenied

from fangpin.accounts import access
from fangpin.lib import bankcard, bulkwrite, divisions, idnumber
from fangpin.registry.models import Household

from .models import PayeeAccount, PaymentRound, RoundNotice, RoundRow


@dataclass
class Notice:
    round: PaymentRound
    notice: RoundNotice
    village_name: str
    township_name: str
    rows: list[dict] = field(default_factory=list)
    total: int = 0

    @property
    def committee(self) -> str:
        """Who signs the notice: the village committee (a division name may already end in 村委会 or 居委会)."""
        name = self.village_name
        return name if name.endswith(("委会", "委员会")) else f"{name}村民委员会"

    @property
    def title(self) -> str:
        return f"{self.township_name}{self.village_name}{self.round.year}年度政策兑现公示（{self.round.document_number}）"


def notice_for(user, rnd: PaymentRound, village: str) -> Notice:
    """The village's notice: its rows in the roster, masked, with the notice period."""
    access.require(user, "payments.read")
    access.require_area(user, village, "该村不在您的管辖范围内")
    notice = RoundNotice.objects.select_related("village", "village__parent").filter(round=rnd, village_id=village).first()
    if notice is None:
        raise PermissionDenied("该批次在此村没有兑现名单")
    rows = list(RoundRow.objects.filter(round=rnd, village_id=village, status=RoundRow.Status.INCLUDED)
                .select_related("household").order_by("household_number", "id"))
    members = {r.member_id for r in rows if r.member_id}
    heads = {r.household_id for r in rows if r.household_id and not r.member_id}
    accounts = {a.member_id: a for a in PayeeAccount.objects.filter(until__isnull=True, member_id__in=members)}
    head_accounts = {a.member.household_id: a for a in PayeeAccount.objects.filter(
        until__isnull=True, member__household_id__in=heads, member__relation="head").select_related("member")}
    out = Notice(round=rnd, notice=notice, village_name=notice.village.name,
                 township_name=notice.village.parent.name if notice.village.parent else "")
    for i, r in enumerate(rows, 1):
        account = accounts.get(r.member_id) if r.member_id else head_accounts.get(r.household_id)
        out.rows.append({
            "no": i, "name": r.payee_name, "address": r.household.address if r.household else "",
            "id_number": idnumber.mask(r.id_number) if r.id_number else "",
            "benefit": r.benefit_name, "basis": f"{rnd.document_number}第{r.clause}条", "amount": r.amount,
            "account": f"{account.bank} {bankcard.mask(account.account_number)}" if account else "（未登记收款账户）",
        })
        out.total += r.amount
    return out


COLUMNS = (("no", "序号", 6), ("name", "姓名", 10), ("address", "住址（村民小组）", 18), ("id_number", "身份证号", 22),
           ("benefit", "兑现项目", 22), ("basis", "政策依据", 22), ("amount", "金额（元）", 12), ("account", "收款账户", 28))


def footer(n: Notice) -> list[str]:
    return [f"公示期：{n.notice.start:%Y年%m月%d日}至{n.notice.end:%Y年%m月%d日}（{n.round.notice_days}天）。",
            "公示期内如有异议，请向村委会或乡镇人民政府反映。", f"合计：{len(n.rows)}笔，{n.total / 100:,.2f}元。"]


def write_xlsx(n: Notice, path: Path) -> None:
    frame = pl.DataFrame({key: [r[key] for r in n.rows] for key, _, _ in COLUMNS},
                         schema={key: pl.Int64 if key in ("no", "amount") else pl.String for key, _, _ in COLUMNS})
    _write_notice(path, n.title, frame, footer(n) + ["", f"制表：{n.township_name}{n.committee}    "
                                                         f"{dt.date.today():%Y年%m月%d日}"])


# --- every village's notice at once ----------------------------------------------------------------------------------
#
# A county's round has a million rows in two thousand villages: one query for the rows and one for the accounts, the
# masks applied column-wise, and each village's sheet written as XML by Polars (inline strings, the layout and styles
# write_xlsx always had), zipped at a fast level. XlsxWriter's cell-by-cell API took about as long as everything else
# in the round together.

WRITERS = 2


def write_all(user, rnd: PaymentRound, directory: Path) -> tuple[int, int]:
    """Every village's notice of the round as .xlsx in `directory` (<round>-<village>.xlsx), for the villages in the
    user's area: (notices written, rows)."""
    access.require(user, "payments.read")
    prefix = access.user_prefix(user)
    round_prefix = divisions.prefix(rnd.area_id)
    if not (prefix.startswith(round_prefix) or round_prefix.startswith(prefix)):
        raise PermissionDenied("该批次不在您的管辖范围内")
    Path(directory).mkdir(parents=True, exist_ok=True)
    notices_ = list(RoundNotice.objects.filter(round=rnd).filter(access.subtree("village_id", prefix)).select_related(
        "village", "village__parent"))
    if not notices_:
        return 0, 0
    # the rows by the round's index, the addresses by the households' village index, joined and sorted by Polars:
    # no plan of the database's to go wrong on a round just written
    rows = bulkwrite.read_frame(
        RoundRow.objects.filter(round=rnd, status=RoundRow.Status.INCLUDED).filter(
            access.subtree("village_id", prefix)).order_by(),
        {"id": pl.Int64, "village_id": pl.String, "member_id": pl.Int64, "household_id": pl.Int64,
         "payee_name": pl.String, "household_number": pl.String, "id_number": pl.String, "benefit_name": pl.String,
         "clause": pl.Int64, "amount": pl.Int64})
    area = max(prefix, divisions.prefix(rnd.area_id), key=len)
    addresses = bulkwrite.read_frame(Household.objects.filter(access.subtree("village_id", area)).order_by(),
                                     {"id": pl.Int64, "address": pl.String}).rename(
        {"id": "household_id", "address": "household__address"})
    rows = rows.join(addresses, on="household_id", how="left").sort("village_id", "household_number", "id",
                                                                     nulls_last=True)
    current = PayeeAccount.objects.filter(until__isnull=True, member__isnull=False).filter(
        access.subtree("member__household__village_id", divisions.prefix(rnd.area_id)))
    accounts = bulkwrite.read_frame(current.order_by(), {"member_id": pl.Int64, "member__household_id": pl.Int64,
                                                         "member__relation": pl.String, "bank": pl.String,
                                                         "account_number": pl.String})
    accounts = accounts.with_columns(pl.concat_str([pl.col("bank"), pl.lit(" "), bankcard.mask_series(
        accounts["account_number"])]).alias("account"))
    by_member = accounts.select("member_id", pl.col("account").alias("_ma"))
    by_head = accounts.filter(pl.col("member__relation") == "head").select(
        pl.col("member__household_id").alias("household_id"), pl.col("account").alias("_ha")).unique(
        "household_id", keep="last")
    rows = rows.join(by_member, on="member_id", how="left", maintain_order="left").join(
        by_head, on="household_id", how="left", maintain_order="left")
    masked = idnumber.mask_series(rows["id_number"])
    rows = rows.select(
        "village_id",
        (pl.int_range(pl.len()).over("village_id") + 1).alias("no"),
        pl.col("payee_name").alias("name"),
        pl.col("household__address").fill_null("").alias("address"),
        masked.alias("id_number"),
        pl.col("benefit_name").alias("benefit"),
        pl.format("{}第{}条", pl.lit(rnd.document_number), pl.col("clause")).alias("basis"),
        "amount",
        pl.when(pl.col("member_id").is_not_null()).then(pl.col("_ma")).otherwise(pl.col("_ha"))
        .fill_null("（未登记收款账户）").alias("account"),
    )
    by_village = rows.partition_by("village_id", as_dict=True, include_key=False)
    today = dt.date.today()

    def write(notice: RoundNotice) -> int:
        frame = by_village.get((notice.village_id,), rows.clear().drop("village_id"))
        n = Notice(round=rnd, notice=notice, village_name=notice.village.name,
                   township_name=notice.village.parent.name if notice.village.parent else "")
        n.total = int(frame["amount"].sum() or 0)
        n.rows = range(frame.height)  # footer() counts them
        _write_notice(Path(directory) / f"{rnd.pk}-{notice.village_id}.xlsx", n.title, frame,
                      footer(n) + ["", f"制表：{n.township_name}{n.committee}    {today:%Y年%m月%d日}"])
        return frame.height

    # Polars and zlib work outside the GIL: two threads keep both cores busy
    with ThreadPoolExecutor(WRITERS) as pool:
        counts = list(pool.map(write, notices_))
    return len(counts), sum(counts)


_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
<numFmts count="1"><numFmt numFmtId="164" formatCode="#,##0.00"/></numFmts>\
<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="14"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>\
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>\
<fill><patternFill patternType="solid"><fgColor rgb="FFEEF2F7"/><bgColor indexed="64"/></patternFill></fill></fills>\
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>\
<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>\
<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>\
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>\
<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="0" fontId="2" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1"/>\
<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1"/>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1"/></cellXfs>\
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"""
_PARTS = {
    "[Content_Types].xml": """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
<Default Extension="xml" ContentType="application/xml"/>\
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
</Types>""",
    "_rels/.rels": """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>\
</Relationships>""",
    "xl/workbook.xml": """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">\
<sheets><sheet name="公示" sheetId="1" r:id="rId1"/></sheets></workbook>""",
    "xl/_rels/workbook.xml.rels": """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>\
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>\
</Relationships>""",
    "xl/styles.xml": _STYLES,
}
_LETTERS = "ABCDEFGH"


def _escape(text: str) -> str:
    return re.sub(_CONTROL, "", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_cell(ref: str, text: str, style: int) -> str:
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{_escape(text)}</t></is></c>'


def _write_notice(path: Path, title: str, frame: pl.DataFrame, footer_lines: list[str]) -> None:
    """One notice's workbook: the title (row 1), the column titles (row 3), the rows from row 4, the footer below."""
    out = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
           '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cols>']
    out += [f'<col min="{j}" max="{j}" width="{w}" customWidth="1"/>' for j, (_, _, w) in enumerate(COLUMNS, 1)]
    out.append(f'</cols><sheetData><row r="1">{_text_cell("A1", title, 1)}</row><row r="3">')
    out += [_text_cell(f"{_LETTERS[j]}3", header, 2) for j, (_, header, _) in enumerate(COLUMNS)]
    out.append("</row>")
    if frame.height:
        r = (pl.int_range(pl.len()) + 4).cast(pl.String)
        cells = []
        for j, (key, _, _) in enumerate(COLUMNS):
            ref = pl.lit(f'<c r="{_LETTERS[j]}') + r
            if key in ("no", "amount"):
                value = (pl.col(key) / 100 if key == "amount" else pl.col(key)).cast(pl.String)
                cells.append(ref + pl.lit(f'" s="{4 if key == "amount" else 3}"><v>') + value + pl.lit("</v></c>"))
            else:
                text = (pl.col(key).fill_null("").str.replace_all(_CONTROL, "").str.replace_all("&", "&amp;", literal=True)
                        .str.replace_all("<", "&lt;", literal=True).str.replace_all(">", "&gt;", literal=True))
                cells.append(ref + pl.lit('" s="3" t="inlineStr"><is><t xml:space="preserve">') + text
                             + pl.lit("</t></is></c>"))
        xml = frame.select(pl.concat_str([pl.lit('<row r="') + r + pl.lit('">'), *cells, pl.lit("</row>")])
                           .str.join("").alias("x")).item()
        out.append(xml)
    at = 3 + frame.height + 1 + 1  # one empty row after the table, as before (1-based)
    for k, line in enumerate(footer_lines):
        if line:
            out.append(f'<row r="{at + k}">{_text_cell(f"A{at + k}", line, 0)}</row>')
    out.append("</sheetData></worksheet>")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in _PARTS.items():
            z.writestr(name, text)
        z.writestr("xl/worksheets/sheet1.xml", "".join(out))
