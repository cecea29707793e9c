"""The indicators benchmark's synthetic province has exactly the facts' shape, and its check of ours against the
one-query-per-unit peer agrees on it and fires when a figure is wrong (the benchmark stops on a disagreement)."""
import datetime as dt
import importlib.util
import sys
from pathlib import Path

import polars as pl

from fangpin.indicators.facts import FACTS

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load(name: str):
    if str(BENCHMARKS) not in sys.path:  # as when run as a script: its own folder first (benchmarks/machine.py)
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

ON = dt.date(2022, 8, 31)
TAKE = {"province": 1, "city": 1, "county": 2, "township": 4, "village": 12}  # the peer's sample, small for the suite


def test_indicators_benchmark_shape_and_peer_check(tmp_path):
    b = load("indicators")
    made = b.generate(20_000, tmp_path, cities=1)
    assert made["persons"] == 20_000 and made["units_province"] == 1 and made["villages"] == made["units_village"]
    for key, fact in FACTS.items():
        assert pl.read_parquet_schema(tmp_path / f"{key}.parquet") == fact.schema(), key
    ours = b.run_ours(tmp_path, ON)
    assert ours["rows"] > 0 and "2021-08-31" in ours["days"]
    peer = b.run_peer(tmp_path, ON, take=TAKE)
    assert peer["checked"] > 0 and peer["n_wrong"] == 0, peer["wrong"]
    wrong = pl.read_parquet(tmp_path / "ours.parquet").with_columns(pl.col("numerator") + 1)
    wrong.write_parquet(tmp_path / "ours.parquet")
    assert b.run_peer(tmp_path, ON, take=TAKE)["n_wrong"] == peer["checked"]
