"""Real processes for the hostile suite: `longdoc serve` and the CLI, optionally under a memory limit.

Children run with ``RLIMIT_AS`` set (``mem_limit_mb``), so a regression that lets a file grow
without bound ends in that child (MemoryError or an abort) instead of eating the machine, and
the test sees it. Peak RSS of a CLI run is the child's own VmHWM, written by a small wrapper at exit.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx

from tests.redis_util import ROOT, address_space_limit
from tests.serve_process import ServeProcess
from tests.waiting import wait_for

KEY = "key-hostile-0123456789"
EXAMPLE = ROOT / "pipeline" / "examples" / "master-services-agreement.txt"
TENANT = "acme"
TERMINAL = {"succeeded", "failed", "canceled"}


def base_env(storage_dir: Path, **settings: object) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LONGDOC_")}
    env.update({"PYTHONPATH": str(ROOT), "LONGDOC_STORAGE_DIR": str(storage_dir),
                "LONGDOC_API_KEYS": json.dumps({hashlib.sha256(KEY.encode()).hexdigest(): TENANT}),
                "LONGDOC_API_STATUS_CACHE_S": "0"})  # fmt: skip
    env.update({f"LONGDOC_{k.upper()}": str(v) for k, v in settings.items()})
    return env


# `longdoc ARGS` in this process, then its own peak RSS (VmHWM, kB) written to argv[1] at exit.
_PEAK_WRAPPER = """
import atexit, runpy, sys
out = sys.argv[1]
sys.argv = ["longdoc", *sys.argv[2:]]

def peak() -> None:
    with open("/proc/self/status") as f:
        kb = next(line.split()[1] for line in f if line.startswith("VmHWM:"))
    with open(out, "w") as f:
        f.write(kb)

atexit.register(peak)
runpy.run_module("pipeline.cli.main", run_name="__main__")
"""


@dataclass
class CliRun:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float


def run_cli(args: list[str], env: dict[str, str], *, mem_limit_mb: int | None = None,
            timeout_s: float = 120.0, cwd: Path = ROOT) -> CliRun:  # fmt: skip
    """``python -m pipeline.cli.main ARGS`` in a child; its exit code, output, time and peak RSS.

    Peak RSS is the child's own ``VmHWM``, written by a small wrapper at exit: ``ru_maxrss``
    (from ``wait4`` or ``getrusage``) would include this test process's own peak, which Linux
    carries into a forked child across exec.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, \
            tempfile.NamedTemporaryFile(suffix=".hwm") as hwm:  # fmt: skip
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-c", _PEAK_WRAPPER, hwm.name, *args], env=env, cwd=cwd,
                                stdout=out, stderr=err, preexec_fn=address_space_limit(mem_limit_mb))  # fmt: skip
        try:
            proc.wait(timeout=timeout_s)  # the wrapper reports the peak itself: a plain wait will do
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise AssertionError(f"longdoc {' '.join(args)} still running after {timeout_s} s") from None
        seconds = time.monotonic() - start
        out.seek(0)
        err.seek(0)
        peak_kb = int(Path(hwm.name).read_text() or "0")
        return CliRun(proc.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"),
                      seconds, peak_kb / 1024)  # fmt: skip


class LiveServer(ServeProcess):
    """``longdoc serve`` on a free port with its own storage folder, under an optional
    address-space cap, and the API as a caller uses it."""

    def __init__(self, env: dict[str, str], log_path: Path, *, mem_limit_mb: int | None = None) -> None:
        super().__init__(env, log_path, preexec_fn=address_space_limit(mem_limit_mb))

    def start(self, timeout_s: float = 60.0) -> LiveServer:  # type: ignore[override]
        super().start()
        self.wait_ready(timeout_s)
        return self

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    # --- the API, as a caller uses it ---
    def submit(self, name: str, data: bytes, **fields: str) -> str:
        r = httpx.post(f"{self.url}/v1/jobs", files={"file": (name, data, "application/octet-stream")},
                       data=fields, headers=auth(), timeout=120)  # fmt: skip
        assert r.status_code in (200, 201, 202), r.text
        return str(r.json()["id"])

    def job(self, job_id: str) -> dict[str, Any]:
        r = httpx.get(f"{self.url}/v1/jobs/{job_id}", headers=auth(), timeout=30)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    def cancel(self, job_id: str) -> httpx.Response:
        return httpx.post(f"{self.url}/v1/jobs/{job_id}/cancel", headers=auth(), timeout=30)

    def wait(self, job_id: str, until: Callable[[dict[str, Any]], bool], timeout_s: float) -> dict[str, Any]:
        def reached() -> dict[str, Any] | None:
            assert self.alive(), f"server died:\n{self.log()[-3000:]}"
            body = self.job(job_id)
            return body if until(body) else None

        return wait_for(reached, timeout_s, f"job {job_id}")

    def wait_terminal(self, job_id: str, timeout_s: float = 60.0) -> dict[str, Any]:
        return self.wait(job_id, lambda b: b["status"] in TERMINAL, timeout_s)


def auth() -> dict[str, str]:
    return {"Authorization": f"Bearer {KEY}"}


def job_record(storage_dir: Path, job_id: str) -> dict[str, Any]:
    """job.json as stored (what a restarted server reads)."""
    matches = list(storage_dir.rglob(f"{job_id}/job.json"))
    assert len(matches) == 1, matches
    body: dict[str, Any] = json.loads(matches[0].read_text())
    return body


def small_contract() -> bytes:
    """The first 40,000 bytes of the bundled example: a real contract that analyzes in a moment."""
    return EXAMPLE.read_bytes()[:40_000]
