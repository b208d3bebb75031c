"""Prometheus metrics: every metric longdoc exports, and the calls that record them.

One low module (beside ``config``), so jobs, routing, analysis, workers and the API record
without importing upwards. Labels stay bounded: model, tenant, status, stage, error class,
queue — never a job id.

``prometheus_client`` is in the ``service`` extra: without it every recording call does
nothing (``longdoc analyze`` offline needs none of this). Nothing is built at import:

- single process (the default, tests): the metrics live in this process's own registry;
- ``configure(dir)`` (``longdoc serve``, ``longdoc worker``, ``celery -A workers.celery_worker``):
  multiprocess mode. Every process writes its samples to files in ``dir``
  (``PROMETHEUS_MULTIPROC_DIR``) and a scrape of any API process sums every process's files
  through ``MultiProcessCollector``, so two API processes and a Celery worker's pool on one
  machine answer with one view (https://prometheus.github.io/client_python/multiprocess/).
  No gauge is "live" (livesum, liveall...), so a process that ends leaves nothing for
  ``multiprocess.mark_process_dead`` to clean: its counters keep counting in the sums.

A recording call never raises: a metric is not worth a job (a full disk fails its mmap write).
"""

from __future__ import annotations

import contextvars
import functools
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# Statuses a job passes through before its last one (awaiting_review: held for reviewers' sign-off);
# longdoc_jobs_in_status counts the jobs now in each.
IN_FLIGHT = ("queued", "ingesting", "analyzing", "consolidating", "awaiting_review")
# Stages last from milliseconds (rules on a page) to many minutes (a segment on a thinking model).
STAGE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0)
NO_TENANT = "none"  # an LLM call made outside a job (a CLI probe)

_TENANT: ContextVar[str] = ContextVar("longdoc_metrics_tenant", default=NO_TENANT)
_TIMING: ContextVar[frozenset[str]] = ContextVar("longdoc_metrics_timing", default=frozenset())


@dataclass
class _Metrics:
    registry: Any  # CollectorRegistry, or None in multiprocess mode
    multiproc_dir: Path | None
    jobs: Any
    in_status: Any
    stage_seconds: Any
    segments: Any
    tokens: Any
    cost: Any
    provider_errors: Any
    cache: Any
    quality: Any
    quality_events: Any


_metrics: _Metrics | None = None
_missing = False  # prometheus_client is not installed: record nothing
_warned = False
_lock = threading.Lock()  # the first recording calls may come from several job threads at once


def _build(multiproc_dir: Path | None) -> _Metrics | None:
    try:
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
    except ImportError:
        return None
    # Multiprocess: metrics must not sit in a registry a MultiProcessCollector also reads (they
    # would be exported twice; see the docs above); the files are the registry.
    reg = None if multiproc_dir is not None else CollectorRegistry(auto_describe=True)
    return _Metrics(
        registry=reg,
        multiproc_dir=multiproc_dir,
        jobs=Counter("longdoc_jobs", "Jobs that entered each status (terminal ones: jobs ended so)",
                     ["status"], registry=reg),
        # "sum": a job enters a status in one process (an API) and leaves it in another (a worker).
        in_status=Gauge("longdoc_jobs_in_status", "Jobs now queued, running or awaiting review, by status", ["status"],
                        registry=reg, multiprocess_mode="sum"),
        stage_seconds=Histogram("longdoc_stage_duration_seconds",
                                "Wall time of a job stage (analyze: one segment)", ["stage"],
                                registry=reg, buckets=STAGE_BUCKETS),
        segments=Counter("longdoc_segments", "Segments analyzed, by the model that answered and outcome",
                         ["model", "status"], registry=reg),
        tokens=Counter("longdoc_llm_tokens", "Tokens billed by LLM providers", ["model", "tenant", "direction"],
                       registry=reg),
        cost=Counter("longdoc_llm_cost_usd", "USD billed by LLM providers (catalog prices)", ["model", "tenant"],
                     registry=reg),
        provider_errors=Counter("longdoc_provider_errors", "Failed LLM attempts and unusable answers, by class",
                                ["model", "error_class"], registry=reg),
        cache=Counter("longdoc_llm_cache_lookups", "Answer-cache lookups per model (result: hit or miss)",
                      ["model", "result"], registry=reg),
        # "mostrecent": the quality monitor's latest figure, whichever process computed it.
        quality=Gauge("longdoc_model_quality_rate", "Rolling success rate of a model per job profile (0-1)",
                      ["model", "profile"], registry=reg, multiprocess_mode="mostrecent"),
        quality_events=Counter("longdoc_model_quality_events", "Quality alerts (a model demoted) and recoveries",
                               ["model", "profile", "kind"], registry=reg),
    )  # fmt: skip


def _get() -> _Metrics | None:
    global _metrics, _missing
    if _metrics is None and not _missing:
        with _lock:
            if _metrics is None and not _missing:
                _metrics = _build(None)
                _missing = _metrics is None
    return _metrics


def _safe(fn: Callable[P, None]) -> Callable[P, None]:
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        global _warned
        try:
            fn(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - see the module docstring
            if not _warned:
                _warned = True
                log.warning(
                    "metrics not recorded (%s: %s); further failures are silent", type(exc).__name__, exc
                )

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        if _held is not None and _keep(functools.partial(run, *args, **kwargs)):
            return
        run(*args, **kwargs)

    return wrapper


# Recording calls kept back between hold() and release(), each with its context (the tenant).
_held: list[tuple[contextvars.Context, Callable[[], None]]] | None = None
_hold_lock = threading.Lock()


def hold() -> None:
    """Keep recording calls back until ``release()`` (``longdoc analyze``: until the job's first
    model request is sent). Building the metrics imports prometheus_client, ~50 ms holding the
    GIL that request is built under; nothing reads them before the job ends."""
    global _held
    with _hold_lock:
        if _held is None and _metrics is None and not _missing:
            _held = []


def release() -> None:
    """Record the calls kept since ``hold()``, in order; later calls record at once."""
    global _held
    with _hold_lock:  # held while replaying: a call made meanwhile waits, so order is kept
        if _held is None:
            return
        for context, call in _held:
            context.run(call)
        _held = None


def _keep(call: Callable[[], None]) -> bool:
    with _hold_lock:
        if _held is None:
            return False
        _held.append((contextvars.copy_context(), call))
        return True


def configure(multiproc_dir: Path, *, wipe: bool = False) -> bool:
    """Multiprocess mode on ``multiproc_dir`` for this process and the ones it starts after this
    call (they inherit the environment). ``wipe``: empty the directory first — only for a process
    that knows it is the deployment's only writer (the docs ask for a wipe between runs).
    False when prometheus_client is missing (nothing is recorded then)."""
    global _metrics, _missing
    if wipe and multiproc_dir.is_dir():
        shutil.rmtree(multiproc_dir)
    multiproc_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.environ[MULTIPROC_ENV] = str(multiproc_dir)
    try:
        from prometheus_client import values
    except ImportError:
        _missing = True
        return False
    # The value class is chosen from the environment when prometheus_client is first imported;
    # choose again in case that was before this call.
    with _lock:
        values.ValueClass = values.get_value_class()  # type: ignore[no-untyped-call]
        _metrics = _build(multiproc_dir)
    return _metrics is not None


def multiproc_dir() -> Path | None:
    m = _get()
    return m.multiproc_dir if m is not None else None


# -- recording ----------------------------------------------------------------------------------


@_safe
def job_moved(before: str | None, after: str) -> None:
    """A job went from ``before`` (None: it was just created) to ``after``."""
    m = _get()
    if m is None or before == after:
        return
    m.jobs.labels(after).inc()
    if before in IN_FLIGHT:
        m.in_status.labels(before).dec()
    if after in IN_FLIGHT:
        m.in_status.labels(after).inc()


@_safe
def job_erased(status: str) -> None:
    """An erased job leaves its status's gauge (a held one: erase never moves it on)."""
    m = _get()
    if m is not None and status in IN_FLIGHT:
        m.in_status.labels(status).dec()


@_safe
def observe_stage(stage: str, seconds: float) -> None:
    m = _get()
    if m is not None:
        m.stage_seconds.labels(stage).observe(seconds)


def timed(stage: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorator: the call's wall time into the stage histogram, success or not. A call inside
    another of the same stage (run_plan_streamed -> run_plan) is not counted twice."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            outer = _TIMING.get()
            if stage in outer:
                return fn(*args, **kwargs)
            token = _TIMING.set(outer | {stage})
            t0 = _now()
            try:
                return fn(*args, **kwargs)
            finally:
                _TIMING.reset(token)
                observe_stage(stage, _now() - t0)

        return inner

    return wrap


def _now() -> float:
    import time

    return time.monotonic()


@_safe
def segment_done(model: str, status: str) -> None:
    m = _get()
    if m is not None:
        m.segments.labels(model, status).inc()


@contextmanager
def tenant(name: str) -> Iterator[None]:
    """LLM usage recorded inside is the tenant's (the provider's call path knows no tenant)."""
    token = _TENANT.set(name)
    try:
        yield
    finally:
        _TENANT.reset(token)


def error_class(status: int | str) -> str:
    """A bounded label for a failed attempt's HTTP status (or "timeout" / "connection")."""
    if isinstance(status, str):
        return status
    if status == 429:
        return "rate_limited"
    if status >= 500:
        return "server_error"
    if status == 400:
        return "bad_request"
    return "client_error"


@_safe
def llm_attempt(model: str, status: int | str, error: str | None, prompt_tokens: int, completion_tokens: int,
                cost_usd: float) -> None:  # fmt: skip
    """One HTTP attempt to a provider: what it billed, and its error class when it failed."""
    m = _get()
    if m is None:
        return
    who = _TENANT.get()
    if prompt_tokens:
        m.tokens.labels(model, who, "input").inc(prompt_tokens)
    if completion_tokens:
        m.tokens.labels(model, who, "output").inc(completion_tokens)
    if cost_usd > 0:
        m.cost.labels(model, who).inc(cost_usd)
    if error is not None:
        m.provider_errors.labels(model, error_class(status)).inc()


@_safe
def model_error(model: str, error_class: str) -> None:
    """An answer that came back but could not be used (``invalid_output``...)."""
    m = _get()
    if m is not None:
        m.provider_errors.labels(model, error_class).inc()


@_safe
def cache_lookup(model: str, hit: bool) -> None:
    m = _get()
    if m is not None:
        m.cache.labels(model, "hit" if hit else "miss").inc()


@_safe
def set_quality_rate(model: str, profile: str, rate: float) -> None:
    """For the quality monitor (pipeline/routing/quality.py): a model's current success rate."""
    m = _get()
    if m is not None:
        m.quality.labels(model, profile).set(rate)


@_safe
def quality_event(model: str, profile: str, kind: str) -> None:
    """A model crossed its alert line (``alert``: demoted) or came back above it (``recovered``)."""
    m = _get()
    if m is not None:
        m.quality_events.labels(model, profile, kind).inc()


# -- exposition ---------------------------------------------------------------------------------


def serve(port: int, addr: str = "0.0.0.0") -> None:
    """A /metrics endpoint of its own on ``port`` (a thread), for a process no API process can
    read the files of (a Celery worker on another machine)."""
    from prometheus_client import CollectorRegistry, start_http_server

    m = _get()
    if m is None:
        return
    registry = m.registry
    if m.multiproc_dir is not None:
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(m.multiproc_dir))  # type: ignore[no-untyped-call]
    start_http_server(port, addr=addr, registry=registry)


def render(queue_depth: Mapping[str, int] | None = None) -> tuple[bytes, str]:
    """The Prometheus text format of every metric (all processes' in multiprocess mode), with
    ``longdoc_queue_depth{queue}`` measured by the caller at scrape time; and its content type.
    Raises ImportError without prometheus_client (the API answers 404 then)."""
    from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
    from prometheus_client.core import GaugeMetricFamily

    m = _get()
    registry = CollectorRegistry(auto_describe=True)
    if m is not None and m.multiproc_dir is not None:
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry, path=str(m.multiproc_dir))  # type: ignore[no-untyped-call]
    elif m is not None:
        registry.register(m.registry)

    if queue_depth is not None:
        depth = dict(queue_depth)

        class _Queues:
            def collect(self) -> Iterator[GaugeMetricFamily]:
                g = GaugeMetricFamily(
                    "longdoc_queue_depth", "Work waiting to start, by queue", labels=["queue"]
                )
                for name, n in sorted(depth.items()):
                    g.add_metric([name], n)
                yield g

        registry.register(_Queues())
    return generate_latest(registry), CONTENT_TYPE_LATEST
