"""Run a segment through its route: cache, primary model, fallback chain, then `rules`.

No job fails because a provider is down: when every LLM in the chain fails, the offline
`rules` model analyzes the segment and the result is marked ``degraded`` with the reasons.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from pipeline import telemetry
from pipeline.analyze.base import Analyzer, SegmentTask
from pipeline.analyze.injection import FRAME_VERSION, with_injection_flags
from pipeline.analyze.llm import LLMAnalyzer, UsageMeter, checked_analysis, to_analysis
from pipeline.analyze.llm_schema import PAPER_PROMPT_VERSION, PROMPT_VERSION, output_model, playbook_prompt
from pipeline.errors import Canceled, JobClosed, LongdocError
from pipeline.routing.budget import RESERVE_MARGIN, BudgetPool
from pipeline.routing.quality import Outcome, QualityMonitor
from pipeline.routing.router import RULES, RouteDecision, within
from pipeline.types import SCHEMA_VERSION, AnalysisWarning, SegmentAnalysis
from storage import keys
from storage.base import ObjectStore

AuditFn = Callable[[dict[str, Any]], None]


def cache_key(text: str, model: str, tenant: str, rules: str = "") -> str:
    """Content address of a model's answer, scoped to one tenant: a tenant never reads another's
    answer, so whether (and how fast) a text was analyzed before is no oracle across tenants.
    ``rules`` (``playbook_prompt``): verdicts answer one playbook's rules."""
    h = hashlib.sha256()
    for part in (tenant, text, model, PROMPT_VERSION, FRAME_VERSION, str(SCHEMA_VERSION), rules):
        h.update(part.encode())
        h.update(b"\x00")
    return h.hexdigest()


def put_cached(store: ObjectStore, tenant: str, job_id: str | None, key: str, data: bytes) -> None:
    """Write a cached answer; linked to the job that wrote it when there is one (erase finds it)."""
    if job_id is None:
        store.put(key, data)
    else:
        store.put_linked(tenant, job_id, key, data)


@dataclass(frozen=True)
class SegmentBudget:
    """The batch pool a job's segments reserve from (``pipeline.routing.budget``)."""

    pool: BudgetPool
    job_id: str


def analyze_routed(
    task: SegmentTask,
    decision: RouteDecision,
    analyzers: dict[str, Analyzer],
    llms: dict[str, LLMAnalyzer],
    store: ObjectStore | None,
    *,
    tenant: str,
    audit: AuditFn | None = None,
    unavailable: dict[str, str] | None = None,
    budget: SegmentBudget | None = None,
    job_id: str | None = None,
    quality: QualityMonitor | None = None,
    call_slot: Callable[[], AbstractContextManager[object]] | None = None,
) -> SegmentAnalysis:
    """The segment's analysis by the first model of the route that answers; whichever it is,
    suspected prompt injections in the text are flagged by the offline guard.

    With ``job_id``, every cached answer the job writes or reads is linked to it (``put_linked``),
    so erasing the job erases those answers too. Each model call (with its retries and repair) is
    made inside ``call_slot()``: the executor's limit on calls in flight."""
    record = audit or (lambda _r: None)
    meter = UsageMeter()
    problems: list[str] = []
    refused_budget = outside = False
    for model in [decision.model, *decision.fallback]:
        if model == RULES:
            result = with_injection_flags(task, analyzers[RULES].analyze(task))
            if decision.model == RULES:
                return result
            # Why rules: the pool had no room, or the boundary kept out models that could run.
            reason = (
                "budget"
                if refused_budget
                else "boundary"
                if (outside or decision.held_back)
                else "models_failed"
            )
            if reason == "boundary":
                problems.append(f"data boundary {decision.boundary} held: not tried "
                                f"{', '.join(decision.held_back) or 'models outside it'}")  # fmt: skip
            record({"segment": task.segment, "model": RULES, "degraded": reason})
            return result.model_copy(update={
                "status": "degraded", "degraded_reason": reason, "usage": meter.usage(),
                "warnings": [*result.warnings, AnalysisWarning(code="degraded", message=f"{reason}: " + ("; ".join(problems) or "no LLM answered"))],
            })  # fmt: skip
        llm = llms.get(model)
        if llm is None:
            problems.append(f"{model}: {(unavailable or {}).get(model, 'not configured')}")
            continue
        if not within(decision.boundary, llm.spec):  # never cross the data boundary, whatever the plan says
            outside = True
            problems.append(f"{model}: outside the data boundary {decision.boundary}")
            continue
        # A paper segment's answer (another schema) never shares a key with a contract's.
        rules = PAPER_PROMPT_VERSION if task.kind == "paper" else playbook_prompt(task.playbook)
        key = keys.cache(tenant, cache_key(task.text, model, tenant, rules))
        if store is not None and store.exists(key):
            out = output_model(task.kind).model_validate_json(store.get(key))
            if job_id is not None:
                store.put_linked(tenant, job_id, key)
            analysis, _ = to_analysis(task, model, out)
            analysis = with_injection_flags(task, analysis)
            record({"segment": task.segment, "model": model, "cache": "hit"})
            telemetry.cache_lookup(model, hit=True)
            return analysis.model_copy(
                update={
                    "usage": meter.usage(cache_hits=1),
                    "warnings": _fallback_note(model, decision, problems, analysis),
                }
            )
        if store is not None:
            telemetry.cache_lookup(model, hit=False)
        held = 0.0
        if budget is not None:
            held = decision.chain_usd.get(model, decision.estimated_usd) * RESERVE_MARGIN
            if not budget.pool.reserve(budget.job_id, held):
                refused_budget = True
                problems.append(f"{model}: the batch budget has no ${held:.4f} left for this segment")
                continue
        before_usd, before_out = meter.cost_usd, meter.completion_tokens
        before = (meter.attempts, meter.timeouts, meter.invalid_first)
        try:
            with call_slot() if call_slot is not None else nullcontext():
                out = llm.raw_output(task, meter)
        except (JobClosed, Canceled):
            raise  # the job was erased (its audit write refused) or canceled: no fallback model is called
        except LongdocError as exc:
            problems.append(f"{model}: {exc.code}: {exc.message[:160]}")
            record({"segment": task.segment, "model": model, "error": exc.code, "message": exc.message[:300]})
            if quality is not None and meter.attempts > before[0]:  # no request sent: not the model's doing
                quality.record(Outcome(model, decision.profile, schema_valid_first=False,
                                       timeout=meter.timeouts > before[1], fallback=True))  # fmt: skip
            continue
        finally:
            if budget is not None:
                budget.pool.settle(budget.job_id, held, meter.cost_usd - before_usd)
        if store is not None:
            put_cached(store, tenant, job_id, key, out.model_dump_json().encode())
        analysis, dropped, checked = checked_analysis(task, model, out)
        if quality is not None:
            quality.record(Outcome(model, decision.profile, schema_valid_first=meter.invalid_first == before[2],
                                   timeout=meter.timeouts > before[1], quotes_verified=checked - dropped,
                                   quotes_dropped=dropped))  # fmt: skip
        analysis = with_injection_flags(task, analysis)
        # segment_tokens/completion_tokens: what calibrates the router's output ratio per model.
        record({"segment": task.segment, "model": model, "unverified_quotes": dropped, "calls": meter.calls,
                "segment_tokens": decision.segment_tokens,
                "completion_tokens": meter.completion_tokens - before_out})  # fmt: skip
        return analysis.model_copy(
            update={"usage": meter.usage(), "warnings": _fallback_note(model, decision, problems, analysis)}
        )
    raise LongdocError(f"segment {task.segment}: no model in the route could run", segment=task.segment)


def _fallback_note(
    model: str, decision: RouteDecision, problems: list[str], analysis: SegmentAnalysis
) -> list[AnalysisWarning]:
    if model == decision.model:
        return analysis.warnings
    return [
        *analysis.warnings,
        AnalysisWarning(code="fallback", message=f"answered by {model}: " + "; ".join(problems)),
    ]
