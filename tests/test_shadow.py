"""Shadow evaluation (issue 19 item 2): a candidate model answers sampled segments in the
background, over HTTP against the simulator with the real openai SDK; the job never sees it."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import redis

from pipeline.cli.main import main
from pipeline.jobs.shadow import load_records, make_ledger, sampled, shadow_prefix, summarize
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobOptions, JobStore
from pipeline.report.model import Report
from pipeline.simulate.server import SimulatorConfig, running_simulator
from storage.local import LocalStore
from tests.config_helpers import grouped
from tests.llm_helpers import SMALL, in_flight, release, request_log
from tests.planted import planted_contract
from tests.redis_util import CeleryWorker, settings_from_env, worker_env
from tests.waiting import wait_for
from workers.local import LocalExecutor

PRIMARY = "kimi-k2-thinking"  # catalog id and the simulator's model name
CANDIDATE = "gpt-5.1-instant"  # served by the simulator as its api_model:
CANDIDATE_API = "gpt-5.1-chat-latest"


class Harness:
    def __init__(self, root: Path, base_url: str, **shadow: object) -> None:
        settings = grouped(
            storage={"dir": root},
            segment=SMALL,
            routing={"llm_base_url": base_url, "llm_timeout_s": 10.0, "llm_backoff_base_s": 0.01},
            shadow=shadow,
        )
        self.ctx = StageContext(settings=settings, store=LocalStore(root))
        self.executor = LocalExecutor(self.ctx, workers=4)

    def run(self, text: str) -> tuple[str, Report]:
        job = JobStore(self.ctx.store, "t").create(
            text.encode(), "c.txt", JobOptions(model=PRIMARY), ext="txt"
        )
        record, report = self.executor.run("t", job.job_id)
        assert record.status == "succeeded", record.error
        assert report is not None
        return job.job_id, report


def _stable(value: Any) -> Any:
    """The report without what differs between two runs of one document: call durations."""
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k != "seconds"}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _candidate_requests(url: str) -> int:
    return sum(r["model"] == CANDIDATE_API for r in request_log(url))


def test_sampling_is_a_deterministic_share() -> None:
    picks = [sampled("job-a", i, 0.5) for i in range(2000)]
    assert picks == [sampled("job-a", i, 0.5) for i in range(2000)]  # a rerun samples the same
    assert 0.45 < sum(picks) / len(picks) < 0.55
    assert picks != [sampled("job-b", i, 0.5) for i in range(2000)]  # another job, another sample
    assert not any(sampled("job-a", i, 0.0) for i in range(200))
    assert all(sampled("job-a", i, 1.0) for i in range(200))


def test_report_with_shadow_equals_report_without(tmp_path: Path, keys_env: None) -> None:
    text = planted_contract()
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        off = Harness(tmp_path / "off", url)
        _, plain = off.run(text)
        assert off.ctx.shadow is None
        on = Harness(tmp_path / "on", url, candidate=CANDIDATE, share=1.0)
        job_id, shadowed = on.run(text)
        runner = on.ctx.shadow
        assert runner is not None
        assert runner.drain(30.0)
        assert _candidate_requests(url) > 0  # the candidate did answer
    assert len(plain.segments) > 1
    assert json.dumps(_stable(plain.model_dump(mode="json")), sort_keys=True) == json.dumps(
        _stable(shadowed.model_dump(mode="json")), sort_keys=True
    )
    # The job's own files do not mention the candidate: only the shadow records do.
    for key in on.ctx.store.list(f"t/jobs/{job_id}/"):
        assert CANDIDATE_API not in on.ctx.store.get(key).decode(errors="replace"), key
    records = load_records(on.ctx.store, "t", CANDIDATE)
    assert sorted(r["segment"] for r in records) == list(range(len(shadowed.segments)))
    for r in records:
        assert r["status"] == "ok" and r["usd"] > 0 and r["prompt_tokens"] > 0
        assert r["primary_model"] == PRIMARY
        assert {f["category"] for f in r["primary"]["findings"]} == {
            f.category for f in shadowed.findings if f.segment == r["segment"]
        }


def test_job_ends_before_a_slow_candidate_answers(tmp_path: Path, keys_env: None) -> None:
    # The primary answers in ~10 ms; the candidate's answers are held by the simulator until
    # released, so "the job ended while every candidate call was out" is a state, not a race.
    config = SimulatorConfig(time_scale=0.0, held_models=(CANDIDATE_API,))
    with running_simulator(config) as url:
        h = Harness(tmp_path, url, candidate=CANDIDATE, share=1.0, workers=8)
        job_id, report = h.run(planted_contract())
        runner = h.ctx.shadow
        assert runner is not None
        # The report is written and the job succeeded while every candidate call is still out.
        assert runner.counts.sampled == len(report.segments) > 1
        assert runner.counts.done == 0
        assert not load_records(h.ctx.store, "t", CANDIDATE)
        assert h.ctx.jobs("t").load(job_id).status == "succeeded"
        n = len(report.segments)
        wait_for(lambda: in_flight(url, CANDIDATE_API) == n, 30.0, "every candidate call to be out")
        last_arrival = max(float(str(e["arrived"])) for e in request_log(url) if e["model"] == CANDIDATE_API)
        released_at = time.time()
        release(url)
        wait_for(lambda: runner.counts.done == runner.counts.sampled, 60.0, "the shadow calls")
    records = load_records(h.ctx.store, "t", CANDIDATE)
    assert len(records) == n and {r["status"] for r in records} == {"ok"}
    # Each record times its whole call, held time included (the last one out was held this long).
    assert min(r["latency_s"] for r in records) >= released_at - last_arrival - 0.01, records


def test_cap_stops_sampling(tmp_path: Path, keys_env: None) -> None:
    text = planted_contract()
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        # A cap no call fits under: the candidate is never called.
        h = Harness(tmp_path / "none", url, candidate=CANDIDATE, share=1.0, cap_usd=1e-9)
        _, report = h.run(text)
        runner = h.ctx.shadow
        assert runner is not None and runner.drain(30.0)
        assert runner.counts.capped == runner.counts.sampled == len(report.segments)
        assert _candidate_requests(url) == 0
        # A cap with room for the first call's worst case, not for a second one: one call, then
        # sampling stops, and the spend stays under the cap.
        one = Harness(tmp_path / "one", url, candidate=CANDIDATE, share=1.0)
        _, first = one.run(text.replace("cooperate", "cooperate (1)"))
        assert one.ctx.shadow is not None and one.ctx.shadow.drain(30.0)
        probe = load_records(one.ctx.store, "t", CANDIDATE)
        cap = max(r["reserved_usd"] for r in probe) + 0.5 * min(r["usd"] for r in probe)
        some = Harness(tmp_path / "some", url, candidate=CANDIDATE, share=1.0, cap_usd=cap)
        _, report = some.run(text.replace("cooperate", "cooperate (2)"))
        runner = some.ctx.shadow
        assert runner is not None and runner.drain(30.0)
        called = _candidate_requests(url)
    records = load_records(some.ctx.store, "t", CANDIDATE)
    assert len(records) == 1 and runner.counts.capped == len(report.segments) - 1
    assert called == len(probe) + 1  # the probe's calls and the one call under the cap
    assert 0 < sum(r["usd"] for r in records) <= cap
    assert runner.ledger.spent() == pytest.approx(sum(r["usd"] for r in records), abs=1e-6)


def test_redis_ledger_lets_only_what_fits_through_at_once(tmp_path: Path, redis_db: str) -> None:
    settings = grouped(storage={"dir": tmp_path}, redis={"url": redis_db},
                       shadow={"candidate": "shadow-ledger-test", "share": 1.0, "cap_usd": 1.0, "ledger": "redis"})  # fmt: skip
    ledger = make_ledger(settings)
    fits: list[bool] = []
    lock = threading.Lock()

    def take(i: int) -> None:
        ok, _ = ledger.reserve(f"call-{i}", 0.3)
        with lock:
            fits.append(ok)

    threads = [threading.Thread(target=take, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(fits) == 3  # 3 x 0.3 fits under 1.0, a fourth would not
    ledger.record(0.25, "call-0")
    ledger.release("call-0")
    assert make_ledger(settings).spent() == pytest.approx(0.25)  # another process sees it


def test_shadow_report_prints_agreement_per_category(
    tmp_path: Path, keys_env: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        h = Harness(tmp_path, url, candidate=CANDIDATE, share=1.0)
        _, report = h.run(planted_contract())
        assert h.ctx.shadow is not None and h.ctx.shadow.drain(30.0)
    monkeypatch.setenv("LONGDOC_STORAGE_DIR", str(tmp_path))
    monkeypatch.setenv("LONGDOC_TENANT", "t")
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["shadow", "report", "--candidate", CANDIDATE, "--json"]) == 0
    (summary,) = json.loads(capsys.readouterr().out)
    assert summary["sampled"] == summary["ok"] == len(report.segments)
    assert summary["invalid_rate"] == 0.0 and summary["latency_p50_s"] is not None
    assert 0 < summary["usd_today"] <= summary["cap_usd_per_day"]
    found = {f.category for f in report.findings}
    by_cat = {c["category"]: c for c in summary["categories"]}
    # The simulator answers as a careful model would: the candidate agrees wherever the primary found.
    for cat in found:
        assert by_cat[cat]["primary_found"] > 0 and by_cat[cat]["agreement"] == 1.0
    assert main(["shadow", "report"]) == 0
    out = capsys.readouterr().out
    assert "agreement per category" in out
    for cat in found:
        assert cat in out
    for figure in ("latency p50 / p95", "cost per segment", "invalid-output rate", "daily cap"):
        assert figure in out


def test_invalid_candidate_outputs_are_counted(tmp_path: Path, keys_env: None) -> None:
    # Every answer broken JSON: the candidate's answers are invalid, the primary (also served
    # broken) falls back to rules; the job still succeeds and nothing raises.
    config = SimulatorConfig(time_scale=0.0, fault_rate=1.0, fault_kinds=("invalid_json",))
    with running_simulator(config) as url:
        h = Harness(tmp_path, url, candidate=CANDIDATE, share=1.0)
        h.run(planted_contract())
        assert h.ctx.shadow is not None and h.ctx.shadow.drain(30.0)
    records = load_records(h.ctx.store, "t", CANDIDATE)
    assert records and {r["status"] for r in records} == {"invalid"}
    assert all(r["calls"] == 2 and not r["first_try_valid"] for r in records)  # answer + repair, both bad


def test_erasing_the_job_erases_its_shadow_records(tmp_path: Path, keys_env: None) -> None:
    from pipeline.jobs.erase import erase_job

    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        h = Harness(tmp_path, url, candidate=CANDIDATE, share=1.0)
        job_id, _ = h.run(planted_contract())
        assert h.ctx.shadow is not None and h.ctx.shadow.drain(30.0)
    assert list(h.ctx.store.list(shadow_prefix("t")))
    erase_job(h.ctx.store, "t", job_id, by="test")
    assert not list(h.ctx.store.list(shadow_prefix("t")))


@pytest.mark.slow
def test_celery_sends_shadow_calls_to_their_own_queue(tmp_path: Path, keys_env: None, redis_db: str) -> None:
    # Two workers: one on the job queues, one on the shadow queue. The job ends while the
    # candidate calls are held by the simulator on the shadow worker; its spend is in Redis,
    # seen by this process.
    from workers.celery_executor import CeleryExecutor

    config = SimulatorConfig(time_scale=0.0, held_models=(CANDIDATE_API,))
    with running_simulator(config) as url:
        env = worker_env(redis_db, tmp_path / "store", segment_threshold_tokens=1500, segment_min_tokens=400,
                         segment_max_tokens=800, llm_base_url=url, llm_backoff_base_s=0.01,
                         shadow_candidate=CANDIDATE, shadow_share=1.0, shadow_cap_usd=1.0,
                         executor_poll_s=0.2)  # fmt: skip
        settings = settings_from_env(env)
        store = LocalStore(settings.storage.dir)
        with (
            CeleryWorker(env, tmp_path / "jobs.log", concurrency=2) as jobs_worker,
            CeleryWorker(env, tmp_path / "shadow.log", concurrency=2, queues="shadow"),
        ):
            executor = CeleryExecutor(settings, store)
            try:
                job = JobStore(store, "t").create(planted_contract().encode(), "c.txt", JobOptions(model=PRIMARY),
                                                  ext="txt")  # fmt: skip
                record, report = executor.run("t", job.job_id)
                assert record.status == "succeeded", (record.error, jobs_worker.log()[-3000:])
                assert report is not None and len(report.segments) > 1
                assert not load_records(store, "t", CANDIDATE)  # the report came first
                # The shadow worker's two processes each hold one candidate call.
                wait_for(lambda: in_flight(url, CANDIDATE_API) == 2, 60.0, "the held candidate calls")
                assert not load_records(store, "t", CANDIDATE)
                release(url)
                n = len(report.segments)
                wait_for(lambda: len(load_records(store, "t", CANDIDATE)) == n, 120.0, "the shadow tasks")
            finally:
                executor.close()
    records = load_records(store, "t", CANDIDATE)
    assert {r["status"] for r in records} == {"ok"}
    ledger = make_ledger(settings, redis.Redis.from_url(redis_db))  # the ledger the workers wrote
    assert ledger.spent() == pytest.approx(sum(r["usd"] for r in records), abs=1e-6)
    assert ledger.spent() <= settings.shadow.cap_usd


def test_summary_counts_disagreement_per_category_and_verdict() -> None:
    # The simulator answers every model alike (agreement 1.0 above); here two segments where the
    # candidate misses a category the primary found and gives another verdict on one rule.
    def rec(segment: int, primary: list[str], candidate: list[str], p_status: str, c_status: str,
            latency: float, usd: float) -> dict[str, Any]:  # fmt: skip
        return {"candidate": "m", "segment": segment, "status": "ok", "first_try_valid": True, "calls": 1,
                "latency_s": latency, "usd": usd, "primary_model": "p", "at": "2000-01-01T00:00:00+00:00",
                "rule_categories": {"law": "Governing Law"},
                "primary": {"findings": [{"category": c} for c in primary],
                            "verdicts": [{"rule": "law", "status": p_status}]},
                "candidate_output": {"findings": [{"category": c} for c in candidate],
                                     "verdicts": [{"rule": "law", "status": c_status}]}}  # fmt: skip

    broken = {"candidate": "m", "segment": 2, "status": "invalid", "first_try_valid": False, "calls": 2,
              "latency_s": 9.0, "usd": 0.5, "primary_model": "p", "at": "2000-01-01T00:00:00+00:00"}  # fmt: skip
    records = [
        rec(0, ["Governing Law", "Audit Rights"], ["Governing Law"], "meets", "meets", 1.0, 0.1),
        rec(1, ["Governing Law"], ["Governing Law"], "meets", "deviates", 3.0, 0.3),
        broken,
    ]
    s = summarize(records, "m")
    by = {c.category: c for c in s.categories}
    assert by["Governing Law"].agreement == 1.0 and by["Governing Law"].verdict_agreement == 0.5
    assert by["Audit Rights"].agreement == 0.5
    assert (by["Audit Rights"].primary_found, by["Audit Rights"].candidate_found) == (1, 0)
    assert by["Insurance"].agreement == 1.0 and by["Insurance"].primary_found == 0
    assert (s.sampled, s.ok, s.invalid) == (3, 2, 1)
    assert s.invalid_rate == pytest.approx(1 / 3)
    assert (s.latency_p50_s, s.latency_p95_s) == (3.0, 9.0)
    assert s.usd_per_segment == pytest.approx(0.9 / 3)
    assert s.usd_today == 0.0  # recorded in 2000


def test_bad_shadow_options_are_one_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LONGDOC_STORAGE_DIR", str(tmp_path))
    doc = tmp_path / "c.txt"
    doc.write_text(planted_contract())
    for argv, says in (
        (["--shadow", "no-such-model"], "unknown model 'no-such-model'"),
        (["--shadow", "rules"], "must be an LLM"),
        (["--shadow", CANDIDATE, "--shadow-share", "1.5"], "between 0 and 1"),
    ):
        assert main(["analyze", "--out", str(tmp_path / "out"), *argv, str(doc)]) == 2
        err = capsys.readouterr().err
        assert says in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()  # refused before any job ran
    assert main(["shadow", "report"]) == 0
    assert "no shadow results" in capsys.readouterr().err


def test_no_shadow_call_for_a_job_erased_before_it_left(tmp_path: Path, keys_env: None) -> None:
    from pipeline.jobs.erase import erase_job

    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        h = Harness(tmp_path, url, candidate=CANDIDATE, share=1.0)
        runner = h.ctx.shadow
        assert runner is not None
        gate = threading.Event()
        real_run = runner.run

        def held_run(*args: Any) -> Any:  # the shadow calls wait until the job is erased
            gate.wait(30)
            return real_run(*args)

        runner.run = held_run  # type: ignore[method-assign]
        job_id, _ = h.run(planted_contract())
        erase_job(h.ctx.store, "t", job_id, by="test")
        gate.set()
        assert runner.drain(30.0)
        assert _candidate_requests(url) == 0
    assert not list(h.ctx.store.list(shadow_prefix("t")))
