"""Screening as pure functions: planted risks all warn, noise never does, thresholds are inclusive, keys are stable."""
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from fangpin.lib import idnumber
from fangpin.lib.yamldata import CatalogError
from fangpin.monitoring import screening, synthetic
from fangpin.monitoring.screening import RULES

TODAY = dt.date(2026, 11, 23)
V = "140603203200"


def person_table(n=600, per_household=3):
    ids = [idnumber.make("140603", dt.date(1950, 1, 1) + dt.timedelta(days=i * 11), 100 + i % 800) for i in range(n)]
    return pl.DataFrame({"id_number": ids, "name": [f"成员{i}" for i in range(n)], "person_id": range(1, n + 1),
                         "household_id": [i // per_household + 1 for i in range(n)], "village_code": [V] * n},
                        schema=screening.PERSONS_SCHEMA)


def keys(frame):
    return set(frame.select("household_id", "rule", "period", "subject").iter_rows())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_planted_risk_warns_and_no_noise_does(seed):
    persons = person_table()
    feed = synthetic.generate(persons, year=2025, seed=seed, plant_every=4, noise=45)
    assert len(feed.expected) > len(RULES.rules) and feed.planted_below > 0  # every rule planted, both sides
    result = screening.screen(feed.rows, persons, today=TODAY)
    assert keys(result.warnings) == feed.expected
    counts = result.counts()
    assert {k: counts[k] for k in feed.noise} == feed.noise
    # No warning was built on a noise row: every source row belongs to a matched identity.
    matched_rows = feed.rows.join(result.identities.filter(pl.col("status") == "matched"),
                                  on=["feed", "id_number", "name"], how="semi")
    sources = result.warnings.select(pl.col("sources").list.explode()).unnest("sources")
    assert sources.join(matched_rows, on=["upload_id", "row"], how="anti").height == 0


def rows(*items):
    base = {"feed": "medical_insurance", "upload_id": 1, "row": 2, "date": dt.date(2025, 5, 1), "code": None,
            "amount": None}
    return pl.DataFrame([{**base, "row": 2 + i, **it} for i, it in enumerate(items)], schema=screening.ROWS_SCHEMA)


@pytest.mark.parametrize("fen,warns", [(1_000_000, True), (999_999, False), (1_000_001, True)])
def test_medical_threshold_is_inclusive_and_summed_over_the_household(fen, warns):
    p = person_table(6)
    a, b = p.row(0, named=True), p.row(1, named=True)  # same household
    r = rows({"id_number": a["id_number"], "name": a["name"], "amount": fen - 300_000},
             {"id_number": b["id_number"], "name": b["name"], "amount": 300_000})
    w = screening.screen(r, p, today=TODAY).warnings
    assert (w.height == 1) is warns
    if warns:
        assert w["reason"][0] == (f"2025年家庭成员{a['name']}、{b['name']}医保结算个人自付合计{fen // 100}"
                                  f"{'' if fen % 100 == 0 else '.01'}元（2次结算），达到10000元预警线")


def test_medical_years_are_not_added_together():
    p = person_table(3)
    a = p.row(0, named=True)
    r = rows({"id_number": a["id_number"], "name": a["name"], "amount": 600_000, "date": dt.date(2024, 12, 31)},
             {"id_number": a["id_number"], "name": a["name"], "amount": 600_000, "date": dt.date(2025, 1, 1)})
    assert screening.screen(r, p, today=TODAY).warnings.height == 0


def test_other_households_are_not_added_together():
    p = person_table(6)
    a, d = p.row(0, named=True), p.row(3, named=True)  # households 1 and 2
    r = rows({"id_number": a["id_number"], "name": a["name"], "amount": 500_000},
             {"id_number": d["id_number"], "name": d["name"], "amount": 500_000})
    assert screening.screen(r, p, today=TODAY).warnings.height == 0


def test_codes_outside_the_rule_do_not_warn():
    p = person_table(3)
    a = p.row(0, named=True)
    base = {"feed": "housing", "id_number": a["id_number"], "name": a["name"]}
    assert screening.screen(rows({**base, "code": "B"}), p, today=TODAY).warnings.height == 0
    w = screening.screen(rows({**base, "code": "D"}), p, today=TODAY).warnings
    assert w["reason"].to_list() == [f"{a['name']}家住房于2025-05-01鉴定为D级危房"] and w["subject"][0] == ""


@pytest.mark.parametrize("change,status", [
    (lambda r: {**r, "id_number": r["id_number"][:17] + ("1" if r["id_number"][17] != "1" else "2")}, "invalid_id"),
    (lambda r: {**r, "id_number": r["id_number"][:6] + "20991231" + r["id_number"][14:]}, "invalid_id"),
    (lambda r: {**r, "id_number": idnumber.make("110101", dt.date(1970, 1, 1), 5)}, "absent"),
    (lambda r: {**r, "name": "别人"}, "name_mismatch"),
])
def test_unmatched_rows_are_reported_never_matched(change, status):
    p = person_table(3)
    a = p.row(0, named=True)
    r = rows(change({"feed": "education", "id_number": a["id_number"], "name": a["name"], "code": "dropout"}))
    result = screening.screen(r, p, today=TODAY)
    assert result.warnings.height == 0
    problem = result.problems().row(0, named=True)
    assert problem["status"] == status and problem["first_row"] == 2 and problem["household_id"] is None


def test_names_match_without_spaces_and_with_any_middle_dot():
    p = person_table(3).with_columns(name=pl.lit("阿依古丽·买买提"))
    a = p.row(0, named=True)
    r = rows({"feed": "education", "id_number": a["id_number"], "name": "阿依古丽 • 买买提", "code": "dropout"})
    w = screening.screen(r, p, today=TODAY).warnings
    assert w.height == 1 and w["reason"][0].startswith("阿依古丽·买买提于2025-05-01")  # the registry's spelling


def test_per_person_rules_warn_per_member():
    p = person_table(3)
    r = rows(*({"feed": "human_resources", "id_number": p["id_number"][i], "name": p["name"][i], "code": "returned"}
               for i in range(2)))
    w = screening.screen(r, p, today=TODAY).warnings
    assert sorted(w["subject"].to_list()) == ["1", "2"] and set(w["rule"]) == {"job_lost"}


def test_same_data_same_keys():
    p = person_table()
    feed = synthetic.generate(p, year=2025, seed=9)
    once = screening.screen(feed.rows, p, today=TODAY).warnings
    again = screening.screen(feed.rows.sample(fraction=1.0, shuffle=True, seed=1), p, today=TODAY).warnings
    assert once.equals(again)


def test_rules_file_errors_name_file_and_line(tmp_path):
    bad = Path(screening.RULES_PATH).read_text(encoding="utf-8").replace("feed: housing", "feed: housng", 1)
    path = tmp_path / "rules.yaml"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(CatalogError) as e:
        screening.load_rules(path)
    assert "rules.yaml" in str(e.value) and "第" in str(e.value) and "housng" in str(e.value)
    path.write_text(Path(screening.RULES_PATH).read_text(encoding="utf-8").replace("codes: [C, D]", "codes: [E]"),
                    encoding="utf-8")
    with pytest.raises(CatalogError, match="取值"):
        screening.load_rules(path)
