"""The indicator catalog: it loads, it cites the seeds word for word and consistently, its parser names file and line,
and the engine counts what the catalog says on small hand-made frames (no database)."""
import datetime as dt
import re
from pathlib import Path

import polars as pl
import pytest
import yaml

from fangpin.indicators import catalog, docs, engine
from fangpin.indicators.facts import FACTS
from fangpin.lib.yamldata import CatalogError

D = dt.date
ROOT = Path(__file__).resolve().parents[4]
SEEDS = Path(__file__).resolve().parents[5] / "shared" / "seeds"

# each seed: how its clauses are named (as the ledger checks write them), its region, its period
SEED_CLAUSES = {
    "000_71b42cd8ba1c04c8.txt": ("忻州市六大举措 ", "忻州 "),
    "001_931a497636cf925e.txt": ("双发〔2022〕67号 第",),
    "002_f068adb32a6ec78a.txt": ("陇县十条 ",),
    "003_0e2dfc4e303d874f.txt": ("山西十二条 ",),
    "004_3b66c170722a125c.txt": ("湖南十条 ",),
}
SEED_REGIONS = {"000_71b42cd8ba1c04c8.txt": "1409", "001_931a497636cf925e.txt": "140603203",
                "002_f068adb32a6ec78a.txt": "610327", "003_0e2dfc4e303d874f.txt": "14",
                "004_3b66c170722a125c.txt": "43"}
SEED_PERIODS = {"000_71b42cd8ba1c04c8.txt": (D(2020, 1, 1), D(2020, 12, 31)),
                "001_931a497636cf925e.txt": (D(2022, 8, 12), D(2025, 12, 31)),
                "002_f068adb32a6ec78a.txt": (D(2022, 1, 1), dt.date.max),
                "003_0e2dfc4e303d874f.txt": (None, None),  # the ledger checks give Shanxi's no period, or 2020
                "004_3b66c170722a125c.txt": (D(2022, 1, 1), D(2022, 12, 31))}


def ledger_checks():
    files = sorted((ROOT / "src" / "fangpin").glob("*/checks.yaml")) + sorted(
        (ROOT / "src" / "fangpin").glob("*/*_checks.yaml"))
    assert len(files) >= 9
    for path in files:
        for check in yaml.safe_load(path.read_text(encoding="utf-8"))["checks"]:
            yield path, check


# --- the catalog ---------------------------------------------------------------------------------------------------

def test_the_whole_catalog_loads():
    cat = catalog.load_catalog()
    assert len(cat) >= 40
    assert {"lifted_workers", "spending_progress", "microcredit_balance", "hunan_problems_closed_share",
            "village_post_target_share", "pv_village_share", "central_industry_share"} <= set(cat)
    for ind in cat.values():
        assert ind.seed in SEED_CLAUSES, ind.key
        assert re.fullmatch(r"[a-z][a-z0-9_]*", ind.key), ind.key
        assert ind.definition and ind.reading, ind.key
        for t in ind.targets:
            assert ind.target_text(t)
    # every seed has indicators with targets
    assert {i.seed for i in cat.values() if i.targets} >= set(SEED_CLAUSES) - {"000_71b42cd8ba1c04c8.txt"}


def test_every_quote_is_word_for_word_in_its_seed():
    if not SEEDS.exists():
        pytest.skip("the seeds are not beside the repository")
    for ind in catalog.load_catalog().values():
        text = (SEEDS / ind.seed).read_text(encoding="utf-8")
        assert ind.quote in text, (ind.key, ind.quote)


def test_every_clause_seed_region_and_period_agree():
    for ind in catalog.load_catalog().values():
        assert ind.clause.startswith(SEED_CLAUSES[ind.seed]), (ind.key, ind.clause)
        for t in ind.targets:
            assert t.regions == (SEED_REGIONS[ind.seed],), ind.key
            start, end = SEED_PERIODS[ind.seed]
            if start is not None:
                assert t.in_force == (start, end), ind.key
            elif t.in_force is not None:
                assert t.in_force == (D(2020, 1, 1), D(2020, 12, 31)), ind.key
    # the ledger checks cite the seeds the same way
    for path, check in ledger_checks():
        assert check["clause"].startswith(SEED_CLAUSES[check["seed"]]), (path, check["id"])
        assert check["regions"] == [SEED_REGIONS[check["seed"]]], (path, check["id"])


def test_every_ledger_target_is_an_indicator():
    """The acceptance of issue 14: each target of the seeds appears as an indicator citing its clause (the ledger
    checks encode them)."""
    clauses = {i.clause for i in catalog.load_catalog().values()}
    for path, check in ledger_checks():
        assert check["clause"] in clauses, (path, check["id"], check["clause"])


def test_the_issue_targets_are_there():
    cat = catalog.load_catalog()

    def target(key):
        (t,) = cat[key].targets
        return t

    assert target("lifted_workers").bound == 2_325_000 and target("lifted_workers").levels == ("province",)
    assert target("lifted_workers_six_months").comparison == "not_below_last_year"
    assert target("microcredit_new_lending").bound == 50 and cat["microcredit_new_lending"].unit == "亿元"
    assert target("microcredit_balance").bound == 100 and cat["microcredit_balance"].form == "difference"
    assert [(m.month_day, m.bound) for m in target("spending_progress").schedule] == [
        ((6, 30), 0.6), ((9, 30), 0.8), ((12, 31), 1.0)]
    assert target("hunan_problems_closed_share").schedule[0].month_day == (7, 20)
    assert target("shanxi_problems_closed_share").schedule[0].month_day == (6, 30)
    assert target("province_linkage_funds").comparison == "not_below_last_year"
    assert target("village_post_target_share").levels == ("village",)
    assert target("microcredit_households_over_cap").comparison == "at_most"
    # an amount in a condition is stored in fen and read in yuan
    assert "包销帮扶村农特产品不少于20,000元" in cat["bulk_city_units_met"].definition
    assert "贷款金额合计−已还本金合计−已代偿金额合计大于100,000元的户数" in cat["microcredit_households_over_cap"].definition


# --- the parser's errors -------------------------------------------------------------------------------------------

GOOD = """\
indicators:
  - key: k
    title: 标题
    unit: 人
    group: 组
    seed: 004_3b66c170722a125c.txt
    clause: 湖南十条 三
    quote: 原文
    count: persons
    of: spells
    where:
      - category in [lifted]
      - start <= date
    targets:
      - at_least: 10
        levels: [province]
        regions: ["43"]
"""

SHARE = """\
indicators:
  - key: s
    title: 比例
    unit: "%"
    group: 组
    seed: 004_3b66c170722a125c.txt
    clause: 湖南十条 八
    quote: 原文
    share:
      numerator:
        sum: amount
        of: expenditures
      denominator:
        sum: amount
        of: allocations
    targets:
      - at_least: 0.5
        regions: ["43"]
"""


def _line(text: str, fragment: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if fragment in line)


def _error(tmp_path, text: str) -> CatalogError:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        catalog.parse(path)
    assert info.value.path == str(path) and str(path) in str(info.value)
    assert info.value.line and f"第{info.value.line}行" in str(info.value)
    return info.value


def test_the_good_files_parse(tmp_path):
    for text in (GOOD, SHARE):
        path = tmp_path / "good.yaml"
        path.write_text(text, encoding="utf-8")
        assert len(catalog.parse(path)) == 1


@pytest.mark.parametrize("old,new,words,at", [
    ("of: spells", "of: nothing", "不是事实表", "  - key:"),
    ("- start <= date", "- nosuch <= date", "没有列 nosuch", "  - key:"),
    ("- start <= date", "- start ~ date", "应写作", "  - key:"),
    ("category in [lifted]", "category in [rich]", "rich 不是 户类别 的取值", "  - key:"),
    ("- at_least: 10", "- at_least: 10\n        by: \"13-01\"", "不是一年中的日期", "      - at_least"),
    ("levels: [province]", "levels: [planet]", "不是区划级别", "      - at_least"),
])
def test_a_bad_indicator_names_file_and_line(tmp_path, old, new, words, at):
    text = GOOD.replace(old, new)
    assert text != GOOD
    err = _error(tmp_path, text)
    assert words in err.message
    assert err.line == _line(text, at)


def test_a_bad_share_names_file_and_line(tmp_path):
    text = SHARE.replace("at_least: 0.5", "at_least: 55")
    err = _error(tmp_path, text)
    assert "百分比目标写作小数" in err.message and err.line == _line(text, "      - at_least")
    text = SHARE.replace("        of: allocations", "        of: allocations\n        where: [colour = red]")
    err = _error(tmp_path, text)
    assert "没有列 colour" in err.message and err.line == _line(text, "        sum: amount") + 3  # the denominator's


def test_a_share_without_its_denominator_names_the_indicator(tmp_path):
    for text in (SHARE.replace("      denominator:\n        sum: amount\n        of: allocations\n", ""),
                 SHARE.split("    share:")[0] + "    share: 5\n"):
        err = _error(tmp_path, text)
        assert "share 应有 numerator 和 denominator" in err.message and err.line == _line(text, "  - key:")


def test_a_schedule_out_of_order_names_file_and_line(tmp_path):
    text = SHARE.replace("      - at_least: 0.5\n", "      - schedule:\n          - {by: \"09-30\", at_least: 0.8}\n"
                                                     "          - {by: \"06-30\", at_least: 0.6}\n")
    err = _error(tmp_path, text)
    assert "按日期先后" in err.message and err.line == _line(text, "      - schedule:")


def test_a_duplicate_key_names_its_line(tmp_path):
    text = GOOD.replace("    unit: 人\n", "    unit: 人\n    unit: 户\n")
    err = _error(tmp_path, text)
    assert err.line == _line(text, "unit: 户")


# --- the engine on hand-made frames ----------------------------------------------------------------------------------

V1, V2 = 430102001001, 430102001002  # two villages of one township
TOWNSHIP = 430102001000
V3 = 430103002001  # a village of another county


def frame(key: str, rows: list[dict]) -> pl.DataFrame:
    schema = FACTS[key].schema()
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)


def values(frames, keys, days, units=None):
    cat = catalog.load_catalog()
    out = engine.compute(frames, [cat[k] for k in keys], days, units)
    return {(r["indicator"], r["on"], r["code"]): (r["numerator"], r["denominator"]) for r in out.iter_rows(named=True)}


def spell(row, person, code, **kw):
    base = {"row": row, "person": person, "household": person // 10, "code": code, "category": "lifted",
            "kind": "wage_job", "year": 2022, "start": D(2022, 1, 1), "end": None, "months": 3}
    return base | kw


def test_persons_are_counted_once_and_the_day_is_inclusive():
    spells = frame("spells", [
        spell(1, 11, V1), spell(2, 11, V1, kind="public_welfare_post"),  # one person, two spells: one
        spell(3, 12, V1, end=D(2022, 6, 30)),  # ends on the day asked: still at work that day
        spell(4, 13, V1, end=D(2022, 6, 29)),  # ended the day before
        spell(5, 14, V2, start=D(2022, 6, 30)),  # starts on the day asked
        spell(6, 15, V2, start=D(2022, 7, 1)),  # starts after
        spell(7, 16, V3, category="monitored"),  # not a lifted household
        spell(8, 17, V3, end=None),
    ])
    got = values({"spells": spells}, ["lifted_workers"], [D(2022, 6, 30)])
    on = D(2022, 6, 30)
    assert got[("lifted_workers", on, V1)] == (2, None)
    assert got[("lifted_workers", on, V2)] == (1, None)
    assert got[("lifted_workers", on, TOWNSHIP)] == (3, None)
    assert got[("lifted_workers", on, 430102000000)] == (3, None)
    assert got[("lifted_workers", on, 430000000000)] == (4, None)
    # the day before: the one who ended on 06-29 is still counted, the one who starts on 06-30 not yet
    got = values({"spells": spells}, ["lifted_workers"], [D(2022, 6, 29)])
    assert got[("lifted_workers", D(2022, 6, 29), TOWNSHIP)] == (3, None)


def test_strictly_before_and_or_null():
    problems = frame("problems", [
        {"row": 1, "code": V1, "found_on": D(2022, 1, 5), "deadline": D(2022, 3, 1), "closed_on": None},  # overdue
        {"row": 2, "code": V1, "found_on": D(2022, 1, 5), "deadline": D(2022, 3, 1), "closed_on": D(2022, 3, 2)},
        {"row": 3, "code": V1, "found_on": D(2022, 1, 5), "deadline": D(2022, 3, 2), "closed_on": None},  # due today
        {"row": 4, "code": V1, "found_on": D(2022, 1, 5), "deadline": D(2022, 2, 1), "closed_on": D(2022, 2, 1)},
    ])
    got = values({"problems": problems}, ["problems_overdue"], [D(2022, 3, 2)])
    # row 1 is overdue; row 2 was closed on the day asked (closed_on > date is false); row 3's deadline is today
    assert got[("problems_overdue", D(2022, 3, 2), V1)] == (1, None)
    got = values({"problems": problems}, ["problems_overdue"], [D(2022, 3, 1)])
    assert got[("problems_overdue", D(2022, 3, 1), V1)] == (0, None)  # deadline 03-01 is not before 03-01


def test_a_share_rolls_up_its_numerator_and_denominator_apart():
    posts = frame("posts", [{"row": i, "code": V1, "kind": "village", "created_on": D(2022, 1, 1)} for i in range(4)]
                  + [{"row": 10 + i, "code": V2, "kind": "village", "created_on": D(2022, 1, 1)} for i in range(1)]
                  + [{"row": 20, "code": V2, "kind": "village", "created_on": D(2022, 1, 1),
                      "abolished_on": D(2022, 5, 31)},  # abolished before the day: not a post that day
                     {"row": 21, "code": V2, "kind": "employment_assistance", "created_on": D(2022, 1, 1)}])
    holders = frame("post_holders", [
        {"row": 1, "code": V1, "person": 1, "household": 1, "category": "lifted", "post_kind": "village",
         "started_on": D(2022, 1, 1)},
        {"row": 2, "code": V2, "person": 2, "household": 2, "category": "monitored", "post_kind": "village",
         "started_on": D(2022, 1, 1)},
        {"row": 3, "code": V2, "person": 3, "household": 3, "category": "ordinary", "post_kind": "village",
         "started_on": D(2022, 1, 1)},
    ])
    on = D(2022, 6, 30)
    got = values({"posts": posts, "post_holders": holders}, ["village_post_target_share"], [on])
    assert got[("village_post_target_share", on, V1)] == (1, 4)  # 25%
    assert got[("village_post_target_share", on, V2)] == (1, 1)  # 100%
    num, den = got[("village_post_target_share", on, TOWNSHIP)]
    assert (num, den) == (2, 5)  # 40%, not the mean of 25% and 100%
    assert engine.value(catalog.load_catalog()["village_post_target_share"], num, den) == 0.4


def test_a_row_placed_at_a_township_counts_for_it_and_above_but_for_no_village():
    alloc = frame("allocations", [
        {"row": 1, "code": TOWNSHIP, "fund_kind": "linkage", "year": 2022, "amount": 1000,
         "allocated_on": D(2022, 3, 1)},
        {"row": 2, "code": V1, "fund_kind": "linkage", "year": 2022, "amount": 1000, "allocated_on": D(2022, 3, 1)},
    ])
    spent = frame("expenditures", [
        {"row": 1, "code": TOWNSHIP, "fund_kind": "linkage", "year": 2022, "amount": 500, "paid_on": D(2022, 6, 30)},
        {"row": 2, "code": V1, "fund_kind": "linkage", "year": 2022, "amount": 1000, "paid_on": D(2022, 7, 1)},
    ])
    on = D(2022, 6, 30)
    units = pl.DataFrame({"code": [V1, V2, TOWNSHIP, 430102000000], "level": ["village", "village", "township",
                                                                              "county"]})
    got = values({"allocations": alloc, "expenditures": spent}, ["spending_progress"], [on], units)
    assert got[("spending_progress", on, V1)] == (0, 1000)  # the village's own project only; paid 07-01
    assert got[("spending_progress", on, V2)] == (0, 0)
    assert got[("spending_progress", on, TOWNSHIP)] == (500, 2000)
    assert got[("spending_progress", on, 430102000000)] == (500, 2000)
    assert engine.value(catalog.load_catalog()["spending_progress"], 0, 0) is None  # no base: no share


def test_the_day_tokens():
    alloc = frame("allocations", [
        {"row": 1, "code": V1, "source": "province", "fund_kind": "linkage", "amount": 100,
         "allocated_on": D(2021, 12, 31)},  # last year
        {"row": 2, "code": V1, "source": "province", "fund_kind": "linkage", "amount": 200,
         "allocated_on": D(2022, 1, 1)},  # year_start: counted
        {"row": 3, "code": V1, "source": "province", "fund_kind": "linkage", "amount": 400,
         "allocated_on": D(2022, 5, 1)},
    ])
    accounts = frame("income_accounts", [
        {"row": 1, "code": V1, "household": 1, "category": "lifted", "year": 2021, "fell": True},
        {"row": 2, "code": V1, "household": 1, "category": "lifted", "year": 2021, "fell": True},  # one household
        {"row": 3, "code": V1, "household": 2, "category": "lifted", "year": 2022, "fell": True},  # this year
        {"row": 4, "code": V1, "household": 3, "category": "monitored", "year": 2021, "fell": False},
    ])
    loans = frame("loans", [{"row": 1, "code": V1, "person": 1, "household": 1, "amount": 1000,
                             "issued_on": D(2022, 2, 1)}])
    repaid = frame("repayments", [{"row": 1, "code": V1, "loan": 1, "person": 1, "household": 1, "principal": 300,
                                   "issued_on": D(2022, 2, 1), "repaid_on": D(2022, 4, 1)}])
    on = D(2022, 4, 30)
    got = values({"allocations": alloc, "income_accounts": accounts, "loans": loans, "repayments": repaid},
                 ["province_linkage_funds", "income_fell_households", "microcredit_balance"], [on, D(2021, 4, 30)])
    assert got[("province_linkage_funds", on, V1)] == (200, None)
    assert got[("province_linkage_funds", D(2021, 4, 30), V1)] == (0, None)
    assert got[("income_fell_households", on, V1)] == (1, None)
    assert got[("microcredit_balance", on, V1)] == (700, None)
    assert got[("microcredit_balance", D(2021, 4, 30), V1)] == (0, None)


# --- the document ----------------------------------------------------------------------------------------------------

def test_the_indicator_document_is_current():
    text = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert docs.block() in text, "run `fangpin exchange_files`"
    assert "## 状态" in text and "## 为指标补充的数据" in text
    for ind in catalog.load_catalog().values():
        assert f"（`{ind.key}`）" in text and f"> {ind.quote}" in text


def test_the_document_is_rewritten_between_its_markers(tmp_path):
    path = tmp_path / "indicators.md"
    path.write_text(f"前言\n\n{docs.BEGIN}\n旧的\n{docs.END}\n后记\n", encoding="utf-8")
    docs.update(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("前言\n\n") and text.endswith("\n后记\n") and "旧的" not in text
    assert docs.block() in text
    path.write_text("没有标记\n", encoding="utf-8")
    with pytest.raises(ValueError):
        docs.update(path)


@pytest.mark.django_db
def test_every_fact_loads_from_the_database_and_the_whole_catalog_computes():
    """The ORM paths of every fact's columns exist (the columns added for the catalog too)."""
    from fangpin.indicators import facts

    frames = facts.load()
    assert set(frames) == set(FACTS)
    for key, f in frames.items():
        assert f.columns == list(FACTS[key].schema()), key
    out = engine.compute(frames, list(catalog.load_catalog().values()), [D(2022, 6, 30)])
    assert out.columns == ["indicator", "on", "code", "level", "numerator", "denominator"]


# --- one of several conditions, and columns added up ------------------------------------------------------------------

def test_any_counts_a_person_meeting_either_condition_once():
    on = D(2022, 6, 30)
    spells = frame("spells", [
        spell(1, 11, V1, kind="public_welfare_post"),
        spell(2, 12, V1, employer_kind="workshop"),
        spell(3, 13, V1, kind="public_welfare_post", employer_kind="workshop"),  # both: counted once
        spell(4, 14, V1),  # a wage job elsewhere: neither
        spell(5, 15, V2, category="monitored", kind="public_welfare_post"),
        spell(6, 16, V2, category="ordinary", employer_kind="workshop"),  # not a target household
        spell(7, 17, V2, kind="work_for_relief"),  # work on a relief project: the third channel
        spell(8, 17, V2, kind="public_welfare_post"),  # and a post: still one person
    ])
    got = values({"spells": spells}, ["absorbed_employment"], [on])
    assert got[("absorbed_employment", on, V1)] == (3, None)
    assert got[("absorbed_employment", on, TOWNSHIP)] == (5, None)


def test_a_sum_of_two_columns_treats_a_blank_as_zero():
    uses = frame("pv_uses", [
        {"row": 1, "code": V1, "year": 2022, "received": 1000, "post_wages": 600, "labour": 200, "poor_post_wages": None},
        {"row": 2, "code": V2, "year": 2022, "received": 1000, "post_wages": 500, "labour": 0},
        {"row": 3, "code": V2, "year": 2021, "received": 9999, "post_wages": 1, "labour": 1},  # another year
    ])
    on = D(2022, 12, 31)
    got = values({"pv_uses": uses}, ["pv_village_use", "pv_village_use_2020"], [on])
    assert got[("pv_village_use", on, V1)] == (800, 1000)
    assert got[("pv_village_use", on, TOWNSHIP)] == (1300, 2000)
    assert got[("pv_village_use_2020", on, V1)] == (200, 1000)  # no poor holders' wages given: only the labour


def test_the_words_of_any_and_of_a_sum():
    cat = catalog.load_catalog()
    assert "（就业类型为公益岗位或以工代赈务工或用工单位类型为帮扶车间）" in cat["absorbed_employment"].definition
    assert "用于公益岗位工资、用于村级公益事业劳务合计" in cat["pv_village_use"].definition


@pytest.mark.parametrize("bad, words", [
    ('- any: ["kind in [public_welfare_post]"]', "两个以上的条件"),
    ('- every: ["kind in [public_welfare_post]", "months >= 6"]', "any"),
])
def test_a_bad_any_names_file_and_line(tmp_path, bad, words):
    text = GOOD.replace("- start <= date", bad)
    assert text != GOOD
    err = _error(tmp_path, text)
    assert words in err.message


def test_a_sum_of_an_unknown_column_names_file_and_line(tmp_path):
    text = SHARE.replace("sum: amount", "sum: [amount, nosuch]", 1)
    assert text != SHARE
    assert "nosuch" in _error(tmp_path, text).message


def test_a_small_amount_in_yi_yuan_reads_in_wan_yuan():
    """A village's or county's loans are far below 1亿: 12.50万元, not 0.00亿元 (nor an increase of 0.00亿元)."""
    cat = catalog.load_catalog()
    loans = cat["microcredit_new_lending"]
    assert catalog.format_value(loans, 0.00125) == "12.50万元"
    assert catalog.format_value(loans, -0.00125) == "-12.50万元"
    assert catalog.format_value(loans, 50) == "50.00亿元" and catalog.format_value(loans, 0) == "0.00亿元"
    assert catalog.format_value(cat["lifted_workers"], 0.5) == "0人"  # counts keep their unit


def test_the_values_of_one_condition_read_as_alternatives():
    """“、” separates the conditions, so a list of values reads with “或”."""
    words = catalog.load_catalog()["income_accounted_share"].definition
    assert "户类别为脱贫户或监测户、年度为统计年度" in words


def test_disabled_practical_training_counts_disabled_persons_once_in_the_year():
    t = {"category": "lifted", "kind": "disabled_practical", "year": 2022, "start": D(2022, 3, 1), "days": 5,
         "disability_grade": 2}
    trainings = frame("trainings", [
        {"row": 1, "code": V1, "person": 1, "household": 1} | t,
        {"row": 2, "code": V1, "person": 1, "household": 1} | t,  # the same person twice: once
        {"row": 3, "code": V1, "person": 2, "household": 2} | t | {"disability_grade": None},  # not disabled
        {"row": 4, "code": V1, "person": 3, "household": 3} | t | {"kind": "skills"},
        {"row": 5, "code": V2, "person": 4, "household": 4} | t | {"year": 2021, "start": D(2021, 3, 1)},
        {"row": 6, "code": V2, "person": 5, "household": 5} | t | {"start": D(2022, 7, 1)},  # after the day asked
    ])
    on = D(2022, 6, 30)
    got = values({"trainings": trainings}, ["disabled_practical_trained"], [on])
    assert got[("disabled_practical_trained", on, TOWNSHIP)] == (1, None)


def test_disabled_industry_support_counts_persons_paid_in_the_year_to_the_day():
    p = {"benefit": "disabled_industry_support", "status": "paid", "amount": 600000, "paid_on": D(2022, 4, 1)}
    payments = frame("payments", [
        {"row": 1, "code": V1, "person": 1, "household": 1} | p,
        {"row": 2, "code": V1, "person": 2, "household": 2} | p | {"status": "failed"},
        {"row": 3, "code": V1, "person": 3, "household": 3} | p | {"benefit": "transport_subsidy"},
        {"row": 4, "code": V2, "person": 4, "household": 4} | p | {"paid_on": D(2021, 12, 31)},  # last year
        {"row": 5, "code": V2, "person": 5, "household": 5} | p | {"paid_on": D(2022, 6, 30)},  # on the day
        {"row": 6, "code": V2, "person": 6, "household": 6} | p | {"paid_on": D(2022, 7, 1)},  # after it
    ])
    on = D(2022, 6, 30)
    got = values({"payments": payments}, ["disabled_industry_supported"], [on])
    assert got[("disabled_industry_supported", on, TOWNSHIP)] == (2, None)


def test_rows_without_conditions_are_every_row_of_the_place():
    """A count of rows with no condition counts each row (not one per place: a literal summed in a group is one)."""
    cat = catalog.load_catalog()
    bare = catalog.Measure("posts", "count", "rows")
    ind = catalog.Indicator(**{**cat["village_post_target_share"].__dict__, "key": "bare", "form": "measure",
                               "measures": (bare,), "targets": ()})
    posts = frame("posts", [{"row": i, "code": V1 if i < 3 else V2} for i in range(5)])
    out = engine.compute({"posts": posts}, [ind], [D(2022, 6, 30)])
    got = {r["code"]: r["numerator"] for r in out.iter_rows(named=True)}
    assert got[V1] == 3 and got[V2] == 2 and got[TOWNSHIP] == 5

