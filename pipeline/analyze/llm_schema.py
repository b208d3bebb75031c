"""What an LLM is asked to return for a segment, and how the prompt frames the segment.

Models return quotes, never offsets: offsets are found by searching the segment for each
quote (whitespace-normalised), and a quote that is not in the segment is dropped and counted
(``unverified_quotes``). The simulator and the real providers speak this same contract.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.analyze.playbook import Playbook

PROMPT_VERSION = "2026-12-07.1"  # + playbook verdicts
# Bounded answers: a model lists the strongest evidence, not every sentence. References and
# defined terms are also extracted mechanically (complete), so the model's lists can be short.
MAX_FINDINGS_PER_CATEGORY = 3
MAX_KEY_TERMS = 20
MAX_DEFINED_TERMS = 30
MAX_REFERENCES = 30
MAX_VERDICT_QUOTES = 2
SEGMENT_OPEN = "<<<SEGMENT>>>"
SEGMENT_CLOSE = "<<<END SEGMENT>>>"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)  # built on first use (types.Model)


class LLMFinding(_Out):
    category: str = Field(description="one of the CUAD clause categories, spelled exactly")
    quote: str = Field(description="verbatim text from the segment that shows the clause")
    confidence: float = Field(ge=0.0, le=1.0)


class LLMKeyTerm(_Out):
    name: str = Field(description="party, agreement_date, effective_date, expiration_date, governing_law, "
                      "renewal_term, renewal_notice, termination_notice, liability_cap")  # fmt: skip
    value: str = Field(description="normalised value: state name, ISO date, '30 days', '5,000,000 USD'")
    quote: str


class LLMDefinedTerm(_Out):
    term: str
    quote: str = Field(description="the verbatim defining sentence or parenthetical")


class LLMReference(_Out):
    label: str = Field(description="as written, e.g. 'Section 9.2', 'Exhibit B'")
    quote: str


class LLMVerdict(_Out):
    # `enum` is in OpenAI's strict subset (https://platform.openai.com/docs/guides/structured-outputs
    # "Supported schemas"); pydantic writes a Literal as {"type": "string", "enum": [...]}, so the
    # node keeps its own `type` as Moonshot's flavoured schema requires (checked by _check_typed).
    rule: str = Field(description="the playbook rule's id, exactly as given")
    status: Literal["meets", "deviates", "missing", "review"] = Field(
        description="missing: this segment has no such clause; review: unsure"
    )
    answer: str = Field(
        description="the normalised value ('Delaware', '12 months of fees', '60 days'), or ''"
    )
    quotes: list[str] = Field(description="verbatim evidence from the segment, at most 2 (empty for missing)")
    reason: str = Field(description="one sentence: why this status")


class LLMSegmentOutput(_Out):
    findings: list[LLMFinding]
    key_terms: list[LLMKeyTerm]
    defined_terms: list[LLMDefinedTerm]
    references: list[LLMReference]
    # Contracts with a playbook only; the field is always present (strict schemas require it).
    verdicts: list[LLMVerdict] = Field(default_factory=list)


# ---- papers (issue 18): the digest a model gives of one segment of a paper -----------------
# Absent values are "" rather than null: a nullable field is an ``anyOf`` node without its own
# ``type``, which Moonshot's flavoured schema refuses (see ``json_schema``), and OpenAI strict mode
# needs every property required anyway ("Supported schemas",
# https://platform.openai.com/docs/guides/structured-outputs). One schema, both dialects.
MAX_PAPER_ITEMS = 8  # per list: the strongest items of the segment, not every sentence
MAX_PAPER_QUOTES = 2
PAPER_SCHEMA_NAME = "paper_analysis"
PAPER_PROMPT_MARK = "Paper digest:"  # opens the paper rules of the system prompt
PAPER_PROMPT_VERSION = "2026-12-07.paper1"  # part of a paper segment's cache key


class LLMPaperItem(_Out):
    text: str = Field(description="one short sentence in your words: the contribution, method, data set, ...")
    quotes: list[str] = Field(description="verbatim evidence from the segment, at most 2 short quotes")


class LLMPaperResult(_Out):
    metric: str = Field(description="what is measured, e.g. 'F1', 'accuracy', 'share of patients'")
    value: str = Field(description="the number as written, e.g. '91.2', '62%', '1 in 5'")
    dataset: str = Field(description="the data set or task it is measured on, or ''")
    baseline: str = Field(description="the system or value it is compared with, or ''")
    delta: str = Field(description="the stated difference from the baseline, e.g. '+3.1 F1', or ''")
    quotes: list[str] = Field(description="verbatim evidence from the segment holding the number, at most 2")


class LLMPaperDigest(_Out):
    contributions: list[LLMPaperItem]
    methods: list[LLMPaperItem]
    datasets: list[LLMPaperItem]
    results: list[LLMPaperResult]
    limitations: list[LLMPaperItem]
    open_questions: list[LLMPaperItem]


# A paper segment's answer: the segment fields (references and the like, checked the same way)
# plus its digest. Sent as its own schema (``PAPER_SCHEMA_NAME``): contracts never see it. (A
# comment, not a docstring: pydantic would send a docstring to the model as the description.)
class LLMPaperOutput(LLMSegmentOutput):
    digest: LLMPaperDigest


def output_model(kind: str) -> type[LLMSegmentOutput]:
    return LLMPaperOutput if kind == "paper" else LLMSegmentOutput


def schema_name(kind: str) -> str:
    return PAPER_SCHEMA_NAME if kind == "paper" else "segment_analysis"


PLAYBOOK_HEADER = "Playbook rules (JSON; give one verdict per rule):"


def playbook_prompt(playbook: Playbook | None) -> str:
    """The rules as the model sees them (one JSON array; ``""`` without a playbook). Part of the
    answer cache key too: verdicts answer these rules, not another tenant's or version's."""
    if playbook is None:
        return ""
    rules = [r.model_dump(exclude={"line", "severity"}, exclude_none=True) for r in playbook.rules]
    return json.dumps(rules, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


class LLMSynthesis(_Out):
    executive_summary: str
    observations: list[str]


Dialect = Literal["openai-strict", "moonshot"]
# Numeric and length bounds are outside the subset every strict validator takes; our own pydantic
# validation still enforces them on the answer. `title` is noise to a model.
_DROPPED = frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
                      "maxLength", "minItems", "maxItems", "title", "default"})  # fmt: skip


def json_schema(model: type[BaseModel], dialect: Dialect = "openai-strict") -> dict[str, Any]:
    """The output schema in the dialect a provider's validator accepts.

    Both dialects get every ``$ref`` inlined and every object closed: OpenAI strict mode needs
    ``additionalProperties: false`` and every property in ``required``
    (https://docs.deepshi.ai/guides/structured-outputs restates OpenAI's rules); Moonshot's
    "flavored" JSON schema needs every node to be an object with its own ``type``, which a
    ``$ref`` node is not (https://github.com/can1357/oh-my-pi/issues/5952).
    """
    raw = model.model_json_schema()
    defs: dict[str, Any] = raw.pop("$defs", {})
    out: dict[str, Any] = _transform(raw, defs)
    if dialect == "moonshot":
        _check_typed(out, "root")
    return out


def _transform(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_transform(n, defs) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = defs[node["$ref"].rsplit("/", 1)[-1]]
        extra = {k: v for k, v in node.items() if k != "$ref"}
        return _transform({**target, **extra}, defs)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROPPED:
            continue
        if key == "properties":
            out[key] = {name: _transform(v, defs) for name, v in value.items()}
        else:
            out[key] = _transform(value, defs) if key in ("items", "anyOf") else value
    if out.get("type") == "object" and "properties" in out:
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
    return out


def _check_typed(node: dict[str, Any], path: str) -> None:
    if "type" not in node:
        raise ValueError(f"schema node at {path} has no type (Moonshot refuses it)")
    for name, child in node.get("properties", {}).items():
        _check_typed(child, f"{path}.properties.{name}")
    if isinstance(node.get("items"), dict):
        _check_typed(node["items"], f"{path}.items")


def response_format(model: type[BaseModel], name: str, dialect: Dialect = "openai-strict") -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": name, "strict": True, "schema": json_schema(model, dialect)},
    }
