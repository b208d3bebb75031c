"""What an analyzer says about one segment (``SegmentAnalysis``) and its parts.

Every span carries document-level character offsets ``[start, end)`` into
``ExtractedText.text``; ``quote`` is exactly ``text[start:end]``. Page and section are
filled by the analyzer from a ``Locator`` so that every executor produces the same JSON.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.models import SCHEMA_VERSION, Model

DocumentKind = Literal["contract", "paper"]


class Span(Model):
    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page: int = Field(ge=1)
    section: str | None = None
    segment: int = Field(ge=0)


class Finding(Span):
    category: str
    confidence: float = Field(ge=0.0, le=1.0)
    model: str


KeyTermName = Literal[
    "party",
    "agreement_date",
    "effective_date",
    "expiration_date",
    "governing_law",
    "renewal_term",
    "renewal_notice",
    "termination_notice",
    "notice_period",
    "liability_cap",
]


class KeyTerm(Span):
    name: KeyTermName
    # Normalised for comparison: "New York", "30 days", "USD 5,000,000", "2025-03-03".
    value: str


class DefinedTerm(Span):
    """``quote`` is the defining sentence or clause; ``term`` the term it defines."""

    term: str
    style: Literal["means", "parenthetical", "as_defined_in"] = "means"
    # For "as defined in Section 2.1": where the definition is said to live.
    defined_in: str | None = None


ReferenceKind = Literal[
    "article",
    "section",
    "clause",
    "exhibit",
    "schedule",
    "annex",
    "appendix",
    "part",
    "figure",
    "table",
    "equation",
    "citation",
    "author_year",
]


class Reference(Span):
    kind: ReferenceKind
    # Canonical target key, e.g. "section:9.2", "article:4", "exhibit:B", "citation:12".
    target: str
    label: str  # as a person would write it: "Section 9.2"


class Usage(Model):
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    cost_usd: float = 0.0
    seconds: float = 0.0
    cache_hits: int = 0


class AnalysisWarning(Model):
    code: str
    message: str


class SegmentError(Model):
    code: str
    message: str


class SegmentAnalysis(Model):
    schema_version: int = SCHEMA_VERSION
    segment: int = Field(ge=0)
    model: str
    status: Literal["ok", "degraded", "failed"] = "ok"
    findings: list[Finding] = Field(default_factory=list)
    key_terms: list[KeyTerm] = Field(default_factory=list)
    defined_terms: list[DefinedTerm] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    warnings: list[AnalysisWarning] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    error: SegmentError | None = None
