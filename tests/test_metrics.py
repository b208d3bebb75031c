"""GET /metrics (pipeline/telemetry.py): what a Prometheus server scrapes, read back with the
Prometheus project's own text-format parser.

The service test runs the deployment the README describes: two `longdoc serve` processes and a
Celery worker on one machine, sharing one metrics directory (prometheus_client's multiprocess
mode). Jobs run in the worker's pool processes, yet either API process reports every job.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from pipeline import telemetry
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobOptions, JobStore
from pipeline.routing.catalog import load_catalog
from pipeline.simulate.server import SimulatorConfig, running_simulator
from storage.local import LocalStore
from tests.api_helpers import (
    KEYS,
    TERMINAL,
    api,
    auth,
    contract,
    make_settings,
    require_rules_model,
    wait_job,
)
from tests.config_helpers import grouped
from tests.llm_helpers import SMALL, stats
from tests.metrics_helpers import Samples, in_fresh_process, parse, scrape_here, total, value
from tests.planted import planted_contract
from tests.redis_util import ROOT, CeleryWorker, free_port, worker_env
from tests.serve_process import ServeProcess
from tests.waiting import wait_for
from workers.local import LocalExecutor

# -- in this process -------------------------------------------------------------------------------


def test_recorded_values_come_back_in_the_text_format() -> None:
    in_fresh_process(_recorded_values_come_back)


def _recorded_values_come_back() -> None:
    model, tenant, stage = "m-test", "t-test", "stage-test"
    before = scrape_here()

    telemetry.job_moved(None, "queued")
    telemetry.job_moved("queued", "ingesting")
    telemetry.job_moved("ingesting", "ingesting")  # an error set on the same status: no move

    @telemetry.timed(stage)
    def work(depth: int) -> int:
        return work(depth - 1) if depth else 7  # nested calls of one stage count once

    assert work(3) == 7
    with telemetry.tenant(tenant):
        telemetry.llm_attempt(model, 200, None, 1200, 300, 0.0042)
        telemetry.llm_attempt(model, 429, "RateLimitError", 0, 0, 0.0)
        telemetry.llm_attempt(model, "timeout", "APITimeoutError", 1200, 0, 0.0012)
    telemetry.llm_attempt(model, 503, "InternalServerError", 0, 0, 0.0)  # outside a job
    telemetry.model_error(model, "invalid_output")
    telemetry.cache_lookup(model, hit=True)
    telemetry.cache_lookup(model, hit=False)
    telemetry.cache_lookup(model, hit=False)
    telemetry.segment_done(model, "ok")
    telemetry.set_quality_rate(model, "batch", 0.91)
    telemetry.set_quality_rate(model, "batch", 0.87)  # the latest figure wins

    after = scrape_here()

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("longdoc_jobs_total", status="queued") == 1
    assert delta("longdoc_jobs_total", status="ingesting") == 1
    assert delta("longdoc_jobs_in_status", status="queued") == 0  # in, then out
    assert delta("longdoc_jobs_in_status", status="ingesting") == 1
    assert value(after, "longdoc_stage_duration_seconds_count", stage=stage) == 1
    assert value(after, "longdoc_stage_duration_seconds_sum", stage=stage) >= 0
    assert value(after, "longdoc_llm_tokens_total", model=model, tenant=tenant, direction="input") == 2400
    assert value(after, "longdoc_llm_tokens_total", model=model, tenant=tenant, direction="output") == 300
    assert value(after, "longdoc_llm_cost_usd_total", model=model, tenant=tenant) == pytest.approx(0.0054)
    errors = {c: value(after, "longdoc_provider_errors_total", model=model, error_class=c)
              for c in ("rate_limited", "timeout", "server_error", "invalid_output")}  # fmt: skip
    assert errors == {"rate_limited": 1, "timeout": 1, "server_error": 1, "invalid_output": 1}
    assert value(after, "longdoc_llm_cache_lookups_total", model=model, result="hit") == 1
    assert value(after, "longdoc_llm_cache_lookups_total", model=model, result="miss") == 2
    assert value(after, "longdoc_segments_total", model=model, status="ok") == 1
    assert value(after, "longdoc_model_quality_rate", model=model, profile="batch") == 0.87
    assert value(after, "longdoc_queue_depth", queue="local") == 0


def test_calls_held_back_are_recorded_on_release_in_order_with_their_tenant() -> None:
    in_fresh_process(_held_back_then_released)


def _held_back_then_released() -> None:
    # `longdoc analyze` holds recording until its first model request is sent (telemetry.hold):
    # nothing is built meanwhile, and release records every call as if it had been made then.
    model, tenant = "m-held", "t-held"
    telemetry.hold()
    telemetry.job_moved(None, "queued")
    telemetry.job_moved("queued", "ingesting")
    with telemetry.tenant(tenant):
        telemetry.llm_attempt(model, 200, None, 1000, 100, 0.002)
    telemetry.set_quality_rate(model, "batch", 0.5)
    telemetry.set_quality_rate(model, "batch", 0.75)  # the latest figure wins, after the replay too
    assert telemetry._metrics is None  # not built (prometheus_client not needed yet)
    telemetry.release()
    telemetry.release()  # a second release (the CLI's, after the executor's) records nothing again
    telemetry.job_moved("ingesting", "analyzing")  # after release: recorded at once
    after = scrape_here()
    assert value(after, "longdoc_jobs_total", status="queued") == 1
    assert value(after, "longdoc_jobs_in_status", status="queued") == 0
    assert value(after, "longdoc_jobs_in_status", status="ingesting") == 0
    assert value(after, "longdoc_jobs_in_status", status="analyzing") == 1
    assert value(after, "longdoc_llm_tokens_total", model=model, tenant=tenant, direction="input") == 1000
    assert value(after, "longdoc_model_quality_rate", model=model, profile="batch") == 0.75


def test_a_job_held_for_sign_off_is_counted_awaiting_review_until_released(tmp_path: Path) -> None:
    require_rules_model()  # the held items come from the rules model's review
    in_fresh_process(_held_job_is_counted, tmp_path)


def _held_job_is_counted(tmp_path: Path) -> None:
    before = scrape_here()

    def delta(got: Samples, name: str, status: str) -> float:
        return value(got, name, status=status) - value(before, name, status=status)

    def held_count_reaches(want: float) -> Samples:
        # A job's worker saves its status, then counts the move (stages.set_status: a save that
        # fails counts nothing), so a poller can see "awaiting_review" a moment before the gauge.
        def scraped() -> Samples | None:
            got = parse(client.get("/metrics").text)
            return got if delta(got, "longdoc_jobs_in_status", "awaiting_review") == want else None

        return wait_for(scraped, 30, f"awaiting_review's gauge at +{want:g}")

    with api(make_settings(tmp_path)) as client:
        r = client.post("/v1/jobs", headers=auth(), data={"error_cost_usd": "1000"},
                        files={"file": ("msa.txt", contract(), "text/plain")})  # fmt: skip
        assert r.status_code == 202, r.text
        job = wait_job(client, r.json()["id"])
        assert job["status"] == "awaiting_review"
        held = held_count_reaches(1)
        assert delta(held, "longdoc_jobs_total", "succeeded") == 0
        review = client.get(f"/v1/jobs/{job['id']}/report", headers=auth()).json()["review"]
        for item in review["items"]:
            put = client.put(
                f"/v1/jobs/{job['id']}/decisions/{item['rule']}", headers=auth(), json={"action": "accept"}
            )
            assert put.status_code == 200, put.text
        assert client.get(f"/v1/jobs/{job['id']}", headers=auth()).json()["status"] == "succeeded"
        released = parse(client.get("/metrics").text)
        # A held job erased before sign-off leaves the gauge too (erase moves no status).
        r = client.post("/v1/jobs", headers=auth(), data={"error_cost_usd": "1000"},
                        files={"file": ("msa2.txt", contract(law="Texas"), "text/plain")})  # fmt: skip
        assert wait_job(client, r.json()["id"])["status"] == "awaiting_review"
        held_count_reaches(1)
        assert client.delete(f"/v1/jobs/{r.json()['id']}", headers=auth()).status_code == 204
        erased = parse(client.get("/metrics").text)
    assert delta(released, "longdoc_jobs_in_status", "awaiting_review") == 0
    assert delta(released, "longdoc_jobs_total", "succeeded") == 1
    assert delta(erased, "longdoc_jobs_in_status", "awaiting_review") == 0


def _llm_job(root: Path, url: str, tenant: str, text: str) -> None:
    """One routed (model auto) job of ``tenant`` over the simulator at ``url``, in this process."""
    settings = grouped(storage={"dir": root}, segment=SMALL,
                       routing={"llm_base_url": url, "llm_timeout_s": 2.0, "llm_backoff_base_s": 0.01})  # fmt: skip
    ctx = StageContext(settings=settings, store=LocalStore(root))
    executor = LocalExecutor(ctx, workers=2)
    try:
        job = JobStore(ctx.store, tenant).create(
            text.encode(), "contract.txt", JobOptions(model="auto"), ext="txt"
        )
        record, _ = executor.run(tenant, job.job_id)
    finally:
        executor.close()
    assert record.status == "succeeded", record.error


def test_llm_tokens_cost_cache_and_errors_match_what_the_provider_saw(tmp_path: Path, keys_env: None) -> None:
    # Cache lookups and error classes carry no tenant label: counted where no other job records.
    in_fresh_process(_llm_figures_match_the_provider, tmp_path)


def _llm_figures_match_the_provider(tmp_path: Path) -> None:
    tenant = "t-test"
    by_api = {m.api_model: m for m in load_catalog().models}
    text = planted_contract()
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        _llm_job(tmp_path / "a", url, tenant, text)
        s = stats(url)
        first = scrape_here()
        _llm_job(tmp_path / "a", url, tenant, text)  # the same text again: answered from the cache
        again = scrape_here()
    usage: dict[str, dict[str, int]] = s["usage_by_model"]  # type: ignore[assignment]
    assert usage, "the job called no model"
    for api_model, u in usage.items():
        model = by_api[api_model].id
        assert (
            value(first, "longdoc_llm_tokens_total", model=model, tenant=tenant, direction="input")
            == u["prompt_tokens"]
        )
        assert (
            value(first, "longdoc_llm_tokens_total", model=model, tenant=tenant, direction="output")
            == u["completion_tokens"]
        )
        cost = by_api[api_model].cost_usd(u["prompt_tokens"], u["completion_tokens"])
        assert value(first, "longdoc_llm_cost_usd_total", model=model, tenant=tenant) == pytest.approx(cost)
        # The rerun made no call: tokens did not move, and its segments were cache hits.
        assert (
            value(again, "longdoc_llm_tokens_total", model=model, tenant=tenant, direction="input")
            == u["prompt_tokens"]
        )
    hits = total(again, "longdoc_llm_cache_lookups_total", result="hit") - total(
        first, "longdoc_llm_cache_lookups_total", result="hit"
    )
    segments = total(again, "longdoc_segments_total") - total(first, "longdoc_segments_total")
    assert hits == segments > 1

    # Faults: every 429, 500 and invalid answer the simulator sent is counted once, by class.
    before = scrape_here()
    config = SimulatorConfig(
        time_scale=0.0, fault_rate=0.5, fault_kinds=("429", "500", "invalid_json"), seed=2
    )
    with running_simulator(config) as url:
        _llm_job(tmp_path / "b", url, tenant, text.replace("cooperate", "cooperate (b)"))
        faults: dict[str, int] = stats(url)["faults_by_kind"]  # type: ignore[assignment]
    after = scrape_here()

    def counted(error_class: str) -> float:
        return total(after, "longdoc_provider_errors_total", error_class=error_class) - total(
            before, "longdoc_provider_errors_total", error_class=error_class
        )

    assert sum(faults.values()) > 0, faults  # seed 2 gives all three kinds today
    assert counted("rate_limited") == faults.get("429", 0)
    assert counted("server_error") == faults.get("500", 0)
    assert counted("invalid_output") == faults.get("invalid_json", 0)


def test_error_classes_are_bounded() -> None:
    assert [telemetry.error_class(s) for s in (429, 500, 502, 400, 404, "timeout", "connection")] == [
        "rate_limited", "server_error", "server_error", "bad_request", "client_error", "timeout", "connection",
    ]  # fmt: skip


def test_the_route_serves_the_local_jobs_and_can_be_turned_off(tmp_path: Path) -> None:
    before = scrape_here()
    with api(make_settings(tmp_path)) as client:
        r = client.post("/v1/jobs", files={"file": ("msa.txt", contract(), "text/plain")}, headers=auth())
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]

        def scraped_done() -> Samples | None:
            m = client.get("/metrics")  # no API key: Prometheus scrapes without one
            assert m.status_code == 200 and m.headers["content-type"].startswith("text/plain")
            got = parse(m.text)
            grown = value(got, "longdoc_jobs_total", status="succeeded") > value(
                before, "longdoc_jobs_total", status="succeeded"
            )
            return got if grown else None

        after = wait_for(scraped_done, 60, "the job's success in /metrics")
        assert client.get(f"/v1/jobs/{job_id}", headers=auth()).json()["status"] == "succeeded"
        assert ("longdoc_queue_depth", frozenset({("queue", "local")})) in after
    with api(make_settings(tmp_path / "off", metrics={"enabled": False})) as client:
        assert client.get("/metrics").status_code == 404


# -- two API processes and a Celery worker -------------------------------------------------------------


def _env(store: Path, redis_url: str, metrics_dir: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("LONGDOC_")}
    keys = {hashlib.sha256(k.encode()).hexdigest(): t for t, k in KEYS.items()}
    return {**base, "PYTHONPATH": str(ROOT), "LONGDOC_API_KEYS": json.dumps(keys),
            "LONGDOC_STORAGE_DIR": str(store), "LONGDOC_EXECUTOR": "celery", "LONGDOC_REDIS_URL": redis_url,
            "LONGDOC_METRICS_DIR": str(metrics_dir), "LONGDOC_API_STATUS_CACHE_S": "0"}  # fmt: skip


@dataclass
class Deployment:
    servers: tuple[ServeProcess, ServeProcess]
    worker_url: str  # the worker's own endpoint (LONGDOC_METRICS_WORKER_PORT)


@pytest.fixture
def deployment(redis_db: str, tmp_path: Path) -> Iterator[Deployment]:
    store, metrics_dir = tmp_path / "store", tmp_path / "metrics"
    env = _env(store, redis_db, metrics_dir)
    servers = (ServeProcess(env, tmp_path / "a.log"), ServeProcess(env, tmp_path / "b.log"))
    port = free_port()
    try:
        for s in servers:
            s.start()  # both start while the worker does
        worker = worker_env(redis_db, store, metrics_dir=metrics_dir, metrics_worker_port=port)
        with CeleryWorker(worker, tmp_path / "worker.log", concurrency=2):
            for s in servers:
                s.wait_ready()
            yield Deployment(servers, f"http://127.0.0.1:{port}")
    finally:
        for s in servers:
            s.stop()


def _wait_job(base: str, job_id: str) -> dict[str, Any]:
    def ended() -> dict[str, Any] | None:
        body: dict[str, Any] = httpx.get(f"{base}/v1/jobs/{job_id}", headers=auth(), timeout=10).json()
        return body if body["status"] in TERMINAL else None

    return wait_for(ended, 90, f"job {job_id} to end")


@pytest.mark.slow
def test_two_api_processes_and_a_worker_report_the_same_job_counts(deployment: Deployment) -> None:
    n = 4
    ids = []
    for i in range(n):  # alternate the API process each job is submitted to
        base = deployment.servers[i % 2].url
        body = contract(party_a=f"Party {i} Inc.")
        r = httpx.post(f"{base}/v1/jobs", files={"file": ("msa.txt", body, "text/plain")}, headers=auth(),
                       timeout=30)  # fmt: skip
        assert r.status_code == 202, r.text
        ids.append((base, r.json()["id"]))
    jobs = [_wait_job(base, job_id) for base, job_id in ids]
    assert [j["status"] for j in jobs] == ["succeeded"] * n
    segments = sum(j["progress"]["segments_total"] for j in jobs)
    assert segments >= n

    def settled(url: str) -> Samples | None:
        r = httpx.get(f"{url}/metrics", timeout=10)
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
        got = parse(r.text)
        # The worker records a success just after it writes job.json: wait for the last one.
        return got if value(got, "longdoc_jobs_total", status="succeeded") >= n else None

    views = [
        wait_for(lambda s=s: settled(s.url), 30, f"{n} successes in {s.url}/metrics")
        for s in deployment.servers
    ]
    for got in views:
        for status in ("queued", "ingesting", "analyzing", "consolidating", "succeeded"):
            assert value(got, "longdoc_jobs_total", status=status) == n, status
        assert value(got, "longdoc_jobs_total", status="failed") == 0
        for status in telemetry.IN_FLIGHT:
            assert value(got, "longdoc_jobs_in_status", status=status) == 0, status
        for stage in ("ingest", "plan", "consolidate"):
            assert value(got, "longdoc_stage_duration_seconds_count", stage=stage) == n, stage
        assert value(got, "longdoc_stage_duration_seconds_count", stage="analyze") == segments
        assert total(got, "longdoc_segments_total", model="rules") == segments
        # Queue depth is measured in Redis at scrape time: every queue is listed, all drained.
        assert {q: value(got, "longdoc_queue_depth", queue=q) for q in ("ingest", "analyze", "consolidate")} == {
            "ingest": 0, "analyze": 0, "consolidate": 0,
        }  # fmt: skip
        assert ("longdoc_queue_depth", frozenset({("queue", "analyze")})) in got
    # The job counters are the same in both views: one directory, every process's samples.
    keys = ("longdoc_jobs_total", "longdoc_stage_duration_seconds_count", "longdoc_segments_total")
    first, second = ({k: v for k, v in got.items() if k[0] in keys} for got in views)
    assert first == second
    # The worker's own endpoint (for a worker on another machine) serves the same counters.
    own = wait_for(lambda: settled(deployment.worker_url), 10, "the worker's own /metrics")
    assert {k: v for k, v in own.items() if k[0] in keys} == first


@pytest.mark.slow
def test_a_local_executor_server_starts_from_zero(tmp_path: Path) -> None:
    """The only process of its deployment empties the metrics directory at start-up, as
    prometheus_client asks; a previous run's samples are gone."""
    metrics_dir = tmp_path / "metrics"
    leftover = "from pathlib import Path\nfrom pipeline import telemetry\n" \
        f"telemetry.configure(Path({str(metrics_dir)!r}))\ntelemetry.job_moved('analyzing', 'failed')\n"  # fmt: skip
    subprocess.run(
        [sys.executable, "-c", leftover], cwd=ROOT, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    assert list(metrics_dir.glob("*.db")), "the earlier run left its samples"
    env = {**_env(tmp_path / "store", "redis://127.0.0.1:1/0", metrics_dir), "LONGDOC_EXECUTOR": "local"}
    server = ServeProcess(env, tmp_path / "serve.log")
    try:
        server.wait_ready()
        got = parse(httpx.get(f"{server.url}/metrics", timeout=10).text)
    finally:
        server.stop()
    assert value(got, "longdoc_jobs_total", status="failed") == 0
    assert value(got, "longdoc_queue_depth", queue="local") == 0
