"""Benchmark the plan stage (ingest → tokenize → sections → segment plan) on ~1M tokens.

Builds a ~1,000,000-token plain-text document from the CUAD contracts in ../shared/data
(repeated if needed) and compares, median of 5 runs each in the same process:

  (a) bare ``encoding().encode_ordinary(text)``, the floor any pipeline pays;
  (b) the full plan stage: ``ingest`` + ``tokenize`` + ``find_sections`` + ``plan_segments``.

Targets: (b)/(a) ≤ 2.0, and peak RSS of a fresh process running (b) once ≤ 400 MB.
Exits 1 if a target is missed, 0 (with a message) if the shared data is absent.

    python bench/bench_plan.py [--tokens 1000000] [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from chunking.segmenter import plan_segments
from chunking.structure import find_sections
from chunking.tokenizer import count_tokens, encoding, tokenize
from pipeline.config import LimitsConfig, SegmentConfig
from pipeline.ingest import ingest
from pipeline.types import SegmentPlan

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("LONGDOC_SHARED_DATA", ROOT.parent / "shared" / "data"))
CONTRACTS = SHARED_DATA / "cuad-dev" / "contracts"
MAX_RATIO = 2.0
MAX_RSS_MB = 400.0
SEPARATOR = "\n\f\n"  # one filing after another, as a bundle of exhibits would arrive


def build_document(goal_tokens: int) -> bytes:
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(CONTRACTS.glob("*.txt"))]
    counts = [count_tokens(t) for t in texts]
    parts: list[str] = []
    total = 0
    while total < goal_tokens:  # repeat the corpus if it is smaller than the goal
        for text, n in zip(texts, counts, strict=True):
            parts.append(text)
            total += n
            if total >= goal_tokens:
                break
    return SEPARATOR.join(parts).encode("utf-8")


def plan_stage(data: bytes, timings: dict[str, list[float]] | None = None) -> SegmentPlan:
    """(b): everything between the uploaded bytes and a segment plan (default limits and sizes)."""
    limits, sizes = LimitsConfig.model_validate({}), SegmentConfig.model_validate({})
    marks = [time.perf_counter()]
    extracted = ingest(data, name="x.txt", limits=limits)
    marks.append(time.perf_counter())
    tokenized = tokenize(extracted.text)
    marks.append(time.perf_counter())
    sections = find_sections(extracted.text)
    marks.append(time.perf_counter())
    plan = plan_segments(extracted, tokenized, sections, sizes)
    marks.append(time.perf_counter())
    if timings is not None:
        for name, t0, t1 in zip(
            ("ingest", "tokenize", "structure", "segment"), marks, marks[1:], strict=False
        ):
            timings.setdefault(name, []).append(t1 - t0)
    return plan


def median_time(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def child_peak_rss_mb(data: bytes) -> float:
    """Peak RSS of a fresh interpreter that runs the plan stage once."""
    with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as f:
        f.write(data)
        path = f.name
    try:
        subprocess.run([sys.executable, __file__, "--child", path], check=True, cwd=ROOT)
    finally:
        os.unlink(path)
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        plan_stage(Path(args.child).read_bytes())
        return 0
    if not CONTRACTS.is_dir():
        print(f"skipped: {CONTRACTS} not found (set LONGDOC_SHARED_DATA)")
        return 0

    data = build_document(args.tokens)
    text = data.decode("utf-8")
    enc = encoding()
    tokens = len(enc.encode_ordinary(text))  # also warms the encoder up
    plan = plan_stage(data)  # warm-up: imports, lazy tables
    print(f"document: {tokens:,} tokens, {len(text) / 1e6:.2f} M chars, {len(data) / 1e6:.2f} MB")

    bare = median_time(lambda: enc.encode_ordinary(text), args.runs)
    timings: dict[str, list[float]] = {}
    full = median_time(lambda: plan_stage(data, timings), args.runs)
    ratio = full / bare
    rss = child_peak_rss_mb(data)

    print(f"(a) encode_ordinary      median {bare:.3f} s")
    print(f"(b) plan stage           median {full:.3f} s")
    for name, values in timings.items():
        print(f"      {name:<10} {statistics.median(values):.3f} s")
    print(f"ratio b/a                {ratio:.2f}  (target <= {MAX_RATIO})")
    print(f"peak RSS, fresh process  {rss:.0f} MB  (target <= {MAX_RSS_MB:.0f})")
    print(f"segments: {len(plan.segments)}")
    for s in plan.segments:
        print(f"  {s.index:>2} {s.tokens:>7,} tokens  cut={s.cut:<9} {s.first_section} -> {s.last_section}")

    failed = [m for m, bad in (("ratio", ratio > MAX_RATIO), ("rss", rss > MAX_RSS_MB)) if bad]
    if failed:
        print("FAILED: " + ", ".join(failed))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
