"""Fallbacks that keep the data boundary, and batch budgets that degrade instead of failing.

Jobs run through the real openai SDK against the simulator (two of them where the test needs
to tell the self-hosted endpoint from the cloud one).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from pipeline.analyze.base import SegmentTask
from pipeline.analyze.dispatch import analyze_routed
from pipeline.analyze.kind import detect_kind
from pipeline.analyze.registry import build_analyzers, build_registry
from pipeline.api.batches import BatchInput, BatchService
from pipeline.api.service import JobService
from pipeline.api.uploads import inspect_file
from pipeline.config import Settings
from pipeline.ingest import ingest
from pipeline.jobs.planning import cut_segments
from pipeline.jobs.routes import plan_routes
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import TERMINAL, DocumentText, JobOptions, JobStore
from pipeline.report.model import Report
from pipeline.routing.budget import LocalPool, allocate
from pipeline.routing.calibration import OutputCalibration
from pipeline.routing.catalog import load_catalog
from pipeline.routing.router import RoutePolicy, route_segment
from pipeline.routing.spend import RedisPool
from pipeline.simulate.server import SimulatorConfig, running_simulator
from storage import keys
from storage.local import LocalStore
from tests.config_helpers import flat
from tests.llm_helpers import KEYS, SMALL, stats
from tests.planted import planted_contract
from tests.waiting import wait_for
from workers.local import LocalExecutor

HOSTED = {**KEYS, "LONGDOC_SELF_HOSTED_BASE_URL": "http://127.0.0.1:1/v1"}


# -- fallbacks ------------------------------------------------------------------------------


def test_pinned_models_fallbacks_follow_the_routers_score_not_catalog_order() -> None:
    catalog = load_catalog()
    policy = RoutePolicy(model="gpt-5.1-instant", profile="batch")
    d = route_segment(catalog, 0, 20_000, 0.2, policy, unavailable=catalog.unavailable(HOSTED))
    assert d.model == "gpt-5.1-instant"
    # Catalog order would put gpt-5.1-thinking first; for a simple batch segment the router's
    # own score prefers the cheapest capable model (quality >= 3) first.
    assert d.fallback[0] == "kimi-k2-thinking" and d.fallback[-1] == "rules"
    assert d.boundary == "none" and d.held_back == []


def test_boundary_is_kept_by_the_route_and_named() -> None:
    catalog = load_catalog()
    un = catalog.unavailable(HOSTED)
    local = route_segment(catalog, 0, 20_000, 0.2, RoutePolicy(model="self-hosted", self_hosted_only=True),
                          unavailable=un)  # fmt: skip
    assert local.model == "self-hosted" and local.fallback == ["rules"]
    assert local.boundary == "self_hosted_only"
    assert set(local.held_back) == {
        "gpt-5.1-instant",
        "gpt-5.1-thinking",
        "kimi-k2-thinking",
        "kimi-k2-thinking-turbo",
    }
    moonshot = route_segment(catalog, 0, 20_000, 0.2, RoutePolicy(model="auto", allowed_providers=["moonshot"]),
                             unavailable=un)  # fmt: skip
    assert moonshot.boundary == "providers:[moonshot]"
    assert {moonshot.model, *moonshot.fallback} <= {"kimi-k2-thinking", "kimi-k2-thinking-turbo", "rules"}


def _settings(root: Path, cloud_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {"llm_timeout_s": 2.0, "llm_backoff_base_s": 0.01, "llm_max_attempts": 2,
                                 "circuit_threshold": 100, **overrides}  # fmt: skip
    return flat(storage_dir=root, llm_base_url=cloud_url, segment=SMALL, **values)


def test_self_hosted_only_with_the_endpoint_failing_never_reaches_a_cloud_model(
    tmp_path: Path, keys_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    down = SimulatorConfig(time_scale=0.0, fault_rate=1.0, fault_kinds=("500",))
    with running_simulator(SimulatorConfig(time_scale=0.0)) as cloud, running_simulator(down) as local:
        monkeypatch.setenv("LONGDOC_SELF_HOSTED_BASE_URL", local)
        ctx = StageContext(settings=_settings(tmp_path, cloud), store=LocalStore(tmp_path))
        job = JobStore(ctx.store, "t").create(planted_contract().encode(), "c.txt",
                                              JobOptions(model="self-hosted", self_hosted_only=True), ext="txt")  # fmt: skip
        record, report = LocalExecutor(ctx, workers=4).run("t", job.job_id)
        cloud_stats, local_stats = stats(cloud), stats(local)
    assert record.status == "succeeded" and report is not None
    print(f"self-hosted only, endpoint failing: {local_stats['requests']} requests to it, "
          f"{cloud_stats['requests']} to the cloud, {len(report.segments)} segments degraded to rules")  # fmt: skip
    assert cloud_stats["requests"] == 0  # not one request crossed the boundary
    assert local_stats["requests"] > 0 and local_stats["by_status"] == {"500": local_stats["requests"]}
    assert report.routing is not None and report.routing.boundary == "self_hosted_only"
    assert {s.status for s in report.segments} == {"degraded"}
    assert {s.degraded_reason for s in report.segments} == {"boundary"}
    assert report.routing.degraded_by_boundary == [s.index for s in report.segments]
    assert all("data boundary self_hosted_only held" in w.message for s in report.segments for w in s.warnings
               if w.code == "degraded")  # fmt: skip
    assert report.findings  # the rules model answered every segment


def test_dispatch_refuses_a_fallback_outside_the_decisions_boundary(tmp_path: Path, keys_env: None) -> None:
    """A chain that names a cloud model (a stale or tampered routes.json) still never calls it."""
    text = planted_contract()[:4000]
    with running_simulator(SimulatorConfig(time_scale=0.0)) as cloud:
        settings = _settings(tmp_path, cloud)
        registry = build_registry(settings)
        catalog = registry.catalog
        d = route_segment(catalog, 0, 1000, 0.2, RoutePolicy(model="kimi-k2-thinking"), unavailable={})
        d = d.model_copy(update={"boundary": "self_hosted_only"})
        doc = ingest(text.encode(), name="c.txt", limits=settings.limits)
        from chunking.locator import Locator
        from chunking.structure import find_sections

        task = SegmentTask(segment=0, text=text, base_offset=0, kind="contract",
                           locator=Locator.for_text(doc, find_sections(doc.text)))  # fmt: skip
        result = analyze_routed(task, d, build_analyzers(settings), registry.llms, None, tenant="default")
        assert stats(cloud)["requests"] == 0
    assert result.status == "degraded" and result.degraded_reason == "boundary"


# -- budget pool ----------------------------------------------------------------------------


def _pool_scenario(pool: LocalPool | RedisPool) -> None:
    # Allocations 0.25 / 0.75 of $1.
    assert pool.reserve("a", 0.2)
    assert not pool.reserve("a", 0.2)  # over a's share, and nobody finished yet
    pool.settle("a", 0.2, 0.1)  # the call cost less than reserved
    assert pool.reserve("a", 0.15)
    pool.settle("a", 0.15, 0.15)  # a spent 0.25: all of its allocation
    assert pool.reserve("b", 0.5)
    pool.settle("b", 0.5, 0.4)
    pool.finish("b")  # b leaves 0.35 unspent to the others
    pool.finish("b")  # once only
    assert pool.reserve("a", 0.3)
    assert not pool.reserve("a", 0.1)  # 0.05 left in the whole pool
    assert pool.spent() == pytest.approx(0.95)


def test_local_pool_allocates_by_size_and_hands_on_what_finished_documents_left() -> None:
    alloc = allocate(1.0, {"a": 100, "b": 300})
    assert alloc == pytest.approx({"a": 0.25, "b": 0.75})
    _pool_scenario(LocalPool(1.0, alloc))


def test_redis_pool_keeps_the_same_ledger(redis_db: str) -> None:
    import redis

    pool = RedisPool(redis.Redis.from_url(redis_db), "t", "batch-1")
    pool.create(1.0, allocate(1.0, {"a": 100, "b": 300}))
    assert pool.exists()
    _pool_scenario(pool)


def test_output_ratio_calibration_moves_from_the_prior_to_what_a_model_does() -> None:
    prior = RoutePolicy().output_ratio
    empty = OutputCalibration()
    assert empty.ratio("kimi-k2-thinking", prior) == prior
    lines = [{"model": "kimi-k2-thinking", "segment_tokens": 100_000, "completion_tokens": 2_400}] * 20
    table = empty.learn([*lines, {"model": "x", "error": "timeout"}])
    learned = table.ratio("kimi-k2-thinking", prior)
    assert 0.02 <= learned < 0.03  # 2,000 tokens above the fixed 400 per 100K: 0.02, the prior fading
    assert table.ratio("gpt-5.1", prior) == prior  # no evidence: the prior
    catalog = load_catalog()
    spec = catalog.get("kimi-k2-thinking")
    from pipeline.routing.router import estimate

    _, seeded, _ = estimate(spec, 100_000, RoutePolicy())
    _, calibrated, _ = estimate(spec, 100_000, RoutePolicy(output_ratios=table.ratios(prior)))
    assert seeded == 8_400 and calibrated < 3_500


def _contracts(n: int) -> list[tuple[str, bytes]]:
    """Planted contracts of different sizes and texts (no cache hits between them)."""
    base = planted_contract()
    out = []
    for i in range(n):
        text = base.replace("cooperate", f"cooperate (copy {i})")
        extra = ("\n\n" + base.split("ARTICLE VI")[0].replace("Provider shall", f"Provider ({i}) shall")) * (
            i % 3
        )
        out.append((f"contract-{i:02d}.txt", (text + extra).encode()))
    return out


def _estimate(settings: Settings, docs: list[tuple[str, bytes]], options: JobOptions) -> float:
    registry = build_registry(settings)
    total = 0.0
    for name, data in docs:
        ex = ingest(data, name=name, limits=settings.limits)
        from chunking.structure import find_sections

        sections = find_sections(ex.text)
        _, plan = cut_segments(ex, sections, settings)
        doc = DocumentText(extracted=ex, sections=sections, kind=detect_kind(ex.text))
        total += plan_routes(doc, plan, options, registry, settings).estimated_usd
    return total


def test_batch_budget_of_half_the_estimate_degrades_segments_and_fails_no_document(
    tmp_path: Path, keys_env: None
) -> None:
    docs = _contracts(20)
    options = JobOptions(model="auto")
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        settings = _settings(tmp_path / "store", url, api_job_workers=2, workers=2)
        budget = _estimate(settings, docs, options) / 2
        store = LocalStore(tmp_path / "store")
        jobs = JobService(settings, store)
        try:
            inputs = [BatchInput(name=n, info=inspect_file(io.BytesIO(d), 10**8), upload=io.BytesIO(d))
                      for n, d in docs]  # fmt: skip
            batches = BatchService(jobs)
            record = batches.create("t", inputs, options, budget_usd=budget)
            wait_for(
                lambda: all(e.status in TERMINAL for e in batches.entries("t", record)), 300, "the batch"
            )
            entries = batches.entries("t", record)
            billed = stats(url)
        finally:
            jobs.close()
    assert [e.status for e in entries] == ["succeeded"] * 20
    reports = [Report.model_validate_json(store.get(keys.job_file("t", e.job_id or "", "report.json")))
               for e in entries]  # fmt: skip
    spent = sum(r.summary.cost_usd for r in reports)
    from tests.test_llm_pipeline import cost_from_stats

    assert spent <= budget
    assert cost_from_stats(billed) == pytest.approx(spent, abs=1e-4)  # what the provider billed
    segments = [s for r in reports for s in r.segments]
    by_budget = [s for s in segments if s.status == "degraded"]
    print(f"batch of {len(entries)}: {sum(e.status == 'succeeded' for e in entries)} succeeded, spent "
          f"${spent:.4f} of a ${budget:.4f} budget, {len(by_budget)} of {len(segments)} segments degraded")  # fmt: skip
    assert by_budget and len(by_budget) < len(segments)  # half the estimate: some, not all
    assert {s.degraded_reason for s in by_budget} == {"budget"}
    assert all(
        any(w.code == "degraded" and w.message.startswith("budget:") for w in s.warnings) for s in by_budget
    )
    assert sum(len(r.routing.degraded_by_budget) for r in reports if r.routing) == len(by_budget)
