"""Issue 12, finding 2: no job is ever stuck.

- a crash at the job boundary (a native panic is a ``BaseException``) ends the job ``failed``
  with code ``internal`` and the runner takes the next job;
- a job whose process is SIGKILLed on every run is ``failed``/``poisoned`` after 3 starts,
  never resumed a fourth time (real ``longdoc serve`` processes);
- cancel ends a job that is still ingesting, at once, and frees its job slot.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.analyze.base import SegmentTask
from pipeline.api.runner import LocalRunner
from pipeline.config import ApiConfig, SegmentConfig, Settings, StorageConfig
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import TERMINAL, JobStore
from pipeline.types import SegmentAnalysis
from storage.local import LocalStore
from tests.hostile.gen_docx import plain
from tests.hostile.live import LiveServer, base_env, job_record, small_contract
from tests.waiting import wait_for
from workers.local import LocalExecutor


class NativePanic(BaseException):
    """What pyo3 raises for a Rust panic: not an ``Exception``."""


def _wait(pred: Any, what: str, timeout_s: float = 30.0) -> None:
    wait_for(pred, timeout_s, what)


class PanickingRules:
    """The `rules` analyzer, except that segment 1 panics the way a native extension does."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def analyze(self, task: SegmentTask) -> SegmentAnalysis:
        if task.segment == 1:
            raise NativePanic("called `Option::unwrap()` on a `None` value")
        result: SegmentAnalysis = self.inner.analyze(task)
        return result


def test_a_segment_that_panics_fails_alone(tmp_path: Path) -> None:
    settings = Settings(storage=StorageConfig(dir=tmp_path / "store"),
                        segment=SegmentConfig(threshold_tokens=4000, min_tokens=1000, max_tokens=2000))  # fmt: skip
    store = LocalStore(settings.storage.dir)
    ctx = StageContext(settings=settings, store=store)
    ctx.analyzers["rules"] = PanickingRules(ctx.analyzers["rules"])  # type: ignore[assignment]
    job = JobStore(store, "acme").create(small_contract(), "msa.txt", ext="txt")
    executor = LocalExecutor(ctx, workers=2)
    try:
        record, report = executor.run("acme", job.job_id)
    finally:
        executor.close()
    assert record.status == "succeeded", record.error
    assert report is not None
    assert report.summary.segments >= 3
    assert report.summary.segments_failed == 1  # only the panicking one; the others were analyzed
    assert report.summary.findings > 0


def test_a_crash_at_the_job_boundary_fails_the_job_and_the_runner_goes_on(tmp_path: Path) -> None:
    settings = Settings(storage=StorageConfig(dir=tmp_path / "store"), api=ApiConfig(job_workers=1))
    store = LocalStore(settings.storage.dir)
    panicked = threading.Event()

    def notify(tenant: str, job_id: str) -> None:
        # The first status change of the first job panics (as a native call inside a stage would).
        if job_id == first.job_id and not panicked.is_set():
            panicked.set()
            raise NativePanic("panic in a native extension")

    js = JobStore(store, "acme")
    first = js.create(small_contract(), "first.txt", ext="txt")
    runner = LocalRunner(settings, store, notify)
    try:
        runner.submit("acme", first.job_id)
        _wait(lambda: js.load(first.job_id).status in TERMINAL, "the first job to end")
        failed = js.load(first.job_id)
        assert failed.status == "failed"
        assert failed.error is not None and failed.error.code == "internal"
        assert "NativePanic" in failed.error.message
        second = js.create(small_contract(), "second.txt", ext="txt")
        runner.submit("acme", second.job_id)
        _wait(lambda: js.load(second.job_id).status in TERMINAL, "the second job to end")
        assert js.load(second.job_id).status == "succeeded"
    finally:
        runner.close()


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture
def server_log(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "serve.log"


@pytest.mark.slow
def test_a_job_killed_three_times_is_poisoned_not_resumed_again(storage: Path, server_log: Path) -> None:
    # Segments take 60 s each, so every run is still analyzing when its server is SIGKILLed.
    slow = base_env(storage, rules_latency_s=60)
    server = LiveServer(slow, server_log).start()
    job_id = server.submit("msa.txt", small_contract())
    for run in (1, 2, 3):
        server.wait(job_id, lambda b: b["status"] == "analyzing", 60)
        assert job_record(storage, job_id)["attempts"] == {"run": run}
        server.kill()  # no chance to record anything: only the start was counted
        server = LiveServer(
            slow if run < 3 else base_env(storage), server_log
        ).start()  # resume() runs it again
    try:
        body = server.wait_terminal(job_id, 30)
        assert body["status"] == "failed"
        stored = job_record(storage, job_id)
        assert stored["error"]["code"] == "poisoned", stored["error"]
        assert stored["attempts"] == {"run": 4}
        # The fourth start did no work: ingest ran three times only.
        assert [t["status"] for t in stored["transitions"]].count("ingesting") == 3
        # The same process serves the next job.
        nxt = server.submit("next.txt", small_contract())
        assert server.wait_terminal(nxt, 60)["status"] == "succeeded"
    finally:
        server.stop()


@pytest.mark.slow
def test_cancel_ends_a_job_still_ingesting_and_frees_its_slot(storage: Path, server_log: Path) -> None:
    # One job slot: the next job can only run once the canceled one has let go of it.
    server = LiveServer(base_env(storage, api_job_workers=1), server_log).start()
    try:
        big = plain(600_000)  # several seconds of DOCX reading
        job_id = server.submit("big.docx", big)
        server.wait(job_id, lambda b: b["status"] == "ingesting", 60)
        r = server.cancel(job_id)
        assert r.status_code in (200, 202), r.text
        assert server.job(job_id)["status"] == "canceled"  # at once, not after the ingest
        nxt = server.submit("next.txt", small_contract())
        assert server.wait_terminal(nxt, 30)["status"] == "succeeded"
        # The canceled ingest stopped as it read: it never wrote its text.
        assert not list(storage.rglob(f"{job_id}/text.json"))
        assert job_record(storage, job_id)["status"] == "canceled"
    finally:
        server.stop()
