"""Turning one cell (Excel) or one JSON value into a typed value, or a Chinese message saying why not."""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from fangpin.lib import bankcard, creditcode, idnumber, money
from fangpin.registry.choices import ALIASES

from .spec import Field


class CellError(ValueError):
    pass


TRUE = {"是", "true", "1", "y", "yes", "有"}
FALSE = {"否", "false", "0", "n", "no", "无"}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
# Excel's 1900 date system counts a 29 February 1900 that never was (serial 60, read as 1900-02-28 like serial 59):
# a date before 1 March 1900 is almost always a small number in a date-formatted cell, never a real event here.
EARLIEST_DATE = dt.date(1900, 3, 1)


def is_blank(raw) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def coerce(f: Field, raw, *, excel: bool):
    """The typed value of `raw` for field `f`; None for a blank optional cell."""
    if is_blank(raw):
        if f.required:
            raise CellError(f"“{f.header}”必填")
        return None
    fn = _COERCE[f.type]
    return fn(f, raw, excel)


def converters(sheet) -> tuple[tuple[Field, object], ...]:
    """(field, the function for its type) for every field of a sheet, looked up once: coerce() without the lookups."""
    found = _CONVERTERS.get(sheet.key)
    if found is None:
        found = _CONVERTERS[sheet.key] = tuple((f, _COERCE[f.type]) for f in sheet.fields)
    return found


_CONVERTERS: dict[str, tuple] = {}  # by sheet key: hashing a Sheet hashes all its fields


def coerce_row(fields, raw: dict, *, excel: bool) -> tuple[dict, list[str]]:
    """Every present cell of a row typed, and the reasons for the cells that could not be (missing required ones too).
    Absent optional columns stay absent."""
    row, reasons = {}, []
    for f in fields:
        if f.key not in raw:
            if f.required:
                reasons.append(f"缺少“{f.header}”")
            continue
        try:
            row[f.key] = coerce(f, raw[f.key], excel=excel)
        except CellError as e:
            reasons.append(str(e))
    return row, reasons


_CONTROL = {chr(c) for c in range(32)} - {"\t", "\n", "\r"}


def _string(f, raw, excel):
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # phone numbers typed into a number cell
    if isinstance(raw, (dict, list)):
        raise CellError(f"“{f.header}”应为文本")
    s = str(raw).strip()
    if not _CONTROL.isdisjoint(s):  # a NUL or other control character: PostgreSQL refuses NUL in text, and none is typed
        raise CellError(f"“{f.header}”含有不可见的控制字符，请删除后重新填写")
    if f.max_length and len(s) > f.max_length:
        raise CellError(f"“{f.header}”不能超过{f.max_length}个字")
    return s


def _integer(f, raw, excel):
    if isinstance(raw, bool):
        raise CellError(f"“{f.header}”应为整数")
    if isinstance(raw, float):
        if not raw.is_integer():
            raise CellError(f"“{f.header}”应为整数，实际为{raw}")
        raw = int(raw)
    if isinstance(raw, str):
        if not re.fullmatch(r"-?\d+", raw.strip()):
            raise CellError(f"“{f.header}”应为整数，实际为“{raw}”")
        raw = int(raw.strip())
    if not isinstance(raw, int):
        raise CellError(f"“{f.header}”应为整数")
    _check_range(f, raw)
    return raw


def _check_range(f, value):
    if f.minimum is not None and value < f.minimum:
        if f.minimum == 0:
            raise CellError(f"“{f.header}”不能为负数")
        raise CellError(f"“{f.header}”不能小于{f.minimum}")
    if f.maximum is not None and value > f.maximum:
        raise CellError(f"“{f.header}”不能大于{f.maximum}")


def _decimal(f, raw, excel):
    if isinstance(raw, bool):
        raise CellError(f"“{f.header}”应为数字")
    try:
        d = Decimal(repr(raw) if isinstance(raw, float) else str(raw).strip())
    except InvalidOperation:
        raise CellError(f"“{f.header}”应为数字，实际为“{raw}”") from None
    if not d.is_finite():
        raise CellError(f"“{f.header}”应为数字")
    if d != d.quantize(Decimal("0.01")):
        raise CellError(f"“{f.header}”最多两位小数")
    _check_range(f, d)
    return d.quantize(Decimal("0.01"))


def _money(f, raw, excel):
    """Excel: yuan; JSON: integer fen. Never negative: costs are entered as positive amounts."""
    if excel:
        if isinstance(raw, str):
            raw = raw.strip().removesuffix("元")
        try:
            fen = money.yuan_to_fen(raw)
        except money.MoneyError:
            raise CellError(f"“{f.excel_header}”应为金额（元，最多两位小数），实际为“{raw}”") from None
    else:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise CellError(f"“{f.key}”应为整数（单位：分）")
        fen = raw
    if fen < 0:
        raise CellError(f"“{f.excel_header if excel else f.header}”不能为负数")
    if fen > 10**13:
        raise CellError(f"“{f.header}”金额过大")
    return fen


def _date(f, raw, excel):
    day = _parse_date(raw)
    if day is None:
        raise CellError(f"“{f.header}”应为日期（如 2023-05-01），实际为“{raw}”")
    if day < EARLIEST_DATE and f.key != "birth_date":  # a birth date is checked against the ID number instead
        raise CellError(f"“{f.header}”为{day:%Y-%m-%d}，不是可信的日期（早于1900-03-01，多为把数字误设成日期格式）")
    return day


def _parse_date(raw) -> dt.date | None:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    m = _DATE.match(str(raw).strip())
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            pass
    return None


def _boolean(f, raw, excel):
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)) and raw in (0, 1):
        return bool(raw)
    s = str(raw).strip().lower()
    if s in TRUE:
        return True
    if s in FALSE:
        return False
    raise CellError(f"“{f.header}”应填“是”或“否”，实际为“{raw}”")


@functools.cache
def _enum_maps(choices) -> tuple[dict[str, str], dict[str, str]]:
    """(JSON: code -> code, Excel: code or label -> code), built once per enumeration."""
    codes = {v: v for v in choices.values}
    return codes, ALIASES.get(choices, {}) | codes | {label: value for value, label in choices.choices}


def _enum(f, raw, excel):
    s = str(raw).strip()
    codes, excel_map = _enum_maps(f.choices)
    value = (excel_map if excel else codes).get(s)  # Excel shows labels; JSON carries codes only
    if value is not None:
        return value
    options = "、".join(f.choices.labels) if excel else "、".join(f.choices.values)
    raise CellError(f"“{f.header}”应为以下之一：{options}；实际为“{s}”")


def _id_number(f, raw, excel):
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        # An 18-digit number in a number cell has lost its last digits to floating point.
        raise CellError("身份证号须以文本格式填写（数字格式会丢失末几位）")
    try:
        idnumber.parse(str(raw))
    except idnumber.IdNumberError as e:
        raise CellError(str(e)) from None
    return idnumber.normalize(str(raw))


def _division_code(f, raw, excel):
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    s = "".join(unicodedata.normalize("NFKC", str(raw)).split())
    if not (len(s) == 12 and s.isdigit()):
        raise CellError(f"“{f.header}”应为12位数字，实际为“{s}”")
    return s


def _village(f, raw, excel):
    """A village's 12-digit code; in Excel, also its name as people write it, returned as typed (not yet a code):
    the importer resolves names against the importing user's area (fangpin.orgunits.villages)."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    s = "".join(unicodedata.normalize("NFKC", str(raw)).split())
    if len(s) == 12 and s.isdigit():
        return s
    if not excel:
        raise CellError(f"“{f.key}”应为12位村级区划代码，实际为“{s}”")
    if s.isdigit():
        raise CellError(f"“{f.excel_header}”应为村名或12位村级区划代码，实际为“{s}”（{len(s)}位数字）")
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        raise CellError(f"“{f.excel_header}”应为村名或12位村级区划代码，实际为“{s}”")
    if len(s) > 100:
        raise CellError(f"“{f.excel_header}”过长：应为村名或12位村级区划代码")
    return s


def _place(f, raw, excel):
    """A division's 12-digit code (village, township or county); in Excel, also its name, resolved by the importer
    against the importing user's area (fangpin.ledgers.places)."""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    s = "".join(unicodedata.normalize("NFKC", str(raw)).split())
    if len(s) == 12 and s.isdigit():
        return s
    if not excel:
        raise CellError(f"“{f.key}”应为12位区划代码，实际为“{s}”")
    if s.isdigit() or (isinstance(raw, (int, float)) and not isinstance(raw, bool)):
        raise CellError(f"“{f.excel_header}”应为村、乡镇、县的名称或12位区划代码，实际为“{s}”")
    if len(s) > 100:
        raise CellError(f"“{f.excel_header}”过长：应为名称或12位区划代码")
    return s


def _credit_code(f, raw, excel):
    try:
        return creditcode.validate(str(raw))
    except creditcode.CreditCodeError as e:
        raise CellError(str(e)) from None


def _account_number(f, raw, excel):
    """An account number's digits as typed, spaces and hyphens dropped; the rules of its kind (Luhn, length) are checked
    with the row, which knows the kind (fangpin.payments.accounts.problems)."""
    if isinstance(raw, bool) or (isinstance(raw, (int, float)) and not excel):
        raise CellError(f"“{f.key}”应为字符串（数字会丢失位数和开头的0）")
    if isinstance(raw, float) and not raw.is_integer():
        raise CellError(f"“{f.header}”应为数字账号，实际为{raw}")
    if isinstance(raw, (int, float)):
        digits = str(int(raw))
        if len(digits) > 15:  # a double holds 15 significant digits: a card number in a number cell lost its last ones
            raise CellError(f"“{f.header}”须以文本格式填写（数字格式会丢失15位以后的数字）")
        return digits
    s = bankcard.normalize(raw)
    if "*" in s:
        raise CellError(f"“{f.header}”已按角色脱敏，不能导入：请用能查看完整账号的账户导出的文件")
    if len(s) > 40:
        raise CellError(f"“{f.header}”过长：应为8至30位数字")
    return s


_COERCE = {
    "string": _string,
    "integer": _integer,
    "decimal": _decimal,
    "money": _money,
    "date": _date,
    "boolean": _boolean,
    "enum": _enum,
    "id_number": _id_number,
    "division_code": _division_code,
    "village": _village,
    "place": _place,
    "credit_code": _credit_code,
    "account_number": _account_number,
}


def to_json(f: Field, value):
    """The JSON representation of a typed value."""
    if value is None:
        return None
    if f.type == "date":
        return value.isoformat()
    if f.type == "decimal":
        return str(Decimal(value).quantize(Decimal("0.01")))
    return value


def to_excel(f: Field, value):
    """The Excel representation of a typed value (labels, yuan, 是/否)."""
    if value is None:
        return None
    if f.type == "enum":
        return f.choices(value).label
    if f.type == "money":
        return money.fen_to_yuan(value)
    if f.type == "boolean":
        return "是" if value else "否"
    if f.type == "decimal":
        return Decimal(value).quantize(Decimal("0.01"))
    return value
