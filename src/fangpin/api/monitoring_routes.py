"""Monitoring API: the work queue, warnings and their verification, cases and their transitions, department files and
screening runs. Same selectors, services and access rules as the pages."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from fangpin.accounts import access
from fangpin.lib import files
from fangpin.monitoring import department, workflow
from fangpin.monitoring import selectors as ms
from fangpin.monitoring.feeds import FeedError
from fangpin.registry import selectors as registry_selectors

from . import schemas as s

monitoring = Router(tags=["动态监测"])


def _warning(w) -> dict:
    return {"id": w.pk, "household_id": w.household_id, "household_number": w.household.number,
            "village_code": w.household.village_id, "rule": w.rule, "label": w.label, "period": w.period,
            "risk": w.risk, "reason": w.reason, "total": w.total, "source_count": w.source_count, "sources": w.sources,
            "deadline": w.deadline, "status": w.status, "note": w.note, "case_id": w.case_id,
            "joined": [{k: j.get(k, "") for k in ("rule", "label", "period", "risk", "reason")} for j in w.joined or []]}


def _case(c, user) -> dict:
    return {"id": c.pk, "kind": c.kind, "household_id": c.household_id, "household_number": c.household.number,
            "channel": c.channel or None, "monitor_type": c.monitor_type or None, "risk_causes": c.risk_causes,
            "green": c.green, "green_cause": c.green_cause or None, "state": c.state, "version": c.version,
            "due": c.due, "notice_start": c.notice_start, "notice_end": c.notice_end,
            "locked_by": c.locked_by.username if workflow.holder(c) else None,
            "allowed_actions": [st.action for st in workflow.steps_from(c.state, access.workflow_level(user))]
            if access.covers(user, c.household.village_id) else [],
            "transitions": [{"action": t.action, "level": t.level, "from": t.from_state or None, "to": t.to_state,
                             "user": t.user.username, "at": t.at, "reason": t.reason}
                            for t in c.transitions.select_related("user")],
            "open_items": [{"step": i.step, "deadline": i.deadline, "done_at": i.done_at} for i in c.open_items.all()]}


def _run(r) -> dict:
    return {"id": r.pk, "status": r.status, "progress": r.progress, "step": r.step, "counts": r.counts,
            "warnings_new": r.warnings_new, "warnings_known": r.warnings_known, "error": r.error or None,
            "created_at": r.created_at, "finished_at": r.finished_at}


@monitoring.get("/monitoring/villages", response={200: list[dict], 404: s.ErrorOut},
                summary="下一级各单位（市的各县、县的各乡镇、乡镇的各村）的监测户、预警、案件、无帮扶联系人或措施的户数")
def village_counts(request, unit: str = ""):
    """One level at a time, like the workbench: `unit` (a division code in the user's area; the user's own unit by
    default) gives its units one level below, each with its code to ask for the next level."""
    target = registry_selectors.area_unit(user=request.user, code=unit)
    if target is None:
        return Status(404, {"detail": "该区划不存在或不在您的管辖范围内"})
    return ms.area_counts(user=request.user, today=timezone.localdate(), unit=target)


@monitoring.get("/monitoring/warnings", summary="本级待核实的预警（逾期在前），最多 limit 条（默认 50，至多 200）")
def warning_list(request, limit: int = ms.QUEUE_SHOWN):
    return [_warning(w) for w in ms.queue(user=request.user, limit=max(1, min(limit, 200)))["warnings"]]


class VerifyIn(Schema):
    at_risk: bool
    note: str
    monitor_type: str = ""
    income_measure: str = ""


@monitoring.post("/monitoring/warnings/{warning_id}/verify", response={200: dict, 403: s.ErrorOut, 422: s.ErrorOut},
                 summary="村级入户核实：有风险则发起识别纳入（部门筛查预警渠道）；收入下降的预警须填增收措施（income_measure）")
def verify(request, warning_id: int, body: VerifyIn):
    w = department.verify(request.user, ms.warning_get(user=request.user, pk=warning_id), at_risk=body.at_risk,
                          note=body.note, monitor_type=body.monitor_type, income_measure=body.income_measure)
    return _warning(w)


@monitoring.get("/monitoring/cases/{case_id}", summary="识别纳入或风险消除案件，及其办理记录")
def case_get(request, case_id: int):
    return _case(ms.case_get(user=request.user, pk=case_id), request.user)


class ActIn(Schema):
    action: str
    version: int
    reason: str = ""
    appraisal_date: dt.date | None = None
    appraisal_attendance: int | None = None
    appraisal_record: str = ""


@monitoring.post("/monitoring/cases/{case_id}/act", response={200: dict, 403: s.ErrorOut, 409: s.ErrorOut,
                                                              422: s.ErrorOut},
                 summary="办理案件（version 为读取时的版本；他人已办理时返回 409）")
def act(request, case_id: int, body: ActIn):
    c = ms.case_get(user=request.user, pk=case_id)
    appraisal = ({"date": body.appraisal_date, "attendance": body.appraisal_attendance,
                  "record": body.appraisal_record} if body.action == "appraise" else None)
    try:
        c = workflow.act(request.user, c, body.action, version=body.version, reason=body.reason, appraisal=appraisal)
    except workflow.Conflict as e:
        return Status(409, {"detail": str(e)})
    return _case(c, request.user)


@monitoring.post("/monitoring/feeds", response={200: dict, 400: s.ErrorOut, 403: s.ErrorOut, 413: s.ErrorOut,
                                                422: s.ErrorOut},
                 summary="上传部门数据（CSV、Excel 或 Parquet）；月度增量填 month（如 2026-03），全量不填；"
                         "有错误时整份不接收并列出各处问题")
def upload(request, file: File[UploadedFile], feed: Form[str], month: Form[str] = ""):
    when = None
    if month:
        try:
            when = dt.datetime.strptime(month, "%Y-%m").date()
        except ValueError:
            return Status(422, {"detail": "month 应写作 2026-03"})
    with files.saved(file.chunks()) as path:
        try:
            row = department.upload(request.user, feed, path, file.name or "upload", month=when)
        except FeedError as e:
            return Status(400, {"detail": [{"row": p.row, "column": p.column, "value": p.value,
                                            "message": p.message} for p in e.problems]})
    return {"id": row.pk, "feed": row.feed, "filename": row.filename, "sha256": row.sha256,
            "row_count": row.row_count, "uploaded_at": row.uploaded_at, "month": row.month}


@monitoring.post("/monitoring/screenings", response={200: dict, 403: s.ErrorOut, 422: s.ErrorOut},
                 summary="开始筛查比对（后台任务），返回比对记录；轮询其进度")
def screening_start(request):
    return _run(department.start_screening(request.user))


@monitoring.get("/monitoring/screenings/{run_id}", summary="筛查比对的进度和结果")
def screening_get(request, run_id: int):
    return _run(ms.run_get(user=request.user, pk=run_id))
