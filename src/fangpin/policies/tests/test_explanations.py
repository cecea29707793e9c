"""Explanations are written once per combination of the facts they name and given to every row with those facts: the
shortcut must give each row exactly the text formatting that row alone gives, also when two combinations share a hash."""
import datetime as dt
import functools

import polars as pl
import pytest

from fangpin.policies import engine

from .helpers import household, member, run, spell

PLACES = ["cross_province", "in_province_out_of_county", "in_county"]
AS_OF = dt.date(2022, 12, 31)  # a year with a grain subsidy standard


@functools.cache
def population():
    """Many rows that repeat a few facts (places, months, wages, grain areas), so that the shortcut is taken."""
    doc = {"households": [], "members": [], "employments": []}
    for i in range(60):
        number = f"H{i}"
        doc["households"].append(household(number, "lifted" if i % 5 else "monitored", "unstable" if i % 5 == 0 else None,
                                           grain_area_mu=f"{(i % 3) * 2.5:.2f}"))
        for j in range(2):
            m = member(number, "head" if j == 0 else "child")
            doc["members"].append(m)
            doc["employments"].append(spell(m, PLACES[(i + j) % 3], months=6 + (i % 2), wage_yuan=2500 + 500 * (j % 2),
                                            year=2022, start_date="2022-09-01"))
    return doc


def explanations(monkeypatch, fact_hash=None) -> list[tuple]:
    if fact_hash is not None:
        monkeypatch.setattr(engine, "_fact_hash", fact_hash)
    rows, _, problems = run(population(), as_of=AS_OF)
    assert problems == []
    return sorted((r["benefit_id"], r["id_number"] or "", r["household_number"], r["explanation"]) for r in rows)


def test_shortcut_gives_each_row_its_own_text(monkeypatch):
    shortcut = explanations(monkeypatch)
    # every row distinct: each row is formatted on its own
    per_row = explanations(monkeypatch, lambda frame, facts: pl.int_range(0, frame.height, dtype=pl.UInt64, eager=True))
    assert len(shortcut) > 100 and shortcut == per_row
    assert len({e for *_, e in shortcut}) < len(shortcut) / 4  # the shortcut was taken: facts repeat


def test_hash_collision_falls_back_to_the_exact_join(monkeypatch):
    shortcut = explanations(monkeypatch)
    # every combination "collides": the check against the row standing for it must catch it
    collided = explanations(monkeypatch, lambda frame, facts: pl.zeros(frame.height, dtype=pl.UInt64, eager=True))
    assert collided == shortcut
    assert any("跨省" in e or "省外" in e for *_, e in collided)


@pytest.mark.parametrize("benefit", ["transport_subsidy", "grain_subsidy"])
def test_each_text_names_its_rows_facts(benefit):
    rows, _, _ = run(population(), as_of=AS_OF, benefit=benefit)
    amounts = {r["amount"] for r in rows}
    assert len(amounts) >= 2
    for r in rows:
        yuan = r["amount"] // 100
        assert f"{yuan}" in r["explanation"].replace(",", ""), r


def test_small_inputs_give_what_large_inputs_give(monkeypatch):
    """One household's rows take the early stop (no row kept: nothing built); the result is the same as without it."""
    rows, ev, _ = run(population(), as_of=AS_OF, evaluation=True)
    monkeypatch.setattr(engine, "SMALL", 0)
    rows_large, ev_large, _ = run(population(), as_of=AS_OF, evaluation=True)
    assert rows == rows_large and ev.results.schema == ev_large.results.schema
    for number in ("H1", "H7"):  # one household at a time: below SMALL
        one = {k: [r for r in v if r.get("household_number") == number
                   or r.get("id_number") in {m["id_number"] for m in population()["members"] if m["household_number"] == number}]
               for k, v in population().items()}
        monkeypatch.setattr(engine, "SMALL", 256)
        small, ev_small, _ = run(one, as_of=AS_OF, evaluation=True)
        monkeypatch.setattr(engine, "SMALL", 0)
        key = lambda r: (r["benefit_id"], r["id_number"] or "")  # noqa: E731
        assert small == run(one, as_of=AS_OF)[0]
        assert sorted(small, key=key) == sorted((r for r in rows if r["household_number"] == number), key=key)
        assert len(small) >= 2
        assert ev_small.results.schema == ev_large.results.schema


def test_rows_follow_the_files_order():
    """Result rows come in the order of the input (households, then members and spells as listed), run after run."""
    rows = run(population(), as_of=AS_OF, benefit="transport_subsidy")[0]
    order = {m["id_number"]: i for i, m in enumerate(population()["members"])}
    assert [order[r["id_number"]] for r in rows] == sorted(order[r["id_number"]] for r in rows)
    assert all(run(population(), as_of=AS_OF)[0] == run(population(), as_of=AS_OF)[0] for _ in range(3))
