"""Two `longdoc serve` processes on one storage and one Redis: one job per Idempotency-Key, one
delivery per webhook.

Real processes (not threads: in-process locks would hide the bug) and the real Redis at
the test session's own redis-server (tests/conftest.py), database 12; only this suite's ``longdoc:api:`` keys
are deleted, before and after each test.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx2 as httpx
import psutil
import pytest
import redis

from pipeline.api.locks import PREFIX, RedisLocks
from pipeline.api.runner import LocalRunner
from pipeline.api.service import JobService
from pipeline.api.uploads import inspect_file
from pipeline.api.webhooks import verify
from pipeline.config import ApiConfig, RedisConfig, Settings, StorageConfig
from pipeline.jobs.store import JobOptions, JobStore
from storage import open_store
from tests.api_helpers import KEYS, SECRETS, TERMINAL, Receiver, auth, contract, serving, wait_for
from tests.redis_util import ROOT
from tests.serve_probe import scans
from tests.serve_process import ServeProcess

DB = 12
pytestmark = pytest.mark.slow


def _clean(url: str) -> None:
    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=PREFIX + "*"):
        client.delete(key)
    client.close()


@pytest.fixture
def redis_url(redis_base: str) -> Iterator[str]:  # noqa: F811
    url = f"{redis_base}/{DB}"
    _clean(url)
    yield url
    _clean(url)


class Server(ServeProcess):
    """``longdoc serve`` on a free port, through ``tests.serve_probe`` (which logs every webhook
    scan, see there)."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        super().__init__(env, log_path, runner=["-m", "tests.serve_probe"])
        self.start()

    def log_size(self) -> int:
        return self.log_path.stat().st_size

    def watches_none_of(self, job_ids: list[str], since: int) -> bool:
        """A webhook scan logged after byte ``since`` of the log left every one of ``job_ids`` out."""
        names = {f"acme/{j}" for j in job_ids}
        return any(not watched & names for watched in scans(self.log_path.read_bytes()[since:]))


@pytest.fixture
def servers(tmp_path: Path, redis_url: str) -> Iterator[tuple[Server, Server]]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LONGDOC_")}
    env = {**base, "PYTHONPATH": str(ROOT), "LONGDOC_STORAGE_DIR": str(tmp_path / "store"),
           "LONGDOC_EXECUTOR": "local", "LONGDOC_API_COORDINATION": "redis", "LONGDOC_REDIS_URL": redis_url,
           "LONGDOC_API_KEYS": json.dumps({hashlib.sha256(k.encode()).hexdigest(): t for t, k in KEYS.items()}),
           "LONGDOC_WEBHOOK_SECRETS": json.dumps(SECRETS), "LONGDOC_WEBHOOK_ALLOW_PRIVATE": "true",
           # Both processes look at pending deliveries often, so they really do contend.
           "LONGDOC_WEBHOOK_POLL_S": "0.05", "LONGDOC_WEBHOOK_BACKOFF_S": "0.5",
           "LONGDOC_API_STATUS_CACHE_S": "0"}  # fmt: skip
    pair = (Server(env, tmp_path / "a.log"), Server(env, tmp_path / "b.log"))
    try:
        for s in pair:
            s.wait_ready()
        yield pair
    finally:
        for s in pair:
            s.stop()


def _post(base: str, body: bytes, key: str | None = None, **fields: str) -> httpx.Response:
    headers = {**auth(), **({"Idempotency-Key": key} if key else {})}
    return httpx.post(f"{base}/v1/jobs", files={"file": ("msa.txt", body, "text/plain")}, data=fields,
                      headers=headers, timeout=90)  # fmt: skip


def _wait_job(base: str, job_id: str, timeout_s: float = 90.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout_s
    while True:
        body: dict[str, Any] = httpx.get(f"{base}/v1/jobs/{job_id}", headers=auth(), timeout=10).json()
        if body["status"] in TERMINAL:
            return body
        assert time.monotonic() < deadline, f"job {job_id} still {body['status']}"
        time.sleep(0.05)


def test_same_key_on_two_servers_makes_one_job(
    servers: tuple[Server, Server], tmp_path: Path, redis_url: str
) -> None:
    n, rounds = 8, 3  # a few rounds: one race may happen to be won by a clear margin
    made: dict[str, str] = {}
    for round_ in range(rounds):
        key = f"k-{uuid.uuid4().hex}"
        body = contract(extra=f"{round_ + 5}. Notices. Round {round_}.")
        start = threading.Barrier(n)

        def send(
            i: int, key: str = key, body: bytes = body, start: threading.Barrier = start
        ) -> httpx.Response:
            start.wait()  # all at once, alternating between the two processes
            return _post(servers[i % 2].url, body, key)

        with ThreadPoolExecutor(n) as pool:
            results = list(pool.map(send, range(n)))
        assert all(r.status_code in (200, 202) for r in results), [r.text for r in results]
        assert len({r.json()["id"] for r in results}) == 1, (
            f"round {round_}: {[r.json()['id'] for r in results]}"
        )
        assert sorted(r.status_code for r in results) == [200] * (n - 1) + [202]
        made[key] = results[0].json()["id"]
    job_dirs = {p.name for p in (tmp_path / "store" / "acme" / "jobs").iterdir() if p.is_dir()}
    assert job_dirs == set(made.values())  # one job in storage per key
    for s in servers:
        assert len(httpx.get(f"{s.url}/v1/jobs", headers=auth()).json()["data"]) == rounds
        for key in made:
            other = _post(s.url, contract(law="Texas"), key)
            assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    client = redis.Redis.from_url(redis_url)
    assert not list(client.scan_iter(match=PREFIX + "idem:*"))  # every lock was released
    client.close()


class DeliveryReceiver(Receiver):
    """Answers 500 to the first ``fail_first`` POSTs of each delivery, then 200; records which
    server process sent each one (the owner of the connection's client end)."""

    def __init__(self, fail_first: int, delay_s: float) -> None:
        super().__init__(fail_first)
        self.delay_s = delay_s

    def respond(self, headers: dict[str, str], body: bytes, client_port: int) -> int:
        sender = _pid_of_port(client_port)
        delivery = headers["X-Longdoc-Delivery"]
        with self.lock:
            seen = sum(r["delivery"] == delivery for r in self.requests)
            status = 500 if seen < self.fail_first else 200
            self.requests.append({"delivery": delivery, "pid": sender, "status": status,
                                  "headers": headers, "body": body})  # fmt: skip
        time.sleep(self.delay_s)  # a slow receiver: the claim is held meanwhile
        return status

    def of(self, delivery: str) -> list[dict[str, Any]]:
        with self.lock:
            return [r for r in self.requests if r["delivery"] == delivery]


def _pid_of_port(port: int) -> int | None:
    for conn in psutil.net_connections(kind="tcp"):
        if conn.laddr and conn.laddr.port == port and conn.pid is not None:
            return int(conn.pid)
    return None


@contextmanager
def receiver(fail_first: int = 0, delay_s: float = 0.2) -> Iterator[tuple[DeliveryReceiver, str]]:
    with serving(DeliveryReceiver(fail_first, delay_s)) as served:
        yield served


def _webhook_log(tmp_path: Path, job_id: str) -> dict[str, Any]:
    path = tmp_path / "store" / "acme" / "jobs" / job_id / "webhook.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _pending(tmp_path: Path, job_id: str) -> bool:
    return (tmp_path / "store" / "_webhooks" / "acme" / job_id).exists()


def _wait_until_no_more_attempts(servers: list[Server], tmp_path: Path, job_ids: list[str]) -> None:
    """Every delivery is logged done and its pending marker deleted (the claim holder does both
    before letting go); then each live server logs a scan, started after that, that no longer
    watches any of them. An attempt a server would still make (a duplicate) comes before that
    line: see tests/serve_probe.py."""

    def over() -> bool:
        return all(_webhook_log(tmp_path, j).get("done") and not _pending(tmp_path, j) for j in job_ids)

    wait_for(over, 30, "every delivery to end")
    since = {s: s.log_size() for s in servers}
    wait_for(lambda: all(s.watches_none_of(job_ids, since[s]) for s in servers), 30, "the servers to let go")


def test_each_webhook_is_delivered_once_by_two_servers(
    servers: tuple[Server, Server], tmp_path: Path
) -> None:
    with receiver(fail_first=1) as (rec, url):
        jobs = [_post(servers[i % 2].url, contract(extra=f"{i}. Notices."), callback_url=url).json()["id"]
                for i in range(4)]  # fmt: skip
        for job_id in jobs:
            _wait_job(servers[0].url, job_id)
        _wait_until_no_more_attempts(list(servers), tmp_path, jobs)
        for job_id in jobs:
            got = rec.of(f"acme.{job_id}")
            assert [r["status"] for r in got] == [500, 200], got  # one 500, then one delivery
            for r in got:
                assert verify(SECRETS["acme"].encode(), r["body"], r["headers"]["X-Longdoc-Signature"])
            log = _webhook_log(tmp_path, job_id)
            assert log["delivered"] is True and [a.get("status") for a in log["attempts"]] == [500, 200]
            assert [a["attempt"] for a in log["attempts"]] == [1, 2]
    pids = {s.proc.pid for s in servers}
    assert {r["pid"] for r in rec.requests} <= pids
    assert not [p for p in (tmp_path / "store" / "_webhooks").rglob("*") if p.is_file()]  # nothing pending


def test_other_server_takes_over_a_pending_retry(
    servers: tuple[Server, Server], tmp_path: Path, redis_url: str
) -> None:
    client = redis.Redis.from_url(redis_url)
    with receiver(fail_first=1, delay_s=0.0) as (rec, url):
        job_id = _post(servers[0].url, contract(), callback_url=url).json()["id"]
        wait_for(lambda: len(rec.of(f"acme.{job_id}")) == 1, 30, "attempt 1")
        first = rec.of(f"acme.{job_id}")[0]
        (gone,) = [s for s in servers if s.proc.pid == first["pid"]]
        (left,) = [s for s in servers if s is not gone]
        # Kill it between attempts: attempt 1 logged and its claim released. (Killed while it
        # holds the claim, the survivor rightly waits out the claim's TTL, beyond this test.)
        wait_for(lambda: len(_webhook_log(tmp_path, job_id).get("attempts", [])) == 1, 30, "attempt 1 logged")
        wait_for(lambda: not client.exists(f"{PREFIX}hook:acme:{job_id}"), 30, "the claim to be released")
        client.close()
        gone.stop(signal.SIGKILL)  # the process that made attempt 1 (and scheduled 2) dies
        _wait_until_no_more_attempts([left], tmp_path, [job_id])
        got = rec.of(f"acme.{job_id}")
        assert [r["status"] for r in got] == [500, 200]
        assert got[1]["pid"] == left.proc.pid  # the survivor saw the pending delivery and retried it
        log = _webhook_log(tmp_path, job_id)
        assert [(a["attempt"], a.get("status")) for a in log["attempts"]] == [(1, 500), (2, 200)]


def test_redis_locks_release_only_their_own_and_renew_while_held(redis_url: str) -> None:
    from pipeline.api.locks import RedisLocks, holding

    a, b = RedisLocks.from_url(redis_url), RedisLocks.from_url(redis_url)
    try:
        old = a.acquire("test:expiring", 0.1)
        assert old is not None and b.acquire("test:expiring", 5) is None
        wait_for(lambda: not a.r.exists(PREFIX + "test:expiring"), 10, "a's lock to expire")
        new = b.acquire("test:expiring", 5)  # b takes it over
        assert new is not None
        a.release("test:expiring", old)  # a late release by the old holder must not free b's lock
        assert a.acquire("test:expiring", 5) is None
        b.release("test:expiring", new)
        # Held for three TTLs: renewal keeps it, so nobody else gets it meanwhile.
        with holding(a, "test:renewed", 0.3) as held:
            assert held
            deadline = time.monotonic() + 0.9
            while time.monotonic() < deadline:
                assert b.acquire("test:renewed", 5) is None
                time.sleep(0.05)
        with holding(b, "test:renewed", 5) as held:
            assert held  # released on exit
    finally:
        a.close()
        b.close()


def test_local_runners_never_run_a_job_another_process_holds(
    redis_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Local-executor API processes on one store: a job whose run lease another process holds
    is left alone by a starting process's resume, and taken over once that lease lapses."""
    caplog.set_level(logging.INFO, logger="longdoc.api")
    settings = Settings(storage=StorageConfig(dir=tmp_path / "store"), redis=RedisConfig(url=redis_url),
                        api=ApiConfig(coordination="redis"))  # fmt: skip
    store = open_store(settings.storage)
    other = RedisLocks.from_url(redis_url)  # "process A", running the job
    mine = RedisLocks.from_url(redis_url)
    service = JobService(settings, store, locks=mine)
    try:
        body = contract()
        info = inspect_file(io.BytesIO(body), settings.limits.max_document_bytes)
        job = service.create("acme", name="a.txt", options=JobOptions(), info=info,
                             upload=io.BytesIO(body), submit=False)  # fmt: skip
        js = JobStore(store, "acme")
        js.mark_active(job.job_id)  # listed as running, as process A left it
        lease = f"run:acme:{job.job_id}"
        token = other.acquire(lease, ttl_s=60)  # held for the whole first round, however slow
        assert token is not None
        let_go = threading.Event()  # the runner's job thread ends by telling the service
        service.on_change(lambda _t, j: let_go.set() if j == job.job_id else None)
        assert service.runner.resume() == 1  # submitted, but the lease is A's
        assert let_go.wait(30), "the runner's job thread never ended"
        assert f"job acme/{job.job_id} is running in another API process" in caplog.messages
        assert js.load(job.job_id).status == "queued"
        # A dies: its lease is not renewed and lapses (its TTL cut to 0.1 s here); the next
        # rescan runs the job.
        other.r.pexpire(PREFIX + lease, 100)
        wait_for(lambda: not other.r.exists(PREFIX + lease), 10, "A's lease to lapse")
        runner = service.runner
        assert isinstance(runner, LocalRunner)
        assert runner._resume_once() == 1  # noqa: SLF001 (the rescan thread's round, without waiting RESCAN_S)
        # A job's end saves its terminal job.json, then drops it from the active index: read
        # them in the opposite order, so the status read after the index is the final one.
        wait_for(lambda: not store.exists(js.active_key(job.job_id)), 60, "the job to leave the index")
        assert js.load(job.job_id).status == "succeeded"
        assert other.acquire(lease, ttl_s=5) is not None  # released by its holder when done
    finally:
        service.close()
        other.close()
        mine.close()
