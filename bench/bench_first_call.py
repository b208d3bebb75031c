"""Time to first model request: ``longdoc analyze`` on a ~400K-token document, process start →
the simulator's first chat completion arriving, median of N runs, beside a baseline commit
measured in the same run (same machine load, same simulator).

    python bench/bench_first_call.py                 # 5 runs each, baseline 4b8b0b3
    python bench/bench_first_call.py --runs 3 --baseline HEAD~3

The baseline tree is ``git archive``d into a temp dir and run with ``PYTHONPATH`` (and cwd)
pointing at it, so both commands use the same venv. Each run gets a fresh storage folder
(the LLM cache would otherwise answer the second run without a request) and a fresh simulator. The command is killed
once its first request has arrived (the rest of the run is not what this bench measures).
Both trees are byte-compiled first, as an installed package is.
Target: current median ≤ 0.8 s; exits 1 when missed. The CPU seconds the command used until then
(read from /proc just before the simulator is asked) are printed beside: on a shared machine
they compare the two trees where wall time mostly measures the neighbours.

Measured 2026-12-07 on 2 CPUs against main 4b8b0b3 (issue 14 item 10, second round), two runs
in a row, load 1.1: 1.339 s (CPU 1.51 s) against 1.730 s (2.02 s), then 1.184 s (1.38 s)
against 1.527 s (1.77 s) (this VM's speed varied by ~1.5x within minutes: compare within a
run). The target is missed: nearly everything left holds the GIL and the request needs it: the
openai SDK's import (~0.38 s of CPU), the o200k ranks and tiktoken's BPE build (~0.2 s), numpy,
pydantic and pydantic-settings, then the document's ingest, sections, preamble and routing
(~0.2 s); tiktoken's encode is the one step on the other core. ``bench_first_call_floor.py``
measures how low a first request can go here at all.
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
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "pipeline" / "examples" / "master-services-agreement.txt"
MODEL = "kimi-k2-thinking"
TARGET_S = 0.8
PACKAGES = ("pipeline", "chunking", "storage", "workers")


def document(tokens_target: int) -> str:
    """Copies of the bundled example (≈188K tokens each), cut at a paragraph: bench_llm's document."""
    from bench_llm import document as llm_bench_document  # bench/ is on sys.path when run as a script

    return llm_bench_document(tokens_target, 0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def sim(base: str, path: str, method: str = "GET") -> dict[str, object]:
    req = urllib.request.Request(base + path, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]


def start_simulator(port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli.main", "simulate-llm", "--port", str(port), "--latency", "0.2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            sim(f"http://127.0.0.1:{port}", "/_sim/stats")
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the simulator did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used (Linux /proc), children not included."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def first_call(tree: Path, doc: Path, work: Path) -> tuple[float, float]:
    """Seconds from spawning ``longdoc analyze`` in ``tree`` to the simulator's first request.

    A fresh simulator per run: one still composing answers for the previous (killed) run's
    requests holds its event loop, and the next arrival would be stamped late."""
    port = free_port()
    simulator = start_simulator(port)
    try:
        return _first_call(tree, doc, f"http://127.0.0.1:{port}", work)
    finally:
        simulator.kill()
        simulator.wait()


def _first_call(tree: Path, doc: Path, sim_base: str, work: Path) -> tuple[float, float]:
    store = Path(tempfile.mkdtemp(dir=work))
    env = {**RUN_ENV, "PYTHONPATH": str(tree), "LONGDOC_LLM_BASE_URL": sim_base + "/v1",
           "LONGDOC_STORAGE_DIR": str(store), "MOONSHOT_API_KEY": "sk-bench", "OPENAI_API_KEY": "sk-bench"}  # fmt: skip
    argv = [sys.executable, "-m", "pipeline.cli.main", "analyze", str(doc), "--model", MODEL,
            "--out", str(store / "out"), "--json"]  # fmt: skip
    t0 = time.time()
    proc = subprocess.Popen(argv, cwd=tree, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    at, cpu = await_first_request(proc, sim_base, f"analyze in {tree}")
    return at - t0, cpu


def await_first_request(
    proc: subprocess.Popen[bytes], sim_base: str, what: str, timeout_s: float = 120
) -> tuple[float, float]:
    """When the simulator's first request arrived (epoch seconds), and the CPU ``proc`` had used by
    then; ``proc`` is killed once it is known (the rest of its run is not what is measured)."""
    try:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            cpu = cpu_seconds(proc.pid)  # read first: an upper bound of the CPU before the request
            at = sim(sim_base, "/_sim/stats").get("first_request_at")
            if isinstance(at, float):
                return at, cpu
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise SystemExit(f"{what} ended before any request: {err[-2000:]}")
            time.sleep(0.02)
        raise SystemExit(f"no request from {what} within {timeout_s:g} s")
    finally:
        proc.kill()
        proc.wait()


# An installed longdoc runs from compiled bytecode (pip compiles it at install time), so both
# trees are compiled once up front and the runs may read it; a PYTHONDONTWRITEBYTECODE set
# in the caller's shell would otherwise make every run compile every module from source.
RUN_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def compile_tree(tree: Path) -> None:
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", *(str(tree / d) for d in PACKAGES)],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def archive(commit: str, dest: Path) -> Path:
    dest.mkdir(parents=True)
    tar = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=tar, check=True)
    return dest


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--baseline", default="4b8b0b3", help="commit to compare with ('' to skip)")
    ap.add_argument("--tokens", type=int, default=400_000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-first-call-") as tmp:
        work = Path(tmp)
        doc = work / "contract-400k.txt"
        doc.write_text(document(args.tokens), encoding="utf-8")
        trees = {"current": ROOT}
        if args.baseline:
            trees[f"baseline {args.baseline}"] = archive(args.baseline, work / "baseline")
        for tree in trees.values():
            compile_tree(tree)
        times: dict[str, list[float]] = {name: [] for name in trees}
        cpus: dict[str, list[float]] = {name: [] for name in trees}
        for _ in range(args.runs):  # interleaved: both see the same machine load
            for name, tree in trees.items():
                wall, cpu = first_call(tree, doc, work)
                times[name].append(wall)
                cpus[name].append(cpu)
    print(f"time to first model request, longdoc analyze --model {MODEL}, {args.tokens:,}-token document")
    print(
        f"(machine load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: wall time is shared)"
    )
    for name, ts in times.items():
        print(
            f"  {name:<20} median {statistics.median(ts):.3f} s   runs {' '.join(f'{t:.3f}' for t in ts)}"
            f"   CPU before it: median {statistics.median(cpus[name]):.3f} s"
        )
    cur = statistics.median(times["current"])
    ok = cur <= TARGET_S
    print(f"target ≤ {TARGET_S} s: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
