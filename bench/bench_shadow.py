"""Shadow evaluation on 20 CUAD contracts: does a candidate at 50% change the report or the job's time?

    python bench/bench_shadow.py                 # 20 contracts, 3 runs each of off and on
    python bench/bench_shadow.py --contracts 5 --runs 1

The simulator (its own process, as a provider would be; real openai SDK over HTTP) serves both
the primary model (kimi-k2-thinking, pinned) and the candidate (gpt-5.1-thinking: slower, so a
job that waited for it would show). Runs alternate off, on, off, on, off, on; each run analyzes
the contracts one after another in a fresh store (no cache hits), as `longdoc analyze` would.
Printed: the median wall time per job of each run, the medians of the 3 runs and their ratio
(on / off), whether every report with shadow on equals the one with it off (call durations
aside), the shadow calls made, and shadow spend against its cap. Exits 1 when a report
differs, spend passes the cap, or the ratio exceeds --max-ratio. Skips (exit 0) without the
CUAD data in ../shared/data/cuad-dev.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.config import (
    ExecutionConfig,
    RoutingConfig,
    SegmentConfig,
    Settings,
    ShadowConfig,
    StorageConfig,
)
from pipeline.jobs.shadow import load_records, summarize
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobOptions, JobStore
from pipeline.routing.catalog import load_catalog
from storage.local import LocalStore
from workers.local import LocalExecutor

CUAD = Path(__file__).resolve().parents[2] / "shared" / "data" / "cuad-dev" / "contracts"
PRIMARY = "kimi-k2-thinking"
CANDIDATE = "gpt-5.1-thinking"


@contextmanager
def external_simulator(time_scale: float, drift: float = 0.0) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    argv = [
        sys.executable,
        "-m",
        "pipeline.cli.main",
        "simulate-llm",
        "--port",
        str(port),
        "--time-scale",
        str(time_scale),
    ]
    if drift:
        # The simulator answers every model alike; this share of the candidate's answers quotes a
        # passage that is not in the segment, so that finding is dropped: the candidate then
        # misses categories the primary found, as a weaker model would.
        api_id = load_catalog().get(CANDIDATE).api_model
        argv += ["--fault-rate-for", f"{api_id}={drift}", "--faults", "invented_quote"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url + "/models", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def stable(value: Any) -> Any:
    """A report without what differs between two runs of one document: call durations."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def run(
    url: str, texts: list[tuple[str, str]], *, share: float, cap: float
) -> tuple[list[float], dict[str, str], dict[str, Any]]:
    """Per-job wall times, each contract's stable report JSON, and the shadow figures."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        settings = Settings(
            storage=StorageConfig(dir=root),
            # Segments of at most 2.5K tokens: most contracts make several, so 50% samples within jobs.
            segment=SegmentConfig(threshold_tokens=3000, min_tokens=1000, max_tokens=2500),
            execution=ExecutionConfig(workers=4),
            routing=RoutingConfig(llm_base_url=url, llm_backoff_base_s=0.05),
            shadow=ShadowConfig(
                candidate=CANDIDATE if share else None, share=share, cap_usd=cap, ledger="memory"
            ),
        )
        ctx = StageContext(settings=settings, store=LocalStore(root))
        ex = LocalExecutor(ctx, workers=4)
        walls: list[float] = []
        reports: dict[str, str] = {}
        for name, text in texts:
            job = JobStore(ctx.store, "bench").create(
                text.encode(), name, JobOptions(model=PRIMARY), ext="txt"
            )
            t0 = time.perf_counter()
            record, report = ex.run("bench", job.job_id)
            walls.append(time.perf_counter() - t0)
            if report is None:
                raise SystemExit(f"{name}: job {record.status}: {record.error}")
            reports[name] = json.dumps(stable(report.model_dump(mode="json")), sort_keys=True)
        figures: dict[str, Any] = {}
        if ctx.shadow is not None:
            t0 = time.perf_counter()
            ctx.shadow.drain()
            figures["drain_s"] = time.perf_counter() - t0
            s = summarize(load_records(ctx.store, "bench", CANDIDATE), CANDIDATE)
            c = ctx.shadow.counts
            figures.update(offered=c.offered, sampled=c.sampled, capped=c.capped, dropped=c.dropped, stored=s.sampled,
                           spent=s.usd_total, p50=s.latency_p50_s, p95=s.latency_p95_s,
                           agreement=statistics.mean(a.agreement for a in s.categories if a.agreement is not None),
                           lowest=sorted((a.agreement, a.category) for a in s.categories if a.agreement is not None)[:3])  # fmt: skip
        ex.close()
    return walls, reports, figures


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--contracts", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--share", type=float, default=0.5)
    ap.add_argument("--cap", type=float, default=5.0, help="shadow cap, USD per day")
    ap.add_argument("--time-scale", type=float, default=0.05, help="simulated latencies x this")
    ap.add_argument("--max-ratio", type=float, default=1.10, help="fail above this on/off ratio")
    ap.add_argument("--candidate-drift", type=float, default=0.0,
                    help="share of the candidate's answers that invent one quote (disagreement to measure)")  # fmt: skip
    args = ap.parse_args()
    if not CUAD.is_dir():
        print(f"skipped: {CUAD} is absent")
        return 0
    os.environ.setdefault("OPENAI_API_KEY", "sim")
    os.environ.setdefault("MOONSHOT_API_KEY", "sim")
    texts = [(p.name, p.read_text(encoding="utf-8", errors="replace"))
             for p in sorted(CUAD.glob("*.txt"))[: args.contracts]]  # fmt: skip
    medians: dict[str, list[float]] = {"off": [], "on": []}
    baseline: dict[str, str] | None = None
    ok = True
    with external_simulator(args.time_scale, args.candidate_drift) as url:
        for r in range(args.runs):
            for mode in ("off", "on"):
                share = args.share if mode == "on" else 0.0
                walls, reports, fig = run(url, texts, share=share, cap=args.cap)
                med = statistics.median(walls)
                medians[mode].append(med)
                line = f"run {r} shadow {mode:>3}: median job {med:.3f} s, total {sum(walls):.1f} s"
                if baseline is None:
                    baseline = reports
                same = sum(reports[k] == baseline[k] for k in reports)
                line += f", reports equal to the first run {same}/{len(reports)}"
                ok &= same == len(reports)
                if fig:
                    line += (f"; shadow: {fig['sampled']}/{fig['offered']} segments sampled, {fig['stored']} stored, "
                             f"{fig['capped']} capped, {fig['dropped']} dropped, spend ${fig['spent']:.4f} of "
                             f"${args.cap:.2f} cap, candidate p50/p95 {fig['p50']:.2f}/{fig['p95']:.2f} s, "
                             f"mean agreement {fig['agreement']:.3f} (lowest: "
                             + ", ".join(f"{c} {a:.2f}" for a, c in fig["lowest"])
                             + f"), drained {fig['drain_s']:.2f} s after the last job")  # fmt: skip
                    ok &= fig["spent"] <= args.cap
                print(line, flush=True)
    off, on = statistics.median(medians["off"]), statistics.median(medians["on"])
    ratio = on / off
    print(f"median of {args.runs} runs' median job wall time: off {off:.3f} s, on {on:.3f} s, "
          f"ratio on/off {ratio:.3f} (limit {args.max_ratio})")  # fmt: skip
    ok &= ratio <= args.max_ratio
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
