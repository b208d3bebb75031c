"""Benchmark the Celery executor against a real Redis and real prefork workers.

  (a) fan-out: an 8-segment document, 5 s simulated model latency per segment, one worker
      with 8 processes. Target: wall time ≤ 1.15 × ideal, where ideal = ingest+plan time +
      5 s + consolidate time (the stages timed in this process, no queues, no latency).
  (b) overhead: a 1-segment document, no latency, 20 runs. Target: submit-to-succeeded
      p50 ≤ 300 ms (p95 printed).

Redis: LONGDOC_REDIS_URL or 127.0.0.1:6379 (database 14, flushed), else redis-server from
PATH on a free port. Prints the figures; exits 1 if a target is missed.

    python bench/bench_celery.py [--runs 20] [--latency 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pipeline.config import Settings  # noqa: E402
from pipeline.jobs.stages import StageContext, run_consolidate, run_ingest, run_plan, run_segment  # noqa: E402
from pipeline.jobs.store import JobStore  # noqa: E402
from storage.local import LocalStore  # noqa: E402
from tests.planted import planted_contract  # noqa: E402
from tests.redis_util import CeleryWorker, flush, redis_server_url, settings_from_env, worker_env  # noqa: E402
from workers.celery_executor import CeleryExecutor  # noqa: E402

SMALL = {"segment_threshold_tokens": 1500, "segment_min_tokens": 400, "segment_max_tokens": 800}
MAX_FANOUT_RATIO = 1.15
MAX_P50_MS = 300.0
BENCH_DB = 14
TENANT = "bench"


def no_latency(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"execution": settings.execution.model_copy(update={"rules_latency_s": 0.0})}
    )


def ideal_seconds(text: bytes, settings: Settings, latency_s: float, tmp: Path) -> tuple[float, float, int]:
    """(ingest+plan, consolidate) seconds of the bare stages in this process; segments."""
    ctx = StageContext(settings=no_latency(settings), store=LocalStore(tmp))
    best_ip, best_c, n = float("inf"), float("inf"), 0
    for _ in range(3):
        job = JobStore(ctx.store, TENANT).create(text, "fanout.txt", ext="txt")
        t0 = time.perf_counter()
        doc = run_ingest(ctx, TENANT, job.job_id)
        plan = run_plan(ctx, TENANT, job.job_id, doc=doc)
        t1 = time.perf_counter()
        analyses = [
            run_segment(ctx, TENANT, job.job_id, i, doc=doc, plan=plan) for i in range(len(plan.segments))
        ]
        t2 = time.perf_counter()
        run_consolidate(ctx, TENANT, job.job_id, doc=doc, plan=plan, analyses=analyses)
        t3 = time.perf_counter()
        best_ip, best_c, n = min(best_ip, t1 - t0), min(best_c, t3 - t2), len(plan.segments)
    return best_ip, best_c, n


def run_jobs(settings: Settings, store: LocalStore, text: bytes, runs: int) -> list[float]:
    executor = CeleryExecutor(settings, store)
    js = JobStore(store, TENANT)
    times: list[float] = []
    try:
        for _ in range(runs):
            job = js.create(text, "doc.txt", ext="txt")
            t0 = time.perf_counter()
            record, _report = executor.run(TENANT, job.job_id)
            times.append(time.perf_counter() - t0)
            if record.status != "succeeded":
                raise SystemExit(f"job {job.job_id} ended {record.status}: {record.error}")
    finally:
        executor.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--latency", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    ok = True
    with tempfile.TemporaryDirectory(prefix="bench-celery-") as tmp_name:
        tmp = Path(tmp_name)
        servers = redis_server_url(tmp / "redis")
        base = next(servers)
        url = f"{base}/{BENCH_DB}"
        flush(url)
        try:
            # (a) fan-out with simulated latency.
            knobs = {**SMALL, "rules_latency_s": args.latency}
            settings = settings_from_env(worker_env(url, tmp / "store", executor_poll_s=0.1, **knobs))
            store = LocalStore(settings.storage.dir)
            text = (planted_contract() * 2).encode()
            ingest_plan_s, consolidate_s, segments = ideal_seconds(
                text, settings, args.latency, tmp / "ideal"
            )
            ideal = ingest_plan_s + args.latency + consolidate_s
            env = worker_env(url, settings.storage.dir, **knobs)
            with CeleryWorker(env, tmp / "worker-a.log", concurrency=args.concurrency):
                run_jobs(
                    no_latency(settings),
                    store,
                    planted_contract().encode(),
                    1,
                )
                walls = run_jobs(settings, store, text, 3)
            wall = statistics.median(walls)
            ratio = wall / ideal
            ok &= ratio <= MAX_FANOUT_RATIO
            print(f"(a) {segments} segments x {args.latency:.1f} s on {args.concurrency} processes: "
                  f"wall {wall:.2f} s (runs {', '.join(f'{w:.2f}' for w in walls)}), ideal {ideal:.2f} s "
                  f"(ingest+plan {ingest_plan_s * 1000:.0f} ms, consolidate {consolidate_s * 1000:.0f} ms), "
                  f"ratio {ratio:.3f} (target <= {MAX_FANOUT_RATIO})")  # fmt: skip

            # (b) per-job overhead, no latency.
            knobs = {**SMALL, "rules_latency_s": 0.0}
            settings = settings_from_env(worker_env(url, tmp / "store", executor_poll_s=0.1, **knobs))
            one = planted_contract().encode()[:3000]
            with CeleryWorker(worker_env(url, settings.storage.dir, **knobs), tmp / "worker-b.log",
                              concurrency=args.concurrency):  # fmt: skip
                run_jobs(settings, store, one, 3)  # warm every path once
                times = sorted(run_jobs(settings, store, one, args.runs))
            p50 = statistics.median(times) * 1000
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] * 1000
            ok &= p50 <= MAX_P50_MS
            print(f"(b) 1 segment, no latency, {args.runs} runs: submit-to-succeeded p50 {p50:.0f} ms, "
                  f"p95 {p95:.0f} ms, min {times[0] * 1000:.0f} ms (target p50 <= {MAX_P50_MS:.0f} ms)")  # fmt: skip
        finally:
            flush(url)
            servers.close()
    print("OK" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
