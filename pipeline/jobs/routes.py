"""A job's routing: one decision per segment (``routes.json``), and the synthesis pass."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pydantic import Field

from chunking.tokenizer import count_tokens
from pipeline.analyze.dispatch import SegmentBudget, cache_key, put_cached
from pipeline.analyze.llm import UsageMeter
from pipeline.analyze.llm_schema import LLMSynthesis, playbook_prompt
from pipeline.analyze.playbook import Playbook, default_playbook
from pipeline.analyze.preamble import build_preamble
from pipeline.analyze.registry import ModelRegistry
from pipeline.config import Settings
from pipeline.errors import LongdocError, StorageError
from pipeline.jobs.store import DocumentText, JobOptions
from pipeline.routing.budget import RESERVE_MARGIN
from pipeline.routing.router import RULES, RouteDecision, RoutePolicy, estimate_complexity, route_segment
from pipeline.types import AnalysisWarning, Model, SegmentPlan
from storage import keys
from storage.base import ObjectStore

if TYPE_CHECKING:  # a type only: the guard (and Redis) exists only when a daily cap is set
    from pipeline.report.model import Report
    from pipeline.routing.spend import SpendGuard

log = logging.getLogger("longdoc.routing")
# What a synthesis call adds to its facts (system prompt, schema) and answers, for its reservation.
SYNTHESIS_OVERHEAD_TOKENS = 1500
SYNTHESIS_OUTPUT_TOKENS = 2000


class RoutingPlan(Model):
    preamble: str = ""
    decisions: list[RouteDecision]
    estimated_usd: float
    warnings: list[str] = Field(default_factory=list)
    reserved_usd: float = 0.0  # held against the daily cap until the job ends
    boundary: str = "none"  # the data boundary every route keeps (RoutePolicy.boundary)
    # The batch whose budget pool pays for this job's calls (pipeline.routing.budget), if any.
    budget_pool: str | None = None


def policy_for(
    options: JobOptions,
    settings: Settings,
    output_ratios: dict[str, float] | None = None,
    playbook: Playbook | None = None,
) -> RoutePolicy:
    """``playbook``: a contract's review rules, sent with every LLM request (and answered)."""
    return RoutePolicy(
        review_rules=len(playbook.rules) if playbook else 0,
        review_prompt_tokens=count_tokens(playbook_prompt(playbook)) if playbook else 0,
        model=options.model, profile=options.profile, latency_target_s=options.latency_target_s,
        error_cost_usd=options.error_cost_usd, budget_usd=options.budget_usd,
        allowed_providers=options.allowed_providers, self_hosted_only=options.self_hosted_only,
        output_reserve_tokens=settings.routing.output_reserve_tokens, preamble_tokens=settings.routing.preamble_tokens,
        output_ratios=output_ratios or {},
    )  # fmt: skip


def prepare_routing(
    doc: DocumentText,
    plan: SegmentPlan,
    options: JobOptions,
    settings: Settings,
    *,
    budget_pool: str | None = None,
    output_ratios: dict[str, float] | None = None,
    playbook: Playbook | None = None,
) -> tuple[RoutePolicy, str]:
    """The job's routing policy and the preamble (document outline) its LLM requests carry;
    a contract is reviewed with ``playbook`` (default: the shipped one)."""
    rules = (playbook or default_playbook()) if doc.kind == "contract" else None
    policy = policy_for(options, settings, output_ratios, rules)
    if budget_pool is not None:
        policy = policy.model_copy(update={"budget_usd": None})
    # Built before routing so estimates and context checks count the outline's real size
    # rather than the cap (a short document's outline is far below it).
    preamble = ""
    if policy.model != RULES:
        preamble = build_preamble(doc.extracted, doc.sections, plan, max_tokens=policy.preamble_tokens)
        policy = policy.model_copy(
            update={"preamble_tokens": min(policy.preamble_tokens, count_tokens(preamble) + 16)}
        )
    return policy, preamble


def route_one(doc: DocumentText, seg_index: int, plan: SegmentPlan, registry: ModelRegistry,
              policy: RoutePolicy, budget_left: float | None = None) -> RouteDecision:  # fmt: skip
    """One segment's decision (what a streamed plan dispatches at once)."""
    seg = plan.segments[seg_index]
    complexity = estimate_complexity(doc.extracted.text[seg.char_start : seg.char_end])
    q = (
        registry.quality.routing(policy.profile)
        if registry.quality is not None and policy.model != RULES
        else None
    )
    return route_segment(registry.catalog, seg.index, seg.tokens, complexity, policy,
                         unavailable=registry.unavailable, budget_left_usd=budget_left,
                         demoted=q.demoted if q else None, probing=q.probing if q else ())  # fmt: skip


def plan_routes(
    doc: DocumentText,
    plan: SegmentPlan,
    options: JobOptions,
    registry: ModelRegistry,
    settings: Settings,
    *,
    spend: SpendGuard | None = None,
    job_id: str | None = None,
    budget_pool: str | None = None,
    output_ratios: dict[str, float] | None = None,
    playbook: Playbook | None = None,
) -> RoutingPlan:
    """Route every segment. With a daily cap (``spend``), a job gets paid models only while the
    cap has room for its estimate, which it then reserves (under ``job_id``). A job paid by a
    batch pool (``budget_pool``) is never refused up front: its segments reserve from the pool
    as they run and fall back to rules when it is dry."""
    policy, preamble = prepare_routing(doc, plan, options, settings, budget_pool=budget_pool,
                                       output_ratios=output_ratios, playbook=playbook)  # fmt: skip
    capped_policy = policy.model_copy(update={"self_hosted_only": True})
    warnings: list[str] = []
    if spend is not None and policy.model != RULES and (why := _cap_reached(spend)):
        policy = capped_policy
        warnings.append(why)
    decisions = _decide(doc, plan, registry, policy)
    estimate, reserved = _total(decisions), 0.0
    if spend is not None and job_id is not None and estimate > 0 and not policy.self_hosted_only:
        if why := _reservation_refused(spend, job_id, estimate):
            warnings.append(why)
            decisions = _decide(doc, plan, registry, capped_policy)
        else:
            reserved = estimate
    if not any(d.model != RULES for d in decisions):
        preamble = ""
    return RoutingPlan(preamble=preamble, decisions=decisions, estimated_usd=_total(decisions),
                       warnings=warnings, reserved_usd=reserved, boundary=policy.boundary,
                       budget_pool=budget_pool)  # fmt: skip


def _cap_unknown(exc: StorageError) -> str:
    # Fail closed: a Redis outage must not turn into unmetered hosted-model spend.
    return f"daily spend cap unknown ({exc.message}): only rules and self-hosted models run"


def _cap_reached(spend: SpendGuard) -> str | None:
    """Why the job may use only rules and self-hosted models, if the cap is spent (or unknown)."""
    try:
        exhausted = spend.exhausted()
    except StorageError as exc:
        return _cap_unknown(exc)
    return "daily spend cap reached: only rules and self-hosted models run today" if exhausted else None


def _reservation_refused(spend: SpendGuard, job_id: str, usd: float) -> str | None:
    """Reserve ``usd`` for the job; why not, if the cap has no room for it (or is unknown)."""
    try:
        fits, committed = spend.reserve(job_id, usd)
    except StorageError as exc:
        return _cap_unknown(exc)
    if fits:
        return None
    return (
        f"daily spend cap: this job's estimated ${usd:.4f} does not fit in the "
        f"${max(spend.cap_usd - committed, 0.0):.4f} left today (spend and running jobs' "
        "reservations); only rules and self-hosted models run"
    )


def _total(decisions: list[RouteDecision]) -> float:
    return round(sum(d.estimated_usd for d in decisions), 6)


def _decide(
    doc: DocumentText, plan: SegmentPlan, registry: ModelRegistry, policy: RoutePolicy
) -> list[RouteDecision]:
    decisions: list[RouteDecision] = []
    left = policy.budget_usd
    for seg in plan.segments:
        d = route_one(doc, seg.index, plan, registry, policy, left)
        decisions.append(d)
        if left is not None:
            left -= d.estimated_usd
    return decisions


def synthesis_for(
    report: Report,
    routes: RoutingPlan | None,
    registry: ModelRegistry,
    store: ObjectStore | None = None,
    budget: SegmentBudget | None = None,
    *,
    tenant: str,
    job_id: str | None = None,
) -> Report:
    """Add the executive summary (an LLM pass when the job used one), the routes and which data
    boundary they kept. With a batch pool (``budget``) the LLM pass reserves its estimate
    first; without room the offline summary is used."""
    # Imported here: the report modules are not needed before a job's first model request.
    from pipeline.consolidate.synthesis import facts, keep_cited, rules_summary, synthesize
    from pipeline.report.model import RouteInfo, RoutingSummary, Synthesis

    infos = [RouteInfo(segment=d.segment, model=d.model, reasons=d.reasons, estimated_usd=d.estimated_usd,
                       fallback=d.fallback, held_back=d.held_back) for d in (routes.decisions if routes else [])]  # fmt: skip
    routing = RoutingSummary(
        boundary=routes.boundary if routes else "none",
        degraded_by_boundary=[s.index for s in report.segments if s.degraded_reason == "boundary"],
        degraded_by_budget=[s.index for s in report.segments if s.degraded_reason == "budget"],
    )
    report = report.model_copy(update={"routing": routing})
    if routes and routes.warnings:  # e.g. the daily spend cap narrowed the choice: tell the user
        extra = [AnalysisWarning(code="routing", message=w) for w in routes.warnings]
        report = report.model_copy(update={"warnings": [*report.warnings, *extra]})
    llm_models = [s.model for s in report.segments if s.model in registry.llms]
    offline = rules_summary(report)
    if not llm_models:
        synth = Synthesis(
            model=RULES, executive_summary=offline.executive_summary, observations=offline.observations
        )
        return report.model_copy(update={"synthesis": synth, "routes": infos})
    llm = registry.llms[sorted(llm_models, key=llm_models.count)[-1]]  # the model most segments used
    meter = UsageMeter()
    # Content-addressed like segment analyses: an unchanged document re-runs with no model call.
    key = keys.cache(tenant, cache_key("\n".join(facts(report)), f"synthesis:{llm.name}", tenant))
    cached = store is not None and store.exists(key)
    held = 0.0
    if budget is not None and not cached:
        prompt = sum(count_tokens(line) + 1 for line in facts(report)) + SYNTHESIS_OVERHEAD_TOKENS
        held = llm.spec.cost_usd(prompt, SYNTHESIS_OUTPUT_TOKENS) * RESERVE_MARGIN
        if not budget.pool.reserve(budget.job_id, held):
            synth = Synthesis(model=RULES, executive_summary=offline.executive_summary, observations=offline.observations,
                              warnings=[f"the batch budget has no ${held:.4f} left for the LLM synthesis; offline summary used"])  # fmt: skip
            return report.model_copy(update={"synthesis": synth, "routes": infos})
    try:
        if cached and store is not None:
            out = LLMSynthesis.model_validate_json(store.get(key))
            if job_id is not None:
                store.put_linked(tenant, job_id, key)
        else:
            out = synthesize(report, llm, meter, log=log.info)
            if store is not None:
                put_cached(store, tenant, job_id, key, out.model_dump_json().encode())
        # Checked on every answer, cached ones too: the cache holds what the model said.
        out, dropped = keep_cited(report, out)
        synth = Synthesis(model=llm.name, executive_summary=out.executive_summary, observations=out.observations,
                          usage=meter.usage(), warnings=dropped)  # fmt: skip
    except LongdocError as exc:
        synth = Synthesis(model=RULES, executive_summary=offline.executive_summary, observations=offline.observations,
                          usage=meter.usage(), warnings=[f"LLM synthesis by {llm.name} failed ({exc.code}); offline summary used"])  # fmt: skip
    finally:
        if budget is not None and not cached:
            budget.pool.settle(budget.job_id, held, meter.cost_usd)
    summary = report.summary.model_copy(
        update={"cost_usd": round(report.summary.cost_usd + meter.cost_usd, 6)}
    )
    return report.model_copy(update={"synthesis": synth, "routes": infos, "summary": summary})
