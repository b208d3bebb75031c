"""Real services for the Celery tests: a Redis server and Celery worker subprocesses.

Each test session starts its own ``redis-server`` from PATH on a free port in a temporary
directory (the fixtures are in ``tests/conftest.py``); without the binary those tests skip
with the install hint. Tests use a dedicated database (13) of that server.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Generator, Mapping
from pathlib import Path
from unittest.mock import patch

import pytest
import redis

from pipeline.config import Settings

ROOT = Path(__file__).resolve().parents[1]
TEST_DB = 13
INSTALL_HINT = (
    "these tests start their own redis-server: put it on PATH (Debian/Ubuntu: apt-get install redis-server)"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ping(url: str, timeout: float = 1.0) -> bool:
    try:
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        ok = bool(client.ping())
        client.close()
        return ok
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, ValueError):
        return False


class RedisServer:
    """A redis-server we own (so a test may kill and restart it at the same port)."""

    def __init__(self, workdir: Path, *, port: int | None = None, appendonly: bool = False) -> None:
        self.workdir = workdir
        self.port = port or free_port()
        self.appendonly = appendonly
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self, timeout_s: float = 10.0) -> RedisServer:
        self.workdir.mkdir(parents=True, exist_ok=True)
        cmd = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.workdir),
               "--save", "", "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", "everysec",
               "--maxmemory-policy", "noeviction", "--daemonize", "no"]  # fmt: skip
        with (self.workdir / "redis.log").open("ab") as log:  # the server writes through its own copy
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while not ping(self.base_url, 0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"redis-server did not start on port {self.port}; see {self.workdir}/redis.log"
                )
            time.sleep(0.05)
        return self

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        self.kill(signal.SIGTERM)


class RedisProxy:
    """A TCP relay in front of a real Redis, to hit an exact moment of its wire protocol.

    After ``on_command(pattern, action)``, the first client command containing ``pattern`` is
    held back, ``action()`` runs (say, SIGKILL the server) and that client's connection is
    closed without it: a fault at a chosen point of a real exchange, not a fake Redis.
    Connections made while the server is down are closed at once, as a refused connect is.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.fired = threading.Event()
        self._pattern: bytes | None = None
        self._action: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def base_url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def on_command(self, pattern: bytes, action: Callable[[], None]) -> None:
        with self._lock:
            self._pattern, self._action = pattern, action
            self.fired.clear()

    def close(self) -> None:
        self._closed = True
        self.listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=2)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            threading.Thread(target=self._pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client, False), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, from_client: bool) -> None:
        tail = b""  # the end of the previous chunk: a pattern split across two reads still matches
        try:
            while data := src.recv(65536):
                if from_client and self._pattern is not None and self._pattern in tail + data:
                    with self._lock:
                        action, self._pattern, self._action = self._action, None, None
                    if action is not None:
                        action()
                        self.fired.set()
                        return  # the command is never forwarded
                if from_client and self._pattern is not None:
                    tail = data[-len(self._pattern) :]
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()


def redis_server_url(tmp: Path) -> Generator[str, None, None]:
    """Base URL (no database) of a redis-server this test session starts on a free port.

    Never the machine's Redis (6379 or LONGDOC_REDIS_URL): tests flush their database, and
    parallel runs must not collide.
    """
    try:
        server = RedisServer(tmp).start()
    except FileNotFoundError:
        pytest.skip(INSTALL_HINT)
    try:
        yield server.base_url
    finally:
        server.stop()


def flush(url: str) -> None:
    client = redis.Redis.from_url(url)
    client.flushdb()
    client.close()


def address_space_limit(mem_limit_mb: int | None) -> Callable[[], None] | None:
    """A preexec_fn capping a child's address space (None: no limit), so a runaway input ends
    in that child (MemoryError or an abort) instead of eating the machine."""
    if mem_limit_mb is None:
        return None
    limit = mem_limit_mb * 1024 * 1024

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


class CeleryWorker:
    """``celery -A workers.celery_worker worker`` as a subprocess, prefork, all three queues."""

    def __init__(
        self,
        env: dict[str, str],
        log_path: Path,
        *,
        concurrency: int = 2,
        mem_limit_mb: int | None = None,
        queues: str = "ingest,analyze,consolidate",
    ) -> None:
        base = {k: v for k, v in os.environ.items() if not k.startswith("LONGDOC_")}
        self.env = {**base, **env, "PYTHONPATH": str(ROOT)}
        self.log_path = log_path
        self.concurrency = concurrency
        self.queues = queues
        self.mem_limit_mb = mem_limit_mb  # RLIMIT_AS of the worker (its pool children inherit it)
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60.0) -> CeleryWorker:
        name = f"test-{uuid.uuid4().hex[:8]}@%h"
        cmd = [sys.executable, "-m", "celery", "-A", "workers.celery_worker", "worker", "--pool=prefork",
               f"--concurrency={self.concurrency}", "-Ofair", "-Q", self.queues,
               "--without-mingle", "--without-gossip", "--loglevel=INFO", "-n", name]  # fmt: skip
        with self.log_path.open("ab") as log:  # the worker writes through its own copy
            self.proc = subprocess.Popen(cmd, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                         start_new_session=True, preexec_fn=address_space_limit(self.mem_limit_mb))  # fmt: skip
        deadline = time.monotonic() + timeout_s
        while b" ready." not in self.log_path.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"celery worker did not start; log:\n{self.log()[-4000:]}")
            time.sleep(0.1)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def children(self) -> list[int]:
        import psutil

        assert self.proc is not None
        return [c.pid for c in psutil.Process(self.proc.pid).children()]

    def stop(self) -> None:
        if self.proc is None:
            return
        # SIGKILL to the whole group: a test never needs the worker's own shutdown (a cold
        # SIGQUIT stop takes ~2 s), and what a task left behind is its module's to flush.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.proc = None

    def __enter__(self) -> CeleryWorker:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def worker_env(redis_url: str, storage_dir: Path, **settings: object) -> dict[str, str]:
    """LONGDOC_* environment for a worker (and, through ``settings_from_env``, for the test
    process): each keyword is the variable's name without ``LONGDOC_``, e.g. ``segment_max_tokens``."""
    env = {"LONGDOC_REDIS_URL": redis_url, "LONGDOC_STORAGE_DIR": str(storage_dir)}
    env.update({f"LONGDOC_{k.upper()}": str(v) for k, v in settings.items()})
    return env


def settings_from_env(env: Mapping[str, str]) -> Settings:
    """The Settings a process with exactly these LONGDOC_* variables builds (as ``CeleryWorker``
    starts one): the test process and its worker read the same values. Call it before threads
    that read the environment start: os.environ is swapped for the call."""
    with patch.dict(os.environ):
        for name in [k for k in os.environ if k.startswith("LONGDOC_")]:
            del os.environ[name]
        os.environ.update(env)
        return Settings()
