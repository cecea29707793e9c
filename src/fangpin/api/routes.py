"""The API: the same reads and writes as the pages, through the same selectors, services and scope."""
from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from fangpin.lib.pagination import CappedPaginator
from django.http import FileResponse, StreamingHttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import File, NinjaAPI, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.security import django_auth

from fangpin.accounts import access
from fangpin.accounts.masking import age_on, birth_date_for, id_number_for, unevaluable_for
from fangpin.exchange import exporter, importer, workbooks
from fangpin.exchange.bounded import UploadTooLarge
from fangpin.lib import files
from fangpin.lib.busy import BUSY_MESSAGE, is_busy
from fangpin.policies import entitlements
from fangpin.registry import history as history_lines
from fangpin.registry import selectors, services
from fangpin.registry.choices import Category, LaborCapacity, MonitorType, Relation, SchoolStage

from . import schemas as s
from .monitoring_routes import monitoring
from .indicator_routes import indicators
from .ledger_routes import ledgers
from .payment_routes import payments
from .policy_routes import policies

class LabelledAPI(NinjaAPI):
    """The OpenAPI document names every enumeration's codes by their Chinese labels (a description, and
    x-enum-descriptions in the codes' order), so that the API docs read like the pages."""

    def get_openapi_schema(self, *args, **kwargs):
        schema = super().get_openapi_schema(*args, **kwargs)
        for name, component in schema.get("components", {}).get("schemas", {}).items():
            choices = LABELLED_ENUMS.get(name)
            if choices is None or "enum" not in component:
                continue
            labels = dict(choices.choices)
            component["x-enum-descriptions"] = [labels.get(v, v) for v in component["enum"]]
            component["description"] = "；".join(f"{v}：{labels.get(v, v)}" for v in component["enum"])
        return schema


LABELLED_ENUMS = {cls.__name__: cls for cls in (Category, MonitorType, LaborCapacity, Relation, SchoolStage)}

api = LabelledAPI(
    title="防贫系统 API",
    version="1.0",
    description="户、家庭成员与导入导出。所有数据按登录用户的区划范围过滤；身份证号按角色脱敏。金额单位为分。",
    auth=django_auth,
    urls_namespace="api",
    docs_decorator=login_required,
)


log = logging.getLogger(__name__)
SERVER_ERROR = "服务器内部错误，已记录，请稍后再试或联系管理员"


@api.exception_handler(Exception)
def _server_error(request, exc):
    # Replaces ninja's default, which returns the traceback when DEBUG is on. The more specific handlers (ninja's
    # for its 422 validation errors, HttpError and Http404; ours below) still win: handlers are looked up by the
    # exception's class first.
    if is_busy(exc):  # another writer held the lock past the timeout: retry later, nothing was saved
        response = api.create_response(request, {"detail": BUSY_MESSAGE}, status=503)
        response["Retry-After"] = "10"
        return response
    log.error("unhandled API error: %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(request, {"detail": SERVER_ERROR}, status=500)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "无权访问"}, status=403)


@api.exception_handler(MultiPartParserError)
def _bad_upload(request, exc):
    return api.create_response(request, {"detail": "上传的数据不是有效的 multipart/form-data"}, status=400)


@api.exception_handler(UploadTooLarge)
def _too_large(request, exc):
    return api.create_response(request, {"detail": str(exc)}, status=413)


@api.exception_handler(ValidationError)
def _invalid(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
    return api.create_response(request, {"detail": detail}, status=422)


router = Router(tags=["户籍"])


def _household_out(user, h) -> dict:
    return {
        "id": h.pk, "household_number": h.number, "village_code": h.village_id, "village_name": h.village.name,
        "category": h.category, "monitor_type": h.monitor_type or None, "risk_eliminated_on": h.risk_eliminated_on,
        "lifted_year": h.lifted_year, "dibao": h.dibao,
        "address": h.address, "phone": h.phone, "contracted_land_mu": h.contracted_land_mu,
        "grain_area_mu": h.grain_area_mu, "courtyard_economy": h.courtyard_economy,
        "industry_project": h.industry_project,
    }


def _member_out(user, m) -> dict:
    return {
        "id": m.pk, "id_number": id_number_for(user, m.id_number), "name": m.name, "relation": m.relation, "sex": m.sex,
        "birth_date": birth_date_for(user, m.birth_date), "age": age_on(m.birth_date, dt.date.today()),
        "labor_capacity": m.labor_capacity, "disability_grade": m.disability_grade,
        "tekun": m.tekun, "school_stage": m.school_stage, "training_willing": m.training_willing,
        "serious_illness": m.serious_illness, "phone": m.phone,
    }


def _detail(user, h) -> dict:
    members = selectors.household_members(user=user, household=h)
    return _household_out(user, h) | {"members": [_member_out(user, m) for m in members]}


class HouseholdFilter(Schema):
    q: str = ""
    village: str = ""
    category: str = ""
    page: int = 1


@router.get("/me", summary="当前用户")
def me(request):
    u = request.user
    return {"username": u.username, "role": u.role, "role_label": u.get_role_display(),
            "org_unit": {"code": u.org_unit_id, "name": u.org_unit.name, "level": u.org_unit.level}}


@router.get("/orgunits", response=list[s.OrgUnitOut], summary="下级区划（不带 parent 时为本人所属区划）")
def orgunits(request, parent: str = ""):
    return list(selectors.orgunit_children(user=request.user, code=parent or None))


@router.get("/households", response={200: s.HouseholdPage, 403: s.ErrorOut}, summary="户列表（可按姓名、身份证号、村、户类别查询）")
def household_list(request, filters: Query[HouseholdFilter]):
    access.require(request.user, "registry.read")
    qs = selectors.household_list(user=request.user, q=filters.q, village=filters.village, category=filters.category)
    page = CappedPaginator(qs, 100).get_page(filters.page)
    return {"count": page.paginator.count, "count_capped": page.paginator.capped, "page": page.number,
            "items": [_household_out(request.user, h) for h in page]}


@router.get("/households/{pk}", response={200: s.HouseholdDetailOut, 403: s.ErrorOut}, summary="户详情")
def household_get(request, pk: int):
    return _detail(request.user, selectors.household_get(user=request.user, pk=pk))


@router.get("/households/{pk}/history", response=list[s.HistoryOut], summary="户及其成员、收入的变更记录")
def household_history(request, pk: int):
    h = selectors.household_get(user=request.user, pk=pk)
    rows = history_lines.describe_all(selectors.household_history(user=request.user, household=h), request.user)
    return [r | {"user": r["user"].username if r["user"] else None} for r in rows]


@router.get("/households/{pk}/entitlements", response={200: s.EntitlementsOut, 403: s.ErrorOut},
            summary="户可享政策：按计算日期有效的文件和参数，逐条计算金额（分）并附依据说明")
def household_entitlements(request, pk: int, as_of: dt.date | None = None):
    h = selectors.household_get(user=request.user, pk=pk)
    owed = entitlements.for_households(user=request.user, household_ids=[h.pk], village_code=h.village_id,
                                       as_of=as_of or dt.date.today())
    return _entitlements_out(request.user, owed)


@router.get("/enterprises/{pk}/entitlements", response={200: s.EntitlementsOut, 403: s.ErrorOut},
            summary="经营主体可享政策：按计算日期有效的文件和参数，逐条计算金额（分）并附依据说明；"
                    "务工、介绍就业和培训的人员按您管辖范围内登记的计算")
def enterprise_entitlements(request, pk: int, as_of: dt.date | None = None):
    e = selectors.enterprise_get(user=request.user, pk=pk)
    return _entitlements_out(request.user, entitlements.for_enterprise(user=request.user, enterprise=e,
                                                                       as_of=as_of or dt.date.today()))


def _entitlements_out(user, owed: entitlements.Entitlements) -> dict:
    items = [r | {"id_number": id_number_for(user, r["id_number"]) if r["id_number"] else None} for r in owed.rows]
    return {"as_of": owed.as_of, "messages": owed.messages, "items": items,
            "unevaluable": unevaluable_for(user, owed.unevaluable)}


@router.post("/households", response={201: s.HouseholdDetailOut, 403: s.ErrorOut, 422: s.ErrorOut}, summary="新增户（含户主）")
def household_create(request, payload: s.HouseholdIn):
    data = payload.dict()
    head = data.pop("head")
    head.pop("relation", None)
    village = data.pop("village_code")
    data["monitor_type"] = data["monitor_type"] or ""
    h = services.household_create(user=request.user, village_code=village, head=head, **data)
    return Status(201, _detail(request.user, selectors.household_get(user=request.user, pk=h.pk)))


@router.patch("/households/{pk}", response={200: s.HouseholdDetailOut, 403: s.ErrorOut, 422: s.ErrorOut}, summary="修改户")
def household_update(request, pk: int, payload: s.HouseholdPatch):
    h = selectors.household_get(user=request.user, pk=pk)
    data = payload.dict(exclude_unset=True)
    if "monitor_type" in data:
        data["monitor_type"] = data["monitor_type"] or ""
    services.household_update(user=request.user, household=h, **data)
    return _detail(request.user, selectors.household_get(user=request.user, pk=pk))


@router.post("/households/{pk}/members", response={201: s.MemberOut, 403: s.ErrorOut, 422: s.ErrorOut}, summary="新增家庭成员")
def member_create(request, pk: int, payload: s.MemberIn):
    h = selectors.household_get(user=request.user, pk=pk)
    m = services.member_create(user=request.user, household=h, **payload.dict())
    return Status(201, _member_out(request.user, m))


@router.patch("/households/{pk}/members/{member_pk}", response={200: s.MemberOut, 403: s.ErrorOut, 404: s.ErrorOut, 422: s.ErrorOut},
              summary="修改家庭成员")
def member_update(request, pk: int, member_pk: int, payload: s.MemberPatch):
    h = selectors.household_get(user=request.user, pk=pk)
    m = selectors.household_members(user=request.user, household=h).filter(pk=member_pk).first()
    if m is None:
        return Status(404, {"detail": "没有该成员"})
    m = services.member_update(user=request.user, member=m, **payload.dict(exclude_unset=True))
    return _member_out(request.user, m)


exchange = Router(tags=["导入导出"])


@exchange.post("/imports", response={200: s.ImportOut, 403: s.ErrorOut, 413: s.ErrorOut}, summary="导入交换格式文件（全部成功或全部不写入）")
def import_file(request, file: File[UploadedFile]):
    access.require(request.user, "registry.import")
    with files.saved(file.chunks()) as path:
        result = importer.import_file(user=request.user, path=path, filename=file.name)
    return {"ok": result.ok, "filename": result.filename, "counts": result.counts,
            "problems": [p.__dict__ for p in result.problems]}


@exchange.get("/exports", summary="导出（format=json 或 xlsx），按本人范围，身份证号按角色脱敏")
def export(request, format: str = "json"):
    access.require(request.user, "registry.export")
    if format == "xlsx":
        user = request.user
        return FileResponse(files.built_file(lambda p: workbooks.write_export(user, p), ".xlsx"), as_attachment=True, filename="export.xlsx")
    return StreamingHttpResponse(exporter.iter_json(request.user), content_type="application/json; charset=utf-8")


api.add_router("/", router)
api.add_router("/", exchange)
api.add_router("/", policies)
api.add_router("/", monitoring)
api.add_router("/", payments)
api.add_router("/", ledgers)
api.add_router("/", indicators)
