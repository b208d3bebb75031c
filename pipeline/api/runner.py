"""How the API process gets jobs run: the configured executor, without waiting for them.

``local`` (the embedded default, ONE API process per storage): a bounded pool of job threads
in this process, each running ``LocalExecutor.run`` (which has its own segment pool). Jobs are
listed in storage's ``_active/`` index while they run, so a restarted server resumes what it
was doing (``resume`` at start-up). Nothing else coordinates jobs: ``longdoc serve`` refuses
to start a second local-executor server on the same storage dir (``locks.hold_storage_dir``).
``celery``: ``CeleryExecutor.submit`` enqueues and returns; the workers (and their watchdog)
do the rest. Several API processes on one storage (``uvicorn --workers``, replicas) require
this executor: their Idempotency-Key and webhook locks are then in Redis (``locks.py``).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Protocol

from pipeline.config import Settings
from pipeline.errors import Gone, LongdocError, NotFound
from pipeline.jobs.stages import INTERRUPTS, LocalCoordination, StageContext, cancel_unplanned, fail_crashed
from pipeline.jobs.store import TERMINAL, JobStore, active_jobs, load_or_none
from storage import keys
from storage.base import ObjectStore
from workers.local import LocalExecutor

log = logging.getLogger("longdoc.api")

Notify = Callable[[str, str], None]


class JobRunner(Protocol):
    name: str

    def submit(self, tenant: str, job_id: str, *, password: str | None = None) -> None: ...

    def cancel(self, tenant: str, job_id: str) -> bool: ...

    def resume(self) -> int: ...

    def close(self) -> None: ...


class NotifyingCoordination(LocalCoordination):
    """Local coordination that tells the API when a job changed (cache, webhooks)."""

    def __init__(self, notify: Notify) -> None:
        super().__init__()
        self._notify = notify

    def changed(self, tenant: str, job_id: str) -> None:
        self._notify(tenant, job_id)


class LocalRunner:
    name = "local"

    def __init__(self, settings: Settings, store: ObjectStore, notify: Notify) -> None:
        self.store = store
        self.notify = notify
        self.ctx = StageContext(settings=settings, store=store, coord=NotifyingCoordination(notify))
        self.executor = LocalExecutor(self.ctx)
        self.job_workers = settings.api.job_workers
        self._pool: ThreadPoolExecutor | None = None
        self._running: dict[tuple[str, str], Future[None]] = {}
        self._guard = threading.Lock()

    def submit(self, tenant: str, job_id: str, *, password: str | None = None) -> None:
        with self._guard:
            if (tenant, job_id) in self._running:
                return
            # Made on first use (and again after close): an app may be started more than once.
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self.job_workers, thread_name_prefix="job")
            JobStore(self.store, tenant).mark_active(job_id)
            self._running[(tenant, job_id)] = self._pool.submit(self._run, tenant, job_id, password)

    def pending(self) -> int:
        """Jobs submitted here and not started yet (all job threads busy)."""
        with self._guard:
            return sum(1 for fut in self._running.values() if not (fut.running() or fut.done()))

    def _run(self, tenant: str, job_id: str, password: str | None) -> None:
        try:
            self.executor.run(tenant, job_id, password=password)
        except BaseException as exc:  # noqa: BLE001 - even a native panic must end the job, not the runner
            if isinstance(exc, (Gone, NotFound)) and self.store.exists(keys.tombstone(tenant, job_id)):
                log.info("job %s/%s was erased while running", tenant, job_id)
                return
            log.exception("job %s/%s crashed", tenant, job_id)
            fail_crashed(self.ctx, tenant, job_id, exc)
            if isinstance(exc, INTERRUPTS):
                raise
        finally:
            with self._guard:
                self._running.pop((tenant, job_id), None)
            self.notify(tenant, job_id)

    def cancel(self, tenant: str, job_id: str) -> bool:
        js = JobStore(self.store, tenant)
        ok = js.request_cancel(job_id)
        if ok:
            # Queued or ingesting: ended now (see cancel_unplanned); later stages stop at the
            # next segment or stage boundary, keeping a partial report.
            cancel_unplanned(js, self.ctx.coord, job_id)
        self.notify(tenant, job_id)
        return ok

    def resume(self) -> int:
        """Run again every job this store lists as active (this server stopped mid-job)."""
        count = 0
        for tenant, job_id in list(active_jobs(self.store)):
            js = JobStore(self.store, tenant)
            job = load_or_none(js, job_id)
            if job is None or job.status in TERMINAL:
                js.clear_active(job_id)
                continue
            self.submit(tenant, job_id)
            count += 1
        return count

    def close(self) -> None:
        """Stop taking jobs; queued ones stay in ``_active/`` and are resumed at the next start."""
        with self._guard:
            pool, self._pool = self._pool, None
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            # Jobs already running finish in their threads; the ones never started are forgotten.
            for key in [k for k, fut in self._running.items() if fut.cancelled()]:
                del self._running[key]


class CeleryRunner:
    name = "celery"

    def __init__(self, settings: Settings, store: ObjectStore, notify: Notify) -> None:
        from workers.celery_executor import CeleryExecutor  # only when configured

        self.executor = CeleryExecutor(settings, store)
        self.notify = notify

    def submit(self, tenant: str, job_id: str, *, password: str | None = None) -> None:
        try:
            self.executor.submit(tenant, job_id, password=password)
        except LongdocError as exc:
            # The job is in storage's active index: a worker's watchdog enqueues it later.
            log.warning("job %s/%s not enqueued now: %s", tenant, job_id, exc)
        self.notify(tenant, job_id)

    def cancel(self, tenant: str, job_id: str) -> bool:
        ok = self.executor.cancel(tenant, job_id)
        self.notify(tenant, job_id)
        return ok

    def resume(self) -> int:
        return 0  # the workers' watchdog owns re-enqueueing

    def close(self) -> None:
        self.executor.close()


def make_runner(settings: Settings, store: ObjectStore, notify: Notify) -> JobRunner:
    if settings.execution.executor == "celery":
        return CeleryRunner(settings, store, notify)
    return LocalRunner(settings, store, notify)
