"""Wire profiles: how one family of endpoints wants a Chat Completions request, and how it answers.

Every catalog entry names one. A profile decides the output-limit parameter, whether sampling
parameters may be sent at all, the structured-output mode and schema dialect, and where the
model's reasoning arrives (so it is stripped before the answer is validated, and counted: reasoning
tokens are billed as output by every provider here). Sources, quoted in /work/notes/providers.md:

- OpenAI GPT-5.x: ``max_tokens`` is refused ("Unsupported parameter: 'max_tokens' is not supported
  with this model. Use 'max_completion_tokens' instead.", e.g.
  https://github.com/griptape-ai/ComfyUI-Griptape/issues/312) and ``temperature`` other than 1 too
  ("Only the default (1) value is supported.", https://github.com/owndev/Open-WebUI-Functions/issues/98;
  gpt-5.2-chat-latest as well: https://github.com/lintsinghua/DeepAudit/issues/80). Reasoning is
  hidden; its count is ``usage.completion_tokens_details.reasoning_tokens``
  (https://you.com/docs/guides/inference-router/reasoning).
- Moonshot Kimi K2 Thinking: reasoning in ``message.reasoning_content``; temperature 1.0 for the
  thinking series (https://platform.moonshot.ai/docs/guide/use-kimi-k2-thinking-model,
  https://test-platform.kimi.ai/docs/api/models-overview); ``max_tokens`` is "Deprecated, please refer
  to max_completion_tokens" (https://test-platform.kimi.ai/docs/api/chat); schemas must be "Moonshot
  Flavored JSON Schema": every node an object with an explicit ``type``
  (https://github.com/can1357/oh-my-pi/issues/5952, https://github.com/vercel/ai/pull/18921).
- vLLM / Ollama: ``max_tokens`` is the field both accept (https://docs.ollama.com/api/openai-compatibility);
  with a reasoning parser vLLM returns ``reasoning_content`` (``reasoning`` since 0.11), without one a
  thinking model's ``<think>…</think>`` stays in ``content``
  (https://docs.vllm.ai/en/v0.11.2/features/reasoning_outputs/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

ProfileName = Literal[
    "openai-reasoning", "openai-chat", "moonshot", "openai-compatible", "openai-compatible-thinking"
]
# json_schema: the schema rides in response_format; json_object: JSON mode, schema in the prompt;
# text: nothing constrains the output, schema in the prompt, our own validation decides.
Structured = Literal["json_schema", "json_object", "text"]
Dialect = Literal["openai-strict", "moonshot"]
ReasoningAt = Literal["usage", "reasoning_content", "think_tags", "none"]

_THINK = re.compile(r"^\s*<think>(.*?)</think>\s*", re.S)
_OPEN_THINK = re.compile(r"^\s*<think>", re.S)


@dataclass(frozen=True)
class WireProfile:
    name: ProfileName
    output_limit: Literal["max_completion_tokens", "max_tokens"]
    # Fixed sampling: temperature/top_p are never sent (the API refuses any value but its own).
    fixed_sampling: bool
    structured: Structured
    dialect: Dialect
    reasoning: ReasoningAt

    @property
    def schema_in_prompt(self) -> bool:
        return self.structured != "json_schema"

    def request(
        self,
        *,
        model: str,
        messages: list[dict[str, str]],
        max_tokens: int,
        response_format: dict[str, Any] | None,
        temperature: float | None = None,
        reasoning_effort: str | None = None,
    ) -> dict[str, Any]:
        """The keyword arguments for ``chat.completions.create``."""
        body: dict[str, Any] = {"model": model, "messages": messages, self.output_limit: max_tokens}
        if reasoning_effort is not None:
            body["reasoning_effort"] = reasoning_effort
        if temperature is not None and not self.fixed_sampling:
            body["temperature"] = temperature
        if self.structured == "json_schema" and response_format is not None:
            body["response_format"] = response_format
        elif self.structured == "json_object":
            body["response_format"] = {"type": "json_object"}
        return body

    def split(self, message: Any) -> tuple[str, str]:
        """(answer, reasoning text) of a response message, whatever carried the reasoning.

        A ``<think>`` block is stripped from any profile's content (a self-hosted server may be
        reconfigured under us); an unclosed one means the answer never came (all reasoning).
        """
        content: str = getattr(message, "content", None) or ""
        extra = getattr(message, "model_extra", None) or {}
        reasoning = str(extra.get("reasoning_content") or extra.get("reasoning") or "")
        m = _THINK.match(content)
        if m:
            return content[m.end() :], (reasoning + m.group(1)).strip()
        if _OPEN_THINK.match(content):
            return "", (reasoning + content).strip()
        return content, reasoning


PROFILES: dict[str, WireProfile] = {
    p.name: p
    for p in (
        WireProfile("openai-reasoning", "max_completion_tokens", True, "json_schema", "openai-strict", "usage"),
        WireProfile("openai-chat", "max_completion_tokens", True, "json_schema", "openai-strict", "usage"),
        WireProfile("moonshot", "max_completion_tokens", True, "json_schema", "moonshot", "reasoning_content"),
        # A vLLM/Ollama server without reasoning: guided decoding takes a strict schema as is.
        WireProfile("openai-compatible", "max_tokens", True, "json_schema", "openai-strict", "none"),
        # Without a reasoning parser, guided decoding would forbid the <think> block the model must
        # write first: ask for plain text, strip the block, validate ourselves.
        WireProfile("openai-compatible-thinking", "max_tokens", True, "text", "openai-strict", "think_tags"),
    )
}  # fmt: skip


def profile(name: str) -> WireProfile:
    return PROFILES[name]
