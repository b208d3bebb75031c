"""The models a worker can call, built once at start-up from Settings and the catalog."""

from __future__ import annotations

import importlib.util
import os
import time
from dataclasses import dataclass, field

from pipeline.analyze.base import Analyzer, Capabilities, SegmentTask
from pipeline.analyze.llm import LLMAnalyzer
from pipeline.analyze.rules import RulesAnalyzer
from pipeline.config import Settings
from pipeline.routing.catalog import Catalog, load_catalog
from pipeline.routing.providers import CircuitBreaker, OpenAICompatibleProvider
from pipeline.types import SegmentAnalysis


class DelayedAnalyzer:
    """Wraps a model with a fixed latency (benchmarks and fault tests)."""

    def __init__(self, inner: Analyzer, latency_s: float) -> None:
        self.inner = inner
        self.latency_s = latency_s
        self.name = inner.name
        self.capabilities: Capabilities = inner.capabilities

    def analyze(self, task: SegmentTask) -> SegmentAnalysis:
        time.sleep(self.latency_s)
        return self.inner.analyze(task)


def build_analyzers(settings: Settings) -> dict[str, Analyzer]:
    rules: Analyzer = RulesAnalyzer()
    if settings.execution.rules_latency_s > 0:
        rules = DelayedAnalyzer(rules, settings.execution.rules_latency_s)
    return {rules.name: rules}


@dataclass
class ModelRegistry:
    """Every model of the catalog: LLM clients for the available ones, reasons for the rest."""

    catalog: Catalog
    llms: dict[str, LLMAnalyzer] = field(default_factory=dict)
    unavailable: dict[str, str] = field(default_factory=dict)


def build_registry(settings: Settings, env: dict[str, str] | None = None) -> ModelRegistry:
    env = dict(os.environ) if env is None else env
    catalog = load_catalog(settings.routing.catalog_path, overrides=settings.routing.catalog_overrides)
    reg = ModelRegistry(catalog=catalog, unavailable=catalog.unavailable(env))
    # Without the `llm` extra (the openai SDK) no LLM client can be built; `rules` still runs.
    has_sdk = importlib.util.find_spec("openai") is not None
    for spec in catalog.models:
        if spec.is_builtin or spec.id in reg.unavailable:
            continue
        if not has_sdk:
            reg.unavailable[spec.id] = "needs the llm extra: pip install 'longdoc[llm]'"
            continue
        base_url = spec.endpoint(env)
        if settings.routing.llm_base_url and not spec.self_hosted:
            base_url = settings.routing.llm_base_url
        if base_url is None:
            reg.unavailable[spec.id] = "no base_url"
            continue
        key = env.get(spec.api_key_env or "", "") or "not-needed"
        provider = OpenAICompatibleProvider(
            spec,
            base_url=base_url,
            api_key=key,
            timeout_s=settings.routing.llm_timeout_s,
            max_attempts=settings.routing.llm_max_attempts,
            backoff_base_s=settings.routing.llm_backoff_base_s,
            breaker=CircuitBreaker(
                threshold=settings.routing.circuit_threshold, cooldown_s=settings.routing.circuit_cooldown_s
            ),
        )
        reg.llms[spec.id] = LLMAnalyzer(spec, provider, output_reserve=settings.routing.output_reserve_tokens)
    return reg
