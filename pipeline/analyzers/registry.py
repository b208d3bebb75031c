"""The models a worker can call, built once at start-up from Settings."""

from __future__ import annotations

import time

from pipeline.analyzers.base import Analyzer, Capabilities, SegmentTask
from pipeline.analyzers.rules import RulesAnalyzer
from pipeline.findings import SegmentAnalysis
from pipeline.settings import Settings


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
    if settings.rules_latency_s > 0:
        rules = DelayedAnalyzer(rules, settings.rules_latency_s)
    return {rules.name: rules}
