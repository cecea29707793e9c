"""The benchmarks' implementations agree: benchmark (b)'s three versions of four seed-001 rules give the same totals to
the fen on a small population (the benchmark itself checks the same at every size, and stops if they differ)."""
import importlib.util
import sys
from pathlib import Path

import pytest

pytest.importorskip("openfisca_core", reason="openfisca-core is a dev dependency (make test installs it)")


BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def load(name: str):
    path = BENCHMARKS / f"{name}.py"
    if str(BENCHMARKS) not in sys.path:  # as when run as a script: its own folder first (benchmarks/machine.py)
        sys.path.insert(0, str(BENCHMARKS))
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_engine_openfisca_and_numpy_agree_to_the_fen():
    b = load("rules_vs_openfisca")
    rates = b.rates()
    arrays = b.generate(20_000, seed=3)
    floor = b.run_numpy(arrays, rates)
    assert set(floor) == set(b.RULES) and all(v > 0 for v in floor.values())
    openfisca, _ = b.run_openfisca(arrays, b.openfisca_system(rates))
    frames = b.frames_from_arrays(arrays)
    assert openfisca == floor
    assert b.run_ours(frames, explain=False) == floor
    assert b.run_ours(frames, explain=True) == floor


def test_openfisca_check_catches_persons_in_the_wrong_household():
    """A declared household without members shifts every later person into the previous household: the benchmark's
    check (target status projected from the household) must notice rather than report wrong totals."""
    b = load("rules_vs_openfisca")
    rates = b.rates()
    arrays = b.generate(2_000, seed=4)
    keep = arrays["hid"] != 5  # household 5 stays declared, with nobody in it
    for name in ("hid", "place", "months", "wage_fen", "training_days"):
        arrays[name] = arrays[name][keep]
    with pytest.raises(AssertionError, match="wrong households"):
        b.run_openfisca(arrays, b.openfisca_system(rates))


def test_screening_benchmark_finds_the_planted_risks_and_agrees_with_its_peer(tmp_path):
    b = load("screening")
    info = b.generate(3_000, 30_000, tmp_path)
    assert info["rows"] > 30_000 and info["expected"] > 0
    ours = b.measure_ours(tmp_path, False)
    assert ours["planted_all_found"] and ours["warnings"] == info["expected"]
    medical, pandas = b.measure_ours(tmp_path, True), b.measure_pandas(tmp_path)
    assert medical["warnings"] == pandas["warnings"] > 0
