"""The Celery executor: submit a job's canvas to the workers, follow it through storage.

job.json (status) and the segment results (progress) in storage are what the caller sees;
Redis only wakes the poller early. Works from any machine that shares the store and Redis
with the workers (``longdoc worker``).
"""

from __future__ import annotations

import logging
import time

import redis
from kombu.exceptions import OperationalError

from pipeline.config import Settings
from pipeline.errors import BrokerUnavailable
from pipeline.jobs.executor import EventCallback, JobEvent
from pipeline.jobs.stages import cancel_unplanned
from pipeline.jobs.store import REPORTED, TERMINAL, JobRecord, JobStore
from pipeline.report.model import Report
from pipeline.routing.redis_scripts import REDIS_ERRORS
from storage import keys
from storage.base import ObjectStore
from workers.celery_app import make_app, submit_job
from workers.coord import RedisCoordination

log = logging.getLogger(__name__)


SUBMIT_ERRORS: tuple[type[Exception], ...] = (*REDIS_ERRORS, OperationalError)


class CeleryExecutor:
    def __init__(self, settings: Settings, store: ObjectStore) -> None:
        self.settings = settings
        self.store = store
        self.app = make_app(settings)  # a client: sends tasks by name, runs none
        self.coord = RedisCoordination.from_settings(settings)

    def close(self) -> None:
        self.coord.close()
        self.app.close()

    def submit(self, tenant: str, job_id: str, *, password: str | None = None) -> str:
        """Enqueue the job and return at once (the API's path); the root task id."""
        try:
            if password:
                self.coord.stash_secret(tenant, job_id, password)
            return submit_job(self.app, JobStore(self.store, tenant), self.coord, job_id)
        except SUBMIT_ERRORS as exc:
            # The job is in storage's active index: a worker's watchdog enqueues it once
            # Redis is back. The caller still hears that it was not submitted now.
            raise BrokerUnavailable(f"Redis at {self.settings.redis.url} is unreachable: {exc}") from exc

    def cancel(self, tenant: str, job_id: str) -> bool:
        """Ask the job to stop; False when it already finished.

        A queued or ingesting job ends at once; a later one stops before its next model call.
        """
        js = JobStore(self.store, tenant)
        ok = js.request_cancel(job_id)
        if ok:
            cancel_unplanned(js, self.coord, job_id)
        self.coord.changed(tenant, job_id)
        return ok

    def run(
        self, tenant: str, job_id: str, *, password: str | None = None, on_event: EventCallback | None = None
    ) -> tuple[JobRecord, Report | None]:
        """Submit, then follow job.json until it is terminal; the report when it succeeded."""
        emit = on_event or (lambda _e: None)
        pubsub = self._subscribe(tenant, job_id)
        try:
            self.submit(tenant, job_id, password=password)
            job = self.wait(tenant, job_id, on_event=emit, pubsub=pubsub)
        finally:
            if pubsub is not None:
                _quietly(pubsub.close)
        report = None
        if job.status in REPORTED:
            raw = self.store.get(keys.job_file(tenant, job_id, "report.json"))
            report = Report.model_validate_json(raw)
        return job, report

    def wait(
        self,
        tenant: str,
        job_id: str,
        *,
        on_event: EventCallback | None = None,
        pubsub: redis.client.PubSub | None = None,
        timeout_s: float | None = None,
    ) -> JobRecord:
        """Poll job.json (and derived progress) until terminal, emitting a JobEvent per change."""
        emit = on_event or (lambda _e: None)
        js = JobStore(self.store, tenant)
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        plan = None
        last: JobEvent | None = None
        interval = 0.01  # fast at first (short jobs), slower later unless woken
        while True:
            job = js.load(job_id)
            if plan is None and job.status not in ("queued", "ingesting") and js.has("plan.json", job_id):
                plan = js.load_plan(job_id)
            progress = js.progress(job_id, plan)
            event = JobEvent(job_id, job.status, progress.segments_total, progress.segments_done)
            if event != last:
                emit(event)
                last = event
            if job.status in TERMINAL:
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still {job.status} after {timeout_s} s")
            self._sleep(pubsub, interval)
            interval = min(interval * 1.5, self.settings.execution.executor_poll_s)

    def _subscribe(self, tenant: str, job_id: str) -> redis.client.PubSub | None:
        try:
            pubsub: redis.client.PubSub = self.coord.r.pubsub(ignore_subscribe_messages=True)
            pubsub.subscribe(self.coord.channel(tenant, job_id))
            return pubsub
        except REDIS_ERRORS as exc:
            log.warning("no wake-ups from Redis (%s); polling storage", exc)
            return None

    def _sleep(self, pubsub: redis.client.PubSub | None, interval: float) -> None:
        if pubsub is None:
            time.sleep(interval)
            return
        try:
            # Returns early when a worker reports progress; storage is re-read either way.
            pubsub.get_message(timeout=interval)
        except REDIS_ERRORS:
            time.sleep(interval)


def _quietly(fn: object) -> None:
    try:
        fn()  # type: ignore[operator]
    except Exception:
        return
