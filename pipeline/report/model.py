"""The ``Report`` schema: what a user gets back for one document (JSON and Markdown)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pipeline.analyze.paper import Paper
from pipeline.types import (
    SCHEMA_VERSION,
    AnalysisWarning,
    DefinedTerm,
    DocumentKind,
    ExtractWarning,
    Finding,
    KeyTerm,
    Model,
    Reference,
    SegmentError,
    Span,
    Usage,
)


class DocumentInfo(Model):
    name: str
    sha256: str
    media_type: str
    backend: str
    kind: DocumentKind
    pages: int
    chars: int
    tokens: int
    # Pages read by OCR (scans): a quote cited on one is OCR text, to check against the image.
    ocr_pages: list[int] = Field(default_factory=list)


class ResolvedReference(Reference):
    status: Literal["resolved", "dangling"]
    target_section: str | None = None  # label path of the section it points at
    target_start: int | None = None
    target_page: int | None = None
    target_segment: int | None = None  # the segment holding the target
    cross_segment: bool = False


class TermIssue(Model):
    term: str
    issue: Literal["unused", "undefined", "duplicate"]
    detail: str
    spans: list[Span] = Field(default_factory=list)


class Conflict(Model):
    name: str
    values: list[str]
    occurrences: list[KeyTerm]


class SegmentSummary(Model):
    index: int
    tokens: int
    char_start: int
    char_end: int
    page_first: int
    page_last: int
    first_section: str | None
    last_section: str | None
    model: str
    status: Literal["ok", "degraded", "failed"]
    degraded_reason: Literal["models_failed", "boundary", "budget"] | None = None
    findings: int
    usage: Usage
    warnings: list[AnalysisWarning] = Field(default_factory=list)
    error: SegmentError | None = None


class Summary(Model):
    findings: int
    categories_found: list[str]
    key_terms: dict[str, list[str]]
    references: int
    dangling_references: int
    defined_terms: int
    term_issues: int
    conflicts: int
    segments: int
    segments_failed: int
    cost_usd: float


class Synthesis(Model):
    model: str
    executive_summary: str
    observations: list[str] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    warnings: list[str] = Field(default_factory=list)


class RouteInfo(Model):
    segment: int
    model: str
    reasons: list[str]
    estimated_usd: float
    fallback: list[str]
    held_back: list[str] = Field(default_factory=list)  # models the data boundary kept out


class RoutingSummary(Model):
    """Which data boundary the routes kept, and the segments that degraded to rules because
    of it or of the budget (instead of crossing it or failing)."""

    boundary: str = "none"  # self_hosted_only | providers:[a,b] | none
    degraded_by_boundary: list[int] = Field(default_factory=list)
    degraded_by_budget: list[int] = Field(default_factory=list)


class Evidence(Model):
    """A verified quote: ``quote == text[start:end]`` of the extracted text."""

    quote: str
    start: int
    end: int
    page: int
    section: str | None = None
    where: str | None = None  # as Span.where: "L120–L124", "p. 6, § 5.2", "§ 5.2 (p. 3)"


class Place(Model):
    """Where a passage's words occur again (``text[start:end]`` is the same words, whitespace aside)."""

    start: int
    end: int
    page: int
    section: str | None = None
    where: str | None = None


class Passage(Evidence):
    """One stretch of a clause group: overlapping findings merged into it, so no stretch of text
    is cited twice; the same words elsewhere (a statement of work's boilerplate) are ``repeats``."""

    confidence: float  # the best finding merged into it
    repeats: list[Place] = Field(default_factory=list)  # document order


class ClauseGroup(Model):
    """All of one category's verified findings as one item (issue 16 item 3): ``evidence``
    strongest first (confidence desc, then position). ``Report.findings`` keeps the raw list."""

    category: str
    passages: int  # verified findings of the category, every repeat and overlap counted
    confidence: float  # the best of them
    pages: list[int]  # every page a passage or repeat starts on, ascending
    evidence: list[Passage]


class Decision(Model):
    """A reviewer's decision on one review item: the latest one recorded wins (issue 16)."""

    rule: str
    action: Literal["accept", "reject", "edit"]
    value: str | None = None  # edit: the corrected answer
    status: Literal["meets", "deviates", "missing", "review"] | None = None  # edit: corrected status
    comment: str = ""
    by: str  # the deciding API key's id (sha256[:12]) or "cli"
    at: str  # ISO 8601 UTC


class ReviewItem(Model):
    """One playbook rule's verdict. ``missing`` only when the model is confident the clause is
    absent; every other status carries at least one verified quote (strongest first)."""

    rule: str
    category: str
    status: Literal["meets", "deviates", "missing", "review"]
    severity: Literal["high", "medium", "low"]
    answer: str | None = None  # normalized: "Delaware", "60 days"
    evidence: list[Evidence] = Field(default_factory=list)
    reason: str
    guidance: str = ""
    decision: Decision | None = None  # filled in from the decisions store when served


class Review(Model):
    playbook: str
    items: list[ReviewItem] = Field(default_factory=list)
    # A job held for sign-off (issue 19) writes a review that is not final: ``awaiting_signoff``
    # items still need a reviewer's decision. The API renders it final once all are decided.
    final: bool = True
    awaiting_signoff: int = 0


class Report(Model):
    schema_version: int = SCHEMA_VERSION
    document: DocumentInfo
    summary: Summary
    synthesis: Synthesis | None = None
    routes: list[RouteInfo] = Field(default_factory=list)
    routing: RoutingSummary | None = None
    key_terms: list[KeyTerm]
    findings: list[Finding]
    clauses: list[ClauseGroup] = Field(default_factory=list)  # findings grouped, one per category
    references: list[ResolvedReference]
    defined_terms: list[DefinedTerm]
    term_issues: list[TermIssue]
    conflicts: list[Conflict]
    segments: list[SegmentSummary]
    warnings: list[ExtractWarning | AnalysisWarning] = Field(default_factory=list)
    review: Review | None = None
    paper: Paper | None = None  # documents of kind "paper": structure, citations, digest
