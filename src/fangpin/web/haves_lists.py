"""The five-haves gap lists (“五有”缺项): the villages of an area with each have's source (系统核实, 填报, 缺) and their
households' gaps, and the households with theirs. Served and exported like a ledger sheet's list (ledger_lists.SPECS)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from django import forms
from django.urls import reverse
from django.utils import timezone

from fangpin.accounts.masking import id_number_for
from fangpin.industry import haves
from fangpin.industry import selectors as industry
from fangpin.industry.choices import HaveSource
from fangpin.lib import listing
from fangpin.registry import selectors as registry

from .forms import AreaForm
from .lists import CHUNK, ListSpec, area_of, filter_form, unit_label


class GapForm(AreaForm):
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100, required=False)
    gaps_only = forms.BooleanField(label="只看有缺项的", required=False)
    field_order = ["year", "county", "township", "village", "gaps_only"]


def _year(params) -> int:
    return params.get("year") or timezone.localdate().year


def _label(source: str) -> str:
    return HaveSource(source).label


def _lacking(names: list[str]) -> list[str]:
    """The haves missing, by what is missing (合作经济组织), under the column 缺项: not 有合作经济组织, which reads as had."""
    return [LACKING.get(n, n.removeprefix("有")) for n in names]


LACKING = {"有劳动能力的有技能": "劳动力的技能"}


# 缺项（村） ---------------------------------------------------------------------------------------------------------

def _village_rows(user, records: Iterable) -> Iterator[dict]:
    for chunk in listing.batches(records, CHUNK):
        year, day = chunk[0].haves_year, chunk[0].haves_day
        tallies = industry.village_tallies(user, chunk, year, day)
        for v in chunk:
            tally = tallies.get(v.code, haves.VillageTally())
            sources = haves.village_sources(v)
            gaps = _lacking(haves.missing(sources, haves.VILLAGE_HAVES))
            gaps += [f"{n}户{label}" for n, label in ((tally.households - tally.project, "缺增收产业项目"),
                                                      (tally.households - tally.skills, "缺技能")) if n]
            url = reverse("ledger_list", args=["five_haves", "household_gaps"]) + f"?village={v.code}&year={year}"
            yield {"village": v, "sources": sources, "tally": tally, "gaps": "；".join(gaps) or "无", "url": url}


VILLAGE_COLUMNS = [
    listing.Column("village", "村", lambda r: unit_label(r["village"]), ("code",), width=24),
    *[listing.Column(key, label, lambda r, k=key: _label(r["sources"][k])) for key, label in haves.VILLAGE_HAVES],
    listing.Column("households", "脱贫户和监测户", lambda r: r["tally"].households, num=True, width=10),
    listing.Column("no_project", "缺增收产业项目（户）", lambda r: r["tally"].households - r["tally"].project, num=True),
    listing.Column("no_skills", "缺技能（户）", lambda r: r["tally"].households - r["tally"].skills, num=True, width=10),
    listing.Column("gaps", "缺项", lambda r: r["gaps"], width=40),
]

VILLAGE_GAPS = ListSpec(
    key="ledger:five_haves:village_gaps", title="“五有”台账：缺项（村）", url_name="ledger_list",
    capability="ledgers.read", columns=VILLAGE_COLUMNS, default_sort="village",
    form=lambda user, query: filter_form(user, GapForm, query), rows=_village_rows,
    queryset=lambda user, p: industry.village_gaps(user, area=area_of(p), year=_year(p),
                                                   gaps_only=bool(p.get("gaps_only"))))


# 缺项（户） ---------------------------------------------------------------------------------------------------------

def _household_rows(user, records: Iterable) -> Iterator[dict]:
    for chunk in listing.batches(records, CHUNK):
        heads = registry.household_heads(user=user, households=chunk)
        for h in chunk:
            head = heads.get(h.pk)
            sources = haves.household_sources(h)
            yield {"household": h, "head": head, "head_id": id_number_for(user, head.id_number) if head else "",
                   "sources": sources, "gaps": "；".join(_lacking(haves.missing(sources, haves.HOUSEHOLD_HAVES))) or "无",
                   "url": reverse("household_detail", args=[h.pk])}


HOUSEHOLD_COLUMNS = [
    listing.Column("number", "户编号", lambda r: r["household"].number, ("village_id", "number"), width=20),
    listing.Column("head", "户主", lambda r: r["head"].name if r["head"] else "（无户主）"),
    listing.Column("head_id", "户主身份证号", lambda r: r["head_id"], width=22),
    listing.Column("village", "所在村", lambda r: unit_label(r["household"].village), ("village_id", "number"), width=24),
    listing.Column("category", "户类别", lambda r: r["household"].get_category_display()),
    *[listing.Column(key, label, lambda r, k=key: _label(r["sources"][k]), width=18) for key, label in haves.HOUSEHOLD_HAVES],
    listing.Column("gaps", "缺项", lambda r: r["gaps"], width=30),
]

HOUSEHOLD_GAPS = ListSpec(
    key="ledger:five_haves:household_gaps", title="“五有”台账：缺项（户）", url_name="ledger_list",
    capability="ledgers.read", columns=HOUSEHOLD_COLUMNS, default_sort="village",
    form=lambda user, query: filter_form(user, GapForm, query), rows=_household_rows,
    queryset=lambda user, p: industry.household_gaps(user, area=area_of(p), year=_year(p),
                                                     gaps_only=bool(p.get("gaps_only"))))

SPECS = {s.key: s for s in (VILLAGE_GAPS, HOUSEHOLD_GAPS)}
