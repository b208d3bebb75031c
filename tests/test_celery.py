"""The Celery executor against a real Redis and a real prefork worker subprocess.

The worker and this process share a temporary local storage folder; job.json there is what
both sides read.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from celery import chord
from celery.exceptions import Reject
from kombu import Connection, Producer

from pipeline.analyze.base import Analyzer, SegmentTask
from pipeline.config import ExecutionConfig, Settings
from pipeline.errors import NotFound
from pipeline.jobs.executor import JobEvent
from pipeline.jobs.stages import StageContext, run_ingest, run_plan, set_status
from pipeline.jobs.store import TERMINAL, ErrorInfo, JobRecord, JobStore, Transition
from pipeline.report.model import Report
from pipeline.types import SegmentAnalysis
from storage import keys
from storage.local import LocalStore
from tests.config_helpers import grouped
from tests.planted import planted_contract
from tests.redis_util import CeleryWorker, free_port, settings_from_env, worker_env
from tests.waiting import wait_for
from workers.celery_app import ANALYZE, CONSOLIDATE, Runtime, build_runtime, job_chord
from workers.celery_executor import CeleryExecutor
from workers.coord import CONSOLIDATION
from workers.local import LocalExecutor
from workers.tasks import analyze_once
from workers.watchdog import check_job, watchdog_pass

SMALL = {"segment_threshold_tokens": 1500, "segment_min_tokens": 400, "segment_max_tokens": 800}
SEGMENT = {"threshold_tokens": 1500, "min_tokens": 400, "max_tokens": 800}  # SMALL as a group
# The worker's own watchdog makes its start-up pass only (interval: an hour): the watchdog
# tests below run their passes themselves over the same active index, and a second watchdog
# acting on it at the same time (failing, clearing or re-enqueueing their jobs) would race them.
# Its periodic passes are exercised in test_celery_faults.py. Waits for a busy claim: 0.5 s.
WORKER = {**SMALL, "rules_latency_s": 0.3, "watchdog_interval_s": 3600, "job_requeue_after_s": 5,
          "segment_claim_wait_s": 0.5}  # fmt: skip
TENANT = "t"


class Gate:
    """Wraps an analyzer: every model call waits until ``open()``; ``entered`` counts the calls
    that have started (each one past its segment's claim and its cancel check)."""

    def __init__(self, inner: Analyzer) -> None:
        self.inner = inner
        self.name = inner.name
        self.capabilities = inner.capabilities
        self.entered = 0
        self.segments: list[int] = []  # in the order their calls began
        self._cond = threading.Condition()
        self._open: set[int] = set()
        self._all_open = False

    def analyze(self, task: SegmentTask) -> SegmentAnalysis:
        with self._cond:
            self.entered += 1
            self.segments.append(task.segment)
            self._cond.notify_all()
            assert self._cond.wait_for(lambda: self._all_open or task.segment in self._open, 60)
        return self.inner.analyze(task)

    def open(self, segment: int | None = None) -> None:
        """Let ``segment``'s call (every call when None) go on."""
        with self._cond:
            if segment is None:
                self._all_open = True
            else:
                self._open.add(segment)
            self._cond.notify_all()

    def wait_entered(self, n: int, timeout_s: float = 30.0) -> None:
        with self._cond:
            assert self._cond.wait_for(lambda: self.entered >= n, timeout_s), f"{self.entered} of {n} calls"


@dataclass
class Stack:
    settings: Settings
    store: LocalStore
    executor: CeleryExecutor
    worker: CeleryWorker

    def job(self, text: str, name: str = "planted.txt") -> JobRecord:
        return JobStore(self.store, TENANT).create(text.encode(), name, ext="txt")

    def audits(self, job_id: str, index: int | None = None) -> list[str]:
        prefix = keys.job_prefix(TENANT, job_id) + "audit/segment-"
        if index is not None:
            prefix += f"{index:05d}-"
        return list(self.store.list(prefix))


@pytest.fixture(scope="module")
def stack(redis_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:  # noqa: F811
    tmp = tmp_path_factory.mktemp("celery")
    env = worker_env(redis_db, tmp / "store", **WORKER)
    settings = settings_from_env({**env, "LONGDOC_EXECUTOR_POLL_S": "0.2"})
    store = LocalStore(settings.storage.dir)
    with CeleryWorker(env, tmp / "worker.log", concurrency=2) as worker:
        executor = CeleryExecutor(settings, store)
        try:
            yield Stack(settings, store, executor, worker)
        finally:
            executor.close()


def test_report_equals_local_executor_report(stack: Stack, tmp_path: Path) -> None:
    text = planted_contract()
    job = stack.job(text)
    record, report = stack.executor.run(TENANT, job.job_id)
    assert record.status == "succeeded", (record.error, stack.worker.log()[-3000:])
    assert report is not None and len(report.segments) >= 3
    assert [t.status for t in record.transitions] == [
        "queued",
        "ingesting",
        "analyzing",
        "consolidating",
        "succeeded",
    ]

    local_settings = grouped(storage={"dir": tmp_path}, segment=SEGMENT)
    ctx = StageContext(settings=local_settings, store=LocalStore(tmp_path))
    local_job = JobStore(ctx.store, TENANT).create(text.encode(), "planted.txt", ext="txt")
    local = LocalExecutor(ctx, workers=3)
    try:
        local_record, local_report = local.run(TENANT, local_job.job_id)
    finally:
        local.close()
    assert local_record.status == "succeeded"
    celery_bytes = stack.store.get(keys.job_file(TENANT, job.job_id, "report.json"))
    local_bytes = ctx.store.get(keys.job_file(TENANT, local_job.job_id, "report.json"))
    assert celery_bytes == local_bytes
    assert report == local_report
    # Every segment was called exactly once.
    for i in range(len(report.segments)):
        assert len(stack.audits(job.job_id, i)) == 1


def test_events_follow_the_job(stack: Stack) -> None:
    job = stack.job(planted_contract())
    events: list[JobEvent] = []
    record, _ = stack.executor.run(TENANT, job.job_id, on_event=events.append)
    assert record.status == "succeeded"
    stages = [e.stage for e in events]
    assert stages[-1] == "succeeded" and "analyzing" in stages
    done = [e.segments_done for e in events if e.stage == "analyzing"]
    assert done == sorted(done)
    assert events[-1].segments_done == events[-1].segments_total >= 3


def test_bad_input_fails_the_job_with_its_code(stack: Stack) -> None:
    job = stack.job("   \n\n  ", name="empty.txt")
    record, report = stack.executor.run(TENANT, job.job_id)
    assert report is None
    assert record.status == "failed"
    assert record.error is not None and record.error.code == "empty_document"


def test_cancel_keeps_finished_segments_and_a_partial_report(stack: Stack) -> None:
    text = planted_contract() * 2  # 8+ segments at 0.3 s each on 2 processes
    job = stack.job(text)
    stack.executor.submit(TENANT, job.job_id)
    wait_for(lambda: stack.audits(job.job_id), 30, "a first model call")
    assert stack.executor.cancel(TENANT, job.job_id)
    record = stack.executor.wait(TENANT, job.job_id, timeout_s=60)
    assert record.status == "canceled"
    assert record.error is not None and record.error.code == "canceled"
    plan = JobStore(stack.store, TENANT).load_plan(job.job_id)
    calls = stack.audits(job.job_id)
    assert 1 <= len(calls) < len(plan.segments)  # segments after the cancel never called a model
    raw = stack.store.get(keys.job_file(TENANT, job.job_id, "report.json"))
    assert b'"missing_result"' in raw  # partial report: unfinished segments listed as missing
    assert not stack.executor.cancel(TENANT, job.job_id)  # already terminal


def _planned_job(stack: Stack, runtime: Runtime) -> str:
    job = stack.job(planted_contract())
    run_ingest(runtime.ctx, TENANT, job.job_id)
    run_plan(runtime.ctx, TENANT, job.job_id)
    return job.job_id


def test_a_segment_task_that_finds_its_job_erased_mid_start_ends_quietly(stack: Stack) -> None:
    """The race a loaded CI run hit: the task saw the job open, then the erase removed its
    text before the task read it. Erased → ``skipped`` (the chord goes on); a text missing
    without a tombstone is still an error. Either way the claim is released."""
    rt = build_runtime(stack.settings)
    rt.ctx.store = stack.store
    job_id = _planned_job(stack, rt)
    stack.store.delete(keys.job_file(TENANT, job_id, "text.json"))  # job.json still says analyzing
    with pytest.raises(NotFound):
        analyze_once(rt, TENANT, job_id, 0, "task-a")
    assert rt.coord.claim_holder(TENANT, job_id, 0) is None
    stack.store.put_json(keys.tombstone(TENANT, job_id), {"job_id": job_id})
    assert analyze_once(rt, TENANT, job_id, 0, "task-b") == "skipped"
    assert rt.coord.claim_holder(TENANT, job_id, 0) is None
    assert stack.audits(job_id, 0) == []


def test_segment_task_is_idempotent_under_duplicates_and_redelivery(stack: Stack) -> None:
    rt = build_runtime(stack.settings)
    rt.ctx.store = stack.store
    gate = rt.ctx.analyzers["rules"] = Gate(rt.ctx.analyzers["rules"])
    job_id = _planned_job(stack, rt)

    # Two deliveries at once (different task ids): while one is inside the model call, the
    # other finds the segment claimed and waits.
    outcomes: list[str] = []
    first = threading.Thread(target=lambda: outcomes.append(analyze_once(rt, TENANT, job_id, 0, "task-a")))
    first.start()
    gate.wait_entered(1)
    assert analyze_once(rt, TENANT, job_id, 0, "task-b") == "busy"
    gate.open()
    first.join(timeout=30)
    assert outcomes == ["done"]
    assert len(stack.audits(job_id, 0)) == 1
    # Delivered again after the result exists: short-circuits, no call.
    assert analyze_once(rt, TENANT, job_id, 0, "task-c") == "done"
    assert len(stack.audits(job_id, 0)) == 1

    # Redelivery of a task whose process died holding the claim: the same id takes it back,
    # any other id waits.
    assert rt.coord.claim(TENANT, job_id, 1, "task-dead")
    assert analyze_once(rt, TENANT, job_id, 1, "task-other") == "busy"
    assert stack.audits(job_id, 1) == []
    assert analyze_once(rt, TENANT, job_id, 1, "task-dead") == "done"
    assert len(stack.audits(job_id, 1)) == 1
    assert rt.coord.claim_holder(TENANT, job_id, 1) is None

    # Through the broker: the same segment sent twice to the real worker yields no new call.
    results = [stack.executor.app.send_task(ANALYZE, args=(TENANT, job_id, 0)) for _ in range(2)]
    assert [r.get(timeout=30) for r in results] == ["done", "done"]
    assert len(stack.audits(job_id, 0)) == 1
    assert len(list(stack.store.list(keys.job_prefix(TENANT, job_id) + "segments/"))) == 2


def _backdate(js: JobStore, job: JobRecord, status: str, age: timedelta) -> None:
    at = (datetime.now(UTC) - age).isoformat(timespec="milliseconds")
    old = job.model_copy(update={"status": status, "created_at": at,
                                 "transitions": [Transition(status="queued", at=at), Transition(status=status, at=at)]})  # fmt: skip
    js.save(old)


def test_watchdog_fails_a_stalled_job_and_requeues_a_lost_one(stack: Stack) -> None:
    rt = build_runtime(stack.settings)
    rt.ctx.store = stack.store
    js = JobStore(stack.store, TENANT)
    submitted: list[str] = []

    stalled = stack.job("stalled " * 10)
    _backdate(js, stalled, "analyzing", timedelta(seconds=stack.settings.execution.job_stall_timeout_s + 5))
    js.mark_active(stalled.job_id)
    lost = stack.job("lost " * 10)
    js.mark_active(lost.job_id)  # active in storage, but Redis has no trace of it
    live = stack.job("live " * 10)
    js.mark_active(live.job_id)
    rt.coord.changed(TENANT, live.job_id)

    actions = watchdog_pass(rt.ctx, rt.coord, lambda _js, job_id: submitted.append(job_id))
    by_job = {job_id: action for _t, job_id, action in actions}
    assert by_job[stalled.job_id] == "stalled"
    assert by_job[lost.job_id] == "requeued" and submitted == [lost.job_id]
    assert by_job[live.job_id] == "live"
    record = js.load(stalled.job_id)
    assert record.status == "failed" and record.error is not None and record.error.code == "stalled"
    assert not stack.store.exists(js.active_key(stalled.job_id))
    for job_id in (lost.job_id, live.job_id):
        js.clear_active(job_id)


def test_watchdog_recovers_a_job_whose_messages_were_lost(stack: Stack) -> None:
    rt = build_runtime(stack.settings)
    rt.ctx.store = stack.store
    js = JobStore(stack.store, TENANT)
    job = stack.job(planted_contract())
    js.mark_active(job.job_id)  # as if Redis restarted empty after the submit

    def resubmit(store_jobs: JobStore, job_id: str) -> None:
        from workers.celery_app import submit_job

        submit_job(stack.executor.app, store_jobs, rt.coord, job_id)

    actions = watchdog_pass(rt.ctx, rt.coord, resubmit)
    assert (TENANT, job.job_id, "requeued") in actions
    # A job's end saves its terminal job.json, then drops it from the active index: read them
    # in the opposite order, so the status read after the index is the final one.
    wait_for(lambda: not stack.store.exists(js.active_key(job.job_id)), 60, "the job to leave the index")
    assert js.load(job.job_id).status == "succeeded"


def test_watchdog_never_leaves_a_job_that_ended_meanwhile_in_the_index(stack: Stack) -> None:
    # The watchdog reads a job's status, then re-enqueues it, which lists it in the active
    # index again. A job that ends in between (status saved, entry cleared) must not stay listed.
    rt = build_runtime(stack.settings)
    rt.ctx.store = stack.store
    js = JobStore(stack.store, TENANT)
    job = stack.job("ends meanwhile " * 10)
    js.mark_active(job.job_id)  # queued, listed, no trace in Redis: the watchdog re-enqueues it

    def resubmit(store_jobs: JobStore, job_id: str) -> None:
        # The job ends just after the watchdog read it as queued...
        set_status(rt.ctx, TENANT, job_id, "failed", ErrorInfo(code="internal", message="ended meanwhile"))
        assert not stack.store.exists(store_jobs.active_key(job_id))
        store_jobs.mark_active(job_id)  # ...and the re-enqueue lists it again, as submit_job does first

    assert check_job(rt.ctx, rt.coord, resubmit, TENANT, job.job_id, datetime.now(UTC)) == "requeued"
    assert js.load(job.job_id).status == "failed"
    assert not stack.store.exists(js.active_key(job.job_id))


def test_executor_is_chosen_by_env(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from pipeline.cli.main import main, make_executor

    monkeypatch.setenv("LONGDOC_EXECUTOR", "local")
    local = make_executor(Settings(), LocalStore(tmp_path))
    assert isinstance(local, LocalExecutor)
    local.close()

    for key, value in worker_env(stack.settings.redis.url, stack.settings.storage.dir, **SMALL).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LONGDOC_EXECUTOR", "celery")
    remote = make_executor(Settings(), stack.store)
    assert isinstance(remote, CeleryExecutor)
    remote.close()

    doc = tmp_path / "planted.txt"
    doc.write_text(planted_contract(), encoding="utf-8")
    assert main(["analyze", str(doc), "--out", str(tmp_path / "out"), "--json"]) == 0
    assert '"ok": true' in capsys.readouterr().out
    assert (tmp_path / "out" / "planted.report.json").is_file()


def test_long_task_settings() -> None:
    import workers.tasks  # noqa: F401 - registers the (shared) tasks with every app
    from workers.celery_app import INGEST, PLAN, make_app

    settings = Settings(
        execution=ExecutionConfig(
            task_soft_time_limit_s=100,
            task_time_limit_s=120,
            broker_visibility_timeout_s=600,
            job_stall_timeout_s=300,
            task_max_retries=5,
        )
    )
    app = make_app(settings, include_tasks=True)
    conf = app.conf
    # Transient-error retries: the app's setting for ingest and plan; segment and consolidation
    # tasks count their own (unbounded in Celery).
    assert app.tasks[INGEST].max_retries == app.tasks[PLAN].max_retries == 5
    assert app.tasks[ANALYZE].max_retries is None and app.tasks[CONSOLIDATE].max_retries is None
    assert conf.task_acks_late and conf.task_reject_on_worker_lost and conf.worker_prefetch_multiplier == 1
    assert (conf.task_soft_time_limit, conf.task_time_limit) == (100, 120)
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert {r["queue"] for r in conf.task_routes.values()} == {"ingest", "analyze", "consolidate", "shadow"}
    with pytest.raises(ValueError):
        ExecutionConfig(task_time_limit_s=900, broker_visibility_timeout_s=600)


def test_local_executor_cancel_keeps_a_partial_report(tmp_path: Path) -> None:
    settings = grouped(storage={"dir": tmp_path}, segment=SEGMENT)
    ctx = StageContext(settings=settings, store=LocalStore(tmp_path))
    js = JobStore(ctx.store, TENANT)
    early = js.create(b"canceled before it started", "early.txt", ext="txt")
    js.request_cancel(early.job_id)
    job = js.create(planted_contract().encode(), "planted.txt", ext="txt")
    local = LocalExecutor(ctx, workers=1)
    gate = ctx.analyzers["rules"] = Gate(ctx.analyzers["rules"])

    def cancel_during_first_call() -> None:
        gate.wait_entered(1)  # segment 0 is inside its model call
        js.request_cancel(job.job_id)
        gate.open()

    canceler = threading.Thread(target=cancel_during_first_call)
    canceler.start()
    try:
        record, report = local.run(TENANT, job.job_id)
        early_record, _ = local.run(TENANT, early.job_id)
    finally:
        canceler.join()
        local.close()
    assert report is None and record.status == "canceled"
    assert record.error is not None and "partial report" in record.error.message
    assert ctx.store.exists(keys.job_file(TENANT, job.job_id, "report.json"))
    assert early_record.status == "canceled"
    assert not ctx.store.exists(keys.job_file(TENANT, early.job_id, "report.json"))


class CancelWatch(LocalStore):
    """Local storage that says when a cancel check first finds a job's cancel marker."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.cancel_seen = threading.Event()

    def exists(self, key: str) -> bool:
        found = super().exists(key)
        if found and key.endswith("/cancel"):
            self.cancel_seen.set()
        return found


def test_local_executor_cancel_waits_for_the_segments_mid_call(tmp_path: Path) -> None:
    # Canceled while two segments are inside their model calls: the next segment stops at its
    # cancel check, but the job ends (partial report, then status) only once both calls have
    # returned and written their results. The report lists them, and nothing lands after it.
    store = CancelWatch(tmp_path)
    ctx = StageContext(settings=grouped(storage={"dir": tmp_path}, segment=SEGMENT), store=store)
    gate = ctx.analyzers["rules"] = Gate(ctx.analyzers["rules"])
    js = JobStore(store, TENANT)
    job = js.create(planted_contract().encode(), "planted.txt", ext="txt")
    local = LocalExecutor(ctx, workers=2)
    ran: list[tuple[JobRecord, Report | None]] = []
    runner = threading.Thread(target=lambda: ran.append(local.run(TENANT, job.job_id)))
    try:
        runner.start()
        gate.wait_entered(2)  # two segments hold the two call slots (which two: whichever came first)
        first, second = gate.segments[:2]
        # 2 x workers segment threads: the other two have written their audit records and wait for a slot
        wait_for(lambda: len(_segment_audit(store, job.job_id)) == 4, what="four segments started")
        js.request_cancel(job.job_id)
        gate.open(first)  # its slot frees; the segment that takes it finds the marker, calls nothing
        assert store.cancel_seen.wait(30)
        gate.open(second)  # only now does the other call return
        runner.join(timeout=60)
    finally:
        gate.open()
        local.close()  # every segment thread is done: storage holds all it ever will
    ((record, report),) = ran
    assert report is None and record.status == "canceled"
    assert gate.entered == 2  # no call began after the cancel
    total = len(js.load_plan(job.job_id).segments)
    assert total >= 4
    stored = {i for i in range(total) if store.exists(js.segment_key(job.job_id, i))}
    assert stored == {first, second}
    partial = Report.model_validate_json(store.get(keys.job_file(TENANT, job.job_id, "report.json")))
    assert {s.index for s in partial.segments if s.status == "ok"} == stored
    assert all(
        s.error is not None and s.error.code == "missing_result"
        for s in partial.segments
        if s.index not in stored
    )
    # The audit says which started segments made no call: those canceled while waiting for a slot.
    audit = _segment_audit(store, job.job_id)
    assert len(audit) == 4
    assert {r["segment"] for r in audit if "canceled" not in r} == stored
    assert all(r["canceled"] == "waiting_for_call_slot" for r in audit if r["segment"] not in stored)


def _segment_audit(store: LocalStore, job_id: str) -> list[dict[str, Any]]:
    prefix = keys.job_prefix(TENANT, job_id) + "audit/segment-"
    return [cast(dict[str, Any], store.get_json(k)) for k in store.list(prefix)]


def _analyzed_job(stack: Stack, rt: Runtime) -> tuple[str, int]:
    """A planned job (status analyzing) whose every segment result is in storage; no chord."""
    job_id = _planned_job(stack, rt)
    total = len(JobStore(stack.store, TENANT).load_plan(job_id).segments)
    for i in range(total):
        assert analyze_once(rt, TENANT, job_id, i, f"task-{i}") == "done"
    return job_id, total


def _consolidations(stack: Stack, job_id: str) -> int:
    return stack.worker.log().count(f"{job_id}: consolidating (")


def test_a_failed_chord_still_consolidates(stack: Stack) -> None:
    # Celery never sends the body of a chord one of whose parts failed. Here one more part,
    # a built-in task asked to run a task that does not exist, fails in the worker without
    # failing the job, as a finished segment whose backend result was lost in a Redis restart
    # does (see test_celery_faults). The body's errback must enqueue the consolidation.
    rt = build_runtime(stack.settings)
    rt.ctx.store = stack.store
    job_id = _planned_job(stack, rt)
    total = len(JobStore(stack.store, TENANT).load_plan(job_id).segments)
    assert rt.coord.nudge_consolidation(TENANT, job_id)  # spent: the watchdog won't send one
    app = stack.executor.app
    canvas = job_chord(app, TENANT, job_id, total)
    failing = app.signature("celery.starmap", args=({"task": "longdoc.no_such_task"}, [[]]), immutable=True)
    started = time.monotonic()
    chord([*canvas.tasks, failing], canvas.body, app=app).apply_async()
    record = stack.executor.wait(TENANT, job_id, timeout_s=30)
    took = time.monotonic() - started
    log = stack.worker.log()
    assert record.status == "succeeded", (record.error, log[-3000:])
    assert "ChordError" in log
    assert f"{job_id}: consolidation enqueued by chord_error" in log
    assert f"'{job_id}', 'requeued'" not in log  # not the watchdog's re-enqueue of the canvas
    assert _consolidations(stack, job_id) == 1
    assert took < stack.settings.execution.job_requeue_after_s
    for i in range(total):
        assert len(stack.audits(job_id, i)) == 1


def test_watchdog_consolidates_a_job_whose_results_are_all_in_storage(stack: Stack) -> None:
    # Every segment result is in storage but the job is still analyzing and its heartbeat is
    # live: its chord's bookkeeping was lost. The watchdog sends the consolidation at once
    # (not after job_requeue_after_s), once.
    rt = build_runtime(stack.settings)
    rt.ctx.store = stack.store
    job_id, _ = _analyzed_job(stack, rt)
    rt.coord.changed(TENANT, job_id)
    assert rt.coord.is_live(TENANT, job_id)
    sent: list[str] = []

    def consolidate(js: JobStore, jid: str) -> None:
        sent.append(jid)
        stack.executor.app.send_task(CONSOLIDATE, args=(js.tenant, jid), kwargs={"trigger": "watchdog"})

    def resubmit(_js: JobStore, jid: str) -> None:
        raise AssertionError(f"{jid} re-enqueued")

    now = datetime.now(UTC)
    # check_job, not watchdog_pass: the job is not in the active index, so the worker's own
    # watchdog (every second) leaves it to this test.
    assert (
        check_job(rt.ctx, rt.coord, resubmit, TENANT, job_id, now, consolidate=consolidate) == "consolidate"
    )
    assert check_job(rt.ctx, rt.coord, resubmit, TENANT, job_id, now, consolidate=consolidate) == "live"
    assert sent == [job_id]
    record = stack.executor.wait(TENANT, job_id, timeout_s=30)
    assert record.status == "succeeded", record.error
    assert f"{job_id}: consolidation enqueued by watchdog" in stack.worker.log()
    assert _consolidations(stack, job_id) == 1


def test_consolidation_runs_once_under_its_claim(stack: Stack) -> None:
    # The chord, its errback and the watchdog may each enqueue a consolidation: copies wait
    # while one holds the claim, and skip the job once it is closed.
    rt = build_runtime(stack.settings)
    rt.ctx.store = stack.store
    job_id, _ = _analyzed_job(stack, rt)
    js = JobStore(stack.store, TENANT)
    assert rt.coord.claim(TENANT, job_id, CONSOLIDATION, "another-consolidation")
    copies = [stack.executor.app.send_task(CONSOLIDATE, args=(TENANT, job_id)).id for _ in range(2)]
    # Each copy found the claim taken and scheduled its next try (Celery logs the retry).
    wait_for(
        lambda: all(f"consolidate[{c}] retry:" in stack.worker.log() for c in copies), 30, "both retries"
    )
    assert js.load(job_id).status == "analyzing"  # both wait for the holder
    rt.coord.release(TENANT, job_id, CONSOLIDATION, "another-consolidation")
    record = stack.executor.wait(TENANT, job_id, timeout_s=30)
    assert record.status == "succeeded", record.error
    assert [t.status for t in record.transitions].count("consolidating") == 1
    # The other copy's next try finds the job closed.
    wait_for(
        lambda: all(f"consolidate[{c}] succeeded" in stack.worker.log() for c in copies), 30, "both copies"
    )
    assert _consolidations(stack, job_id) == 1
    assert rt.coord.claim_holder(TENANT, job_id, CONSOLIDATION) is None


def test_a_canceled_job_is_consolidated_after_its_segment_mid_call(stack: Stack) -> None:
    # Canceling does not stop a model call already made: its result is written when it returns.
    # A consolidation that comes meanwhile (a duplicate, the chord's errback, the watchdog) waits
    # for it, so the partial report lists it rather than call missing what lands after it.
    rt = build_runtime(stack.settings)
    rt.ctx.store = stack.store
    gate = rt.ctx.analyzers["rules"] = Gate(rt.ctx.analyzers["rules"])
    js = JobStore(stack.store, TENANT)
    job_id = _planned_job(stack, rt)
    total = len(js.load_plan(job_id).segments)
    outcome: list[str] = []
    call = threading.Thread(
        target=lambda: outcome.append(analyze_once(rt, TENANT, job_id, 0, "task-mid-call"))
    )
    call.start()
    try:
        gate.wait_entered(1)  # segment 0: claimed, past its cancel check, inside the model call
        assert stack.executor.cancel(TENANT, job_id)
        copy = stack.executor.app.send_task(CONSOLIDATE, args=(TENANT, job_id)).id
        wait_for(lambda: f"consolidate[{copy}] retry:" in stack.worker.log() or js.load(job_id).status in TERMINAL,
                 30, "the consolidation's first try")  # fmt: skip
        assert js.load(job_id).status == "analyzing"  # it waits for the call in flight
    finally:
        gate.open()
        call.join(timeout=30)
    assert outcome == ["done"]
    record = stack.executor.wait(TENANT, job_id, timeout_s=30)
    assert record.status == "canceled", (record.error, stack.worker.log()[-3000:])
    report = Report.model_validate_json(stack.store.get(keys.job_file(TENANT, job_id, "report.json")))
    assert [s.index for s in report.segments if s.status == "ok"] == [0]
    missing = [s.index for s in report.segments if s.error is not None and s.error.code == "missing_result"]
    assert missing == list(range(1, total))


def test_a_retry_that_cannot_be_published_releases_the_segment_claim(
    stack: Stack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Celery rejects (drops) a task whose retry can't be published. Its segment claim must
    # not linger for the claim TTL (task_time_limit_s + 60): the next copy takes it at once.
    import celery._state

    import workers.celery_app as celery_app
    from workers.tasks import analyze_segment

    rt = build_runtime(stack.settings)
    rt.ctx.store = stack.store
    monkeypatch.setattr(celery_app, "_runtime", rt)  # this test's Redis and storage
    # As in a prefork worker (worker/components.py sets it): a retry sent from a task does not
    # subscribe to its result. Unset, the app's result backend (the closed default port) would
    # retry connecting for ~20 s before the publish is even tried.
    monkeypatch.setattr(celery._state, "_task_join_will_block", True)
    job_id = _planned_job(stack, rt)
    assert rt.coord.claim(TENANT, job_id, 0, "task-dropped")
    down = Connection(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens there
    # As the worker runs it: not called directly, so retry() publishes.
    analyze_segment.push_request(id="task-dropped", args=[TENANT, job_id, 0], kwargs={}, retries=0,
                                 delivery_info={}, is_eager=False, called_directly=False)  # fmt: skip
    try:
        with pytest.raises(Reject):
            analyze_segment.retry(countdown=1, producer=Producer(down), retry_policy={"max_retries": 1})
    finally:
        analyze_segment.pop_request()
        down.release()
    assert rt.coord.claim_holder(TENANT, job_id, 0) is None
    assert analyze_once(rt, TENANT, job_id, 0, "task-next") == "done"
