"""Every catalog model through its wire profile, with the real ``openai`` SDK, against the strict
simulator: the request is accepted, reasoning is stripped and counted, and the shape longdoc sent
before profiles existed is refused exactly as the real API refuses it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openai
import pytest

from pipeline.analyze.llm_schema import SEGMENT_CLOSE, SEGMENT_OPEN, LLMSegmentOutput, response_format
from pipeline.errors import ProviderError
from pipeline.routing.catalog import ModelSpec, load_catalog
from pipeline.routing.profiles import PROFILES
from pipeline.routing.providers import Attempt, OpenAICompatibleProvider, call_timeout
from pipeline.simulate.server import SimulatorConfig, running_simulator
from tests.llm_helpers import request_log

EXAMPLE = Path(__file__).resolve().parents[1] / "pipeline" / "examples" / "master-services-agreement.txt"
SEGMENT = EXAMPLE.read_text(encoding="utf-8")[:6000]
MESSAGES = [
    {"role": "system", "content": "You analyze one segment of a contract. Return JSON for the schema."},
    {"role": "user", "content": f"{SEGMENT_OPEN}\n{SEGMENT}\n{SEGMENT_CLOSE}"},
]
CATALOG = load_catalog()
# A self-hosted reasoning model served by vLLM without a reasoning parser.
SELF_HOSTED_THINKING = CATALOG.get("self-hosted").model_copy(
    update={"api_model": "Qwen/Qwen3-32B", "profile": "openai-compatible-thinking", "reasoning": True}
)
MODELS = [m for m in CATALOG.models if not m.is_builtin] + [SELF_HOSTED_THINKING]


def ids(m: ModelSpec) -> str:
    return f"{m.id}:{m.profile}"


@pytest.fixture(scope="module")
def strict_sim() -> Any:
    with running_simulator(SimulatorConfig(time_scale=0.0)) as url:
        yield url


def test_catalog_names_a_known_profile_for_every_model() -> None:
    assert {m.id: m.profile for m in CATALOG.models if not m.is_builtin} == {
        "gpt-5.1-instant": "openai-chat", "gpt-5.1-thinking": "openai-reasoning",
        "kimi-k2-thinking": "moonshot", "kimi-k2-thinking-turbo": "moonshot",
        "self-hosted": "openai-compatible",
    }  # fmt: skip
    assert all(m.profile in PROFILES for m in CATALOG.models)


@pytest.mark.parametrize("spec", MODELS, ids=ids)
def test_each_model_answers_through_its_profile(strict_sim: str, spec: ModelSpec) -> None:
    seen: list[Attempt] = []
    provider = OpenAICompatibleProvider(spec, base_url=strict_sim, api_key="sk-test", max_attempts=1)
    wire = provider.profile
    fmt = response_format(LLMSegmentOutput, "segment_analysis", wire.dialect)
    messages = MESSAGES
    if wire.schema_in_prompt:
        schema = json.dumps(fmt["json_schema"]["schema"])
        messages = [{"role": "system", "content": MESSAGES[0]["content"] + "\n" + schema}, MESSAGES[1]]
    before = len(request_log(strict_sim))
    result = provider.complete(messages, response_format=fmt, max_tokens=8192, on_attempt=seen.append)
    log = request_log(strict_sim)[before:]

    assert [(e["model"], e["status"]) for e in log] == [(spec.api_model, 200)]
    out = LLMSegmentOutput.model_validate_json(result.content)  # reasoning stripped before validation
    assert out.findings or out.key_terms
    assert "<think>" not in result.content
    if spec.reasoning:
        assert result.reasoning_tokens > 0
        # Reasoning is billed as output: inside completion_tokens, priced at the output rate.
        assert result.completion_tokens > result.reasoning_tokens
    if spec.profile in ("moonshot", "openai-compatible-thinking"):
        assert result.reasoning  # the text came back (reasoning_content, or the <think> block)
    [a] = seen
    assert (a.model, a.profile, a.status, a.error) == (spec.id, spec.profile, 200, None)
    assert a.cost_usd == pytest.approx(spec.cost_usd(result.prompt_tokens, result.completion_tokens))
    assert result.attempts == seen and result.cost_usd == a.cost_usd


def _raw(url: str, **body: Any) -> Any:
    client = openai.OpenAI(base_url=url, api_key="sk-test", max_retries=0)
    return client.chat.completions.create(messages=MESSAGES, **body)  # type: ignore[call-overload]


# The request every model got before wire profiles: max_tokens and pydantic's raw schema ($refs).
OLD_FORMAT = {
    "type": "json_schema",
    "json_schema": {
        "name": "segment_analysis",
        "strict": True,
        "schema": LLMSegmentOutput.model_json_schema(),
    },
}


@pytest.mark.parametrize("api_model", ["gpt-5.1", "gpt-5.1-chat-latest"])
def test_gpt5_refuses_max_tokens_and_temperature_like_openai(strict_sim: str, api_model: str) -> None:
    with pytest.raises(openai.BadRequestError) as exc:
        _raw(strict_sim, model=api_model, max_tokens=8192, response_format=OLD_FORMAT)
    assert exc.value.status_code == 400
    assert exc.value.body == {
        "message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
        "Use 'max_completion_tokens' instead.",
        "type": "invalid_request_error", "param": "max_tokens", "code": "unsupported_parameter",
    }  # fmt: skip
    with pytest.raises(openai.BadRequestError) as exc:
        _raw(strict_sim, model=api_model, max_completion_tokens=8192, temperature=0.2)
    assert exc.value.code == "unsupported_value"
    assert "Only the default (1) value is supported." in exc.value.message


def test_gpt51_thinking_asks_for_reasoning_and_a_wrong_effort_is_refused(strict_sim: str) -> None:
    """gpt-5.1 reasons only when asked (its default effort is none): the Thinking tier sends an effort
    the API accepts, and a value gpt-5.1 does not know is refused with OpenAI's body."""
    spec = CATALOG.get("gpt-5.1-thinking")
    body = OpenAICompatibleProvider(spec, base_url=strict_sim, api_key="sk-test").profile.request(
        model=spec.api_model, messages=MESSAGES, max_tokens=64, response_format=None,
        reasoning_effort=spec.reasoning_effort,
    )  # fmt: skip
    assert body["reasoning_effort"] == "medium"
    assert CATALOG.get("gpt-5.1-instant").reasoning_effort is None
    with pytest.raises(openai.BadRequestError) as exc:
        _raw(strict_sim, model="gpt-5.1", max_completion_tokens=64, reasoning_effort="minimal")
    assert exc.value.body == {
        "message": "Unsupported value: 'minimal' is not supported with the 'gpt-5.1' model. "
        "Supported values are: 'none', 'low', 'medium', and 'high'.",
        "type": "invalid_request_error", "param": "reasoning_effort", "code": "unsupported_value",
    }  # fmt: skip


def test_openai_strict_schema_must_close_every_object(strict_sim: str) -> None:
    loose = json.loads(json.dumps(OLD_FORMAT))
    loose["json_schema"]["schema"] = {"type": "object", "properties": {"a": {"type": "string"}}}
    with pytest.raises(openai.BadRequestError) as exc:
        _raw(strict_sim, model="gpt-5.1", max_completion_tokens=100, response_format=loose)
    assert "'additionalProperties' is required to be supplied and to be false" in exc.value.message


def test_moonshot_refuses_an_untyped_schema_node_and_a_temperature(strict_sim: str) -> None:
    with pytest.raises(openai.BadRequestError) as exc:
        _raw(strict_sim, model="kimi-k2-thinking", max_tokens=8192, response_format=OLD_FORMAT)
    assert "is not a valid moonshot flavored json schema" in exc.value.message
    assert "properties.findings.items': type is required" in exc.value.message
    with pytest.raises(openai.BadRequestError) as exc:
        _raw(strict_sim, model="kimi-k2-thinking", max_completion_tokens=100, temperature=0.3)
    assert "only 1 is allowed" in exc.value.message


def test_self_hosted_thinking_model_puts_think_before_the_answer(strict_sim: str) -> None:
    r = _raw(strict_sim, model="Qwen/Qwen3-32B", max_tokens=8192, response_format=OLD_FORMAT)
    content = r.choices[0].message.content
    assert content.startswith("<think>")
    with pytest.raises(ValueError):
        json.loads(content)  # what the old parse path called invalid_output, and fell back to the cloud


def test_the_lenient_simulator_accepts_the_old_shape() -> None:
    # The refusals above come from strict mode, not from a broken request.
    with running_simulator(SimulatorConfig(time_scale=0.0, strict=False)) as url:
        r = _raw(url, model="gpt-5.1", max_tokens=8192, response_format=OLD_FORMAT, temperature=0.2)
    assert LLMSegmentOutput.model_validate_json(r.choices[0].message.content)


def test_refused_request_is_one_unbilled_attempt_on_the_error(strict_sim: str) -> None:
    spec = CATALOG.get("gpt-5.1-thinking").model_copy(
        update={"profile": "openai-compatible"}
    )  # sends max_tokens
    provider = OpenAICompatibleProvider(spec, base_url=strict_sim, api_key="sk-test")
    with pytest.raises(ProviderError) as exc:
        provider.complete(MESSAGES, response_format=None, max_tokens=100, prompt_tokens=1000)
    [a] = exc.value.attempts
    assert isinstance(a, Attempt) and (a.status, a.error, a.cost_usd) == (400, "BadRequestError", 0.0)


def test_timeout_is_derived_from_output_cap_and_speed() -> None:
    thinking = CATALOG.get("gpt-5.1-thinking")
    # 16K tokens at the catalog's speed do not fit the old fixed 120 s; the derived bound holds them.
    assert 16384 / thinking.output_tokens_per_s > 120
    assert call_timeout(thinking, 16384) > thinking.latency_p95_s + 16384 / thinking.output_tokens_per_s
    assert call_timeout(thinking, 1000) < call_timeout(thinking, 16384)
