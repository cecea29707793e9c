"""灾害事件及受灾户台账 (`disasters`, docs/ledgers.md): a county's disasters and epidemics, the villages each hit and the
households affected, in the exchange format. The county enrolls the affected households in bulk through the green
channel from the event's page (monitoring.disasters)."""
from __future__ import annotations

import datetime as dt

from django.urls import reverse

from fangpin.exchange.spec import Field, Sheet
from fangpin.ledgers.base import Binding, Ledger, Ref
from fangpin.lib import divisions
from fangpin.orgunits.models import OrgUnit
from fangpin.registry.models import Household

from .models import AffectedHousehold, AffectedVillage, DisasterEvent, RelocatedHousehold, RelocationSite, Referral

EVENTS = Sheet(
    "disaster_events", "灾害事件",
    (
        Field("code", "事件编号", "string", True, max_length=40,
              description="县自编的唯一编号，建议以县名和年份开头，如 平鲁区2025-洪涝-01"),
        Field("division_code", "县", "place", True,
              description="Excel：导入者所在的县（区、市）名或12位区划代码；JSON：12位区划代码"),
        Field("name", "事件名称", "string", True, max_length=100),
        Field("kind", "灾害种类", "enum", True, DisasterEvent.Kind),
        Field("start", "开始日期", "date", True),
        Field("end", "结束日期", "date", description="仍在持续的留空；不早于开始日期"),
        Field("note", "灾情概述", "string", max_length=500),
    ),
    "每个灾害或疫情事件一行；按事件编号新增或更新",
    ("code",),
)

VILLAGES = Sheet(
    "disaster_villages", "受灾村",
    (
        Field("event_code", "事件编号", "string", True, max_length=40,
              description="本文件“灾害事件”表或系统中已登记的事件"),
        Field("village_code", "村", "place", True,
              description="Excel：导入者管辖范围内的村名（如 双碾村）或12位区划代码；JSON：12位区划代码"),
    ),
    "每个事件的每个受灾村一行",
    ("event_code", "village_code"),
)

HOUSEHOLDS = Sheet(
    "disaster_households", "受灾户",
    (
        Field("event_code", "事件编号", "string", True, max_length=40,
              description="本文件“灾害事件”表或系统中已登记的事件"),
        Field("household_number", "户编号", "string", True, max_length=32,
              description="导入者管辖范围内已登记的户，所在村须是该事件的受灾村"),
        Field("loss", "直接经济损失", "money", description="应急管理部门核定的直接经济损失"),
        Field("situation", "受灾情况", "string", max_length=300, description="如 房屋倒塌、农作物绝收、家庭成员受伤"),
    ),
    "每个事件的每个受灾户一行；按事件编号和户编号新增或更新。批量纳入监测在事件页面办理",
    ("event_code", "household_number"),
)


def _event_problems(row: dict, today: dt.date) -> list[tuple[str, str]]:
    out = []
    code = row.get("division_code")
    if divisions.is_code(code) and divisions.level_of(code) != "county":  # a name not found is reported already
        out.append(("division_code", "“县”应为县（区、市），不能是乡镇或村"))
    start, end = row.get("start"), row.get("end")
    if start and start > today:
        out.append(("start", "“开始日期”不能晚于今天"))
    if start and end and end < start:
        out.append(("end", f"“结束日期”不能早于“开始日期”（{start:%Y-%m-%d}）"))
    return out


def _village_problems(row: dict, today: dt.date) -> list[tuple[str, str]]:
    code = row.get("village_code")
    if divisions.is_code(code) and divisions.level_of(code) != "village":
        return [("village_code", "“村”应为村（社区），不能是乡镇或县")]
    return []


EVENT = Ref("event", DisasterEvent, "code", sheet=EVENTS.key, area="county_id",
            missing="事件编号“{}”在文件和系统中都没有登记")
HOUSEHOLD = Ref("household", Household, "number", area="village_id", missing="户编号“{}”没有登记")

DISASTERS = Ledger(
    key="disasters",
    title="灾害事件及受灾户台账",
    description="县记录的自然灾害和疫情事件、受灾村和受灾户（直接经济损失、受灾情况）；受灾户在事件页面通过绿色通道批量纳入监测，"
                "先纳入后履行程序",
    bindings=(
        Binding(EVENTS, DisasterEvent, area="division_code", refs={"division_code": Ref("county", OrgUnit, "code")},
                order=("code",), problems=_event_problems,
                link=lambda e: ("受灾户纳入情况（按村）与批量纳入", reverse("disaster_event", args=[e.pk]))),
        Binding(VILLAGES, AffectedVillage, area="village_code",
                refs={"event_code": EVENT, "village_code": Ref("village", OrgUnit, "code")},
                order=("event__code", "village_id"), problems=_village_problems),
        Binding(HOUSEHOLDS, AffectedHousehold, area="household_number",
                refs={"event_code": EVENT, "household_number": HOUSEHOLD},
                order=("event__code", "household__number")),
    ),
    checks="disaster_checks.yaml",
)

REFERRALS_SHEET = Sheet(
    "referrals", "转介名单",
    (
        Field("code", "转介编号", "string", True, max_length=40,
              description="系统生成（年度-事项-户编号）；县里补充的转介自编，不与已有的重复"),
        Field("household_number", "户编号", "string", True, max_length=32, description="导入者管辖范围内已登记的户"),
        Field("kind", "转介事项", "enum", True, Referral.Kind),
        Field("reason", "转介原因", "string", True, max_length=500),
        Field("referred_on", "转介日期", "date", True),
        Field("result", "民政反馈结果", "enum", False, Referral.Result, description="民政部门填写；未反馈的留空"),
        Field("decided_on", "反馈日期", "date", description="结果为“已纳入”或“不符合条件未纳入”时必填，不早于转介日期"),
        Field("note", "反馈说明", "string", max_length=300, description="如 已纳入农村低保，月人均补差300元"),
    ),
    "每条转介一行；按转介编号新增或更新。县乡村振兴局在“民政衔接”页面生成名单、导出交民政部门，民政部门填写反馈结果后导入",
    ("code",),
)


def _referral_problems(row: dict, today: dt.date) -> list[tuple[str, str]]:
    out = []
    referred, decided, result = row.get("referred_on"), row.get("decided_on"), row.get("result")
    if referred and referred > today:
        out.append(("referred_on", "“转介日期”不能晚于今天"))
    if decided and decided > today:
        out.append(("decided_on", "“反馈日期”不能晚于今天"))
    if referred and decided and decided < referred:
        out.append(("decided_on", f"“反馈日期”不能早于“转介日期”（{referred:%Y-%m-%d}）"))
    if result in (Referral.Result.GRANTED, Referral.Result.REFUSED) and not decided:
        out.append(("decided_on", "民政反馈了结果，请填写“反馈日期”"))
    if decided and not result:
        out.append(("result", "填写了“反馈日期”，请同时填写“民政反馈结果”"))
    return out


REFERRALS = Ledger(
    key="referrals",
    title="民政转介台账",
    description="风险未消除的监测户中符合农村低保、特困供养、临时救助条件的，转介民政部门，并记录民政部门的反馈结果（湖南十条 五；"
                "双发〔2022〕67号 第26条）",
    bindings=(
        Binding(REFERRALS_SHEET, Referral, area="household_number", refs={"household_number": HOUSEHOLD},
                order=("code",), problems=_referral_problems),
    ),
    checks="referral_checks.yaml",
)

SITES = Sheet(
    "relocation_sites", "安置点",
    (
        Field("code", "安置点编号", "string", True, max_length=40, description="县自编的唯一编号"),
        Field("division_code", "所在区划", "place", True,
              description="安置点所在的村（社区）或乡镇（街道）：Excel 填导入者管辖范围内的名称或12位区划代码"),
        Field("name", "安置点名称", "string", True, max_length=100),
        Field("completed_on", "建成日期", "date", description="不晚于今天"),
        Field("capacity", "设计安置户数", "integer", minimum=1, maximum=100_000),
    ),
    "每个集中安置点一行；按安置点编号新增或更新",
    ("code",),
)

RELOCATED = Sheet(
    "relocation_households", "搬迁户",
    (
        Field("site_code", "安置点编号", "string", True, max_length=40,
              description="本文件“安置点”表或系统中已登记的安置点"),
        Field("household_number", "户编号", "string", True, max_length=32, description="导入者管辖范围内已登记的户"),
        Field("relocated_on", "搬迁入住日期", "date", True, description="不晚于今天"),
        Field("moved_from", "迁出村", "place", description="搬迁前所在的村：名称或12位区划代码"),
    ),
    "每个搬迁户一行（一户只在一个安置点）；按户编号新增或更新",
    ("household_number",),
)


def _site_problems(row: dict, today: dt.date) -> list[tuple[str, str]]:
    out = []
    code = row.get("division_code")
    if divisions.is_code(code) and divisions.level_of(code) not in ("village", "township"):
        out.append(("division_code", "“所在区划”应为村（社区）或乡镇（街道）"))
    if row.get("completed_on") and row["completed_on"] > today:
        out.append(("completed_on", "“建成日期”不能晚于今天"))
    return out


def _relocated_problems(row: dict, today: dt.date) -> list[tuple[str, str]]:
    out = []
    if row.get("relocated_on") and row["relocated_on"] > today:
        out.append(("relocated_on", "“搬迁入住日期”不能晚于今天"))
    code = row.get("moved_from")
    if divisions.is_code(code) and divisions.level_of(code) != "village":
        out.append(("moved_from", "“迁出村”应为村（社区）"))
    return out


# within_area: a county relocates its households to its own sites only (another county's site would show its name,
# code and place to this county's readers, and this county's households to nobody who keeps that site)
SITE = Ref("site", RelocationSite, "code", sheet=SITES.key, area="place_id", within_area=True,
          missing="安置点编号“{}”在文件和系统中都没有登记")

RELOCATION = Ledger(
    key="relocation",
    title="易地扶贫搬迁安置点台账",
    description="集中安置点和搬迁到各安置点的户（搬迁入住日期、迁出村）；每个安置点的后续扶持（劳动力就业、帮扶措施）在安置点页面逐户列出",
    bindings=(
        Binding(SITES, RelocationSite, area="division_code", refs={"division_code": Ref("place", OrgUnit, "code")},
                order=("code",), problems=_site_problems,
                link=lambda s: ("后续扶持情况（逐户）", reverse("relocation_site", args=[s.pk]))),
        Binding(RELOCATED, RelocatedHousehold, area="household_number",
                refs={"site_code": SITE, "household_number": HOUSEHOLD, "moved_from": Ref("moved_from", OrgUnit, "code")},
                order=("site__code", "household__number"), problems=_relocated_problems),
    ),
    checks="relocation_checks.yaml",
)

LEDGERS = (DISASTERS, REFERRALS, RELOCATION)
