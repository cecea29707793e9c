"""Bank files benchmark: a disbursement file of 1,000,000 lines written in each layout, and a return file of 1,000,000
lines read (generic CSV and 一卡通), then checked against the lines issued. With --xlsx-return an Excel return file is
read too, of 900,000 lines by default: its 11 columns make 11,000,000 cells at 1,000,000 lines, over the bounded
reader's default of 10,000,000 cells a sheet (Limits.cells), and such a file is refused before it is parsed.

The lines are generated as they are written (a generator: the writer must not hold them). The return files are made by
`bankfiles.simulate_return` (not timed). Each measured step runs in its own process, so that its peak RSS is its own.
    python benchmarks/bank_files.py [--lines 1000000] [--xlsx-return] [--xlsx-lines 900000]
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import machine  # benchmarks/machine.py: the reference figure of the machine

PAID_ON = dt.date(2026, 3, 20)
ACCOUNTS = ("6217000010001234569", "6228480402564890018", "621700001000123", "1403060100001234")


def lines(n: int):
    from fangpin.payments.bankfiles import PayLine

    for i in range(n):
        yield PayLine(reference=f"FP2026000012-{i:07d}", name=("张三", "李四华", "王五", "赵六")[i % 4],
                      account_number=ACCOUNTS[i % 4], bank="中国农业银行平鲁支行", amount=10_000 + i % 50_000,
                      id_number="140603199001011234", benefit="耕地地力保护补贴", basis="双发〔2022〕67号第5条",
                      village=f"双碾村{i % 300}")


def results(n: int):
    for i, line in enumerate(lines(n)):
        yield line, i % 97 != 0, "账户已销户" if i % 97 == 0 else ""


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_write(layout_key: str, n: int, d: Path) -> dict:
    from fangpin.payments import bankfiles

    layout = bankfiles.layouts()[layout_key]
    t = time.perf_counter()
    with open(d / f"pay.{layout.extension}", "wb") as out:
        w = bankfiles.write(layout, lines(n), out, title="FP2026000012_中国农业银行", paid_on=PAID_ON,
                            payer="平鲁区财政局")
    seconds = time.perf_counter() - t
    return {"seconds": round(seconds, 2), "rows": w.rows, "bytes": (d / f"pay.{layout.extension}").stat().st_size,
            "peak_mib": round(peak_mib())}


def make_return(layout_key: str, n: int, d: Path) -> Path:
    from fangpin.payments import bankfiles

    layout = bankfiles.layouts()[layout_key]
    paid, failed = layout.returns.paid[0], (layout.returns.failed or ("1001",))[0]
    path = d / f"return-{layout_key}.{layout.extension}"
    with open(path, "wb") as out:
        bankfiles.simulate_return(layout, ((line, paid if ok else failed, reason) for line, ok, reason in results(n)),
                                  out, paid_on=PAID_ON)
    return path


def measure_read(layout_key: str, n: int, d: Path) -> dict:
    from fangpin.lib.uploads import Limits
    from fangpin.payments import bankfiles

    layout = bankfiles.layouts()[layout_key]
    path = d / f"return-{layout_key}.{layout.extension}"
    t = time.perf_counter()
    got = bankfiles.read_return(path, path.name, layout, limits=Limits())
    read_s = time.perf_counter() - t
    read_peak = peak_mib()
    expected = {line.reference: (line.amount, line.account_number) for line in lines(n)}  # not timed
    t = time.perf_counter()
    problems = bankfiles.check_against(got, expected, path.name, layout=layout)
    check_s = time.perf_counter() - t
    return {"seconds": round(read_s, 2), "check_seconds": round(check_s, 2), "rows": len(got),
            "failed": sum(not r.paid for r in got), "problems": len(problems), "bytes": path.stat().st_size,
            "peak_mib": round(read_peak), "peak_with_check_mib": round(peak_mib())}


def child(args: list[str]) -> dict:
    """One measurement in a fresh process (its own peak RSS)."""
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"{' '.join(args[:3])} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--xlsx-return", action="store_true", help="also read an Excel return file")
    ap.add_argument("--xlsx-lines", type=int, default=900_000, help="lines of the Excel return file")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)  # write|read|make, layout key
    ap.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        step, key = args.child
        if step == "make":
            make_return(key, args.lines, args.dir)
            print("{}")
        else:
            print(json.dumps((measure_write if step == "write" else measure_read)(key, args.lines, args.dir)))
        return
    print(machine.line())
    n = args.lines
    reads = ["generic_csv", "yikatong"] + (["generic_xlsx"] if args.xlsx_return else [])
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        common = ["--lines", str(n), "--dir", str(d)]
        for key in ("generic_csv", "generic_xlsx", "yikatong"):
            r = child(["--child", "write", key, *common])
            print(f"write {key:<13}: {r['seconds']:>7.2f} s  {r['rows'] / r['seconds']:>10,.0f} rows/s  "
                  f"{r['bytes'] / 2**20:>6.1f} MiB  peak {r['peak_mib']:>5,} MiB")
        for key in reads:
            lines_here = min(n, args.xlsx_lines) if key == "generic_xlsx" else n
            common = ["--lines", str(lines_here), "--dir", str(d)]
            child(["--child", "make", key, *common])
            r = child(["--child", "read", key, *common])
            print(f"read  {key:<13}: {r['seconds']:>7.2f} s  {r['rows'] / r['seconds']:>10,.0f} rows/s  "
                  f"{r['bytes'] / 2**20:>6.1f} MiB  peak {r['peak_mib']:>5,} MiB  failed {r['failed']:,}  "
                  f"check_against {r['check_seconds']:.2f} s, {r['problems']} problems "
                  f"(peak with the issued lines {r['peak_with_check_mib']:,} MiB)")


if __name__ == "__main__":
    main()
