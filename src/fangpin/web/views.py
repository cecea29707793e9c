"""Pages. Thin: they parse the request, call selectors and services, and render templates."""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from fangpin.lib.pagination import CappedPaginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseServerError, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.core.paginator import Paginator
from django.urls import reverse
from django.template import loader
from django.views.decorators.http import require_http_methods

from fangpin.accounts import access
from fangpin.accounts.masking import age_on, birth_date_for, id_number_for, may_search_by_id_number
from fangpin.exchange import exporter, jobs, list_exports, workbooks
from fangpin.lib import files, listing
from fangpin.lib.busy import BUSY_MESSAGE, is_busy
from fangpin.monitoring import selectors as monitoring_selectors
from fangpin.monitoring import services as monitoring
from fangpin.monitoring.models import Band
from fangpin.payments import accounts as payee_accounts
from fangpin.payments import ledger as payment_ledger
from fangpin.policies import batch, catalog, entitlements, funding, parameters, roster, simulate
from fangpin.registry import history as history_lines
from fangpin.registry import overview
from fangpin.registry import selectors, services
from fangpin.orgunits import names
from fangpin.orgunits.models import OrgUnit

from . import lists
from .forms import (
    EnterpriseAccountForm,
    PayeeAccountForm,
    AreaForm,
    AuditForm,
    EnterpriseSearchForm,
    HouseholdForm,
    ImportForm,
    MemberForm,
    MonitoringLineForm,
    NewHouseholdForm,
    NewMemberForm,
    ParameterValueForm,
    SimulateForm,
)


def home(request):
    user = request.user
    if not access.can(user, "registry.read"):
        return render(request, "web/home_department.html")
    unit, trail = area_and_trail(request)
    rows = selectors.area_counts(user=user, unit=unit)
    monitoring = access.can(user, "monitoring.read")
    monitoring_rows = monitoring_selectors.area_counts(user=user, today=dt.date.today(), unit=unit) if monitoring else []
    dashboard = overview.dashboard(rows, monitoring_rows, unit=unit, monitoring=monitoring)
    return render(request, "web/home.html", {"rows": dashboard["rows"], "totals": dashboard["totals"], "unit": unit,
                                             "trail": trail, "charts": dashboard["charts"], "monitoring": monitoring})


def area_and_trail(request) -> tuple[OrgUnit, list[OrgUnit]]:
    """The unit a rollup page shows (`?unit=`, the user's own by default; 404 outside the user's area) and the units
    from the user's down to it, for the links back up. Pages go one level at a time: a city's counties, a county's
    townships, a township's villages."""
    unit = selectors.area_unit(user=request.user, code=request.GET.get("unit", ""))
    if unit is None:
        raise Http404("该区划不存在或不在您的管辖范围内")
    return unit, selectors.trail(user=request.user, unit=unit)


def area_form(request, form_class, data=None, files=None):
    """A list's filter form with the division picker (`lists.filter_form`); `data`: a POST's (default: the query)."""
    return lists.filter_form(request.user, form_class, request.GET if data is None else data, files)


def household_list(request):
    sel = lists.select(lists.HOUSEHOLDS, request.user, request.GET)
    if request.GET.get("format") == "xlsx":
        return list_export(request, sel)
    page = CappedPaginator(sel.queryset, 50).get_page(request.GET.get("page"))
    rows = list(sel.spec.rows(request.user, page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    q = sel.params.get("q", "").strip()
    return render(request, "registry/household_list.html", {
        "form": sel.form, "page": page, "rows": rows, "query": query.urlencode(),
        "headers": listing.headers(sel.spec.columns, sel.sort, request.GET.dict()),
        "export": listing.export_link(request.GET.dict()),
        "id_search_refused": selectors.is_number_query(q) and not may_search_by_id_number(request.user),
        "can_write": access.can(request.user, "registry.write"),
    })


def list_export(request, sel: lists.Selection):
    """导出 Excel of a list as the user filtered and sorted it: made while the user waits up to
    listing.BACKGROUND_ABOVE rows; a larger selection becomes a background job (导出文件 page); one over
    listing.JOB_MAX is refused."""
    total = sel.queryset.count()
    if total > listing.JOB_MAX:
        messages.error(request, f"符合条件的共 {total:,} 行，超过导出上限 {listing.JOB_MAX:,} 行，"
                                "请按乡镇、村或其他条件缩小范围后再导出")
        return _back_to_list(request)
    if total > listing.BACKGROUND_ABOVE:
        try:
            job, queued = list_exports.submit(user=request.user, key=sel.spec.key, title=sel.spec.title,
                                              query=request.GET.dict(), filters=sel.filters, total=total,
                                              keys={*sel.form.fields, "sort"})
        except list_exports.Busy as e:
            messages.error(request, str(e))
            return redirect("export_jobs")
        messages.success(request, f"符合条件的共 {total:,} 行，已在后台生成，完成后可在“导出文件”页下载" if queued
                         else "同样条件的导出已在后台生成中，完成后可在本页下载")
        return redirect("export_jobs")
    return _xlsx(request, sel.spec.title, sel.write)


def filters_text(form, params) -> list[str]:
    return lists.filters_text(form, params)


def list_xlsx(request, title: str, filters: list[str], columns, rows, totals=None):
    """A page's rows as an Excel file made while the user waits (up to listing.EXPORT_MAX rows)."""
    return _xlsx(request, title, lambda p: listing.write_xlsx(p, title=title, filters=filters, columns=columns,
                                                              rows=rows, totals=totals))


def _xlsx(request, title: str, write):
    """The file `write(path)` makes, named after the list and the user's unit; too many rows: back to the list."""
    try:
        handle = files.built_file(write, ".xlsx")
    except listing.TooMany as e:
        messages.error(request, str(e))
        return _back_to_list(request)
    name = f"{title}-{request.user.org_unit.name}-{dt.date.today():%Y%m%d}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name)


def _back_to_list(request):
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("export", None)  # the indicator pages' ?export=xlsx: back to the page, not to the export again (a loop)
    return redirect(f"{request.path}?{query.urlencode()}")


def export_jobs(request):
    """导出文件: the user's recent background exports, their progress and, when done, the file."""
    jobs = list(list_exports.jobs_recent(user=request.user))
    rows = [{"job": j, "link": _list_link(j)} for j in jobs]
    return render(request, "exchange/export_jobs.html", {
        "rows": rows, "running": any(not j.finished for j in jobs), "keep_days": list_exports.KEEP_DAYS,
        "background_above": listing.BACKGROUND_ABOVE, "job_max": listing.JOB_MAX,
        "sheet_rows": listing.SHEET_ROWS})


def _list_link(job) -> str:
    """The list a job exported, with the filters and sort it had."""
    spec = lists.LISTS.get(job.list_key)
    name = spec.url_name if spec else {"roster": "benefit_roster"}.get(job.list_key)
    return reverse(name) + ("?" + urlencode(job.params) if job.params else "") if name else ""


def export_job_file(request, pk: int):
    job, path = list_exports.file_of(user=request.user, pk=pk)
    return FileResponse(open(path, "rb"), as_attachment=True, filename=list_exports.download_name(job))


def enterprise_list(request):
    access.require(request.user, "registry.read")
    form = EnterpriseSearchForm(request.GET or None)
    params = form.cleaned_data if form.is_valid() else {}
    qs = selectors.enterprise_list(user=request.user, q=params.get("q", ""), kind=params.get("kind", ""))
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "registry/enterprise_list.html", {"form": form, "page": page, "query": query.urlencode()})


def enterprise_detail(request, pk: int):
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    people = selectors.enterprise_people(user=request.user, enterprise=enterprise)
    masked = {key: [(r, id_number_for(request.user, r.member.id_number)) for r in rows] for key, rows in people.items()}
    history = history_lines.describe_all(list(enterprise.history.select_related("history_user")), request.user)
    as_of, as_of_note = _benefits_date(request, enterprise.org_unit_id)
    owed = entitlements.for_enterprise(user=request.user, enterprise=enterprise, as_of=as_of)
    # rows paid per person placed or trained name the person: among the people listed on this page
    persons = {r.member.id_number: (r.member.name, id_number) for rows in masked.values() for r, id_number in rows}
    owed_rows = [r | {"person": persons.get(r["id_number"], ("", ""))} for r in owed.rows]
    return render(request, "registry/enterprise_detail.html", {
        "enterprise": enterprise, "people": masked, "history": history,
        "payee_account": payee_accounts.enterprise_account(user=request.user, enterprise=enterprise),
        "can_write": access.can(request.user, "registry.write") and access.covers(request.user, enterprise.org_unit_id),
        "owed": owed, "owed_rows": owed_rows, "owed_total": sum(r["amount"] for r in owed.rows), "as_of_note": as_of_note,
    })


def household_detail(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    members = [
        {"member": m, "id_number": id_number_for(request.user, m.id_number),
         "birth_date": birth_date_for(request.user, m.birth_date), "age": age_on(m.birth_date, dt.date.today())}
        for m in selectors.household_members(user=request.user, household=household)
    ]
    household.head_name = next((m["member"].name for m in members if m["member"].relation == "head"), "")
    history = selectors.household_history(user=request.user, household=household)
    as_of, as_of_note = _benefits_date(request, household.village_id)
    owed = entitlements.for_households(user=request.user, household_ids=[household.pk],
                                       village_code=household.village_id, as_of=as_of)
    names = {row["member"].id_number: (row["member"].name, row["id_number"]) for row in members}
    paid_rows = payment_ledger.of_household(request.user, household)
    by_slot = {}
    for p in reversed(paid_rows):  # the newest row of a slot wins
        by_slot[(p.benefit_id, p.id_number or p.household_number, p.year)] = p
    owed_rows = [r | {"person": names.get(r["id_number"], ("", "")),
                      "payment": by_slot.get((r["benefit_id"], r["id_number"] or r["household_number"], r["year"]))}
                 for r in owed.rows]
    return render(request, "registry/household_detail.html", {
        "paid_rows": paid_rows,
        "owed": owed, "owed_rows": owed_rows, "owed_total": sum(r["amount"] for r in owed.rows), "as_of_note": as_of_note,
        "household": household, "members": members, "incomes": household.incomes.all(),
        "history": history_lines.describe_all(history, request.user),
        "payee_accounts": payee_accounts.accounts_of(user=request.user, household=household),
        "can_write": access.can(request.user, "registry.write") and access.covers(request.user, household.village_id),
    })


@require_http_methods(["GET", "POST"])
def household_create(request):
    access.require(request.user, "registry.write")
    villages = selectors.villages(user=request.user).select_related("parent")
    form = NewHouseholdForm(request.POST or None, villages=villages)
    head_form = NewMemberForm(request.POST or None, prefix="head")
    head_form.fields.pop("relation")
    if request.method == "POST" and form.is_valid() and head_form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "village"}
        try:
            household = services.household_create(
                user=request.user, village_code=form.cleaned_data["village"], head=head_form.cleaned_data, **data
            )
        except ValidationError as e:
            _attach(e, form, head_form)
        else:
            messages.success(request, f"已新增户 {household.number}")
            return redirect("household_detail", pk=household.pk)
    return render(request, "registry/household_form.html", {"form": form, "head_form": head_form, "title": "新增户"})


@require_http_methods(["GET", "POST"])
def household_edit(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    access.check_write(request.user, household.village_id)
    form = HouseholdForm(request.POST or None, instance=household)
    if request.method == "POST" and form.is_valid():
        try:
            services.household_update(user=request.user, household=selectors.household_get(user=request.user, pk=pk), **form.cleaned_data)
        except ValidationError as e:
            _attach(e, form)
        else:
            messages.success(request, "已保存")
            return redirect("household_detail", pk=pk)
    return render(request, "registry/household_form.html", {"form": form, "title": f"修改户 {household.number}", "household": household})


@require_http_methods(["GET", "POST"])
def member_create(request, pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    access.check_write(request.user, household.village_id)
    form = NewMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.member_create(user=request.user, household=household, **data)
        except ValidationError as e:
            _attach(e, form)
        else:
            messages.success(request, "已新增家庭成员")
            return redirect("household_detail", pk=pk)
    return render(request, "registry/member_form.html", {"form": form, "household": household, "title": "新增家庭成员"})


@require_http_methods(["GET", "POST"])
def payee_account_set(request, pk: int):
    """收款账户: record (or replace) the account a member of the household is paid into."""
    household = selectors.household_get(user=request.user, pk=pk)
    access.check_write(request.user, household.village_id)
    members = list(selectors.household_members(user=request.user, household=household))
    form = PayeeAccountForm(request.POST or None, members=members, initial={"since": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        member = next(m for m in members if m.pk == d["member"])
        try:
            payee_accounts.set_account(request.user, member, kind=d["kind"], bank=d["bank"],
                                       number=d["account_number"], holder=d["holder"], since=d["since"],
                                       proxy_relation=d["proxy_relation"], proxy_reason=d["proxy_reason"])
        except ValidationError as e:
            _attach(e, form)
        else:
            messages.success(request, f"已登记{member.name}的收款账户")
            return redirect(f"{reverse('household_detail', args=[pk])}#payee-accounts")
    return render(request, "registry/member_form.html", {"form": form, "household": household, "title": "登记收款账户"})


@require_http_methods(["GET", "POST"])
def enterprise_account_set(request, pk: int):
    """对公账户: record (or replace) the account an enterprise is paid into."""
    enterprise = selectors.enterprise_get(user=request.user, pk=pk)
    access.check_write(request.user, enterprise.org_unit_id)
    form = EnterpriseAccountForm(request.POST or None, initial={"holder": enterprise.name, "since": dt.date.today()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            payee_accounts.set_enterprise_account(request.user, enterprise, bank=d["bank"], number=d["account_number"],
                                                  holder=d["holder"], since=d["since"])
        except ValidationError as e:
            _attach(e, form)
        else:
            messages.success(request, f"已登记{enterprise.name}的对公账户")
            return redirect(f"{reverse('enterprise_detail', args=[pk])}#payee-account")
    return render(request, "registry/enterprise_account_form.html", {"form": form, "enterprise": enterprise})


@require_http_methods(["GET", "POST"])
def member_edit(request, pk: int, member_pk: int):
    household = selectors.household_get(user=request.user, pk=pk)
    access.check_write(request.user, household.village_id)
    member = selectors.household_members(user=request.user, household=household).filter(pk=member_pk).first()
    if member is None:
        raise Http404
    form = MemberForm(request.POST or None, instance=member)
    if request.method == "POST" and form.is_valid():
        try:
            services.member_update(user=request.user, member=member, **form.cleaned_data)
        except ValidationError as e:
            _attach(e, form)
        else:
            messages.success(request, "已保存")
            return redirect("household_detail", pk=pk)
    return render(request, "registry/member_form.html", {"form": form, "household": household, "title": f"修改成员 {member.name}"})


def _as_of(request) -> dt.date:
    """The evaluation date from ?as_of=YYYY-MM-DD, or today."""
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return dt.date.today()


def _benefits_date(request, place_code: str) -> tuple[dt.date, str]:
    """The date benefits are computed on: the user's pick, else today or the last day a covering document was in
    force (with the note that says so)."""
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", "")), ""
    except ValueError:
        return entitlements.default_date(place_code, dt.date.today())


def _attach(error: ValidationError, *forms) -> None:
    for field, msgs in error.message_dict.items():
        target = next((f for f in forms if field in f.fields), forms[0])
        for m in msgs:
            target.add_error(field if field in target.fields else None, m)


@require_http_methods(["GET", "POST"])
def import_page(request):
    """Upload: the file is saved and imported by a background job; the job's page shows how far it has come."""
    access.require(request.user, "registry.import")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = jobs.import_submit(user=request.user, chunks=upload.chunks(), filename=upload.name)
        return redirect("import_job", pk=job.pk)
    return render(request, "exchange/import.html", {"form": form, "jobs": jobs.jobs_recent(user=request.user)})


def import_job(request, pk: int):
    job = jobs.job_get(user=request.user, pk=pk)
    return render(request, "exchange/import_job.html", {
        "job": job, "progress": jobs.progress(job), "form": ImportForm(), "running": not job.finished})


def import_job_report(request, pk: int):
    job = jobs.job_get(user=request.user, pk=pk)
    path = jobs.report_path(job)
    if path is None or not path.exists():
        raise Http404
    return FileResponse(open(path, "rb"), as_attachment=True, filename=f"{Path(job.filename).stem}-错误报告.xlsx")


def import_template(request):
    access.require(request.user, "registry.import")
    built = files.built_file(lambda path: workbooks.write_template(path, user=request.user), ".xlsx")
    return FileResponse(built, as_attachment=True, filename="防贫系统导入模板.xlsx")


def export(request):
    access.require(request.user, "registry.export")
    fmt = request.GET.get("format", "xlsx")
    name = f"防贫系统导出-{request.user.org_unit.name}"
    if fmt == "json":
        response = StreamingHttpResponse(exporter.iter_json(request.user), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}.json"
        return response
    if fmt != "xlsx":
        raise Http404
    user = request.user
    return FileResponse(files.built_file(lambda p: workbooks.write_export(user, p), ".xlsx"), as_attachment=True, filename=f"{name}.xlsx")


def permission_denied(request, exception=None):
    return render(request, "web/403.html", {"message": str(exception) if exception else ""}, status=403)


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):  # the API answers in JSON, also for a path it does not know
        return JsonResponse({"detail": "接口不存在"}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    # No request context: whatever failed (database, session, the user) must not fail the error page too.
    if is_busy(sys.exc_info()[1]):
        # Another writer held the database past the timeout (a session saved after a login, an edit): nothing was
        # saved; the user is told to retry, wherever in the request it happened.
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": BUSY_MESSAGE}, status=503)
        else:
            response = HttpResponse(loader.render_to_string("500.html", {
                "title": "系统正忙", "lead": f"{BUSY_MESSAGE}。", "advice": "这通常只持续几十秒。请稍候，再返回上一页重新提交。"}),
                status=503)
        response["Retry-After"] = "10"
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))



def policy_list(request):
    docs = parameters.documents(request.user)
    return render(request, "policies/policy_list.html", {"docs": docs})


@require_http_methods(["GET", "POST"])
def policy_detail(request, doc_id: str):
    doc = parameters.document(request.user, doc_id)
    on = _as_of(request)
    rows = parameters.rows(request.user, doc_id, on=on)
    editable = access.can_edit_policy(request.user, doc.regions)
    form = ParameterValueForm(request.POST or None, parameters=rows) if editable else None
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("只有管辖该文件全部适用区域的县级部门可以调整参数")
        if form.is_valid():
            try:
                parameters.set_value(request.user, doc_id, **form.cleaned_data)
            except ValidationError as e:
                form.add_error(None, e)
            else:
                messages.success(request, "参数已调整，变更已记录")
                return redirect("policy_detail", doc_id=doc_id)
    return render(request, "policies/policy_detail.html", {
        "doc": doc, "rows": rows, "on": on, "form": form, "editable": editable,
        "labels": {key: p.label for key, p in doc.parameters.items()}, "can_audit": access.can(request.user, "policy.edit"),
        "history": parameters.history(request.user, doc_id)})


@require_http_methods(["GET", "POST"])
def income_accounting(request):
    """收入核算: bands per village, the households flagged, the lines in force; a county bureau sets its county's line
    and runs the full accounting here."""
    access.require(request.user, "monitoring.read")
    user = request.user
    year = dt.date.today().year - 1
    asked = (request.POST.get("year") or request.GET.get("year") or "").strip()
    bad_year = bool(asked) and not (asked.isascii() and asked.isdigit()
                                    and monitoring.YEARS_FROM <= int(asked) <= dt.date.today().year)
    if asked:
        if not bad_year:
            year = int(asked)
        else:
            messages.error(request, f"年度应为 {monitoring.YEARS_FROM} 至 {dt.date.today().year} 年之间的数字，"
                                    f"以下为{year}年")
    county = user.org_unit.prefix if user.org_unit.level == "county" else None
    can_line = access.can(user, "monitoring.line") and county is not None
    form = MonitoringLineForm(request.POST if request.POST.get("action") == "line" else None, initial={"year": year})
    changes = None
    if request.method == "POST":
        if request.POST.get("action") == "line":
            if not can_line:
                raise PermissionDenied("只有县乡村振兴局可以设置本县的监测标准")
            if form.is_valid():
                d = form.cleaned_data
                try:
                    monitoring.set_line(user, region_prefix=county, year=d["year"], line_yuan=d["line"],
                                        edge_factor=d["edge_factor"], sharp_fall=d["sharp_fall"], reason=d["reason"],
                                        dibao_yuan=d["dibao"])
                except ValidationError as e:
                    form.add_error(None, e)
                else:
                    messages.success(request, f"已设置{d['year']}年本县监测标准")
                    return redirect(f"{request.path}?year={d['year']}")
        elif request.POST.get("action") == "recompute" and not bad_year:
            changes = monitoring.recompute(user, year)
            messages.success(request, f"{year}年收入全面核算完成，分档有变化的户 {len(changes)} 户；收入预警新增"
                                      f"{changes.warnings_new}条，并入同户同期预警{changes.warnings_joined}条"
                                      f"（已有{changes.warnings_known}条不重复生成），由村级入户核实")
    unit, trail = area_and_trail(request)
    rows = _band_rows(user, unit, year)
    columns = [listing.Column("name", "单位", lambda r: r["name"], width=20),
               *(listing.Column(key, label, lambda r, key=key: r[key], num=True) for key, label in Band.choices),
               listing.Column("total", "合计", lambda r: r["total"], num=True)]
    totals = {c.key: sum(r[c.key] for r in rows) for c in columns[1:]}
    if request.GET.get("format") == "xlsx":
        return list_xlsx(request, f"{year}年收入分档户数", [f"范围：{unit.name}"], columns, rows, totals=totals)
    area = {} if unit == user.org_unit else {unit.level: unit.code}
    flagged = lists.select(lists.INCOME_FLAGS, user, {"year": str(year), **area})
    return render(request, "monitoring/income.html", {
        "year": year, "rows": rows, "totals": totals, "bands": Band.choices, "unit": unit, "trail": trail,
        "flagged": list(lists.INCOME_FLAGS.rows(user, flagged.queryset[:FLAGGED_SHOWN])), "flagged_shown": FLAGGED_SHOWN,
        "flagged_link": reverse("income_flag_list") + "?" + urlencode({"year": year, **area}),
        "export": listing.export_link(request.GET.dict() | {"year": year}),
        "lines": monitoring_selectors.lines_for(user=user, year=year), "form": form if can_line else None,
        "can_recompute": access.can(user, "monitoring.recompute"), "changes": changes, "band_labels": dict(Band.choices),
        "village_names": names.names_of(c.village_code for c in changes or [])})


FLAGGED_SHOWN = 20


def _band_rows(user, unit, year: int) -> list[dict]:
    """Households per income band of the year for each unit one level below `unit`, from the maintained tallies; each
    row links one level down (a village: to its flagged households)."""
    out = []
    for r in monitoring_selectors.area_counts(user=user, today=dt.date.today(), unit=unit):
        row = {"code": r["code"], "name": r["name"], "level": r["level"]}
        for band in Band.values:
            row[band] = r.get(f"bands:{year}:{band}", 0)
        row["total"] = sum(row[b] for b in Band.values)
        if not row["total"]:
            continue
        down = ("income_flag_list", "village") if r["level"] == "village" else ("income_accounting", "unit")
        row["link"] = f"{reverse(down[0])}?{urlencode({'year': year, down[1]: r['code']})}"
        out.append(row)
    return out


ROSTER_PAGE = 100  # rows of the roster on a page (the totals above count them all; the Excel file has them all)


def benefit_roster(request):
    """待遇花名册: everyone of a village or township owed something on a date, with the totals by benefit and funding."""
    access.require(request.user, "registry.read")
    form = area_form(request, AreaForm)
    params = form.cleaned_data if form.is_valid() else {}
    area = lists.area_of(params) or request.user.org_unit_id
    context = {"form": form, "area": area, "roster": None}
    if area:
        try:
            as_of, note = dt.date.fromisoformat(request.GET.get("as_of", "")), ""
        except ValueError:
            as_of, note = entitlements.default_date(area, dt.date.today())
        result = roster.roster(user=request.user, area=area, as_of=as_of)
        if request.GET.get("format") == "xlsx" and result.too_many:  # a county's or city's: in the background
            export = lists.roster_export(request.user, request.GET.dict() | {"as_of": as_of.isoformat()})
            try:
                job, queued = list_exports.submit(user=request.user, key="roster", title=export.title,
                                                  query=request.GET.dict() | {"as_of": as_of.isoformat()},
                                                  filters=export.filters, keys={*form.fields, "as_of"})
            except list_exports.Busy as e:
                messages.error(request, str(e))
                return redirect("export_jobs")
            messages.success(request, "全部户的待遇花名册已在后台计算生成，完成后可在“导出文件”页下载" if queued
                             else "同样条件的花名册已在后台生成中，完成后可在本页下载")
            return redirect("export_jobs")
        if request.GET.get("format") == "xlsx":
            total = sum(r["amount"] for r in result.rows) / 100
            return list_xlsx(request, "待遇花名册", [*filters_text(form, params), f"计算日期：{as_of:%Y-%m-%d}"],
                             lists.ROSTER_COLUMNS, result.rows, totals={"amount": total})
        query = request.GET.copy()
        query.pop("page", None)
        context.update(rows_page=Paginator(result.rows, ROSTER_PAGE).get_page(request.GET.get("page")),
                       query=query.urlencode())
        context.update(roster=result, as_of=as_of, as_of_note=note, total=sum(r["amount"] for r in result.rows),
                       export=listing.export_link(request.GET.dict() | {"as_of": as_of.isoformat()}),
                       headers=listing.headers(lists.ROSTER_COLUMNS, "", {}), max_households=roster.MAX_HOUSEHOLDS)
    return render(request, "policies/roster.html", context)


def policy_simulate(request, doc_id: str):
    """模拟: what a parameter change would cost the user's area (or a township or village of it), by benefit, by who
    pays and by unit, on the registry as it stands."""
    access.require(request.user, "policy.read")
    doc = parameters.document(request.user, doc_id)
    form = area_form(request, SimulateForm)
    form.fields["key"].choices = [(key, p.label) for key, p in doc.parameters.items()]
    if not form.is_bound or "as_of" not in request.GET:
        last = doc.effective_to if doc.effective_to and doc.effective_to < dt.date.today() else dt.date.today()
        form.initial["as_of"] = last
    result, error = None, ""
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        value, problem = catalog.parse_value(doc.parameters[d["key"]].unit, d["value"])
        if problem:
            form.add_error("value", problem)
        else:
            area = d.get("village") or d.get("township") or request.user.org_unit_id
            result = simulate.on_registry(user=request.user, doc=doc, area=area, as_of=d["as_of"],
                                          changes={d["key"]: value})
            if result is None:
                error = f"所选范围超过 {simulate.MAX_HOUSEHOLDS:,} 户，请选择一个乡镇或村"
            else:
                villages = names.names_of(r["village_code"] for r in result["village"].to_dicts())
                result = {"households": result["households"], "benefit": result["benefit"].to_dicts(),
                          "level": [r | {"label": funding.label(r["level"])} for r in result["level"].to_dicts()],
                          "village": [r | {"name": villages.get(r["village_code"], "")} for r in result["village"].to_dicts()],
                          "parameter": doc.parameters[d["key"]], "value": value}
                result["total"] = {k: sum(r[k] for r in result["benefit"]) for k in ("baseline", "scenario", "change")}
    return render(request, "policies/simulate.html", {"doc": doc, "form": form, "result": result, "error": error})


AUDIT_COLUMNS = [
    listing.Column("finding", "审计发现", lambda r: r["finding"], width=10),
    listing.Column("benefit", "待遇", lambda r: r["benefit_name"], width=24),
    listing.Column("household", "户编号", lambda r: r["household_number"] or "", width=20),
    listing.Column("person", "身份证号", lambda r: r["id_number"] or "", width=22),
    listing.Column("credit_code", "经营主体信用代码", lambda r: r["credit_code"] or "", width=22),
    listing.Column("year", "年度", lambda r: r["year"], num=True, width=8),
    listing.Column("owed", "应享（元）", lambda r: r["owed"] / 100, num=True),
    listing.Column("paid", "已发（元）", lambda r: r["paid"] / 100, num=True),
    listing.Column("payments", "发放次数", lambda r: r["payments"], num=True, width=8),
    listing.Column("reason", "说明", lambda r: r["reason"], width=60),
]


@require_http_methods(["GET", "POST"])
def policy_audit(request, doc_id: str):
    """审计: a payments file against what the registry says was owed (应享未享, 重复享受, 违规享受), for a county
    bureau's area (or a township or village of it); the findings on the page and as Excel."""
    access.require(request.user, "policy.edit")
    doc = parameters.document(request.user, doc_id)
    posted = request.method == "POST"
    form = area_form(request, AuditForm, data=request.POST if posted else None, files=request.FILES if posted else None)
    last = doc.effective_to if doc.effective_to and doc.effective_to < dt.date.today() else dt.date.today()
    form.initial["as_of"] = last
    result, error = None, ""
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        area = d.get("village") or d.get("township") or request.user.org_unit_id
        upload = d["payments"] if d["source"] == "file" else None
        try:
            if upload is None:  # the system's own payment ledger
                got = batch.audit_registry(request.user, doc, area, None, d["as_of"])
            else:
                with files.saved(upload.chunks()) as path:
                    got = batch.audit_registry(request.user, doc, area, path, d["as_of"], upload.name)
        except ValueError as e:
            form.add_error("payments", str(e))
        else:
            if got is None:
                error = f"所选范围超过 {simulate.MAX_HOUSEHOLDS:,} 户，请选择一个乡镇或村"
            elif request.POST.get("export"):
                return list_xlsx(request, "发放审计", [f"{doc.number}", f"审计日期：{d['as_of']:%Y-%m-%d}",
                                                    f"发放记录：{upload.name if upload else '本系统的发放台账'}"],
                                 AUDIT_COLUMNS, got["findings"])
            else:
                counts: dict[str, int] = {}
                for f in got["findings"]:
                    counts[f["finding"]] = counts.get(f["finding"], 0) + 1
                result = got | {"counts": counts, "headers": listing.headers(AUDIT_COLUMNS, "", {})}
    return render(request, "policies/audit.html", {"doc": doc, "form": form, "result": result, "error": error})
