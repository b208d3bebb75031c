"""The Celery app: Redis broker and result backend, long-task settings, the job canvas.

    ingest ──▶ plan ──▶ chord(group(analyze_segment × N), consolidate)

The plan task knows N, so it replaces itself with the chord (``job_chord``: consolidate is
also the body's error callback, so a failed chord still consolidates). Tasks take ids
(tenant, job id, segment index) and read/write storage through the stage functions; job.json
stays the system of record. Queues: ``ingest`` (ingest, plan), ``analyze`` (segments),
``consolidate`` (consolidation and the watchdog), ``shadow`` (a candidate model's shadow calls,
``pipeline.jobs.shadow``; a worker of its own keeps them off the job's workers).

Nothing is built at import. ``make_app(settings)`` makes a client app (executors send tasks
by name); ``make_worker_app(settings)`` makes the worker's app, with the tasks, and keeps its
settings for the clients (storage, analyzers, Redis) each worker process builds at start-up
(``worker_process_init``): ``runtime()`` hands them to tasks.

``celery -A workers.celery_worker beat`` sends the retention sweep (``RETENTION``) on the
schedule ``make_app`` sets (``LONGDOC_RETENTION_SWEEP_INTERVAL_S``).

Run a worker: ``longdoc worker`` or
``celery -A workers.celery_worker worker -Q ingest,analyze,consolidate,shadow -Ofair`` (that module
is the entry point ``celery -A`` needs: it builds the settings from the environment).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from celery import Celery, chain, chord, group, signals
from celery.canvas import Signature
from kombu.entity import Exchange, Queue

from pipeline import telemetry
from pipeline.config import Settings
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobStore
from storage import open_store
from workers import kombu_compat
from workers.coord import RedisCoordination

log = logging.getLogger(__name__)

# Without it a worker exits when Redis restarts while it waits for work (see the module).
kombu_compat.install()

INGEST = "workers.tasks.ingest"
PLAN = "workers.tasks.plan"
ANALYZE = "workers.tasks.analyze_segment"
CONSOLIDATE = "workers.tasks.consolidate"
WATCHDOG = "workers.tasks.watchdog"
RETENTION = "workers.tasks.retention_sweep"
SHADOW = "workers.tasks.shadow_segment"
QUEUES = ("ingest", "analyze", "consolidate", "shadow")
ROUTES = {
    INGEST: "ingest",
    PLAN: "ingest",
    ANALYZE: "analyze",
    CONSOLIDATE: "consolidate",
    WATCHDOG: "consolidate",
    RETENTION: "consolidate",
    SHADOW: "shadow",  # its own queue: a slow candidate never holds a job's tasks back
}


def make_app(settings: Settings, *, include_tasks: bool = False) -> Celery:
    """A Celery app for ``settings``; clients (executors) send tasks by name and need no tasks."""
    app = Celery("longdoc", include=["workers.tasks"] if include_tasks else [])
    ex = settings.execution
    app.conf.update(
        broker_url=settings.redis.url,
        result_backend=settings.redis.url,
        broker_connection_retry_on_startup=True,
        # One direct exchange per queue, so a task lands in exactly the queue its route names.
        task_queues=[Queue(q, Exchange(q, type="direct"), routing_key=q) for q in QUEUES],  # type: ignore[no-untyped-call]
        task_default_queue="analyze",
        task_default_exchange="analyze",
        task_default_routing_key="analyze",
        task_routes={name: {"queue": q} for name, q in ROUTES.items()},
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        # Long tasks: ack after the work is done and requeue when the process running it
        # dies, one task per process at a time, so a killed segment is redelivered.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        # A pool child must say "up" within this after it forks, worker_process_init (our clients)
        # included. Celery's 4 s default, on a busy machine, kills each replacement of a killed
        # child before it is up, for ever, and the job stalls ("Timed out waiting for UP message";
        # https://github.com/celery/celery/issues/1715, https://github.com/celery/celery/issues/4323).
        worker_proc_alive_timeout=60.0,
        task_soft_time_limit=ex.task_soft_time_limit_s,
        task_time_limit=ex.task_time_limit_s,
        # An unacked task is redelivered after this: above the hard limit, or a slow task
        # would be handed to a second worker while the first still runs it.
        broker_transport_options={"visibility_timeout": ex.broker_visibility_timeout_s},
        result_expires=ex.result_expires_s,
        # Retries of transient errors for the tasks that count them in Celery (the segment and
        # consolidation tasks count their own, max_retries=None); annotations set the task
        # class attribute when the task binds to this app.
        task_annotations={name: {"max_retries": ex.task_max_retries} for name in (INGEST, PLAN)},
        result_extended=False,
        task_track_started=False,
        worker_send_task_events=False,
        worker_hijack_root_logger=False,
        # Redis restarts: keep trying rather than giving up on the broker, and let running
        # tasks finish (their results land in storage; the redelivered copy short-circuits)
        # instead of throwing away model calls already paid for.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        broker_connection_retry=True,
        broker_connection_max_retries=None,
        redis_backend_health_check_interval=10,
        # Retention (LONGDOC_RETENTION_DAYS): `celery -A workers.celery_worker beat` sends the sweep
        # every interval; one beat per deployment (a second one only sweeps twice: erase is idempotent).
        beat_schedule={"retention-sweep": {"task": RETENTION, "schedule": settings.retention.sweep_interval_s,
                                           "options": {"queue": "consolidate",
                                                       "expires": settings.retention.sweep_interval_s}}},
    )  # fmt: skip
    return app


def submit_job(app: Celery, store_jobs: JobStore, coord: RedisCoordination, job_id: str) -> str:
    """Enqueue the canvas for a job (new, or re-enqueued by the watchdog); the root task id.

    Safe to repeat: every stage skips work already in storage and segment claims keep two
    workers from calling a model for the same segment.
    """
    tenant = store_jobs.tenant
    store_jobs.mark_active(job_id)  # before sending: a lost message is then found again
    coord.changed(tenant, job_id)
    coord.mark_submitted(tenant, job_id)
    canvas = chain(
        app.signature(INGEST, args=(tenant, job_id), immutable=True),
        app.signature(PLAN, args=(tenant, job_id), immutable=True),
    )
    result = canvas.apply_async()
    return str(result.id)


def job_chord(app: Celery, tenant: str, job_id: str, segments: int) -> Signature:
    """analyze × N, then consolidate; a chord that fails still enqueues the consolidation.

    Celery (5.7, Redis backend) never sends the body of a chord one of whose parts failed: it
    calls the body's errbacks and marks it failed. A part can fail while its segment result is
    safe in storage (its result could not be stored in the backend during a Redis restart, and
    the worker recorded the error instead), so the body's errback is consolidate itself, which
    reads storage, waits for or re-sends what is missing and reports what stays missing. It is
    linked on the body, not with ``chord.link_error`` (which warns about the pending
    ``task_allow_error_cb_on_chord_header`` change, under which it links header tasks too). Celery
    publishes a bound task's errback as an ordinary message, immutable: args are kept.
    """
    header = group(app.signature(ANALYZE, args=(tenant, job_id, i), immutable=True) for i in range(segments))
    body = app.signature(CONSOLIDATE, args=(tenant, job_id), immutable=True)
    errback = app.signature(
        CONSOLIDATE, args=(tenant, job_id), kwargs={"trigger": "chord_error"}, immutable=True
    )
    body.link_error(errback)
    return chord(header, body, app=app)


@dataclass
class Runtime:
    """One worker process's clients, built at start-up."""

    settings: Settings
    ctx: StageContext
    coord: RedisCoordination


_runtime: Runtime | None = None
# The worker's settings, kept by make_worker_app (the entry points call it at start-up) for
# worker_process_init, which is told nothing but the host name; pool processes inherit it.
_worker_settings: Settings | None = None


def make_worker_app(settings: Settings) -> Celery:
    """The worker's app: the tasks, and ``settings`` for every pool process's clients."""
    global _worker_settings
    _worker_settings = settings
    if settings.metrics.enabled:
        # Before the pool forks: every pool process writes to the directory the API processes
        # on this machine read for /metrics (README: Metrics).
        telemetry.configure(settings.metrics_dir())
    return make_app(settings, include_tasks=True)


def worker_settings() -> Settings:
    if _worker_settings is None:
        raise RuntimeError("no worker settings: start workers through make_worker_app (longdoc worker, "
                           "celery -A workers.celery_worker)")  # fmt: skip
    return _worker_settings


def build_runtime(settings: Settings) -> Runtime:
    coord = RedisCoordination.from_settings(settings)
    from pipeline.routing.spend import SpendGuards

    # The spend cap shares the coordination client: one pool, and its retries ride out a restart.
    spend = SpendGuards.from_settings(settings, client=coord.r)
    ctx = StageContext(settings=settings, store=open_store(settings.storage), coord=coord, spend=spend)
    if ctx.shadow is not None:  # shadow calls leave as tasks on their own queue; spend in Redis
        from pipeline.jobs.shadow import make_ledger

        client = make_app(settings)
        ctx.shadow.ledger = make_ledger(settings, client=coord.r)
        # retry=False: a publish that fails drops the sample at once, never holding the segment task.
        ctx.shadow.send = lambda t, j, i: client.send_task(
            SHADOW, args=[t, j, i], queue="shadow", retry=False
        )
    # Load the tokenizer now, not inside the first task's time budget.
    from chunking.tokenizer import tokenize

    tokenize("warm up")
    return Runtime(settings=settings, ctx=ctx, coord=coord)


def runtime() -> Runtime:
    """This process's clients (built lazily where ``worker_process_init`` never fires: solo pool)."""
    global _runtime
    if _runtime is None:
        _runtime = build_runtime(worker_settings())
    return _runtime


@signals.worker_init.connect  # type: ignore[untyped-decorator]
def _load_tokenizer_before_fork(**_: Any) -> None:
    """The main process loads the tokenizer's ranks (~2 CPU-seconds) before the prefork pool
    forks: every pool child, and every child that replaces a dead one, inherits them instead
    of loading its own. worker_init runs in the main process before the pool starts
    (https://docs.celeryq.dev/en/stable/userguide/signals.html#worker-init)."""
    from chunking.tokenizer import encoding

    encoding()


@signals.worker_process_init.connect  # type: ignore[untyped-decorator]
def _init_process(**_: Any) -> None:
    global _runtime
    _runtime = build_runtime(worker_settings())


@signals.worker_ready.connect  # type: ignore[untyped-decorator]
def _start_watchdog(sender: Any = None, **_: Any) -> None:
    """Recover at start-up, then every interval: the main process only sends a small task."""
    app = sender.app  # the worker's consumer

    def tick() -> None:
        try:
            app.send_task(WATCHDOG, queue="consolidate")
        except Exception as exc:  # broker down: the next tick tries again
            log.warning("watchdog not scheduled: %s", exc)

    tick()
    port = worker_settings().metrics.worker_port
    if port is not None and worker_settings().metrics.enabled:
        telemetry.serve(port)  # a worker on its own machine: scraped directly
    timer = getattr(sender, "timer", None)
    if timer is not None:
        timer.call_repeatedly(worker_settings().execution.watchdog_interval_s, tick)
