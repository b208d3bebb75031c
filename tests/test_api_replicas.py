"""API processes on one storage. Several require the Celery executor: two `longdoc serve`
processes on one storage, one Redis and one Celery worker make one job per Idempotency-Key and
one delivery per webhook. The local executor is one process: a second local-executor server on
the same storage dir refuses to start, and a restarted one resumes the jobs it left.

Real processes (not threads: in-process locks would hide the bug) and the test session's own
redis-server (tests/conftest.py), database ``DB``, flushed before and after this module.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
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
from pipeline.jobs.store import JobOptions, JobStore
from storage import open_store
from tests.api_helpers import KEYS, SECRETS, TERMINAL, Receiver, auth, contract, serving, wait_for
from tests.config_helpers import flat
from tests.redis_util import ROOT, CeleryWorker, flush, worker_env
from tests.serve_probe import scans
from tests.serve_process import ServeProcess

DB = 11  # 12 and 13 are other modules'


@dataclass
class Stack:
    redis_url: str
    store: Path


@pytest.fixture(scope="module")
def stack(redis_base: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:  # noqa: F811
    """One Redis database, one storage and one Celery worker for the whole module (a worker
    takes seconds to start); each test looks only at the jobs it made."""
    url = f"{redis_base}/{DB}"
    flush(url)
    tmp = tmp_path_factory.mktemp("replicas")
    store = tmp / "store"
    try:
        with CeleryWorker(worker_env(url, store), tmp / "worker.log", concurrency=2):
            yield Stack(url, store)
    finally:
        flush(url)


def _env(**settings: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LONGDOC_")}
    keys = {hashlib.sha256(k.encode()).hexdigest(): t for t, k in KEYS.items()}
    return {**base, "PYTHONPATH": str(ROOT), "LONGDOC_API_KEYS": json.dumps(keys),
            **{f"LONGDOC_{k.upper()}": v for k, v in settings.items()}}  # fmt: skip


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
def servers(tmp_path: Path, stack: Stack) -> Iterator[tuple[Server, Server]]:
    env = _env(storage_dir=str(stack.store), executor="celery", redis_url=stack.redis_url,
               webhook_secrets=json.dumps(SECRETS), webhook_allow_private="true",
               # Both processes look at pending deliveries often, so they really do contend.
               webhook_poll_s="0.05", webhook_backoff_s="0.5", api_status_cache_s="0")  # fmt: skip
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
    def ended() -> dict[str, Any] | None:
        body: dict[str, Any] = httpx.get(f"{base}/v1/jobs/{job_id}", headers=auth(), timeout=10).json()
        return body if body["status"] in TERMINAL else None

    return wait_for(ended, timeout_s, f"job {job_id} to end")


def _job_dirs(store: Path) -> set[str]:
    jobs = store / "acme" / "jobs"
    return {p.name for p in jobs.iterdir() if p.is_dir()} if jobs.is_dir() else set()


def _listed(base: str) -> set[str]:
    r = httpx.get(f"{base}/v1/jobs", params={"limit": 100}, headers=auth(), timeout=10)
    return {j["id"] for j in r.json()["data"]}


@pytest.mark.slow
def test_same_key_on_two_servers_makes_one_job(servers: tuple[Server, Server], stack: Stack) -> None:
    n, rounds = 8, 3  # a few rounds: one race may happen to be won by a clear margin
    before = _job_dirs(stack.store)
    listed_before = [_listed(s.url) for s in servers]
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
    assert _job_dirs(stack.store) - before == set(made.values())  # one job in storage per key
    for s, old in zip(servers, listed_before, strict=True):
        assert _listed(s.url) - old == set(made.values())
        for key in made:
            other = _post(s.url, contract(law="Texas"), key)
            assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    for job_id in made.values():  # the worker runs each of them, once
        assert _wait_job(servers[0].url, job_id)["status"] == "succeeded"
    client = redis.Redis.from_url(stack.redis_url)
    assert not list(client.scan_iter(match=PREFIX + "idem:*"))  # every lock was released
    client.close()


class DeliveryReceiver(Receiver):
    """Answers 500 to the first ``fail_first`` POSTs of each delivery, then 200; records which
    server process sent each one (the owner of the connection's client end)."""

    def __init__(self, fail_first: int, delay_s: float) -> None:
        super().__init__(fail_first)
        self.delay_s = delay_s

    def respond(self, headers: dict[str, str], body: bytes, client_port: int) -> int:
        sender = _pid_of_port(client_port, self.port)
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


def _pid_of_port(port: int, peer: int) -> int | None:
    """The process whose connection goes from local ``port`` to our receiver's ``peer`` port. The
    remote end must match too: another process may use the same local port number towards
    another address (a parallel test's connection), and it is not the sender."""
    for conn in psutil.net_connections(kind="tcp"):
        if conn.laddr and conn.laddr.port == port and conn.raddr and conn.raddr.port == peer and conn.pid:
            return int(conn.pid)
    return None


@contextmanager
def receiver(fail_first: int = 0, delay_s: float = 0.2) -> Iterator[tuple[DeliveryReceiver, str]]:
    with serving(DeliveryReceiver(fail_first, delay_s)) as served:
        yield served


def _webhook_log(store: Path, job_id: str) -> dict[str, Any]:
    path = store / "acme" / "jobs" / job_id / "webhook.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _pending(store: Path, job_id: str) -> bool:
    return (store / "_webhooks" / "acme" / job_id).exists()


def _wait_until_no_more_attempts(servers: list[Server], store: Path, job_ids: list[str]) -> None:
    """Every delivery is logged done and its pending marker deleted (the claim holder does both
    before letting go); then each live server logs a scan, started after that, that no longer
    watches any of them. An attempt a server would still make (a duplicate) comes before that
    line: see tests/serve_probe.py."""

    def over() -> bool:
        return all(_webhook_log(store, j).get("done") and not _pending(store, j) for j in job_ids)

    wait_for(over, 30, "every delivery to end")
    since = {s: s.log_size() for s in servers}
    wait_for(lambda: all(s.watches_none_of(job_ids, since[s]) for s in servers), 30, "the servers to let go")


@pytest.mark.slow
def test_each_webhook_is_delivered_once_by_two_servers(servers: tuple[Server, Server], stack: Stack) -> None:
    with receiver(fail_first=1) as (rec, url):
        jobs = [_post(servers[i % 2].url, contract(extra=f"{i}. Notices."), callback_url=url).json()["id"]
                for i in range(4)]  # fmt: skip
        for job_id in jobs:
            _wait_job(servers[0].url, job_id)
        _wait_until_no_more_attempts(list(servers), stack.store, jobs)
        for job_id in jobs:
            got = rec.of(f"acme.{job_id}")
            assert [r["status"] for r in got] == [500, 200], got  # one 500, then one delivery
            for r in got:
                assert verify(SECRETS["acme"].encode(), r["body"], r["headers"]["X-Longdoc-Signature"])
            log = _webhook_log(stack.store, job_id)
            assert log["delivered"] is True and [a.get("status") for a in log["attempts"]] == [500, 200]
            assert [a["attempt"] for a in log["attempts"]] == [1, 2]
    pids = {s.proc.pid for s in servers if s.proc is not None}
    # Our jobs' deliveries (a parallel test's late retry could reach a reused port) came from our servers.
    ours = {f"acme.{j}" for j in jobs}
    assert {r["pid"] for r in rec.requests if r["delivery"] in ours} <= pids
    assert not any(_pending(stack.store, j) for j in jobs)  # nothing pending


@pytest.mark.slow
def test_other_server_takes_over_a_pending_retry(servers: tuple[Server, Server], stack: Stack) -> None:
    client = redis.Redis.from_url(stack.redis_url)
    with receiver(fail_first=1, delay_s=0.0) as (rec, url):
        job_id = _post(servers[0].url, contract(), callback_url=url).json()["id"]
        wait_for(lambda: len(rec.of(f"acme.{job_id}")) == 1, 60, "attempt 1")
        first = rec.of(f"acme.{job_id}")[0]
        (gone,) = [s for s in servers if s.proc is not None and s.proc.pid == first["pid"]]
        (left,) = [s for s in servers if s is not gone]
        # Kill it between attempts: attempt 1 logged and its claim released. (Killed while it
        # holds the claim, the survivor rightly waits out the claim's TTL, beyond this test.)
        wait_for(
            lambda: len(_webhook_log(stack.store, job_id).get("attempts", [])) == 1, 30, "attempt 1 logged"
        )
        wait_for(lambda: not client.exists(f"{PREFIX}hook:acme:{job_id}"), 30, "the claim to be released")
        client.close()
        gone.stop(signal.SIGKILL)  # the process that made attempt 1 (and scheduled 2) dies
        _wait_until_no_more_attempts([left], stack.store, [job_id])
        got = rec.of(f"acme.{job_id}")
        assert [r["status"] for r in got] == [500, 200]
        assert left.proc is not None and got[1]["pid"] == left.proc.pid  # the survivor retried it
        log = _webhook_log(stack.store, job_id)
        assert [(a["attempt"], a.get("status")) for a in log["attempts"]] == [(1, 500), (2, 200)]


def test_redis_locks_release_only_their_own_and_renew_while_held(redis_base: str) -> None:
    url = f"{redis_base}/{DB}"
    a, b = RedisLocks.from_url(url), RedisLocks.from_url(url)
    name = f"test:{uuid.uuid4().hex}"
    key = PREFIX + name
    try:
        held_by_a = a.hold(name, 30)
        assert held_by_a.__enter__()
        with b.hold(name, 30) as held:
            assert not held  # taken
        a.r.pexpire(key, 1)  # a's process "stalls" past its TTL: the lock lapses
        wait_for(lambda: not a.r.exists(key), 10, "a's lock to lapse")
        held_by_b = b.hold(name, 30)
        assert held_by_b.__enter__()  # b takes it over
        held_by_a.__exit__(None, None, None)  # a's late release must not free b's lock
        with a.hold(name, 30) as held:
            assert not held
        held_by_b.__exit__(None, None, None)
        # Held for several TTLs: renewed (its TTL goes back up), so nobody else gets it meanwhile.
        with a.hold(name, 0.3) as held:
            assert held
            ttls = [a.r.pttl(key)]

            def renewed_again() -> bool:
                ttls.append(a.r.pttl(key))
                return ttls[-1] > ttls[-2]

            for _ in range(4):  # 4 renewals, every 0.1 s: past the 0.3 s TTL
                wait_for(renewed_again, 5, "a renewal")
            with b.hold(name, 5) as other:
                assert not other
        with b.hold(name, 5) as held:
            assert held  # released on exit
    finally:
        a.close()
        b.close()


@pytest.mark.slow
def test_a_second_local_executor_server_on_the_same_storage_refuses_to_start(tmp_path: Path) -> None:
    env = _env(storage_dir=str(tmp_path / "store"), executor="local")
    first = ServeProcess(env, tmp_path / "first.log")
    first.wait_ready()
    try:
        second = ServeProcess(env, tmp_path / "second.log")
        second.start()
        assert second.proc is not None
        assert second.proc.wait(timeout=60) == 2
        lines = second.log().strip().splitlines()
        assert len(lines) == 1, second.log()  # one line, no traceback, nothing served
        assert lines[0].startswith("error[config] ") and "Celery executor" in lines[0]
        assert first.proc is not None and f"pid {first.proc.pid}" in lines[0]
        assert first.alive()  # untouched
    finally:
        first.stop(signal.SIGKILL)  # however it ends, the kernel frees its lock:
    third = ServeProcess(env, tmp_path / "third.log")
    third.wait_ready()  # the next server on that storage starts
    third.stop()


def test_a_restarted_local_server_resumes_the_jobs_it_left(tmp_path: Path) -> None:
    settings = flat(storage_dir=tmp_path / "store")
    store = open_store(settings.storage)
    service = JobService(settings, store)
    try:
        body = contract()
        info = inspect_file(io.BytesIO(body), settings.limits.max_document_bytes)
        left, done = (
            service.create(
                "acme", name=n, options=JobOptions(), info=info, upload=io.BytesIO(body), submit=False
            )
            for n in ("left.txt", "done.txt")
        )
        js = JobStore(store, "acme")
        for job in (left, done):
            js.mark_active(job.job_id)  # listed as running, as the stopped server left them
        js.save(js.load(done.job_id).model_copy(update={"status": "canceled"}))  # ended meanwhile
        runner = service.runner
        assert isinstance(runner, LocalRunner)
        assert runner.resume() == 1  # the unfinished one; the ended one leaves the index
        assert not store.exists(js.active_key(done.job_id))
        # A job's end saves its terminal job.json, then drops it from the active index: read
        # them in the opposite order, so the status read after the index is the final one.
        wait_for(lambda: not store.exists(js.active_key(left.job_id)), 60, "the job to leave the index")
        assert js.load(left.job_id).status == "succeeded"
        assert js.load(done.job_id).status == "canceled"  # not run again
    finally:
        service.close()
