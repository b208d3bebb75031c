"""A real `longdoc serve` process on a free port, for the tests that need one (not a fixture module).

Subclasses add what their tests observe (webhook scans, spooled files, the API as a client).
"""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx2 as httpx

from tests.redis_util import ROOT, free_port
from tests.waiting import wait_for

SERVICE = ["-m", "pipeline.cli.service"]


class ServeProcess:
    """``python RUNNER serve --port P`` (RUNNER: ``-m pipeline.cli.service`` unless given)."""

    def __init__(self, env: dict[str, str], log_path: Path, *, runner: list[str] | None = None,
                 preexec_fn: Callable[[], None] | None = None) -> None:  # fmt: skip
        self.env = env
        self.log_path = log_path
        self.runner = runner or SERVICE
        self.preexec_fn = preexec_fn
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        cmd = [sys.executable, *self.runner, "serve", "--port", str(self.port), "--no-access-log",
               "--log-level", "warning"]  # fmt: skip
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                         preexec_fn=self.preexec_fn)  # fmt: skip

    def wait_ready(self, timeout_s: float = 60.0) -> None:
        if self.proc is None:
            self.start()

        def healthy() -> bool:
            if not self.alive():
                raise RuntimeError(f"longdoc serve exited:\n{self.log()[-3000:]}")
            try:
                return httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        try:
            wait_for(healthy, timeout_s, "longdoc serve to start")
        except (AssertionError, RuntimeError):
            log = self.log()
            self.stop()
            raise RuntimeError(f"longdoc serve did not start:\n{log[-3000:]}") from None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
