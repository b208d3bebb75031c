"""Per-segment model choice: a ``RouteDecision`` with reasons, estimates and a fallback chain.

Defaults follow the seed's rules (../shared/DESIGN.md):
  * error cost > $1,000 and a complex segment → the strongest reasoning model (GPT-5.1 Thinking);
  * interactive with a latency target under 5 s → the fastest model (GPT-5.1 Instant);
  * more than 128K tokens → a long-context model;
  * batch, simple or medium → the cheapest capable model (Kimi K2 Thinking base).
Hard limit, never broken: preamble + segment + output reserve ≤ the model's *reliable* context.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal

from pydantic import Field

from pipeline.errors import OverBudget
from pipeline.routing.catalog import Catalog, ModelSpec
from pipeline.types import Model

Profile = Literal["interactive", "batch"]
RULES = "rules"


class RoutePolicy(Model):
    """The configurable part of routing (defaults = the seed's rules)."""

    model: str = RULES  # "auto" lets the router choose; any catalog id pins it
    profile: Profile = "batch"
    latency_target_s: float | None = None
    error_cost_usd: float = 0.0
    budget_usd: float | None = None
    allowed_providers: list[str] | None = None  # None = any
    self_hosted_only: bool = False
    high_stakes_usd: float = 1000.0
    complex_threshold: float = 0.5
    long_context_tokens: int = 128_000
    fast_latency_s: float = 5.0
    output_reserve_tokens: int = 16384
    preamble_tokens: int = 4096
    # Expected output size, as a share of the segment's tokens: the seed's prior, and per model
    # the ratio calibrated from audited calls (``pipeline.routing.calibration``) when known.
    output_ratio: float = 0.08
    output_ratios: dict[str, float] = Field(default_factory=dict)
    # A contract's request carries its playbook's rules, and the answer a verdict per rule.
    review_rules: int = 0
    review_prompt_tokens: int = 0

    @property
    def boundary(self) -> str:
        """The data boundary every model of a route stays inside (``none``: any provider)."""
        if self.self_hosted_only:
            return "self_hosted_only"
        if self.allowed_providers is not None:
            return "providers:[" + ",".join(self.allowed_providers) + "]"
        return "none"

    def inside(self, spec: ModelSpec) -> bool:
        """Whether ``spec`` may see the document under this policy's data boundary."""
        if spec.id == RULES:
            return True
        if self.self_hosted_only and not spec.self_hosted:
            return False
        return self.allowed_providers is None or spec.provider in self.allowed_providers


class RouteDecision(Model):
    segment: int
    model: str
    reasons: list[str]
    complexity: float
    segment_tokens: int
    estimated_prompt_tokens: int
    estimated_output_tokens: int
    estimated_usd: float
    fallback: list[str] = Field(default_factory=list)
    # The data boundary the route keeps (RoutePolicy.boundary) and the models it kept out that
    # could otherwise have run: a segment degraded to rules with these left is "held by it".
    boundary: str = "none"
    held_back: list[str] = Field(default_factory=list)
    # Estimated USD of each LLM of the chain (primary and fallbacks): what a budget pool reserves.
    chain_usd: dict[str, float] = Field(default_factory=dict)
    # The job's profile: the quality monitor keeps one success rate per (model, profile).
    profile: Profile = "batch"


# Counted only, so each is written to let ``re`` skip ahead by its first characters (a leading
# \b or optional character leaves it trying every position; this runs before a first request)
# while counting the same matches as the plain form noted beside it.
# \$?\d[\d,.]*%? : the optional "$" never changes where a match ends, so the count is the same.
_NUMBER = re.compile(r"\d[\d,.]*%?")
# _REF and _QUALIFIER run on the lower-cased text: the same matches as with re.I, several
# times faster (case-insensitive matching is slow in ``re``). Their leading \b is checked by
# _count_at_word_start.
# \b(?:section|article|exhibit|schedule|clause|paragraph)s?\s+[0-9a-z]
_REF = re.compile(r"(?:section|article|exhibit|schedule|clause|paragraph)s?\s+[0-9a-z]")
_DEF = re.compile(r"[\"“][A-Z][^\"”\n]{1,60}[\"”]")
# \b(?:notwithstanding|provided\s+that|except|subject\s+to|unless|in\s+no\s+event)\b
_QUALIFIER = re.compile(r"(?:notwithstanding|provided\s+that|except|subject\s+to|unless|in\s+no\s+event)\b")


def _count_at_word_start(pattern: re.Pattern[str], text: str) -> int:
    """Matches of ``\b`` + ``pattern`` (which starts with a word character), as ``findall`` finds them:
    a match not at a word start is skipped one character on, as ``re`` would have moved on."""
    n = pos = 0
    search = pattern.search
    while (m := search(text, pos)) is not None:
        start = m.start()
        before = text[start - 1] if start else ""
        if before.isalnum() or before == "_":  # re's \w, so no \b here
            pos = start + 1
            continue
        n += 1
        pos = m.end()
    return n


def estimate_complexity(text: str) -> float:
    """0..1 from cheap signals per 1,000 words: cross-references, defined terms, numbers, qualifiers."""
    words = max(1, text.count(" "))
    per_k = 1000.0 / words
    lower = text.lower()
    refs = _count_at_word_start(_REF, lower) * per_k
    defs = len(_DEF.findall(text)) * per_k
    nums = len(_NUMBER.findall(text)) * per_k
    quals = _count_at_word_start(_QUALIFIER, lower) * per_k
    # Saturating sum; each signal's scale is where a dense commercial contract sits.
    score = (
        min(refs / 12, 1) * 0.35
        + min(defs / 10, 1) * 0.25
        + min(nums / 40, 1) * 0.15
        + min(quals / 8, 1) * 0.25
    )
    return round(min(1.0, score), 3)


def fits(spec: ModelSpec, segment_tokens: int, policy: RoutePolicy) -> bool:
    if spec.id == RULES:
        return True
    return policy.preamble_tokens + segment_tokens + reserve(spec, policy) <= spec.reliable_context


def reserve(spec: ModelSpec, policy: RoutePolicy) -> int:
    """Output tokens requested from ``spec`` (what ``LLMAnalyzer`` sends as max_tokens)."""
    return min(policy.output_reserve_tokens, spec.max_output)


# A verdict (rule id, status, answer, up to two short quotes, a reason): 42–166 tokens per rule
# as the simulator answers 40K-token slices of the example contract (the high end where clauses
# are found and quoted); the instructions that ask for verdicts, about 120.
VERDICT_TOKENS = 160
VERDICT_PROMPT_TOKENS = 150


def estimate(spec: ModelSpec, segment_tokens: int, policy: RoutePolicy) -> tuple[int, int, float]:
    if spec.id == RULES:
        return 0, 0, 0.0
    prompt = policy.preamble_tokens + segment_tokens + 600  # instructions + schema
    if policy.review_rules:
        prompt += policy.review_prompt_tokens + VERDICT_PROMPT_TOKENS
    ratio = policy.output_ratios.get(spec.id, policy.output_ratio)
    fixed = 400 + VERDICT_TOKENS * policy.review_rules
    output = min(reserve(spec, policy), int(segment_tokens * ratio) + fixed)
    return prompt, output, spec.cost_usd(prompt, output)


def candidates(
    catalog: Catalog,
    segment_tokens: int,
    policy: RoutePolicy,
    unavailable: dict[str, str],
    demoted: dict[str, str] | None = None,
) -> tuple[list[ModelSpec], list[str], list[ModelSpec]]:
    """Models allowed, available, healthy and big enough; why the others were excluded; and the
    ones that qualify but are demoted by the quality monitor (``demoted``: model -> why)."""
    ok: list[ModelSpec] = []
    why: list[str] = []
    down: list[ModelSpec] = []
    demoted = demoted or {}
    for m in catalog.models:
        if m.id == RULES:
            continue
        if policy.self_hosted_only and not m.self_hosted:
            why.append(f"{m.id}: excluded by self-hosted-only policy")
        elif not policy.inside(m):
            why.append(f"{m.id}: provider {m.provider} not allowed")
        elif m.id in unavailable:
            why.append(f"{m.id}: unavailable ({unavailable[m.id]})")
        elif not fits(m, segment_tokens, policy):
            why.append(
                f"{m.id}: {segment_tokens:,} tokens + preamble + output reserve exceed reliable context {m.reliable_context:,}"
            )
        elif m.id in demoted:
            why.append(f"{m.id}: {demoted[m.id]}")
            down.append(m)
        else:
            ok.append(m)
    return ok, why, down


def route_segment(
    catalog: Catalog,
    segment: int,
    segment_tokens: int,
    complexity: float,
    policy: RoutePolicy,
    *,
    unavailable: dict[str, str] | None = None,
    budget_left_usd: float | None = None,
    demoted: dict[str, str] | None = None,
    probing: Collection[str] = (),
) -> RouteDecision:
    """``demoted`` (model -> why, from the quality monitor): skipped like unhealthy models, but
    kept at the end of the fallback chain, and used when every other candidate is out (a
    demoted LLM still beats the rules model). ``probing``: demoted models on a probe turn."""
    unavailable = unavailable or {}
    pool, excluded, down = candidates(catalog, segment_tokens, policy, unavailable, demoted)
    down_ids = {m.id for m in down}
    if down and not pool:
        # Every candidate is demoted: route among them as usual rather than drop to rules.
        pool, down = down, []
        excluded.append("every candidate model is demoted: routed among them")
    reasons: list[str] = []
    head: list[ModelSpec] = []  # the pinned model, when it can take the segment
    if policy.model not in ("auto", RULES):
        pinned = catalog.get(policy.model)
        if pinned in pool:
            head, pool = [pinned], [m for m in pool if m is not pinned]
            reasons.append(f"model pinned to {pinned.id}")
        else:
            reasons.append(f"pinned model {pinned.id} cannot take this segment")
            reasons += [w for w in excluded if w.startswith(pinned.id + ":")]
    if policy.model == RULES or not (head or pool):
        if policy.model != RULES:
            reasons.append("no LLM model is allowed, available and large enough")
            reasons += excluded
        else:
            reasons.append("offline rules model selected")
        return _decision(catalog.get(RULES), segment, segment_tokens, complexity, policy, reasons, [],
                         held_back(catalog, segment_tokens, policy, unavailable))  # fmt: skip

    # The fallbacks follow the router's own score (fit, quality, price), after a pinned model.
    ranked, why = _rank(pool, segment_tokens, complexity, policy) if pool else ([], [])
    if not head:
        reasons += why
    # The quality monitor's part is always in the audit (routes.json), pinned or not.
    notes = [w for w in excluded if w.endswith("routed among them") or w.split(":", 1)[0] in down_ids]
    reasons += [w for w in notes if w not in reasons]
    ordered = head + ranked + (_rank(down, segment_tokens, complexity, policy)[0] if down else [])
    if budget_left_usd is not None:
        affordable = [m for m in ordered if estimate(m, segment_tokens, policy)[2] <= budget_left_usd]
        if not affordable:
            cheapest = min(ordered, key=lambda m: estimate(m, segment_tokens, policy)[2])
            raise OverBudget(
                f"segment {segment}: even {cheapest.id} (${estimate(cheapest, segment_tokens, policy)[2]:.4f}) "
                f"exceeds the budget left (${budget_left_usd:.4f})",
                segment=segment,
            )
        if affordable[0] is not ordered[0]:
            reasons.append(f"downgraded from {ordered[0].id} to {affordable[0].id} to stay within budget")
        ordered = affordable + [m for m in ordered if m not in affordable]
    primary, rest = ordered[0], ordered[1:]
    if primary.id in probing:
        reasons.append(f"{primary.id}: demoted, on a probe turn (so its success rate can recover)")
    fallback = [m.id for m in rest][:3] + [RULES]
    d = _decision(primary, segment, segment_tokens, complexity, policy, reasons, fallback,
                  held_back(catalog, segment_tokens, policy, unavailable))  # fmt: skip
    d.chain_usd = {m.id: round(estimate(m, segment_tokens, policy)[2], 6) for m in ordered[:4]}
    return d


def within(boundary: str, spec: ModelSpec) -> bool:
    """Whether ``spec`` is inside a boundary as written in a decision (``RoutePolicy.boundary``)."""
    if spec.id == RULES or boundary == "none":
        return True
    if boundary == "self_hosted_only":
        return spec.self_hosted
    if boundary.startswith("providers:[") and boundary.endswith("]"):
        return spec.provider in boundary[len("providers:[") : -1].split(",")
    return False  # a boundary this code does not know: keep every model out


def held_back(
    catalog: Catalog, segment_tokens: int, policy: RoutePolicy, unavailable: dict[str, str]
) -> list[str]:
    """Models that could take the segment but are outside the policy's data boundary."""
    return [m.id for m in catalog.models if m.id != RULES and not policy.inside(m)
            and m.id not in unavailable and fits(m, segment_tokens, policy)]  # fmt: skip


def _rank(
    pool: list[ModelSpec], tokens: int, complexity: float, p: RoutePolicy
) -> tuple[list[ModelSpec], list[str]]:
    def cost(m: ModelSpec) -> float:
        return estimate(m, tokens, p)[2]

    complex_ = complexity >= p.complex_threshold
    if p.error_cost_usd > p.high_stakes_usd and complex_:
        key = sorted(pool, key=lambda m: (-m.quality, -int(m.reasoning), cost(m)))
        return key, [f"error cost ${p.error_cost_usd:,.0f} > ${p.high_stakes_usd:,.0f} and complex "
                     f"({complexity:.2f}) → strongest reasoning model"]  # fmt: skip
    if p.profile == "interactive" and (p.latency_target_s is None or p.latency_target_s < p.fast_latency_s):
        key = sorted(pool, key=lambda m: (m.latency_p50_s, cost(m)))
        return key, ["interactive with a short latency target → fastest model"]
    if tokens > p.long_context_tokens:
        key = sorted(pool, key=lambda m: (cost(m), -m.reliable_context))
        return key, [
            f"{tokens:,} tokens > {p.long_context_tokens:,} → long-context model that holds it reliably"
        ]
    if p.error_cost_usd > p.high_stakes_usd:
        key = sorted(pool, key=lambda m: (-m.quality, cost(m)))
        return key, [
            f"error cost ${p.error_cost_usd:,.0f} > ${p.high_stakes_usd:,.0f} → higher-quality model"
        ]
    key = sorted(pool, key=lambda m: (-(m.quality >= 3), cost(m)))
    label = "complex" if complex_ else "simple/medium"
    return key, [f"{p.profile}, {label} ({complexity:.2f}) → cheapest capable model"]


def _decision(
    spec: ModelSpec,
    segment: int,
    tokens: int,
    complexity: float,
    p: RoutePolicy,
    reasons: list[str],
    fallback: list[str],
    held: list[str],
) -> RouteDecision:
    prompt, output, usd = estimate(spec, tokens, p)
    return RouteDecision(
        segment=segment, model=spec.id, reasons=reasons, complexity=complexity, segment_tokens=tokens,
        estimated_prompt_tokens=prompt, estimated_output_tokens=output, estimated_usd=round(usd, 6),
        fallback=fallback, boundary=p.boundary, held_back=held, profile=p.profile,
    )  # fmt: skip
