"""Routed LLM jobs against the simulator (real openai SDK over HTTP).

    python bench/bench_llm.py            # all three parts
    python bench/bench_llm.py --jobs 5   # fewer fault-injected jobs

1. Faults: N jobs of ~400K tokens with 20% faults of every kind: every job succeeds, every
   segment has an analysis (LLM or degraded), no over-long request, every quote verbatim, and
   each report's cost equals the simulator's billed usage x catalog prices to the cent.
2. Estimate: `longdoc estimate`'s figure for the routed model vs the run's actual cost.
3. Parallelism: a 600K-token document, 8 segment slots, 3 s simulated latency: wall time vs
   ingest+plan + slowest segment + synthesis, the two calls as timed by the audit log
   (target ratio <= 1.15).
Exits 1 when a target fails.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from pipeline.cli.llm import estimate_document
from pipeline.config import ExecutionConfig, RoutingConfig, Settings, StorageConfig
from pipeline.jobs.routes import policy_for
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobOptions, JobRecord, JobStore
from pipeline.report.model import Report
from pipeline.routing.catalog import load_catalog
from pipeline.simulate.server import SimulatorConfig, running_simulator
from storage.local import LocalStore
from workers.local import LocalExecutor

EXAMPLE = Path(__file__).resolve().parents[1] / "pipeline" / "examples" / "master-services-agreement.txt"


def sim(url: str, path: str, method: str = "GET") -> dict[str, object]:
    req = urllib.request.Request(url.removesuffix("/v1") + path, method=method)
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]


def billed_usd(stats: dict[str, object]) -> float:
    by_api = {m.api_model: m for m in load_catalog().models}
    usage = stats["usage_by_model"]
    assert isinstance(usage, dict)
    return sum(by_api[k].cost_usd(v["prompt_tokens"], v["completion_tokens"]) for k, v in usage.items())


def document(tokens_target: int, variant: int) -> str:
    base = EXAMPLE.read_text(encoding="utf-8")
    parts, total = [], 0
    while total < tokens_target:
        parts.append(base.replace("Provider shall", f"Provider (v{variant}.{len(parts)}) shall"))
        total += 188_000
    text = "\n\f\n".join(parts)
    # Cut the last copy at a paragraph so the document is about the target size.
    cut = text.find("\n\n", int(len(text) * tokens_target / total))
    return text if cut < 0 else text[: cut + 1]


def runner(root: Path, url: str, workers: int, **routing: float) -> tuple[StageContext, LocalExecutor]:
    settings = Settings(
        storage=StorageConfig(dir=root),
        execution=ExecutionConfig(workers=workers),
        routing=RoutingConfig(llm_base_url=url, llm_backoff_base_s=0.05, **routing),  # type: ignore[arg-type]
    )
    ctx = StageContext(settings=settings, store=LocalStore(root))
    return ctx, LocalExecutor(ctx, workers=workers)


def run_job(ctx: StageContext, ex: LocalExecutor, text: str) -> tuple[Report | None, str, float]:
    report, record, wall = run_job_record(ctx, ex, text)
    return report, record.status, wall


def run_job_record(ctx: StageContext, ex: LocalExecutor, text: str) -> tuple[Report | None, JobRecord, float]:
    job = JobStore(ctx.store, "bench").create(text.encode(), "doc.txt", JobOptions(model="auto"), ext="txt")
    t0 = time.perf_counter()
    record, report = ex.run("bench", job.job_id)
    return report, record, time.perf_counter() - t0


def part_faults(n: int) -> bool:
    ok = True
    config = SimulatorConfig(time_scale=0.002, fault_rate=0.2, hang_s=8.0, seed=11)
    with running_simulator(config) as url, tempfile.TemporaryDirectory() as tmp:
        # A hang outlasts the client's timeout; an honest slow answer never does.
        ctx, ex = runner(Path(tmp), url, 8, llm_timeout_s=6.0)
        worst_cents = 0.0
        for i in range(n):
            text = document(400_000, i)
            sim(url, "/_sim/reset", "POST")
            report, status, secs = run_job(ctx, ex, text)
            stats = sim(url, "/_sim/stats")
            if report is None:
                print(f"job {i}: {status} (FAIL)")
                ok = False
                continue
            segs = len(report.segments)
            analysed = sum(s.status in ("ok", "degraded") for s in report.segments)
            bad_quotes = sum(text[f.start : f.end] != f.quote for f in [*report.findings, *report.key_terms])
            diff = abs(report.summary.cost_usd - billed_usd(stats))
            worst_cents = max(worst_cents, diff * 100)
            faults = stats["faults_by_kind"]
            print(f"job {i}: {status} tokens={report.document.tokens:,} segments={segs} analysed={analysed} "
                  f"degraded={sum(s.status == 'degraded' for s in report.segments)} over_long={stats['over_long']} "
                  f"bad_quotes={bad_quotes} cost={report.summary.cost_usd:.4f} billed={billed_usd(stats):.4f} "
                  f"faults={faults} {secs:.1f}s")  # fmt: skip
            ok &= (
                status == "succeeded"
                and analysed == segs
                and stats["over_long"] == 0
                and bad_quotes == 0
                and diff < 0.005
            )
        ex.close()
    print(f"faults: {n} jobs, worst cost difference {worst_cents:.3f} cents -> {'PASS' if ok else 'FAIL'}")
    return ok


def part_estimate() -> bool:
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url, tempfile.TemporaryDirectory() as tmp:
        ctx, ex = runner(Path(tmp), url, 8)
        text = document(400_000, 999)
        report, status, _ = run_job(ctx, ex, text)
        ex.close()
    assert report is not None, status
    model = report.routes[0].model
    est = next(r for r in estimate_document([s.tokens for s in report.segments], ctx.settings,
                                            policy_for(JobOptions(model="auto"), ctx.settings)) if r["model"] == model)  # fmt: skip
    actual = report.summary.cost_usd
    err = abs(est["usd"] - actual) / actual
    print(
        f"estimate: model={model} estimated=${est['usd']:.4f} actual=${actual:.4f} error={err:.1%} (target <= 15%)"
    )
    return err <= 0.15


@contextmanager
def external_simulator(extra: list[str]) -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli.main", "simulate-llm", "--port", str(port), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/models", timeout=1).read()
                break
            except OSError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


def part_parallel(runs: int) -> bool:
    ratios = []
    # The simulator runs in its own process, as a provider would: in a thread of this process
    # it would take the GIL from the pipeline it is supposed to be remote from.
    with external_simulator(["--latency", "3"]) as url:
        for r in range(runs):
            with tempfile.TemporaryDirectory() as tmp:
                ctx, ex = runner(Path(tmp), url, 8)
                text = document(600_000, 500 + r)
                report, record, wall = run_job_record(ctx, ex, text)
                ex.close()
                assert report is not None, record.status
                at = {t.status: datetime.fromisoformat(t.at) for t in record.transitions}
                ingest = (at["analyzing"] - at["ingesting"]).total_seconds()  # extract + plan + route
                # Ideal: ingest, then the slowest segment, then the synthesis call, as the audit log
                # timed them (3 s simulated latency plus the simulator composing its answer);
                # everything else (scheduling, verification, consolidation) counts against us.
                per_segment: dict[object, float] = {}
                for key in ctx.store.list(f"bench/jobs/{record.job_id}/audit/llm-"):
                    rec = json.loads(ctx.store.get(key))
                    per_segment[rec["segment"]] = per_segment.get(rec["segment"], 0.0) + float(
                        rec.get("seconds") or 0
                    )
                synthesis = per_segment.pop(None, 0.0)
                slowest = max(per_segment.values())
                ideal = ingest + slowest + synthesis
                ratios.append(wall / ideal)
                print(
                    f"parallel run {r}: segments={len(report.segments)} wall={wall:.2f}s ideal={ideal:.2f}s ratio={wall / ideal:.3f}"
                )
    ratios.sort()
    med = ratios[len(ratios) // 2]
    print(f"parallel: median ratio {med:.3f} over {runs} runs (target <= 1.15)")
    return med <= 1.15


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("OPENAI_API_KEY", "sim")
    os.environ.setdefault("MOONSHOT_API_KEY", "sim")
    results = [part_faults(args.jobs), part_estimate(), part_parallel(args.runs)]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
