"""The models a worker can call, built once at start-up from Settings and the catalog."""

from __future__ import annotations

import importlib.util
import os
import threading
import time
from collections.abc import Callable, ItemsView, Iterator, KeysView, ValuesView
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.analyze.base import Analyzer, Capabilities, SegmentTask
from pipeline.analyze.llm import LLMAnalyzer
from pipeline.analyze.rules import RulesAnalyzer
from pipeline.config import Settings
from pipeline.routing.catalog import Catalog, ModelSpec, load_catalog
from pipeline.routing.providers import CircuitBreaker, OpenAICompatibleProvider
from pipeline.routing.quality import QualityMonitor
from pipeline.types import SegmentAnalysis


class DelayedAnalyzer:
    """Wraps a model with a fixed latency, and a hold while ``hold_path`` exists (benchmarks and
    fault tests)."""

    HOLD_POLL_S = 0.02

    def __init__(self, inner: Analyzer, latency_s: float, hold_path: Path | None = None) -> None:
        self.inner = inner
        self.latency_s = latency_s
        self.hold_path = hold_path
        self.name = inner.name
        self.capabilities: Capabilities = inner.capabilities

    def analyze(self, task: SegmentTask) -> SegmentAnalysis:
        time.sleep(self.latency_s)
        while self.hold_path is not None and self.hold_path.exists():
            time.sleep(self.HOLD_POLL_S)
        return self.inner.analyze(task)


def build_analyzers(settings: Settings) -> dict[str, Analyzer]:
    rules: Analyzer = RulesAnalyzer()
    ex = settings.execution
    if ex.rules_latency_s > 0 or ex.rules_hold_path is not None:
        rules = DelayedAnalyzer(rules, ex.rules_latency_s, ex.rules_hold_path)
    return {rules.name: rules}


class LazyLLMs(dict[str, LLMAnalyzer]):
    """The available models' clients, each built on first use.

    An ``openai.OpenAI`` client (its httpx client and TLS context) costs tens of milliseconds
    of CPU; a job pinned to one model, or routed to two, must not build all of them before its
    first request. Keys are known up front, so ``in``, iteration and ``len`` build nothing."""

    def __init__(self) -> None:
        super().__init__()
        self._factories: dict[str, Callable[[], LLMAnalyzer]] = {}
        self._lock = threading.Lock()

    def add(self, model: str, factory: Callable[[], LLMAnalyzer]) -> None:
        self._factories[model] = factory

    def __getitem__(self, model: str) -> LLMAnalyzer:
        if not super().__contains__(model):
            factory = self._factories[model]  # KeyError for a model that is not there
            with self._lock:
                if not super().__contains__(model):
                    super().__setitem__(model, factory())
        return super().__getitem__(model)

    def get(self, model: str, default: LLMAnalyzer | None = None) -> LLMAnalyzer | None:  # type: ignore[override]
        if model not in self:
            return default
        return self[model]

    def __contains__(self, model: object) -> bool:
        return model in self._factories or super().__contains__(model)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def keys(self) -> KeysView[str]:  # type: ignore[override]
        return {**dict.fromkeys(self._factories), **dict.fromkeys(super().keys())}.keys()

    def values(self) -> ValuesView[LLMAnalyzer]:  # type: ignore[override]
        return {m: self[m] for m in self.keys()}.values()

    def items(self) -> ItemsView[str, LLMAnalyzer]:  # type: ignore[override]
        return {m: self[m] for m in self.keys()}.items()


@dataclass
class ModelRegistry:
    """Every model of the catalog: LLM clients for the available ones, reasons for the rest."""

    catalog: Catalog
    llms: dict[str, LLMAnalyzer] = field(default_factory=LazyLLMs)
    unavailable: dict[str, str] = field(default_factory=dict)
    # Success rate per (model, profile); demoted models are skipped by the router (issue 19).
    quality: QualityMonitor | None = None


def build_registry(settings: Settings, env: dict[str, str] | None = None) -> ModelRegistry:
    env = dict(os.environ) if env is None else env
    catalog = load_catalog(settings.routing.catalog_path, overrides=settings.routing.catalog_overrides)
    llms = LazyLLMs()
    routing = settings.routing
    reg = ModelRegistry(catalog=catalog, llms=llms, unavailable=catalog.unavailable(env),
                        quality=QualityMonitor.from_settings(settings))  # fmt: skip
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

        def build(spec: ModelSpec = spec, base_url: str = base_url, key: str = key) -> LLMAnalyzer:
            provider = OpenAICompatibleProvider(
                spec,
                base_url=base_url,
                api_key=key,
                timeout_s=routing.llm_timeout_s,
                max_attempts=routing.llm_max_attempts,
                backoff_base_s=routing.llm_backoff_base_s,
                breaker=CircuitBreaker(
                    threshold=routing.circuit_threshold, cooldown_s=routing.circuit_cooldown_s
                ),
            )
            return LLMAnalyzer(spec, provider, output_reserve=routing.output_reserve_tokens)

        llms.add(spec.id, build)
    return reg
