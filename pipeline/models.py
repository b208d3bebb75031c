"""The data that flows between stages: plain pydantic models, no I/O.

bytes ─ingest→ ExtractedText ─structure→ Section[] ─tokenize+plan→ SegmentPlan
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1

MediaType = Literal[
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "text/plain",
    "text/markdown",
]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PageSpan(Model):
    """Characters ``[start, end)`` of the extracted text come from page ``number`` (1-based)."""

    number: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


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
