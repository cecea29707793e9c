"""Entitlement engine benchmark (b): four rules of seed 001 — transport (clause 10), job retention (11), training living
allowance (18) and grain subsidies (7) — on the same generated arrays, side by side:

- our engine: the catalog's own rules (sn2022-67, these four benefits), evaluated from integer-keyed frames made from the
  arrays, once with amounts only (as the others) and once with the Chinese explanation of every row;
- OpenFisca (openfisca-core, a benchmark-only dependency): the same rules as OpenFisca variables with the catalog's
  parameter values; the simulation is built from the arrays and calculated (both timed);
- NumPy: the same rules written by hand on the arrays, the practical floor.

Totals must agree to the fen. Each size runs in its own process per implementation, so peak memory is its own.
    python benchmarks/rules_vs_openfisca.py [--persons 100000,1000000,10000000] [--repeat 3]

Every implementation is timed from the same arrays: OpenFisca's simulation building and our frames (integer keys,
codes as categoricals) are inside the clock and shown as "build". Each size runs every implementation --repeat times,
interleaved, and prints the median run.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import machine  # benchmarks/machine.py: the reference figure of the machine

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2022, 12, 31)  # the grain subsidy's standard is 2022's (a yearly issuance, docs/policy-coverage.md)
SPELL_START = "2022-09-01"     # every spell after the document's issuance: the new transport standard
YEAR = str(AS_OF.year)
RULES = ("transport_subsidy", "job_retention_bonus", "training_living_allowance", "grain_subsidy")
# places as integers in the arrays: 0 no work spell this year
PLACES = (None, "cross_province", "in_province_out_of_county", "in_county")
CATEGORIES = ("lifted", "monitored", "ordinary")


def django_setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangpin.settings")
    os.environ.setdefault("FANGPIN_VAR_DIR", tempfile.gettempdir())
    import django

    django.setup()


def generate(n: int, seed: int = 7) -> dict[str, np.ndarray]:
    """Persons sorted by household; every household has at least one person."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 7, size=n // 2 + 10)
    hid = np.repeat(np.arange(sizes.size), sizes)[:n]
    households = int(hid[-1]) + 1
    place = rng.choice(4, n, p=[0.5, 0.2, 0.15, 0.15])
    days = np.where((place == 0) & (rng.random(n) < 0.1), rng.integers(1, 40, n), 0)
    return {
        "hid": hid.astype(np.int64), "place": place.astype(np.int64), "months": rng.integers(1, 13, n),
        "wage_fen": rng.integers(50, 600, n) * 1000, "training_days": days.astype(np.int64),
        "category": rng.choice(3, households, p=[0.6, 0.08, 0.32]).astype(np.int64),
        "grain_centi": rng.integers(0, 2000, households).astype(np.int64),
    }


def rates() -> dict[str, int]:
    """The catalog's values on AS_OF, in fen: every implementation reads the same numbers."""
    django_setup()
    from fangpin.policies import catalog

    doc = catalog.load_catalog()["sn2022-67"]
    names = ("transport_cross_province", "transport_in_province", "retention_min_months", "retention_min_wage",
             "retention_monthly", "retention_paid_months", "training_living_daily", "grain_central_per_mu",
             "grain_province_per_mu")
    out = {}
    for k in names:
        p = doc.parameters[k]
        out[k] = int(p.value_on(AS_OF) * (100 if p.unit == "yuan" else 1))
    return out


# --- NumPy: the floor ---------------------------------------------------------------------------------------------

def run_numpy(a: dict, r: dict) -> dict[str, int]:
    target = a["category"][a["hid"]] <= 1
    place = a["place"]
    transport = np.where(target & (place == 1), r["transport_cross_province"],
                         np.where(target & (place == 2), r["transport_in_province"], 0))
    retention = (target & ((place == 1) | (place == 2)) & (a["months"] >= r["retention_min_months"])
                 & (a["wage_fen"] >= r["retention_min_wage"])) * (r["retention_monthly"] * r["retention_paid_months"])
    living = (target & (place == 0) & (a["training_days"] > 0)) * a["training_days"] * r["training_living_daily"]
    grain = (a["grain_centi"] * (r["grain_central_per_mu"] + r["grain_province_per_mu"]) + 50) // 100
    return {"transport_subsidy": int(transport.sum()), "job_retention_bonus": int(retention.sum()),
            "training_living_allowance": int(living.sum()), "grain_subsidy": int(grain.sum())}


# --- OpenFisca ----------------------------------------------------------------------------------------------------

def openfisca_system(r: dict):
    from openfisca_core.entities import build_entity
    from openfisca_core.parameters import ParameterNode
    from openfisca_core.periods import DateUnit
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable

    Household = build_entity(key="household", plural="households", label="户",
                             roles=[{"key": "member", "plural": "members", "label": "成员"}])
    Person = build_entity(key="person", plural="persons", label="人", is_person=True)
    system = TaxBenefitSystem([Household, Person])
    # the values in force on AS_OF, for the whole year OpenFisca evaluates (its YEAR period reads them on 1 January)
    system.parameters = ParameterNode("", data={k: {"values": {f"{AS_OF.year}-01-01": v}} for k, v in r.items()})

    def var(name, entity, value_type=int, formula=None):
        attrs = {"value_type": value_type, "entity": entity, "definition_period": DateUnit.YEAR, "label": name}
        if formula is not None:
            attrs["formula"] = formula
        system.add_variable(type(name, (Variable,), attrs))

    for name in ("place", "months", "wage_fen", "training_days"):
        var(name, Person)
    for name in ("category", "grain_centi"):
        var(name, Household)

    def target(person, period):
        return person.household("category", period) <= 1

    def transport(person, period, parameters):
        p, place, t = parameters(period), person("place", period), person("target", period)
        return np.where(t & (place == 1), p.transport_cross_province, np.where(t & (place == 2), p.transport_in_province, 0))

    def retention(person, period, parameters):
        p, place = parameters(period), person("place", period)
        ok = (person("target", period) & ((place == 1) | (place == 2)) & (person("months", period) >= p.retention_min_months)
              & (person("wage_fen", period) >= p.retention_min_wage))
        return ok * (p.retention_monthly * p.retention_paid_months)

    def living(person, period, parameters):
        days = person("training_days", period)
        ok = person("target", period) & (person("place", period) == 0) & (days > 0)
        return ok * days * parameters(period).training_living_daily

    def grain(household, period, parameters):
        p = parameters(period)
        return (household("grain_centi", period) * (p.grain_central_per_mu + p.grain_province_per_mu) + 50) // 100

    var("target", Person, bool, target)
    var("transport_subsidy", Person, int, transport)
    var("job_retention_bonus", Person, int, retention)
    var("training_living_allowance", Person, int, living)
    var("grain_subsidy", Household, int, grain)
    return system


def run_openfisca(a: dict, system) -> tuple[dict[str, int], float]:
    from openfisca_core.simulation_builder import SimulationBuilder

    t0 = time.perf_counter()
    builder = SimulationBuilder()
    builder.create_entities(system)
    builder.declare_person_entity("person", np.arange(a["hid"].size))
    households = builder.declare_entity("household", np.arange(a["category"].size))
    # join_with_persons maps group ids through numpy.unique: the declared ids must sort as the assignment's do, and every
    # declared household must have a member, or persons silently land in the wrong households (checked below)
    builder.join_with_persons(households, a["hid"], np.zeros(a["hid"].size, dtype=np.int64))
    sim = builder.build(system)
    for name in ("place", "months", "wage_fen", "training_days"):
        sim.set_input(name, YEAR, a[name])
    for name in ("category", "grain_centi"):
        sim.set_input(name, YEAR, a[name])
    build = time.perf_counter() - t0
    totals = {rule: int(sim.calculate(rule, YEAR).sum()) for rule in RULES}
    target = sim.calculate("target", YEAR)
    assert (target == (a["category"][a["hid"]] <= 1)).all(), "OpenFisca put persons in the wrong households"
    return totals, build


# --- our engine ---------------------------------------------------------------------------------------------------

def frames_from_arrays(a: dict):
    """The arrays as the engine's integer-keyed frames: households by hid, persons by pid, spells by pid. The caller's
    integer keys stand for household and ID numbers (made text only for result rows); codes become categoricals by
    lookup, not by formatting a string per row. Timed, as OpenFisca's simulation building is."""
    import polars as pl

    n, h = a["hid"].size, a["category"].size

    def codes(values, labels):  # integer codes as a categorical: one gather from the labels, no string per row
        return pl.Series(labels, dtype=pl.Categorical).gather(pl.Series(values).cast(pl.UInt32))

    def const(value, size):  # one categorical value repeated
        return pl.Series([value], dtype=pl.Categorical).gather(pl.zeros(size, dtype=pl.UInt32, eager=True))

    households = pl.DataFrame({
        "hid": pl.int_range(0, h, dtype=pl.UInt32, eager=True),
        "household_number": pl.Series(np.arange(h)),
        "household.village_code": const("140603203200", h),
        "household.category": codes(a["category"], CATEGORIES),
        "household.monitor_type": const("", h),
        "household.grain_area_mu": a["grain_centi"],
    })
    persons = pl.DataFrame({
        "pid": pl.int_range(0, n, dtype=pl.UInt32, eager=True), "hid": pl.Series(a["hid"]).cast(pl.UInt32),
        "id_number": pl.Series(np.arange(n)), "household_number": pl.Series(a["hid"]),
    })
    working = np.flatnonzero(a["place"] > 0)
    start = dt.date.fromisoformat(SPELL_START)
    employments = pl.DataFrame({
        "pid": pl.Series(working).cast(pl.UInt32),
        "kind": const("wage_job", working.size),
        "place": codes(a["place"][working], PLACES),
        "months": a["months"][working], "monthly_wage": a["wage_fen"][working],
        "start_date": pl.repeat(start, working.size, eager=True),
    })
    trained = np.flatnonzero(a["training_days"] > 0)
    trainings = pl.DataFrame({
        "pid": pl.Series(trained).cast(pl.UInt32),
        "kind": const("skills", trained.size),
        "days": a["training_days"][trained],
        "start_date": pl.repeat(start, trained.size, eager=True),
    })
    return households, persons, employments, trainings


def run_ours(frames, explain: bool) -> dict[str, int]:
    import dataclasses

    from fangpin.policies import catalog, engine, tables

    doc = catalog.load_catalog()["sn2022-67"]
    doc = dataclasses.replace(doc, benefits=tuple(b for b in doc.benefits if b.id in RULES))
    built = tables.BasisTables.keyed(*frames, as_of=AS_OF)
    totals = {}
    for results, _ in engine.iter_evaluate(doc, built, as_of=AS_OF, messages=[], explain=explain):
        for benefit, amount in results.group_by("benefit_id").agg(results["amount"].sum()).iter_rows():
            totals[str(benefit)] = int(amount)
    return totals


# --- driver ---------------------------------------------------------------------------------------------------------

def measure(which: str, n: int) -> dict:
    r = rates()
    a = generate(n)
    if which == "numpy":
        t0 = time.perf_counter()
        totals, build = run_numpy(a, r), 0.0
    elif which == "openfisca":
        system = openfisca_system(r)
        t0 = time.perf_counter()
        totals, build = run_openfisca(a, system)
    else:  # from the same arrays as the others, the frames built inside the clock
        import polars  # noqa: F401  modules loaded before the clock, as OpenFisca's system is built before its clock

        from fangpin.policies import catalog, engine, tables  # noqa: F401
        t0 = time.perf_counter()
        frames = frames_from_arrays(a)
        build = time.perf_counter() - t0
        totals = run_ours(frames, explain=which == "ours+explain")
    return {"seconds": time.perf_counter() - t0, "build": build, "totals": totals,
            "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--persons", default="100000,1000000,10000000")
    ap.add_argument("--which")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved runs per implementation; the median is printed")
    a = ap.parse_args()
    if a.which:
        print(json.dumps(measure(a.which, int(a.persons))))
        return
    print(machine.line())
    names = {"ours": "本系统（仅金额）", "ours+explain": "本系统（含计算说明）", "openfisca": "OpenFisca", "numpy": "NumPy（下限）"}
    print(f"{'人数':>12}  {'实现':<16}{'秒':>8}{'其中建模拟':>10}{'人/秒':>14}{'峰值MiB':>9}  合计（分）")
    for n in (int(x) for x in a.persons.split(",")):
        samples: dict[str, list[dict]] = {w: [] for w in names}
        for _ in range(a.repeat):  # interleaved, so that the machine's drift spreads over every implementation
            for which in names:
                args = [sys.executable, __file__, "--which", which, "--persons", str(n)]
                out = subprocess.run(args, check=True, capture_output=True, text=True, cwd=ROOT)
                samples[which].append(json.loads(out.stdout.strip().splitlines()[-1]))
        runs = {}
        for which in names:
            ordered = sorted(samples[which], key=lambda r: r["seconds"])
            runs[which] = r = ordered[len(ordered) // 2]  # the median run (its own build time and peak)
            print(f"{n:>12,}  {names[which]:<16}{r['seconds']:>8.2f}{r['build']:>10.2f}{n / r['seconds']:>14,.0f}"
                  f"{r['peak_mib']:>9,.0f}  {sum(r['totals'].values()):,}")
        same = all(runs[w]["totals"] == runs["numpy"]["totals"] for w in runs)
        ours, of, floor = runs["ours"]["seconds"], runs["openfisca"]["seconds"], runs["numpy"]["seconds"]
        print(f"{'':>12}  各规则合计一致（到分）：{'是' if same else '否'}；本系统是 OpenFisca 的 {of / ours:.1f} 倍速度，"
              f"为 NumPy 下限的 {ours / floor:.1f} 倍用时")
        if not same:
            sys.exit("合计不一致：" + json.dumps({w: runs[w]["totals"] for w in runs}, ensure_ascii=False))


if __name__ == "__main__":
    main()
