"""The LLM answer cache is per tenant: tenant B never reads tenant A's cached answer, so it can't
learn (from cost or speed) whether A analyzed the same text."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline.analyze.dispatch import cache_key
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobOptions, JobStore
from pipeline.report.model import Report
from pipeline.simulate.server import SimulatorConfig, running_simulator
from storage.local import LocalStore
from tests.config_helpers import flat
from tests.llm_helpers import SMALL, stats
from tests.planted import planted_contract
from workers.local import LocalExecutor

LATENCY_S = 0.3  # per model answer: a run that calls the model cannot be faster than this


def test_the_cache_key_names_the_tenant() -> None:
    assert cache_key("same text", "kimi-k2-thinking", "a") != cache_key("same text", "kimi-k2-thinking", "b")
    assert cache_key("same text", "kimi-k2-thinking", "a") == cache_key("same text", "kimi-k2-thinking", "a")


def test_tenant_b_never_gets_tenant_as_cached_answer(tmp_path: Path, keys_env: None) -> None:
    text = planted_contract()
    config = SimulatorConfig(fixed_latency_s=LATENCY_S)
    with running_simulator(config) as url:
        settings = flat(storage_dir=tmp_path, llm_base_url=url, llm_timeout_s=10.0, segment=SMALL)
        ctx = StageContext(settings=settings, store=LocalStore(tmp_path))
        executor = LocalExecutor(ctx, workers=4)

        def run(tenant: str) -> tuple[Report, int, float]:
            """The report, the model requests it made and its wall time."""
            before = int(stats(url)["requests"])  # type: ignore[call-overload]
            job = JobStore(ctx.store, tenant).create(
                text.encode(), "c.txt", JobOptions(model="auto"), ext="txt"
            )
            started = time.perf_counter()
            record, report = executor.run(tenant, job.job_id)
            seconds = time.perf_counter() - started
            assert record.status == "succeeded" and report is not None, record.error
            return report, int(stats(url)["requests"]) - before, seconds  # type: ignore[call-overload]

        try:
            a1, a1_calls, _ = run("tenant-a")
            a2, a2_calls, _ = run("tenant-a")
            b1, b1_calls, b1_seconds = run("tenant-b")
            b2, b2_calls, _ = run("tenant-b")
        finally:
            executor.close()
    segments = len(a1.segments)
    assert segments > 1 and a1_calls >= segments + 1  # every segment and the synthesis
    # Tenant A's own rerun is served from its cache: the cache works...
    assert a2_calls == 0 and sum(s.usage.cache_hits for s in a2.segments) == segments
    # ...but tenant B's first run pays for every call itself, and takes the time it takes.
    assert b1_calls == a1_calls
    assert sum(s.usage.cache_hits for s in b1.segments) == 0
    assert b1.summary.cost_usd == pytest.approx(a1.summary.cost_usd) and b1.summary.cost_usd > 0
    assert b1_seconds >= LATENCY_S
    # B's own cache then serves B.
    assert b2_calls == 0 and sum(s.usage.cache_hits for s in b2.segments) == segments
    assert {(f.category, f.start) for f in b1.findings} == {(f.category, f.start) for f in a1.findings}
    # The cached answers live under each tenant's own prefix.
    assert list(ctx.store.list("tenant-a/cache/")) and list(ctx.store.list("tenant-b/cache/"))
