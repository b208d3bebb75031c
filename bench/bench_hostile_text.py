"""Benchmark ingest + tokenize on 50 MB single-line texts against ordinary text of the same size.

Variants (tests/hostile/gen_text.py): one letter repeated, random punctuation, "é" repeated,
"中" repeated, random lower-case letters; the baseline is the bundled contract repeated to the
same size. Each run is a fresh interpreter that loads the encoding (as a worker does at
start-up) and then times ``ingest`` + ``tokenize``; its peak RSS is the child's own ``VmHWM``
(from ``os.wait4``), so it includes the interpreter itself. Prints the median of ``--runs``
runs and the ratios to the baseline measured in the same run.

Targets (issue 12, finding 4): every variant under 10 s and under 500 MB peak RSS.
Exits 1 if a target is missed.

    python bench/bench_hostile_text.py [--mb 50] [--runs 3] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.hostile.gen_text, when run as a script

from tests.hostile import gen_text  # noqa: E402

MAX_SECONDS = 10.0
MAX_RSS_MB = 500.0


def child(path: str) -> int:
    """One measured run: the encoding loaded first, then ingest + tokenize of ``path``."""
    import resource

    from chunking.tokenizer import encoding, tokenize
    from pipeline.config import LimitsConfig
    from pipeline.ingest import ingest

    # The job refuses such a line as "not prose" (max_run_chars): lifted so the tokenizer is measured.
    limits = LimitsConfig(max_run_chars=10**9)
    encoding()
    warm_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    with open(path, "rb") as f:
        text = ingest(f.read(), name=Path(path).name, limits=limits).text
    tokens = tokenize(text).count
    seconds = time.perf_counter() - t0
    # VmHWM, not ru_maxrss: Linux carries the forking parent's peak across exec into ru_maxrss.
    with open("/proc/self/status") as status:
        hwm = next(line for line in status if line.startswith("VmHWM:"))
    print(
        json.dumps(
            {
                "seconds": seconds,
                "tokens": tokens,
                "chars": len(text),
                "warm_mb": warm_mb,
                "peak_mb": int(hwm.split()[1]) / 1024,
            }
        )
    )
    return 0


def run_once(path: Path) -> dict[str, float]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", str(path)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, _usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"child failed on {path.name} (exit {proc.returncode})")
    result: dict[str, float] = json.loads(out.strip().splitlines()[-1])
    return result


def measure(name: str, data: bytes, runs: int, folder: Path) -> dict[str, float]:
    path = folder / f"{name}.txt"
    path.write_bytes(data)
    results = [run_once(path) for _ in range(runs)]
    path.unlink()
    return {
        "seconds": statistics.median(r["seconds"] for r in results),
        "peak_mb": statistics.median(r["peak_mb"] for r in results),
        "warm_mb": statistics.median(r["warm_mb"] for r in results),
        "tokens": results[0]["tokens"],
        "chars": results[0]["chars"],
        "bytes": len(data),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of each file in MB (10**6 bytes)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", nargs="*", choices=list(gen_text.SINGLE_LINES), help="variants to run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child)

    size = int(args.mb * 1_000_000)
    variants = {
        name: make for name, make in gen_text.SINGLE_LINES.items() if not args.only or name in args.only
    }
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = measure("ordinary", gen_text.ordinary(size), args.runs, folder)
        rows = {"ordinary (baseline)": base}
        for name, make in variants.items():
            rows[name] = measure(name, make(size), args.runs, folder)

    print(f"ingest + tokenize, {args.mb:g} MB on one line, median of {args.runs} fresh processes")
    print(f"(interpreter with the encoding loaded: {base['warm_mb']:.0f} MB before the file is read)")
    header = f"{'variant':<22}{'tokens':>12}{'time s':>9}{'x base':>8}{'peak MB':>9}{'x base':>8}"
    print(header)
    print("-" * len(header))
    failed: list[str] = []
    for name, r in rows.items():
        print(
            f"{name:<22}{int(r['tokens']):>12,}{r['seconds']:>9.2f}{r['seconds'] / base['seconds']:>8.2f}"
            f"{r['peak_mb']:>9.0f}{r['peak_mb'] / base['peak_mb']:>8.2f}"
        )
        if name in variants and (r["seconds"] > MAX_SECONDS or r["peak_mb"] > MAX_RSS_MB):
            failed.append(name)
    print(f"targets: each variant <= {MAX_SECONDS:g} s and <= {MAX_RSS_MB:g} MB peak RSS")
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
