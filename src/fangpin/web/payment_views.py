"""Payment pages (政策兑现): rounds, their rows and notices, review and approval, bank files and returns, the ledger.
Thin: parse, call payments services and selectors, render."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from fangpin.accounts import access
from fangpin.exchange import bounded
from fangpin.lib import files, listing
from fangpin.lib.pagination import CappedPaginator
from fangpin.payments import applications as payment_applications
from fangpin.payments import approval, bankfiles, disbursement, notices, rounds
from fangpin.registry import selectors as registry_selectors
from fangpin.payments.models import PaymentRound
from fangpin.policies import parameters

from . import lists
from .forms import (ApplicationActForm, ApplicationForm, IssueForm, ObjectionAnswerForm, ObjectionForm, PartActionForm, ReasonForm, ReturnUploadForm,
                    RoundForm)
from .monitoring_views import _errors
from .views import list_export


def _list_page(request, spec, template: str, extra: dict | None = None):
    sel = lists.select(spec, request.user, request.GET)
    if request.GET.get("format") == "xlsx":
        return list_export(request, sel)
    page = CappedPaginator(sel.queryset, 50).get_page(request.GET.get("page"))
    rows = list(spec.rows(request.user, page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {
        "form": sel.form, "page": page, "rows": rows, "query": query.urlencode(),
        "headers": listing.headers(spec.columns, sel.sort, request.GET.dict()),
        "export": listing.export_link(request.GET.dict()), **(extra or {})})


def round_list(request):
    """兑现批次: the rounds reaching the user's area."""
    access.require(request.user, "payments.read")
    return _list_page(request, lists.ROUNDS, "payments/round_list.html",
                      {"can_create": access.can(request.user, "payments.manage")})


def _round_form(request):
    """The new-round form: the documents that apply in the user's county, the chosen one's payable benefits, the
    county and its townships as the area."""
    user = request.user
    county, townships = rounds.area_choices(user=user)
    docs = [d for d in parameters.catalog_with_overrides().values() if d.touches(county.code)]
    data = request.POST if request.method == "POST" else None
    chosen = (data or request.GET).get("document") or (docs[0].id if docs else "")
    form = RoundForm(data, initial={"document": chosen, "as_of": timezone.localdate(),
                                    "title": f"{timezone.localdate().year}年政策兑现"})
    form.fields["document"].choices = [(d.id, f"{d.number} {d.title}") for d in docs]
    doc = next((d for d in docs if d.id == chosen), None)
    form.fields["benefits"].choices = [
        (b.id, f"{b.name}（第{b.clause}条）" + ("：按审定的申请兑现" if b.amount.bound == "at_most" else ""))
        for b in rounds.payable_benefits(doc)] if doc else []
    form.fields["area"].choices = [(u.code, u.name) for u in (county, *townships)]
    return form, doc


@require_http_methods(["GET", "POST"])
def round_create(request):
    access.require(request.user, "payments.manage")
    form, doc = _round_form(request)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            rnd = rounds.create(request.user, title=d["title"], document_id=d["document"], benefit_ids=d["benefits"],
                                as_of=d["as_of"], area=d["area"])
        except ValidationError as e:
            _errors(form, e)
        else:
            rnd.refresh_from_db()
            messages.success(request, f"已创建第{rnd.pk}批" + ("，正在后台计算" if rnd.state == PaymentRound.State.COMPUTING
                                                             else f"：{rnd.get_state_display()}"))
            return redirect("round_detail", rnd.pk)
    return render(request, "payments/round_form.html", {"form": form, "doc": doc})


def round_detail(request, pk: int):
    """One round: its figures, each township's part with the steps the user may take, the villages' notices, the
    bank files and returns, and the history."""
    user = request.user
    rnd = rounds.round_get(user=user, pk=pk)
    manage = access.can(user, "payments.manage") and access.covers(user, rnd.county_id)
    issue_form = None
    if manage and rnd.state in (PaymentRound.State.APPROVED, PaymentRound.State.ISSUED):
        # the date of the round's last file again (the rows still waiting usually go out with it), unless it is past
        last = rnd.files.order_by("-id").first()
        paid_on = max(last.paid_on, timezone.localdate()) if last and last.paid_on else timezone.localdate()
        layout = last.layout if last and last.layout in bankfiles.layouts() else rounds.rules()["default_layout"]
        issue_form = IssueForm(initial={"layout": layout, "paid_on": paid_on})
        issue_form.fields["layout"].choices = [(k, v.label) for k, v in bankfiles.layouts().items()]
    files_ = list(rnd.files.prefetch_related("returns")) if manage else []
    labels = {k: v.label for k, v in bankfiles.layouts().items()}
    for f in files_:
        f.layout_label = labels.get(f.layout, "（已停用的格式）")
    return render(request, "payments/round_detail.html", {
        "round": rnd, "parts": rounds.parts_of(user, rnd), "notices": rounds.notices_of(user, rnd),
        "events": rnd.events.select_related("user", "part__township").order_by("-id")[:100], "manage": manage,
        "issue_form": issue_form, "files": files_, "upload": ReturnUploadForm() if manage else None,
        "waiting": rnd.waiting if rnd.state == PaymentRound.State.ISSUED else 0,
        "failed": rnd.failed if manage else 0,
        "today": timezone.localdate(), "benefits": _benefit_names(rnd)})


def _benefit_names(rnd: PaymentRound) -> list[str]:
    doc = parameters.catalog_with_overrides().get(rnd.document_id)
    names = {b.id: f"{b.name}（第{b.clause}条）" for b in doc.benefits} if doc else {}
    return [names.get(b, b) for b in rnd.benefit_ids]


@require_POST
def part_act(request, pk: int, part_pk: int):
    rnd = rounds.round_get(user=request.user, pk=pk)
    part = rnd.parts.filter(pk=part_pk).first()
    if part is None:
        raise PermissionDenied("没有该乡镇名单")
    form = PartActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请求不完整，请刷新后重试")
        return redirect("round_detail", pk)
    d = form.cleaned_data
    try:
        approval.act(request.user, part, d["action"], version=d["version"], reason=d["reason"])
    except approval.Conflict as e:
        messages.error(request, str(e))
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, f"{part.township.name}：已{'审核通过' if d['action'] == 'approve' else '退回'}")
    return redirect("round_detail", pk)


def round_rows(request, pk: int):
    rounds.round_get(user=request.user, pk=pk)
    if request.GET.get("round") != str(pk):
        query = request.GET.copy()
        query["round"] = str(pk)
        return redirect(f"{request.path}?{query.urlencode()}")
    return _list_page(request, lists.ROUND_ROWS, "payments/round_rows.html",
                      {"round": rounds.round_get(user=request.user, pk=pk)})


@require_http_methods(["GET", "POST"])
def row_detail(request, pk: int):
    """One row: its amount and explanation, the facts it was computed on, objections and their answers, and (while
    the village notices it) objection, withdrawal and the registry's differences to pull in."""
    user = request.user
    row = rounds.row_get(user=user, pk=pk)
    may_correct = (access.can(user, "payments.correct") and access.covers(user, row.village_id)
                   and row.part.state == "notice" and row.round.state == PaymentRound.State.OPEN)
    object_form, withdraw_form = ObjectionForm(), ReasonForm()
    answer_forms = {}
    if request.method == "POST":
        if not may_correct:
            raise PermissionDenied("该行现在不能修改")
        what = request.POST.get("what")
        try:
            if what == "object":
                object_form = ObjectionForm(request.POST)
                if object_form.is_valid():
                    rounds.raise_objection(user, row, **object_form.cleaned_data)
                    messages.success(request, "已登记异议")
                    return redirect("round_row", pk)
            elif what == "answer":
                objection = row.objections.filter(pk=request.POST.get("objection")).first()
                form = ObjectionAnswerForm(request.POST)
                if objection and form.is_valid():
                    rounds.answer_objection(user, objection, **form.cleaned_data)
                    messages.success(request, "已处理异议")
                    return redirect("round_row", pk)
                answer_forms[getattr(objection, "pk", None)] = form
            elif what == "withdraw":
                withdraw_form = ReasonForm(request.POST)
                if withdraw_form.is_valid():
                    rounds.withdraw(user, row, reason=withdraw_form.cleaned_data["reason"])
                    messages.success(request, "已撤回该行，本村名单重新公示")
                    return redirect("round_row", pk)
            elif what == "pull_in" and row.household_id:
                form = ReasonForm(request.POST)
                if form.is_valid():
                    n = rounds.pull_in(user, row.round, household_id=row.household_id,
                                       reason=form.cleaned_data["reason"])
                    messages.success(request, f"已按当前登记信息更正{n}行，本村名单重新公示" if n else "没有差异")
                    return redirect("round_row", pk)
        except ValidationError as e:
            messages.error(request, "；".join(e.messages))
    diff = None
    if may_correct and row.household_id and request.GET.get("diff"):
        diff = rounds.differences(user, row.round, household_id=row.household_id)
    objections = rounds.objections_of(row)
    for o in objections:
        o.form = answer_forms.get(o.pk) or (ObjectionAnswerForm() if not o.outcome and may_correct else None)
    return render(request, "payments/row_detail.html", {
        "row": row, "id_number": lists.id_number_for(user, row.id_number) if row.id_number else row.credit_code,
        "facts": rounds.facts_shown(row.facts), "objections": objections, "may_correct": may_correct,
        "object_form": object_form, "withdraw_form": withdraw_form, "pull_form": ReasonForm(), "diff": diff,
        "basis": f"{row.round.document_number}第{row.clause}条",
        "replaced_by": rounds.replaced_by(row)})


def notice(request, pk: int, village: str):
    """A village's public notice: HTML to print, ?format=xlsx or pdf. IDs and accounts are masked for everyone."""
    rnd = rounds.round_get(user=request.user, pk=pk)
    n = notices.notice_for(request.user, rnd, village)
    fmt = request.GET.get("format")
    name = f"公示-第{rnd.pk}批-{n.village_name}"
    if fmt == "xlsx":
        handle = files.built_file(lambda p: notices.write_xlsx(n, p), ".xlsx")
        return FileResponse(handle, as_attachment=True, filename=f"{name}.xlsx")
    context = {"n": n, "footer": notices.footer(n), "pdf": fmt == "pdf"}
    if fmt != "pdf":
        return render(request, "payments/notice.html", context)
    from . import pdf as pdf_output

    html = render_to_string("payments/notice.html", context, request=request)
    response = HttpResponse(pdf_output.from_html(html, base_url=request.build_absolute_uri("/")),
                            content_type="application/pdf")
    response["Content-Disposition"] = "inline; filename=notice.pdf"
    return response


@require_POST
def round_issue(request, pk: int):
    rnd = rounds.round_get(user=request.user, pk=pk)
    form = IssueForm(request.POST)
    form.fields["layout"].choices = [(k, v.label) for k, v in bankfiles.layouts().items()]
    if not form.is_valid():
        messages.error(request, "请选择代发文件格式和日期")
        return redirect("round_detail", pk)
    try:
        made = disbursement.issue(request.user, rnd, layout=form.cleaned_data["layout"],
                                  paid_on=form.cleaned_data["paid_on"])
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
    else:
        messages.success(request, "已生成代发文件：" + "、".join(f"{f.bank}{f.rows}笔" for f in made))
    return redirect("round_detail", pk)


def file_download(request, pk: int):
    f = disbursement.file_get(request.user, pk)
    return FileResponse(open(f.path, "rb"), as_attachment=True, filename=f.filename)


@require_POST
def file_return(request, pk: int):
    f = disbursement.file_get(request.user, pk)
    form = ReturnUploadForm(request.POST, request.FILES)
    upload = request.FILES.get("file")
    refused = bounded.refusal(upload) if upload else None
    if refused or not form.is_valid():
        messages.error(request, refused or "请选择银行回盘文件")
        return redirect("round_detail", f.round_id)
    with files.saved(upload.chunks()) as path:
        try:
            record = disbursement.import_return(request.user, f, path, upload.name)
        except (ValueError, ValidationError) as e:
            messages.error(request, str(e) if isinstance(e, ValueError) else "；".join(e.messages))
        else:
            messages.success(request, f"已导入回盘：成功{record.paid}笔，失败{record.failed}笔")
    return redirect("round_detail", f.round_id)


@require_POST
def round_reissue(request, pk: int):
    rnd = rounds.round_get(user=request.user, pk=pk)
    try:
        new = disbursement.reissue(request.user, rnd, title=request.POST.get("title", ""))
    except ValidationError as e:
        messages.error(request, "；".join(e.messages))
        return redirect("round_detail", pk)
    messages.success(request, f"已生成第{new.pk}批（失败重发），待县级审定")
    return redirect("round_detail", new.pk)


def payment_ledger(request):
    """惠民惠农补贴发放台账: every paid row of the user's area, by year and benefit, with the funding shares."""
    access.require(request.user, "payments.read")
    return _list_page(request, lists.LEDGER, "payments/ledger.html")


# --- 申请（最高不超过的待遇） -------------------------------------------------------------------------------------------

def application_list(request):
    access.require(request.user, "payments.read")
    return _list_page(request, lists.APPLICATIONS, "payments/application_list.html")


@require_http_methods(["GET", "POST"])
def application_new(request):
    """A village records an application for a household (?household=) or an enterprise (?enterprise=)."""
    user = request.user
    access.require(user, "payments.correct")
    household = enterprise = None
    if request.GET.get("enterprise", "").isdigit():
        enterprise = registry_selectors.enterprise_get(user=user, pk=int(request.GET["enterprise"]))
        place = enterprise.org_unit_id
    else:
        number = request.GET.get("household", "")
        household = registry_selectors.household_get(user=user, pk=int(number) if number.isdigit() else 0)
        place = household.village_id
    today = timezone.localdate()
    options = [(d, b) for d, b in payment_applications.applicable(place, today)
               if (b.basis == "enterprise" or b.payee is not None) == (enterprise is not None)]
    form = ApplicationForm(request.POST or None, request.FILES or None)
    form.fields["benefit"].choices = [(f"{d.id}:{b.id}", f"{b.name}（{d.number}第{b.clause}条）") for d, b in options]
    members = registry_selectors.household_members(user=user, household=household) if household else []
    form.fields["member"].choices = [("", "本户")] + [(m.pk, m.name) for m in members]
    if enterprise is not None:
        del form.fields["member"]
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        document_id, _, benefit_id = d["benefit"].partition(":")
        member = next((m for m in members if str(m.pk) == d.get("member")), None)
        try:
            with files.saved_all([(f.name, f.chunks()) for f in d["evidence"]]) as saved:
                app = payment_applications.submit(user, document_id=document_id, benefit_id=benefit_id,
                                                  household=household, member=member, enterprise=enterprise,
                                                  asked=d["asked"], purpose=d["purpose"], evidence=saved)
        except ValidationError as e:
            _errors(form, e)
        else:
            messages.success(request, f"已登记第{app.pk}号申请，待村级核实")
            return redirect("application_detail", app.pk)
    return render(request, "payments/application_form.html", {
        "form": form, "household": household, "enterprise": enterprise, "none": not options})


@require_http_methods(["GET", "POST"])
def application_detail(request, pk: int):
    user = request.user
    app = payment_applications.get(user=user, pk=pk)
    level = access.workflow_level(user)
    steps = payment_applications.steps_from(app.state, level) if access.covers(user, app.village_id) else []
    form = ApplicationActForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                payment_applications.act(user, app, d["action"], version=d["version"], amount=d.get("amount"),
                                         reason=d.get("reason", ""))
            except payment_applications.Conflict as e:
                messages.error(request, str(e))
            except ValidationError as e:
                messages.error(request, "；".join(e.messages))
            else:
                messages.success(request, "已办理")
                return redirect("application_detail", pk)
        else:
            messages.error(request, "；".join(f"{k}：{v[0]}" for k, v in form.errors.items()))
    return render(request, "payments/application_detail.html", {
        "app": app, "steps": steps, "evidence": list(app.evidence.all()),
        "history": app.history.select_related("history_user").order_by("-history_id")})


def evidence_download(request, pk: int):
    e, path = payment_applications.evidence_file(user=request.user, pk=pk)
    return FileResponse(open(path, "rb"), as_attachment=True, filename=e.filename)
