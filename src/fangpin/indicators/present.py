"""An indicator value as people read it: the figure in its unit, the target that applies, the status, the gap and the
change from the same day last year — one place for the pages, the API and the bulletin."""
from __future__ import annotations

from .catalog import Indicator, format_value, load_catalog
from .models import IndicatorValue
from .status import AT_RISK, LABELS, MISSED, NO_DATA, NO_TARGET, ON_TRACK


def _amount(indicator: Indicator, x: float) -> str:
    if indicator.unit == "%":
        return f"{abs(x) * 100:.1f}个百分点".replace(".0个", "个")
    return format_value(indicator, abs(x))


def gap_text(indicator: Indicator, v: IndicatorValue, on=None) -> str:
    """What is missing to the bound, or the margin over it, in words that fit the target (a ceiling, last year); a
    missed dated target names its day, one not yet due the time progress. `on`: the snapshot's day."""
    target = indicator.targets[v.target] if v.target is not None and 0 <= v.target < len(indicator.targets) else None
    if v.gap is None or target is None or v.status in (NO_DATA, NO_TARGET):
        return ""
    amount = _amount(indicator, v.gap)
    if abs(v.gap) < 1e-12:
        text = "恰好达到" + ("上年同期" if target.comparison == "not_below_last_year" else "目标")
    elif target.comparison == "at_most":
        text = f"超出上限{amount}" if v.gap > 0 else f"低于上限{amount}"
    elif target.comparison == "not_below_last_year":
        text = f"低于上年同期{amount}" if v.gap > 0 else f"高于上年同期{amount}"
    else:
        text = f"距目标差{amount}" if v.gap > 0 else f"超出目标{amount}"
    if v.status == MISSED and v.due is not None and (on is None or v.due < on):
        text = f"{v.due.month}月{v.due.day}日时点{text}"
    if v.expected is not None and v.status in (ON_TRACK, AT_RISK):
        text += f"；按序时进度应达{format_value(indicator, v.expected)}"
    return text


def change_text(indicator: Indicator, v: IndicatorValue) -> str:
    if v.value is None or v.base is None:
        return ""
    d = v.value - v.base
    if indicator.unit == "%":
        figure = _amount(indicator, d)
    else:
        figure = format_value(indicator, abs(d))
    return "持平" if d == 0 else (f"增加{figure}" if d > 0 else f"减少{figure}")


def row(indicator: Indicator, v: IndicatorValue | None) -> dict:
    """Plain data for one indicator of one unit (v None: the snapshot has no value for it)."""
    target = indicator.targets[v.target] if v is not None and v.target is not None and v.target < len(
        indicator.targets) else None
    status = v.status if v is not None else NO_TARGET
    return {
        "indicator": indicator, "key": indicator.key, "title": indicator.title, "unit": indicator.unit,
        "value": None if v is None else v.value, "value_text": format_value(indicator, None if v is None else v.value),
        "base_text": format_value(indicator, None if v is None else v.base),
        "change_text": "" if v is None else change_text(indicator, v),
        "target_text": indicator.target_text(target) if target else "",
        "expected_text": format_value(indicator, v.expected) if v is not None and v.expected is not None else "",
        "status": status, "status_label": LABELS[status], "gap_text": "" if v is None else gap_text(indicator, v),
        "due": None if v is None else v.due, "numerator": None if v is None else v.numerator,
        "denominator": None if v is None else v.denominator,
    }


def unit_rows(values: dict[str, IndicatorValue]) -> list[dict]:
    catalog = load_catalog()
    return [row(ind, values.get(ind.key)) for ind in sorted(catalog.values(), key=lambda i: i.order)]


def better_first(indicator: Indicator, target_index: int | None = None) -> bool:
    """Whether a higher figure is the better one (a ceiling ranks the lowest first)."""
    target = indicator.targets[target_index] if target_index is not None and target_index < len(
        indicator.targets) else (indicator.targets[0] if indicator.targets else None)
    return not (target is not None and target.comparison == "at_most")


def ranked(indicator: Indicator, values: list[IndicatorValue]) -> list[tuple[int | None, IndicatorValue]]:
    """Units ranked by the figure, best first; units without a figure last and unranked."""
    high = better_first(indicator, next((v.target for v in values if v.target is not None), None))
    with_value = sorted((v for v in values if v.value is not None), key=lambda v: (-v.value if high else v.value,
                                                                                  v.unit_id))
    out, rank, last = [], 0, object()
    for i, v in enumerate(with_value, 1):
        if v.value != last:
            rank, last = i, v.value
        out.append((rank, v))
    return out + [(None, v) for v in values if v.value is None]
