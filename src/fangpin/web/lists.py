"""The lists a user filters, sorts and exports (户籍信息, 预警清单, 案件清单, 帮扶措施清单, 帮扶干部名册), each declared once: its title,
filter form, columns, queryset and rows. The list page and the background export job (`exchange.list_exports`) both
read this registry, so a file made later in the worker has the page's columns, filters and order.

Everything here takes the user and the query parameters, never a request: the job runs them again with the user as
they are when it runs (their scope and their capabilities at that moment)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from fangpin.accounts import access
from fangpin.accounts.masking import id_number_for, may_search_by_id_number
from fangpin.lib import divisions, listing
from fangpin.monitoring import selectors as ms
from fangpin.monitoring.models import Case, GuaranteeProblem, Measure, Warning
from fangpin.monitoring.screening import RISK_LABELS
from fangpin.payments import applications as payment_applications
from fangpin.payments import ledger, rounds
from fangpin.payments.models import Application, Payment, PaymentRound, RoundRow
from fangpin.registry import selectors
from fangpin.registry.choices import Category, MonitorType

from .forms import (ApplicationFilterForm, AreaForm, CadreFilterForm, CaseFilterForm, GuaranteeFilterForm, IncomeFlagFilterForm, LedgerFilterForm, MeasureFilterForm,
                    RoundFilterForm, RoundRowFilterForm, SearchForm,
                    WarningFilterForm)

CHUNK = 2000  # rows read (and heads named) at a time when a list is written to a file


def filter_form(user, form_class, data, files=None):
    """A list's filter form with the division picker: county (for a city's or province's users), then its townships,
    then the chosen township's villages (a city has thousands of villages, never one flat list); a village clerk has
    none (the village is the area). A link that names a village or township fills in the units above it. `data`: the
    query (or a POST's)."""
    counties = list(selectors.counties(user=user))
    county = data.get("county", "")
    for key in ("village", "township"):
        if not county and divisions.is_code(data.get(key)):
            county = data[key][:6].ljust(12, "0")
    county = county if divisions.is_code(county) and len(counties) > 1 else ""
    townships = list(selectors.townships(user=user, county=county).select_related("parent"))
    chosen = data.get("township", "")
    if not chosen and divisions.is_code(data.get("village")):
        chosen = divisions.parent_code(data["village"]) or ""
    if not divisions.is_code(chosen) or (county and not chosen.startswith(county[:6])):
        chosen = ""
    if len(townships) == 1:
        chosen = townships[0].code
    data = data.copy()
    if chosen and townships:
        data["township"] = chosen
    if county:
        data["county"] = county
    form = form_class(data or None, files)
    if len(counties) > 1:
        form.fields["county"].choices = [("", "全部")] + [(c.code, c.name) for c in counties]
    else:
        del form.fields["county"]
    form.fields["township"].choices = [("", "全部")] + [
        (t.code, f"{t.parent.name}{t.name}" if len({x.parent_id for x in townships}) > 1 else t.name) for t in townships]
    if not townships:
        del form.fields["township"], form.fields["village"]
    else:
        villages = selectors.villages(user=user).filter(parent_id=chosen) if chosen else []
        form.fields["village"].choices = [("", "全部" if chosen else "（先选乡镇）")] + [(v.code, v.name) for v in villages]
    return form


def filters_text(form, params) -> list[str]:
    """The filters of a list as its Excel file states them: 乡镇：双碾乡；户类别：脱贫户."""
    out = []
    for name, field in form.fields.items():
        value = params.get(name)
        if not value:
            continue
        label = dict(field.choices).get(value, value) if hasattr(field, "choices") else value
        out.append(f"{field.label}：{label}")
    return out


@dataclass(frozen=True)
class ListSpec:
    key: str  # stored on an export job
    title: str
    url_name: str  # the list's page
    capability: str
    columns: list[listing.Column]
    default_sort: str
    form: Callable[[Any, Any], Any]  # (user, query) -> the bound filter form, its choices set for the user
    queryset: Callable[[Any, dict], Any]  # (user, cleaned filters) -> the filtered rows in the user's scope
    rows: Callable[[Any, Iterable], Iterator]  # (user, records) -> the rows as shown (heads named, IDs masked)


@dataclass
class Selection:
    """A list as one user filtered and sorted it: what the page pages through and what an export writes."""
    spec: ListSpec
    user: Any
    form: Any
    params: dict
    queryset: Any  # sorted, the primary key breaking ties
    sort: str  # the sort applied (a column key, "-" for descending)
    filters: list[str]

    def count(self) -> int | None:
        return self.queryset.count()

    def write(self, path: Path, *, limit: int | None = None, progress: Callable[[int], None] | None = None) -> int:
        """Every row of the selection to an Excel file, in the page's order and columns; the number of rows. More
        than `limit` rows (default: what is made while the user waits) raise listing.TooMany."""
        return listing.write_xlsx(path, title=self.spec.title, filters=self.filters, columns=self.spec.columns,
                                  rows=self.spec.rows(self.user, self.queryset.iterator(chunk_size=CHUNK)),
                                  limit=listing.EXPORT_MAX if limit is None else limit, progress=progress, every=CHUNK)


def select(spec: ListSpec, user, query) -> Selection:
    """The list `spec` for `user` with the filters and sort of `query` (a page's GET, or a job's stored parameters).
    Raises PermissionDenied when the user may not read the list."""
    access.require(user, spec.capability)
    form = spec.form(user, query)
    form.is_valid()
    params = getattr(form, "cleaned_data", {})  # the fields that are valid: one bad value drops itself, not the rest
    qs, current = listing.sort(spec.queryset(user, params), spec.columns, query.get("sort", ""), spec.default_sort)
    return Selection(spec=spec, user=user, form=form, params=params, queryset=qs, sort=current,
                     filters=filters_text(form, params))


def area_of(params) -> str:
    """The narrowest unit a list's filter names: its village, else its township, else its county ("": the whole area)."""
    return params.get("village") or params.get("township") or params.get("county") or ""


# 户籍信息 ------------------------------------------------------------------------------------------------------------

def _household_form(user, query):
    form = filter_form(user, SearchForm, query)
    if not may_search_by_id_number(user):
        form.fields["q"].label = "姓名 / 户编号 / 村名"
    form.fields["category"].choices = [("", "全部")] + list(Category.choices)
    form.fields["monitor_type"].choices = [("", "全部")] + list(MonitorType.choices)
    return form


def _household_rows(user, households) -> Iterator[dict]:
    """The list's rows, a chunk at a time (one query for the heads of each chunk); ID numbers as the role may see."""
    for chunk in listing.batches(households, CHUNK):
        yield from _with_heads(user, chunk)


def _with_heads(user, households):
    heads = selectors.household_heads(user=user, households=households) if households else {}
    for h in households:
        head = heads.get(h.pk)
        yield {"household": h, "head": head, "head_id": id_number_for(user, head.id_number) if head else ""}


HOUSEHOLD_COLUMNS = [
    listing.Column("number", "户编号", lambda r: r["household"].number, ("number",), width=20),
    listing.Column("head", "户主", lambda r: r["head"].name if r["head"] else "（无户主）"),
    listing.Column("head_id", "户主身份证号", lambda r: r["head_id"], width=22),
    listing.Column("village", "所在村", lambda r: r["household"].village.parent.name + r["household"].village.name,
                   ("village_id", "number"), width=24),
    listing.Column("category", "户类别", lambda r: r["household"].get_category_display()),
    listing.Column("monitor_type", "监测对象类型", lambda r: r["household"].get_monitor_type_display()),
    listing.Column("size", "人口", lambda r: r["household"].size, num=True, width=8),
    listing.Column("dibao", "低保", lambda r: "是" if r["household"].dibao else "否", width=8),
]

HOUSEHOLDS = ListSpec(
    key="households", title="户籍信息", url_name="household_list", capability="registry.read",
    columns=HOUSEHOLD_COLUMNS, default_sort="village", form=_household_form, rows=_household_rows,
    queryset=lambda user, p: selectors.household_list(user=user, q=p.get("q", ""), village=area_of(p),
                                                      category=p.get("category", ""),
                                                      monitor_type=p.get("monitor_type", ""),
                                                      stage=p.get("stage", "")))


# 动态监测的清单 -------------------------------------------------------------------------------------------------------

def household_cell(h) -> str:
    return f"{h.head_name or '（未登记户主）'}（{h.number}）"


def _named(user, records) -> Iterator:
    """Rows with their households' heads named, a chunk at a time (one query a chunk)."""
    for chunk in listing.batches(records, CHUNK):
        selectors.attach_head_names([x.household for x in chunk])
        yield from chunk


def _village(h) -> str:
    return h.village.parent.name + h.village.name


def _choices(form_class, **fields):
    def build(user, query):
        form = filter_form(user, form_class, query)
        for name, choices in fields.items():
            form.fields[name].choices = [("", "全部"), *choices]
        return form
    return build


WARNING_COLUMNS = [
    listing.Column("deadline", "核实期限", lambda w: w.deadline, ("deadline",), width=12),
    listing.Column("household", "户", lambda w: household_cell(w.household), width=30),
    listing.Column("village", "村", lambda w: _village(w.household), ("household__village_id",), width=22),
    listing.Column("label", "预警类别", lambda w: w.label, width=20),
    listing.Column("risk", "风险类别", lambda w: RISK_LABELS.get(w.risk, w.risk)),
    listing.Column("reason", "预警原因", lambda w: w.reason, width=40),
    listing.Column("status", "状态", lambda w: w.get_status_display()),
    listing.Column("created", "生成时间", lambda w: timezone.localdate(w.created_at), ("created_at",), width=12),
]

WARNINGS = ListSpec(
    key="warnings", title="预警清单", url_name="warning_list", capability="monitoring.read",
    columns=WARNING_COLUMNS, default_sort="deadline", rows=_named,
    form=_choices(WarningFilterForm, status=Warning.Status.choices, risk=list(RISK_LABELS.items())),
    queryset=lambda user, p: ms.warning_list(user=user, area=area_of(p), status=p.get("status", ""),
                                             risk=p.get("risk", "")))

CASE_COLUMNS = [
    listing.Column("due", "当前环节期限", lambda c: c.due, ("due",), width=12),
    listing.Column("number", "案件", lambda c: f"第{c.pk}号", ("id",), width=10),
    listing.Column("household", "户", lambda c: household_cell(c.household), width=30),
    listing.Column("village", "村", lambda c: _village(c.household), ("household__village_id",), width=22),
    listing.Column("kind", "类别", lambda c: c.get_kind_display() + ("（绿色通道）" if c.green else "")),
    listing.Column("state", "环节", lambda c: c.get_state_display()),
    listing.Column("opened", "发起时间", lambda c: timezone.localdate(c.opened_at), ("opened_at",), width=12),
]

CASES = ListSpec(
    key="cases", title="案件清单", url_name="case_list", capability="monitoring.read",
    columns=CASE_COLUMNS, default_sort="due", rows=_named,
    form=_choices(CaseFilterForm, state=[(ms.UNDER_WAY, "办理中（各环节）"), *Case.State.choices],
                  kind=Case.Kind.choices),
    queryset=lambda user, p: ms.case_list(user=user, area=area_of(p), state=p.get("state", ""), kind=p.get("kind", "")))

MEASURE_COLUMNS = [
    listing.Column("start", "开始日期", lambda m: m.start, ("start",), width=12),
    listing.Column("household", "户", lambda m: household_cell(m.household), width=30),
    listing.Column("village", "村", lambda m: _village(m.household), ("household__village_id",), width=22),
    listing.Column("kind", "措施类别", lambda m: m.get_kind_display(), width=14),
    listing.Column("description", "措施内容", lambda m: m.description, width=40),
    listing.Column("benefit", "对应政策", lambda m: m.benefit_label, width=30),
    listing.Column("status", "落实情况", lambda m: m.get_status_display(), width=10),
    listing.Column("end", "完成日期", lambda m: m.end, width=12),
]

MEASURES = ListSpec(
    key="measures", title="帮扶措施清单", url_name="measure_list", capability="monitoring.read",
    columns=MEASURE_COLUMNS, default_sort="-start", rows=_named,
    form=_choices(MeasureFilterForm, kind=Measure.Kind.choices, status=Measure.Status.choices),
    queryset=lambda user, p: ms.measure_list(user=user, area=area_of(p), kind=p.get("kind", ""),
                                             status=p.get("status", "")))


GUARANTEE_COLUMNS = [
    listing.Column("found_on", "发现日期", lambda g: g.found_on, ("found_on",), width=12),
    listing.Column("household", "户", lambda g: household_cell(g.household), width=30),
    listing.Column("village", "村", lambda g: _village(g.household), ("household__village_id",), width=22),
    listing.Column("kind", "保障类别", lambda g: g.get_kind_display(), width=12),
    listing.Column("person", "涉及成员", lambda g: g.person.name if g.person else "全户", width=10),
    listing.Column("description", "问题", lambda g: g.description, width=36),
    listing.Column("source", "来源", lambda g: g.source, width=20),
    listing.Column("measure", "采取的措施", lambda g: g.measure, width=30),
    listing.Column("cleared_on", "清零日期", lambda g: g.cleared_on, ("cleared_on",), width=12),
]

GUARANTEES = ListSpec(
    key="guarantees", title="两不愁三保障和饮水安全问题清单", url_name="guarantee_list", capability="monitoring.read",
    columns=GUARANTEE_COLUMNS, default_sort="-found_on", rows=_named,
    form=_choices(GuaranteeFilterForm, kind=GuaranteeProblem.Kind.choices,
                  status=[("open", "未清零"), ("cleared", "已清零")]),
    queryset=lambda user, p: ms.guarantee_list(user=user, area=area_of(p), kind=p.get("kind", ""),
                                               status=p.get("status", "")))


# 帮扶干部名册 --------------------------------------------------------------------------------------------------------

def unit_label(unit) -> str:
    """A township's or village's name with the unit above it (several townships have villages of the same name)."""
    if unit.level == "village" and unit.parent_id:
        return f"{unit.parent.name}{unit.name}"
    return unit.name


def with_pairings(user, cadres) -> list:
    """The cadres with how many households of the user's area each is the current contact of (one query)."""
    cadres = list(cadres)
    counts = ms.cadre_pairings(cadres, user=user)
    for c in cadres:
        c.households = counts.get(c.pk, 0)
    return cadres


CADRE_COLUMNS = [
    listing.Column("org_unit", "登记区划", lambda c: unit_label(c.org_unit), ("org_unit_id", "name"), width=22),
    listing.Column("name", "姓名", lambda c: c.name, width=10),
    listing.Column("unit", "工作单位及职务", lambda c: c.unit, width=30),
    listing.Column("phone", "联系电话", lambda c: c.phone, width=14),
    listing.Column("active", "名册状态", lambda c: "在册" if c.active else "已移出名册", width=10),
    listing.Column("households", "本辖区现结对户数", lambda c: c.households, num=True, width=12),
]

CADRES = ListSpec(
    key="cadres", title="帮扶干部名册", url_name="cadre_list", capability="monitoring.read",
    columns=CADRE_COLUMNS, default_sort="org_unit", form=_choices(CadreFilterForm),
    rows=lambda user, records: (c for chunk in listing.batches(records, CHUNK) for c in with_pairings(user, chunk)),
    queryset=lambda user, p: ms.cadre_list(user=user, area=area_of(p), active=p.get("active", "")))


# 收入核算：低于标准、边缘、大幅下降的户 --------------------------------------------------------------------------------

def income_year(params) -> int:
    """The year a list of income accounts shows: the one chosen, else last year (the latest a year's income is whole)."""
    return params.get("year") or timezone.localdate().year - 1


def _fell(a) -> str:
    return "大幅下降" if a.sharp_fall else "下降" if a.fell else ""


INCOME_COLUMNS = [
    listing.Column("household", "户", lambda a: household_cell(a.household), width=30),
    listing.Column("village", "村", lambda a: _village(a.household), ("household__village_id", "household__number"),
                   width=22),
    listing.Column("size", "人口", lambda a: a.size, num=True, width=8),
    listing.Column("per_capita", "人均纯收入（元）", lambda a: None if a.per_capita is None else a.per_capita / 100,
                   num=True, width=14),
    listing.Column("line", "监测标准（元）", lambda a: None if a.line is None else a.line / 100, num=True, width=14),
    listing.Column("band", "分档", lambda a: a.get_band_display(), width=18),
    listing.Column("fell", "比上年", lambda a: _fell(a), width=10),
]

INCOME_FLAGS = ListSpec(
    key="income_flags", title="收入核算预警户", url_name="income_flag_list", capability="monitoring.read",
    columns=INCOME_COLUMNS, default_sort="village", rows=_named,
    form=_choices(IncomeFlagFilterForm, flag=list(ms.FLAGS.items())),
    queryset=lambda user, p: ms.income_flag_list(user=user, year=income_year(p), area=area_of(p),
                                                 flag=p.get("flag", "")))

# 政策兑现：批次、批次明细、发放台账 ------------------------------------------------------------------------------------

def _yuan(fen) -> float | None:
    return None if fen is None else fen / 100


ROUND_COLUMNS = [
    listing.Column("number", "批次", lambda r: f"第{r.pk}批", ("id",), width=8),
    listing.Column("title", "批次名称", lambda r: r.title, width=24),
    listing.Column("document", "政策文件", lambda r: r.document_number, width=18),
    listing.Column("area", "兑现范围", lambda r: unit_label(r.area), width=18),
    listing.Column("as_of", "计算日期", lambda r: r.as_of, ("as_of",), width=12),
    listing.Column("kind", "类别", lambda r: r.get_kind_display(), width=14),
    listing.Column("state", "状态", lambda r: r.get_state_display(), width=12),
    listing.Column("rows", "兑现人次", lambda r: r.rows, num=True, width=10),
    listing.Column("amount", "金额（元）", lambda r: _yuan(r.amount), num=True, width=14),
]

ROUNDS = ListSpec(
    key="rounds", title="兑现批次", url_name="round_list", capability="payments.read",
    columns=ROUND_COLUMNS, default_sort="-number", rows=lambda user, records: records,
    form=_choices(RoundFilterForm, state=PaymentRound.State.choices),
    queryset=lambda user, p: rounds.round_list(user=user, area=area_of(p), state=p.get("state", "")))


def _row_cells(user, records) -> Iterator:
    for r in records:
        r.shown_id = (id_number_for(user, r.id_number) if r.id_number else r.credit_code
                      or (f"户编号{r.household_number}" if r.household_number else ""))  # a household's benefit
        yield r


ROUND_ROW_COLUMNS = [
    listing.Column("village", "村", lambda r: unit_label(r.village), ("village_id", "household_number"), width=18),
    listing.Column("payee", "领取人", lambda r: r.payee_name, ("payee_name",), width=12),
    listing.Column("id_number", "身份证号/信用代码", lambda r: r.shown_id, width=22),
    listing.Column("benefit", "兑现项目", lambda r: r.benefit_name, ("benefit_name",), width=22),
    listing.Column("basis", "依据", lambda r: f"{r.round.document_number}第{r.clause}条", width=20),
    listing.Column("amount", "金额（元）", lambda r: _yuan(r.amount), ("amount",), num=True, width=12),
    listing.Column("status", "状态", lambda r: r.get_status_display() + (f"：{r.status_reason}" if r.status_reason
                                                                        else ""), width=20),
    listing.Column("bank_status", "发放状态", lambda r: r.pay.get_status_display() + (
        f"：{r.pay.reason}" if r.pay.reason else ""), width=16),
    listing.Column("explanation", "计算说明", lambda r: r.explanation, width=60),
]

ROUND_ROWS = ListSpec(
    key="round_rows", title="批次明细", url_name="round_rows", capability="payments.read",
    columns=ROUND_ROW_COLUMNS, default_sort="village", rows=_row_cells,
    form=_choices(RoundRowFilterForm, status=RoundRow.Status.choices,
                  bank_status=[("none", "未发放"), *Payment.Status.choices[1:]]),
    queryset=lambda user, p: rounds.row_list(user=user, round_id=p.get("round"), area=area_of(p),
                                             status=p.get("status", ""), bank_status=p.get("bank_status", ""),
                                             q=p.get("q", "")))

LEDGER_COLUMNS = [
    # sorted by the payment's village: the ledger's partial index gives the first page without sorting the area
    listing.Column("village", "村", lambda r: unit_label(r.village), ("payment__village_id", "id"), width=18),
    listing.Column("payee", "领取人", lambda r: r.payee_name, width=12),
    listing.Column("id_number", "身份证号/信用代码", lambda r: r.shown_id, width=22),
    listing.Column("benefit", "兑现项目", lambda r: r.benefit_name, width=22),
    listing.Column("basis", "依据", lambda r: f"{r.round.document_number}第{r.clause}条", width=20),
    listing.Column("year", "年度", lambda r: r.year, width=8),
    listing.Column("round", "批次", lambda r: f"第{r.round_id}批", width=8),
    listing.Column("amount", "金额（元）", lambda r: _yuan(r.amount), num=True, width=12),
    *[listing.Column(level, f"其中{label}（元）", lambda r, level=level: _yuan(ledger.shares(r).get(level)), num=True,
                     width=12) for level, label in (("central", "中央"), ("province", "省级"), ("city", "市级"),
                                                    ("county", "县级"), ("other", "其他来源"))],
    listing.Column("account", "收款账户", lambda r: f"{r.pay.bank} {r.shown_account}", width=28),
    listing.Column("paid_on", "到账日期", lambda r: r.pay.paid_on, width=12),
]


def _ledger_cells(user, records) -> Iterator:
    from fangpin.accounts.masking import account_number_for

    for r in _row_cells(user, records):
        r.shown_account = account_number_for(user, r.pay.account_number)
        yield r


LEDGER = ListSpec(
    key="ledger", title="惠民惠农补贴发放台账", url_name="payment_ledger", capability="payments.read",
    columns=LEDGER_COLUMNS, default_sort="village", rows=_ledger_cells, form=_choices(LedgerFilterForm),
    queryset=lambda user, p: ledger.paid(user, area=area_of(p), year=p.get("year"), benefit=p.get("benefit", "")))

APPLICATION_COLUMNS = [
    listing.Column("number", "申请", lambda a: f"第{a.pk}号", ("id",), width=8),
    listing.Column("village", "村", lambda a: unit_label(a.village), ("village_id", "id"), width=18),
    listing.Column("payee", "申请人", lambda a: a.payee_name, width=12),
    listing.Column("benefit", "申请待遇", lambda a: a.benefit_name, width=22),
    listing.Column("basis", "依据", lambda a: f"{a.document_number}第{a.clause}条", width=20),
    listing.Column("year", "年度", lambda a: a.year, width=8),
    listing.Column("asked", "申请金额（元）", lambda a: _yuan(a.asked), num=True, width=12),
    listing.Column("ceiling", "政策上限（元）", lambda a: _yuan(a.ceiling), num=True, width=12),
    listing.Column("verified", "核实金额（元）", lambda a: _yuan(a.verified), num=True, width=12),
    listing.Column("approved", "审定金额（元）", lambda a: _yuan(a.approved), num=True, width=12),
    listing.Column("state", "状态", lambda a: a.get_state_display(), width=12),
]

APPLICATIONS = ListSpec(
    key="applications", title="兑现申请", url_name="application_list", capability="payments.read",
    columns=APPLICATION_COLUMNS, default_sort="-number", rows=lambda user, records: records,
    form=_choices(ApplicationFilterForm, state=Application.State.choices),
    queryset=lambda user, p: payment_applications.application_list(user=user, area=area_of(p),
                                                                   state=p.get("state", "")))

LISTS: dict[str, ListSpec] = {s.key: s for s in (HOUSEHOLDS, WARNINGS, CASES, MEASURES, GUARANTEES, CADRES, INCOME_FLAGS, ROUNDS,
                                                 ROUND_ROWS, LEDGER, APPLICATIONS)}


# 待遇花名册 of a whole county or city: computed by the engine village by village, only in the background ----------------

ROSTER_COLUMNS = [
    listing.Column("household", "户", lambda r: f"{r['head'] or '（未登记户主）'}（{r['household_number']}）", width=30),
    listing.Column("village", "村", lambda r: r["village"], width=12),
    listing.Column("person", "享受人", lambda r: r["person"], width=10),
    listing.Column("id_number", "身份证号", lambda r: r["id_number"], width=22),
    listing.Column("benefit", "待遇", lambda r: r["benefit"], width=24),
    listing.Column("basis", "依据", lambda r: r["basis"], width=22),
    listing.Column("amount", "金额（元）", lambda r: r["amount"] / 100, num=True, width=12),
    listing.Column("bound", "金额性质", lambda r: ROSTER_BOUNDS.get(r["bound"], "应享额"), width=10),
    listing.Column("explanation", "计算说明", lambda r: r["explanation"], width=60),
]
ROSTER_BOUNDS = {"at_most": "上限（不超过）", "at_least": "下限（不低于）"}


@dataclass
class RosterExport:
    """The benefit roster of an area larger than the page computes (policies.roster.MAX_HOUSEHOLDS households): every
    row with its explanation, then a sheet of totals by benefit and by funding level."""
    user: Any
    area: str
    as_of: dt.date
    filters: list[str]
    title: str = "待遇花名册"

    def count(self) -> int | None:
        return None  # the rows are known only once the engine has run

    def write(self, path: Path, *, limit: int | None = None, progress: Callable[[int], None] | None = None) -> int:
        from fangpin.policies import roster

        totals = roster.Roster(as_of=self.as_of)
        amount: dict[str, float] = {}

        def rows():
            for r in roster.stream(user=self.user, area=self.area, as_of=self.as_of, totals=totals):
                amount["amount"] = amount.get("amount", 0) + r["amount"] / 100
                yield r

        def summary(wb):
            bold = wb.add_format({"bold": True})
            ws = wb.add_worksheet("合计")
            ws.write(0, 0, f"{self.title}合计（计算日期：{self.as_of:%Y-%m-%d}，{totals.households:,} 户）", bold)
            ws.write_row(2, 0, ["待遇", "依据", "笔数", "金额（元）"], bold)
            line = 3
            for b in totals.by_benefit:
                ws.write_row(line, 0, [b["benefit"], b["basis"], b["count"], b["amount"] / 100])
                line += 1
            ws.write_row(line + 1, 0, ["资金来源", "金额（元）"], bold)
            for i, f in enumerate(totals.by_funding):
                ws.write_row(line + 2 + i, 0, [f["funding"], f["amount"] / 100])
            for i, m in enumerate(totals.messages):
                ws.write(line + 3 + len(totals.by_funding) + i, 0, m)

        return listing.write_xlsx(path, title=self.title, filters=self.filters, columns=ROSTER_COLUMNS, rows=rows(),
                                  totals=amount, limit=listing.EXPORT_MAX if limit is None else limit,
                                  progress=progress, every=CHUNK, after=summary)


def roster_export(user, query) -> RosterExport:
    """The background roster for the area and date of `query` (a page's GET, or a job's stored parameters)."""
    from fangpin.policies import entitlements

    access.require(user, "registry.read")
    form = filter_form(user, AreaForm, query)
    params = form.cleaned_data if form.is_valid() else {}
    area = area_of(params) or user.org_unit_id
    try:
        as_of = dt.date.fromisoformat(query.get("as_of", ""))
    except ValueError:
        as_of, _ = entitlements.default_date(area, dt.date.today())
    return RosterExport(user=user, area=area, as_of=as_of,
                        filters=[*filters_text(form, params), f"计算日期：{as_of:%Y-%m-%d}"])


def exporter(key: str, user, query):
    """What a background export job runs for list `key`: a Selection of a registered list, or the roster."""
    if key == "roster":
        return roster_export(user, query)
    spec = LISTS.get(key)
    if spec is None and key.startswith("ledger:"):
        from .ledger_lists import SPECS as LEDGER_SPECS  # built from the lists above

        spec = LEDGER_SPECS.get(key)
    if spec is None:
        raise PermissionDenied("该清单已不能导出")
    return select(spec, user, query)
