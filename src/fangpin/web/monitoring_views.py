"""Monitoring pages (动态监测): work queues, department files and screening, warnings, cases, a household's assistance
and its printable plan. Thin: parse, call monitoring services and selectors, render."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from fangpin.accounts import access
from fangpin.accounts.masking import id_number_for
from fangpin.lib import files, listing
from fangpin.lib.pagination import CappedPaginator
from fangpin.monitoring import (assistance, criteria, department, disasters, guarantees, parameters, referrals,
                                warning_queue, workflow)
from fangpin.monitoring import selectors as ms
from fangpin.monitoring.feeds import FEEDS, FeedError, feeds_of_department
from fangpin.monitoring.models import Case, GuaranteeProblem, Measure, Referral, ScreeningRun
from fangpin.monitoring.screening import RISK_LABELS, STATUS_LABELS
from fangpin.policies import entitlements
from fangpin.orgunits import names
from fangpin.registry import history as history_lines
from fangpin.registry import selectors as registry_selectors

from . import lists
from .views import area_and_trail, list_export, list_xlsx
from .forms import (
    AppraisalForm,
    CadreAddForm,
    CadreEditForm,
    CadreForm,
    EliminationForm,
    FeedUploadForm,
    GuaranteeForm,
    GuaranteeUpdateForm,
    MeasureForm,
    MeasureStatusForm,
    OpenCaseForm,
    ParameterForm,
    RelocationFilterForm,
    VerifyForm,
)


def _int(value, default: int = 0) -> int:
    """A number posted by a form (a version, a row's id); anything else is `default`, never a server error."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _errors(form, e: ValidationError) -> None:
    if hasattr(e, "error_dict"):
        for field, errs in e.message_dict.items():
            form.add_error(field if field in form.fields else None, errs)
    else:
        form.add_error(None, e.messages)


def monitoring_home(request):
    """监测工作台: what the user's level has to do, and counts per village."""
    access.require(request.user, "monitoring.read")
    today = timezone.localdate()
    unit, trail = area_and_trail(request)
    rows = ms.area_counts(user=request.user, today=today, unit=unit)
    mine = rows if unit == request.user.org_unit else ms.area_counts(user=request.user, today=today,
                                                                     unit=request.user.org_unit)
    totals = {k: sum(r.get(k, 0) for r in mine) for k in ("warnings", "no_cadre", "no_measures")}
    return render(request, "monitoring/home.html", {
        "q": ms.queue(user=request.user), "rows": rows, "totals": totals, "shown": ms.QUEUE_SHOWN,
        "unit": unit, "trail": trail, "today": today, "level": access.workflow_level(request.user),
        "risk_labels": RISK_LABELS})


@require_http_methods(["GET", "POST"])
def feeds_page(request):
    """部门数据: upload a department file; a county bureau starts the screening here."""
    user = request.user
    if not (access.can(user, "department.upload") or access.can(user, "monitoring.screen")):
        raise PermissionDenied("您的角色无权上传或比对部门数据")
    allowed = feeds_of_department(user.department) if user.role == "department_officer" else list(FEEDS.values())
    form = FeedUploadForm(request.POST or None, request.FILES or None, feeds=allowed)
    problems = screen_error = None
    if request.method == "POST" and request.POST.get("action") == "screen":
        try:
            run = department.start_screening(user)
        except ValidationError as e:
            form, screen_error = FeedUploadForm(feeds=allowed), "；".join(e.messages)
        else:
            return redirect("screening_run", pk=run.pk)
    elif request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with files.saved(upload.chunks()) as path:
            try:
                row = department.upload(user, form.cleaned_data["feed"], path, upload.name,
                                        month=form.cleaned_data["month"])
            except FeedError as e:
                problems = e
            except ValidationError as e:
                form.add_error(None, e.messages)
            else:
                after = ("下一步：县乡村振兴局将本文件与户籍库比对，疑似风险作为预警下发到所在村入户核实；"
                         "身份证号无效、姓名不符或户籍库中无此人的行列在比对结果中，可导出后核对更正。")
                messages.success(request, f"已接收{row.filename}：{row.row_count}行（{row.extract_label}），"
                                          f"SHA-256 {row.sha256[:12]}…。{after}")
                return redirect("feeds")
    return render(request, "monitoring/feeds.html", {
        "form": form, "problems": problems, "uploads": ms.uploads(user=user), "runs": ms.runs(user=user),
        "can_screen": access.can(user, "monitoring.screen"), "feeds": allowed, "screen_error": screen_error})


UNMATCHED_COLUMNS = [
    listing.Column("department", "部门数据", lambda r: r["p"].upload.get_feed_display(), width=16),
    listing.Column("file", "文件", lambda r: r["p"].upload.filename, width=28),
    listing.Column("row", "行", lambda r: r["p"].row, num=True, width=8),
    listing.Column("status", "比对结果", lambda r: r["label"], width=16),
    listing.Column("id_number", "身份证号", lambda r: r["id_number"], width=22),
    listing.Column("name", "姓名（部门）", lambda r: r["p"].name),
    listing.Column("registry_name", "姓名（户籍）", lambda r: r["p"].registry_name),
    listing.Column("count", "行数", lambda r: r["p"].count, num=True, width=8),
]


def screening_run(request, pk: int):
    access.require(request.user, "monitoring.screen")
    run = ms.run_get(user=request.user, pk=pk)
    if request.GET.get("format") == "xlsx":  # every unmatched row, for the departments to correct their files
        rows = ({"p": p, "id_number": id_number_for(request.user, p.id_number), "label": STATUS_LABELS[p.status]}
                for p in ms.run_problems(user=request.user, run=run, limit=None).iterator(chunk_size=2000))
        return list_xlsx(request, "比对未匹配的行", [f"筛查比对第{run.pk}次", f"{timezone.localtime(run.created_at):%Y-%m-%d %H:%M}"],
                         UNMATCHED_COLUMNS, rows)
    problems = [{"p": p, "id_number": id_number_for(request.user, p.id_number), "label": STATUS_LABELS[p.status]}
                for p in ms.run_problems(user=request.user, run=run)]
    return render(request, "monitoring/run.html", {
        "run": run, "problems": problems, "status_labels": STATUS_LABELS,
        "running": run.status in (ScreeningRun.Status.QUEUED, ScreeningRun.Status.RUNNING)})


@require_http_methods(["GET", "POST"])
def warning_detail(request, pk: int):
    w = ms.warning_get(user=request.user, pk=pk)
    registry_selectors.attach_head_names([w.household])
    can_verify = (w.status == "open" and access.can(request.user, "monitoring.verify")
                  and access.covers(request.user, w.household.village_id))
    falls = warning_queue.income_falls(w)
    form = VerifyForm(request.POST or None, income_fall=falls) if can_verify else None
    if request.method == "POST":
        if not can_verify:
            raise PermissionDenied("只有本村的村级用户可以核实预警")
        if form.is_valid():
            d = form.cleaned_data
            try:
                w = department.verify(request.user, w, at_risk=d["at_risk"], note=d["note"],
                                      monitor_type=d["monitor_type"], income_measure=d.get("income_measure", ""))
            except ValidationError as e:
                _errors(form, e)
            else:
                messages.success(request, "已核实" + ("，已发起识别纳入" if w.case_id else ""))
                return redirect("case_detail", pk=w.case_id) if w.case_id else redirect("monitoring_home")
    return render(request, "monitoring/warning.html", {"w": w, "form": form, "risk_labels": RISK_LABELS,
                                                       "sources": ms.warning_sources(w), "falls": falls})


@require_http_methods(["GET", "POST"])
def case_detail(request, pk: int):
    """One case: its record, every transition, the open items; the user's level acts here (and holds the case while
    deciding)."""
    case = ms.case_get(user=request.user, pk=pk)
    level = access.workflow_level(request.user)
    steps = workflow.steps_from(case.state, level) if access.covers(request.user, case.household.village_id) else []
    if request.method == "GET" and workflow.turn_of(case.state, level) and steps:
        workflow.claim(request.user, case)
    appraisal = AppraisalForm(request.POST if request.POST.get("action") == "appraise" else None,
                              initial={"appraisal_date": timezone.localdate()})
    if request.method == "POST" and request.POST.get("action") == "hand_over":
        mates = {u.pk: u for u in ms.colleagues(user=request.user, case=case)}
        try:
            workflow.hand_over(request.user, case, mates.get(_int(request.POST.get("colleague"))),
                               version=_int(request.POST.get("version"), -1), reason=request.POST.get("reason", ""))
        except workflow.Conflict as e:
            messages.error(request, str(e))
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        else:
            messages.success(request, "已移交")
        return redirect("case_detail", pk=case.pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        data = {}
        if action == "appraise":
            if not appraisal.is_valid():
                return _case_page(request, case, steps, appraisal)
            d = appraisal.cleaned_data
            data["appraisal"] = {"date": d["appraisal_date"], "attendance": d["appraisal_attendance"],
                                 "record": d["appraisal_record"]}
        try:
            version = _int(request.POST.get("version"), -1)
            workflow.act(request.user, case, action, version=version, reason=request.POST.get("reason", ""), **data)
        except workflow.Conflict as e:
            messages.error(request, str(e))
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
        else:
            case.refresh_from_db()
            messages.success(request, f"已办理：{case.get_state_display()}")
        return redirect("case_detail", pk=case.pk)
    return _case_page(request, case, steps, appraisal)


def _case_page(request, case, steps, appraisal):
    today = timezone.localdate()
    registry_selectors.attach_head_names([case.household])
    level = access.workflow_level(request.user)
    may_hand = (bool(steps) and workflow.turn_of(case.state, level)
                and (not case.assignee_id or case.assignee_id == request.user.pk or not case.assignee.is_active))
    return render(request, "monitoring/case.html", {
        "mates": ms.colleagues(user=request.user, case=case) if may_hand else [],
        "case": case, "steps": steps, "appraisal": appraisal, "holder": workflow.holder(case),
        "transitions": case.transitions.select_related("user"), "items": case.open_items.all(), "today": today,
        "level_labels": workflow.LEVEL_LABELS,
        "notice_open": case.state == "notice" and case.notice_end and today <= case.notice_end})


def _benefit_choices(user, household) -> list[tuple[str, str]]:
    as_of, _ = entitlements.default_date(household.village_id, timezone.localdate())
    owed = entitlements.for_households(user=user, household_ids=[household.pk], village_code=household.village_id,
                                       as_of=as_of)
    seen, out = set(), []
    for r in owed.rows:
        key = f"{r['document_id']}:{r['benefit_id']}"
        if key not in seen:
            seen.add(key)
            out.append((key, f"{r['benefit_name']}（{r['document_number']}第{r['clause']}条，{r['amount'] / 100:.2f}元）"))
    return out


@require_http_methods(["GET", "POST"])
def household_monitoring(request, pk: int):
    """监测帮扶 of one household: status, cases, warnings, the contact cadre and the measures; start a case here."""
    household = registry_selectors.household_get_named(user=request.user, pk=pk)
    user = request.user
    in_area = access.covers(user, household.village_id)
    can_open = access.workflow_level(user) == "village" and in_area
    can_assist = access.can(user, "monitoring.assist") and in_area
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if post else None
    benefits = _benefit_choices(user, household) if can_assist else []
    cadres = ms.cadre_choices(user=user, household=household) if can_assist else []
    forms = {
        "enroll": OpenCaseForm(post if action == "enroll" else None),
        "eliminate": EliminationForm(post if action == "eliminate" else None),
        "cadre": CadreForm(post if action == "cadre" else None, cadres=cadres, initial={"since": timezone.localdate()}),
        "measure": MeasureForm(post if action == "measure" else None, benefits=benefits,
                               initial={"start": timezone.localdate()}),
        "guarantee": GuaranteeForm(post if action == "guarantee" else None,
                                   members=registry_selectors.household_members(user=user, household=household),
                                   initial={"found_on": timezone.localdate()}),
        "guarantee_update": GuaranteeUpdateForm(post if action == "guarantee_update" else None),
    }
    if post:
        if (action in ("enroll", "eliminate") and not can_open) or (action in (
                "cadre", "measure", "measure_status", "end_cadre", "guarantee", "guarantee_update") and not can_assist):
            raise PermissionDenied("您无权办理该户的监测帮扶")
        try:
            done = _household_action(user, household, action, forms, request.POST)
        except (workflow.Conflict, ValidationError) as e:
            form = forms.get(action)
            if form is not None and isinstance(e, ValidationError):
                _errors(form, e)  # shown beside the form, which keeps what was typed
            else:
                messages.error(request, "；".join(e.messages) if isinstance(e, ValidationError) else str(e))
                return redirect("household_monitoring", pk=pk)
        else:
            if isinstance(done, Case):
                messages.success(request, f"已发起{done.get_kind_display()}")
                return redirect("case_detail", pk=done.pk)
            if done is not None:
                messages.success(request, done)
                return redirect("household_monitoring", pk=pk)
    failures = criteria.failures(household, today=timezone.localdate()) if household.at_risk else []
    return render(request, "monitoring/household.html", {
        "household": household, "m": ms.household_monitoring(user=user, household=household), "forms": forms,
        "can_open": can_open, "can_assist": can_assist, "failures": failures,
        "monitored": household.at_risk,
        "cadre_end_blocked": workflow.cadre_may_end(household), "status_choices": Measure.Status.choices,
        "no_roster": can_assist and not cadres, "guarantees": guarantees.household_status(household)})


def _household_action(user, household, action, forms, post):
    """Returns a Case, a message, or None when the form is invalid."""
    form = forms.get(action)
    if form is not None and not form.is_valid():
        return None
    d = form.cleaned_data if form is not None else {}
    if action == "enroll":
        return workflow.open_case(user, household, kind=Case.Kind.ENROLLMENT, channel=d["channel"],
                                  monitor_type=d["monitor_type"], risk_causes=d["risk_causes"],
                                  green_cause=d["green_cause"])
    if action == "eliminate":
        return workflow.open_case(user, household, kind=Case.Kind.ELIMINATION, risk_causes=d["risk_causes"])
    if action == "cadre":
        cadre = next((c for c in ms.cadre_choices(user=user, household=household) if c.pk == d["cadre"]), None)
        if cadre is None:
            raise ValidationError({"cadre": "请从名册中选择帮扶联系人"})
        c = assistance.assign_cadre(user, household, cadre=cadre, since=d["since"])
        return f"帮扶联系人：{c.name}"
    if action == "guarantee":
        members = {m.pk: m for m in registry_selectors.household_members(user=user, household=household)}
        g = guarantees.add(user, household, kind=d["kind"], description=d["description"], found_on=d["found_on"],
                           person=members.get(d["person"]), measure=d["measure"])
        return f"已登记{g.get_kind_display()}问题"
    if action == "guarantee_update":
        problem = ms.guarantee_get(household=household, pk=_int(post.get("problem")))
        guarantees.update(user, problem, measure=d["measure"], cleared_on=d["cleared_on"])
        return f"{problem.get_kind_display()}问题已{'清零' if d['cleared_on'] else '更新措施'}"
    if action == "end_cadre":
        assistance.end_cadre(user, household, reason=post.get("reason", ""))
        return "已解除帮扶联系人"
    if action == "measure":
        m = assistance.add_measure(user, household, kind=d["kind"], description=d["description"], status=d["status"],
                                   start=d["start"], end=d["end"], benefit=d["benefit"])
        return f"已新增措施：{m.get_kind_display()}"
    if action == "measure_status":
        status_form = MeasureStatusForm(post)
        if not status_form.is_valid():
            raise ValidationError("落实情况填写有误")
        measure = ms.measure_get(household=household, pk=_int(post.get("measure")))
        assistance.update_measure(user, measure, status=status_form.cleaned_data["status"],
                                  end=status_form.cleaned_data["end"])
        return "已更新落实情况"
    raise ValidationError("未知操作")


def household_plan(request, pk: int, pdf: bool = False):
    """一户一策: the printable household plan (HTML for the browser's print, or PDF)."""
    household = registry_selectors.household_get_named(user=request.user, pk=pk)
    members = [{"m": m, "id_number": id_number_for(request.user, m.id_number)}
               for m in registry_selectors.household_members(user=request.user, household=household)]
    context = {"household": household, "members": members, "m": ms.household_monitoring(user=request.user,
                                                                                          household=household),
               "today": timezone.localdate(), "pdf": pdf}
    if not pdf:
        return render(request, "monitoring/plan.html", context)
    from . import pdf as pdf_output  # WeasyPrint loads only when a PDF is asked for

    html = render_to_string("monitoring/plan.html", context, request=request)
    data = pdf_output.from_html(html, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename=plan-{household.number}.pdf"
    return response


def _list_page(request, spec, *, template, unit="条"):
    """A monitoring list (web.lists): filtered, sorted, paged, and exported as shown."""
    sel = lists.select(spec, request.user, request.GET)
    if request.GET.get("format") == "xlsx":
        return list_export(request, sel)
    page = CappedPaginator(sel.queryset, 50).get_page(request.GET.get("page"))
    rows = list(spec.rows(request.user, page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {
        "title": spec.title, "form": sel.form, "page": page, "rows": rows, "query": query.urlencode(),
        "today": timezone.localdate(), "headers": listing.headers(spec.columns, sel.sort, request.GET.dict()),
        "export": listing.export_link(request.GET.dict()), "unit": unit})


def warning_list(request):
    """预警清单: every warning of the user's area, by division, status and risk."""
    return _list_page(request, lists.WARNINGS, template="monitoring/warning_list.html")


def case_list(request):
    """案件清单: every identification and elimination case of the user's area, by division, stage and kind."""
    return _list_page(request, lists.CASES, template="monitoring/case_list.html", unit="件")


def income_flag_list(request):
    """收入核算预警户: households below the line, at its edge or whose income fell sharply, by year, division and case."""
    return _list_page(request, lists.INCOME_FLAGS, template="monitoring/income_list.html", unit="户")


def guarantee_list(request):
    """两不愁三保障和饮水安全问题清单: the problems of the user's area (open ones by default), with the units one level
    below and how many households have one open of each kind: a unit with none is 清零."""
    if "status" not in request.GET and request.GET.get("format") != "xlsx":
        query = request.GET.copy()
        query["status"] = "open"
        request.GET = query
    unit, trail = area_and_trail(request)
    sel = lists.select(lists.GUARANTEES, request.user, request.GET)
    if request.GET.get("format") == "xlsx":
        return list_export(request, sel)
    page = CappedPaginator(sel.queryset, 50).get_page(request.GET.get("page"))
    rows = list(lists.GUARANTEES.rows(request.user, page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    counts = {r["code"]: r for r in guarantees.open_counts(request.user, unit)}
    below = [{"unit": u, **counts.get(u.code, {k: 0 for k in GuaranteeProblem.Kind.values})}
             for u in registry_selectors.orgunit_children(user=request.user, code=unit.code).order_by("code")
             ] if unit.level != "village" else []
    return render(request, "monitoring/guarantee_list.html", {
        "title": lists.GUARANTEES.title, "form": sel.form, "page": page, "rows": rows, "query": query.urlencode(),
        "today": timezone.localdate(), "headers": listing.headers(lists.GUARANTEES.columns, sel.sort, request.GET.dict()),
        "export": listing.export_link(request.GET.dict()), "unit": "条", "below": below, "area": unit, "trail": trail,
        "kinds": GuaranteeProblem.Kind.choices})


def measure_list(request):
    """帮扶措施清单: every household's measures in the user's area, by division, kind and status."""
    return _list_page(request, lists.MEASURES, template="monitoring/measure_list.html", unit="项")


# --- the cadre roster -----------------------------------------------------------------------------------------------

def _roster_units(user):
    """Where a user may register cadres: the own unit, and for a township or county each unit below (grouped)."""
    own = user.org_unit
    units = [(own.code, own.name)]
    townships = list(registry_selectors.townships(user=user))
    villages = list(registry_selectors.villages(user=user).select_related("parent"))
    if townships and own.level != "township":
        units.append(("乡镇", [(t.code, t.name) for t in townships]))
    by_township: dict[str, list] = {}
    for v in villages:
        if v.code != own.code:
            by_township.setdefault(v.parent.name, []).append((v.code, v.name))
    units += [(f"{name}各村", vs) for name, vs in by_township.items()]
    return units


@require_http_methods(["GET", "POST"])
def cadre_list(request):
    """帮扶干部名册: the cadres of the user's area and the units above, with how many households each is paired with;
    users who assist register cadres here."""
    user = request.user
    access.require(user, "monitoring.read")
    can_edit = access.can(user, "monitoring.assist")
    add = CadreAddForm(request.POST if request.method == "POST" else None,
                       units=_roster_units(user) if can_edit else ())
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied("您的角色无权登记帮扶干部")
        if add.is_valid():
            try:
                d = add.cleaned_data
                cadre = assistance.add_cadre(user, org_unit_id=d["org_unit"], name=d["name"], unit=d["unit"],
                                             phone=d["phone"])
            except ValidationError as e:
                _errors(add, e)
            else:
                messages.success(request, f"已登记帮扶干部：{cadre.name}")
                return redirect("cadre_list")
    sel = lists.select(lists.CADRES, user, request.GET)
    if request.GET.get("format") == "xlsx":
        return list_export(request, sel)
    page = CappedPaginator(sel.queryset, 50).get_page(request.GET.get("page"))
    rows = lists.CADRES.rows(user, page.object_list)
    rows = list(rows)
    for c in rows:  # a cadre registered above the user's unit is read here, edited there
        c.editable = can_edit and access.covers(user, c.org_unit_id)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "monitoring/cadre_list.html", {
        "form": sel.form, "add": add if can_edit else None, "page": page, "rows": rows, "query": query.urlencode(),
        "headers": listing.headers(lists.CADRE_COLUMNS, sel.sort, request.GET.dict()),
        "export": listing.export_link(request.GET.dict())})


@require_http_methods(["GET", "POST"])
def cadre_edit(request, pk: int):
    """One cadre of the roster: change the unit or phone, or take the cadre off the roster; with the change record."""
    cadre = ms.cadre_get(user=request.user, pk=pk)
    form = CadreEditForm(request.POST if request.method == "POST" else None,
                         initial={"unit": cadre.unit, "phone": cadre.phone, "active": cadre.active})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            assistance.update_cadre(request.user, cadre, unit=d["unit"], phone=d["phone"], active=d["active"],
                                    reason=d["reason"])
        except ValidationError as e:
            _errors(form, e)
        else:
            messages.success(request, f"已保存：{cadre.name}")
            return redirect("cadre_list")
    return render(request, "monitoring/cadre_edit.html", {
        "cadre": cadre, "form": form, "unit_label": lists.unit_label(cadre.org_unit),
        "pairings": ms.cadre_current_households(cadre=cadre),
        "history": history_lines.describe_all(ms.cadre_history(cadre=cadre), request.user)})


DISASTER_COLUMNS = [
    listing.Column("name", "受灾村", lambda r: r["name"], width=24),
    listing.Column("n", "受灾户", lambda r: r["n"], num=True),
    listing.Column("opened", "绿色通道纳入", lambda r: r["opened"], num=True),
    listing.Column("other", "已办理：原已监测或有办理中案件", lambda r: r["other"], num=True),
    listing.Column("pending", "尚未办理", lambda r: r["pending"], num=True),
]


@require_http_methods(["GET", "POST"])
def disaster_event(request, pk: int):
    """灾害事件: the affected households per village and how each was handled; the county bureau enrolls them in
    bulk here (green channel: enrolled first, procedure after)."""
    user = request.user
    event = ms.disaster_get(user=user, pk=pk)
    can_enroll = access.can_keep(user, "disasters") and access.covers(user, event.county_id)
    if request.method == "POST":
        if not can_enroll:
            raise PermissionDenied("只有本县乡村振兴局可以批量纳入受灾户")
        if not disasters.start(user, event):
            messages.warning(request, "本事件的批量纳入正在进行中，请稍后刷新本页查看结果")
            return redirect("disaster_event", pk=pk)
        event.refresh_from_db()
        if event.enrolling_since is None:  # done already (a short list, or the job runner in the request)
            messages.success(request, f"批量纳入完成：{event.enroll_summary}")
        else:
            messages.success(request, "已开始批量纳入：在后台逐户办理，户数多时需要几分钟，稍后刷新本页查看各村计数")
        return redirect("disaster_event", pk=pk)
    rows = disasters.by_village(user, event)
    totals = {c.key: sum(r[c.key] for r in rows) for c in DISASTER_COLUMNS[1:]}
    if request.GET.get("format") == "xlsx":
        return list_xlsx(request, f"{event.name}受灾户纳入情况", [f"事件编号：{event.code}"], DISASTER_COLUMNS, rows,
                         totals=totals)
    return render(request, "monitoring/disaster.html", {
        "event": event, "rows": rows, "totals": totals, "can_enroll": can_enroll and totals["pending"] > 0 and event.enrolling_since is None,
        "export": listing.export_link(request.GET.dict())})


@require_http_methods(["GET", "POST"])
def civil_affairs(request):
    """民政衔接: the referrals to civil affairs by kind and answer; the county bureau generates the list here, sends its
    Excel to civil affairs and imports their answers through the referrals ledger."""
    user = request.user
    access.require(user, "ledgers.read")
    can_generate = access.can_keep(user, "referrals")
    if request.method == "POST":
        if not can_generate:
            raise PermissionDenied("只有县乡村振兴局可以生成向民政转介的名单")
        done = referrals.generate(user)
        messages.success(request, f"已生成转介名单：新增{done.new}条，已转介过的{done.known}条不重复转介")
        return redirect("civil_affairs")
    return render(request, "monitoring/civil_affairs.html", {
        "rows": referrals.counts(user), "can_generate": can_generate, "rules": referrals.RULES.referrals,
        "can_feeds": access.can(user, "department.upload") or access.can(user, "monitoring.screen"),
        "results": Referral.Result.choices})


PARAMETER_COLUMNS = [
    listing.Column("group", "类别", lambda r: r["group"], width=20),
    listing.Column("label", "参数", lambda r: r["label"], width=36),
    listing.Column("unit", "单位", lambda r: r["unit"], width=6),
    listing.Column("default", "系统默认值", lambda r: r["default"], num=True),
    listing.Column("value", "本县现行值", lambda r: r["value"], num=True),
    listing.Column("since", "本县起始日期", lambda r: r["since"], width=12),
    listing.Column("reason", "调整依据", lambda r: r["reason"], width=30),
]


@require_http_methods(["GET", "POST"])
def monitoring_parameters(request):
    """监测参数: the county's procedure days and warning thresholds on the day, the defaults beside them, and every
    change with who and why; the county bureau sets its own from a date on."""
    user = request.user
    access.require(user, "monitoring.read")
    today = timezone.localdate()
    counties = list(registry_selectors.counties(user=user))
    if user.org_unit.level in ("county", "township", "village"):
        county = parameters.county_of(user.org_unit.code)
    else:  # a city's or province's user picks one of its counties
        asked = request.GET.get("county", "")
        county = next((c.code for c in counties if c.code == asked), counties[0].code if counties else None)
    if county is None:
        raise PermissionDenied("您的管辖范围内没有县")
    can_set = access.can(user, "monitoring.line") and access.covers(user, county) and user.org_unit.level == "county"
    choices = [(k, f"{p.group}：{p.label}（{p.unit}）") for k, p in parameters.PARAMETERS.items()]
    form = ParameterForm(request.POST or None, choices=choices, initial={"valid_from": today})
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied("只有本县乡村振兴局可以设置监测参数")
        if form.is_valid():
            d = form.cleaned_data
            try:
                parameters.set_value(user, county=county, key=d["key"], valid_from=d["valid_from"], value=d["value"],
                                     reason=d["reason"])
            except ValidationError as e:
                _errors(form, e)
            else:
                messages.success(request, f"已设置：{parameters.PARAMETERS[d['key']].label}，自{d['valid_from']:%Y-%m-%d}起为"
                                          f"{d['value'].normalize():f}")
                return redirect("monitoring_parameters")
    rows = parameters.table(county, today)
    name = names.names_of([county]).get(county, county)
    if request.GET.get("format") == "xlsx":
        return list_xlsx(request, "监测参数", [f"{name}，{today:%Y-%m-%d}"], PARAMETER_COLUMNS, rows)
    labels = {k: p.label for k, p in parameters.PARAMETERS.items()}
    changes = [{"h": h, "label": labels.get(h.key, h.key)} for h in parameters.history(county)[:200]]
    return render(request, "monitoring/parameters.html", {
        "rows": rows, "county": county, "county_name": name, "counties": counties if len(counties) > 1 else [],
        "form": form if can_set else None, "changes": changes, "today": today,
        "export": listing.export_link(request.GET.dict())})


RELOCATION_COLUMNS = [
    listing.Column("household", "户", lambda r: f"{r.household.head_name or '（未登记户主）'} {r.household.number}",
                   ("household__number",), width=30),
    listing.Column("village", "现住村", lambda r: r.household.village.parent.name + r.household.village.name,
                   ("household__village_id", "household__number"), width=20),
    listing.Column("category", "户类别", lambda r: r.household.get_category_display(), width=10),
    listing.Column("relocated_on", "搬迁入住日期", lambda r: r.relocated_on, ("relocated_on",), width=12),
    listing.Column("moved_from", "迁出村", lambda r: r.moved_from.name if r.moved_from else "", ("moved_from_id",),
                   width=16),
    listing.Column("persons", "人口", lambda r: r.persons, ("persons",), num=True),
    listing.Column("laborers", "劳动力", lambda r: r.laborers, ("laborers",), num=True),
    listing.Column("employed", "当年务工就业", lambda r: r.employed, ("employed",), num=True),
    listing.Column("measures", "落实中或已完成的帮扶措施", lambda r: r.measures, ("measures",), num=True),
]


def relocation_site(request, pk: int):
    """安置点后续扶持: each relocated household of the site in the reader's area with its laborers and those at work
    this year, and its measures; filtered by division and work, sorted by any column, exported as shown."""
    user = request.user
    site = ms.relocation_site_get(user=user, pk=pk)
    form = lists.filter_form(user, RelocationFilterForm, request.GET)
    form.fields["work"].choices = [("", "全部"), *ms.WORK_FILTERS.items()]
    form.is_valid()
    params = getattr(form, "cleaned_data", {})
    year = params.get("year") or ms.relocation_year(site=site)
    area = lists.area_of(params)
    qs, current = listing.sort(ms.relocation_follow_up(user=user, site=site, year=year, area=area,
                                                       work=params.get("work", "")),
                               RELOCATION_COLUMNS, request.GET.get("sort", ""), "household")
    title = f"{site.name}后续扶持情况"
    if request.GET.get("format") == "xlsx":
        def rows():
            for chunk in listing.batches(qs.iterator(chunk_size=2000), 2000):
                registry_selectors.attach_head_names([r.household for r in chunk])
                yield from chunk
        return list_xlsx(request, title, [f"安置点编号：{site.code}", f"{year}年", *lists.filters_text(form, params)],
                         RELOCATION_COLUMNS, rows())
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    registry_selectors.attach_head_names([r.household for r in rows])
    totals = ms.relocation_totals(user=user, site=site, year=year, area=area)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "monitoring/relocation_site.html", {
        "title": title, "site": site, "rows": rows, "page": page, "year": year, "totals": totals, "form": form,
        "headers": listing.headers(RELOCATION_COLUMNS, current, request.GET.dict()), "unit": "户",
        "export": listing.export_link(request.GET.dict()), "query": query.urlencode()})
