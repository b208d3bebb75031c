"""Router decisions: the seed's examples, policies, budgets, and the reliable-context limit."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chunking.locator import Locator
from pipeline.analyze.base import SegmentTask
from pipeline.analyze.registry import build_analyzers
from pipeline.routing import router
from pipeline.routing.catalog import Catalog, ModelSpec, load_catalog
from pipeline.routing.router import OverBudget, RoutePolicy, fits, route_segment
from tests.config_helpers import grouped
from tests.planted import planted_contract

ALL_KEYS = {
    "OPENAI_API_KEY": "k",
    "MOONSHOT_API_KEY": "k",
    "LONGDOC_SELF_HOSTED_BASE_URL": "http://gpu:8000/v1",
}
HOSTED_KEYS = {"OPENAI_API_KEY": "k", "MOONSHOT_API_KEY": "k"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_catalog_entries_and_figures(catalog: Catalog) -> None:
    assert set(catalog.ids) >= {
        "gpt-5.1-instant",
        "gpt-5.1-thinking",
        "kimi-k2-thinking",
        "kimi-k2-thinking-turbo",
        "self-hosted",
        "rules",
    }
    kimi = catalog.get("kimi-k2-thinking")
    assert (kimi.price_in_per_m, kimi.price_out_per_m, kimi.reliable_context) == (0.6, 2.5, 150_000)
    assert catalog.get("kimi-k2-thinking-turbo").price_out_per_m == 8.0
    assert catalog.get("gpt-5.1-thinking").context_window == 400_000
    assert catalog.get("rules").price_in_per_m == 0


def test_missing_api_key_makes_a_model_unavailable_with_the_reason(catalog: Catalog) -> None:
    missing = catalog.unavailable({})
    assert missing["gpt-5.1-instant"] == "OPENAI_API_KEY is not set"
    assert "rules" not in missing


def test_seed_example_150k_contract_batch_high_error_cost(catalog: Catalog) -> None:
    d = route_segment(catalog, 0, 150_000, 0.6, RoutePolicy(model="auto", profile="batch", error_cost_usd=5000),
                      unavailable=catalog.unavailable(HOSTED_KEYS))  # fmt: skip
    # Kimi's reliable 150K cannot hold preamble + 150K + reserve; Instant's 128K neither.
    assert d.model == "gpt-5.1-thinking"
    assert d.fallback[-1] == "rules"
    assert any("error cost" in r for r in d.reasons)


def test_seed_example_short_interactive_query(catalog: Catalog) -> None:
    d = route_segment(catalog, 0, 1_200, 0.1, RoutePolicy(model="auto", profile="interactive", latency_target_s=3),
                      unavailable=catalog.unavailable(HOSTED_KEYS))  # fmt: skip
    assert d.model == "gpt-5.1-instant"


def test_seed_example_complex_high_stakes_case(catalog: Catalog) -> None:
    d = route_segment(catalog, 0, 4_500, 0.8, RoutePolicy(model="auto", profile="interactive", error_cost_usd=50_000),
                      unavailable=catalog.unavailable(HOSTED_KEYS))  # fmt: skip
    assert d.model == "gpt-5.1-thinking"


def test_batch_simple_goes_to_kimi_base(catalog: Catalog) -> None:
    d = route_segment(catalog, 0, 60_000, 0.2, RoutePolicy(model="auto", profile="batch"),
                      unavailable=catalog.unavailable(HOSTED_KEYS))  # fmt: skip
    assert d.model == "kimi-k2-thinking"


def test_90k_segment_under_self_hosted_only_policy(catalog: Catalog) -> None:
    d = route_segment(catalog, 0, 90_000, 0.5, RoutePolicy(model="auto", self_hosted_only=True),
                      unavailable=catalog.unavailable(ALL_KEYS))  # fmt: skip
    assert d.model == "self-hosted"
    assert d.fallback == ["rules"]
    assert d.estimated_usd == 0


def test_no_llm_available_routes_to_rules_with_reasons(catalog: Catalog) -> None:
    d = route_segment(catalog, 0, 90_000, 0.5, RoutePolicy(model="auto"), unavailable=catalog.unavailable({}))
    assert d.model == "rules"
    assert any("OPENAI_API_KEY" in r for r in d.reasons)


def test_budget_downgrades_then_refuses(catalog: Catalog) -> None:
    policy = RoutePolicy(model="auto", profile="batch", error_cost_usd=5000)
    un = catalog.unavailable(HOSTED_KEYS)
    top = route_segment(catalog, 0, 80_000, 0.9, policy, unavailable=un)
    cheap = route_segment(
        catalog, 0, 80_000, 0.9, policy, unavailable=un, budget_left_usd=top.estimated_usd / 2
    )
    assert cheap.model != top.model and cheap.estimated_usd <= top.estimated_usd / 2
    assert any("downgraded" in r for r in cheap.reasons)
    with pytest.raises(OverBudget) as info:
        route_segment(catalog, 0, 80_000, 0.9, policy, unavailable=un, budget_left_usd=0.0001)
    assert info.value.code == "over_budget"


specs = st.builds(
    lambda i, ctx, frac, out, pin, pout: ModelSpec(
        id=f"m{i}",
        provider="p",
        api_model=f"m{i}",
        base_url="http://x/v1",
        api_key_env=None,
        context_window=ctx,
        reliable_context=max(1, int(ctx * frac)),
        max_output=out,
        price_in_per_m=pin,
        price_out_per_m=pout,
        latency_p50_s=1,
        latency_p95_s=2,
        self_hosted=False,
        json_schema=True,
    ),  # fmt: skip
    st.integers(0, 10_000),
    st.integers(8_000, 500_000),
    st.floats(0.3, 1.0),
    st.integers(0, 200_000),
    st.floats(0, 20),
    st.floats(0, 60),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(specs, min_size=1, max_size=6, unique_by=lambda m: m.id),
    st.integers(1, 400_000),
    st.floats(0, 1),
    st.sampled_from(["interactive", "batch"]),
    st.floats(0, 100_000),
)
def test_never_over_a_models_reliable_context(models: list[ModelSpec], tokens: int, complexity: float,
                                              profile: str, error_cost: float) -> None:  # fmt: skip
    catalog = Catalog(models=[*models, load_catalog().get("rules")])
    policy = RoutePolicy(model="auto", profile=profile, error_cost_usd=error_cost)  # type: ignore[arg-type]
    d = route_segment(catalog, 0, tokens, complexity, policy)
    for model_id in [d.model, *d.fallback]:
        spec = catalog.get(model_id)
        assert fits(spec, tokens, policy)
        if model_id != "rules":
            requested = min(policy.output_reserve_tokens, spec.max_output)
            assert policy.preamble_tokens + tokens + requested <= spec.reliable_context


def test_the_rules_models_calls_wait_while_the_hold_file_exists(tmp_path: Path) -> None:
    # The fault tests' way to keep a call in flight (LONGDOC_RULES_HOLD_PATH) without a fixed wait.
    hold = tmp_path / "hold"
    hold.touch()
    rules = build_analyzers(grouped(storage={"dir": tmp_path}, execution={"rules_hold_path": hold}))["rules"]
    text = planted_contract()
    task = SegmentTask(segment=0, text=text, base_offset=0, kind="contract", locator=Locator([], []))
    with ThreadPoolExecutor(1) as pool:
        call = pool.submit(rules.analyze, task)
        with pytest.raises(FutureTimeout):
            call.result(timeout=0.3)  # held: no answer yet
        hold.unlink()
        assert call.result(timeout=30).findings


# The plain patterns estimate_complexity used to count with findall (router.py notes each).
_PLAIN = {
    "refs": (
        router._REF,
        re.compile(r"\b(?:section|article|exhibit|schedule|clause|paragraph)s?\s+[0-9a-z]"),
    ),
    "quals": (
        router._QUALIFIER,
        re.compile(r"\b(?:notwithstanding|provided\s+that|except|subject\s+to|unless|in\s+no\s+event)\b"),
    ),
}
_PIECES = ["section", "sections", "article", "exhibit", "schedule", "clause", "paragraph", "notwithstanding",
           "provided", "that", "except", "subject", "to", "unless", "in", "no", "event", "s", "x", "é", "²", "_",
           " ", "  ", "\n", "\t", "$", "%", ",", ".", "5", "12", "a", "٣", "-", "(", "“"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_complexity_counts_are_the_plain_patterns_counts(text: str) -> None:
    # The faster forms count exactly the matches the plain ones find, so routes and audits are unchanged.
    for fast, plain in _PLAIN.values():
        assert router._count_at_word_start(fast, text) == len(plain.findall(text))
    assert len(router._NUMBER.findall(text)) == len(re.findall(r"\$?\d[\d,.]*%?", text))


def test_complexity_counts_on_the_example_contract() -> None:
    root = Path(__file__).resolve().parents[1]
    text = (
        (root / "pipeline" / "examples" / "master-services-agreement.txt").read_text(encoding="utf-8").lower()
    )
    for fast, plain in _PLAIN.values():
        assert router._count_at_word_start(fast, text) == len(plain.findall(text)) > 0
