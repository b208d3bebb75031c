"""The data that flows between stages: plain pydantic models, no I/O.

bytes ─ingest→ ExtractedText ─structure→ Section[] ─tokenize+plan→ SegmentPlan
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

MediaType = Literal[
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text/plain",
    "text/markdown",
]


class Model(BaseModel):
    # defer_build: a model's validator is built on its first use, not at import (most result
    # models are first used once a model answers: not before a job's first request).
    model_config = ConfigDict(extra="forbid", defer_build=True)


class PageSpan(Model):
    """Characters ``[start, end)`` of the extracted text come from page ``number`` (1-based)."""

    number: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    # Where the page's text came from: the PDF's own text layer (or the file's text), or OCR.
    source: Literal["text_layer", "ocr"] = "text_layer"
    # The page's printed label when the PDF gives one that differs from ``number`` ("iv", "1650").
    label: str | None = None


class ExtractWarning(Model):
    """Something the user should know about the extraction; never fatal."""

    code: str
    message: str
    pages: list[int] = Field(default_factory=list)


class ExtractedText(Model):
    """A document's text exactly as every later offset refers to it."""

    schema_version: int = SCHEMA_VERSION
    text: str
    # Contiguous and covering ``text``: pages[i].end == pages[i+1].start.
    pages: list[PageSpan]
    media_type: str
    backend: str
    warnings: list[ExtractWarning] = Field(default_factory=list)

    def page_at(self, offset: int) -> int:
        """Page number holding character ``offset`` (clamped into the text)."""
        if not self.pages:
            return 1
        starts = [p.start for p in self.pages]
        i = bisect_right(starts, max(0, offset)) - 1
        return self.pages[max(0, i)].number

    @property
    def page_count(self) -> int:
        return len(self.pages)


SectionKind = Literal[
    "document",
    "article",
    "exhibit",
    "schedule",
    "annex",
    "appendix",
    "part",
    "section",
    "subsection",
    "clause",
    "item",
    "abstract",
    "heading",
    "references",
]


class Section(Model):
    """A node of the section tree. ``[start, end)`` covers the heading and its body."""

    label: str  # as written: "Article IV", "5.2", "(a)", "Exhibit B", "Introduction"
    title: str
    kind: SectionKind
    level: int = Field(ge=1)  # 1 = top (article/exhibit), larger = deeper
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    parent: int | None = None  # index into the sections list


CutKind = Literal["end", "document", "article", "section", "paragraph", "sentence", "token"]


class Segment(Model):
    index: int = Field(ge=0)
    char_start: int = Field(ge=0)
    char_end: int = Field(ge=0)
    token_start: int = Field(ge=0)
    token_end: int = Field(ge=0)
    tokens: int = Field(ge=0)
    page_first: int = Field(ge=1)
    page_last: int = Field(ge=1)
    first_section: str | None = None
    last_section: str | None = None
    # What kind of boundary ends this segment ("end" for the last one).
    cut: CutKind = "end"


class SegmentPlan(Model):
    schema_version: int = SCHEMA_VERSION
    total_tokens: int
    total_chars: int
    threshold_tokens: int
    min_tokens: int
    max_tokens: int
    segments: list[Segment]


# --- What an analyzer says about one segment (``SegmentAnalysis``) and its parts -----------
# Every span carries document-level character offsets ``[start, end)`` into
# ``ExtractedText.text``; ``quote`` is exactly ``text[start:end]``. Page and section are
# filled by the analyzer from a ``Locator`` so that every executor produces the same JSON.

DocumentKind = Literal["contract", "paper"]


class Span(Model):
    quote: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page: int = Field(ge=1)
    section: str | None = None
    segment: int = Field(ge=0)
    # Where a reader finds it, as the document shows it (issue 17): "L120–L124, § 5.2" in a text
    # file, "p. 6, § 5.2" in a PDF, "§ 5.2 (p. 3)" in a DOCX. Set by consolidation (``place``).
    where: str | None = None


class _Placed(Protocol):
    page: int
    section: str | None
    where: str | None


def place(x: _Placed) -> str:
    """How a citation names its location: ``where`` when consolidation set it, else page and section."""
    if x.where:
        return x.where
    return f"p. {x.page}, § {x.section}" if x.section else f"p. {x.page}"


class Finding(Span):
    category: str
    confidence: float = Field(ge=0.0, le=1.0)
    model: str


VerdictStatus = Literal["meets", "deviates", "missing", "review"]


class Verdict(Model):
    """An LLM's verdict on one playbook rule for one segment (issue 16). ``missing`` here means
    "not in this segment"; the document's verdict is drawn from every segment's in consolidation.
    Evidence is verified spans only: a verdict left without any is downgraded to ``review``."""

    rule: str
    status: VerdictStatus
    answer: str | None = None
    reason: str = ""
    evidence: list[Span] = Field(default_factory=list)
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


PaperItemKind = Literal["contribution", "method", "dataset", "result", "limitation", "open_question"]


class PaperItem(Model):
    """One item of an LLM's digest of a paper (issue 18): what the model says, and the verbatim
    evidence that survived verification (an item with none is dropped, never shown)."""

    kind: PaperItemKind
    text: str
    metric: str | None = None  # results only
    value: str | None = None
    dataset: str | None = None
    baseline: str | None = None
    delta: str | None = None
    evidence: list[Span] = Field(min_length=1)
    model: str


class SegmentAnalysis(Model):
    schema_version: int = SCHEMA_VERSION
    segment: int = Field(ge=0)
    model: str
    status: Literal["ok", "degraded", "failed"] = "ok"
    # Why a degraded segment fell back to rules: every LLM failed (``models_failed``), the data
    # boundary kept the remaining models out (``boundary``), or the budget ran out (``budget``).
    degraded_reason: Literal["models_failed", "boundary", "budget"] | None = None
    findings: list[Finding] = Field(default_factory=list)
    key_terms: list[KeyTerm] = Field(default_factory=list)
    defined_terms: list[DefinedTerm] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    warnings: list[AnalysisWarning] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    error: SegmentError | None = None
    # The ``rules`` clause model's best calibrated log-odds per CUAD category over this segment
    # (empty when no clause model read it): the review's evidence that a clause is absent.
    clause_scores: dict[str, float] = Field(default_factory=dict)
    # Where each of those best scores was: the passage closest to a clause of the category, quoted
    # for the reviewer when the model is not confident the clause is absent.
    clause_closest: dict[str, Span] = Field(default_factory=dict)
    # An LLM's per-rule verdicts on this segment (empty for the rules model and for papers).
    verdicts: list[Verdict] = Field(default_factory=list)
    # An LLM's digest of a paper segment: verified items, and how many it gave without any
    # verifiable quote (dropped).
    paper_items: list[PaperItem] = Field(default_factory=list)
    paper_items_dropped: int = 0
