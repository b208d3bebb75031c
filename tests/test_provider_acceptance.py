"""Issue 14's acceptance for the wire: a CUAD contract answered by each catalog model in turn
through the strict simulator (nothing refused, no fallback, every quote verified), and with a 1 s
timeout forced, the job's spend equal to the sum of its audited attempts, one line per request."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobOptions, JobStore
from pipeline.report.model import Report
from pipeline.routing.catalog import DEFAULT_CATALOG
from pipeline.simulate.server import SimulatorConfig, running_simulator
from storage import keys
from storage.local import LocalStore
from tests.config_helpers import flat
from tests.conftest import SHARED_DATA, needs_shared
from tests.llm_helpers import KEYS, SMALL, request_log
from tests.planted import planted_contract
from tests.waiting import wait_for
from workers.local import LocalExecutor

CONTRACTS = SHARED_DATA / "cuad-dev" / "contracts"
THINKING_API_MODEL = "Qwen/Qwen3-32B"


def cuad_contract() -> Path:
    """A mid-sized CUAD contract (several segments at SMALL sizes), the same one every run."""
    files = sorted(CONTRACTS.glob("*.txt"))
    return next(f for f in files if 20_000 <= f.stat().st_size <= 40_000)


def thinking_catalog(tmp: Path) -> Path:
    """The shipped catalog with `self-hosted` serving a reasoning model without a reasoning parser."""
    raw = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))
    for m in raw["models"]:
        if m["id"] == "self-hosted":
            m.update(api_model=THINKING_API_MODEL, profile="openai-compatible-thinking", reasoning=True)
    path = tmp / "models.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    return path


def _closed(log: list[dict[str, Any]]) -> list[dict[str, Any]] | None:
    return log if all(e["status"] for e in log) else None


def run(root: Path, url: str, text: str, model: str, **overrides: Any) -> tuple[str, Report, StageContext]:
    values: dict[str, Any] = {"llm_backoff_base_s": 0.01, **overrides}
    ctx = StageContext(
        settings=flat(storage_dir=root, llm_base_url=url, segment=SMALL, **values), store=LocalStore(root)
    )
    executor = LocalExecutor(ctx, workers=4)
    try:
        job = JobStore(ctx.store, "t").create(
            text.encode(), "contract.txt", JobOptions(model=model), ext="txt"
        )
        record, report = executor.run("t", job.job_id)
    finally:
        executor.close()
    assert record.status == "succeeded", record.error
    assert report is not None
    return job.job_id, report, ctx


@needs_shared
@pytest.mark.parametrize(
    ("model", "api_model"),
    [
        ("gpt-5.1-thinking", "gpt-5.1"),
        ("gpt-5.1-instant", "gpt-5.1-chat-latest"),
        ("kimi-k2-thinking", "kimi-k2-thinking"),
        ("self-hosted", THINKING_API_MODEL),
    ],
)
def test_cuad_contract_is_answered_by_each_pinned_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model: str, api_model: str
) -> None:
    text = cuad_contract().read_text(encoding="utf-8")
    for k, v in KEYS.items():
        monkeypatch.setenv(k, v)
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        monkeypatch.setenv("LONGDOC_SELF_HOSTED_BASE_URL", url)  # self-hosted is not sent to llm_base_url
        _, report, _ = run(tmp_path, url, text, model, catalog_path=thinking_catalog(tmp_path))
        log = request_log(url)
    refused = [e for e in log if e["status"] != 200]
    print(f"{model}: {len(log)} requests, {len(refused)} refused, {len(report.segments)} segments, "
          f"{len(report.findings)} findings, ${report.summary.cost_usd:.4f}")  # fmt: skip
    assert len(report.segments) >= 3 and log
    assert refused == []
    assert {e["model"] for e in log} == {api_model}
    assert all(s.model == model and s.status == "ok" for s in report.segments)
    assert not [w for s in report.segments for w in s.warnings if w.code in ("fallback", "degraded")]
    assert report.synthesis is not None and report.synthesis.model == model
    spans = [*report.findings, *report.key_terms, *report.defined_terms, *report.references]
    assert report.findings and all(text[sp.start : sp.end] == sp.quote for sp in spans)


def test_timed_out_attempts_are_audited_one_line_each_and_billed_in_spend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in KEYS.items():
        monkeypatch.setenv(k, v)
    text = planted_contract()
    # Every answer takes 2 s; the forced 0.5 s timeout cuts each attempt after the prompt was
    # sent (the simulator reads and logs a request whenever it gets to it, hung up or not).
    with running_simulator(SimulatorConfig(fixed_latency_s=2.0)) as url:
        job_id, report, ctx = run(
            tmp_path, url, text, "kimi-k2-thinking", llm_timeout_s=0.5, llm_max_attempts=2
        )
        # The simulator notices each hang-up within 0.25 s; count once all are closed.
        log = wait_for(lambda: _closed(request_log(url)), 10, "every request to be closed")
    lines = [ctx.store.get_json(k) for k in ctx.store.list(keys.job_prefix("t", job_id) + "audit/")]
    attempts = [r for r in lines if r.get("kind") == "llm_call"]
    audited_usd = sum(r["cost_usd"] for r in attempts)
    print(f"{len(log)} requests, {len(attempts)} audit lines, spend ${report.summary.cost_usd:.6f}, "
          f"audited ${audited_usd:.6f}")  # fmt: skip

    assert {e["status"] for e in log} == {499}
    # Every model of the route (the pinned one, then its fallbacks) tried twice per segment.
    assert len(attempts) == len(log) >= 2 * len(report.segments)
    assert {(r["status"], r["error_class"]) for r in attempts} == {("timeout", "APITimeoutError")}
    per_call = Counter((r["segment"], r["model"]) for r in attempts)
    assert set(per_call.values()) == {2} and {m for _, m in per_call} >= {"kimi-k2-thinking"}
    assert all(s.status == "degraded" for s in report.segments)
    # Billed at their prompt tokens, as we count them: never fewer than the server's count.
    ours, server = sum(r["prompt_tokens"] for r in attempts), sum(e["prompt_tokens"] for e in log)
    assert server <= ours <= server * 1.02
    assert audited_usd > 0
    assert report.summary.cost_usd == pytest.approx(audited_usd, abs=1e-5)
    assert sum(s.usage.calls for s in report.segments) == len(attempts)
