"""The stages of one job as functions over ids: read inputs from storage, write outputs.

Every executor (local threads, Celery workers) calls these same functions, so the storage
layout and the report are the same whichever runs them. A caller that already holds a
stage's input may pass it in to skip re-reading it (the local executor does).

Cancellation is cooperative: every stage, and every segment before its model call, checks the
job's cancel marker. A canceled job keeps what was done: segment results already written
stay, and when cancellation came after planning a partial report of the finished segments is
written (unfinished ones listed as ``missing_result``); the status ends ``canceled``.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager, contextmanager, nullcontext, suppress
from dataclasses import dataclass, field, replace
from importlib import import_module
from typing import TYPE_CHECKING, Protocol

from chunking.locator import Locator
from chunking.structure import find_document_breaks, find_sections
from pipeline import telemetry
from pipeline.analyze.base import Analyzer, SegmentTask
from pipeline.analyze.dispatch import SegmentBudget, analyze_routed
from pipeline.analyze.kind import detect_kind
from pipeline.analyze.playbook import default_playbook
from pipeline.analyze.registry import ModelRegistry, build_analyzers, build_registry
from pipeline.config import Settings
from pipeline.errors import Canceled, Internal, JobClosed, LongdocError, Poisoned, StorageError
from pipeline.ingest import ingest
from pipeline.jobs.planning import TokenizingAhead, cut_segments
from pipeline.jobs.routes import RoutingPlan, plan_routes, prepare_routing, route_one, synthesis_for
from pipeline.jobs.shadow import ShadowRunner
from pipeline.jobs.store import (
    TERMINAL,
    DocumentText,
    ErrorInfo,
    JobRecord,
    JobStatus,
    JobStore,
    now,
    now_compact,
)
from pipeline.routing import calibration
from pipeline.routing.audit import audit_to
from pipeline.routing.budget import LOCAL_POOLS, BudgetPool, ClosedPool
from pipeline.routing.providers import on_request
from pipeline.routing.router import RoutePolicy
from pipeline.types import AnalysisWarning, SegmentAnalysis, SegmentError, SegmentPlan
from storage import keys
from storage.base import ObjectStore

if TYPE_CHECKING:
    from pipeline.report.model import Report

    # the cap's ledger is in Redis (the `distributed` extra): imported only with a cap
    from pipeline.routing.spend import SpendGuard, SpendGuards

log = logging.getLogger("longdoc.jobs")
# Re-raised after being recorded: the user (or the process manager) asked the process to stop.
INTERRUPTS: tuple[type[BaseException], ...] = (KeyboardInterrupt, SystemExit)
# How often ingest looks at the cancel marker while it reads (a storage lookup per check).
CANCEL_CHECK_EVERY_S = 0.25


class Coordination(Protocol):
    """What stages need from whoever runs them besides storage: a lock and a heartbeat."""

    def job_lock(self, tenant: str, job_id: str) -> AbstractContextManager[object]:
        """Held around every read-modify-write of job.json (one writer at a time)."""
        ...  # fmt: skip

    def changed(self, tenant: str, job_id: str) -> None:
        """The job made progress: refresh liveness, wake anyone polling it."""
        ...  # fmt: skip


class LocalCoordination:
    """One process: a thread lock per job, no one to wake."""

    def __init__(self) -> None:
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def job_lock(self, tenant: str, job_id: str) -> AbstractContextManager[object]:
        with self._guard:
            return self._locks.setdefault((tenant, job_id), threading.Lock())

    def changed(self, tenant: str, job_id: str) -> None:
        return None


@dataclass
class StageContext:
    """Clients a worker builds once at start-up and hands to every stage."""

    settings: Settings
    store: ObjectStore
    analyzers: dict[str, Analyzer] = field(default_factory=dict)
    coord: Coordination = field(default_factory=LocalCoordination)
    registry: ModelRegistry | None = None
    # Per-tenant daily spend caps; built from Settings.routing.daily_cap_usd when not given (None: no cap).
    spend: SpendGuards | None = None
    # Shadow evaluation of a candidate model (LONGDOC_SHADOW_*); None when off.
    shadow: ShadowRunner | None = None
    _redis_pools: dict[tuple[str, str], BudgetPool] = field(default_factory=dict)
    _pending: Future[ModelRegistry] | None = None

    def __post_init__(self) -> None:
        if not self.analyzers:
            self.analyzers = build_analyzers(self.settings)
        if self.registry is None:
            # Built beside the job's first stages (ingest, tokenize): importing the openai SDK
            # is most of it, and a first model request needs it only once the plan is made.
            self._pending = Future()
            threading.Thread(target=self._build_registry, name="model-registry", daemon=True).start()
        if self.spend is None and self.settings.routing.daily_cap_usd is not None:
            from pipeline.routing.spend import SpendGuards

            self.spend = SpendGuards.from_settings(self.settings)
        if self.shadow is None:
            self.shadow = ShadowRunner.from_settings(self.settings, self.store, self.models)

    def _build_registry(self) -> None:
        assert self._pending is not None
        try:
            registry = build_registry(self.settings)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever asks for the models
            self._pending.set_exception(exc)
            return
        # Handed over before the SDK is imported: the catalog is all routing needs, so the first
        # segment is routed, and its prompt built and counted (tiktoken leaves the GIL), while
        # the openai import still runs; the SDK client waits for that import where it is built
        # (OpenAICompatibleProvider.client, first used by the llm-client thread or the request).
        self._pending.set_result(registry)
        if registry.llms:
            # The SDK imports its chat resources on first use: here, not in the first request.
            # The package is lazy (a module __getattr__): naming Chat imports chat.py and
            # the completions resource (~17 ms). Clients are built on first use: LazyLLMs.
            with suppress(Exception):  # the request that needs them imports them again and reports
                _ = import_module("openai.resources.chat").Chat

    def models(self) -> ModelRegistry:
        """The model registry (waiting for its background build the first time)."""
        if self.registry is None:
            assert self._pending is not None
            self.registry = self._pending.result()
        return self.registry

    def spend_for(self, tenant: str) -> SpendGuard | None:
        return self.spend.for_tenant(tenant) if self.spend is not None else None

    def budget_pool(self, tenant: str, batch_id: str) -> BudgetPool | None:
        """The batch's budget pool: in this process (local executor) or in Redis (Celery)."""
        if self.settings.execution.executor != "celery":
            return LOCAL_POOLS.get(tenant, batch_id)
        pool = self._redis_pools.get((tenant, batch_id))
        if pool is None:
            from pipeline.routing.spend import RedisPool

            redis_pool = RedisPool.from_settings(self.settings, tenant, batch_id)
            if not redis_pool.exists():
                return None
            pool = self._redis_pools[(tenant, batch_id)] = redis_pool
        return pool

    def jobs(self, tenant: str) -> JobStore:
        return JobStore(self.store, tenant)


def set_status(
    ctx: StageContext,
    tenant: str,
    job_id: str,
    status: JobStatus,
    error: ErrorInfo | None = None,
    *,
    spent_usd: float | None = None,
) -> JobRecord:
    """Move the job; the first terminal status wins (``JobClosed`` for a later non-terminal move)."""
    js = ctx.jobs(tenant)
    with ctx.coord.job_lock(tenant, job_id):
        job = js.load(job_id)
        if job.status in TERMINAL:
            if status in TERMINAL:
                return job
            raise JobClosed(f"job {job_id} is already {job.status}")
        if job.status != status or error is not None:
            before = job.status
            job = job.moved(status, error)
            if spent_usd is not None:
                job = job.model_copy(update={"spent_usd": spent_usd})
            js.save(job)
            telemetry.job_moved(before, status)
    if status in TERMINAL:
        js.clear_active(job_id)
        spend = ctx.spend_for(tenant)
        routes = load_routes(ctx, tenant, job_id)
        if spend is not None and routes is not None and routes.reserved_usd > 0:
            spend.release(job_id)
        budget = segment_budget(ctx, tenant, job_id, routes)
        if budget is not None:  # what this document did not spend goes back to its batch
            budget.pool.finish(job_id)
    ctx.coord.changed(tenant, job_id)
    return job


def begin_attempt(ctx: StageContext, tenant: str, job_id: str, stage: str = "run") -> JobRecord:
    """Count one more start of ``stage`` in the job record, before any work.

    A run whose process is killed (OOM, SIGKILL, a native crash) cannot record its failure;
    only its start is known. Past ``job_max_attempts`` starts the job fails for good with
    ``poisoned`` instead of being resumed again (a poison loop otherwise).
    """
    js = ctx.jobs(tenant)
    with ctx.coord.job_lock(tenant, job_id):
        job = js.load(job_id)
        if job.status in TERMINAL:
            raise JobClosed(f"job {job_id} is already {job.status}")
        n = job.attempts.get(stage, 0) + 1
        job = job.model_copy(update={"attempts": {**job.attempts, stage: n}})
        js.save(job)
    limit = ctx.settings.execution.job_max_attempts
    if n > limit:
        raise Poisoned(f"the job's {stage} was started {n - 1} times and never finished "
                       f"(limit {limit}); it is not retried again")  # fmt: skip
    return job


def fail_crashed(ctx: StageContext, tenant: str, job_id: str, exc: BaseException) -> JobRecord | None:
    """Record any exception that reached a job's boundary as its failure; never raises.

    A Rust panic from a native extension is a ``BaseException``, and a ``MemoryError`` may
    recur while recording it: either way the job must end ``failed`` with a code, and the
    process that runs jobs must live on.
    """
    err = exc if isinstance(exc, LongdocError) else Internal(_describe(exc))
    try:
        return fail_job(ctx, tenant, job_id, err)
    except BaseException as again:  # noqa: BLE001 - storage down or memory still short
        if isinstance(again, INTERRUPTS):
            raise
        log.error("could not mark job %s/%s failed: %s", tenant, job_id, _describe(again))
        return None


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text[:500]}" if text else type(exc).__name__


def check_cancel(ctx: StageContext, tenant: str, job_id: str) -> None:
    if ctx.jobs(tenant).cancel_requested(job_id):
        raise Canceled(f"job {job_id} was canceled")


def cancel_checker(ctx: StageContext, tenant: str, job_id: str) -> Callable[[], None]:
    """``check_cancel`` at most every ``CANCEL_CHECK_EVERY_S``: ingest calls it per page/block."""
    last = time.monotonic()

    def check() -> None:
        nonlocal last
        t = time.monotonic()
        if t - last >= CANCEL_CHECK_EVERY_S:
            last = t
            check_cancel(ctx, tenant, job_id)

    return check


def cancel_unplanned(js: JobStore, coord: Coordination, job_id: str) -> bool:
    """End a queued or ingesting job at once as ``canceled``; False when it got further.

    Such a job has nothing to keep yet, and an ingest busy in one long call must not hold
    the cancel back; if it is still running, it stops at its next check (marker or status).
    """
    with coord.job_lock(js.tenant, job_id):
        job = js.load(job_id)
        if job.status not in ("queued", "ingesting") or js.has("plan.json", job_id):
            return False
        js.save(job.moved("canceled", ErrorInfo(code="canceled", message="canceled by request")))
        telemetry.job_moved(job.status, "canceled")
    js.clear_active(job_id)
    coord.changed(js.tenant, job_id)
    return True


@telemetry.timed("ingest")
def run_ingest(
    ctx: StageContext,
    tenant: str,
    job_id: str,
    *,
    password: str | None = None,
    on_text: Callable[[str], None] | None = None,
) -> DocumentText:
    """Extract the text, its sections and kind; ``on_text`` hears the text as soon as it is
    extracted (the local executor starts tokenizing it there, beside the section search)."""
    js = ctx.jobs(tenant)
    check_cancel(ctx, tenant, job_id)
    job = set_status(ctx, tenant, job_id, "ingesting")
    extracted = ingest(js.document_bytes(job), name=job.name, password=password, limits=ctx.settings.limits,
                       check=cancel_checker(ctx, tenant, job_id))  # fmt: skip
    if on_text is not None:
        on_text(extracted.text)
    doc = DocumentText(
        extracted=extracted, sections=find_sections(extracted.text), kind=detect_kind(extracted.text)
    )
    js.save_text(job_id, doc)
    if extracted.warnings:  # pages unread or read by OCR: pollers (API status, web page) see it now
        add_warnings(ctx, tenant, job_id, [f"{w.code}: {w.message}" for w in extracted.warnings])
    return doc


def add_warnings(ctx: StageContext, tenant: str, job_id: str, warnings: list[str]) -> None:
    """Append to the job record's warnings (each once), under the job's lock."""
    js = ctx.jobs(tenant)
    with ctx.coord.job_lock(tenant, job_id):
        job = js.load(job_id)
        new = [w for w in warnings if w not in job.warnings]
        if new:
            js.save(job.model_copy(update={"warnings": [*job.warnings, *new]}))
    ctx.coord.changed(tenant, job_id)


@telemetry.timed("plan")
def run_plan(
    ctx: StageContext,
    tenant: str,
    job_id: str,
    *,
    doc: DocumentText | None = None,
    ahead: TokenizingAhead | None = None,
) -> SegmentPlan:
    js = ctx.jobs(tenant)
    check_cancel(ctx, tenant, job_id)
    doc = doc or js.load_text(job_id)
    job = js.load(job_id)
    try:
        _, plan = cut_segments(doc.extracted, doc.sections, ctx.settings, ahead=ahead)
    except LongdocError as exc:
        raise exc.with_document(job.name) from None
    # Raises OverBudget (the job is refused up front) when even the cheapest plan is too dear;
    # a job of a batch with a budget pool is not: its segments degrade when the pool is dry.
    batch_id = _batch_of(ctx, tenant, job_id)
    pooled = batch_id if batch_id is not None and ctx.budget_pool(tenant, batch_id) is not None else None
    ratios = calibration.load(ctx.store, tenant).ratios(RoutePolicy().output_ratio)
    routes = plan_routes(doc, plan, job.options, ctx.models(), ctx.settings, spend=ctx.spend_for(tenant),
                         job_id=job_id, budget_pool=pooled, output_ratios=ratios, playbook=job.playbook)  # fmt: skip
    ctx.store.put(keys.job_file(tenant, job_id, "routes.json"), routes.model_dump_json(indent=1).encode())
    js.save_plan(job_id, plan)
    try:
        set_status(ctx, tenant, job_id, "analyzing")
    except JobClosed:  # canceled while planning: give back the reservation just made
        spend = ctx.spend_for(tenant)
        if spend is not None and routes.reserved_usd > 0:
            spend.release(job_id)
        raise
    return plan


SegmentDispatch = Callable[[int, SegmentPlan, RoutingPlan], None]


@telemetry.timed("plan")
def run_plan_streamed(
    ctx: StageContext,
    tenant: str,
    job_id: str,
    *,
    doc: DocumentText,
    dispatch: SegmentDispatch,
    ahead: TokenizingAhead | None = None,
) -> tuple[SegmentPlan, RoutingPlan]:
    """``run_plan`` that hands each segment to ``dispatch`` as soon as it is routed, so the
    first model request leaves while later segments are still being routed.

    A job whose plan must be whole before anything runs (a daily cap reserves the job's total
    estimate; a job budget may refuse the job up front) is planned first, then dispatched.
    ``routes.json`` then ``plan.json`` are written once every segment is routed (readers take
    plan.json as the sign that routes.json is there); until then ``dispatch`` passes the
    routes in memory (``run_segment(routes=...)``).
    """
    js = ctx.jobs(tenant)
    check_cancel(ctx, tenant, job_id)
    job = js.load(job_id)
    if job.options.model not in ("rules", "auto"):
        # The pinned model's client (httpx client, TLS context) is built beside the planning below:
        # loading the CA certificates leaves the GIL, so most of it costs the first request nothing.
        threading.Thread(
            target=_build_client, args=(ctx, job.options.model), name="llm-client", daemon=True
        ).start()
    batch_id = _batch_of(ctx, tenant, job_id)
    pooled = batch_id if batch_id is not None and ctx.budget_pool(tenant, batch_id) is not None else None
    if ctx.spend_for(tenant) is not None or (job.options.budget_usd is not None and pooled is None):
        plan = run_plan(ctx, tenant, job_id, doc=doc, ahead=ahead)
        routes = load_routes(ctx, tenant, job_id)
        assert routes is not None
        for i in range(len(plan.segments)):
            dispatch(i, plan, routes)
        return plan, routes
    try:
        _, plan = cut_segments(doc.extracted, doc.sections, ctx.settings, ahead=ahead)
    except LongdocError as exc:
        raise exc.with_document(job.name) from None
    ratios = calibration.load(ctx.store, tenant).ratios(RoutePolicy().output_ratio)
    policy, preamble = prepare_routing(doc, plan, job.options, ctx.settings, budget_pool=pooled,
                                       output_ratios=ratios, playbook=job.playbook)  # fmt: skip
    registry = ctx.models()
    routes = RoutingPlan(preamble=preamble, decisions=[], estimated_usd=0.0, boundary=policy.boundary,
                         budget_pool=pooled)  # fmt: skip
    set_status(ctx, tenant, job_id, "analyzing")
    for i in range(len(plan.segments)):
        # Appended before dispatch: a segment reads only its own decision, already there.
        routes.decisions.append(route_one(doc, i, plan, registry, policy))
        dispatch(i, plan, routes)
    if not any(d.model != "rules" for d in routes.decisions):
        routes.preamble = ""
    routes.estimated_usd = round(sum(d.estimated_usd for d in routes.decisions), 6)
    ctx.store.put(keys.job_file(tenant, job_id, "routes.json"), routes.model_dump_json(indent=1).encode())
    js.save_plan(job_id, plan)
    return plan, routes


def _build_client(ctx: StageContext, model: str) -> None:
    """Build ``model``'s client ahead of its first use; a failure is left to that use to report."""
    try:
        llms = ctx.models().llms
        if model in llms:
            llms[model].provider.client  # noqa: B018 - LazyLLMs builds the analyzer, this its SDK client
    except Exception:  # noqa: BLE001, S110 - the segment that needs the client builds it again and reports
        pass


def _batch_of(ctx: StageContext, tenant: str, job_id: str) -> str | None:
    key = keys.job_file(tenant, job_id, "batch.json")
    if not ctx.store.exists(key):
        return None
    raw = ctx.store.get_json(key)
    batch = raw.get("batch_id") if isinstance(raw, dict) else None
    return batch if isinstance(batch, str) else None


def segment_budget(
    ctx: StageContext, tenant: str, job_id: str, routes: RoutingPlan | None
) -> SegmentBudget | None:
    """The pool a job's calls reserve from; one that refuses everything when the job was planned
    on a pool this process cannot find (fail closed: its segments run on rules)."""
    if routes is None or routes.budget_pool is None:
        return None
    pool = ctx.budget_pool(tenant, routes.budget_pool) or ClosedPool()
    return SegmentBudget(pool=pool, job_id=job_id)


def load_routes(ctx: StageContext, tenant: str, job_id: str) -> RoutingPlan | None:
    key = keys.job_file(tenant, job_id, "routes.json")
    return RoutingPlan.model_validate_json(ctx.store.get(key)) if ctx.store.exists(key) else None


def run_segment(
    ctx: StageContext,
    tenant: str,
    job_id: str,
    index: int,
    *,
    doc: DocumentText | None = None,
    plan: SegmentPlan | None = None,
    model: str = "rules",
    routes: RoutingPlan | None = None,
    context: SegmentContext | None = None,
) -> SegmentAnalysis:
    """Analyze one segment. Idempotent: an existing result is returned, never redone.

    ``routes`` (else routes.json) and ``context`` (else built from ``doc``) let an executor
    holding them skip the reads and the whole-document scans.

    A failure is written as a result carrying its error, so consolidation always runs.
    ``Canceled`` when the job's cancel marker is present (checked before the model call).
    """
    js = ctx.jobs(tenant)
    key = js.segment_key(job_id, index)
    if ctx.store.exists(key):
        return SegmentAnalysis.model_validate_json(ctx.store.get(key))
    doc = doc or js.load_text(job_id)
    plan = plan or js.load_plan(job_id)
    seg = plan.segments[index]
    task = SegmentTask(
        segment=index,
        text=doc.extracted.text[seg.char_start : seg.char_end],
        base_offset=seg.char_start,
        kind=doc.kind,
        locator=context.locator if context else Locator.for_text(doc.extracted, doc.sections),
        document_starts=context.document_starts if context else _document_starts(doc.extracted.text),
    )
    check_cancel(ctx, tenant, job_id)
    # One audit record per model call, written before the call: counts attempts even when
    # the worker dies mid-call (pid: which process made it).
    audit_key = keys.audit(tenant, job_id, f"segment-{index:05d}-{now_compact()}-{secrets.token_hex(4)}.json")
    started = {"segment": index, "model": model, "started_at": now(), "kind": "call", "pid": os.getpid()}
    ctx.store.put_json(audit_key, started)
    ctx.coord.changed(tenant, job_id)
    routes = routes or load_routes(ctx, tenant, job_id)

    def canceled_waiting() -> None:  # the record must not claim a call that was never made
        ctx.store.put_json(audit_key, {**started, "canceled": "waiting_for_call_slot"})

    slot = _slot_then_check(context, ctx, tenant, job_id, canceled_waiting) if context else None
    try:
        result = _analyze(ctx, tenant, job_id, task, routes, model, call_slot=slot)
    except Canceled:
        raise  # canceled while this segment waited for a call slot: no call, no result
    except LongdocError as exc:
        result = _failed(index, model, exc.code, exc.message)
    except BaseException as exc:  # noqa: BLE001 - one bad segment (even a native panic) must not lose the others
        if isinstance(exc, INTERRUPTS):
            raise
        result = _failed(index, model, "analysis_failed", _describe(exc))
    ctx.store.put(key, result.model_dump_json().encode())
    telemetry.segment_done(result.model, result.status)
    ctx.coord.changed(tenant, job_id)
    if ctx.shadow is not None:  # in the background; never raises, never waited for
        ctx.shadow.offer(tenant, job_id, task, result, routes)
    return result


@dataclass(frozen=True)
class SegmentContext:
    """What every segment task of one document shares (built once per job)."""

    locator: Locator
    document_starts: tuple[int, ...]
    # Set once a segment of the job has sent its model request (or its analysis ended without
    # one, rules): see LocalExecutor.run.
    calling: threading.Event = field(default_factory=threading.Event, compare=False, repr=False)
    # The executor's analyses in flight (model calls, rules passes); None: no limit here.
    slots: threading.BoundedSemaphore | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, doc: DocumentText, *, slots: threading.BoundedSemaphore | None = None) -> SegmentContext:
        return cls(Locator.for_text(doc.extracted, doc.sections), _document_starts(doc.extracted.text),
                   slots=slots)  # fmt: skip

    @contextmanager
    def call_slot(self) -> Iterator[None]:
        """Around one segment's analysis: holds a slot while it runs, and says it began once its
        model request is sent (written to the connection), or once it ends without one (rules)."""
        with self.slots if self.slots is not None else nullcontext():
            try:
                with on_request(self.calling.set):
                    yield
            finally:
                self.calling.set()


def _slot_then_check(
    context: SegmentContext, ctx: StageContext, tenant: str, job_id: str, on_cancel: Callable[[], None]
) -> Callable[[], AbstractContextManager[None]]:
    """The segment's call slot, then a cancel check: a segment that waited for a slot while the
    job was canceled makes no model call (it passed its first check before the wait), and
    ``on_cancel`` says so."""

    @contextmanager
    def slot() -> Iterator[None]:
        with context.call_slot():
            try:
                check_cancel(ctx, tenant, job_id)
            except Canceled:
                on_cancel()
                raise
            yield

    return slot


def _document_starts(text: str) -> tuple[int, ...]:
    """First visible character of every document after a document break."""
    out = []
    for d in find_document_breaks(text):
        m = _VISIBLE.search(text, d)
        if m:
            out.append(m.start())
    return tuple(out)


_VISIBLE = re.compile(r"\S")


@telemetry.timed("analyze")
def _analyze(
    ctx: StageContext,
    tenant: str,
    job_id: str,
    task: SegmentTask,
    routes: RoutingPlan | None,
    model: str,
    call_slot: Callable[[], AbstractContextManager[object]] | None = None,
) -> SegmentAnalysis:
    decision = routes.decisions[task.segment] if routes else None
    if routes is None or decision is None or (decision.model == model == "rules" and not decision.fallback):
        with call_slot() if call_slot is not None else nullcontext():
            return ctx.analyzers[model].analyze(task)
    registry = ctx.models()
    # LLMs give a verdict per playbook rule: the job's own playbook (else the shipped one).
    playbook = (
        (ctx.jobs(tenant).load(job_id).playbook or default_playbook()) if task.kind == "contract" else None
    )
    task = replace(task, preamble=routes.preamble, playbook=playbook)
    index = task.segment

    def sink(record: dict[str, object]) -> None:
        name = f"llm-{index:05d}-{now_compact()}-{secrets.token_hex(4)}.json"
        ctx.store.put_json(keys.audit(tenant, job_id, name), {"segment": index, **record})

    with audit_to(sink, redact=ctx.settings.routing.audit_redact), telemetry.tenant(tenant):
        result = analyze_routed(task, decision, ctx.analyzers, registry.llms, ctx.store,
                                tenant=tenant, unavailable=registry.unavailable,
                                budget=segment_budget(ctx, tenant, job_id, routes), job_id=job_id,
                                quality=registry.quality, call_slot=call_slot)  # fmt: skip
    extra = charge(ctx, tenant, result.usage.cost_usd, job_id)
    if extra:
        result = result.model_copy(update={"warnings": [*result.warnings, *extra]})
    return result


def charge(ctx: StageContext, tenant: str, usd: float, job_id: str | None = None) -> list[AnalysisWarning]:
    """Count ``usd`` against the tenant's daily cap (and the job's reservation); its alerts (or
    the failure) as job warnings."""
    spend = ctx.spend_for(tenant)
    if spend is None:
        return []
    try:
        return [AnalysisWarning(code="spend_alert", message=a) for a in spend.record(usd, job_id)]
    except StorageError as exc:  # the model call is paid for: keep its result
        return [AnalysisWarning(code="spend_unrecorded", message=exc.message)]


def record_segment_failure(
    ctx: StageContext, tenant: str, job_id: str, index: int, exc: Exception, *, model: str = "rules"
) -> SegmentAnalysis:
    """Write a failed result for a segment whose task gave up (unless a result exists)."""
    key = ctx.jobs(tenant).segment_key(job_id, index)
    if ctx.store.exists(key):
        return SegmentAnalysis.model_validate_json(ctx.store.get(key))
    code = exc.code if isinstance(exc, LongdocError) else "analysis_failed"
    result = _failed(index, model, code, f"{type(exc).__name__}: {exc}")
    ctx.store.put(key, result.model_dump_json().encode())
    telemetry.segment_done(result.model, result.status)
    ctx.coord.changed(tenant, job_id)
    return result


def _failed(index: int, model: str, code: str, message: str) -> SegmentAnalysis:
    return SegmentAnalysis(
        segment=index, model=model, status="failed", error=SegmentError(code=code, message=message)
    )


@telemetry.timed("consolidate")
def run_consolidate(
    ctx: StageContext,
    tenant: str,
    job_id: str,
    *,
    doc: DocumentText | None = None,
    plan: SegmentPlan | None = None,
    analyses: list[SegmentAnalysis] | None = None,
) -> Report:
    """Merge the segment results and write the report (``Canceled``: see ``cancel_job``)."""
    check_cancel(ctx, tenant, job_id)
    set_status(ctx, tenant, job_id, "consolidating")
    report = _write_report(ctx, tenant, job_id, doc=doc, plan=plan, analyses=analyses)
    learn_output_ratios(ctx, tenant, job_id)
    held_for_signoff = report.review is not None and not report.review.final
    set_status(ctx, tenant, job_id, "awaiting_review" if held_for_signoff else "succeeded")
    return report


def learn_output_ratios(ctx: StageContext, tenant: str, job_id: str) -> None:
    """Add the job's answered segments (audit lines) to the tenant's output-ratio calibration."""
    records: list[dict[str, object]] = []
    for key in ctx.store.list(keys.job_prefix(tenant, job_id) + "audit/llm-"):
        raw = ctx.store.get_json(key)
        if isinstance(raw, dict) and "segment_tokens" in raw:
            records.append(raw)
    if records:
        try:
            calibration.update(ctx.store, tenant, records)
        except StorageError as exc:  # a calibration missed is no reason to fail the job
            log.warning("output-ratio calibration not updated for job %s: %s", job_id, exc)


# What run_consolidate imports where it uses them (_write_report, routes.synthesis_for): kept
# off the path to a job's first model request.
CONSOLIDATION_MODULES = ("pipeline.consolidate.merge", "pipeline.report.markdown", "pipeline.report.signoff",
                         "pipeline.consolidate.synthesis")  # fmt: skip


def preload_consolidation() -> None:
    """Import what consolidation needs ahead of it (e.g. while segment requests are in flight)."""
    for module in CONSOLIDATION_MODULES:
        import_module(module)


def _write_report(
    ctx: StageContext,
    tenant: str,
    job_id: str,
    *,
    doc: DocumentText | None,
    plan: SegmentPlan | None,
    analyses: list[SegmentAnalysis] | None,
) -> Report:
    # Imported here: consolidation and the report modules are not needed before a first request.
    from pipeline.consolidate.merge import consolidate
    from pipeline.report.markdown import render_markdown
    from pipeline.report.signoff import held, marked

    js = ctx.jobs(tenant)
    job = js.load(job_id)
    doc = doc or js.load_text(job_id)
    plan = plan or js.load_plan(job_id)
    if analyses is None:
        analyses = [
            SegmentAnalysis.model_validate_json(ctx.store.get(k))
            for k in ctx.store.list(keys.job_prefix(tenant, job_id) + "segments/")
        ]
    report = consolidate(
        doc.extracted, doc.sections, plan, analyses, name=job.name, sha256=job.sha256, kind=doc.kind,
        playbook=job.playbook,
    )  # fmt: skip
    review = ctx.settings.review
    if n := held(
        report.review, job.options.error_cost_usd, review.hold_error_cost_usd, review.signoff_severity
    ):
        assert report.review is not None  # held() counts items of a review only
        report = report.model_copy(update={"review": marked(report.review, n)})

    def sink(record: dict[str, object]) -> None:
        name = f"llm-synthesis-{now_compact()}-{secrets.token_hex(4)}.json"
        ctx.store.put_json(
            keys.audit(tenant, job_id, name), {"segment": None, "stage": "synthesis", **record}
        )

    routes = load_routes(ctx, tenant, job_id)
    with audit_to(sink, redact=ctx.settings.routing.audit_redact), telemetry.tenant(tenant):
        report = synthesis_for(
            report,
            routes,
            ctx.models(),
            ctx.store,
            segment_budget(ctx, tenant, job_id, routes),
            tenant=tenant,
            job_id=job_id,
        )
    extra = charge(ctx, tenant, report.synthesis.usage.cost_usd if report.synthesis else 0.0, job_id)
    if extra:
        report = report.model_copy(update={"warnings": [*report.warnings, *extra]})
    ctx.store.put(keys.job_file(tenant, job_id, "report.json"), report.model_dump_json(indent=1).encode())
    ctx.store.put(keys.job_file(tenant, job_id, "report.md"), render_markdown(report).encode())
    return report


def _end_canceled(ctx: StageContext, tenant: str, job_id: str, report: Report | None) -> JobRecord:
    done = f"; {report.summary.segments - report.summary.segments_failed} of {report.summary.segments} " \
        "segment(s) analyzed, partial report written" if report else ""  # fmt: skip
    return set_status(
        ctx,
        tenant,
        job_id,
        "canceled",
        ErrorInfo(code="canceled", message="canceled by request" + done),
        spent_usd=report.summary.cost_usd if report else None,
    )


def cancel_job(ctx: StageContext, tenant: str, job_id: str) -> JobRecord:
    """End a job whose cancel marker was seen, keeping a partial report when it was planned."""
    js = ctx.jobs(tenant)
    job = js.load(job_id)
    if job.status in TERMINAL:
        return job
    report = None
    if js.has("plan.json", job_id) and js.has("text.json", job_id):
        report = _write_report(ctx, tenant, job_id, doc=None, plan=None, analyses=None)
    return _end_canceled(ctx, tenant, job_id, report)


def fail_job(ctx: StageContext, tenant: str, job_id: str, exc: LongdocError) -> JobRecord:
    if isinstance(exc, Canceled):
        return cancel_job(ctx, tenant, job_id)
    return set_status(ctx, tenant, job_id, "failed", ErrorInfo(code=exc.code, message=exc.message))
