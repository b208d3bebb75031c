"""What each real API refuses, and how each delivers reasoning: the simulator's strict mode.

The model id picks the family, as it would pick the real endpoint:
  * ``gpt-5*`` (OpenAI; ``*chat*`` is Instant): ``max_tokens`` and a ``temperature``/``top_p``
    other than 1 are refused with OpenAI's bodies; a strict ``json_schema`` must close every
    object and require every property. Reasoning is hidden, counted in
    ``usage.completion_tokens_details.reasoning_tokens`` and billed inside ``completion_tokens``.
  * ``kimi-*`` / ``moonshot-*`` (Moonshot): a temperature other than 1 is refused (thinking
    series), a response schema that is not "Moonshot flavored" (a node without ``type``; ``type``
    beside ``anyOf``) is refused; reasoning arrives in ``message.reasoning_content``.
  * a self-hosted thinking model (Qwen3, QwQ, DeepSeek-R1, ``*thinking*``) served without a
    reasoning parser: the reasoning is a ``<think>…</think>`` block at the head of ``content``.
  * anything else: a lenient vLLM/Ollama server.
Sources and verbatim error texts: /work/notes/providers.md (and routing/profiles.py).
"""

from __future__ import annotations

from typing import Any, Literal

from chunking.tokenizer import count_tokens
from pipeline.simulate.faults import error_body

Family = Literal["openai-reasoning", "openai-chat", "moonshot", "self-hosted-thinking", "self-hosted"]
GPT51_EFFORTS = ("none", "low", "medium", "high")
THINKING_MARKERS = ("qwen3", "qwq", "deepseek-r1", "r1-distill", "thinking")


def family(model: str) -> Family:
    m = model.lower()
    if m.startswith("gpt-5"):
        return "openai-chat" if "chat" in m else "openai-reasoning"
    if m.startswith(("kimi-", "moonshot-")):
        return "moonshot"
    if any(t in m for t in THINKING_MARKERS):
        return "self-hosted-thinking"
    return "self-hosted"


def refusal(body: dict[str, Any]) -> dict[str, Any] | None:
    """The 400 body the real API answers to this request, or None when it would accept it."""
    fam = family(body["model"])
    if fam in ("openai-reasoning", "openai-chat"):
        return _openai(body)
    if fam == "moonshot":
        return _moonshot(body)
    return None


def _openai(body: dict[str, Any]) -> dict[str, Any] | None:
    if "max_tokens" in body:
        # Verbatim, e.g. https://github.com/griptape-ai/ComfyUI-Griptape/issues/312
        return error_body(
            "Unsupported parameter: 'max_tokens' is not supported with this model. "
            "Use 'max_completion_tokens' instead.",
            "invalid_request_error", "unsupported_parameter", "max_tokens",
        )  # fmt: skip
    effort = body.get("reasoning_effort")
    if effort is not None and effort not in GPT51_EFFORTS:
        # Verbatim for gpt-5.1 (https://github.com/openai/openai-agents-python/issues/2089).
        return error_body(
            f"Unsupported value: '{effort}' is not supported with the '{body['model']}' model. "
            "Supported values are: 'none', 'low', 'medium', and 'high'.",
            "invalid_request_error", "unsupported_value", "reasoning_effort",
        )  # fmt: skip
    for param in ("temperature", "top_p"):
        value = body.get(param)
        if value is not None and value != 1:
            # Verbatim, e.g. https://github.com/owndev/Open-WebUI-Functions/issues/98
            return error_body(
                f"Unsupported value: '{param}' does not support {value} with this model. "
                "Only the default (1) value is supported.",
                "invalid_request_error", "unsupported_value", param,
            )  # fmt: skip
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        spec = fmt.get("json_schema") or {}
        if spec.get("strict"):
            problem = _strict_problem(spec.get("schema") or {}, spec.get("schema") or {}, ())
            if problem:
                name = spec.get("name")
                return error_body(f"Invalid schema for response_format '{name}': {problem}",
                                  "invalid_request_error", None, "response_format")  # fmt: skip
    return None


def _strict_problem(node: Any, root: dict[str, Any], path: tuple[str, ...]) -> str | None:
    if not isinstance(node, dict):
        return None
    if "$ref" in node:
        ref = node["$ref"].rsplit("/", 1)[-1]
        return _strict_problem(root.get("$defs", {}).get(ref), root, (*path, "$defs", ref))
    context = f"In context=({', '.join(repr(p) for p in path)})"
    props = node.get("properties")
    if node.get("type") == "object" and isinstance(props, dict):
        if node.get("additionalProperties") is not False:
            return f"{context}, 'additionalProperties' is required to be supplied and to be false."
        missing = [k for k in props if k not in (node.get("required") or [])]
        if missing:
            return (f"{context}, 'required' is required to be supplied and to be an array including every "
                    f"key in properties. Missing '{missing[0]}'.")  # fmt: skip
        for name, child in props.items():
            if p := _strict_problem(child, root, (*path, "properties", name)):
                return p
    if isinstance(node.get("items"), dict):
        return _strict_problem(node["items"], root, (*path, "items"))
    return None


def _moonshot(body: dict[str, Any]) -> dict[str, Any] | None:
    temp = body.get("temperature")
    if temp is not None and temp != 1:
        # As Moonshot answers a fixed-temperature model (https://github.com/XCNXNXNX/dsh-portable-tavern/issues/1)
        return error_body(
            "invalid temperature: only 1 is allowed for this model", "invalid_request_error", None
        )
    fmt = body.get("response_format")
    if isinstance(fmt, dict) and fmt.get("type") == "json_schema":
        schema = (fmt.get("json_schema") or {}).get("schema")
        detail = _mfjs_problem(schema, "root")
        if detail:
            # The shape of Moonshot's MFJS refusals (https://github.com/MoonshotAI/kimi-cli/issues/2531)
            return error_body(
                "Invalid request: response_format.json_schema.schema is not a valid moonshot flavored "
                f"json schema, details: <{detail}>",
                "invalid_request_error", None,
            )  # fmt: skip
    return None


def _mfjs_problem(node: Any, path: str) -> str | None:
    if not isinstance(node, dict):
        return f"At path '{path}': schema must be an object"
    if "anyOf" in node:
        if "type" in node:
            return f"At path '{path}': when using anyOf, type should be defined in anyOf items instead of the parent schema"
        for i, item in enumerate(node["anyOf"]):
            if p := _mfjs_problem(item, f"{path}.anyOf.{i}"):
                return p
        return None
    if "type" not in node:
        return f"At path '{path}': type is required"
    for name, child in (node.get("properties") or {}).items():
        if p := _mfjs_problem(child, f"{path}.properties.{name}" if path != "root" else f"properties.{name}"):
            return p
    if "items" in node:
        return _mfjs_problem(node["items"], f"{path}.items")
    return None


_THOUGHT = (
    "I read the segment between the markers, list the clauses it holds, and copy each quote "
    "exactly as written before I answer. "
)


def thinking_text(tokens: int) -> str:
    """Deterministic reasoning of about ``tokens`` o200k tokens."""
    per = count_tokens(_THOUGHT)
    return (_THOUGHT * max(1, tokens // per)).strip()


def deliver(
    model: str, content: str, completion: int, reasoning: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(message, usage) as the model's family delivers an answer with ``reasoning`` tokens of thought."""
    fam = family(model)
    message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
    if fam in ("openai-reasoning", "openai-chat"):
        total = completion + reasoning  # hidden reasoning is billed as output
        return message, {
            "completion_tokens": total,
            "completion_tokens_details": {"reasoning_tokens": reasoning},
        }
    if fam == "moonshot":
        thought = thinking_text(max(reasoning, 1))
        message["reasoning_content"] = thought
        return message, {"completion_tokens": completion + count_tokens(thought)}
    if fam == "self-hosted-thinking":
        message["content"] = f"<think>\n{thinking_text(max(reasoning, 1))}\n</think>\n\n{content}"
        return message, {"completion_tokens": count_tokens(message["content"])}
    return message, {"completion_tokens": completion}
