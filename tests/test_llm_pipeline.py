"""Routed LLM analysis end to end: the real openai SDK over HTTP against the simulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobOptions, JobStore
from pipeline.report.model import Report
from pipeline.routing.catalog import load_catalog
from pipeline.simulate.server import SimulatorConfig, running_simulator
from storage import keys
from storage.local import LocalStore
from tests.config_helpers import grouped
from tests.llm_helpers import SMALL, stats
from tests.planted import planted_contract
from workers.local import LocalExecutor


class Harness:
    def __init__(self, root: Path, base_url: str, **routing: object) -> None:
        """``routing``: fields of the routing group, over the fast retries set here."""
        settings = grouped(
            storage={"dir": root},
            segment=SMALL,
            routing={"llm_base_url": base_url, "llm_timeout_s": 2.0, "llm_backoff_base_s": 0.01, **routing},
        )
        self.ctx = StageContext(settings=settings, store=LocalStore(root))
        self.executor = LocalExecutor(self.ctx, workers=4)

    def run(self, text: str, options: JobOptions) -> tuple[str, Report]:
        job = JobStore(self.ctx.store, "t").create(text.encode(), "contract.txt", options, ext="txt")
        record, report = self.executor.run("t", job.job_id)
        assert record.status == "succeeded", record.error
        assert report is not None
        return job.job_id, report


def cost_from_stats(s: dict[str, object]) -> float:
    catalog = load_catalog()
    by_api = {m.api_model: m for m in catalog.models}
    total = 0.0
    for api_model, u in s["usage_by_model"].items():  # type: ignore[attr-defined]
        total += by_api[api_model].cost_usd(u["prompt_tokens"], u["completion_tokens"])
    return total


def test_auto_routes_to_kimi_and_reports_cost_equal_to_usage(tmp_path: Path, keys_env: None) -> None:
    text = planted_contract()
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        h = Harness(tmp_path, url)
        _, report = h.run(text, JobOptions(model="auto"))
        s = stats(url)
    assert {r.model for r in report.routes} == {"kimi-k2-thinking"}
    assert all(seg.model == "kimi-k2-thinking" and seg.status == "ok" for seg in report.segments)
    assert report.synthesis is not None and report.synthesis.model == "kimi-k2-thinking"
    assert s["over_long"] == 0
    assert report.summary.cost_usd == pytest.approx(cost_from_stats(s), abs=0.005)
    for sp in [*report.findings, *report.key_terms, *report.defined_terms, *report.references]:
        assert text[sp.start : sp.end] == sp.quote


def test_rerun_makes_no_model_calls(tmp_path: Path, keys_env: None) -> None:
    text = planted_contract()
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        h = Harness(tmp_path, url)
        _, first = h.run(text, JobOptions(model="auto"))
        before = stats(url)["requests"]
        _, second = h.run(text, JobOptions(model="auto"))
        after = stats(url)["requests"]
    segments = len(second.segments)
    # Segment analyses and the synthesis come from the cache: not one model call.
    assert after == before
    assert sum(s.usage.cache_hits for s in second.segments) == segments
    assert {(f.category, f.start) for f in first.findings} == {(f.category, f.start) for f in second.findings}


def test_faults_of_every_kind_never_fail_a_job_or_leak_invented_quotes(
    tmp_path: Path, keys_env: None
) -> None:
    text = planted_contract()
    config = SimulatorConfig(time_scale=0.0, fault_rate=0.2, hang_s=3.0, seed=7)
    with running_simulator(config) as url:
        h = Harness(tmp_path, url, llm_timeout_s=0.5)
        for i in range(6):
            variant = text.replace("cooperate", f"cooperate ({i})")  # every segment differs: no cache hits
            _, report = h.run(variant, JobOptions(model="auto"))
            assert all(seg.status in ("ok", "degraded") for seg in report.segments)
            for sp in [*report.findings, *report.key_terms, *report.defined_terms, *report.references]:
                assert variant[sp.start : sp.end] == sp.quote
        s = stats(url)
    assert s["over_long"] == 0
    assert sum(s["faults_by_kind"].values()) > 0  # type: ignore[attr-defined]


def test_all_models_down_degrades_to_rules(tmp_path: Path, keys_env: None) -> None:
    with running_simulator(SimulatorConfig(time_scale=0.0, fault_rate=1.0, fault_kinds=("500",))) as url:
        h = Harness(tmp_path, url, llm_max_attempts=2, circuit_threshold=100)
        job_id, report = h.run(planted_contract(), JobOptions(model="auto"))
    assert {s.status for s in report.segments} == {"degraded"}
    assert all(any(w.code == "degraded" for w in s.warnings) for s in report.segments)
    assert report.findings or report.key_terms  # the rules model still answered
    audit = list(h.ctx.store.list(keys.job_prefix("t", job_id) + "audit/llm-"))
    assert audit  # every failed LLM call was recorded


def test_budget_too_small_refuses_the_job(tmp_path: Path, keys_env: None) -> None:
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        h = Harness(tmp_path, url)
        job = JobStore(h.ctx.store, "t").create(planted_contract().encode(), "c.txt",
                                                JobOptions(model="auto", budget_usd=0.0001), ext="txt")  # fmt: skip
        record, report = h.executor.run("t", job.job_id)
        assert stats(url)["requests"] == 0
    assert record.status == "failed" and record.error is not None and record.error.code == "over_budget"
    assert report is None
