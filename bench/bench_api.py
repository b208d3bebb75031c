"""200 concurrent pollers on GET /v1/jobs/{id} for 30 s against `longdoc serve` (a separate process).

    python bench/bench_api.py                       # pollers honour Retry-After (how clients poll)
    python bench/bench_api.py --mode closed         # no pause between polls: a stress test
    python bench/bench_api.py --pollers 200 --seconds 30 --jobs 20

The server runs with the local executor on a temporary store; ``--jobs`` jobs are kept running
(the rules model is slowed down) so every poll reads a live job, not a finished one. Prints
latency p50/p95/p99/max, throughput and the error count (targets: p99 <= 50 ms, 0 errors).
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = (
    "SERVICES AGREEMENT\n\nThis Agreement is made on March 3, 2025 between Acme Corp. and Beta LLC.\n\n"
    "1. Governing Law. This Agreement is governed by the laws of the State of New York.\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, key: str, store: Path, jobs: int, seconds: float) -> subprocess.Popen[bytes]:
    env = {**os.environ, "LONGDOC_STORAGE_DIR": str(store), "LONGDOC_EXECUTOR": "local",
           "LONGDOC_API_KEYS": json.dumps({hashlib.sha256(key.encode()).hexdigest(): "bench"}),
           # Keep the jobs running through the whole measurement: every poll reads a live job.
           "LONGDOC_RULES_LATENCY_S": str(seconds + 30), "LONGDOC_API_JOB_WORKERS": str(jobs)}  # fmt: skip
    cmd = [sys.executable, "-m", "pipeline.cli.service", "serve", "--port", str(port), "--no-access-log",
           "--log-level", "warning"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise SystemExit("longdoc serve did not start")
        time.sleep(0.1)


def submit_jobs(base: str, key: str, n: int) -> list[str]:
    ids = []
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}) as c:
        for i in range(n):
            body = (CONTRACT + f"\n{i}. Notices. Party {i} shall be notified.\n").encode()
            r = c.post("/v1/jobs", files={"file": (f"c{i}.txt", body, "text/plain")})
            r.raise_for_status()
            ids.append(r.json()["id"])
        deadline = time.monotonic() + 30
        while any(c.get(f"/v1/jobs/{j}").json()["status"] != "analyzing" for j in ids):
            if time.monotonic() > deadline:
                raise SystemExit("jobs did not reach 'analyzing'")
            time.sleep(0.2)
    return ids


async def poll(
    base: str, key: str, ids: list[str], pollers: int, seconds: float, closed: bool
) -> dict[str, float]:
    latencies: list[float] = []
    errors = 0
    statuses: dict[str, int] = {}
    limits = httpx.Limits(max_connections=pollers, max_keepalive_connections=pollers)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {key}"}, limits=limits,
                                 timeout=10) as client:  # fmt: skip
        stop = time.monotonic() + seconds

        async def poller(i: int) -> None:
            nonlocal errors
            path = f"/v1/jobs/{ids[i % len(ids)]}"
            await asyncio.sleep(i * 1.0 / pollers)  # spread the first wave over a second
            try:
                await client.get(path)  # connect first: steady-state polling is what is measured
            except httpx.HTTPError:
                errors += 1
            while time.monotonic() < stop:
                t0 = time.perf_counter()
                try:
                    r = await client.get(path)
                    latencies.append(time.perf_counter() - t0)
                    statuses[r.json()["status"]] = statuses.get(r.json()["status"], 0) + 1
                    if r.status_code != 200:
                        errors += 1
                    wait = 0.0 if closed else float(r.headers.get("Retry-After", "1"))
                except (httpx.HTTPError, ValueError):
                    errors += 1
                    wait = 0.1
                if wait:
                    await asyncio.sleep(wait)

        t_start = time.monotonic()
        await asyncio.gather(*(poller(i) for i in range(pollers)))
        elapsed = time.monotonic() - t_start
    latencies.sort()

    def pct(p: float) -> float:
        return (
            1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))] if latencies else float("nan")
        )

    print(f"  statuses seen: {statuses}")
    return {"requests": len(latencies), "errors": errors, "rps": len(latencies) / elapsed, "p50_ms": pct(0.50),
            "p95_ms": pct(0.95), "p99_ms": pct(0.99), "max_ms": 1000 * latencies[-1] if latencies else float("nan")}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pollers", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--jobs", type=int, default=20, help="distinct running jobs the pollers share")
    ap.add_argument("--mode", choices=["retry-after", "closed", "both"], default="both")
    args = ap.parse_args()
    key = "bench-" + secrets.token_hex(8)
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="longdoc-bench-api-") as tmp:
        modes = ["retry-after", "closed"] if args.mode == "both" else [args.mode]
        proc = start_server(port, key, Path(tmp), args.jobs, args.seconds * len(modes))
        try:
            base = f"http://127.0.0.1:{port}"
            ids = submit_jobs(base, key, args.jobs)
            print(f"longdoc serve (pid {proc.pid}, local executor), {args.jobs} running jobs, "
                  f"{args.pollers} pollers x {args.seconds:g} s, {os.cpu_count()} CPUs shared with the client")  # fmt: skip
            failed = False
            for mode in modes:
                print(f"mode {mode}:")
                r = asyncio.run(poll(base, key, ids, args.pollers, args.seconds, mode == "closed"))
                print(
                    f"  requests {r['requests']:.0f}  throughput {r['rps']:.0f}/s  errors {r['errors']:.0f}"
                )
                print(f"  latency p50 {r['p50_ms']:.1f} ms  p95 {r['p95_ms']:.1f} ms  p99 {r['p99_ms']:.1f} ms  "
                      f"max {r['max_ms']:.1f} ms   (target p99 <= 50 ms, 0 errors)")  # fmt: skip
                failed |= r["errors"] > 0 or (mode == "retry-after" and r["p99_ms"] > 50)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
