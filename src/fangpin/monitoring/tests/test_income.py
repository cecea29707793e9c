"""Income accounting at its boundaries: bands against the line and the edge, falls, lines by region, unknowns."""
import polars as pl
import pytest

from fangpin.monitoring import income

VILLAGE = "140603203200"


def lines(*rows):
    return pl.DataFrame([{"region_prefix": p, "year": y, "line": line, "edge_centi": e, "sharp_centi": s}
                         for p, y, line, e, s in rows], schema=income.LINE_SCHEMA)


LINES = lines(("14", 2025, 700000, 150, 30), ("", 2025, 650000, 150, 30))


def run(net_now, net_before=None, size=3, village=VILLAGE, line_rows=LINES, year=2025):
    incomes = []
    if net_now is not None:
        incomes.append({"household_id": 1, "year": year, "wage": net_now})
    if net_before is not None:
        incomes.append({"household_id": 1, "year": year - 1, "wage": net_before})
    return income.account(
        pl.DataFrame({"household_id": [1], "village_code": [village]}),
        pl.DataFrame({"household_id": [1], "size": [size]}),
        pl.DataFrame(incomes, schema={"household_id": pl.Int64, "year": pl.Int64, "wage": pl.Int64,
                                      "business_income": pl.Int64, "business_cost": pl.Int64,
                                      "property_income": pl.Int64, "transfer_income": pl.Int64}),
        line_rows, year=year).row(0, named=True)


@pytest.mark.parametrize("net,band", [
    (2_099_999, "below"),      # 3 persons × 7000 yuan = 2,100,000 fen: a fen under
    (2_100_000, "edge"),       # at the line: not below
    (3_149_999, "edge"),       # under line × 1.5 × 3
    (3_150_000, "above"),
])
def test_bands_at_their_bounds(net, band):
    assert run(net)["band"] == band


def test_per_capita_is_rounded_for_display_only():
    r = run(2_099_999)
    assert (r["per_capita"], r["band"]) == (700000, "below")  # shows 7000.00 yet is below: decided on the total


@pytest.mark.parametrize("now,before,fell,sharp", [
    (700_000, 1_000_000, True, True),     # exactly 30% down
    (700_001, 1_000_000, True, False),
    (1_000_000, 1_000_000, False, False),
    (1_000_000, None, False, False),
    (-1, 0, True, False),                 # a loss after zero: a fall, but no share of nothing
])
def test_falls(now, before, fell, sharp):
    r = run(now, before)
    assert (r["fell"], r["sharp_fall"]) == (fell, sharp)


def test_the_most_specific_line_wins():
    rows = lines(("14", 2025, 700000, 150, 30), ("140603", 2025, 720000, 120, 20), ("", 2025, 650000, 150, 30))
    assert run(2_150_000, line_rows=rows)["line"] == 720000 and run(2_150_000, line_rows=rows)["band"] == "below"
    assert run(2_150_000, village="140902001001", line_rows=rows)["line"] == 700000
    assert run(2_150_000, village="610327100001", line_rows=rows)["line"] == 650000


@pytest.mark.parametrize("kwargs,note", [
    ({"net_now": None}, "没有2025年收入记录"),
    ({"net_now": 100, "size": 0}, "户内没有家庭成员"),
    ({"net_now": 100, "line_rows": lines(("14", 2024, 690000, 150, 30))}, "没有2025年监测标准"),
])
def test_unknowns_say_why(kwargs, note):
    r = run(**kwargs)
    assert (r["band"], r["note"]) == ("unknown", note)


def test_every_income_part_counts():
    frame = pl.DataFrame([{"household_id": 1, "year": 2025, "wage": 1000, "business_income": 500, "business_cost": 200,
                           "property_income": 30, "transfer_income": 70}])
    assert income.net(frame.lazy()).collect()["net_income"].to_list() == [1400]
