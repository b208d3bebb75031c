"""The local executor: every stage in this process, segments on a thread pool.

No services needed; the same stage functions and storage layout as the Celery executor.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor, as_completed, wait
from typing import TYPE_CHECKING

from pipeline import telemetry
from pipeline.errors import Gone, LongdocError
from pipeline.jobs.executor import EventCallback, JobEvent
from pipeline.jobs.planning import TokenizingAhead
from pipeline.jobs.routes import RoutingPlan
from pipeline.jobs.stages import (
    INTERRUPTS,
    SegmentContext,
    StageContext,
    begin_attempt,
    fail_crashed,
    fail_job,
    preload_consolidation,
    run_consolidate,
    run_ingest,
    run_plan_streamed,
    run_segment,
)
from pipeline.jobs.store import JobRecord
from pipeline.types import SegmentAnalysis, SegmentPlan

if TYPE_CHECKING:
    from pipeline.report.model import Report


# Longest the planner waits for a job's first model call to begin before routing the rest
# (it normally begins within a few hundred milliseconds).
FIRST_CALL_GATE_S = 1.0


def _settle(futures: list[Future[SegmentAnalysis]], exc: BaseException) -> None:
    """A segment raised (the cancel marker seen, storage failing): start no other segment, and
    let those already inside a model call finish before the job ends.

    Their results are written when their calls return. Ending the job first (a partial report,
    the final status) would let such a result land after the report that lists it missing.
    """
    for fut in futures:
        fut.cancel()  # only the ones not started yet
    if not isinstance(exc, INTERRUPTS):  # Ctrl-C: no waiting on model calls
        wait(futures)


class LocalExecutor:
    def __init__(self, ctx: StageContext, *, workers: int | None = None) -> None:
        self.ctx = ctx
        self.workers = workers or ctx.settings.execution.workers
        # ``workers`` analyses (model calls, rules passes) run at once; twice as many threads, so a
        # thread still verifying and writing one answer does not keep the next request waiting
        # for a thread after a slot has freed.
        self._slots = threading.BoundedSemaphore(self.workers)
        self._pool = ThreadPoolExecutor(max_workers=2 * self.workers, thread_name_prefix="segment")

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def run(
        self, tenant: str, job_id: str, *, password: str | None = None, on_event: EventCallback | None = None
    ) -> tuple[JobRecord, Report | None]:
        emit = on_event or (lambda _e: None)
        try:
            begin_attempt(self.ctx, tenant, job_id)
            emit(JobEvent(job_id, "ingesting"))
            ahead: list[TokenizingAhead] = []
            # The text is tokenized on another core while ingest still looks for its sections.
            doc = run_ingest(self.ctx, tenant, job_id, password=password,
                             on_text=lambda text: ahead.append(TokenizingAhead(text)))  # fmt: skip
            emit(JobEvent(job_id, "planning"))
            context = SegmentContext.of(doc, slots=self._slots)
            futures: list[Future[SegmentAnalysis]] = []

            def dispatch(i: int, plan: SegmentPlan, routes: RoutingPlan) -> None:
                # Each segment leaves for its model as soon as it is routed (streamed plan).
                fut = self._pool.submit(run_segment, self.ctx, tenant, job_id, i, doc=doc, plan=plan,
                                        routes=routes, context=context)  # fmt: skip
                futures.append(fut)
                if i == 0 and routes.decisions[0].model != "rules":
                    # The next segments are routed once the first model request has been sent (or
                    # the segment ended without one): routing them meanwhile, and their threads
                    # building requests, would hold the GIL the first request is built and sent
                    # under (prompt, token count, schema, JSON body, connection).
                    # Bounded: behind other jobs' calls (all slots taken) there is nothing to gain.
                    fut.add_done_callback(lambda _f: context.calling.set())
                    context.calling.wait(FIRST_CALL_GATE_S)

            analyses: list[SegmentAnalysis] = []
            try:
                plan, _ = run_plan_streamed(self.ctx, tenant, job_id, doc=doc, dispatch=dispatch,
                                           ahead=ahead[0] if ahead else None)  # fmt: skip
                total = len(plan.segments)
                emit(JobEvent(job_id, "analyzing", total, 0))
                # Consolidation's modules are loaded while the segments are analyzed (requests in
                # flight leave the CPU idle), not after the last answer, where they delay the report.
                preload_consolidation()
                telemetry.release()  # what the CLI held back until the first request was sent
                for fut in as_completed(futures):
                    analyses.append(fut.result())
                    emit(JobEvent(job_id, "analyzing", total, len(analyses)))
            except BaseException as exc:
                _settle(futures, exc)
                raise
            emit(JobEvent(job_id, "consolidating", total, total))
            report = run_consolidate(self.ctx, tenant, job_id, doc=doc, plan=plan, analyses=analyses)
        except Gone:
            raise  # erased while running: there is no job left to end
        except LongdocError as exc:
            return fail_job(self.ctx, tenant, job_id, exc), None
        except BaseException as exc:  # noqa: BLE001 - a crash (native panic, MemoryError) still ends the job
            failed = fail_crashed(self.ctx, tenant, job_id, exc)
            if isinstance(exc, INTERRUPTS) or failed is None:
                raise
            return failed, None
        return self.ctx.jobs(tenant).load(job_id), report
