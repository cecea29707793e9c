"""The posts checks (双发〔2022〕67号 13) on their boundaries: exactly half of the posts is met and a post more is not;
the year's end count equal to last year's is met and one fewer is not; the share is judged on the date asked, the
count on 31 December (pending before); who counts, which posts count; outside 双碾乡 nothing is judged."""
import dataclasses
import datetime as dt

import pytest

from conftest import SHUANGNIAN_CUN, WUJIAYAO, make_household
from fangpin.employment.models import Post, PostHolder
from fangpin.ledgers import checks
from fangpin.ledgers.checks import MET, MISSED, NO_DATA, PENDING, Ratio, Subject, judge
from fangpin.orgunits.models import OrgUnit

D = dt.date
VILLAGE = Subject("双碾村", SHUANGNIAN_CUN)


def _check(check_id: str, **changes) -> checks.Check:
    check = next(c for c in checks.checks_of("posts") if c.id == check_id)
    return dataclasses.replace(check, **changes)


def _fixed(num, den):
    return lambda day: Ratio(num, den, "在岗", "岗位", unit="count")


@pytest.mark.parametrize(("num", "den", "status"), [
    (2, 4, MET),  # 不低于50%: exactly half is met
    (2, 5, MISSED),  # a post more, the same persons
    (3, 5, MET),
    (0, 0, NO_DATA),  # no post
])
def test_the_share_at_the_boundary(num, den, status):
    finding = judge(_check("post_target_share"), VILLAGE, 2025, D(2025, 5, 1), _fixed(num, den))
    assert finding.status == status
    assert finding.judged_on == D(2025, 5, 1)  # on the date asked, not at the year's end
    assert "双发〔2022〕67号 第13条" in finding.explanation


def test_the_share_of_a_past_year_is_judged_on_its_last_day_and_of_a_later_year_is_pending():
    seen = []

    def ratio_on(day):
        seen.append(day)
        return Ratio(1, 2, "在岗", "岗位", unit="count")

    past = judge(_check("post_target_share"), VILLAGE, 2024, D(2025, 5, 1), ratio_on)
    assert (past.status, past.judged_on, seen[-1]) == (MET, D(2024, 12, 31), D(2024, 12, 31))
    later = judge(_check("post_target_share"), VILLAGE, 2026, D(2025, 5, 1), ratio_on)
    assert later.status == PENDING and later.judged_on is None


@pytest.mark.parametrize(("on", "num", "den", "status", "judged"), [
    (D(2025, 12, 30), 9, 10, PENDING, None),  # before the year's end: pending, the figures so far shown
    (D(2025, 12, 31), 10, 10, MET, D(2025, 12, 31)),  # 只增不减: as many as last year is met
    (D(2025, 12, 31), 9, 10, MISSED, D(2025, 12, 31)),  # one fewer
    (D(2025, 12, 31), 11, 10, MET, D(2025, 12, 31)),
    (D(2025, 12, 31), 3, 0, MET, D(2025, 12, 31)),  # nobody last year: any holder is an increase
    (D(2025, 12, 31), 0, 0, NO_DATA, D(2025, 12, 31)),
    (D(2026, 2, 1), 9, 10, MISSED, D(2025, 12, 31)),  # a later date judges the year's end
])
def test_holders_kept_at_the_boundary(on, num, den, status, judged):
    finding = judge(_check("post_target_holders_kept"), VILLAGE, 2025, on, _fixed(num, den))
    assert (finding.status, finding.judged_on) == (status, judged)
    if status == PENDING:
        assert "应于2025-12-31不低于100%" in finding.explanation


# -- measured on the ledger ---------------------------------------------------------------------------------------

def _post(code, village=SHUANGNIAN_CUN, *, kind="village", created=D(2023, 1, 1), abolished=None):
    return Post.objects.create(code=code, village_id=village, name=code, kind=kind, funding="pv_income",
                               monthly_wage=60_000, created_on=created, abolished_on=abolished)


def _hold(post, member, start=D(2023, 1, 1), end=None):
    return PostHolder.objects.create(post=post, member=member, started_on=start, ended_on=end)


def _person(number, *, category="lifted", village=SHUANGNIAN_CUN, disabled=False):
    h = make_household(village, number, category=category, monitor_type="marginal" if category == "monitored" else "",
                       members=2)
    head, other = h.members.order_by("pk")
    if disabled:  # the other member holds a disability grade: a household with a disabled member
        other.disability_grade = 2
        other.save()
    return head


def _findings(year, on, code=SHUANGNIAN_CUN):
    unit = OrgUnit.objects.get(code=code)
    return {(f.check.id, f.subject.code): f for f in checks.for_area("posts", unit, year=year, on=on)}


@pytest.mark.django_db
def test_who_counts_in_the_share_and_which_posts(world):
    lifted = _person("P1")
    monitored = _person("P2", category="monitored")
    disabled = _person("P3", category="ordinary", disabled=True)  # 残疾人家庭, not a target household
    ordinary = _person("P4", category="ordinary")
    a, b, c, d = (_post(f"V{i}") for i in range(4))
    _hold(a, lifted)
    _hold(b, ordinary)
    _hold(c, disabled, end=D(2025, 4, 30))  # left the day before the date asked
    _hold(_post("E1", kind="employment_assistance"), monitored)  # clause 14's post: not in the count
    _post("GONE", abolished=D(2025, 4, 30))  # abolished before the date: not a post any more
    on = D(2025, 5, 1)
    f = _findings(2025, on)[("post_target_share", SHUANGNIAN_CUN)]
    assert (f.ratio.numerator, f.ratio.denominator, f.status) == (1, 4, MISSED)  # the vacant post d counts
    _hold(d, disabled, start=on)  # from the date asked: counted
    f = _findings(2025, on)[("post_target_share", SHUANGNIAN_CUN)]
    assert (f.ratio.numerator, f.ratio.denominator, f.status) == (2, 4, MET)  # exactly 50%
    assert "村级公益岗位上的脱贫户、监测户、残疾人家庭劳动力（人）2，村级公益岗位总数（个）4，占50%" in f.explanation
    _post("V5")  # one post more: 2 of 5
    assert _findings(2025, on)[("post_target_share", SHUANGNIAN_CUN)].status == MISSED


@pytest.mark.django_db
def test_a_person_in_two_posts_counts_once(world):
    lifted = _person("P1")
    _hold(_post("V1"), lifted)
    _hold(_post("V2"), lifted)
    f = _findings(2025, D(2025, 5, 1))[("post_target_share", SHUANGNIAN_CUN)]
    assert (f.ratio.numerator, f.ratio.denominator, f.status) == (1, 2, MET)


@pytest.mark.django_db
def test_holders_kept_compares_the_years_ends(world):
    one, two = _person("P1"), _person("P2", category="monitored")
    disabled = _person("P3", category="ordinary", disabled=True)  # not 脱贫人口 or 监测对象: not in this count
    a, b = _post("V1"), _post("V2")
    _hold(a, one)
    _hold(b, two, end=D(2025, 12, 30))  # left before the year's end
    _hold(b, disabled, start=D(2025, 12, 31))
    found = _findings(2025, D(2025, 12, 31))
    f = found[("post_target_holders_kept", SHUANGNIAN_CUN)]
    assert (f.ratio.numerator, f.ratio.denominator, f.status) == (1, 2, MISSED)  # one fewer than on 2024-12-31
    assert "2025-12-31村级公益岗位上的脱贫人口和监测对象（人）1，上年同日（2024-12-31）2" in f.explanation
    _hold(b, _person("P4"), start=D(2025, 12, 31))
    f = _findings(2025, D(2026, 1, 15))[("post_target_holders_kept", SHUANGNIAN_CUN)]
    assert (f.ratio.numerator, f.ratio.denominator, f.status) == (2, 2, MET)  # as many as last year
    f = _findings(2025, D(2025, 7, 1))[("post_target_holders_kept", SHUANGNIAN_CUN)]
    assert f.status == PENDING and (f.ratio.numerator, f.ratio.denominator) == (2, 2)  # 2025-07-01 vs 2024-07-01


@pytest.mark.django_db
def test_checks_are_judged_for_each_village_of_shuangnian_only(world):
    _hold(_post("V1"), _person("P1"))
    _hold(_post("W1", WUJIAYAO), _person("W", village=WUJIAYAO, category="ordinary"))
    _hold(_post("O1", world.other_township_village), _person("O", village=world.other_township_village))
    county = OrgUnit.objects.get(code="140603000000")
    found = {(f.check.id, f.subject.code): f.status for f in checks.for_area("posts", county, year=2025,
                                                                               on=D(2025, 5, 1))}
    assert found[("post_target_share", SHUANGNIAN_CUN)] == MET
    assert found[("post_target_share", WUJIAYAO)] == MISSED
    assert found[("post_target_holders_kept", SHUANGNIAN_CUN)] == PENDING
    assert not any(code == world.other_township_village for _, code in found)  # another township: not judged
    assert len({code for _, code in found}) == 15  # every village of 双碾乡, with posts or not
    # the seed runs to 2025-12-31: a later year is not asked, an earlier one is
    assert checks.for_area("posts", county, year=2026, on=D(2026, 5, 1)) == []
    assert checks.for_area("posts", county, year=2022, on=D(2022, 12, 31))
    longxian = OrgUnit.objects.get(code="610327000000")
    assert checks.for_area("posts", longxian, year=2025, on=D(2025, 5, 1)) == []


def test_the_checks_cite_the_seed_word_for_word():
    from pathlib import Path

    seed = (Path(__file__).resolve().parents[5] / "shared" / "seeds" / "001_931a497636cf925e.txt")
    if not seed.exists():
        pytest.skip("the seeds are not beside the repository")
    text = seed.read_text(encoding="utf-8")
    for check in checks.checks_of("posts"):
        assert check.quote in text, check.id
