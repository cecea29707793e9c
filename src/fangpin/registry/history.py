"""History lines for pages and API: who, when, what changed (ID numbers masked per role)."""
from __future__ import annotations

from fangpin.accounts.masking import MASKED_FIELDS, field_for

ACTIONS = {"+": "新增", "~": "修改", "-": "删除"}


_ASK = object()


def describe_all(records, user) -> list[dict]:
    """Lines for a list holding each object's whole history (a household's, its members' and incomes'; an
    enterprise's): every change is compared with the record before it in the list, not by a query per record."""
    before, prev = {}, {}
    for r in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        key = (type(r), r.id)
        prev[r.history_id, type(r)] = before.get(key)
        before[key] = r
    return [describe(r, user, prev.get((r.history_id, type(r)), _ASK)) for r in records]


def describe(record, user, prev=_ASK) -> dict:
    changes = []
    if prev is _ASK:
        prev = record.prev_record
    if record.history_type == "~" and prev is not None:
        for c in record.diff_against(prev).changes:
            field = record.instance._meta.get_field(c.field)
            old, new = c.old, c.new
            if c.field in MASKED_FIELDS:
                old, new = field_for(user, c.field, old), field_for(user, c.field, new)
            elif getattr(field, "choices", None):
                labels = dict(field.choices)
                old, new = labels.get(old, old), labels.get(new, new)
            changes.append(f"{field.verbose_name}：{_show(old)} → {_show(new)}")
    label = record.instance._meta.verbose_name
    subject = getattr(record, "name", "") or getattr(record, "number", "") or (
        f"{record.year}年" if hasattr(record, "year") else "")
    return {
        "date": record.history_date,
        "user": record.history_user,
        "action": ACTIONS[record.history_type],
        "what": f"{label} {subject}".strip(),
        "changes": changes,
        "reason": record.history_change_reason or "",
    }


def _show(value) -> str:
    if value is None or value == "":
        return "（空）"
    if value is True:
        return "是"
    if value is False:
        return "否"
    return str(value)
