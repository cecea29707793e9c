"""A reference figure for the machine a benchmark ran on, printed beside its results.

Shared machines differ from day to day (the same commit's import took 15.0 s on 2026-11-28 and 34.5 s on 2026-12-02):
every benchmark prints this line, so that figures of different days can be compared by it.
    python benchmarks/machine.py
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time


def reference_seconds() -> float:
    """Best of three runs of a fixed single-core Python workload (loops, dicts, strings, JSON): what a page or an
    import's Python spends its time on."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        total, rows = 0, []
        for i in range(300_000):
            row = {"id": i, "name": f"成员{i}", "amount": i * 3 % 1000}
            total += row["amount"]
            rows.append(row)
        json.loads(json.dumps(rows, ensure_ascii=False))
        best = min(best, time.perf_counter() - t)
    return best


def line() -> str:
    # in a child process: Linux carries a process's peak RSS over to the children it starts, and the benchmarks
    # measure their children's peaks
    out = subprocess.run([sys.executable, __file__, "--seconds"], check=True, capture_output=True, text=True)
    return (f"本机参考：固定 Python 工作量 {float(out.stdout):.2f} 秒（越小越快），{os.cpu_count()} 核，"
            f"Python {platform.python_version()}")


if __name__ == "__main__":
    print(reference_seconds() if sys.argv[1:] == ["--seconds"] else line())
