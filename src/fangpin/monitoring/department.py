"""Department data matching (信息比对) in the database: uploads kept with who, when, hash and row count; screening as a
background job with its progress; warnings written once per key; a village's verification of a warning."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fangpin.accounts import access
from fangpin.accounts.models import Role
from fangpin.registry.models import Household, Member

from . import feeds, screening, warning_queue, workflow
from .models import Case, FeedUpload, MatchProblem, Measure, ScreeningRun, Warning

log = logging.getLogger(__name__)
PROBLEMS_KEPT = 5000  # per status and run; the counts say how many there were


def _sha256(path: Path) -> tuple[str, int]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def upload(user, feed_key: str, path: Path, filename: str, *, month: dt.date | None = None) -> FeedUpload:
    """Check a department file whole and keep it, or raise FeedError naming every bad cell (nothing is kept). `month`
    (its first day): a monthly increment, which replaces that month's rows of earlier files when screening; without
    it, a full extract."""
    access.require(user, "department.upload")
    feed = feeds.FEEDS.get(feed_key)
    if feed is None:
        raise ValidationError(f"未知的部门数据类别“{feed_key}”")
    if user.role == Role.DEPARTMENT_OFFICER and feed.department != user.department:
        raise PermissionDenied(f"您只能上传本部门（{user.department or '未指定'}）的数据")
    sha, size = _sha256(path)
    same = FeedUpload.objects.filter(feed=feed_key, region=user.org_unit, sha256=sha).select_related("uploaded_by").first()
    if same:
        raise ValidationError(f"{filename}：该文件已于{timezone.localtime(same.uploaded_at):%Y-%m-%d %H:%M}由"
                              f"{same.uploaded_by.username}上传（{same.filename}），无需重复上传")
    if month is not None:
        if month.day != 1 or month > timezone.localdate():
            raise ValidationError("数据月份应为不晚于本月的某月")
    frame = feeds.read(path, filename, feed, month=month)
    settings.FEEDS_DIR.mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        row = FeedUpload.objects.create(
            feed=feed_key, region=user.org_unit, uploaded_by=user, filename=filename[:200], sha256=sha,
            size_bytes=size, row_count=frame.height, period_from=frame["date"].min(), period_to=frame["date"].max(),
            month=month)
        target = settings.FEEDS_DIR / row.parquet_name
        frame.write_parquet(target.with_suffix(".tmp"))
        target.with_suffix(".tmp").replace(target)
    return row


def uploads_in_force(user) -> list[FeedUpload]:
    """What a screening reads, per department: the newest full extract and the monthly increments uploaded after it,
    each month from its newest file (a month sent again replaces the earlier file's rows, never adds to them)."""
    out, done, months = [], set(), {}
    for u in access.feed_scope(user, FeedUpload.objects.select_related("region", "uploaded_by")).order_by(
            "feed", "-uploaded_at", "-id"):
        if u.feed in done:
            continue
        claimed = months.setdefault(u.feed, set())
        if u.month is None:
            out.append(u)
            done.add(u.feed)  # a full extract: everything older is in it
        elif u.month not in claimed:
            claimed.add(u.month)
            out.append(u)
    return out


def start_screening(user) -> ScreeningRun:
    access.require(user, "monitoring.screen")
    uploads = uploads_in_force(user)
    if not uploads:
        raise ValidationError("还没有部门数据可供比对，请先上传")
    with transaction.atomic():
        run = ScreeningRun.objects.create(region=user.org_unit, started_by=user, step="排队等待")
        run.uploads.set(uploads)
        from .tasks import screen

        transaction.on_commit(lambda: screen.enqueue(run.pk))
    return run


def _progress(run: ScreeningRun, percent: int, step: str, **fields) -> None:
    ScreeningRun.objects.filter(pk=run.pk).update(progress=percent, step=step, **fields)


def rows_of(uploads) -> pl.DataFrame:
    """The rows of the files, each month of a department from its newest file: a full extract's rows of a month an
    increment uploaded after it covers are left out, as are an older increment's of the same month."""
    frames, claimed = [], {}
    for u in sorted(uploads, key=lambda u: (u.uploaded_at, u.pk), reverse=True):
        frame = pl.read_parquet(settings.FEEDS_DIR / u.parquet_name).with_columns(
            feed=pl.lit(u.feed), upload_id=pl.lit(u.pk, pl.Int64))
        months = claimed.setdefault(u.feed, set())
        if months:
            frame = frame.filter(~pl.col("date").dt.truncate("1mo").is_in(sorted(months)))
        if u.month is not None:
            months.add(u.month)
        frames.append(frame.select(list(screening.ROWS_SCHEMA)))
    if not frames:
        return pl.DataFrame(schema=screening.ROWS_SCHEMA)
    return pl.concat(frames).cast(screening.ROWS_SCHEMA)


def persons_in(prefix: str) -> pl.DataFrame:
    rows = (Member.objects.filter(access.subtree("household__village__code", prefix))
            .values_list("id_number", "name", "id", "household_id", "household__village_id"))
    return pl.DataFrame(list(rows), schema=screening.PERSONS_SCHEMA, orient="row")


def execute(run_id: int, *, today: dt.date | None = None) -> ScreeningRun:
    """The job: read the files, match, apply the rules, write new warnings; progress kept on the run."""
    run = ScreeningRun.objects.select_related("region").get(pk=run_id)
    today = today or timezone.localdate()
    try:
        _progress(run, 5, "读取部门数据", status=ScreeningRun.Status.RUNNING)
        uploads = list(run.uploads.all())
        rows = rows_of(uploads)
        _progress(run, 25, f"读取户籍人员（部门数据{rows.height}行）")
        persons = persons_in(run.region.prefix)
        _progress(run, 45, f"按身份证号比对（户籍{persons.height}人）")
        from .parameters import rules_for

        result = screening.screen(rows, persons, today=today, rules=rules_for(run.region.code, today))
        _progress(run, 75, "生成预警")
        new, known = _write_warnings(run, result.warnings, today)
        from . import guarantees  # the departments' data also opens and clears the three guarantees' problems

        guarantees.apply(guarantees.states(rows, result.identities), user=run.started_by,
                         source=f"部门数据（筛查比对{run.pk}）")
        _write_problems(run, result.problems())
        _progress(run, 100, "完成", status=ScreeningRun.Status.DONE, counts=result.counts(), warnings_new=new,
                  warnings_known=known, finished_at=timezone.now())
    except Exception as e:
        log.exception("screening run %s failed", run_id)
        _progress(run, run.progress, "失败", status=ScreeningRun.Status.FAILED, error=f"比对失败：{e}",
                  finished_at=timezone.now())
        raise
    run.refresh_from_db()
    return run


def _write_warnings(run: ScreeningRun, frame: pl.DataFrame, today: dt.date) -> tuple[int, int]:
    """New keys become warnings (or join the household's open income warning of the year); an open warning takes the
    newest reason and sources; others stay as verified."""
    skip = {r.id for r in screening.RULES.rules if r.skip_monitored}
    if skip:  # those rules are about households not monitored yet (民政低收入人口): the ones at risk are left out
        asked = frame.filter(pl.col("rule").is_in(list(skip)))["household_id"].unique().to_list()
        monitored = set(Household.objects.filter(pk__in=asked, category="monitored", risk_eliminated_on__isnull=True)
                        .values_list("pk", flat=True)) if asked else set()
        frame = frame.filter(~(pl.col("rule").is_in(list(skip)) & pl.col("household_id").is_in(list(monitored))))
    signals = [{**r, "sources": [[s["upload_id"], s["row"]] for s in r["sources"]]}
               for r in frame.iter_rows(named=True)]
    new, _known, _joined = warning_queue.write(signals, user=run.started_by, reason=f"筛查比对{run.pk}", today=today,
                                               run=run)
    return new, frame.height - new


def _write_problems(run: ScreeningRun, problems: pl.DataFrame) -> None:
    kept = problems.sort("status", "upload_id", "first_row").group_by("status", maintain_order=True).head(PROBLEMS_KEPT)
    MatchProblem.objects.bulk_create(
        (MatchProblem(run=run, upload_id=r["upload_id"], row=r["first_row"], status=r["status"],
                      id_number=(r["id_number"] or "")[:40], name=(r["name"] or "")[:100],
                      registry_name=r["registry_name"] or "", count=r["count"])
         for r in kept.iter_rows(named=True)), batch_size=1000)


@transaction.atomic
def verify(user, warning: Warning, *, at_risk: bool, note: str, monitor_type: str = "",
           risk_causes: str = "", income_measure: str = "") -> Warning:
    """The village's home verification (入户核实). At risk: an enrollment case opens on the department-warning channel
    (or the warning joins the household's open case, or its plan when it is already monitored). Not at risk: closed
    with the reason. A warning that carries an income fall opens the plan's 增收措施 (湖南十条 二, 一户一策): required
    when the household is found at risk, recorded when given otherwise (a fall found to be a data error needs none)."""
    access.require(user, "monitoring.verify")
    warning = Warning.objects.select_for_update().select_related("household").get(pk=warning.pk)
    access.require_area(user, warning.household.village_id, "该户不在您的管辖范围内")
    if warning.status != Warning.Status.OPEN:
        raise ValidationError(f"该预警已于{timezone.localtime(warning.verified_at):%Y-%m-%d}核实为“"
                              f"{warning.get_status_display()}”")
    if not note.strip():
        raise ValidationError({"note": "请填写入户核实情况"})
    falls = warning_queue.income_falls(warning)
    if falls and at_risk and not income_measure.strip():
        raise ValidationError({"income_measure": "收入下降的户须提出增收措施（一户一策）"})
    household = warning.household
    if at_risk:
        open_case = household.cases.filter(kind=Case.Kind.ENROLLMENT).exclude(
            state__in=[Case.State.DONE, Case.State.DECLINED]).first()
        if open_case is not None:
            warning.case = open_case
        elif not household.at_risk:
            warning.case = workflow.open_case(user, household, kind=Case.Kind.ENROLLMENT,
                                              channel=Case.Channel.DEPARTMENT_WARNING, monitor_type=monitor_type,
                                              risk_causes=risk_causes or warning.reason, warning=warning)
    if falls and income_measure.strip():
        from .assistance import add_measure

        add_measure(user, household, kind=Measure.Kind.INCOME, start=timezone.localdate(),
                    description=f"{income_measure.strip()}（预警{warning.pk}：{warning.reason}）"[:2000])
    warning.status = Warning.Status.CONFIRMED if at_risk else Warning.Status.DISMISSED
    warning.verified_by, warning.verified_at, warning.note = user, timezone.now(), note.strip()
    warning._history_user = user
    warning.save()
    return warning
