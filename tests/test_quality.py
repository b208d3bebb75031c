"""Quality monitor (issue 19 item 1): a model's rolling success rate, one alert per crossing,
demotion in the router, recovery through probe turns. The acceptance test runs jobs over HTTP
against the simulator (real openai SDK) with one model answering invalid JSON 30% of the time."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import redis

from pipeline.config import QualityConfig
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobOptions, JobStore
from pipeline.report.model import Report
from pipeline.routing.catalog import load_catalog
from pipeline.routing.quality import (
    MemoryBackend,
    ModelRate,
    Outcome,
    QualityEvent,
    QualityMonitor,
    RedisBackend,
)
from pipeline.routing.router import RoutePolicy, route_segment
from pipeline.simulate.server import SimulatorConfig, running_simulator
from storage.local import LocalStore
from tests.config_helpers import grouped
from tests.llm_helpers import SMALL
from tests.metrics_helpers import in_fresh_process, scrape_here, value
from tests.planted import planted_contract
from tests.waiting import wait_for
from workers.local import LocalExecutor

KIMI, TURBO = "kimi-k2-thinking", "kimi-k2-thinking-turbo"
ROOT = Path(__file__).resolve().parents[1]


class Receiver:
    """A webhook receiver on a free loopback port: every JSON body POSTed, in arrival order."""

    def __init__(self) -> None:
        self.events: list[dict[str, object]] = []
        events = self.events

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                events.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def kinds(self) -> list[object]:
        return [e["kind"] for e in self.events]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def config(**kw: object) -> QualityConfig:
    base: dict[str, object] = {"window": 10, "min_samples": 10, "baseline": 0.95, "alert_drop": 0.05,
                               "probe_share": 0.5, "webhook_url": None}  # fmt: skip
    return QualityConfig(**{**base, **kw})  # type: ignore[arg-type]


def outcome(ok: bool, model: str = KIMI, profile: str = "batch") -> Outcome:
    return Outcome(model, profile, schema_valid_first=ok, quotes_verified=3, quotes_dropped=0 if ok else 1)


def rate_of(m: QualityMonitor, model: str = KIMI, profile: str = "batch") -> ModelRate:
    return next(r for r in m.rates() if r.model == model and r.profile == profile)


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_one_alert_per_crossing_demotion_probes_and_recovery(
    backend: str, request: pytest.FixtureRequest
) -> None:
    # It counts exact /metrics deltas, and a process's metrics are global: jobs earlier tests
    # left running in this worker record quality too. Counted in a fresh interpreter.
    url: str | None = request.getfixturevalue("redis_db") if backend == "redis" else None
    in_fresh_process(_one_alert_per_crossing, url, f"test-{request.node.name}")


def _one_alert_per_crossing(url: str | None, prefix: str) -> None:
    cfg = config()
    store = (
        MemoryBackend(cfg.window, cfg.min_samples)
        if url is None
        else RedisBackend(redis.Redis.from_url(url), cfg.window, cfg.min_samples, prefix=prefix)
    )
    monitor = QualityMonitor(cfg, store)
    events: list[QualityEvent] = []
    monitor.on_event(events.append)
    before = scrape_here()

    def events_counted(kind: str) -> float:
        labels = {"model": KIMI, "profile": "batch", "kind": kind}
        name = "longdoc_model_quality_events_total"
        return value(scrape_here(), name, **labels) - value(before, name, **labels)

    # 3 failures in 10: 70% < 90% (95% baseline - 5 points); nothing before min_samples.
    seq = [True, False, True, True, False, True, True, True, False, True]
    fired = [monitor.record(outcome(ok)) for ok in seq]
    assert [e.kind for e in fired if e] == ["alert"] and fired[-1] is not None
    assert fired[-1].rate == 0.7 and fired[-1].line == 0.9 and fired[-1].samples == 10
    for _ in range(5):  # still below the line: no second alert
        assert monitor.record(outcome(False)) is None
    r = rate_of(monitor)
    assert (r.demoted, r.samples, r.counters["alerts"], r.counters["segments"]) == (True, 10, 1, 15)
    # The same figures on /metrics: the rate now, one alert.
    assert value(scrape_here(), "longdoc_model_quality_rate", model=KIMI, profile="batch") == r.rate
    assert (events_counted("alert"), events_counted("recovered")) == (1, 0)
    assert r.counters["first_try_invalid"] == 8 and r.counters["quotes_dropped"] == 8
    # Demoted: skipped, except one routing in 1 / probe_share (0.5 → every 2nd).
    turns = [monitor.routing("batch") for _ in range(4)]
    assert [KIMI in t.demoted for t in turns] == [True, False, True, False]
    assert [KIMI in t.probing for t in turns] == [False, True, False, True]
    assert "below 90%" in turns[0].demoted[KIMI]
    assert monitor.routing("interactive").demoted == {}  # one rate per profile
    # Good outcomes push the failures out: restored once the window is at or above the line.
    fired = [monitor.record(outcome(True)) for _ in range(10)]
    assert [e.kind for e in fired if e] == ["recovered"]
    assert fired.index(next(e for e in fired if e)) == 8  # 9 good + 1 bad of 10 = 90%: not below
    assert monitor.routing("batch").demoted == {}
    assert [e.kind for e in events] == ["alert", "recovered"]
    assert (events_counted("alert"), events_counted("recovered")) == (1, 1)
    assert value(scrape_here(), "longdoc_model_quality_rate", model=KIMI, profile="batch") == 1.0
    r = rate_of(monitor)
    assert (r.demoted, r.rate, r.counters["alerts"], r.counters["recoveries"]) == (False, 1.0, 1, 1)
    monitor.record_review(KIMI, "batch", "edit")
    assert (
        rate_of(monitor).counters["edited"] == 1 and rate_of(monitor).rate == 1.0
    )  # counted, not in the rate


def test_processes_racing_over_the_line_fire_one_alert(redis_db: str) -> None:
    """Four monitors (as four worker processes: each its own Redis connection) record failures at
    once; the crossing is decided inside one Lua script, so exactly one of them fires."""
    cfg = config(window=40, min_samples=40)
    monitors = [QualityMonitor(cfg, RedisBackend(redis.Redis.from_url(redis_db), 40, 40, prefix="race"))
                for _ in range(4)]  # fmt: skip
    fired: list[object] = []
    start = threading.Barrier(4)

    def work(m: QualityMonitor) -> None:
        start.wait()
        for _ in range(25):
            if (e := m.record(outcome(False))) is not None:
                fired.append(e)

    threads = [threading.Thread(target=work, args=(m,)) for m in monitors]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(fired) == 1
    r = rate_of(monitors[0])
    assert (r.samples, r.rate, r.demoted, r.counters["segments"], r.counters["alerts"]) == (
        40,
        0.0,
        True,
        100,
        1,
    )


def test_router_skips_a_demoted_model_and_never_drops_a_segment() -> None:
    catalog = load_catalog()
    policy = RoutePolicy(model="auto")
    assert route_segment(catalog, 0, 20_000, 0.2, policy).model == KIMI
    why = {KIMI: "demoted: success rate 70% over the last 20 segments is below 90%"}
    d = route_segment(catalog, 0, 20_000, 0.2, policy, demoted=why)
    assert d.model != KIMI and f"{KIMI}: {why[KIMI]}" in d.reasons
    assert d.fallback[-1] == "rules" and d.profile == "batch"
    # On a probe turn the model is routed as usual, and the audit says why.
    d = route_segment(catalog, 0, 20_000, 0.2, policy, probing={KIMI})
    assert d.model == KIMI and any("probe turn" in r for r in d.reasons)
    # Every candidate demoted: still an LLM (the best of them), not the rules model.
    everyone = {m.id: "demoted" for m in catalog.models if m.id != "rules"}
    d = route_segment(catalog, 0, 20_000, 0.2, policy, demoted=everyone)
    assert d.model == KIMI and any("every candidate model is demoted" in r for r in d.reasons)


def test_unreachable_redis_never_fails_a_segment(caplog: pytest.LogCaptureFixture) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = redis.Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_connect_timeout=0.5)
    m = QualityMonitor(config(), RedisBackend(client, 10, 10))
    with caplog.at_level(logging.WARNING, "longdoc.quality"):
        assert m.record(outcome(False)) is None
        assert m.routing("batch").demoted == {}
    assert "not recorded" in caplog.text and "no model is treated as demoted" in caplog.text


class Harness:
    """Jobs through the local executor, models over HTTP at the simulator, the monitor in Redis."""

    def __init__(self, root: Path, base_url: str, redis_url: str, hook_url: str) -> None:
        self.settings = grouped(
            storage={"dir": root},
            segment=SMALL,
            redis={"url": redis_url},
            routing={"llm_base_url": base_url, "llm_timeout_s": 5.0, "llm_backoff_base_s": 0.01},
            quality={"backend": "redis", "window": 20, "min_samples": 20, "baseline": 0.95,
                     "alert_drop": 0.05, "probe_share": 0.25, "webhook_url": hook_url},
        )  # fmt: skip
        self.ctx = StageContext(settings=self.settings, store=LocalStore(root))
        self.executor = LocalExecutor(self.ctx, workers=2)
        self.jobs = 0

    def run(self) -> Report:
        """One job on the planted contract (4 segments), each under its own tenant: answers are
        cached per tenant, so every segment is a fresh model call."""
        self.jobs += 1
        tenant = f"q{self.jobs}"
        job = JobStore(self.ctx.store, tenant).create(
            planted_contract().encode(), "c.txt", JobOptions(model="auto"), ext="txt"
        )
        record, report = self.executor.run(tenant, job.job_id)
        assert record.status == "succeeded", record.error
        assert report is not None
        return report


def set_faults(base_url: str, body: dict[str, object]) -> dict[str, object]:
    req = urllib.request.Request(base_url.removesuffix("/v1") + "/_sim/faults", data=json.dumps(body).encode(),
                                 method="POST", headers={"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(req) as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]


def models_json(settings_env: dict[str, str], tmp_path: Path) -> list[dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LONGDOC_")} | settings_env
    proc = subprocess.run([sys.executable, "-m", "pipeline.cli.main", "models", "--json"], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)  # type: ignore[no-any-return]


def test_a_model_at_30_percent_invalid_output_is_demoted_once_and_restored(
    tmp_path: Path, keys_env: None, redis_db: str, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    sim = SimulatorConfig(time_scale=0.0, fault_rates={KIMI: 0.3}, fault_kinds=("invalid_json",))
    with running_simulator(sim) as url, caplog.at_level(logging.WARNING, "longdoc.quality"):
        h = Harness(tmp_path / "store", url, redis_db, receiver.url)
        monitor = h.ctx.models().quality
        assert monitor is not None and monitor.shared

        # 1. The bad model takes every segment until its window is full (4 segments a job).
        seen: list[ModelRate] = []
        while not (seen and seen[-1].samples >= 20):
            report = h.run()
            assert {r.model for r in report.routes} == {KIMI}
            seen.append(rate_of(monitor))
        r = seen[-1]
        assert h.jobs == 5 and r.samples == 20
        assert r.rate is not None and r.rate < r.line == 0.9 and r.demoted  # below the line within the window
        # (70% here, 6 failures in 20: the 3 probe turns of step 2 cannot lift it to 18/20.)
        assert r.rate <= 0.75
        assert r.counters["alerts"] == 1 and r.counters["first_try_invalid"] >= 20 - round(r.rate * 20)
        wait_for(lambda: receiver.kinds() == ["alert"], 10, "the alert webhook")
        alert = receiver.events[0]
        assert (alert["model"], alert["profile"], alert["rate"]) == (KIMI, "batch", r.rate)

        # 2. Demoted: other models take its segments, except its probe turns (1 in 4).
        routes = [route for _ in range(3) for route in h.run().routes]
        probes = [x for x in routes if x.model == KIMI]
        assert all(any("probe turn" in why for why in x.reasons) for x in probes)
        assert len(probes) == len(routes) // 4
        others = [x for x in routes if x.model != KIMI]
        assert {x.model for x in others} == {TURBO}
        assert all(any(why.startswith(f"{KIMI}: demoted: success rate") for why in x.reasons) for x in others)
        # Another process (the CLI) reads the same rate from Redis.
        env = {"LONGDOC_QUALITY_BACKEND": "redis", "LONGDOC_REDIS_URL": redis_db, "LONGDOC_QUALITY_WINDOW": "20",
               "LONGDOC_QUALITY_MIN_SAMPLES": "20", "LONGDOC_STORAGE_DIR": str(tmp_path / "cli")}  # fmt: skip
        row = next(m for m in models_json(env, tmp_path) if m["id"] == KIMI)
        (q,) = [x for x in row["quality"] if x["profile"] == "batch"]
        assert q["demoted"] is True and q["rate"] < 0.9 and q["samples"] == 20

        # 3. The model is fixed: its probe turns fill the window with successes until it is restored.
        assert set_faults(url, {"fault_rates": {}})["fault_rates"] == {}
        while rate_of(monitor).demoted:
            assert h.jobs < 40, "not restored after 35 jobs of probes"
            h.run()
        r = rate_of(monitor)
        assert (
            r.rate is not None
            and r.rate >= 0.9
            and (r.counters["alerts"], r.counters["recoveries"]) == (1, 1)
        )
        wait_for(lambda: receiver.kinds() == ["alert", "recovered"], 10, "the recovery webhook")

        # 4. Restored: the router chooses it again for every segment.
        assert {x.model for x in h.run().routes} == {KIMI}
        h.executor.close()
    alerts = [rec for rec in caplog.records if rec.getMessage().startswith("quality alert:")]
    assert len(alerts) == 1 and KIMI in alerts[0].getMessage()


def test_simulator_refuses_a_bad_fault_change() -> None:
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        with pytest.raises(urllib.error.HTTPError) as bad:
            set_faults(url, {"fault_rates": {KIMI: 2}})
        assert bad.value.code == 400
        with pytest.raises(urllib.error.HTTPError):
            set_faults(url, {"seed": 3})
        assert set_faults(url, {"fault_rates": {KIMI: 0.5}})["fault_rates"] == {KIMI: 0.5}


def test_reviewer_decisions_count_against_the_model_that_produced_the_item(
    tmp_path: Path, keys_env: None
) -> None:
    from tests.api_helpers import api, auth, contract, make_settings, wait_job

    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        settings = make_settings(tmp_path, routing={"llm_base_url": url, "llm_timeout_s": 5.0})
        with api(settings) as client:
            r = client.post("/v1/jobs", headers=auth(), data={"model": "auto"},
                            files={"file": ("msa.txt", contract(law="Texas"), "text/plain")})  # fmt: skip
            assert r.status_code == 202, r.text
            job = wait_job(client, r.json()["id"])
            assert job["status"] == "succeeded"
            report = client.get(f"/v1/jobs/{job['id']}/report", headers=auth()).json()
            assert {s["model"] for s in report["segments"]} == {KIMI}
            placed = [i["rule"] for i in report["review"]["items"] if i["evidence"]]
            unplaced = [i["rule"] for i in report["review"]["items"] if not i["evidence"]]
            assert len(placed) >= 2 and unplaced
            for rule, action in [(placed[0], "accept"), (placed[1], "reject"), (placed[1], "accept"),
                                 (unplaced[0], "reject")]:  # fmt: skip
                r = client.put(
                    f"/v1/jobs/{job['id']}/decisions/{rule}", headers=auth(), json={"action": action}
                )
                assert r.status_code == 200, r.text
            monitor = client.app.state.api.jobs.quality  # type: ignore[attr-defined]
            kimi = rate_of(monitor)
    # An item with no evidence cannot be placed in a segment: not counted against any model.
    assert (kimi.counters["accepted"], kimi.counters["rejected"], kimi.counters["edited"]) == (2, 1, 0)
    assert (kimi.samples, kimi.rate) == (1, 1.0)  # decisions are beside the rate, not in it
