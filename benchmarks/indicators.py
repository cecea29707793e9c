"""Indicators benchmark (issue 14): every indicator of the catalog for a province-sized area, every unit, every level.

A synthetic province (code prefix 43, so the 湖南 targets apply): 14 cities, 8–10 counties each, about 15 townships a
county and 20 villages a township (about 38,000 villages), N persons in their households with the facts the
registry, monitoring and ledgers would give (work spells, income accounts, cadres, measures, funds projects with
allocations and expenditures, loans and repayments, problems, posts and holders, PV incomes and uses, purchases,
link entities, village haves, assets), written as Parquet in exactly the shape `facts.scan` reads (not timed).

Timed, each in its own process so that its peak RSS is its own:
- ours: scan the Parquet files, `engine.compute` for every indicator of the catalog on the days a status needs (the day
  asked, the same day last year, every target milestone of the year already passed), every unit of the tree;
  then, when they exist, the status of every (indicator, unit) and the snapshot write (PostgreSQL);
- pages (with --database): a second snapshot a month earlier (the same step), then the dashboard and an indicator's
  page (a share, a count) at every level and the values API of a county, through Django's test Client as a
  province's leader: p50/p95 of 30 requests after a warm-up, and EXPLAIN ANALYZE of their IndicatorValue queries;
- peer: what a naive system does — one filtered query per unit and fact (Polars, the facts in memory, rows whose code
  starts with the unit's prefix, every measure of that fact on that subset) — on a sample of units, extrapolated to
  every unit (labelled so). The script stops unless ours equals the peer's on every sampled unit.

    python benchmarks/indicators.py [--persons 1000000,10000000] [--on 2022-08-31] [--database postgres://…]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import machine  # benchmarks/machine.py: the reference figure of the machine

ROOT = Path(__file__).resolve().parents[1]
PROVINCE = 43
SNAPSHOT_DB = "fangpin_bench_ind"


def django_setup(database: str | None = None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    os.environ.setdefault("FANGPIN_VAR_DIR", tempfile.gettempdir())
    if database:
        os.environ["DATABASE_URL"] = database
    import django

    django.setup()


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the synthetic province (not timed) ----------------------------------------------------------------------------

def generate(persons: int, out: Path, seed: int = 14, cities: int = 14) -> dict:
    django_setup()
    import numpy as np
    import polars as pl

    from fangpin.indicators.facts import FACTS

    rng = np.random.default_rng(seed)
    D = np.datetime64

    def pick(labels, n, p=None):
        """n labels drawn with probabilities p, as a String series (gathered: no Python string per row)."""
        return pl.Series(labels, dtype=pl.String).gather(rng.choice(len(labels), size=n, p=p))

    def days(start: str, offsets) -> pl.Series:
        return pl.Series((D(start) + np.asarray(offsets, dtype="int64")).astype("datetime64[D]")).cast(pl.Date)

    def null_where(series: pl.Series, mask) -> pl.Series:
        return pl.select(pl.when(pl.Series(np.asarray(mask))).then(None).otherwise(series)).to_series().alias(
            series.name)

    def ids(n):
        return np.arange(1, n + 1, dtype=np.int64)

    # the tree: 43 cc dd ttt vvv
    units = [(PROVINCE * 10**10, "province", "湖南模拟省")]
    county_codes, township_codes, village_codes = [], [], []
    for c in range(1, cities + 1):
        city = (PROVINCE * 100 + c) * 10**8
        units.append((city, "city", f"模拟{c}市"))
        for d in range(1, int(rng.integers(8, 11)) + 1):
            county = city + (d + 1) * 10**6
            county_codes.append(county)
            units.append((county, "county", f"模拟{c}市{d}县"))
            for t in range(1, int(rng.integers(12, 19)) + 1):
                township = county + (100 + t) * 1000
                township_codes.append(township)
                units.append((township, "township", f"{county // 10**6}{t}乡"))
                n_v = int(rng.integers(15, 26))
                village_codes.extend(township + 200 + v for v in range(1, n_v + 1))
    villages = np.array(village_codes, dtype=np.int64)
    townships = np.array(township_codes, dtype=np.int64)
    counties = np.array(county_codes, dtype=np.int64)
    nv, nt, nc = villages.size, townships.size, counties.size
    units += [(int(v), "village", f"{v % 10**6}村") for v in villages]
    units = pl.DataFrame(units, schema={"code": pl.Int64, "level": pl.String, "name": pl.String}, orient="row")

    def county_of(codes):
        return codes // 10**6 * 10**6

    def places(n, shares):
        """n places in the tree: a village, a township or a county, by the shares given (ledgers placed at a unit)."""
        kind = rng.choice(3, size=n, p=shares)
        return np.select([kind == 0, kind == 1], [villages[rng.integers(0, nv, n)], townships[rng.integers(0, nt, n)]],
                         counties[rng.integers(0, nc, n)])

    # households, sorted by village (numbers are issued village by village); villages differ in size
    weights = rng.gamma(4.0, 1.0, nv)
    sizes = rng.choice(np.arange(1, 7), size=persons // 2 + 100, p=[.12, .25, .25, .2, .12, .06])
    owner = np.repeat(np.arange(sizes.size), sizes)[:persons]
    nh = int(owner[-1]) + 1
    hh_village = np.sort(rng.choice(nv, size=nh, p=weights / weights.sum()))
    cat = rng.choice(3, size=nh, p=[.25, .03, .72])
    monitored = cat == 1
    eliminated = monitored & (rng.random(nh) < .6)
    households = pl.DataFrame({
        "code": villages[hh_village], "row": ids(nh), "household": ids(nh),
        "category": pl.Series(["lifted", "monitored", "ordinary"]).gather(cat),
        "monitor_type": null_where(pick(["unstable", "marginal", "sudden_hardship"], nh, [.4, .4, .2]), ~monitored),
        "risk_eliminated_on": null_where(days("2020-03-01", rng.integers(0, 1000, nh)), ~eliminated),
        "lifted_year": pl.Series(rng.integers(2014, 2021, nh)).set(pl.Series(cat != 0), None),
        "dibao": (rng.random(nh) < np.where(cat == 0, .1, np.where(monitored, .3, .03))),
    })
    hcols = ["code", "household", "category", "monitor_type", "risk_eliminated_on"]

    # persons: age decides who can work
    birth = rng.integers(0, 80 * 365, persons)  # days after 1942-01-01
    age_2022 = (80 * 365 - birth) // 365
    labor = rng.choice(4, size=persons, p=[.6, .15, .1, .15])
    labor = np.where((age_2022 < 16) | (age_2022 > 70), 3, labor)
    person_frame = households.select(hcols).gather(owner).with_columns(
        pl.Series("row", ids(persons)), pl.Series("person", ids(persons)),
        pl.Series(["laborer", "half", "weak", "none"]).gather(labor).alias("labor_capacity"),
        days("1942-01-01", birth).alias("birth_date"),
        null_where(pl.Series(rng.integers(1, 5, persons)), rng.random(persons) > .04).alias("disability_grade"))

    # enterprises: about 200 a county (employers, workshops, cooperatives, community factories ...)
    ne = 200 * nc
    enterprises = pl.DataFrame({
        "code": places(ne, [.5, .3, .2]), "row": ids(ne), "enterprise": ids(ne),
        "kind": pick(["employer", "workshop", "cooperative", "family_farm", "lead_enterprise", "community_factory"],
                     ne, [.4, .15, .2, .1, .05, .1]),
        "total_employees": rng.integers(3, 80, ne), "labor_intensive": rng.random(ne) < .3})

    # work spells: 45% of lifted/monitored laborers, over 2021 and 2022, a few with a second spell in a year
    target = (cat[owner] != 2) & (labor <= 1)
    workers = np.flatnonzero(target & (rng.random(persons) < .45))
    spells = []
    for year, share in ((2021, .9), (2022, .95)):
        w = workers[rng.random(workers.size) < share]
        w = np.sort(np.concatenate([w, w[rng.random(w.size) < .15]]))
        spells.append((year, w))
    sp_person = np.concatenate([w for _, w in spells])
    sp_year = np.concatenate([np.full(w.size, y) for y, w in spells])
    m = sp_person.size
    start = (sp_year - 2021) * 365 + rng.integers(0, 300, m)  # days after 2021-01-01
    length = rng.integers(30, 400, m)
    open_end = (sp_year == 2022) & (rng.random(m) < .4)
    kind = rng.choice(3, size=m, p=[.8, .08, .12])
    place = rng.choice(3, size=m, p=[.4, .25, .35])
    employer = np.where(place == 2, rng.choice(5, size=m, p=[.5, .2, .1, .1, .1]), rng.choice(2, size=m, p=[.9, .1]))
    employer_labels = pl.Series(["employer", "workshop", "cooperative", "lead_enterprise", "community_factory"])
    months = np.where(open_end, (730 - start) // 30, np.minimum(length // 30, 12)).clip(1, 12)
    spell_frame = person_frame.select(hcols + ["person"]).gather(sp_person).with_columns(
        pl.Series("row", ids(m)), pl.Series("year", sp_year.astype(np.int64)),
        pl.Series(["wage_job", "public_welfare_post", "flexible"]).gather(kind).alias("kind"),
        null_where(pick(["employment_assistance", "village", "one_household_one_post", "other"], m), kind != 1)
        .alias("post_kind"),
        pl.Series(["cross_province", "in_province_out_of_county", "in_county"]).gather(place).alias("place"),
        null_where(employer_labels.gather(employer), kind == 2).alias("employer_kind"),
        null_where(pl.Series(rng.integers(1, ne + 1, m)), kind == 2).alias("employer"),
        days("2021-01-01", start).alias("start"),
        null_where(days("2021-01-01", start + length), open_end).alias("end"),
        pl.Series("months", months.astype(np.int64)), pl.Series("returnee", rng.random(m) < .05))

    # trainings: 3% of persons a year, one in ten of them disabled persons' practical training
    tr_person = np.sort(rng.choice(persons, size=persons * 3 // 100 * 2, replace=True))
    ntr = tr_person.size
    tr_year = rng.choice([2021, 2022], size=ntr)
    practical = rng.random(ntr) < .1
    training_frame = person_frame.select(hcols + ["person"]).gather(tr_person).with_columns(
        pl.Series("row", ids(ntr)), pl.Series("year", tr_year.astype(np.int64)),
        pl.when(pl.Series(practical)).then(pl.lit("disabled_practical"))
        .otherwise(pick(["skills", "order", "outbound", "general"], ntr)).alias("kind"),
        days("2021-01-01", (tr_year - 2021) * 365 + rng.integers(0, 330, ntr)).alias("start"),
        pl.Series("days", rng.integers(3, 30, ntr).astype(np.int64)),
        null_where(pl.Series(rng.integers(1, 5, ntr).astype(np.int64)), ~practical).alias("disability_grade"))

    # payments: one benefit paid to 1% of persons a year, a tenth of them the disabled persons' industry support
    pay_person = np.sort(rng.choice(persons, size=persons // 100 * 2, replace=True))
    npay = pay_person.size
    pay_year = rng.choice([2021, 2022], size=npay)
    payment_frame = person_frame.select("code", "household", "person").gather(pay_person).with_columns(
        pl.Series("row", ids(npay)),
        pick(["disabled_industry_support", "transport_subsidy", "land_fertility_subsidy"], npay, [.1, .5, .4])
        .alias("benefit"),
        pl.Series("amount", rng.integers(10_000, 600_000, npay).astype(np.int64)),
        pick(["paid", "pending", "failed"], npay, [.9, .07, .03]).alias("status"),
        days("2021-01-01", (pay_year - 2021) * 365 + rng.integers(0, 330, npay)).alias("paid_on"))

    # income accounts: every lifted/monitored household, 2020 and 2021
    poor = np.flatnonzero(cat != 2)
    acc_h = np.concatenate([poor, poor])
    acc_year = np.repeat([2020, 2021], poor.size)
    na = acc_h.size
    accounts = households.select(hcols).gather(acc_h).with_columns(
        pl.Series("row", ids(na)), pl.Series("year", acc_year.astype(np.int64)),
        pick(["below", "edge", "above", "unknown"], na, [.03, .07, .88, .02]).alias("band"),
        pl.Series("fell", rng.random(na) < .1))

    # cadres and measures for monitored households still at risk (and some eliminated since)
    at_risk = np.flatnonzero(monitored)
    cad_h = np.sort(np.concatenate([at_risk, at_risk[rng.random(at_risk.size) < .2]]))
    ncad = cad_h.size
    since = rng.integers(0, 900, ncad)
    cadres = households.select(hcols).gather(cad_h).with_columns(
        pl.Series("row", ids(ncad)), days("2020-06-01", since).alias("since"),
        null_where(days("2020-06-01", since + rng.integers(60, 600, ncad)), rng.random(ncad) < .85).alias("until"))
    mea_h = np.sort(np.repeat(at_risk, rng.integers(1, 4, at_risk.size)))
    nme = mea_h.size
    mstart = rng.integers(0, 900, nme)
    status = rng.choice(3, size=nme, p=[.1, .4, .5])
    measures = households.select(hcols).gather(mea_h).with_columns(
        pl.Series("row", ids(nme)),
        pick(["industry", "employment", "finance", "social_assistance", "education", "medical", "housing", "water",
              "other"], nme).alias("kind"),
        pl.Series(["planned", "in_progress", "done"]).gather(status).alias("status"),
        days("2020-06-01", mstart).alias("start"),
        null_where(days("2020-06-01", mstart + rng.integers(30, 300, nme)), status != 2).alias("end"))

    # funds: about 1,500 projects a county over 2020–2022, placed at a village (70%), township or county
    npj = 1500 * nc
    pj_year = rng.integers(2020, 2023, npj)
    pj_base = (pj_year - 2020) * 365  # days after 2020-01-01
    started = pj_base + 60 + rng.integers(0, 200, npj)
    completed = started + rng.integers(60, 300, npj)
    done = (rng.random(npj) < .85) & (completed < 3 * 365)
    projects = pl.DataFrame({
        "code": places(npj, [.7, .2, .1]), "row": ids(npj), "year": pj_year.astype(np.int64),
        "kind": pick(["industry", "employment", "infrastructure", "public_service", "relocation", "other"], npj,
                     [.55, .1, .2, .1, .03, .02]),
        "relief_mode": pick(["none", "dedicated", "promoted"], npj, [.5, .2, .3]),
        "stored_on": days("2019-10-01", pj_base + rng.integers(0, 120, npj)),
        "started_on": null_where(days("2020-01-01", started), rng.random(npj) < .08),
        "completed_on": null_where(days("2020-01-01", completed), ~done),
        "accepted_on": null_where(days("2020-01-01", completed + rng.integers(10, 60, npj)),
                                  ~done | (rng.random(npj) < .2)),
    })
    project_cols = projects.select("code", pl.col("row").alias("project"), "year", pl.col("kind").alias("project_kind"),
                                   "relief_mode", "completed_on")
    al_p = np.repeat(np.arange(npj), rng.integers(1, 5, npj))
    nal = al_p.size
    al_amount = rng.integers(50_000, 3_000_000, nal) * 100
    al_on = pj_base[al_p] + 15 + rng.integers(0, 200, nal)
    allocations = project_cols.gather(al_p).with_columns(
        pl.Series("row", ids(nal)),
        pick(["central", "province", "city", "county"], nal, [.5, .25, .1, .15]).alias("source"),
        pick(["linkage", "integrated", "other"], nal, [.75, .15, .1]).alias("fund_kind"),
        pl.Series("amount", al_amount), days("2020-01-01", al_on).alias("allocated_on"))
    # each allocation spent in up to three payments after it was allocated, never more than it
    ex_a = np.repeat(np.arange(nal), rng.choice(4, size=nal, p=[.1, .3, .35, .25]))
    nex = ex_a.size
    ex_amount = (al_amount[ex_a] * rng.uniform(.1, .33, nex)).astype(np.int64)
    expenditures = allocations.gather(ex_a).select(
        "code", "project", "year", "project_kind", "relief_mode", "completed_on", "source", "fund_kind").with_columns(
        pl.Series("row", ids(nex)), pl.Series("amount", ex_amount),
        days("2020-01-01", al_on[ex_a] + rng.integers(5, 330, nex)).alias("paid_on"),
        pl.Series("labour", rng.random(nex) < .15))

    # micro-credit: about 10% of lifted households borrow, in a laborer's name; repayments up to the due day
    lifted_h = np.flatnonzero(cat == 0)
    borrowers_h = lifted_h[rng.random(lifted_h.size) < .1]
    first_member = np.searchsorted(owner, borrowers_h)
    nlo = borrowers_h.size
    issued = rng.integers(0, 1250, nlo)  # days after 2019-06-01
    loans = person_frame.select(hcols + ["person"]).gather(first_member).with_columns(
        pl.Series("row", ids(nlo)), days("2019-06-01", issued).alias("issued_on"),
        days("2019-06-01", issued + 1095).alias("due_on"),
        null_where(days("2019-06-01", issued + 1460), rng.random(nlo) > .05).alias("extended_to"),
        pl.Series("amount", rng.integers(10, 51, nlo) * 1_000_00),
        pick(["crops", "livestock", "processing", "trade", "tourism", "other"], nlo).alias("use"))
    rp_l = np.repeat(np.arange(nlo), rng.choice(4, size=nlo, p=[.3, .3, .25, .15]))
    nrp = rp_l.size
    repayments = loans.gather(rp_l).select(
        hcols + ["person", pl.col("row").alias("loan"), "issued_on"]).with_columns(
        pl.Series("row", ids(nrp)), days("2019-06-01", issued[rp_l] + rng.integers(30, 1095, nrp)).alias("repaid_on"),
        pl.Series("principal", rng.integers(1, 20, nrp) * 1_000_00))

    # risk compensation for 2% of loans, after they were due; a third still unpaid
    co_l = np.flatnonzero(rng.random(nlo) < .02)
    nco = co_l.size
    compensations = loans.gather(co_l).select(
        hcols + ["person", pl.col("row").alias("loan"), "issued_on"]).with_columns(
        pl.Series("row", ids(nco)),
        null_where(days("2019-06-01", issued[co_l] + 1095 + rng.integers(30, 300, nco)), rng.random(nco) < .33)
        .alias("compensated_on"),
        pl.Series("amount", rng.integers(1, 10, nco) * 1_000_00))

    # start-ups of 1% of persons; entities' links to 5% of households a year; households' declared haves
    su_p = np.sort(rng.choice(persons, size=persons // 100, replace=False))
    startups = person_frame.select(hcols + ["person"]).gather(su_p).with_columns(
        pl.Series("row", ids(su_p.size)), days("2018-01-01", rng.integers(0, 1700, su_p.size)).alias("started_on"))
    lk_h = np.sort(rng.choice(nh, size=nh // 10, replace=True))
    links = households.select(hcols).gather(lk_h).with_columns(
        pl.Series("row", ids(lk_h.size)), pl.Series("year", rng.choice([2021, 2022], size=lk_h.size)),
        pick(["employment", "orders", "dividends"], lk_h.size).alias("way"),
        null_where(days("2021-01-01", rng.integers(0, 700, lk_h.size)), rng.random(lk_h.size) < .3).alias("started_on"))
    hv_h = np.flatnonzero(cat != 2)
    hv_h = np.sort(np.concatenate([hv_h[rng.random(hv_h.size) < .2] for _ in range(2)]))
    nhv = hv_h.size
    household_haves = households.select(hcols).gather(hv_h).with_columns(
        pl.Series("row", ids(nhv)), pl.Series("year", np.tile([2021, 2022], nhv)[:nhv]),
        null_where(pick(["养牛", "种茶", "务工"], nhv), rng.random(nhv) < .5).alias("income_project"),
        null_where(pick(["电焊", "厨师", "家政"], nhv), rng.random(nhv) < .6).alias("skills"))

    # referrals to civil affairs of 1% of households, relocated households 2% (at a site per township's worth)
    rf_h = np.sort(rng.choice(nh, size=max(1, nh // 100), replace=False))
    nrf = rf_h.size
    referred = rng.integers(0, 700, nrf)
    answered = rng.random(nrf) < .8
    referrals = households.select(hcols).gather(rf_h).with_columns(
        pl.Series("row", ids(nrf)), pick(["dibao", "tekun", "temporary"], nrf).alias("kind"),
        days("2021-01-01", referred).alias("referred_on"),
        pl.Series("result", np.where(answered, np.where(rng.random(nrf) < .6, "granted", "refused"), "")),
        null_where(days("2021-01-01", referred + rng.integers(5, 60, nrf)), ~answered).alias("decided_on"))
    rl_h = np.sort(rng.choice(nh, size=max(1, nh // 50), replace=False))
    relocated = households.select(hcols).gather(rl_h).with_columns(
        pl.Series("row", ids(rl_h.size)), pl.Series("site", rng.integers(1, 1 + max(1, nc * 3), rl_h.size)),
        days("2016-01-01", rng.integers(0, 1500, rl_h.size)).alias("relocated_on"))

    # rectification problems: about 200 a county
    npb = 200 * nc
    found = rng.integers(0, 700, npb)  # days after 2021-01-01
    problems = pl.DataFrame({
        "code": places(npb, [.4, .3, .3]), "row": ids(npb), "found_on": days("2021-01-01", found),
        "source": pick(["inspection_tour", "audit", "assessment", "supervision", "unannounced_visit", "petition",
                        "self_check", "other"], npb),
        "problem_category": pick(["industry", "employment", "funds", "assets", "monitoring", "guarantees", "conduct",
                                  "other"], npb),
        "deadline": days("2021-01-01", found + rng.integers(30, 180, npb)),
        "closed_on": null_where(days("2021-01-01", found + rng.integers(10, 300, npb)), rng.random(npb) < .2),
    })

    # public-welfare posts: about 3 a village; holders are lifted/monitored persons of the post's village
    post_v = np.sort(np.repeat(np.arange(nv), rng.poisson(3, nv)))
    npo = post_v.size
    created = rng.integers(0, 1300, npo)  # days after 2019-06-01
    post_kind = pick(["employment_assistance", "village", "one_household_one_post", "other"], npo, [.3, .4, .2, .1])
    posts = pl.DataFrame({
        "code": villages[post_v], "row": ids(npo), "kind": post_kind,
        "funding": pick(["employment_subsidy", "pv_income", "linkage", "village_collective", "other"], npo),
        "created_on": days("2019-06-01", created),
        "abolished_on": null_where(days("2019-06-01", created + rng.integers(90, 700, npo)), rng.random(npo) > .1),
    })
    person_village = hh_village[owner]  # sorted: persons follow their households
    lo = np.searchsorted(person_village, post_v)
    hi = np.searchsorted(person_village, post_v, side="right")
    has = hi > lo
    ph_post = np.flatnonzero(has)
    ph_post = np.sort(np.concatenate([ph_post, ph_post[rng.random(ph_post.size) < .3]]))  # turnover: a second holder
    nph = ph_post.size
    holder = lo[ph_post] + (rng.random(nph) * (hi[ph_post] - lo[ph_post])).astype(np.int64)
    hstart = created[ph_post] + rng.integers(0, 200, nph)
    post_holders = person_frame.select(hcols + ["person", "labor_capacity"]).gather(holder).with_columns(
        pl.Series("code", villages[post_v[ph_post]]), pl.Series("row", ids(nph)),
        post_kind.gather(ph_post).alias("post_kind"), days("2019-06-01", hstart).alias("started_on"),
        null_where(days("2019-06-01", hstart + rng.integers(60, 900, nph)), rng.random(nph) < .6).alias("ended_on"))

    # PV stations (about 20 a county, at the county or a township), their yearly incomes; villages' yearly uses
    nst = 20 * nc
    st_code = places(nst, [0, .6, .4])
    si_s = np.repeat(np.arange(nst), 3)
    nsi = si_s.size
    si_year = np.tile([2020, 2021, 2022], nst)
    income = rng.integers(20_000, 800_000, nsi) * 100
    station_incomes = pl.DataFrame({
        "code": st_code[si_s], "row": ids(nsi), "year": si_year.astype(np.int64), "income": income,
        "to_villages": (income * rng.uniform(.6, 1, nsi)).astype(np.int64),
        "settled_on": days("2020-01-01", (si_year - 2020) * 365 + rng.integers(30, 360, nsi)),
    })
    pv_v = np.flatnonzero(rng.random(nv) < .4)
    pu_v = np.repeat(pv_v, 3)
    npu = pu_v.size
    received = rng.integers(10_000, 300_000, npu) * 100
    pv_uses = pl.DataFrame({
        "code": villages[pu_v], "row": ids(npu), "year": np.tile([2020, 2021, 2022], pv_v.size).astype(np.int64),
        "received": received, "post_wages": (received * rng.uniform(.3, .9, npu)).astype(np.int64),
        "labour": (received * rng.uniform(0, .2, npu)).astype(np.int64),
    })

    # project assets: about 20 a village, most at the village
    nas = 20 * nv
    assets = pl.DataFrame({
        "code": places(nas, [.8, .15, .05]), "row": ids(nas),
        "kind": pick(["operational", "public_welfare", "household"], nas, [.3, .6, .1]),
        "ownership": pick(["confirmed", "unclear"], nas, [.97, .03]),
        "operation": pick(["normal", "idle", "low_yield", "disposed"], nas, [.9, .03, .05, .02]),
        "custodian": null_where(pick(["村集体经济组织", "乡镇人民政府", "县农业农村局", "合作社"], nas), rng.random(nas) < .02),
        "formed_on": days("2016-01-01", rng.integers(0, 2500, nas)),
    })

    # the operational assets' income, 2021 and 2022: dividends agreed for half, disclosed for most
    op = assets.filter(pl.col("kind") == "operational")
    ai = np.repeat(np.arange(op.height), 2)
    nai = ai.size
    income = rng.integers(0, 500_000, nai) * 100
    agreed = (income * rng.uniform(.2, .6, nai)).astype(np.int64)
    asset_incomes = op.gather(ai).select("code", pl.col("row").alias("asset"), pl.col("kind").alias("asset_kind"),
                                         "ownership").with_columns(
        pl.Series("row", ids(nai)), pl.Series("year", np.tile([2021, 2022], op.height)), pl.Series("income", income),
        null_where(pl.Series("agreed_dividends", agreed), rng.random(nai) < .5),
        pl.Series("to_households", (agreed * rng.uniform(.8, 1.05, nai)).astype(np.int64)),
        null_where(days("2021-03-01", rng.integers(0, 700, nai)), rng.random(nai) < .15).alias("disclosed_on"))

    # consumption purchases: about 100 budget units a county (at the county or a township), 2021 and 2022
    nun = 100 * nc
    un_code = places(nun, [0, .6, .4])
    un_level = np.where(un_code % 10**6 == 0, 1, 2)
    un_level = np.where(rng.random(nun) < .05, 0, un_level)
    canteen = rng.random(nun) < .4
    pu_u = np.repeat(np.arange(nun), 2)
    npc = pu_u.size
    canteen_total = np.where(canteen[pu_u], rng.integers(10_000, 500_000, npc) * 100, 0)
    farm_total = rng.integers(0, 200_000, npc) * 100
    welfare_budget = rng.integers(0, 100_000, npc) * 100
    purchases = pl.DataFrame({
        "code": un_code[pu_u], "row": ids(npc), "year": np.tile([2021, 2022], nun).astype(np.int64),
        "unit_level": pl.Series(["city", "county", "township", "other"]).gather(un_level[pu_u]),
        "canteen": canteen[pu_u], "canteen_total": canteen_total,
        "canteen_directed": (canteen_total * rng.uniform(0, .5, npc)).astype(np.int64),
        "farm_total": farm_total, "farm_832": (farm_total * rng.uniform(0, .5, npc)).astype(np.int64),
        "welfare_budget": welfare_budget,
        "welfare_bought": (welfare_budget * rng.uniform(0, .6, npc)).astype(np.int64),
        "bulk_bought": rng.integers(0, 50_000, npc) * 100,
    })

    # link entities: about 60 a county, 2021 and 2022; every village's "five haves", 2021 and 2022
    nle = 60 * nc
    le_code = np.repeat(places(nle, [.5, .3, .2]), 2)
    members_target = rng.integers(5, 200, 2 * nle)
    link_entities = pl.DataFrame({
        "code": le_code, "row": ids(2 * nle), "year": np.tile([2021, 2022], nle).astype(np.int64),
        "afforestation": np.repeat(rng.random(nle) < .1, 2), "members_target": members_target,
        "members": (members_target * rng.uniform(.5, 1.3, 2 * nle)).astype(np.int64),
    })
    vh_v = np.repeat(np.arange(nv), 2)
    nvh = vh_v.size
    village_haves = pl.DataFrame({
        "code": villages[vh_v], "row": ids(nvh), "year": np.tile([2021, 2022], nv).astype(np.int64),
        "leading_industry": null_where(pick(["油茶", "茶叶", "柑橘", "生猪", "蔬菜", "中药材"], nvh), rng.random(nvh) < .08),
        "entity_name": null_where(pick(["某农业公司", "某食品公司", "某家庭农场"], nvh), rng.random(nvh) < .12),
        "cooperative_name": null_where(pick(["某专业合作社", "某联合社"], nvh), rng.random(nvh) < .1),
    })
    village_frame = units.filter(pl.col("level") == "village").select("code", pl.col("code").alias("row"), "name")
    township_frame = units.filter(pl.col("level") == "township").select("code", pl.col("code").alias("row"), "name")
    # express outlets: 85% of townships have one or two, opened 2016–2021, some closed since
    ex_t = np.repeat(townships, rng.choice(3, size=nt, p=[.15, .6, .25]))
    nex_o = ex_t.size
    express_outlets = pl.DataFrame({
        "code": ex_t, "row": ids(nex_o), "township": ex_t.astype(str),
        "operator": pick(["中国邮政", "顺丰速运", "中通快递"], nex_o),
        "opened_on": days("2016-01-01", rng.integers(0, 2200, nex_o)),
        "closed_on": null_where(days("2021-01-01", rng.integers(0, 700, nex_o)), rng.random(nex_o) > .1)})

    frames = {"households": households, "persons": person_frame, "spells": spell_frame, "income_accounts": accounts,
              "trainings": training_frame, "payments": payment_frame,
              "cadres": cadres, "measures": measures, "projects": projects, "allocations": allocations,
              "expenditures": expenditures, "loans": loans, "repayments": repayments, "problems": problems,
              "posts": posts, "post_holders": post_holders, "station_incomes": station_incomes, "pv_uses": pv_uses,
              "assets": assets, "purchases": purchases, "link_entities": link_entities,
              "village_haves": village_haves, "villages": village_frame, "enterprises": enterprises,
              "compensations": compensations, "startups": startups, "links": links,
              "household_haves": household_haves, "asset_incomes": asset_incomes, "townships": township_frame,
              "express_outlets": express_outlets, "referrals": referrals, "relocated": relocated}
    assert set(frames) == set(FACTS), set(FACTS) ^ set(frames)
    out.mkdir(parents=True, exist_ok=True)
    counts, filled = {}, []
    for key, frame in frames.items():
        schema = FACTS[key].schema()
        missing = [c for c in schema if c not in frame.columns]
        if missing:  # a column FACTS gained since this generator was written: drawn from its choices or its type
            frame = frame.with_columns(_fill(FACTS[key], c, frame.height, rng) for c in missing)
            filled += [f"{key}.{c}" for c in missing]
        frame.select(pl.col(c).cast(t) for c, t in schema.items()).write_parquet(out / f"{key}.parquet")
        counts[key] = frame.height
    counts["filled"] = filled
    units.write_parquet(out / "units.parquet")
    counts["units"] = units.height
    counts.update({f"units_{lv}": n for lv, n in units["level"].value_counts().iter_rows()})
    return counts


def _fill(fact, column: str, n: int, rng):
    import numpy as np
    import polars as pl

    typ = fact.schema()[column]
    if typ == pl.Boolean:
        values = pl.Series(rng.random(n) < .5)
    elif typ == pl.Int64:
        values = pl.Series(rng.integers(0, 1000, n))
    elif typ == pl.Date:
        values = pl.Series(np.datetime64("2020-01-01") + rng.integers(0, 1100, n)).cast(pl.Date)
    else:
        field = fact.column_field(column)
        labels = [str(k) for k, _ in field.choices] if field.choices else ["甲", "乙", "丙"]
        values = pl.Series(labels, dtype=pl.String).gather(rng.integers(0, len(labels), n))
        values = pl.select(pl.when(pl.Series(rng.random(n) < .05)).then(None).otherwise(values)).to_series()
    return values.alias(column)


# --- the days a status needs ---------------------------------------------------------------------------------------

def status_days(indicators, on: dt.date) -> list[dt.date]:
    """The days the status of `on` reads (status.days_needed): the day, the same day last year, every target day of
    the year already passed and its own day last year."""
    from fangpin.indicators import status

    return sorted(status.days_needed([t for i in indicators for t in i.targets], on))


def units_with_parent(workdir: Path):
    """units.parquet with each unit's parent code (the code cut to the level above), as snapshots.compute takes it."""
    import polars as pl

    from fangpin.lib.divisions import LEVELS, PREFIX_LENGTH

    units = pl.read_parquet(workdir / "units.parquet")
    step = pl.col("level").replace_strict({lv: 10 ** (12 - PREFIX_LENGTH[up]) for lv, up in zip(LEVELS[1:], LEVELS)},
                                          default=None, return_dtype=pl.Int64)
    return units.with_columns((pl.col("code") // step * step).alias("parent"))


# --- ours (timed) --------------------------------------------------------------------------------------------------

def run_ours(workdir: Path, on: dt.date) -> dict:
    django_setup()
    import polars as pl

    from fangpin.indicators import catalog, engine, facts

    indicators = list(catalog.load_catalog().values())
    days = status_days(indicators, on)
    t0 = time.perf_counter()
    frames = facts.scan(workdir)
    units = pl.read_parquet(workdir / "units.parquet", columns=["code", "level"])
    t1 = time.perf_counter()
    result = engine.compute(frames, indicators, days, units)
    t2 = time.perf_counter()
    out = {"scan": t1 - t0, "compute": t2 - t1, "rows": result.height, "indicators": len(indicators),
           "measures": len({m for i in indicators for m in i.measures}), "days": [str(d) for d in days],
           "peak_mib": peak_mib()}
    result.write_parquet(workdir / "ours.parquet")  # for the peer's check (not timed)
    return out


def run_status(workdir: Path, on: dt.date) -> dict:
    """>>> STATUS STEP <<<: snapshots.compute — the engine on the days the status reads, then every (indicator, unit)
    judged against the targets that apply (status.judge) — as a snapshot runs it, from the scanned files. The engine's
    part is timed apart (wrapped), the rest is the judging and the joins."""
    django_setup()
    import polars as pl

    try:
        from fangpin.indicators import engine, facts, snapshots
    except ImportError as e:
        return {"skipped": f"{e}"}
    from fangpin.indicators import catalog

    indicators = list(catalog.load_catalog().values())
    units = units_with_parent(workdir)
    inner = engine.compute
    spent = []

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - t)

    snapshots.engine.compute = timed
    t = time.perf_counter()
    frame = snapshots.compute(facts.scan(workdir), units, on, indicators)
    total = time.perf_counter() - t
    judged = frame.filter(pl.col("status") != "no_target").height
    return {"seconds": total, "engine": sum(spent), "status": total - sum(spent), "rows": frame.height,
            "judged": judged, "peak_mib": peak_mib()}


def run_snapshots(workdir: Path, on: dt.date, database: str | None) -> dict:
    """>>> SNAPSHOT STEP <<<: snapshots.take for the province on PostgreSQL (a database of its own, fangpin_bench_ind),
    the facts read from the scanned files instead of the registry (facts.load replaced): engine, status and the
    set-based write, the write timed apart (bulkwrite.insert_frame wrapped). The tree is loaded first (not timed)."""
    if not database:
        return {"skipped": "no --database"}
    django_setup(database)
    try:
        from fangpin.indicators import facts, snapshots
    except ImportError as e:
        return {"skipped": f"{e}"}
    from fangpin.indicators.models import IndicatorValue, Snapshot
    from fangpin.orgunits import loading
    from fangpin.orgunits.models import OrgUnit

    units = units_with_parent(workdir).sort("code")  # top down: a parent's code is smaller than its children's
    order = {"province": 0, "city": 1, "county": 2, "township": 3, "village": 4}
    rows = sorted(units.iter_rows(named=True), key=lambda r: order[r["level"]])
    loading.load((f"{r['code']:012d}", r["name"], r["level"], None if r["parent"] is None else f"{r['parent']:012d}")
                 for r in rows)
    facts_load = facts.load
    snapshots.facts.load = lambda prefix="", keys=None: facts.scan(workdir)
    inner = snapshots.bulkwrite.insert_frame
    spent = []

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return inner(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - t)

    snapshots.bulkwrite.insert_frame = timed
    area = OrgUnit.objects.get(code=f"{PROVINCE}0000000000")
    # a former run's snapshot of the same day would be replaced inside the timed write: deleted first, not timed
    Snapshot.objects.filter(area=area, on=on).delete()
    t = time.perf_counter()
    snap = snapshots.take(area, on)
    total = time.perf_counter() - t
    snapshots.facts.load = facts_load
    written = IndicatorValue.objects.filter(snapshot=snap).count()
    return {"seconds": total, "write": sum(spent), "rows": written, "peak_mib": peak_mib()}


# --- pages on the snapshots (timed) --------------------------------------------------------------------------------

PAGE_INDICATORS = {"share": "hunan_monitored_with_cadre", "count": "asset_idle_or_low_yield"}  # targets at every level
LEVEL_WORDS = {"province": "省", "city": "市", "county": "县", "township": "乡", "village": "村"}


def _percentile(times: list[float], p: float) -> float:
    """Nearest rank: the smallest time at least p of the requests took no longer than."""
    ordered = sorted(times)
    return ordered[max(0, math.ceil(len(ordered) * p / 100) - 1)]


def run_pages(workdir: Path, on: dt.date, database: str | None, requests: int = 30, warm: int = 3) -> dict:
    """>>> PAGES STEP <<<: the dashboard, an indicator's page (a share and a count) at every level and the values API
    of a county, through Django's test Client in this process (no HTTP server), as a province's leader, on the
    province's snapshots (the snapshot step's and one a month earlier, so each trend has two points). `warm` requests
    first, then `requests` timed: p50 and p95. Then EXPLAIN ANALYZE of every IndicatorValue query the pages ran. The
    rows behind a number read the registry tables, which this database lacks (the facts are Parquet files): not timed."""
    if not database:
        return {"skipped": "no --database"}
    os.environ["FANGPIN_DEBUG"] = "0"
    django_setup(database)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from fangpin.accounts.models import User
    from fangpin.indicators.models import IndicatorValue, Snapshot
    from fangpin.orgunits.models import OrgUnit

    province = OrgUnit.objects.get(code=f"{PROVINCE}0000000000")
    snaps = list(Snapshot.objects.filter(area=province, state=Snapshot.State.DONE).order_by("on"))
    if len(snaps) < 2:
        return {"skipped": f"{len(snaps)} snapshot(s) of the province: the trend needs two"}
    table = IndicatorValue._meta.db_table
    with connection.cursor() as cur:  # what autovacuum would have done after the COPY (not timed)
        cur.execute(f"ANALYZE {table}")
    units, unit = {"province": province}, province
    for level in ("city", "county", "township", "village"):  # the first unit of each level, down the first branch
        unit = OrgUnit.objects.filter(parent=unit).order_by("code").first()
        units[level] = unit
    user = User.objects.filter(username="bench_leader").first()
    if user is None:
        user = User(username="bench_leader", role="leader", org_unit=province)
        user.set_password("secret-pass-1")
        user.full_clean()
        user.save()
    setup_test_environment()
    client = Client()
    client.force_login(user)
    pages = {}
    for level, u in units.items():
        pages[f"考核指标 /indicators/（{LEVEL_WORDS[level]}）"] = f"/indicators/?unit={u.code}"
    for kind, key in PAGE_INDICATORS.items():
        for level, u in units.items():
            pages[f"{key}（{LEVEL_WORDS[level]}）"] = f"/indicators/{key}/?unit={u.code}"
    pages["API /api/indicators/values（县）"] = f"/api/indicators/values?area={units['county'].code}"
    out, plans = {}, {}
    for label, url in pages.items():
        for _ in range(warm):
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
        with CaptureQueriesContext(connection) as seen:  # one more request: its queries (not timed)
            r = client.get(url)
        queries = list(seen.captured_queries)  # a view of the connection's log, which the next request clears
        times = []
        for _ in range(requests):
            t = time.perf_counter()
            r = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (url, r.status_code)
        out[label] = {"url": url, "p50_ms": _percentile(times, 50), "p95_ms": _percentile(times, 95),
                      "max_ms": max(times), "queries": len(queries), "bytes": len(r.content)}
        for q in queries:
            if f'FROM "{table}"' in q["sql"]:
                plans.setdefault(q["sql"], label)
    explained = []
    with connection.cursor() as cur:
        for sql, label in plans.items():
            cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cur.fetchall())
            indexes = sorted(set(re.findall(r"(?:Index(?: Only)? Scan using|Bitmap Index Scan on) (\S+)", plan)))
            explained.append({"page": label, "sql": sql, "plan": plan, "indexes": indexes,
                              "seq_scan": f"Seq Scan on {table}" in plan})
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*) FROM {table}")
        rows = cur.fetchone()[0]
    return {"pages": out, "plans": explained, "rows": rows, "snapshots": [str(s.on) for s in snaps],
            "units": {lv: u.code for lv, u in units.items()}, "requests": requests, "warm": warm,
            "peak_mib": peak_mib()}


# --- the peer: one query per unit (timed on a sample, extrapolated) ------------------------------------------------

def _peer_condition(c, on: dt.date):
    """The catalog's condition, written again from its documentation (not the engine's code), so that the check
    compares two readings of the catalog."""
    import polars as pl

    tokens = {"date": on, "year": on.year, "last_year": on.year - 1, "year_start": dt.date(on.year, 1, 1)}
    col = pl.col(c.column)
    if c.op == "is null":
        return col.is_null()
    if c.op == "is not null":
        return col.is_not_null()
    v = tokens.get(c.value, c.value) if isinstance(c.value, str) else c.value
    if c.op == "in":
        e = col.is_in(list(v))
    elif c.op == "not in":
        e = ~col.is_in(list(v))
    else:
        e = getattr(col, {"=": "__eq__", "!=": "__ne__", "<": "__lt__", "<=": "__le__", ">": "__gt__",
                          ">=": "__ge__"}[c.op])(pl.lit(v))
    # a comparison with a missing value is false (SQL's reading), unless `or null` lets it pass
    return (e.fill_null(False) | col.is_null()) if c.or_null else e.fill_null(False)


def _peer_measure(m, on: dt.date):
    import polars as pl

    keep = pl.lit(True)
    for c in m.where:
        if hasattr(c, "conditions"):  # any: one of them suffices
            either = pl.lit(False)
            for x in c.conditions:
                either = either | _peer_condition(x, on)
            keep = keep & either
        else:
            keep = keep & _peer_condition(c, on)
    if m.agg == "sum":  # several columns: the sum of each column's sum (a missing amount adds nothing)
        return pl.sum_horizontal([pl.col(c).filter(keep).sum() for c in _peer_columns(m)])
    if m.what == "rows":
        return pl.col("code").filter(keep).len()
    column = {"persons": m.fact.person, "households": m.fact.household}.get(m.what, m.what)
    return pl.col(column).filter(keep & pl.col(column).is_not_null()).n_unique()


def _peer_keep(m, on: dt.date):
    import polars as pl

    keep = pl.lit(True)
    for c in m.where:
        if hasattr(c, "conditions"):
            either = pl.lit(False)
            for x in c.conditions:
                either = either | _peer_condition(x, on)
            keep = keep & either
        else:
            keep = keep & _peer_condition(c, on)
    return keep


def _peer_side(terms, figures: dict) -> Fraction:
    return sum((t.coefficient * (figures[t.name] if t.name else 1) for t in terms), Fraction(0))


def _peer_holds(c, figures: dict) -> bool:
    if hasattr(c, "comparisons"):
        return any(_peer_holds(x, figures) for x in c.comparisons)
    left, right = _peer_side(c.left, figures), _peer_side(c.right, figures)
    return {"=": left == right, "!=": left != right, "<": left < right, "<=": left <= right, ">": left > right,
            ">=": left >= right}[c.op]


def _peer_entities(m, on: dt.date, tables: dict, lo: int, hi: int) -> int:
    """A measure per entity for one unit, read again from the documentation: the unit's entities, each figure from
    its table's rows naming the entity, `having` checked entity by entity in exact fractions (Python)."""
    import polars as pl

    in_unit = (pl.col("code") >= lo) & (pl.col("code") < hi)
    base = tables[m.of].filter(in_unit & _peer_keep(m, on) & pl.col(m.per).is_not_null())
    matches = sorted({f.match for f in m.figures} - {m.per})
    ents = base.group_by(m.per, "code").agg(pl.col(c).first() for c in matches)
    for f in m.figures:
        rows = tables[f.measure.of].filter(_peer_keep(f.measure, on))
        own = f.measure.of == m.of and f.match == m.per
        keys = [f.by, "code"] if own else [f.by]
        if own:
            rows = rows.filter(in_unit)
        else:
            rows = rows.filter(pl.col(f.by).is_in(ents[f.match].implode()))
        fm = f.measure
        if fm.agg == "sum":
            value = pl.sum_horizontal([pl.col(c).fill_null(0) for c in _peer_columns(fm)]).sum()
        elif fm.what == "rows":
            value = pl.len()
        else:
            col = {"persons": fm.fact.person, "households": fm.fact.household}.get(fm.what, fm.what)
            value = pl.col(col).drop_nulls().n_unique()
        got = rows.group_by(keys).agg(value.alias(f.name))
        ents = ents.join(got, left_on=[f.match, "code"] if own else [f.match], right_on=keys, how="left")
    total = 0
    for row in ents.iter_rows(named=True):
        figures = {f.name: row[f.name] or 0 for f in m.figures}
        if all(_peer_holds(c, figures) for c in m.having):
            total += 1 if m.what == "entities" else figures[m.what]
    return total


def _peer_columns(m) -> list[str]:
    return list(m.what) if isinstance(m.what, tuple) else [m.what]


def _peer_needed(m) -> set[str]:
    """The columns a measure reads: its conditions' (those inside an any: too) and what it counts or adds."""
    conditions = [x for c in m.where for x in getattr(c, "conditions", (c,))]
    read = set(_peer_columns(m)) if m.agg == "sum" else \
        {{"persons": m.fact.person, "households": m.fact.household}.get(m.what, m.what)}
    if m.per:
        read = {m.per, *(f.match for f in m.figures)} - {"row"} | ({"row"} if m.per == "row" else set())
    return {c.column for c in conditions} | read - {"rows"}


SAMPLE = {"province": 1, "city": 3, "county": 5, "township": 20, "village": 100}


def sample_units(units, seed: int = 7, take: dict | None = None):
    """1 province, 3 cities, 5 counties, 20 townships, 100 villages, at random (or as many as `take` says)."""
    import polars as pl

    take = take or SAMPLE
    parts = [units.filter(pl.col("level") == lv) for lv in take]
    return pl.concat(part.sample(min(n, part.height), seed=seed) for part, n in zip(parts, take.values()))


PEER_PER_LEVELS = ("county", "township", "village")  # the peer checks entities one by one in Python: not a province


def run_peer(workdir: Path, on: dt.date, take: dict | None = None) -> dict:
    django_setup()
    import polars as pl

    from fangpin.indicators import catalog
    from fangpin.lib.divisions import PREFIX_LENGTH

    indicators = list(catalog.load_catalog().values())
    days = status_days(indicators, on)
    units = pl.read_parquet(workdir / "units.parquet")
    sample = sample_units(units, take=take)
    measures: dict[str, list] = {}
    per_entity: list = []  # measures per entity: a query of their own per unit (checked up to counties)
    for ind in indicators:
        for m in ind.measures:
            for d in days:
                if m.per:
                    if (m, d) not in per_entity:
                        per_entity.append((m, d))
                elif (m, d) not in measures.setdefault(m.of, []):
                    measures[m.of].append((m, d))
    # the naive system holds its tables in memory (as a database would hold them in its cache): not timed
    needed = {k: {"code"}.union(*(_peer_needed(m) for m, _ in ms)) for k, ms in measures.items()}
    for m, _ in per_entity:
        needed.setdefault(m.of, {"code"}).update(_peer_needed(m))
        for f in m.figures:
            needed.setdefault(f.measure.of, {"code"}).update(_peer_needed(f.measure) | {f.by} - {"row"})
            if f.by == "row":
                needed[f.measure.of].add("row")
    needed = {k: sorted(v) for k, v in needed.items()}
    tables = {k: pl.read_parquet(workdir / f"{k}.parquet", columns=cols) for k, cols in needed.items()}
    # "index": the same tables sorted by code, a unit's rows found by binary search (an index range scan)
    indexed = {k: t.sort("code") for k, t in tables.items()}
    values: dict[tuple, int] = {}
    per_level: dict[str, dict[str, list[float]]] = {"scan": {}, "index": {}}
    rows_sampled = list(sample.select("code", "level").iter_rows())
    for i, (code, level) in enumerate([rows_sampled[-1]] + rows_sampled):  # the first pass warms Polars up: not kept
        step = 10 ** (12 - PREFIX_LENGTH[level])
        lo, hi = code // step * step, (code // step + 1) * step
        for how in ("scan", "index"):
            t = time.perf_counter()
            for key, ms in measures.items():  # one query per unit and fact: its rows, every measure on them
                if how == "scan":
                    rows = tables[key].filter((pl.col("code") >= lo) & (pl.col("code") < hi))
                else:
                    first, last = indexed[key]["code"].search_sorted(pl.Series([lo, hi]), side="left")
                    rows = indexed[key].slice(first, last - first)
                row = rows.select(_peer_measure(m, d).alias(str(i)) for i, (m, d) in enumerate(ms)).row(0)
                for (m, d), v in zip(ms, row):
                    got = int(v or 0)
                    assert values.setdefault((m, d, code), got) == got, (m, d, code)
            if level in PEER_PER_LEVELS and how == "scan":  # read once: the index changes nothing here
                e = time.perf_counter()
                for m, d in per_entity:
                    got = _peer_entities(m, d, tables, lo, hi)
                    assert values.setdefault((m, d, code), got) == got, (m, d, code)
                entity_seconds = time.perf_counter() - e
            elif level not in PEER_PER_LEVELS:
                entity_seconds = 0.0
            if i:  # the entities' time counts in both readings
                per_level[how].setdefault(level, []).append(time.perf_counter() - t + (entity_seconds if how == "index"
                                                                                       else 0))
    # ours on the same units: every indicator and day must agree
    ours = pl.read_parquet(workdir / "ours.parquet").filter(pl.col("code").is_in(sample["code"].implode()))
    expected = {}
    levels = dict(sample.select("code", "level").iter_rows())
    for ind in indicators:
        for d in days:
            for code in sample["code"]:
                if ind.per_entity and levels[code] not in PEER_PER_LEVELS:
                    continue
                v = [values[(m, d, code)] for m in ind.measures]
                num = v[0] - sum(v[1:]) if ind.form == "difference" else v[0]
                den = v[1] if ind.form == "share" else None
                expected[(ind.key, d, code)] = (num, den)
    got = {(k, d, c): (n, den) for k, d, c, n, den in
           ours.select("indicator", "on", "code", "numerator", "denominator").iter_rows()}
    wrong = [(k, str(d), c, got.get((k, d, c)), e) for (k, d, c), e in expected.items() if got.get((k, d, c)) != e]
    counts = units["level"].value_counts()
    level_units = dict(counts.iter_rows())
    out = {}
    for how, levels in per_level.items():
        out[how] = {"sample_seconds": sum(sum(ts) for ts in levels.values()),
                    "per_unit_ms": {lv: 1000 * sum(ts) / len(ts) for lv, ts in levels.items()},
                    "extrapolated_seconds": sum(level_units[lv] * sum(ts) / len(ts) for lv, ts in levels.items())}
    return {"sampled": sample.height, "queries_per_unit": len(measures) + len(per_entity), **out,
            "checked": len(expected), "wrong": wrong[:10], "n_wrong": len(wrong), "peak_mib": peak_mib()}


# --- driver --------------------------------------------------------------------------------------------------------

STEPS = {"generate", "ours", "status", "snapshots", "pages", "peer"}


def child(step: str, workdir: Path, persons: int, on: dt.date, database: str | None = None) -> dict:
    args = [sys.executable, __file__, "--step", step, "--workdir", str(workdir), "--persons", str(persons),
            "--on", str(on), *(["--database", database] if database else [])]
    out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT,
                         env=dict(os.environ, PYTHONWARNINGS="ignore"))
    return json.loads(out.stdout.strip().splitlines()[-1])


def fresh_snapshot_db(url: str) -> str:
    """fangpin_bench_ind beside the database `url` names, dropped first if a run left it, migrated."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SNAPSHOT_DB}")
        conn.execute(f"CREATE DATABASE {SNAPSHOT_DB}")
    fresh = url.rsplit("/", 1)[0] + "/" + SNAPSHOT_DB
    subprocess.run([str(Path(sys.executable).with_name("fangpin")), "migrate", "-v", "0"], check=True, cwd=ROOT,
                   env=dict(os.environ, DATABASE_URL=fresh, PYTHONPATH=str(ROOT / "src")))
    return fresh


def print_pages(r: dict, keep: Path | None) -> None:
    if "skipped" in r:
        print(f"页面：未计：{r['skipped']}")
        return
    print(f"页面（Django 测试客户端，进程内；快照 {'、'.join(r['snapshots'])}，指标值表共 {r['rows']:,} 行；"
          f"每页预热 {r['warm']} 次后计时 {r['requests']} 次；单位 {'、'.join(r['units'].values())}）")
    print(f"{'页面':<44}{'p50 毫秒':>10}{'p95 毫秒':>10}{'最长':>8}{'查询数':>7}{'KiB':>7}")
    for label, q in r["pages"].items():
        print(f"{label:<44}{q['p50_ms']:>10.0f}{q['p95_ms']:>10.0f}{q['max_ms']:>8.0f}{q['queries']:>7}"
              f"{q['bytes'] / 1024:>7.0f}")
    print("  明细页（指标背后的行）读登记库的表，本基准的数据库没有（事实表是 Parquet 文件）：未计")
    seq = [p for p in r["plans"] if p["seq_scan"]]
    used = sorted({i for p in r["plans"] for i in p["indexes"]})
    print(f"  指标值查询 {len(r['plans'])} 条的执行计划（EXPLAIN ANALYZE）：用到的索引 {', '.join(used)}；"
          f"全表扫描 {len(seq)} 条" + (f"：{[p['page'] for p in seq]}" if seq else ""))
    for p in r["plans"]:
        took = next((line.strip() for line in p["plan"].splitlines() if line.startswith("Execution Time")), "")
        print(f"    {p['page']}：{', '.join(p['indexes']) or '无索引'}，{took}")
    if keep:
        with open(keep / "plans.txt", "w") as f:
            for p in r["plans"]:
                f.write(f"-- {p['page']}\n{p['sql']}\n{p['plan']}\n\n")
        print(f"  完整的执行计划：{keep / 'plans.txt'}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", default="1000000,10000000")
    ap.add_argument("--on", type=dt.date.fromisoformat, default=dt.date(2022, 8, 31))
    ap.add_argument("--database", help="PostgreSQL URL for the snapshot write (a database of its own is made)")
    ap.add_argument("--workdir", type=Path, help="keep the generated files here (default: a temporary directory)")
    ap.add_argument("--step", choices=sorted(STEPS))
    a = ap.parse_args()
    if a.step:
        n = int(a.persons)
        result = {"generate": lambda: generate(n, a.workdir), "ours": lambda: run_ours(a.workdir, a.on),
                  "status": lambda: run_status(a.workdir, a.on),
                  "snapshots": lambda: run_snapshots(a.workdir, a.on, a.database),
                  "pages": lambda: run_pages(a.workdir, a.on, a.database),
                  "peer": lambda: run_peer(a.workdir, a.on)}[a.step]()
        print(json.dumps(result, ensure_ascii=False, default=str))
        return
    print(machine.line())
    database = fresh_snapshot_db(a.database) if a.database else None
    for n in (int(x) for x in a.persons.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            workdir = (a.workdir / str(n)) if a.workdir else Path(tmp)
            t = time.perf_counter()
            made = child("generate", workdir, n, a.on)
            facts_rows = sum(v for k, v in made.items() if isinstance(v, int) and not k.startswith("units"))
            print(f"\n{n:,} 人：{made['households']:,} 户，事实表共 {facts_rows:,} 行（就业记录 {made['spells']:,}，"
                  f"资金下达 {made['allocations']:,}，资金支出 {made['expenditures']:,}，资产 {made['assets']:,}），"
                  f"单位 {made['units']:,} 个（村 {made['units_village']:,}），生成 {time.perf_counter() - t:.0f} 秒（不计时）"
                  + (f"；按类型补齐的列 {made['filled']}" if made["filled"] else ""))
            r = child("ours", workdir, n, a.on)
            print(f"指标 {r['indicators']} 个，度量 {r['measures']} 个，日期 {', '.join(r['days'])}")
            print(f"{'步骤':<34}{'秒':>9}{'行/秒':>13}{'输出行':>12}{'峰值MiB':>9}")
            ours_s = r["scan"] + r["compute"]
            print(f"{'本系统：扫描 + engine.compute':<30}{ours_s:>9.2f}{facts_rows / ours_s:>13,.0f}{r['rows']:>12,}"
                  f"{r['peak_mib']:>9,.0f}")
            s = child("status", workdir, n, a.on)
            if "skipped" in s:
                print(f"{'本系统：快照计算（指标 + 状态）':<28}  未计：{s['skipped']}")
            else:
                print(f"{'本系统：快照计算（指标 + 状态）':<28}{s['seconds']:>9.2f}{facts_rows / s['seconds']:>13,.0f}"
                      f"{s['rows']:>12,}{s['peak_mib']:>9,.0f}")
                print(f"  其中 engine.compute {s['engine']:.2f} 秒，状态判定与连接 {s['status']:.2f} 秒；"
                      f"有目标的（指标, 单位）{s['judged']:,} 个")
            w = child("snapshots", workdir, n, a.on, database)
            if "skipped" in w:
                print(f"{'本系统：快照（计算 + 写入 PostgreSQL）':<26}  未计：{w['skipped']}")
            else:
                print(f"{'本系统：快照（计算 + 写入 PostgreSQL）':<26}{w['seconds']:>9.2f}"
                      f"{facts_rows / w['seconds']:>13,.0f}{w['rows']:>12,}{w['peak_mib']:>9,.0f}")
                print(f"  其中写入（COPY）{w['write']:.2f} 秒，{w['rows'] / w['write']:,.0f} 行/秒")
            if "skipped" not in w:  # a month earlier, so that trends have two points; then the pages
                earlier = a.on.replace(day=1) - dt.timedelta(days=1)
                w2 = child("snapshots", workdir, n, earlier, database)
                print(f"{'本系统：上月末快照（' + str(earlier) + '）':<26}{w2['seconds']:>9.2f}"
                      f"{facts_rows / w2['seconds']:>13,.0f}{w2['rows']:>12,}{w2['peak_mib']:>9,.0f}")
                print_pages(child("pages", workdir, n, a.on, database), workdir if a.workdir else None)
            p = child("peer", workdir, n, a.on)
            for how, label in (("scan", "对照：逐单位查询，全表过滤（外推）"), ("index", "对照：逐单位查询，按代码索引（外推）")):
                q = p[how]
                print(f"{label:<24}{q['extrapolated_seconds']:>9,.0f}{facts_rows / q['extrapolated_seconds']:>13,.0f}"
                      f"{'':>12}{p['peak_mib']:>9,.0f}")
                print(f"  实测：抽样 {p['sampled']} 个单位共 {q['sample_seconds']:.1f} 秒，每单位 {p['queries_per_unit']} 次查询，"
                      f"每单位毫秒 " + "，".join(f"{lv} {ms:,.1f}" for lv, ms in q["per_unit_ms"].items()))
            if p["n_wrong"]:
                print(f"抽样单位上本系统与对照不一致 {p['n_wrong']} 处（共核对 {p['checked']:,}）：{p['wrong']}")
                sys.exit(1)
            print(f"  抽样单位上本系统与对照一致：{p['checked']:,} 个（指标, 日期, 单位）")


if __name__ == "__main__":
    main()
