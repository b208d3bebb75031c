"""Fault tests with real processes: a worker child SIGKILLed mid-call, Redis restarted mid-job.

Model latency is simulated (LONGDOC_RULES_LATENCY_S) so a kill lands inside a model call.
"""

from __future__ import annotations

import json
import os
import signal
import time
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from pipeline.config import Settings
from pipeline.jobs.store import TERMINAL, JobStore
from pipeline.report.model import Report
from storage import keys
from storage.local import LocalStore
from tests.planted import planted_contract
from tests.redis_util import TEST_DB, CeleryWorker, RedisProxy, RedisServer, settings_from_env, worker_env
from tests.waiting import wait_for
from workers.celery_executor import CeleryExecutor

pytestmark = pytest.mark.slow

SMALL = {"segment_threshold_tokens": 1500, "segment_min_tokens": 400, "segment_max_tokens": 800}
TENANT = "t"
ROUNDS = 6  # jobs at once, each with one call killed (each kill costs a pool child respawn)


def _audits(store: LocalStore, job_id: str) -> list[str]:
    return list(store.list(keys.job_prefix(TENANT, job_id) + "audit/segment-"))


def _calls_per_segment(store: LocalStore, job_id: str) -> Counter[int]:
    return Counter(int(k.rsplit("/", 1)[-1].split("-")[1]) for k in _audits(store, job_id))


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    return tmp_path


# Redis-restart tests: short limits, so a lost job is re-enqueued (or failed) within seconds.
RESTART = {**SMALL, "task_soft_time_limit_s": 10, "task_time_limit_s": 15, "broker_visibility_timeout_s": 60,
           "job_stall_timeout_s": 60, "job_requeue_after_s": 3, "watchdog_interval_s": 1,
           "segment_claim_wait_s": 0.5}  # fmt: skip


def _kill_until_the_worker_sees_it(server: RedisServer, worker: CeleryWorker) -> None:
    """SIGKILL Redis and keep it down until the worker's consumer has lost it and failed to
    reconnect once (kombu logs that, then tries again 2 s later): an outage the worker has
    seen, without guessing how long that takes."""
    seen = len(worker.log())
    server.kill(signal.SIGKILL)
    wait_for(
        lambda: "consumer: Cannot connect to" in worker.log()[seen:], 60, "the worker to find Redis down"
    )


def _stores(url: str, tmp: Path, knobs: Mapping[str, object]) -> tuple[Settings, LocalStore, JobStore]:
    """The test process's Settings (same knobs as the worker's), its store and job store."""
    settings = settings_from_env(worker_env(url, tmp / "store", executor_poll_s=0.2, **knobs))
    store = LocalStore(settings.storage.dir)
    return settings, store, JobStore(store, TENANT)


def test_sigkill_of_a_worker_child_mid_call_loses_nothing(redis_db: str, tmp: Path) -> None:  # noqa: F811
    # Six rounds at once: each job's first model call has its process SIGKILLed; the prefork
    # pool replaces the child and the broker redelivers the task (acks_late +
    # reject_on_worker_lost). A call lasts 4 s: ample for the kill to land inside it even
    # while the other test worker keeps the machine busy (2 s timed out under heavy load).
    knobs = {**SMALL, "rules_latency_s": 4, "task_soft_time_limit_s": 60, "task_time_limit_s": 90,
             "broker_visibility_timeout_s": 300, "job_stall_timeout_s": 600, "job_requeue_after_s": 120}  # fmt: skip
    settings, store, js = _stores(redis_db, tmp, knobs)
    with CeleryWorker(
        worker_env(redis_db, settings.storage.dir, **knobs), tmp / "worker.log", concurrency=6
    ) as worker:
        executor = CeleryExecutor(settings, store)
        try:
            jobs = [
                js.create(planted_contract().encode(), f"round-{r}.txt", ext="txt").job_id
                for r in range(ROUNDS)
            ]
            for job_id in jobs:
                executor.submit(TENANT, job_id)
            killed: dict[str, int] = {}  # job -> segment whose call was killed
            deadline = time.monotonic() + 120
            while len(killed) < ROUNDS:
                assert time.monotonic() < deadline, f"killed only {len(killed)}; log:\n{worker.log()[-3000:]}"
                for job_id in jobs:
                    if job_id in killed or not (audits := _audits(store, job_id)):
                        continue
                    record = json.loads(store.get(audits[0]))
                    assert record["pid"] in worker.children()
                    os.kill(record["pid"], signal.SIGKILL)
                    killed[job_id] = record["segment"]
                time.sleep(0.05)
            finals = [executor.wait(TENANT, job_id, timeout_s=150) for job_id in jobs]
        finally:
            executor.close()
        log = worker.log()
    assert "WorkerLostError" in log or "SIGKILL" in log
    max_calls = 0
    for job_id, record in zip(jobs, finals, strict=True):
        assert record.status == "succeeded", (job_id, record.error)
        report = Report.model_validate_json(store.get(keys.job_file(TENANT, job_id, "report.json")))
        total = len(js.load_plan(job_id).segments)
        assert total >= 3
        assert [s.index for s in report.segments] == list(range(total))  # each exactly once
        assert all(
            s.status != "failed" or s.error is None or s.error.code != "missing_result"
            for s in report.segments
        )
        calls = _calls_per_segment(store, job_id)
        assert set(calls) == set(range(total))
        for index, n in calls.items():
            assert n <= (2 if index == killed[job_id] else 1), (job_id, index, n)
        assert calls[killed[job_id]] == 2  # the killed attempt, then exactly one redelivery
        max_calls = max(max_calls, *calls.values())
    print(f"\n{ROUNDS} rounds: all succeeded; max model calls per segment {max_calls}")


@pytest.fixture(params=["aof", "empty"])
def own_redis(request: pytest.FixtureRequest, tmp: Path) -> Iterator[RedisServer]:
    # "aof": Redis comes back with its data (appendonly yes, as in docker-compose.yml);
    # "empty": it comes back with nothing, and the watchdog re-enqueues from storage.
    server = RedisServer(tmp / "redis", appendonly=request.param == "aof").start()
    try:
        yield server
    finally:
        server.stop()


def test_redis_restart_mid_job(own_redis: RedisServer, tmp: Path) -> None:
    url = f"{own_redis.base_url}/{TEST_DB}"
    knobs = {**RESTART, "rules_latency_s": 0.75}
    settings, store, js = _stores(url, tmp, knobs)
    job_id = js.create((planted_contract() * 2).encode(), "restart.txt", ext="txt").job_id
    with CeleryWorker(
        worker_env(url, settings.storage.dir, **knobs), tmp / "worker.log", concurrency=2
    ) as worker:
        executor = CeleryExecutor(settings, store)
        try:
            executor.submit(TENANT, job_id)
            deadline = time.monotonic() + 30
            while len(list(store.list(keys.job_prefix(TENANT, job_id) + "segments/"))) < 1:
                assert time.monotonic() < deadline, worker.log()[-3000:]
                time.sleep(0.05)
            before = {k: store.get(k) for k in store.list(keys.job_prefix(TENANT, job_id))}
            _kill_until_the_worker_sees_it(own_redis, worker)  # mid-job, with segment calls in flight
            own_redis.start()  # same port and AOF directory
            started = time.monotonic()
            record = executor.wait(TENANT, job_id, timeout_s=120)
            took = time.monotonic() - started
        finally:
            executor.close()
        log = worker.log()
    assert record.status in TERMINAL
    assert record.status == "succeeded" or (record.status == "failed" and record.error is not None), log[
        -3000:
    ]
    for key, data in before.items():  # nothing written before the restart was lost or rewritten
        if key.endswith("job.json"):
            continue  # status moves on
        assert store.get(key) == data, key
    if record.status == "succeeded":
        report = Report.model_validate_json(store.get(keys.job_file(TENANT, job_id, "report.json")))
        assert [s.index for s in report.segments] == list(range(len(js.load_plan(job_id).segments)))
    print(f"\nredis restart: job {record.status} {took:.1f} s after the restart")


def _all_segments_called(store: LocalStore, js: JobStore, job_id: str) -> bool:
    return js.has("plan.json", job_id) and len(_calls_per_segment(store, job_id)) == len(
        js.load_plan(job_id).segments
    )


def test_worker_survives_redis_restart_while_waiting_for_work(own_redis: RedisServer, tmp: Path) -> None:
    # More pool slots than segments: with every segment running (unacked, acks_late) the
    # consumer still waits in BRPOP for more work. Losing Redis in that state used to make the
    # worker exit ("Unrecoverable error" from kombu's channel clean-up), and the job hung.
    url = f"{own_redis.base_url}/{TEST_DB}"
    knobs = {**RESTART, "rules_latency_s": 2}
    settings, store, js = _stores(url, tmp, knobs)
    job_id = js.create(planted_contract().encode(), "idle-slot.txt", ext="txt").job_id
    concurrency = 6
    with CeleryWorker(
        worker_env(url, settings.storage.dir, **knobs), tmp / "worker.log", concurrency=concurrency
    ) as worker:
        executor = CeleryExecutor(settings, store)
        try:
            executor.submit(TENANT, job_id)
            deadline = time.monotonic() + 30
            while not _all_segments_called(store, js, job_id):
                assert time.monotonic() < deadline, worker.log()[-3000:]
                time.sleep(0.05)
            total = len(js.load_plan(job_id).segments)
            assert total < concurrency  # a free slot: the consumer is in BRPOP
            _kill_until_the_worker_sees_it(own_redis, worker)  # segments mid-call (2 s each)
            own_redis.start()
            deadline = time.monotonic() + 90
            while (record := js.load(job_id)).status not in TERMINAL:
                assert worker.proc is not None and worker.proc.poll() is None, worker.log()[-3000:]
                assert time.monotonic() < deadline, f"job still {record.status}"
                time.sleep(0.2)
        finally:
            executor.close()
        log = worker.log()
    assert "Unrecoverable error" not in log, log[-3000:]
    assert record.status == "succeeded", (record.error, log[-3000:])
    calls = _calls_per_segment(store, job_id)
    assert set(calls) == set(range(total))


def test_redis_killed_while_a_segment_result_is_stored_still_consolidates(tmp: Path) -> None:
    # The worker reaches Redis through a relay that SIGKILLs the server at the moment the first
    # segment task stores its result in the result backend (the segment's result is already in
    # storage). The worker records that chord part as failed once Redis is back, so Celery fails
    # the chord and never sends its body (or, when the record is lost too, the chord never
    # completes). Either way the job must consolidate within seconds, not after the watchdog's
    # requeue: job_requeue_after_s is 600 here, as in production (900).
    server = RedisServer(tmp / "redis", appendonly=True).start()
    proxy = RedisProxy(server.port)
    knobs = {**SMALL, "rules_latency_s": 0.5, "task_soft_time_limit_s": 30, "task_time_limit_s": 40,
             "broker_visibility_timeout_s": 300, "job_stall_timeout_s": 900, "job_requeue_after_s": 600,
             "watchdog_interval_s": 2}  # fmt: skip
    settings, store, js = _stores(f"{server.base_url}/{TEST_DB}", tmp, knobs)
    job_id = js.create((planted_contract() * 2).encode(), "lost-result.txt", ext="txt").job_id
    # A finished task's result store starts with GET celery-task-meta-<id> (the worker also
    # SUBSCRIBEs to such keys when it sends the chord; those must pass).
    proxy.on_command(b"GET\r\n$53\r\ncelery-task-meta-", lambda: server.kill(signal.SIGKILL))
    try:
        env = worker_env(f"{proxy.base_url}/{TEST_DB}", settings.storage.dir, **knobs)
        with CeleryWorker(env, tmp / "worker.log", concurrency=2) as worker:
            executor = CeleryExecutor(settings, store)  # straight to Redis, not through the relay
            try:
                executor.submit(TENANT, job_id)
                assert proxy.fired.wait(60), worker.log()[-3000:]
                before = {k: store.get(k) for k in store.list(keys.job_prefix(TENANT, job_id) + "segments/")}
                assert before  # the segment whose backend result was lost is in storage
                # Down until the worker's consumer (through the relay) has found it gone.
                wait_for(
                    lambda: "consumer: Cannot connect to" in worker.log(), 60, "the worker to find Redis down"
                )
                server.start()  # same port and AOF directory
                started = time.monotonic()
                deadline = started + 60
                while (record := js.load(job_id)).status not in TERMINAL:
                    assert time.monotonic() < deadline, (
                        f"job still {record.status}; log:\n{worker.log()[-4000:]}"
                    )
                    time.sleep(0.2)
                took = time.monotonic() - started
            finally:
                executor.close()
            log = worker.log()
    finally:
        proxy.close()
        server.stop()
    assert record.status == "succeeded", (record.error, log[-3000:])
    assert took < 45, took  # seconds, where the watchdog's requeue would take job_requeue_after_s
    total = len(js.load_plan(job_id).segments)
    report = Report.model_validate_json(store.get(keys.job_file(TENANT, job_id, "report.json")))
    assert [s.index for s in report.segments] == list(range(total))
    assert all(s.error is None or s.error.code != "missing_result" for s in report.segments)
    for key, data in before.items():  # results are write-once: nothing stored before was rewritten
        assert store.get(key) == data, key
    assert [t.status for t in record.transitions].count("consolidating") == 1
    how = "chord error" if "ChordError" in log else "no chord error"
    trigger = (
        "errback"
        if "enqueued by chord_error" in log
        else "watchdog"
        if "enqueued by watchdog" in log
        else "chord"
    )
    print(f"\nresult lost in a Redis restart ({how}): job succeeded {took:.1f} s after the restart, "
          f"consolidation sent by the {trigger}")  # fmt: skip
