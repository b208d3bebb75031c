"""The daily spend cap as built from Settings by every runner: per tenant in a real Redis, with
jobs run through the real stages and the LLM simulator over HTTP (the real openai SDK).

Keys live in database 12 under tenant names unique to each test, deleted afterwards.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from pipeline.cli.main import main
from pipeline.config import RedisConfig, RoutingConfig, Settings, StorageConfig
from pipeline.jobs.stages import StageContext, run_consolidate, run_ingest, run_plan, run_segment
from pipeline.jobs.store import JobOptions, JobStore
from pipeline.report.model import Report
from pipeline.simulate.server import SimulatorConfig, running_simulator
from storage.local import LocalStore
from tests.api_helpers import api, make_settings
from tests.config_helpers import grouped, merged
from tests.llm_helpers import KEYS, SMALL, stats
from tests.planted import planted_contract
from tests.redis_util import RedisServer, free_port
from workers.local import LocalExecutor

SPEND_DB = 12
HOSTED = "kimi-k2-thinking"  # what `auto` picks for the planted contract when nothing is capped
SELF_HOSTED_API_MODEL = "Qwen/Qwen2.5-72B-Instruct"


@pytest.fixture
def spend_url(redis_base: str) -> str:  # noqa: F811
    return f"{redis_base}/{SPEND_DB}"


@pytest.fixture
def tenant(spend_url: str) -> Iterator[Callable[[str], str]]:
    """Unique tenant names; their spend keys are deleted after the test."""
    made: list[str] = []

    def new(label: str) -> str:
        made.append(f"{label}-{uuid.uuid4().hex[:10]}")
        return made[-1]

    yield new
    client = redis.Redis.from_url(spend_url)
    for t in made:
        for key in client.scan_iter(match=f"longdoc:spend:{t}:*"):
            client.delete(key)
    client.close()


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for k, v in KEYS.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("LONGDOC_SELF_HOSTED_BASE_URL", raising=False)
    yield


def spent(url: str, tenant: str) -> float | None:
    client = redis.Redis.from_url(url)
    raw = client.get(f"longdoc:spend:{tenant}:{datetime.now(UTC):%Y-%m-%d}")
    client.close()
    return float(raw) if raw is not None else None


def reservations(url: str, tenant: str) -> dict[bytes, bytes]:
    client = redis.Redis.from_url(url)
    out: dict[bytes, bytes] = client.hgetall(f"longdoc:spend:{tenant}:{datetime.now(UTC):%Y-%m-%d}:reserved")
    client.close()
    return out


def variant(i: int) -> str:  # every variant differs: no cache hits between jobs
    return planted_contract().replace("cooperate", f"cooperate ({i})")


def settings_for(root: Path, sim_url: str, **groups: Mapping[str, Any]) -> Settings:
    base = {"storage": {"dir": root}, "segment": SMALL,
            "routing": {"llm_base_url": sim_url, "llm_timeout_s": 2.0, "llm_backoff_base_s": 0.01}}  # fmt: skip
    return grouped(**merged(base, groups))


def run(executor: LocalExecutor, tenant: str, text: str) -> Report:
    job = JobStore(executor.ctx.store, tenant).create(
        text.encode(), "c.txt", JobOptions(model="auto"), ext="txt"
    )
    record, report = executor.run(tenant, job.job_id)
    assert record.status == "succeeded", record.error
    assert report is not None
    return report


def probe(root: Path, sim_url: str) -> tuple[float, float]:
    """What one job costs and what it is estimated at, run without a cap."""
    report = run(
        LocalExecutor(StageContext(settings_for(root, sim_url), LocalStore(root))), "probe", variant(1)
    )
    return report.summary.cost_usd, sum(r.estimated_usd for r in report.routes)


def warnings_of(report: Report, code: str) -> list[str]:
    """Job warnings (the report's list holds every segment's too) with this code."""
    return [w.message for w in report.warnings if getattr(w, "code", None) == code]


def test_cap_is_per_tenant_accumulates_in_redis_and_caps_to_self_hosted(
    tmp_path: Path,
    spend_url: str,
    tenant: Callable[[str], str],
    llm_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    acme, globex = tenant("acme"), tenant("globex")
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        monkeypatch.setenv("LONGDOC_SELF_HOSTED_BASE_URL", url)  # a free self-hosted model to fall back on
        # What one job costs (a) and is estimated at (e), measured without a cap. The cap fits a
        # first job, then a second one planned against its reservation, but not a third.
        a, e = probe(tmp_path / "probe", url)
        cap = a + 1.1 * e
        settings = settings_for(tmp_path / "s", url, routing={"daily_cap_usd": cap}, redis={"url": spend_url})
        ex = LocalExecutor(StageContext(settings=settings, store=LocalStore(tmp_path / "s")), workers=4)

        first = run(ex, acme, variant(1))
        assert {s.model for s in first.segments} == {HOSTED}
        assert spent(spend_url, acme) == pytest.approx(first.summary.cost_usd, abs=1e-9)
        assert warnings_of(first, "spend_alert") == []  # about half the cap

        second = run(ex, acme, variant(2))  # today's spend plus its estimate fit: still hosted
        assert {s.model for s in second.segments} == {HOSTED}
        total = first.summary.cost_usd + second.summary.cost_usd
        assert spent(spend_url, acme) == pytest.approx(total, abs=1e-9)
        alerts = warnings_of(second, "spend_alert")
        # Alerts for the thresholds crossed (none here: small jobs' estimates are well above their cost).
        crossed = [p for p in (75, 90, 100) if total >= cap * p / 100]
        assert sorted(int(a.split(" reached ")[1].split("%")[0]) for a in alerts) == crossed

        hosted_calls = stats(url)["by_model"][HOSTED]  # type: ignore[index]
        capped = run(ex, acme, variant(3))  # its estimate does not fit what is left
        assert {r.model for r in capped.routes} == {"self-hosted"}
        assert {s.model for s in capped.segments} == {"self-hosted"}
        assert all(s.status == "ok" for s in capped.segments)
        assert any("does not fit" in m for m in warnings_of(capped, "routing"))
        assert stats(url)["by_model"][HOSTED] == hosted_calls  # type: ignore[index]
        assert stats(url)["by_model"][SELF_HOSTED_API_MODEL] > 0  # type: ignore[index]
        assert spent(spend_url, acme) == pytest.approx(total, abs=1e-9)  # self-hosted is free
        assert reservations(spend_url, acme) == {}  # every job released its reservation

        other = run(ex, globex, variant(4))  # another tenant: acme's cap is not its cap
        assert {s.model for s in other.segments} == {HOSTED}
        assert warnings_of(other, "routing") == [] and warnings_of(other, "spend_alert") == []
        assert spent(spend_url, globex) == pytest.approx(other.summary.cost_usd, abs=1e-9)
        assert spent(spend_url, acme) == pytest.approx(total, abs=1e-9)


def test_jobs_planned_at_once_cannot_overshoot_the_cap_together(
    tmp_path: Path,
    spend_url: str,
    tenant: Callable[[str], str],
    llm_env: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two jobs planned before either has spent anything: the first reserves its estimate, the
    second (which would have fitted the bare spend) is routed to self-hosted."""
    acme = tenant("acme")
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        monkeypatch.setenv("LONGDOC_SELF_HOSTED_BASE_URL", url)
        _, e = probe(tmp_path / "probe", url)
        settings = settings_for(
            tmp_path / "s", url, routing={"daily_cap_usd": 1.5 * e}, redis={"url": spend_url}
        )
        ctx = StageContext(settings=settings, store=LocalStore(tmp_path / "s"))
        jobs = [JobStore(ctx.store, acme).create(variant(i).encode(), "c.txt", JobOptions(model="auto"), ext="txt")
                for i in (1, 2)]  # fmt: skip
        docs = [run_ingest(ctx, acme, j.job_id) for j in jobs]
        plans = [run_plan(ctx, acme, j.job_id, doc=d) for j, d in zip(jobs, docs, strict=True)]
        assert spent(spend_url, acme) is None  # nothing spent yet: the bare spend check passes both
        (held,) = reservations(spend_url, acme).items()
        assert held[0].decode() == jobs[0].job_id
        reports = []
        for j, d, p in zip(jobs, docs, plans, strict=True):
            analyses = [run_segment(ctx, acme, j.job_id, i, doc=d, plan=p) for i in range(len(p.segments))]
            reports.append(run_consolidate(ctx, acme, j.job_id, doc=d, plan=p, analyses=analyses))
        first, second = reports
        assert {s.model for s in first.segments} == {HOSTED}
        assert {s.model for s in second.segments} == {"self-hosted"}
        assert any("does not fit" in m for m in warnings_of(second, "routing"))
        assert spent(spend_url, acme) == pytest.approx(first.summary.cost_usd, abs=1e-9)
        assert spent(spend_url, acme) <= 1.5 * e  # type: ignore[operator]
        assert reservations(spend_url, acme) == {}


@pytest.mark.slow  # fault injection: its own redis-server, stopped mid-job
def test_redis_down_mid_job_keeps_results_warns_and_counts_the_spend_later(
    tmp_path: Path, tenant: Callable[[str], str], llm_env: None
) -> None:
    server = RedisServer(tmp_path / "redis").start()  # ours, so we may stop it
    url = f"{server.base_url}/0"
    acme = tenant("acme")
    try:
        with running_simulator(SimulatorConfig(time_scale=0.0)) as sim:
            settings = settings_for(tmp_path / "s", sim, routing={"daily_cap_usd": 10.0}, redis={"url": url})
            ctx = StageContext(settings=settings, store=LocalStore(tmp_path / "s"))
            job = JobStore(ctx.store, acme).create(
                variant(1).encode(), "c.txt", JobOptions(model="auto"), ext="txt"
            )
            doc = run_ingest(ctx, acme, job.job_id)
            plan = run_plan(ctx, acme, job.job_id, doc=doc)  # Redis up: hosted models allowed
            server.stop()
            analyses = [
                run_segment(ctx, acme, job.job_id, i, doc=doc, plan=plan) for i in range(len(plan.segments))
            ]
            report = run_consolidate(ctx, acme, job.job_id, doc=doc, plan=plan, analyses=analyses)
            assert {(s.model, s.status) for s in report.segments} == {(HOSTED, "ok")}
            assert report.summary.cost_usd > 0
            unrecorded = warnings_of(report, "spend_unrecorded")
            assert len(unrecorded) == len(plan.segments) + 1  # every segment and the synthesis
            assert "Redis unreachable" in unrecorded[0]

            server.start()  # same port; the client reconnects
            later = run(LocalExecutor(ctx), acme, variant(2))
        # Nothing was lost: the spend made while Redis was down was added with the next write.
        assert spent(url, acme) == pytest.approx(report.summary.cost_usd + later.summary.cost_usd, abs=1e-9)
    finally:
        server.stop()


def _cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *args: str
) -> list[dict[str, Any]]:
    closed = free_port()  # nothing listens here
    monkeypatch.setenv("LONGDOC_REDIS_URL", f"redis://127.0.0.1:{closed}/0")
    monkeypatch.setenv("LONGDOC_STORAGE_DIR", str(tmp_path / "store"))
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    tmp_path.mkdir(parents=True, exist_ok=True)
    doc = tmp_path / "msa.txt"
    doc.write_text(variant(7))
    out = tmp_path / "out"
    code = main(["analyze", "--json", "--out", str(out), *args, str(doc)])
    assert code == 0
    return [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]


def test_without_a_cap_the_cli_never_needs_redis(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, llm_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("LONGDOC_DAILY_CAP_USD", raising=False)
    (offline,) = _cli(tmp_path / "rules", monkeypatch, {})  # the default: offline rules model
    assert offline["summary"]["findings"] > 0 and {s["model"] for s in offline["segments"]} == {"rules"}
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        (routed,) = _cli(tmp_path / "auto", monkeypatch, {"LONGDOC_LLM_BASE_URL": url}, "--model", "auto")
    assert {s["model"] for s in routed["segments"]} == {HOSTED}  # no cap: nothing narrowed the routing
    assert not [w for w in routed["warnings"] if "spend" in w["message"]]
    capsys.readouterr()


def test_cap_with_redis_unreachable_runs_the_job_on_rules_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, llm_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        env = {"LONGDOC_LLM_BASE_URL": url, "LONGDOC_DAILY_CAP_USD": "5"}
        (report,) = _cli(tmp_path, monkeypatch, env, "--model", "auto")
        assert stats(url)["requests"] == 0  # spend unknown: no hosted model was called
    assert {s["model"] for s in report["segments"]} == {"rules"}
    routing = [w["message"] for w in report["warnings"] if w.get("code") == "routing"]
    assert len(routing) == 1 and "daily spend cap unknown" in routing[0] and "Redis unreachable" in routing[0]
    capsys.readouterr()


def test_api_keeps_spend_per_tenant(
    tmp_path: Path, spend_url: str, tenant: Callable[[str], str], llm_env: None
) -> None:
    acme, globex = tenant("acme"), tenant("globex")
    keys = {acme: f"key-{acme}", globex: f"key-{globex}"}
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        settings = make_settings(
            tmp_path, api={"keys": {hashlib.sha256(k.encode()).hexdigest(): t for t, k in keys.items()}},
            routing={"daily_cap_usd": 100.0, "llm_base_url": url, "llm_timeout_s": 2.0},
            redis={"url": spend_url}, segment=SMALL,
        )  # fmt: skip
        with api(settings) as client:
            costs = {}
            for t, i in ((acme, 1), (globex, 2)):
                headers = {"Authorization": f"Bearer {keys[t]}"}
                r = client.post("/v1/jobs", files={"file": ("c.txt", variant(i).encode(), "text/plain")},
                                data={"model": "auto"}, headers=headers)  # fmt: skip
                assert r.status_code == 202, r.text
                done = _wait(client, r.json()["id"], headers)
                assert done["status"] == "succeeded", done
                costs[t] = client.get(done["links"]["report"], headers=headers).json()["summary"]["cost_usd"]
                assert costs[t] > 0
                assert spent(spend_url, t) == pytest.approx(costs[t], abs=1e-9)
    assert spent(spend_url, acme) == pytest.approx(costs[acme], abs=1e-9)  # globex's job did not add to it


def _wait(client: TestClient, job_id: str, headers: dict[str, str]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while True:
        body: dict[str, Any] = client.get(f"/v1/jobs/{job_id}", headers=headers).json()
        if body["status"] in ("succeeded", "failed", "canceled") or time.monotonic() > deadline:
            return body
        time.sleep(0.05)


def test_celery_worker_runtime_records_spend_per_tenant(
    tmp_path: Path, spend_url: str, tenant: Callable[[str], str]
) -> None:
    from workers.celery_app import build_runtime

    acme = tenant("acme")
    rt = build_runtime(
        Settings(
            storage=StorageConfig(dir=tmp_path),
            redis=RedisConfig(url=spend_url),
            routing=RoutingConfig(daily_cap_usd=1.0),
        )
    )
    try:
        guard = rt.ctx.spend_for(acme)
        assert guard is not None
        alerts = guard.record(0.8)
        assert len(alerts) == 1 and "75%" in alerts[0]
        assert spent(spend_url, acme) == pytest.approx(0.8)
        other = rt.ctx.spend_for(tenant("globex"))
        assert other is not None and other.spent() == 0.0
    finally:
        rt.coord.close()
    uncapped = build_runtime(Settings(storage=StorageConfig(dir=tmp_path), redis=RedisConfig(url=spend_url)))
    assert uncapped.ctx.spend_for(acme) is None
    uncapped.coord.close()
