"""Shadow evaluation: a candidate model answers a sample of real segments, nobody sees it.

A segment is sampled when a hash of (job, segment) falls under ``LONGDOC_SHADOW_SHARE``, so a
rerun samples the same segments. Once the primary result of a sampled segment is written, the
candidate is called in the background (a bounded thread pool here; a task on the ``shadow``
queue with Celery): the job never waits for it, and nothing the candidate answers or fails
reaches the job's segments, report or status. Each answer is stored beside the primary's for
the same segment, with latency, tokens, USD and validity, at
``{tenant}/shadow/{candidate}/{job}/{segment}.json`` (linked to the job: erasing the job erases
it). ``longdoc shadow report`` reads them back (``summarize``).

Shadow spend is its own ledger with its own daily cap (``LONGDOC_SHADOW_CAP_USD``), apart from
tenants' caps and jobs' budgets. Each call first reserves its estimate (the spend module's
reserve/record/release; in Redis when Redis is configured, in memory otherwise); a call that
does not fit is not made, so sampling stops at the cap.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import ValidationError

from chunking.tokenizer import count_tokens
from pipeline.analyze.base import SegmentTask
from pipeline.analyze.categories import CATEGORIES
from pipeline.analyze.llm import UsageMeter, build_messages, to_analysis
from pipeline.analyze.playbook import default_playbook
from pipeline.config import Settings, ShadowConfig
from pipeline.errors import InvalidOutput, LongdocError
from pipeline.jobs.routes import RoutingPlan
from pipeline.jobs.store import JobStore
from pipeline.routing.budget import RESERVE_MARGIN
from pipeline.routing.catalog import ModelSpec
from pipeline.routing.router import within
from pipeline.types import SegmentAnalysis
from storage import keys
from storage.base import ObjectStore

if TYPE_CHECKING:
    import redis

    from pipeline.analyze.registry import ModelRegistry

log = logging.getLogger("longdoc.shadow")


def shadow_prefix(tenant: str, candidate: str | None = None) -> str:
    base = f"{keys.check_part(tenant, 'tenant')}/shadow/"
    return base if candidate is None else base + keys.check_part(candidate, "model id") + "/"


def shadow_key(tenant: str, candidate: str, job_id: str, segment: int) -> str:
    return shadow_prefix(tenant, candidate) + f"{keys.check_part(job_id, 'job id')}/{int(segment):05d}.json"


def sampled(job_id: str, segment: int, share: float) -> bool:
    """Whether (job, segment) is in the sample: a hash, so the same segments on every run."""
    if share <= 0.0:
        return False
    digest = hashlib.sha256(f"{job_id}\x00{segment}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2.0**64 < share


class Ledger(Protocol):
    """The shadow spend ledger: the subset of ``pipeline.routing.spend.SpendGuard`` used here."""

    cap_usd: float

    def reserve(self, job_id: str, usd: float) -> tuple[bool, float]: ...
    def record(self, usd: float, job_id: str | None = None) -> list[str]: ...
    def release(self, job_id: str) -> None: ...
    def spent(self) -> float: ...


class MemoryLedger:
    """Today's shadow spend and reservations in this process (no Redis configured)."""

    def __init__(self, cap_usd: float) -> None:
        self.cap_usd = cap_usd
        self._lock = threading.Lock()
        self._day = ""
        self._spent = 0.0
        self._held: dict[str, float] = {}

    def _roll(self) -> None:
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        if day != self._day:
            self._day, self._spent, self._held = day, 0.0, {}

    def reserve(self, job_id: str, usd: float) -> tuple[bool, float]:
        with self._lock:
            self._roll()
            committed = self._spent + sum(v for k, v in self._held.items() if k != job_id)
            if committed + usd > self.cap_usd:
                return False, committed
            self._held[job_id] = usd
            return True, committed

    def record(self, usd: float, job_id: str | None = None) -> list[str]:
        with self._lock:
            self._roll()
            self._spent += usd
            if job_id is not None and job_id in self._held:
                self._held[job_id] = max(0.0, self._held[job_id] - usd)
        return []

    def release(self, job_id: str) -> None:
        with self._lock:
            self._held.pop(job_id, None)

    def spent(self) -> float:
        with self._lock:
            self._roll()
            return self._spent


def redis_ledger(settings: Settings, client: redis.Redis | None = None) -> Ledger:
    """The spend module's daily ledger (Lua reserve, INCRBYFLOAT record) under its own keys."""
    from pipeline.routing.spend import SpendGuard, spend_client

    class ShadowGuard(SpendGuard):
        def _alerts(self, key: str, total: float) -> list[str]:
            # The tenant cap's alerts speak of degrading jobs; the shadow cap only stops sampling.
            if total >= self.cap_usd and self.redis.set(f"{key}:alert:100", "1", nx=True, ex=3 * 24 * 3600):
                log.warning(
                    "shadow spend $%.2f reached its $%.2f daily cap: sampling stops", total, self.cap_usd
                )
            return []

    cfg = settings.shadow
    assert cfg.candidate is not None
    return ShadowGuard(client or spend_client(settings), cfg.candidate, cfg.cap_usd, prefix="longdoc:shadow")


def make_ledger(settings: Settings, client: redis.Redis | None = None) -> Ledger:
    """Redis (a client given, LONGDOC_SHADOW_LEDGER=redis, or auto with Celery), else memory."""
    kind = settings.shadow.ledger
    if client is not None or kind == "redis" or (kind == "auto" and settings.execution.executor == "celery"):
        return redis_ledger(settings, client)
    return MemoryLedger(settings.shadow.cap_usd)


def _findings(a: SegmentAnalysis) -> list[dict[str, Any]]:
    return [{"category": f.category, "start": f.start, "end": f.end, "confidence": f.confidence}
            for f in a.findings]  # fmt: skip


def _verdicts(a: SegmentAnalysis) -> list[dict[str, Any]]:
    return [{"rule": v.rule, "status": v.status, "answer": v.answer} for v in a.verdicts]


@dataclass
class ShadowCounts:
    """What this process did with the segments offered (tests and benches read it)."""

    offered: int = 0
    sampled: int = 0
    dropped: int = 0  # the background queue was full
    capped: int = 0  # the call did not fit under the shadow cap
    done: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str) -> None:
        with self._lock:  # offered from every segment thread at once
            setattr(self, name, getattr(self, name) + 1)


@dataclass
class ShadowRunner:
    """Sends sampled segments to the candidate off the job's path and stores what it answers."""

    config: ShadowConfig
    settings: Settings
    store: ObjectStore
    models: Callable[[], ModelRegistry]
    ledger: Ledger
    # Set by the Celery runtime: the call runs as a task on the shadow queue instead.
    send: Callable[[str, str, int], None] | None = None
    counts: ShadowCounts = field(default_factory=ShadowCounts)
    _pool: ThreadPoolExecutor | None = None
    _slots: threading.BoundedSemaphore | None = None
    _idle: threading.Condition = field(default_factory=threading.Condition)
    _running: int = 0

    @classmethod
    def from_settings(
        cls, settings: Settings, store: ObjectStore, models: Callable[[], ModelRegistry]
    ) -> ShadowRunner | None:
        cfg = settings.shadow
        if not cfg.candidate or cfg.share <= 0.0:
            return None
        return cls(cfg, settings, store, models, make_ledger(settings))

    @property
    def candidate(self) -> str:
        assert self.config.candidate is not None
        return self.config.candidate

    def offer(
        self,
        tenant: str,
        job_id: str,
        task: SegmentTask,
        primary: SegmentAnalysis,
        routes: RoutingPlan | None,
    ) -> bool:
        """Called on the job's path once a segment's result is written: cheap, never raises."""
        try:
            self.counts.add("offered")
            if primary.status == "failed" or not sampled(job_id, task.segment, self.config.share):
                return False
            self.counts.add("sampled")
            if self.send is not None:
                self.send(tenant, job_id, task.segment)
                return True
            if self._slots is None:
                self._slots = threading.BoundedSemaphore(self.config.max_pending)
                self._pool = ThreadPoolExecutor(max_workers=self.config.workers, thread_name_prefix="shadow")
            if not self._slots.acquire(blocking=False):
                self.counts.add("dropped")
                return False
            assert self._pool is not None
            with self._idle:
                self._running += 1
            self._pool.submit(self._background, tenant, job_id, task, primary, routes)
            return True
        except Exception as exc:  # noqa: BLE001 - the shadow never touches the primary job
            log.warning("shadow: segment %s of %s/%s not offered: %s", task.segment, tenant, job_id, exc)
            return False

    def _background(
        self,
        tenant: str,
        job_id: str,
        task: SegmentTask,
        primary: SegmentAnalysis,
        routes: RoutingPlan | None,
    ) -> None:
        try:
            self.run(tenant, job_id, task, primary, routes)
        except BaseException as exc:  # noqa: BLE001 - a shadow thread must never die loudly
            log.warning("shadow: segment %s of %s/%s: %s", task.segment, tenant, job_id, exc)
        finally:
            assert self._slots is not None
            self._slots.release()
            with self._idle:
                self._running -= 1
                self._idle.notify_all()

    def drain(self, timeout_s: float | None = None) -> bool:
        """Wait for the background calls (a CLI run before it exits); True when none is left."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        with self._idle:
            while self._running:
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def run(
        self,
        tenant: str,
        job_id: str,
        task: SegmentTask,
        primary: SegmentAnalysis,
        routes: RoutingPlan | None,
    ) -> dict[str, Any] | None:
        """Call the candidate for one segment and store the comparison; None when not called."""
        key = shadow_key(tenant, self.candidate, job_id, task.segment)
        if self.store.exists(key):
            return None  # a rerun, or a redelivered task: sampled once
        if self.store.exists(keys.tombstone(tenant, job_id)):
            return None  # erased while the call waited: its text goes to no model any more
        decision = routes.decisions[task.segment] if routes and task.segment < len(routes.decisions) else None
        llm = self.models().llms.get(self.candidate)
        if decision is None or llm is None:
            log.warning("shadow: %s cannot be called (%s)", self.candidate,
                        "not available" if llm is None else "segment has no route")  # fmt: skip
            return None
        if not within(decision.boundary, llm.spec):  # the job's data policy binds the shadow too
            return None
        playbook = None
        if task.kind == "contract":
            playbook = JobStore(self.store, tenant).load(job_id).playbook or default_playbook()
        task = replace(task, preamble=routes.preamble if routes else "", playbook=playbook)
        usd = worst_case_usd(llm.spec, task, self.settings.routing.output_reserve_tokens)
        hold = f"{tenant}/{job_id}/{task.segment}"
        try:
            fits, _ = self.ledger.reserve(hold, usd)
        except LongdocError as exc:  # the ledger is unreachable: spend unknown, so no call
            log.warning("shadow: not called, %s", exc.message)
            return None
        if not fits:
            self.counts.add("capped")
            return None
        meter = UsageMeter()
        status, error, candidate = "ok", None, None
        started = time.monotonic()
        try:
            out = llm.raw_output(task, meter)
            candidate, _ = to_analysis(task, self.candidate, out)
        except InvalidOutput as exc:
            status, error = "invalid", exc.message[:300]
        except (LongdocError, ValidationError) as exc:
            status, error = "error", str(exc)[:300]
        finally:
            seconds = time.monotonic() - started
            try:
                self.ledger.record(meter.cost_usd, hold)
            except LongdocError as exc:
                log.warning("shadow: $%.6f not recorded: %s", meter.cost_usd, exc.message)
            self.ledger.release(hold)
        rules = playbook.rules if playbook else []
        record: dict[str, Any] = {
            "tenant": tenant, "job_id": job_id, "segment": task.segment, "candidate": self.candidate,
            "primary_model": primary.model, "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "status": status, "error": error,
            "first_try_valid": status == "ok" and meter.invalid_first == 0,
            "latency_s": round(seconds, 4), "calls": meter.calls, "prompt_tokens": meter.prompt_tokens,
            "completion_tokens": meter.completion_tokens, "reasoning_tokens": meter.reasoning_tokens,
            "usd": round(meter.cost_usd, 8), "reserved_usd": round(usd, 8), "segment_tokens": decision.segment_tokens,
            "rule_categories": {r.id: r.category for r in rules},
            "primary": {"findings": _findings(primary), "verdicts": _verdicts(primary)},
            "candidate_output": None if candidate is None else
            {"findings": _findings(candidate), "verdicts": _verdicts(candidate)},
        }  # fmt: skip
        self.store.put_linked(tenant, job_id, key, json.dumps(record, indent=1).encode())
        self.counts.add("done")
        return record


def worst_case_usd(spec: ModelSpec, task: SegmentTask, output_reserve: int) -> float:
    """The most one shadow call can cost: its prompt (with a margin for the schema) and a full
    output, twice (the repair request). Reserved before the call, so spend never passes the cap."""
    messages = build_messages(task)
    prompt = sum(count_tokens(m["content"]) for m in messages) + 8 * len(messages)
    return 2 * spec.cost_usd(int(prompt * RESERVE_MARGIN) + 2000, min(output_reserve, spec.max_output))


# ---- the report (`longdoc shadow report`) ----


def load_records(store: ObjectStore, tenant: str, candidate: str | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for key in store.list(shadow_prefix(tenant, candidate)):
        if not key.endswith(".json"):
            continue
        raw = store.get_json(key)
        if isinstance(raw, dict) and isinstance(raw.get("candidate"), str):
            out.append(raw)
    return out


def percentile(values: Iterable[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100); None for no values."""
    xs = sorted(values)
    if not xs:
        return None
    return xs[max(0, math.ceil(p / 100 * len(xs)) - 1)]


@dataclass
class CategoryAgreement:
    category: str
    segments: int = 0  # sampled segments the candidate answered validly
    primary_found: int = 0
    candidate_found: int = 0
    agree: int = 0
    verdicts: int = 0  # rule verdicts both gave for a segment
    verdicts_agree: int = 0

    @property
    def agreement(self) -> float | None:
        return self.agree / self.segments if self.segments else None

    @property
    def verdict_agreement(self) -> float | None:
        return self.verdicts_agree / self.verdicts if self.verdicts else None


@dataclass
class ShadowSummary:
    candidate: str
    sampled: int
    ok: int
    invalid: int
    errors: int
    first_try_invalid: int
    latency_p50_s: float | None
    latency_p95_s: float | None
    usd_total: float
    usd_today: float
    usd_per_segment: float | None
    categories: list[CategoryAgreement]
    primary_models: list[str]

    @property
    def invalid_rate(self) -> float | None:
        """Answers that stayed invalid after the repair request, among those that came back."""
        answered = self.ok + self.invalid
        return self.invalid / answered if answered else None

    @property
    def first_try_invalid_rate(self) -> float | None:
        answered = self.ok + self.invalid
        return self.first_try_invalid / answered if answered else None


def summarize(records: list[dict[str, Any]], candidate: str) -> ShadowSummary:
    """Agreement per CUAD category (same category found / not found in the segment; for verdicts,
    the same status for the same rule) and the candidate's latency, cost and validity."""
    mine = [r for r in records if r.get("candidate") == candidate]
    cats = {c: CategoryAgreement(c) for c in CATEGORIES}
    today = datetime.now(UTC).strftime("%Y-%m-%d")
    for r in mine:
        cand = r.get("candidate_output")
        if r.get("status") != "ok" or not isinstance(cand, dict):
            continue
        prim = r.get("primary") or {}
        p_found = {f["category"] for f in prim.get("findings", [])}
        c_found = {f["category"] for f in cand.get("findings", [])}
        for c, agg in cats.items():
            agg.segments += 1
            agg.primary_found += c in p_found
            agg.candidate_found += c in c_found
            agg.agree += (c in p_found) == (c in c_found)
        p_verdicts = {v["rule"]: v["status"] for v in prim.get("verdicts", [])}
        c_verdicts = {v["rule"]: v["status"] for v in cand.get("verdicts", [])}
        rule_cats: dict[str, str] = r.get("rule_categories") or {}
        for rule in p_verdicts.keys() & c_verdicts.keys():
            vagg = cats.get(rule_cats.get(rule, ""))
            if vagg is not None:
                vagg.verdicts += 1
                vagg.verdicts_agree += p_verdicts[rule] == c_verdicts[rule]
    called = [r for r in mine if r.get("calls", 0) > 0 or r.get("status") == "ok"]
    usd_total = sum(float(r.get("usd", 0.0)) for r in mine)
    return ShadowSummary(
        candidate=candidate,
        sampled=len(mine),
        ok=sum(r.get("status") == "ok" for r in mine),
        invalid=sum(r.get("status") == "invalid" for r in mine),
        errors=sum(r.get("status") == "error" for r in mine),
        first_try_invalid=sum(
            not r.get("first_try_valid") for r in mine if r.get("status") in ("ok", "invalid")
        ),
        latency_p50_s=percentile((float(r["latency_s"]) for r in called), 50),
        latency_p95_s=percentile((float(r["latency_s"]) for r in called), 95),
        usd_total=usd_total,
        usd_today=sum(float(r.get("usd", 0.0)) for r in mine if str(r.get("at", "")).startswith(today)),
        usd_per_segment=usd_total / len(called) if called else None,
        categories=list(cats.values()),
        primary_models=sorted({str(r.get("primary_model")) for r in mine}),
    )
