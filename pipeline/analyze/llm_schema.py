"""What an LLM is asked to return for a segment, and how the prompt frames the segment.

Models return quotes, never offsets: offsets are found by searching the segment for each
quote (whitespace-normalised), and a quote that is not in the segment is dropped and counted
(``unverified_quotes``). The simulator and the real providers speak this same contract.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PROMPT_VERSION = "2026-11-25.2"
# Bounded answers: a model lists the strongest evidence, not every sentence. References and
# defined terms are also extracted mechanically (complete), so the model's lists can be short.
MAX_FINDINGS_PER_CATEGORY = 3
MAX_KEY_TERMS = 20
MAX_DEFINED_TERMS = 30
MAX_REFERENCES = 30
SEGMENT_OPEN = "<<<SEGMENT>>>"
SEGMENT_CLOSE = "<<<END SEGMENT>>>"


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class LLMSegmentOutput(_Out):
    findings: list[LLMFinding]
    key_terms: list[LLMKeyTerm]
    defined_terms: list[LLMDefinedTerm]
    references: list[LLMReference]


class LLMSynthesis(_Out):
    executive_summary: str
    observations: list[str]


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """Strict JSON schema for OpenAI ``response_format`` (every property required, no extras)."""
    schema = model.model_json_schema()
    _strictify(schema)
    for sub in schema.get("$defs", {}).values():
        _strictify(sub)
    return schema


def _strictify(node: dict[str, Any]) -> None:
    if node.get("type") == "object" and "properties" in node:
        node["required"] = list(node["properties"])
        node["additionalProperties"] = False
    for key in ("properties",):
        for child in node.get(key, {}).values():
            if isinstance(child, dict):
                _strictify(child)
    if isinstance(node.get("items"), dict):
        _strictify(node["items"])


def response_format(model: type[BaseModel], name: str) -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {"name": name, "strict": True, "schema": json_schema(model)},
    }
