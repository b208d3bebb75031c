"""Celery tasks: thin wrappers calling the stage functions by id (tenant, job id, index).

Every task may run twice (redelivery after a worker died, retries, a watchdog re-enqueue),
so each one first looks at storage: a job already terminal is left alone, a stage whose
output exists is skipped, a segment with a result returns it. A segment's model is called
only under its Redis claim, so two workers never call it for the same segment at once.
Transient errors (storage, Redis, network) retry with jittered exponential backoff.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from celery import Task, chord, group

from pipeline.errors import LongdocError, NotFound, StorageError
from pipeline.jobs import TERMINAL, Canceled, JobClosed, load_or_none
from pipeline.stages import (
    cancel_job,
    check_cancel,
    fail_job,
    record_segment_failure,
    run_consolidate,
    run_ingest,
    run_plan,
    run_segment,
    set_status,
)
from workers.celery_app import ANALYZE, CONSOLIDATE, INGEST, PLAN, SETTINGS, WATCHDOG, Runtime, app, runtime
from workers.celery_app import submit_job as _submit
from workers.coord import REDIS_ERRORS, LockTimeout
from workers.watchdog import watchdog_pass

log = logging.getLogger(__name__)

TRANSIENT: tuple[type[Exception], ...] = (StorageError, LockTimeout, *REDIS_ERRORS, OSError)
SegmentOutcome = Literal["done", "busy", "canceled", "failed", "skipped"]


class JobTask(Task):  # type: ignore[misc]  # celery ships no type hints
    """Base for the job's tasks: retries transient errors; a task that gives up fails its job."""

    autoretry_for = TRANSIENT
    dont_autoretry_for = (NotFound,)
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = True
    max_retries = SETTINGS.task_max_retries

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        # Retries exhausted or a bug: end the job now rather than leave it to the watchdog.
        tenant, job_id = args[0], args[1]
        err = exc if isinstance(exc, LongdocError) else LongdocError(f"{type(exc).__name__}: {exc}")
        try:
            fail_job(runtime().ctx, tenant, job_id, err)
        except Exception:
            log.exception("could not mark %s/%s failed", tenant, job_id)


@contextmanager
def stage_guard(rt: Runtime, tenant: str, job_id: str) -> Iterator[None]:
    """Turn a stage's outcome into the job's status; transient errors propagate (retry)."""
    try:
        yield
    except JobClosed:
        log.info("%s/%s already finished; nothing to do", tenant, job_id)
    except Canceled:
        cancel_job(rt.ctx, tenant, job_id)
    except StorageError:
        raise
    except LongdocError as exc:  # the document itself (bad input): the job fails with its code
        fail_job(rt.ctx, tenant, job_id, exc)


def _closed(rt: Runtime, tenant: str, job_id: str) -> bool:
    job = load_or_none(rt.ctx.jobs(tenant), job_id)
    return job is None or job.status in TERMINAL


# Only segment results feed the chord; the other tasks keep no result in Redis.
@app.task(bind=True, base=JobTask, name=INGEST, ignore_result=True)  # type: ignore[untyped-decorator]
def ingest(self: JobTask, tenant: str, job_id: str) -> None:
    rt = runtime()
    js = rt.ctx.jobs(tenant)
    if _closed(rt, tenant, job_id) or js.has("text.json", job_id):  # re-enqueued: done before
        return
    with stage_guard(rt, tenant, job_id):
        run_ingest(rt.ctx, tenant, job_id, password=rt.coord.secret(tenant, job_id))
        rt.coord.drop_secret(tenant, job_id)


@app.task(bind=True, base=JobTask, name=PLAN)  # type: ignore[untyped-decorator]
def plan(self: JobTask, tenant: str, job_id: str) -> Any:
    rt = runtime()
    js = rt.ctx.jobs(tenant)
    if _closed(rt, tenant, job_id):
        return None
    with stage_guard(rt, tenant, job_id):
        if js.has("plan.json", job_id):  # re-enqueued: keep the plan (and a later status)
            segment_plan = js.load_plan(job_id)
            check_cancel(rt.ctx, tenant, job_id)
            if js.load(job_id).status in ("queued", "ingesting"):
                set_status(rt.ctx, tenant, job_id, "analyzing")
        else:
            segment_plan = run_plan(rt.ctx, tenant, job_id)
        header = group(analyze_segment.si(tenant, job_id, i) for i in range(len(segment_plan.segments)))
        return self.replace(chord(header, consolidate.si(tenant, job_id)))
    return None


def analyze_once(
    rt: Runtime, tenant: str, job_id: str, index: int, owner: str, *, last_try: bool = False
) -> SegmentOutcome:
    """One delivery of a segment task. ``busy``: another task holds the segment; retry later."""
    ctx = rt.ctx
    js = ctx.jobs(tenant)
    if ctx.store.exists(js.segment_key(job_id, index)):  # redelivered after the result was written
        return "done"
    if _closed(rt, tenant, job_id):
        return "skipped"
    if not rt.coord.claim(tenant, job_id, index, owner):
        return "busy"
    try:
        run_segment(ctx, tenant, job_id, index)
    except Canceled:
        outcome: SegmentOutcome = "canceled"
    except TRANSIENT as exc:
        if not last_try:
            raise  # keep the claim: the retry carries the same task id and takes it back
        record_segment_failure(ctx, tenant, job_id, index, exc)
        outcome = "failed"
    else:
        outcome = "done"
    rt.coord.release(tenant, job_id, index, owner)
    return outcome


class GaveUp(LongdocError):
    """Transient errors outlasted every retry (not retried again: the job fails)."""

    code = "retries_exhausted"


@app.task(bind=True, base=JobTask, name=ANALYZE, max_retries=None)  # type: ignore[untyped-decorator]
def analyze_segment(self: JobTask, tenant: str, job_id: str, index: int, waits: int = 0) -> str:
    # Never raises for the segment's own failure: a failed result is written instead, so the
    # chord completes and consolidation runs. Waiting for a busy claim (``waits``, bounded by
    # the claim's TTL) does not use up the task_max_retries allowed for transient errors.
    rt = runtime()
    last_try = self.request.retries - waits >= rt.settings.task_max_retries
    try:
        outcome = analyze_once(rt, tenant, job_id, index, str(self.request.id), last_try=last_try)
    except TRANSIENT as exc:
        if last_try:
            raise GaveUp(f"segment {index}: {type(exc).__name__}: {exc}", segment=index) from exc
        raise
    if outcome == "busy":
        raise self.retry(countdown=rt.settings.segment_claim_wait_s, kwargs={"waits": waits + 1})
    return outcome


@app.task(bind=True, base=JobTask, name=CONSOLIDATE, ignore_result=True)  # type: ignore[untyped-decorator]
def consolidate(self: JobTask, tenant: str, job_id: str) -> None:
    rt = runtime()
    js = rt.ctx.jobs(tenant)
    if _closed(rt, tenant, job_id):
        return
    with stage_guard(rt, tenant, job_id):
        total = len(js.load_plan(job_id).segments)
        missing = [i for i in range(total) if not rt.ctx.store.exists(js.segment_key(job_id, i))]
        if missing and not js.cancel_requested(job_id) and self.request.retries < self.max_retries:
            # The chord fired before every result was stored (a duplicate delivery counted
            # twice): wait for the stragglers; after that, report them as missing.
            raise self.retry(countdown=rt.settings.segment_claim_wait_s)
        run_consolidate(rt.ctx, tenant, job_id)


@app.task(bind=True, name=WATCHDOG, acks_late=False, ignore_result=True)  # type: ignore[untyped-decorator]
def watchdog(self: Task) -> list[tuple[str, str, str]]:
    """Re-enqueue lost jobs and fail stalled ones; one pass per interval across all workers."""
    rt = runtime()
    if not rt.coord.watchdog_turn(rt.settings.watchdog_interval_s):
        return []
    return watchdog_pass(rt.ctx, rt.coord, lambda js, job_id: _submit(app, js, rt.coord, job_id))
