"""Each status on its boundaries: standing floors and ceilings, dated targets before, on and after their day, the time
progress, "not lower than last year", no data."""
import datetime as dt

import pytest

from fangpin.indicators import status
from fangpin.indicators.catalog import Milestone, Target

D = dt.date


def target(comparison="at_least", bound=None, schedule=(), levels=("county",), regions=("43",), in_force=None):
    return Target(comparison, tuple(Milestone(md, b) for md, b in schedule), bound, levels, regions, in_force)


FLOOR = target(bound=0.5)
CEILING = target("at_most", bound=100.0)
SPENDING = target(schedule=[((6, 30), 0.6), ((9, 30), 0.8), ((12, 31), 1.0)])
BY_YEAR_END = target(schedule=[((12, 31), 50.0)])
NOT_BELOW = target("not_below_last_year")
NOT_BELOW_BY_END = target("not_below_last_year", schedule=[((12, 31), 0.0)])


@pytest.mark.parametrize("value, expected", [(0.5, status.MET), (0.4999, status.MISSED), (0.9, status.MET),
                                             (None, status.NO_DATA)])
def test_standing_floor_counts_its_bound_as_met(value, expected):
    on = D(2022, 5, 1)
    assert status.judge(FLOOR, on, {on: value}).status == expected


@pytest.mark.parametrize("value, expected", [(100.0, status.MET), (100.01, status.MISSED), (0.0, status.MET)])
def test_standing_ceiling(value, expected):
    on = D(2022, 5, 1)
    assert status.judge(CEILING, on, {on: value}).status == expected


def test_gap_is_what_is_missing_in_the_unit():
    on = D(2022, 5, 1)
    assert status.judge(FLOOR, on, {on: 0.4}).gap == pytest.approx(0.1)
    assert status.judge(FLOOR, on, {on: 0.7}).gap == pytest.approx(-0.2)  # a margin over it
    assert status.judge(CEILING, on, {on: 120.0}).gap == pytest.approx(20.0)


def test_schedule_judged_on_its_day_by_that_days_value():
    june = D(2022, 6, 30)
    assert status.judge(SPENDING, june, {june: 0.6}).status == status.MET
    j = status.judge(SPENDING, june, {june: 0.5999})
    assert (j.status, j.due, j.bound) == (status.MISSED, june, 0.6)
    # in August the June figure stands: a late catch-up does not undo a missed day
    aug = D(2022, 8, 15)
    assert status.judge(SPENDING, aug, {june: 0.59, aug: 0.79}).status == status.MISSED


def test_before_its_day_a_target_is_on_track_or_at_risk_by_time_progress():
    # 1 Jan -> 30 Jun is 180 days; on 31 Mar (89 days) the line from 0 to 60% stands at 29.67%
    on = D(2022, 3, 31)
    expected = 0.6 * 89 / 180
    j = status.judge(SPENDING, on, {on: expected})
    assert j.status == status.ON_TRACK and j.expected == pytest.approx(expected) and j.due == D(2022, 6, 30)
    assert status.judge(SPENDING, on, {on: expected - 0.0001}).status == status.AT_RISK
    # reaching the next day's bound early is met
    assert status.judge(SPENDING, on, {on: 0.6}).status == status.MET


def test_time_progress_starts_from_the_last_day_met():
    june, on = D(2022, 6, 30), D(2022, 8, 15)  # 46 of the 92 days to 30 Sept: halfway from 60% to 80%
    values = {june: 0.65, on: 0.70}
    j = status.judge(SPENDING, on, values)
    assert j.expected == pytest.approx(0.6 + 0.2 * 46 / 92) and j.status == status.ON_TRACK
    assert status.judge(SPENDING, on, {june: 0.65, on: 0.6999}).status == status.AT_RISK


def test_after_the_last_day_met_stays_met():
    dec = D(2022, 12, 31)
    values = {D(2022, 6, 30): 0.6, D(2022, 9, 30): 0.8, dec: 1.0}
    assert status.judge(SPENDING, dec, values).status == status.MET
    assert status.judge(SPENDING, dec, values | {dec: 0.99}).status == status.MISSED


def test_a_year_end_amount():
    on = D(2022, 7, 2)  # 182 of 364 days: half of 50
    assert status.judge(BY_YEAR_END, on, {on: 25.0}).status == status.ON_TRACK
    assert status.judge(BY_YEAR_END, on, {on: 24.9}).status == status.AT_RISK
    assert status.judge(BY_YEAR_END, on, {on: 50.0}).status == status.MET


def test_not_below_last_year():
    on, last = D(2022, 8, 31), D(2021, 8, 31)
    assert status.judge(NOT_BELOW, on, {on: 100.0, last: 100.0}).status == status.MET
    j = status.judge(NOT_BELOW, on, {on: 99.0, last: 100.0})
    assert (j.status, j.bound, j.gap) == (status.MISSED, 100.0, 1.0)
    assert status.judge(NOT_BELOW, on, {on: 5.0}).status == status.NO_DATA  # last year unknown


def test_not_below_last_year_by_the_year_end():
    on, last = D(2022, 8, 31), D(2021, 8, 31)
    # before the day: compared with the same day last year, never met early
    assert status.judge(NOT_BELOW_BY_END, on, {on: 100.0, last: 100.0}).status == status.ON_TRACK
    assert status.judge(NOT_BELOW_BY_END, on, {on: 99.0, last: 100.0}).status == status.AT_RISK
    dec, last_dec = D(2022, 12, 31), D(2021, 12, 31)
    assert status.judge(NOT_BELOW_BY_END, dec, {dec: 120.0, last_dec: 120.0}).status == status.MET
    assert status.judge(NOT_BELOW_BY_END, dec, {dec: 119.0, last_dec: 120.0}).status == status.MISSED


def test_29_february_compares_with_28_february():
    assert status.same_day_last_year(D(2024, 2, 29)) == D(2023, 2, 28)
    assert D(2023, 2, 28) in status.days_needed([NOT_BELOW], D(2024, 2, 29))


def test_days_needed_are_the_day_last_year_and_the_passed_target_days():
    days = status.days_needed([SPENDING], D(2022, 8, 15))
    assert days == {D(2022, 8, 15), D(2021, 8, 15), D(2022, 6, 30), D(2021, 6, 30)}


def test_applies_by_level_region_and_period():
    t = target(bound=1.0, levels=("county", "province"), regions=("43",), in_force=(D(2022, 1, 1), D(2022, 12, 31)))
    assert t.applies("430102000000", "county", D(2022, 3, 1))
    assert not t.applies("430102000000", "county", D(2023, 1, 1))  # outside the seed's year
    assert not t.applies("430102001000", "township", D(2022, 3, 1))  # a level it does not set
    assert not t.applies("140603000000", "county", D(2022, 3, 1))  # another province


def test_the_worst_of_several_targets_shows():
    a, b = (FLOOR, status.Judgement(status.MET)), (CEILING, status.Judgement(status.AT_RISK))
    assert status.worst([a, b])[1].status == status.AT_RISK
    assert status.worst([])[1].status == status.NO_TARGET
