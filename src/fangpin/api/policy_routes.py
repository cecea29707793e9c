"""Policy API: the catalog and its parameters, and batch evaluate / simulate / audit of an uploaded exchange file.

Uploaded files are evaluated in memory and never written to the registry; the values county staff set on the
policy page apply (the `fangpin` commands use the catalog files alone)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from fangpin.accounts import access
from fangpin.exchange.bounded import UploadTooLarge
from fangpin.lib import files
from fangpin.policies import batch, parameters
from fangpin.policies.catalog import value_text
from fangpin.policies.simulate import SimulationError

from . import schemas as s

policies = Router(tags=["政策计算"])


def _document(request, doc_id: str):
    access.require(request.user, "policy.read")
    try:
        return parameters.with_overrides(parameters.document(request.user, doc_id))
    except PermissionDenied:
        raise PermissionDenied(f"没有 id 为“{doc_id}”的政策文件") from None


def _day(as_of: str) -> dt.date:
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        raise ValueError(f"计算日期“{as_of}”应为 YYYY-MM-DD") from None


def _text(value) -> str | None:
    return None if value is None else value_text(value)


@policies.get("/policies", summary="政策目录中的文件")
def policy_list(request):
    return [{"id": d.id, "number": d.number, "title": d.title, "issuer": d.issuer, "regions": list(d.regions),
             "effective_from": d.effective_from, "effective_to": d.effective_to, "benefits": len(d.benefits),
             "editable": editable} for d, editable in parameters.documents(request.user)]


@policies.get("/policies/{doc_id}/parameters", summary="文件的参数：某日取值和各日期取值（含页面调整）")
def policy_parameters(request, doc_id: str, as_of: dt.date | None = None):
    rows = parameters.rows(request.user, doc_id, on=as_of or dt.date.today())
    return [{"key": r.key, "label": r.label, "unit": r.unit, "per_year": r.per_year, "value": _text(r.current),
             "values": [{"from": d, "value": _text(v), "source": src} for d, v, src in r.values]} for r in rows]


@policies.post("/policies/{doc_id}/evaluate", response={200: dict, 400: s.ErrorOut, 413: s.ErrorOut},
               summary="计算上传文件（交换格式 JSON 或 Excel）中各人、户、经营主体的应享待遇，金额单位为分")
def evaluate(request, doc_id: str, file: File[UploadedFile], as_of: Form[str]):
    doc = _document(request, doc_id)
    try:
        with files.saved(file.chunks()) as path:
            return batch.evaluate(doc, path, _day(as_of), file.name)
    except UploadTooLarge as e:
        return Status(413, {"detail": str(e)})
    except ValueError as e:  # the file refused by the bounded reader or unreadable, a bad date
        return Status(400, {"detail": str(e)})


@policies.post("/policies/{doc_id}/simulate", response={200: dict, 400: s.ErrorOut, 413: s.ErrorOut},
               summary="模拟：参数调整后（如 transport_cross_province=2000）按待遇、资金层级、村的总额变化")
def what_if(request, doc_id: str, file: File[UploadedFile], as_of: Form[str], set: Form[list[str]]):
    doc = _document(request, doc_id)
    try:
        with files.saved(file.chunks()) as path:
            return batch.what_if(doc, path, _day(as_of), set, file.name)
    except UploadTooLarge as e:
        return Status(413, {"detail": str(e)})
    except (ValueError, SimulationError) as e:
        return Status(400, {"detail": str(e)})


@policies.post("/policies/{doc_id}/audit", response={200: dict, 400: s.ErrorOut, 413: s.ErrorOut},
               summary="审计：发放记录与应享待遇比对（应享未享、重复享受、违规享受）")
def audit(request, doc_id: str, file: File[UploadedFile], payments: File[UploadedFile], as_of: Form[str]):
    doc = _document(request, doc_id)
    try:
        with files.saved(file.chunks()) as path, files.saved(payments.chunks()) as paid:
            return batch.audit(doc, path, paid, _day(as_of), file.name, payments.name)
    except UploadTooLarge as e:
        return Status(413, {"detail": str(e)})
    except ValueError as e:
        return Status(400, {"detail": str(e)})
