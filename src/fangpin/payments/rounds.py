"""Payment rounds (兑现批次): computed by the engine over the registry, frozen, noticed per village, corrected only
with a reason (and noticed again), reviewed by the township and approved by the county (payments.approval).

A round's amounts are the engine's to the fen: `compute` evaluates the document's chosen benefits once over the
area's frames (policies.registry_frames), exactly as `fangpin evaluate` evaluates an exchange file of the same rows.
Each row keeps its explanation and the registry facts it used (the household's and the person's input row), so a
later registry change never changes a round by itself: `differences` shows it and `pull_in` brings it in as a
correction with a reason.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from functools import cache
from pathlib import Path

import polars as pl
import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import CharField, Count, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from fangpin.accounts import access
from fangpin.lib import bulkwrite, divisions
from fangpin.orgunits.models import OrgUnit
from fangpin.policies import engine, parameters, registry_frames, tables
from fangpin.policies.catalog import Document

from .models import Objection, Payment, PaymentRound, RoundEvent, RoundNotice, RoundPart, RoundRow

log = logging.getLogger(__name__)
RULES_PATH = Path(__file__).with_name("rules.yaml")
PAYABLE_BOUNDS = (None, "exact", "at_least")  # "at most" amounts are paid on an approved application, not by a round


@cache
def rules() -> dict:
    data = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    if not isinstance(data.get("notice_days"), int) or data["notice_days"] < 1:
        raise ValueError(f"{RULES_PATH}: notice_days 须为正整数")
    return data


def _event(rnd: PaymentRound, user, action: str, label: str, *, part=None, row=None, source="", target="",
           reason="") -> None:
    RoundEvent.objects.create(round=rnd, part=part, row=row, action=action, label=label, from_state=source,
                              to_state=target, user=user, reason=reason)


# --- what a round may pay --------------------------------------------------------------------------------------------

def payable_benefits(doc: Document) -> list:
    """The document's benefits a round pays: those with an amount the engine fixes, then those paid "up to" an
    amount on approved applications (a round of their own)."""
    return ([b for b in doc.benefits if b.amount.bound in PAYABLE_BOUNDS]
            + [b for b in doc.benefits if b.amount.bound not in PAYABLE_BOUNDS])


def on_application(doc: Document, benefit_ids: list[str]) -> bool:
    return any(b.id in benefit_ids and b.amount.bound not in PAYABLE_BOUNDS for b in doc.benefits)


def _chosen(doc: Document, benefit_ids: list[str]) -> Document:
    """The document with only the chosen benefits; a benefit not combined with another (不重复享受) needs the other
    in the same round, or a payee could be paid the lower one here and the higher one later."""
    known = {b.id: b for b in doc.benefits}
    unknown = [b for b in benefit_ids if b not in known]
    if unknown or not benefit_ids:
        raise ValidationError({"benefits": "请选择本文件的兑现项目" + (f"（无此项目：{'、'.join(unknown)}）" if unknown else "")})
    on_application = [b for b in benefit_ids if known[b].amount.bound not in PAYABLE_BOUNDS]
    if on_application and len(on_application) != len(benefit_ids):
        names = "、".join(known[b].name for b in on_application)
        raise ValidationError({"benefits": f"{names}是“最高不超过”的待遇，按审定的申请兑现，须单独成批"})
    chosen = set(benefit_ids)
    for group in doc.exclusive_groups():
        if chosen & group and not group <= chosen:
            names = "、".join(known[g].name for g in sorted(group))
            raise ValidationError({"benefits": f"{names}不重复享受（按较高者计），须在同一批次中兑现"})
    return dataclasses.replace(doc, benefits=tuple(b for b in doc.benefits if b.id in chosen))


def county_of(code: str) -> str:
    return divisions.prefix(code)[:6].ljust(12, "0")


# --- creating and computing ------------------------------------------------------------------------------------------

def create(user, *, title: str, document_id: str, benefit_ids: list[str], as_of: dt.date, area: str,
           run=None) -> PaymentRound:
    """A county bureau starts a round; the worker computes it (`compute`). `area` is the county or a township or
    village of it, inside the user's area."""
    access.require(user, "payments.manage")
    unit = OrgUnit.objects.filter(code=area).first()
    if unit is None or unit.level not in ("county", "township", "village"):
        raise ValidationError({"area": "请选择县、乡镇或村"})
    access.require_area(user, unit.code, "兑现范围不在您的管辖范围内")
    doc = parameters.catalog_with_overrides().get(document_id)
    if doc is None:
        raise ValidationError({"document": "请选择政策文件"})
    if not doc.touches(unit.code):
        raise ValidationError({"document": f"{doc.number}不适用于{unit.name}"})
    note = engine.out_of_force(doc, as_of)
    if note:
        raise ValidationError({"as_of": note})
    _chosen(doc, benefit_ids)
    kind = _year_end_check(doc, benefit_ids, as_of, unit)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "请填写批次名称"})
    rnd = PaymentRound.objects.create(
        title=title[:100], kind=kind, county_id=county_of(unit.code), area=unit, document_id=doc.id, document_number=doc.number,
        benefit_ids=list(benefit_ids), as_of=as_of, year=as_of.year, notice_days=rules()["notice_days"],
        created_by=user)
    _event(rnd, user, "create", "创建批次", target=rnd.state)
    if run is None:
        from .tasks import run_round as run
        transaction.on_commit(lambda: run.enqueue(rnd.pk))
    else:
        run(rnd.pk)
    return rnd


def _year_end_check(doc: Document, benefit_ids: list[str], as_of: dt.date, unit: OrgUnit) -> str:
    """The round's kind. A year-end gap payment (第30条: 每年年底……对差额进行补偿) is a round of its own, on 31 December
    of the year, after the year's income accounting has run for the area: its amounts are the households' own income
    figures against the year's line, and those figures must have been accounted first."""
    if on_application(doc, benefit_ids):
        return PaymentRound.Kind.APPLICATION
    gaps = [b for b in doc.benefits if b.id in benefit_ids and b.amount.kind == "gap"]
    if not gaps:
        return PaymentRound.Kind.ENTITLEMENT
    if len(gaps) != len(benefit_ids):
        raise ValidationError({"benefits": "年终收入差额补偿单独成批兑现，不与其他项目同批"})
    if as_of != dt.date(as_of.year, 12, 31):
        raise ValidationError({"as_of": f"年终收入差额补偿按年底计算：计算日期应为{as_of.year}年12月31日"})
    if as_of >= timezone.localdate():
        raise ValidationError({"as_of": f"{as_of.year}年尚未结束，年终收入差额补偿须在年度结束、收入核算之后兑现"})
    from fangpin.monitoring.models import IncomeAccount

    accounted = IncomeAccount.objects.filter(access.subtree("household__village_id", divisions.prefix(unit.code)),
                                             year=as_of.year)
    if not accounted.exists():
        raise ValidationError({"as_of": f"{unit.name}{as_of.year}年的收入尚未核算：请先在“收入核算”完成全面核算，再兑现年终收入差额补偿"})
    return PaymentRound.Kind.GAP


def compute(round_id: int) -> None:
    """The worker's step: evaluate, freeze the rows, open the notices. A failure leaves the round FAILED with the
    reason and no rows."""
    rnd = PaymentRound.objects.select_related("created_by", "area").get(pk=round_id)
    if rnd.state != PaymentRound.State.COMPUTING:
        return
    try:
        with transaction.atomic():
            _compute(rnd)
    except (ValidationError, ValueError, PermissionDenied) as e:
        message = "；".join(e.messages) if isinstance(e, ValidationError) else str(e)
        PaymentRound.objects.filter(pk=rnd.pk).update(state=PaymentRound.State.FAILED, error=message[:2000])
    except Exception:
        log.exception("payment round %s failed", rnd.pk)
        PaymentRound.objects.filter(pk=rnd.pk).update(state=PaymentRound.State.FAILED,
                                                      error="计算失败：系统错误，请联系管理员")


def evaluate_area(user, doc: Document, area: str, as_of: dt.date, *, granted: pl.DataFrame | None = None):
    """(frames, evaluation) of the document over the registry's rows under `area` on `as_of`."""
    frames = registry_frames.area_frames(user=user, area=area, year=as_of.year)
    built, unreadable = tables.build_frames(frames, year=as_of.year, as_of=as_of)
    ev = engine.evaluate(doc, built, as_of=as_of, granted=granted)
    ev.messages += [f"{u.sheet}第{u.row}行（{u.key}）：{u.reason}" for u in unreadable]
    return frames, ev


def _granted(doc: Document, year: int) -> pl.DataFrame:
    """Earlier years' payments of the document's one-time benefits (held rows: paid, or approved and pending), for
    the engine's 不重复享受 across years."""
    once = [b.id for b in doc.benefits if b.once_per == "period"]
    rows = RoundRow.objects.filter(payment__held=True, benefit_id__in=once, year__lt=year).values_list(
        "benefit_id", "household_number", "id_number", "credit_code", "year")
    schema = {"benefit_id": pl.String, "household_number": pl.String, "id_number": pl.String,
              "credit_code": pl.String, "year": pl.Int64}
    frame = pl.DataFrame(list(rows), schema=schema, orient="row")
    return frame.with_columns(pl.when(pl.col(c) != "").then(pl.col(c)).alias(c)
                              for c in ("household_number", "id_number", "credit_code"))


def slot_columns(doc: Document, results: pl.DataFrame) -> pl.DataFrame:
    """Each result row's slot: payee key, period and occurrence (see RoundRow)."""
    once = {b.id: f"P{doc.effective_from:%Y%m%d}" for b in doc.benefits if b.once_per == "period"}
    frame = results.with_columns(
        pl.when(pl.col("credit_code").is_not_null() & pl.col("id_number").is_not_null())
        .then(pl.concat_str([pl.col("credit_code"), pl.lit(":"), pl.col("id_number")]))
        .otherwise(pl.coalesce("credit_code", "id_number", "household_number")).alias("payee_key"),
        pl.col("benefit_id").cast(pl.String).replace_strict(once, default=None).fill_null(
            pl.col("year").cast(pl.String)).alias("period"),
    )
    # almost every slot is paid once: number the repeated ones only (a window over a county's million rows costs
    # twice as much as finding the few repeated slots first)
    keys = ("benefit_id", "payee_key", "period")
    occurrence = pl.Series("occurrence", [1] * frame.height, dtype=pl.Int64)
    repeated = frame.select(keys).with_row_index("_i").filter(pl.struct(keys).is_duplicated())
    if repeated.height:
        repeated = repeated.select("_i", (pl.int_range(pl.len()).over(keys) + 1).alias("n"))
        occurrence = occurrence.scatter(repeated["_i"], repeated["n"])
    return frame.with_columns(occurrence)


def _compute(rnd: PaymentRound) -> None:
    user = rnd.created_by
    doc = _chosen(parameters.catalog_with_overrides()[rnd.document_id], rnd.benefit_ids)
    if rnd.kind == PaymentRound.Kind.APPLICATION:
        messages: list[str] = []
        rows = _application_frame(rnd, messages)
    else:
        frames, ev = evaluate_area(user, doc, rnd.area_id, rnd.as_of, granted=_granted(doc, rnd.year))
        results = slot_columns(doc, ev.results.with_columns(pl.col(pl.Categorical).cast(pl.String)))
        messages = list(ev.messages)
        messages += [f"{u['benefit_name']}：{u['reason']}" for u in ev.unevaluable.iter_rows(named=True)][:200]
        rows = _frozen_frame(rnd, frames, results, messages)
        del frames, ev, results
    parts = _open_parts(rnd, rows["township"].unique().to_list())
    rows = rows.with_columns(pl.col("township").replace_strict(parts, return_dtype=pl.Int64).alias("part_id")).drop(
        "township")
    written = bulkwrite.insert_frame(RoundRow, rows.with_columns(round_id=pl.lit(rnd.pk, dtype=pl.Int64)),
                                     json_text=("facts",))
    if written >= ANALYZE_AFTER_ROWS:
        bulkwrite.analyze(RoundRow)
    _exclude_held(rnd, slots=rows.select("benefit_id", "period").unique().rows())
    _open_notices(rnd, villages=rows.select("village_id", "part_id").unique().rows())
    refresh_totals(rnd)
    households = rows["household_id"].drop_nulls().n_unique()
    PaymentRound.objects.filter(pk=rnd.pk).update(state=PaymentRound.State.OPEN, messages=messages[:500],
                                                  households=households, version=rnd.version + 1)
    _event(rnd, user, "compute", f"计算完成，村级公示{rnd.notice_days}天", source=PaymentRound.State.COMPUTING,
           target=PaymentRound.State.OPEN)


ANALYZE_AFTER_ROWS = 10_000  # a round this large changes the planner's picture of the rows table


# The payee's keys and name are the row's own columns (shown there, masked by role): the facts do not repeat them (a
# county's million rows are written faster without them, and no unmasked ID number hides in a JSON text).
ON_THE_ROW = ("household_number", "id_number", "credit_code", "name")


def _facts(columns: list[str], drop: tuple[str, ...]) -> pl.Expr:
    """A sheet row's facts as one JSON object (its columns but the keys and names beside them)."""
    return pl.struct([c for c in columns if c not in drop]).struct.json_encode()


def _frozen_frame(rnd: PaymentRound, frames: dict, results: pl.DataFrame, messages: list[str]) -> pl.DataFrame:
    """The result rows as RoundRow columns (plus `township`), each with its payee and the facts the engine read (as
    JSON text), in the results' order; rows paid elsewhere are left out and counted in `messages`. Built by joins
    over the frames: a county's million rows never become Python objects."""
    hh, mem, ent = frames["households"], frames["members"], frames["enterprises"]
    # only the persons paid here have their facts encoded (a county's million members, a fifth of them paid)
    paid = mem.join(results.select(pl.col("id_number").drop_nulls().unique()), on="id_number", how="semi",
                    maintain_order="left")
    households = hh.select("household_number", pl.col("household_pk").alias("_hpk"),
                           pl.col("village_code").alias("_village"),
                           _facts(hh.columns, ("household_pk", *ON_THE_ROW)).alias("_hf")).unique(
        "household_number", keep="last", maintain_order=True)
    members = paid.select("id_number", pl.col("member_pk").alias("_mpk"), pl.col("name").alias("_mname"),
                          _facts(mem.columns, ("member_pk", *ON_THE_ROW)).alias("_mf")).unique(
        "id_number", keep="last", maintain_order=True)
    heads = mem.filter(pl.col("relation") == "head").select("household_number", pl.col("name").alias("_head")).unique(
        "household_number", keep="last", maintain_order=True)
    enterprises = ent.select("credit_code", pl.col("enterprise_pk").alias("_epk"), pl.col("name").alias("_ename"),
                             pl.col("division_code").alias("_division"),
                             _facts(ent.columns, ("enterprise_pk", *ON_THE_ROW)).alias("_ef")).unique(
        "credit_code", keep="last", maintain_order=True)
    is_ent = pl.col("credit_code").is_not_null()
    own = ~is_ent
    frame = (results.with_row_index("_i")
             .join(households, on="household_number", how="left")
             .join(members, on="id_number", how="left")
             .join(heads, on="household_number", how="left")
             .join(enterprises, on="credit_code", how="left")
             .sort("_i")
             .with_columns(pl.when(is_ent).then(pl.col("_division")).otherwise(pl.col("_village")).alias("village_id")))
    prefix = divisions.prefix(rnd.area_id)
    places = frame["village_id"].drop_nulls().unique().to_list()
    townships = {p: _township(p) for p in places}
    township = pl.col("village_id").replace_strict(townships, default=None, return_dtype=pl.String)
    # an enterprise outside the area is paid where it is registered, by its own county
    keep = township.is_not_null() & pl.when(is_ent).then(
        pl.col("_epk").is_not_null() & pl.col("_division").fill_null("").str.starts_with(prefix)).otherwise(True)
    outside = frame.height
    frame = frame.filter(keep)
    outside -= frame.height
    if outside:
        messages.append(f"{outside}笔应付给本范围以外或未落到乡镇的经营主体，不列入本批次（由其所在地兑现）")
    facts = pl.concat_str([pl.when(own).then(pl.lit('"household":') + pl.col("_hf")),
                           pl.when(own & pl.col("_mpk").is_not_null()).then(pl.lit('"member":') + pl.col("_mf")),
                           pl.when(is_ent).then(pl.lit('"enterprise":') + pl.col("_ef"))],
                          separator=",", ignore_nulls=True)
    name = pl.when(is_ent).then(pl.col("_ename")).otherwise(pl.coalesce("_mname", "_head", "household_number"))
    return frame.select(
        "village_id", township.alias("township"),
        pl.when(own).then(pl.col("_hpk")).alias("household_id"),
        pl.when(own).then(pl.col("_mpk")).alias("member_id"),
        pl.when(is_ent).then(pl.col("_epk")).alias("enterprise_id"),
        name.str.slice(0, 100).alias("payee_name"),
        *(pl.col(c).fill_null("") for c in ("household_number", "id_number", "credit_code")),
        "year", "benefit_id", "benefit_name", "clause", "amount",
        *(pl.col(c).fill_null("") for c in ("funding", "explanation")),
        (pl.lit("{") + facts + pl.lit("}")).alias("facts"),
        "payee_key", "period", "occurrence",
        pl.lit(RoundRow.Status.INCLUDED.value).alias("status"),
    )


def _frozen_rows(rnd: PaymentRound, frames: dict, results: pl.DataFrame, messages: list[str]) -> list[dict]:
    """The result rows as RoundRow columns (`_frozen_frame`), as dicts with the facts decoded: a household's rows."""
    out = _frozen_frame(rnd, frames, results, messages).to_dicts()
    for r in out:
        r["round_id"] = rnd.pk
        r["facts"] = json.loads(r["facts"])
    return out


APPLICATION_SCHEMA = {
    "village_id": pl.String, "township": pl.String, "household_id": pl.Int64, "member_id": pl.Int64,
    "enterprise_id": pl.Int64, "payee_name": pl.String, "household_number": pl.String, "id_number": pl.String,
    "credit_code": pl.String, "year": pl.Int64, "benefit_id": pl.String, "benefit_name": pl.String, "clause": pl.Int64,
    "amount": pl.Int64, "funding": pl.String, "explanation": pl.String, "facts": pl.String, "payee_key": pl.String,
    "period": pl.String, "occurrence": pl.Int64, "status": pl.String, "application_id": pl.Int64,
}


def _application_frame(rnd: PaymentRound, messages: list[str]) -> pl.DataFrame:
    """`_application_rows` as the frame `_compute` writes (facts as JSON text)."""
    rows = _application_rows(rnd, messages)
    for r in rows:
        r.pop("round_id")
        r["facts"] = json.dumps(r["facts"], ensure_ascii=False)
        r["status"] = str(r["status"])
    return pl.DataFrame(rows, schema=APPLICATION_SCHEMA, orient="row") if rows else pl.DataFrame(
        schema=APPLICATION_SCHEMA)


def _application_rows(rnd: PaymentRound, messages: list[str]) -> list[dict]:
    """The approved applications of the round's benefits and year in its area, at their approved amounts; each one's
    slot is its own (an application is paid once), and the ceiling was checked by the engine at its approval."""
    from fangpin.lib import money

    from . import applications

    apps = applications.payable(benefit_ids=rnd.benefit_ids, document_id=rnd.document_id, year=rnd.year,
                                prefix=divisions.prefix(rnd.area_id)).select_related("household", "member",
                                                                                     "enterprise")
    out = []
    for a in apps.order_by("village_id", "id"):
        township = _township(a.village_id)
        if township is None:
            continue
        explanation = (f"{a.ceiling_explanation}；申请{money.format_yuan(a.asked)}元，村级核实"
                       f"{money.format_yuan(a.verified)}元，县级审定{money.format_yuan(a.approved)}元（第{a.pk}号申请）")
        out.append({
            "round_id": rnd.pk, "village_id": a.village_id, "township": township, "household_id": a.household_id,
            "member_id": a.member_id, "enterprise_id": a.enterprise_id, "payee_name": a.payee_name,
            "household_number": a.household.number if a.household else "",
            "id_number": a.member.id_number if a.member else "",
            "credit_code": a.enterprise.credit_code if a.enterprise else "", "year": a.year,
            "benefit_id": a.benefit_id, "benefit_name": a.benefit_name, "clause": a.clause, "amount": a.approved,
            "funding": a.funding, "explanation": explanation,
            "facts": {"application": {"purpose": a.purpose, "asked": a.asked, "verified": a.verified,
                                      "approved": a.approved, "ceiling": a.ceiling}},
            "payee_key": (a.enterprise.credit_code if a.enterprise else a.member.id_number if a.member
                          else a.household.number), "period": f"A{a.pk}", "occurrence": 1,
            "status": RoundRow.Status.INCLUDED, "application_id": a.pk,
        })
    if not out:
        messages.append("范围内没有已审定、待兑现的申请")
    return out


def _township(code: str) -> str | None:
    """The township a village's (or a township's) rows are reviewed by; None for a place above townships."""
    level = divisions.level_of(code)
    if level == "village":
        return divisions.parent_code(code)
    return code if level == "township" else None


def _exclude_held(rnd: PaymentRound, slots=None) -> None:
    """The round's rows whose slot another round already holds are excluded, naming that round (one UPDATE by the
    no-double-payment index). `slots`: the rows' (benefit, period) pairs when known."""
    if slots is None:
        slots = RoundRow.objects.filter(round=rnd).order_by().values_list("benefit_id", "period").distinct()
    held = Payment.objects.filter(held=True).order_by()
    if not any(held.filter(benefit_id=b, period=p).exists() for b, p in slots):
        return  # no other round holds a slot of these benefits and periods: nothing to look up row by row
    other = Payment.objects.filter(held=True, benefit_id=OuterRef("benefit_id"), payee_key=OuterRef("payee_key"),
                                   period=OuterRef("period"), occurrence=OuterRef("occurrence")).values("round_id")[:1]
    RoundRow.objects.filter(round=rnd).filter(Exists(other)).update(
        status=RoundRow.Status.EXCLUDED,
        status_reason=Concat(Value("已在第"), Cast(Subquery(other), CharField()), Value("批兑现")))


def _open_parts(rnd: PaymentRound, townships: list[str]) -> dict[str, int]:
    townships = sorted(set(townships))
    RoundPart.objects.bulk_create(RoundPart(round=rnd, township_id=t) for t in townships)
    return dict(RoundPart.objects.filter(round=rnd).values_list("township_id", "pk"))


def _open_notices(rnd: PaymentRound, today: dt.date | None = None, villages=None) -> None:
    """A notice for each village of the round's rows (`villages`: its (village, part) pairs when known)."""
    today = today or timezone.localdate()
    end = today + dt.timedelta(days=rnd.notice_days - 1)
    if villages is None:
        # order_by(): the rows' default ordering (village, id) would otherwise make DISTINCT run over them too
        villages = RoundRow.objects.filter(round=rnd).order_by().values_list("village_id", "part_id").distinct()
    RoundNotice.objects.bulk_create(RoundNotice(round=rnd, part_id=p, village_id=v, start=today, end=end)
                                    for v, p in villages)


def refresh_totals(rnd: PaymentRound, villages: list[str] | None = None) -> None:
    """The round's, its parts' and its villages' counts and amounts of included rows (kept, not summed per page);
    `villages`: only those villages' notices changed (a correction), else all."""
    included = RoundRow.objects.filter(round=rnd, status=RoundRow.Status.INCLUDED)
    by_village = included.order_by()
    if villages is not None:
        by_village = by_village.filter(village_id__in=villages)
    per = list(by_village.values("part_id", "village_id").annotate(n=Count("id"), a=Sum("amount")).values_list(
        "part_id", "village_id", "n", "a"))
    village_sums = {v: (n, a) for _, v, n, a in per}
    notices = RoundNotice.objects.filter(round=rnd)
    if villages is not None:
        notices = notices.filter(village_id__in=villages)
    changed = []
    for notice in notices.only("pk", "village_id", "rows", "amount"):
        n, a = village_sums.get(notice.village_id, (0, 0))
        if (notice.rows, notice.amount) != (n, a):
            notice.rows, notice.amount = n, a
            changed.append(notice)
    RoundNotice.objects.bulk_update(changed, ["rows", "amount"], batch_size=1000)
    if villages is None:  # the parts' sums from the villages' (one scan of a county's million rows, not two)
        by_part: dict[int, tuple[int, int]] = {}
        for part_id, _, n, a in per:
            pn, pa = by_part.get(part_id, (0, 0))
            by_part[part_id] = (pn + n, pa + a)
        sums = [(p, n, a) for p, (n, a) in by_part.items()]
    else:
        sums = list(included.order_by().values("part_id").annotate(n=Count("id"), a=Sum("amount")).values_list(
            "part_id", "n", "a"))
    for part_id, n, amount in sums:
        RoundPart.objects.filter(pk=part_id).update(rows=n, amount=amount)
    RoundPart.objects.filter(round=rnd).exclude(pk__in=[p for p, _, _ in sums]).update(rows=0, amount=0)
    PaymentRound.objects.filter(pk=rnd.pk).update(rows=sum(n for _, n, _ in sums), amount=sum(a for _, _, a in sums))


# --- corrections during the notice -----------------------------------------------------------------------------------

def _open_part_for(user, row: RoundRow, capability: str) -> RoundPart:
    access.require(user, capability)
    access.require_area(user, row.village_id, "该行不在您的管辖范围内")
    part = RoundPart.objects.select_for_update().get(pk=row.part_id)
    if part.state != RoundPart.State.NOTICE:
        raise ValidationError(f"{part.township.name}的名单已{part.get_state_display()}，不能再修改；需要修改请由审核方退回")
    return part


def restart_notice(rnd: PaymentRound, village_id: str, user, reason: str, today: dt.date | None = None) -> None:
    """A changed village roster is noticed again, for the full notice days from today."""
    today = today or timezone.localdate()
    notice = RoundNotice.objects.select_for_update().get(round=rnd, village_id=village_id)
    notice.start, notice.end = today, today + dt.timedelta(days=rnd.notice_days - 1)
    notice.times += 1
    notice.save(update_fields=["start", "end", "times"])
    _event(rnd, user, "renotice", f"{notice.village.name}名单变更，重新公示（第{notice.times}次）至{notice.end:%Y-%m-%d}",
           reason=reason)


@transaction.atomic
def raise_objection(user, row: RoundRow, *, who: str, text: str) -> Objection:
    """An objection to a row, recorded by the village (or the county) while the part is being noticed."""
    _open_part_for(user, row, "payments.correct")
    who, text = (who or "").strip(), (text or "").strip()
    errors = {}
    if not who:
        errors["who"] = "请填写异议人（可写“匿名”）"
    if not text:
        errors["text"] = "请填写异议内容"
    if errors:
        raise ValidationError(errors)
    if row.status != RoundRow.Status.INCLUDED:
        raise ValidationError("该行不在名单中，无需异议")
    objection = Objection.objects.create(row=row, raised_by=user, who=who[:50], text=text)
    _event(row.round, user, "object", f"{row.payee_name}的{row.benefit_name}收到异议", row=row, reason=text)
    return objection


@transaction.atomic
def answer_objection(user, objection: Objection, *, outcome: str, answer: str) -> Objection:
    """The village's answer: dismissed (the row stands), withdrawn (the row leaves the roster), or corrected (the
    household's rows are computed again from the registry as it is now, after the clerk has fixed it)."""
    objection = Objection.objects.select_for_update().select_related("row__round").get(pk=objection.pk)
    row = objection.row
    _open_part_for(user, row, "payments.correct")
    if objection.outcome:
        raise ValidationError("该异议已处理")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "请填写处理意见"})
    if outcome not in (Objection.Outcome.DISMISSED, Objection.Outcome.WITHDRAWN, Objection.Outcome.CORRECTED):
        raise ValidationError({"outcome": "请选择处理结果"})
    if outcome == Objection.Outcome.WITHDRAWN:
        withdraw(user, row, reason=f"异议成立：{answer}")
    elif outcome == Objection.Outcome.CORRECTED:
        changed = pull_in(user, row.round, household_id=row.household_id, reason=f"异议成立：{answer}")
        if not changed:
            raise ValidationError("按当前登记信息重新计算，该户的兑现金额没有变化：请先更正登记信息，或选择“异议不成立”/“撤回该行”")
    objection.outcome, objection.answer = outcome, answer
    objection.answered_by, objection.answered_at = user, timezone.now()
    objection.save(update_fields=["outcome", "answer", "answered_by", "answered_at"])
    _event(row.round, user, "answer", f"异议处理：{objection.get_outcome_display()}", row=row, reason=answer)
    return objection


@transaction.atomic
def withdraw(user, row: RoundRow, *, reason: str) -> None:
    """A row leaves the roster with a reason; the village's notice starts again."""
    _open_part_for(user, row, "payments.correct")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "撤回须填写理由"})
    updated = RoundRow.objects.filter(pk=row.pk, status=RoundRow.Status.INCLUDED).update(
        status=RoundRow.Status.WITHDRAWN, status_reason=reason[:200])
    if not updated:
        raise ValidationError("该行已不在名单中")
    _event(row.round, user, "withdraw", f"撤回{row.payee_name}的{row.benefit_name}", row=row, reason=reason)
    refresh_totals(row.round, villages=[row.village_id])
    restart_notice(row.round, row.village_id, user, reason)


def differences(user, rnd: PaymentRound, *, household_id: int | None = None, village: str | None = None) -> dict:
    """What the engine computes now against the frozen rows, for one household or one village: rows added, gone
    and changed (by slot), each with the amounts and explanations side by side."""
    access.require(user, "payments.read")
    area = village
    if household_id is not None:
        from fangpin.registry.models import Household

        household = access.scope(user, Household.objects.filter(pk=household_id)).first()
        if household is None:
            raise PermissionDenied("该户不在您的管辖范围内")
        area = household.village_id
    access.require_area(user, area, "不在您的管辖范围内")
    doc = _chosen(parameters.catalog_with_overrides()[rnd.document_id], rnd.benefit_ids)
    frames, ev = evaluate_area(rnd.created_by, doc, area, rnd.as_of, granted=_granted(doc, rnd.year))
    now = slot_columns(doc, ev.results.with_columns(pl.col(pl.Categorical).cast(pl.String)))
    fresh = _frozen_rows(rnd, frames, now, [])
    frozen = RoundRow.objects.filter(round=rnd, village_id=area, status=RoundRow.Status.INCLUDED)
    if household_id is not None:
        fresh = [r for r in fresh if r["household_id"] == household_id]
        frozen = frozen.filter(household_id=household_id)
    key = lambda r: (r["benefit_id"], r["payee_key"], r["period"], r["occurrence"])  # noqa: E731
    old = {key(r): r for r in frozen.values("id", "benefit_id", "payee_key", "period", "occurrence", "amount",
                                            "explanation", "payee_name", "benefit_name", "household_id")}
    new = {key(r): r for r in fresh}
    return {
        "added": [new[k] for k in new.keys() - old.keys()],
        "gone": [old[k] for k in old.keys() - new.keys()],
        "changed": [(old[k], new[k]) for k in old.keys() & new.keys()
                    if old[k]["amount"] != new[k]["amount"] or old[k]["explanation"] != new[k]["explanation"]],
        "fresh": fresh,
    }


@transaction.atomic
def pull_in(user, rnd: PaymentRound, *, household_id: int, reason: str) -> int:
    """Bring one household's differences into the round as a correction: changed rows are replaced, gone rows
    withdrawn, new rows added; the village is noticed again. The number of rows changed."""
    access.require(user, "payments.correct")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "更正须填写理由"})
    diff = differences(user, rnd, household_id=household_id)
    if not (diff["added"] or diff["gone"] or diff["changed"]):
        return 0
    from fangpin.registry.models import Household

    village = Household.objects.get(pk=household_id).village_id
    access.require_area(user, village, "该户不在您的管辖范围内")
    part = RoundPart.objects.select_for_update().get(round=rnd, township_id=_township(village))
    if part.state != RoundPart.State.NOTICE:
        raise ValidationError(f"{part.township.name}的名单已{part.get_state_display()}，不能再修改；需要修改请由审核方退回")
    old_ids = [o["id"] for o in diff["gone"]]
    RoundRow.objects.filter(pk__in=old_ids).update(status=RoundRow.Status.WITHDRAWN, status_reason=reason[:200])
    replaced = {o["id"]: n for o, n in diff["changed"]}
    RoundRow.objects.filter(pk__in=list(replaced)).update(status=RoundRow.Status.REPLACED, status_reason=reason[:200])
    new_rows = []
    for r in diff["added"] + list(replaced.values()):
        r = dict(r)
        r["part_id"] = part.pk
        r.pop("township", None)
        new_rows.append(r)
    for old_id, r in zip(list(replaced), new_rows[len(diff["added"]):]):
        r["replaces_id"] = old_id
    bulkwrite.insert_rows(RoundRow, new_rows)
    n = len(old_ids) + len(new_rows)
    _event(rnd, user, "correct", f"按登记信息更正{n}行（新增{len(diff['added'])}、撤回{len(old_ids)}、更正{len(replaced)}）",
           part=part, reason=reason)
    refresh_totals(rnd, villages=[village])
    restart_notice(rnd, village, user, reason)
    return n


# --- reading ---------------------------------------------------------------------------------------------------------

def rounds_visible(user):
    """Rounds whose area overlaps the user's: a county's, and those of the counties in a leader's city; a township
    or village user sees the rounds of its county that reach its area."""
    if not access.can(user, "payments.read"):
        return PaymentRound.objects.none()
    prefix = access.user_prefix(user)
    if len(prefix) <= 6:
        return PaymentRound.objects.filter(access.subtree("county_id", prefix))
    return PaymentRound.objects.filter(county_id=prefix[:6].ljust(12, "0")).filter(
        access.subtree("area_id", prefix) | Q(area_id__in=[prefix[:n].ljust(12, "0") for n in (6, 9) if n < len(prefix)]))


def rows_visible(user, rnd: PaymentRound):
    return access.scope(user, RoundRow.objects.filter(round=rnd), "payments.read")


def round_list(*, user, area: str = "", state: str = ""):
    """The rounds the user sees, narrowed to those reaching `area`, and to a state."""
    qs = rounds_visible(user)
    _check_area_code(area)
    if area:
        prefix = divisions.prefix(divisions.full_code(area))
        above = [prefix[:n].ljust(12, "0") for n in (6, 9) if n < len(prefix)]
        qs = qs.filter(access.subtree("area_id", prefix) | Q(area_id__in=above))
    if state in PaymentRound.State.values:
        qs = qs.filter(state=state)
    return qs.select_related("area", "area__parent")


def _check_area_code(area: str) -> None:
    if area and not divisions.is_code(area):
        raise ValidationError({"area": "区划代码应为12位数字"})


def round_get(*, user, pk: int) -> PaymentRound:
    rnd = rounds_visible(user).select_related("area", "county", "created_by").filter(pk=pk).first()
    if rnd is None:
        raise PermissionDenied("没有该批次，或不在您的管辖范围内")
    return rnd


def row_list(*, user, round_id, area: str = "", status: str = "", bank_status: str = "", q: str = ""):
    """A round's rows the user sees (by the round-and-village index), narrowed by area, status and name."""
    if not round_id:
        return RoundRow.objects.none()
    rnd = round_get(user=user, pk=int(round_id))
    qs = rows_visible(user, rnd)
    _check_area_code(area)
    if area:
        qs = qs.filter(access.subtree("village_id", divisions.prefix(divisions.full_code(area))))
    if status in RoundRow.Status.values:
        qs = qs.filter(status=status)
    if bank_status == "none":
        qs = qs.filter(Q(payment__isnull=True) | Q(payment__status=""))
    elif bank_status and bank_status in Payment.Status.values:
        qs = qs.filter(payment__status=bank_status)
    q = (q or "").replace("\x00", "").strip()
    if q:
        qs = qs.filter(payee_name__startswith=q)
    return qs.select_related("round", "village", "village__parent", "payment")


def row_get(*, user, pk: int) -> RoundRow:
    row = access.scope(user, RoundRow.objects.filter(pk=pk), "payments.read").select_related(
        "round", "village", "village__parent", "part", "household", "member", "payment").first()
    if row is None:
        raise PermissionDenied("没有该行，或不在您的管辖范围内")
    return row


def parts_of(user, rnd: PaymentRound) -> list[RoundPart]:
    """The round's township parts the user's area reaches, each with what the user's level may do now."""
    from . import approval

    prefix = access.user_prefix(user)
    parts = list(RoundPart.objects.filter(round=rnd).select_related("township").order_by("township_id"))
    level = access.workflow_level(user)
    shown = []
    for p in parts:
        if not (p.township_id.startswith(prefix) or prefix.startswith(divisions.prefix(p.township_id))):
            continue
        p.steps = approval.steps_from(p.state, level) if rnd.state == PaymentRound.State.OPEN else []
        if level == "township" and not access.covers(user, p.township_id):
            p.steps = []
        shown.append(p)
    return shown


def notices_of(user, rnd: PaymentRound) -> list[RoundNotice]:
    notices = RoundNotice.objects.filter(round=rnd).select_related("village", "village__parent").order_by("village_id")
    prefix = access.user_prefix(user)
    return list(notices.filter(access.subtree("village_id", prefix))) if len(prefix) > 6 else list(
        notices.filter(access.subtree("village_id", prefix)))


def objections_of(row: RoundRow) -> list[Objection]:
    return list(row.objections.select_related("raised_by", "answered_by"))


def replaced_by(row: RoundRow) -> RoundRow | None:
    """The row a correction put in place of `row` (a replaced row), for the row's page to link to."""
    if row.status != RoundRow.Status.REPLACED:
        return None
    return RoundRow.objects.filter(replaces=row).only("pk", "amount").first()


def area_choices(*, user) -> tuple[OrgUnit, list[OrgUnit]]:
    """The county a bureau starts rounds in, and its townships (a round's area)."""
    access.require(user, "payments.manage")
    county = OrgUnit.objects.get(code=user.org_unit_id)
    return county, list(OrgUnit.objects.filter(parent=county, level="township").order_by("code"))


FACT_SHEETS = {"household": ("户", "households"), "member": ("本人", "members"), "enterprise": ("经营主体", "enterprises")}
HIDDEN_FACTS = ("household_number", "id_number", "name", "credit_code")  # shown elsewhere on the page, masked there


def facts_shown(facts: dict) -> list[tuple[str, list[tuple[str, str]]]]:
    """A row's frozen facts under the exchange format's Chinese headers: codes by their labels, places by name."""
    from fangpin.exchange.spec import BY_KEY

    out = []
    for part, values in (facts or {}).items():
        title, sheet = FACT_SHEETS.get(part, (part, ""))
        fields = {f.key: f for f in BY_KEY[sheet].fields} if sheet in BY_KEY else {}
        items = []
        for key, value in values.items():
            f = fields.get(key)
            if f is None or key in HIDDEN_FACTS:
                continue
            if value is None or value == "":
                shown = "—"
            elif f.type == "enum" and f.choices is not None:
                shown = str(dict(f.choices.choices).get(value, value))
            elif f.type == "boolean":
                shown = "是" if value else "否"
            elif f.type == "money":
                shown = f"{value / 100:.2f}元"
            elif f.type in ("village", "division_code"):
                shown = OrgUnit.objects.filter(code=value).values_list("name", flat=True).first() or value
            else:
                shown = str(value)
            items.append((f.header, shown))
        out.append((title, items))
    return out
