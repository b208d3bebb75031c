"""Celery tasks: thin wrappers calling the stage functions by id (tenant, job id, index).

Every task may run twice (redelivery after a worker died, retries, a watchdog re-enqueue),
so each one first looks at storage: a job already terminal is left alone, a stage whose
output exists is skipped, a segment with a result returns it. A segment's model is called
only under its Redis claim, so two workers never call it for the same segment at once.
Transient errors (storage, Redis, network) retry with jittered exponential backoff.

Consolidation is reached even when the chord's bookkeeping in Redis is not: the chord body
carries an error callback that enqueues consolidation when the chord fails (Celery 5.7 marks
the body failed and never sends it when a part's result is a failure, e.g. a finished
segment whose result could not be stored in the backend during a Redis restart), and the
watchdog enqueues it for an ``analyzing`` job whose segment results are all in storage. The
consolidate task waits for segments still being analyzed, sends again those no task holds,
and runs under a claim, so however many copies are enqueued the report is written once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Literal

from celery import Task, shared_task
from celery.exceptions import Ignore, Reject, Retry

from pipeline.analyze.base import SegmentTask
from pipeline.errors import (
    Canceled,
    GaveUp,
    JobClosed,
    LockTimeout,
    LongdocError,
    NotFound,
    Poisoned,
    StorageError,
)
from pipeline.jobs.retention import sweep
from pipeline.jobs.stages import (
    INTERRUPTS,
    SegmentContext,
    begin_attempt,
    cancel_job,
    check_cancel,
    fail_crashed,
    fail_job,
    load_routes,
    record_segment_failure,
    run_consolidate,
    run_ingest,
    run_plan,
    run_segment,
    set_status,
)
from pipeline.jobs.store import TERMINAL, load_or_none
from pipeline.routing.redis_scripts import REDIS_ERRORS
from pipeline.types import SegmentAnalysis
from storage import keys
from workers.celery_app import (
    ANALYZE,
    CONSOLIDATE,
    INGEST,
    PLAN,
    RETENTION,
    SHADOW,
    WATCHDOG,
    Runtime,
    job_chord,
    runtime,
)
from workers.celery_app import submit_job as _submit
from workers.coord import CONSOLIDATION
from workers.watchdog import missing_results, watchdog_pass

log = logging.getLogger(__name__)

TRANSIENT: tuple[type[Exception], ...] = (StorageError, LockTimeout, *REDIS_ERRORS, OSError)
# Raised by Celery itself inside a task (Task.replace raises Ignore, Task.retry raises Retry).
CELERY_CONTROL: tuple[type[BaseException], ...] = (Ignore, Reject, Retry)
SegmentOutcome = Literal["done", "busy", "canceled", "failed", "skipped"]
# Publishing a task's own retry: Celery drops the task (Reject, no requeue) when this fails,
# so ride out a Redis restart first (about 35 s, like the coordination client's retries).
RETRY_PUBLISH_POLICY = {"max_retries": 20, "interval_start": 0.5, "interval_step": 0.5, "interval_max": 2.0}


class JobTask(Task):  # type: ignore[misc]  # celery ships no type hints
    """Base for the job's tasks: retries transient errors; a task that gives up fails its job."""

    autoretry_for = TRANSIENT
    dont_autoretry_for = (NotFound,)
    retry_backoff = 1
    retry_backoff_max = 60
    retry_jitter = True
    # max_retries: task_max_retries, set per app by make_app (task_annotations).

    def retry(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("retry_policy", RETRY_PUBLISH_POLICY)
        try:
            return super().retry(*args, **kwargs)
        except Reject:  # not published: this message is dropped, so let go of what it holds
            claim = self.claim_of(*self.request.args)
            if claim is not None:
                tenant, job_id, index = claim
                try:
                    runtime().coord.release(tenant, job_id, index, str(self.request.id))
                except REDIS_ERRORS as exc:  # still down: the claim expires with its TTL
                    log.warning("claim %s of %s/%s not released: %s", index, tenant, job_id, exc)
            raise

    def claim_of(self, *args: Any) -> tuple[str, str, int | str] | None:
        """The claim a run of this task holds across its retries (none by default)."""
        return None

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        # Retries exhausted or a bug: end the job now rather than leave it to the watchdog.
        tenant, job_id = args[0], args[1]
        try:
            if runtime().ctx.store.exists(keys.tombstone(tenant, job_id)):
                log.info("%s/%s was erased; %s ends with it", tenant, job_id, self.name)
                return
        except Exception:  # storage unreachable: fail the job below as before
            pass
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
    except (*TRANSIENT, *CELERY_CONTROL):  # retried by Celery, or Celery's own flow (replace, retry)
        raise
    except BaseException as exc:  # noqa: BLE001 - a bug or a native panic ends the job, not the worker
        log.exception("%s/%s crashed", tenant, job_id)
        fail_crashed(rt.ctx, tenant, job_id, exc)
        if isinstance(exc, INTERRUPTS):
            raise


def _closed(rt: Runtime, tenant: str, job_id: str) -> bool:
    job = load_or_none(rt.ctx.jobs(tenant), job_id)
    return job is None or job.status in TERMINAL


# Only segment results feed the chord; the other tasks keep no result in Redis.
@shared_task(bind=True, base=JobTask, name=INGEST, ignore_result=True)  # type: ignore[untyped-decorator]
def ingest(self: JobTask, tenant: str, job_id: str) -> None:
    rt = runtime()
    js = rt.ctx.jobs(tenant)
    if _closed(rt, tenant, job_id) or js.has("text.json", job_id):  # re-enqueued: done before
        return
    with stage_guard(rt, tenant, job_id):
        # Counted: a redelivery after the worker was killed mid-ingest (OOM) is a new start.
        begin_attempt(rt.ctx, tenant, job_id, "ingest")
        run_ingest(rt.ctx, tenant, job_id, password=rt.coord.secret(tenant, job_id))
        rt.coord.drop_secret(tenant, job_id)


@shared_task(bind=True, base=JobTask, name=PLAN)  # type: ignore[untyped-decorator]
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
            begin_attempt(rt.ctx, tenant, job_id, "plan")
            segment_plan = run_plan(rt.ctx, tenant, job_id)
        return self.replace(job_chord(self.app, tenant, job_id, len(segment_plan.segments)))
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
    # Runs that began and never ended: the worker was killed mid-run (redelivered since).
    starts = rt.coord.begin_run(tenant, job_id, index)
    if starts > rt.settings.execution.job_max_attempts:
        record_segment_failure(
            ctx,
            tenant,
            job_id,
            index,
            Poisoned(
                f"segment {index} was started {starts - 1} times and its worker died each time", segment=index
            ),
        )
        rt.coord.end_run(tenant, job_id, index)
        rt.coord.release(tenant, job_id, index, owner)
        return "failed"
    try:
        run_segment(ctx, tenant, job_id, index)
    except Canceled:
        outcome: SegmentOutcome = "canceled"
    except JobClosed as exc:  # erased while this segment ran (Gone): its late writes removed themselves
        log.info("%s/%s: segment %s ended after the job was erased: %s", tenant, job_id, index, exc.message)
        outcome = "skipped"
    except NotFound as exc:
        # Erased between the check above and this segment reading its inputs (text.json, the
        # plan): nothing is left to analyze. Any other missing input is a real failure.
        if not ctx.store.exists(keys.tombstone(tenant, job_id)):
            rt.coord.end_run(tenant, job_id, index)
            rt.coord.release(tenant, job_id, index, owner)
            raise
        log.info("%s/%s: segment %s found the job erased: %s", tenant, job_id, index, exc)
        outcome = "skipped"
    except TRANSIENT as exc:
        rt.coord.end_run(tenant, job_id, index)
        if not last_try:
            raise  # keep the claim: the retry carries the same task id and takes it back
        record_segment_failure(ctx, tenant, job_id, index, exc)
        outcome = "failed"
    else:
        outcome = "done"
    rt.coord.end_run(tenant, job_id, index)
    rt.coord.release(tenant, job_id, index, owner)
    return outcome


class SegmentTaskBase(JobTask):
    def claim_of(self, *args: Any) -> tuple[str, str, int | str] | None:
        return (args[0], args[1], int(args[2])) if len(args) >= 3 else None

    def on_failure(self, exc: Exception, task_id: str, args: Any, kwargs: Any, einfo: Any) -> None:
        # A segment whose result is in storage is done, whatever failed after its body: storing
        # the task's own result in the backend while Redis restarts, say. Celery records that
        # part as failed only if Redis is back by then, and calls this only after recording it:
        # failing the job here would make its outcome depend on when Redis came back. The
        # chord's errback (or the watchdog) consolidates from storage instead.
        tenant, job_id, index = args[0], args[1], int(args[2])
        ctx = runtime().ctx
        try:
            done = ctx.store.exists(ctx.jobs(tenant).segment_key(job_id, index))
        except Exception:  # storage unreachable too: fail the job as any task would
            done = False
        if done:
            log.warning("%s/%s: segment %s is stored; its task's failure after that (%s: %s) "
                        "leaves the job to consolidation", tenant, job_id, index, type(exc).__name__, exc)  # fmt: skip
            return
        super().on_failure(exc, task_id, args, kwargs, einfo)


class ConsolidateTaskBase(JobTask):
    def claim_of(self, *args: Any) -> tuple[str, str, int | str] | None:
        return (args[0], args[1], CONSOLIDATION) if len(args) >= 2 else None


@shared_task(bind=True, base=SegmentTaskBase, name=ANALYZE, max_retries=None)  # type: ignore[untyped-decorator]
def analyze_segment(self: JobTask, tenant: str, job_id: str, index: int, waits: int = 0) -> str:
    # Never raises for the segment's own failure: a failed result is written instead, so the
    # chord completes and consolidation runs. Waiting for a busy claim (``waits``, bounded by
    # the claim's TTL) does not use up the task_max_retries allowed for transient errors.
    rt = runtime()
    last_try = self.request.retries - waits >= rt.settings.execution.task_max_retries
    try:
        outcome = analyze_once(rt, tenant, job_id, index, str(self.request.id), last_try=last_try)
    except TRANSIENT as exc:
        if last_try:
            raise GaveUp(f"segment {index}: {type(exc).__name__}: {exc}", segment=index) from exc
        raise
    if outcome == "busy":
        raise self.retry(countdown=rt.settings.execution.segment_claim_wait_s, kwargs={"waits": waits + 1})
    return outcome


def _resend(app: Any, tenant: str, job_id: str, segments: list[int]) -> bool:
    """Send a segment task for each of ``segments`` again; False when the broker refused."""
    try:
        for i in segments:
            app.tasks[ANALYZE].apply_async((tenant, job_id, i))
    except Exception as exc:  # broker down: the next round tries again
        log.warning("%s/%s: segments %s not sent again: %s", tenant, job_id, segments, exc)
        return False
    return True


ConsolidateTrigger = Literal["chord", "chord_error", "watchdog"]


@shared_task(bind=True, base=ConsolidateTaskBase, name=CONSOLIDATE, ignore_result=True, max_retries=None)  # type: ignore[untyped-decorator]
def consolidate(
    self: JobTask, tenant: str, job_id: str, waits: int = 0, resent: bool = False,
    trigger: ConsolidateTrigger = "chord",
) -> None:  # fmt: skip
    # ``waits`` (for segments another task holds, or for the consolidation claim) are bounded
    # by the claim TTL and, like analyze_segment's, do not use up task_max_retries.
    rt = runtime()
    js = rt.ctx.jobs(tenant)
    if _closed(rt, tenant, job_id):
        return
    if trigger != "chord" and not self.request.retries:
        log.warning("%s/%s: consolidation enqueued by %s", tenant, job_id, trigger)
    owner = str(self.request.id)
    last_try = self.request.retries - waits >= rt.settings.execution.task_max_retries

    def again(*, waited: bool, sent: bool = resent) -> Exception:
        kwargs = {"waits": waits + int(waited), "resent": sent, "trigger": trigger}
        return self.retry(countdown=rt.settings.execution.segment_claim_wait_s, kwargs=kwargs)  # type: ignore[no-any-return]

    try:
        with stage_guard(rt, tenant, job_id):
            missing = missing_results(rt.ctx, tenant, job_id) or []
            # A claimed segment is inside its model call (a redelivered copy, say), and writes
            # its result when the call returns, canceled job or not: the report, whole or
            # partial, waits for it rather than list as missing a result that lands after it.
            if missing and any(rt.coord.claim_holder(tenant, job_id, i) for i in missing):
                raise again(waited=True)
            if missing and not last_try and not js.cancel_requested(job_id):
                # The chord fired early (a duplicate delivery counted twice) or failed. A
                # segment no task holds may have lost its message (a dropped retry): send it
                # again once (storage and claims make a spare copy harmless); then wait for
                # the stragglers, and after that report them as missing.
                raise again(waited=False, sent=resent or _resend(self.app, tenant, job_id, missing))
            if not rt.coord.claim(tenant, job_id, CONSOLIDATION, owner):
                raise again(waited=True)  # another copy is consolidating; it ends the job
            log.info("%s/%s: consolidating (%s)", tenant, job_id, trigger)
            run_consolidate(rt.ctx, tenant, job_id)
    except TRANSIENT as exc:
        if last_try:
            rt.coord.release(tenant, job_id, CONSOLIDATION, owner)
            raise GaveUp(f"consolidation: {type(exc).__name__}: {exc}") from exc
        raise  # keep the claim: the retry carries the same task id and takes it back
    rt.coord.release(tenant, job_id, CONSOLIDATION, owner)


@shared_task(bind=True, name=WATCHDOG, acks_late=False, ignore_result=True)  # type: ignore[untyped-decorator]
def watchdog(self: Task) -> list[tuple[str, str, str]]:
    """Re-enqueue lost jobs and fail stalled ones; one pass per interval across all workers."""
    rt = runtime()
    if not rt.coord.watchdog_turn(rt.settings.execution.watchdog_interval_s):
        return []
    return watchdog_pass(
        rt.ctx,
        rt.coord,
        lambda js, job_id: _submit(self.app, js, rt.coord, job_id),
        consolidate=lambda js, job_id: self.app.tasks[CONSOLIDATE].apply_async(
            (js.tenant, job_id), {"trigger": "watchdog"}
        ),
    )


@shared_task(name=RETENTION, acks_late=False, ignore_result=True)  # type: ignore[untyped-decorator]
def retention_sweep() -> dict[str, list[str]]:
    """Erase every configured tenant's expired jobs (LONGDOC_RETENTION_DAYS); Celery beat sends it."""
    rt = runtime()
    return {r.tenant: r.ids for r in sweep(rt.ctx.store, rt.settings.retention)}


@shared_task(name=SHADOW, ignore_result=True)  # type: ignore[untyped-decorator]
def shadow_segment(tenant: str, job_id: str, index: int) -> None:
    """The shadow candidate's call for one sampled segment (``pipeline.jobs.shadow``), from the
    primary's result in storage. Never retried and never touches the job: a failure is a log line."""
    ctx = runtime().ctx
    if ctx.shadow is None:
        return
    try:
        js = ctx.jobs(tenant)
        primary = SegmentAnalysis.model_validate_json(ctx.store.get(js.segment_key(job_id, index)))
        doc, plan = js.load_text(job_id), js.load_plan(job_id)
        seg, context = plan.segments[index], SegmentContext.of(doc)
        task = SegmentTask(segment=index, text=doc.extracted.text[seg.char_start : seg.char_end],
                           base_offset=seg.char_start, kind=doc.kind, locator=context.locator,
                           document_starts=context.document_starts)  # fmt: skip
        ctx.shadow.run(tenant, job_id, task, primary, load_routes(ctx, tenant, job_id))
    except Exception as exc:  # noqa: BLE001 - the job is not this task's business
        log.warning("shadow: segment %s of %s/%s: %s", index, tenant, job_id, exc)
