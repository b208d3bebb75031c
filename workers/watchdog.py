"""See every Celery job through to a terminal status, from storage, whatever Redis forgot.

The executor lists each job it submits in storage's active index (``_active/``). One pass,
at worker start-up and then every ``watchdog_interval_s`` (from one worker at a time):

- terminal, or job.json gone: drop it from the index;
- still ``analyzing`` with every planned segment result in storage: its chord should have
  consolidated it, so the chord's bookkeeping was lost (a part's result not stored in a Redis
  restart, a message dropped): send its consolidation now, whatever the heartbeat says (once
  per ``job_requeue_after_s``: the consolidate task is single-run and skips closed jobs);
- live (a Redis heartbeat within ``job_requeue_after_s``): leave it alone;
- no progress in storage for ``job_stall_timeout_s`` (``job_queue_timeout_s`` while queued):
  fail it with code ``stalled``;
- otherwise, when its messages may be lost (a running job's heartbeat expired, or a queued
  job's submit marker vanished with a Redis restart): re-enqueue its canvas. That is safe to
  repeat: stages skip what storage already holds and segment claims prevent double calls.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from pipeline.jobs.stages import StageContext, set_status
from pipeline.jobs.store import TERMINAL, ErrorInfo, JobStore, active_jobs, load_or_none
from workers.coord import RedisCoordination

log = logging.getLogger(__name__)

Resubmit = Callable[[JobStore, str], object]
Action = tuple[str, str, str]  # (tenant, job_id, what was done)


def missing_results(ctx: StageContext, tenant: str, job_id: str) -> list[int] | None:
    """Planned segments without a result in storage (None: the job has no plan yet)."""
    js = ctx.jobs(tenant)
    if not js.has("plan.json", job_id):
        return None
    return js.missing_segments(job_id, js.load_plan(job_id))


def watchdog_pass(
    ctx: StageContext,
    coord: RedisCoordination,
    resubmit: Resubmit,
    *,
    consolidate: Resubmit | None = None,
    now: datetime | None = None,
) -> list[Action]:
    """One look at every active job; returns what it did (for logs and tests)."""
    now = now or datetime.now(UTC)
    actions: list[Action] = []
    for tenant, job_id in list(active_jobs(ctx.store)):
        try:
            action = check_job(ctx, coord, resubmit, tenant, job_id, now, consolidate=consolidate)
        except Exception as exc:  # one bad job must not stop the pass
            log.warning("watchdog: %s/%s not checked: %s", tenant, job_id, exc)
            action = "error"
        if action != "live":
            log.info("watchdog: %s/%s %s", tenant, job_id, action)
        actions.append((tenant, job_id, action))
    return actions


def check_job(
    ctx: StageContext,
    coord: RedisCoordination,
    resubmit: Resubmit,
    tenant: str,
    job_id: str,
    now: datetime,
    *,
    consolidate: Resubmit | None = None,
) -> str:
    js = ctx.jobs(tenant)
    job = load_or_none(js, job_id)
    if job is None or job.status in TERMINAL:
        js.clear_active(job_id)
        return "cleared"
    if (
        consolidate is not None
        and job.status == "analyzing"
        and missing_results(ctx, tenant, job_id) == []
        and coord.nudge_consolidation(tenant, job_id)
    ):
        consolidate(js, job_id)
        return "consolidate"
    if coord.is_live(tenant, job_id):
        return "live"
    idle_s = (now - js.last_progress_at(job)).total_seconds()
    queued = job.status == "queued"
    limit = (
        ctx.settings.execution.job_queue_timeout_s if queued else ctx.settings.execution.job_stall_timeout_s
    )
    if idle_s > limit:
        error = ErrorInfo(code="stalled", message=f"no progress for {idle_s:.0f} s (limit {limit} s)")
        set_status(ctx, tenant, job_id, "failed", error)
        return "stalled"
    if queued and coord.is_submitted(tenant, job_id):
        return "waiting"  # still in the broker's queue behind other work
    resubmit(js, job_id)
    # Resubmitting lists the job in the active index again, on the strength of a status read
    # before. A job that ended since has already dropped its entry (set_status writes job.json,
    # then clears the index), and would stay listed: read the status again now, after the
    # index write, and drop the entry of a job that has ended.
    if (ended := load_or_none(js, job_id)) is None or ended.status in TERMINAL:
        js.clear_active(job_id)
    return "requeued"
