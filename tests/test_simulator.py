"""The LLM simulator, driven through the real ``openai`` SDK over HTTP."""

from __future__ import annotations

import json
import random
import statistics
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import openai
import pytest

from chunking.tokenizer import count_tokens
from pipeline.analyze.llm_schema import (
    SEGMENT_CLOSE,
    SEGMENT_OPEN,
    LLMSegmentOutput,
    LLMSynthesis,
    response_format,
)
from pipeline.simulate.faults import ALL_FAULTS, FaultKind, extract_segment, sample_latency
from pipeline.simulate.server import SimulatorConfig, running_simulator
from tests.waiting import wait_for

EXAMPLE = Path(__file__).resolve().parents[1] / "pipeline" / "examples" / "master-services-agreement.txt"
SEGMENT = EXAMPLE.read_text(encoding="utf-8")[:12_000]
SYSTEM = "You read contracts. Answer only with JSON matching the schema; quote the segment verbatim."
SEGMENT_FORMAT: Any = response_format(LLMSegmentOutput, "segment_analysis")
# The generic behaviour (answers, faults, latency) is tested lenient; the contracts in test_contracts.py.
FAST = SimulatorConfig(strict=False, time_scale=0.0)


def segment_messages(segment: str = SEGMENT) -> list[Any]:
    user = f"Analyse this segment of a contract.\n{SEGMENT_OPEN}\n{segment}\n{SEGMENT_CLOSE}"
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def client(base_url: str, **kw: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=base_url, api_key="x", **{"max_retries": 0, **kw})


def create(c: openai.OpenAI, **kw: Any) -> Any:
    """``chat.completions.create`` typed loosely: the simulator accepts any model id."""
    return c.chat.completions.create(**kw)


def ask(c: openai.OpenAI, model: str = "kimi-k2-thinking", segment: str = SEGMENT, **kw: Any) -> Any:
    kw.setdefault("max_tokens", 20_000)
    return create(c, model=model, messages=segment_messages(segment), response_format=SEGMENT_FORMAT, **kw)


def sim_get(base_url: str, path: str) -> Any:
    with urllib.request.urlopen(base_url.removesuffix("/v1") + path, timeout=5) as r:
        return json.load(r)


def sim_post(base_url: str, path: str) -> Any:
    req = urllib.request.Request(base_url.removesuffix("/v1") + path, data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)


def quotes(out: LLMSegmentOutput) -> list[str]:
    return (
        [f.quote for f in out.findings]
        + [k.quote for k in out.key_terms]
        + [d.quote for d in out.defined_terms]
        + [r.quote for r in out.references]
    )


@pytest.fixture(scope="module")
def sim() -> Iterator[str]:
    with running_simulator(FAST) as url:
        yield url


def test_segment_answer_is_schema_valid_verbatim_and_counted(sim: str) -> None:
    messages = segment_messages()
    r = ask(client(sim))
    choice = r.choices[0]
    assert (r.object, r.model, choice.finish_reason, choice.message.role) == (
        "chat.completion",
        "kimi-k2-thinking",
        "stop",
        "assistant",
    )
    content = choice.message.content
    out = LLMSegmentOutput.model_validate_json(content)
    assert out.key_terms and out.defined_terms and out.references
    assert all(q and q in SEGMENT for q in quotes(out))
    assert {"party", "agreement_date"} <= {k.name for k in out.key_terms}
    assert r.usage.prompt_tokens == sum(count_tokens(m["content"]) for m in messages)
    assert r.usage.completion_tokens == count_tokens(content)
    assert r.usage.total_tokens == r.usage.prompt_tokens + r.usage.completion_tokens
    assert r.usage.completion_tokens_details.reasoning_tokens == r.usage.completion_tokens // 5 > 0


def test_deterministic_and_reasoning_only_for_thinking_models(sim: str) -> None:
    c = client(sim)
    a, b = ask(c), ask(c)
    assert a.choices[0].message.content == b.choices[0].message.content
    assert a.usage == b.usage
    chat = ask(c, model="gpt-5.1-chat-latest")
    assert chat.usage.completion_tokens_details.reasoning_tokens == 0
    assert ask(c, model="gpt-5.1").usage.completion_tokens_details.reasoning_tokens > 0


def test_segment_markers_alone_select_segment_answer_and_synthesis(sim: str) -> None:
    c = client(sim)
    r = create(c, model="local-llama", messages=segment_messages(), response_format={"type": "json_object"})
    assert all(
        q in SEGMENT for q in quotes(LLMSegmentOutput.model_validate_json(r.choices[0].message.content))
    )
    material = "Findings: Governing Law (3), Cap On Liability, Governing Law, Anti-Assignment."
    s = create(
        c,
        model="gpt-5.1",
        messages=[{"role": "user", "content": material}],
        response_format=response_format(LLMSynthesis, "synthesis"),
    )
    syn = LLMSynthesis.model_validate_json(s.choices[0].message.content)
    assert "3 of the 41" in syn.executive_summary and syn.observations[0].startswith(
        "Governing Law: mentioned 2"
    )


def test_max_tokens_cuts_the_answer_with_finish_reason_length(sim: str) -> None:
    r = create(
        client(sim),
        model="gpt-5.1-chat-latest",
        messages=segment_messages(),
        response_format=SEGMENT_FORMAT,
        max_completion_tokens=40,
    )
    assert r.choices[0].finish_reason == "length"
    assert r.usage.completion_tokens <= 41


def test_over_long_request_is_rejected_and_counted() -> None:
    with running_simulator(SimulatorConfig(strict=False, time_scale=0.0, contexts={"tiny": 1000})) as url:
        c = client(url)
        with pytest.raises(openai.BadRequestError) as exc:
            ask(c, model="gpt-5.1-chat-latest", max_tokens=127_000)
        assert exc.value.status_code == 400 and exc.value.code == "context_length_exceeded"
        with pytest.raises(openai.BadRequestError):
            ask(c, model="tiny", max_tokens=10)  # the prompt alone is over 1000 tokens
        ask(c, model="gpt-5.1", max_tokens=200_000)  # fits in 400K
        stats = sim_get(url, "/_sim/stats")
        assert stats["over_long"] == 2 and stats["by_status"] == {"400": 2, "200": 1}


def fault_server(kind: FaultKind, **kw: Any) -> Any:
    return running_simulator(
        SimulatorConfig(strict=False, time_scale=0.001, fault_rate=1.0, fault_kinds=(kind,), **kw)
    )


def test_fault_429_has_retry_after() -> None:
    with fault_server("429") as url, pytest.raises(openai.RateLimitError) as exc:
        ask(client(url))
    assert float(exc.value.response.headers["retry-after"]) >= 0
    assert exc.value.body["type"] == "rate_limit_error"  # type: ignore[index]


def test_fault_500() -> None:
    with fault_server("500") as url, pytest.raises(openai.InternalServerError) as exc:
        ask(client(url))
    assert exc.value.status_code == 500


def test_fault_timeout_makes_the_client_give_up() -> None:
    with fault_server("timeout", hang_s=30) as url:
        start = time.monotonic()
        with pytest.raises(openai.APITimeoutError):
            ask(client(url, timeout=0.5))
        assert time.monotonic() - start < 10  # the client's 0.5 s, not the server's 30 s hang
        # The server noticed the hang-up and stopped working on it.
        deadline = time.monotonic() + 3
        while sim_get(url, "/_sim/stats")["by_status"].get("499") != 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sim_get(url, "/_sim/stats")["by_status"] == {"499": 1}


@pytest.mark.parametrize("kind", ["invalid_json", "truncated", "invented_quote"])
def test_spoiled_answers_are_billed_and_reported(sim: str, kind: FaultKind) -> None:
    good = ask(client(sim)).choices[0].message.content
    with fault_server(kind) as url:
        r = ask(client(url))
        content = r.choices[0].message.content
        if kind == "invented_quote":
            out = LLMSegmentOutput.model_validate_json(content)
            assert any(f.quote not in SEGMENT for f in out.findings)
            assert r.choices[0].finish_reason == "stop"
        else:
            with pytest.raises(json.JSONDecodeError):
                json.loads(content)
        if kind == "truncated":
            assert r.choices[0].finish_reason == "length" and good.startswith(content)
        stats = sim_get(url, "/_sim/stats")
    assert stats["faults_by_kind"] == {kind: 1} and stats["ok_requests"] == 0
    assert stats["billed_faulty"] == {
        "requests": 1,
        "prompt_tokens": r.usage.prompt_tokens,
        "completion_tokens": count_tokens(content),
    }
    assert stats["completion_tokens"] == r.usage.completion_tokens


def test_sdk_retries_through_429s() -> None:
    config = SimulatorConfig(strict=False, time_scale=0.001, fault_rate=0.5, fault_kinds=("429",), seed=1)
    with running_simulator(config) as url:
        c = client(url, max_retries=2)
        segments = [SEGMENT[i * 1500 : (i + 2) * 1500] for i in range(6)]
        start = time.monotonic()
        answers = [ask(c, segment=s) for s in segments]
        assert time.monotonic() - start < 5  # Retry-After (ms), not the SDK's 0.5 s backoff, was honoured
        stats = sim_get(url, "/_sim/stats")
    assert all(a.choices[0].finish_reason == "stop" for a in answers)
    assert stats["faults_by_kind"]["429"] >= 2 and stats["ok_requests"] == len(segments)
    assert stats["requests"] == len(segments) + stats["faults_by_kind"]["429"]


def test_concurrent_requests_are_served_in_parallel() -> None:
    with running_simulator(SimulatorConfig(strict=False, fixed_latency_s=1.0)) as url:
        c = client(url)
        start = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            done = list(pool.map(lambda i: ask(c, segment=SEGMENT[: 2000 + i]), range(8)))
        assert len(done) == 8 and time.monotonic() - start < 4.0  # one after another: 8 s


def test_stats_reset_models_and_auth() -> None:
    with running_simulator(SimulatorConfig(strict=False, time_scale=0.0, require_key=True)) as url:
        ask(client(url), model="gpt-5.1")
        stats = sim_get(url, "/_sim/stats")
        assert stats["requests"] == stats["ok_requests"] == 1 and stats["by_model"] == {"gpt-5.1": 1}
        assert stats["usage_by_model"]["gpt-5.1"]["requests"] == 1 and stats["prompt_tokens"] > 0
        assert "kimi-k2-thinking-turbo" in {m.id for m in client(url).models.list()}
        req = urllib.request.Request(url + "/chat/completions", data=b"{}", method="POST")
        with pytest.raises(urllib.error.HTTPError) as exc:
            urllib.request.urlopen(req, timeout=5)
        assert exc.value.code == 401
        assert sim_post(url, "/_sim/reset") == {"ok": True}
        zero = sim_get(url, "/_sim/stats")
        assert zero["requests"] == zero["prompt_tokens"] == 0 and zero["by_status"] == {}


def test_latency_model_and_helpers() -> None:
    rng = random.Random(0)
    draws = sorted(sample_latency(rng, 19.0, 35.0) for _ in range(4000))
    assert statistics.median(draws) == pytest.approx(19.0, rel=0.05)
    assert draws[int(0.95 * len(draws))] == pytest.approx(35.0, rel=0.08)
    assert extract_segment(f"x{SEGMENT_OPEN}\nabc\n{SEGMENT_CLOSE}y") == "abc"
    assert extract_segment("no markers") is None
    assert set(SimulatorConfig().fault_kinds) == set(ALL_FAULTS)


def test_request_log_has_one_line_per_request_with_status_and_tokens() -> None:
    with running_simulator(FAST) as url:
        ok = ask(client(url), model="kimi-k2-thinking")
        with pytest.raises(openai.BadRequestError):
            create(client(url), model="kimi-k2-thinking", messages=[])
        log = sim_get(url, "/_log")["requests"]
        sim_post(url, "/_sim/reset")
        assert sim_get(url, "/_log")["requests"] == []
    assert [(e["model"], e["status"]) for e in log] == [("kimi-k2-thinking", 200), (None, 400)]
    first = log[0]
    assert first["prompt_tokens"] == ok.usage.prompt_tokens
    assert first["completion_tokens"] == ok.usage.completion_tokens
    assert first["reasoning_tokens"] == ok.usage.completion_tokens_details.reasoning_tokens
    assert first["error_code"] is None and log[1]["error_code"] == "invalid_request_error"
    assert log[0]["arrived"] <= log[1]["arrived"]


def test_request_log_marks_a_hung_up_request_499_with_its_prompt_tokens() -> None:
    with fault_server("timeout", hang_s=5) as url:
        with pytest.raises(openai.APITimeoutError):
            ask(client(url, timeout=0.5))
        entry: dict[str, Any] = wait_for(
            lambda: [e for e in sim_get(url, "/_log")["requests"] if e["status"]][-1:],
            5,
            "the hung-up request to be logged",
        )[0]
    assert entry["status"] == 499 and entry["prompt_tokens"] > 1000 and entry["completion_tokens"] == 0


def test_a_held_model_answers_only_after_release_and_the_others_at_once() -> None:
    config = SimulatorConfig(strict=False, time_scale=0.0, held_models=("gpt-5.1-chat-latest",))
    with running_simulator(config) as url, ThreadPoolExecutor(2) as pool:
        held = pool.submit(ask, client(url), "gpt-5.1-chat-latest")
        wait_for(lambda: [e for e in sim_get(url, "/_log")["requests"] if e["model"] == "gpt-5.1-chat-latest"],
                 10, "the held request to arrive")  # fmt: skip
        assert ask(client(url)).choices[0].finish_reason == "stop"  # another model is not held
        assert not held.done()
        assert sim_post(url, "/_sim/release") == {"ok": True}
        assert held.result(timeout=10).choices[0].finish_reason == "stop"
        # Released for good: a later call to that model answers at once.
        assert ask(client(url), "gpt-5.1-chat-latest").choices[0].finish_reason == "stop"


def test_a_held_request_whose_client_hangs_up_is_logged_499() -> None:
    config = SimulatorConfig(strict=False, time_scale=0.0, held_models=("kimi-k2-thinking",))
    with running_simulator(config) as url:
        with pytest.raises(openai.APITimeoutError):
            ask(client(url, timeout=0.5))
        wait_for(lambda: sim_get(url, "/_sim/stats")["by_status"] == {"499": 1}, 5, "the hang-up to be seen")


def test_hold_after_answers_the_first_n_calls_and_holds_the_rest_until_release() -> None:
    with (
        running_simulator(SimulatorConfig(strict=False, time_scale=0.0, hold_after=1)) as url,
        ThreadPoolExecutor(1) as pool,
    ):
        assert ask(client(url)).choices[0].finish_reason == "stop"  # the first call answers
        second = pool.submit(ask, client(url), "gpt-5.1-chat-latest")
        wait_for(lambda: len(sim_get(url, "/_log")["requests"]) == 2, 10, "the second call to arrive")
        assert not second.done() and sim_get(url, "/_log")["requests"][1]["status"] == 0
        sim_post(url, "/_sim/release")
        assert second.result(timeout=10).choices[0].finish_reason == "stop"
