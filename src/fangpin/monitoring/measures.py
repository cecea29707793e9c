"""What the disasters ledger's checks measure (disaster_checks.yaml): per affected household of the events of the year,
whether it is handled in the system on the day judged: monitored (risk not eliminated) or with an enrollment case
opened by then. A row is judged on the day asked, or the year's end for a past year."""
from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.urls import reverse

from fangpin.accounts import access
from fangpin.ledgers.checks import Ratio, Subject
from fangpin.lib import divisions

from .models import AffectedHousehold, Case


def _day(year: int, on: dt.date) -> dt.date | None:
    return None if year > on.year else min(on, dt.date(year, 12, 31))


def affected_in_system(code: str, year: int, on: dt.date):
    """Each affected household of the area's events begun in the year, one query."""
    day = _day(year, on)
    cases = Case.objects.filter(household=OuterRef("household"), kind=Case.Kind.ENROLLMENT,
                                opened_at__date__lte=day or on)
    rows = (AffectedHousehold.objects.filter(access.subtree("household__village_id", divisions.prefix(code)),
                                             event__start__year=year)
            .select_related("event", "household").annotate(has_case=Exists(cases))
            .order_by("event__code", "household__number"))
    for r in rows:
        h = r.household
        done = r.has_case or (h.category == "monitored" and (h.risk_eliminated_on is None
                                                             or (day and h.risk_eliminated_on > day)))
        subject = Subject(f"{r.event.name}：户{h.number}", h.village_id,
                          reverse("ledger_entry", args=["disasters", "disaster_households", r.pk]), due=day)
        ratio = Ratio(int(bool(done)), 1, "已纳入监测或已有识别纳入案件", "应有", unit="count")
        yield subject, (lambda _day, ratio=ratio: ratio)


def referral_answered(code: str, year: int, on: dt.date, answer_days: int = 30):
    """Each referral of the area made in the year: whether civil affairs answered (granted or refused) by its own
    day, `answer_days` after it was made."""
    from .models import Referral

    rows = (Referral.objects.filter(access.subtree("household__village_id", divisions.prefix(code)),
                                    referred_on__year=year).select_related("household").order_by("code"))
    for r in rows:
        due = r.referred_on + dt.timedelta(days=answer_days)
        subject = Subject(f"{r.get_kind_display()}转介 {r.code}", r.household.village_id,
                          reverse("ledger_entry", args=["referrals", "referrals", r.pk]), due=due)

        def ratio_on(day, r=r):
            answered = r.result in ("granted", "refused") and r.decided_on is not None and r.decided_on <= day
            return Ratio(int(answered), 1, "民政部门的认定结果", "应有", unit="count")
        yield subject, ratio_on


def relocated_employed(code: str, year: int, on: dt.date):
    """Each relocated household of the area with a laborer (moved in by the day judged): whether one of its members
    has work in the year."""
    from .models import RelocatedHousehold
    from .selectors import followed

    day = _day(year, on) or on
    rows = (followed(RelocatedHousehold.objects.filter(access.subtree("household__village_id", divisions.prefix(code)),
                                                       relocated_on__lte=day), year)
            .select_related("site", "household").filter(laborers__gt=0).order_by("site__code", "household__number"))
    for r in rows:
        subject = Subject(f"{r.site.name}：户{r.household.number}", r.household.village_id,
                          reverse("ledger_entry", args=["relocation", "relocation_households", r.pk]),
                          due=dt.date(year, 12, 31))
        ratio = Ratio(min(r.employed, 1), 1, "就业人数（至少1人）", "应有", unit="count")
        yield subject, (lambda _day, ratio=ratio: ratio)
