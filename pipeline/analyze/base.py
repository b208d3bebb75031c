"""The one small interface every model implements, LLM or offline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from chunking.locator import Locator
from pipeline.analyze.playbook import Playbook
from pipeline.types import DocumentKind, SegmentAnalysis


@dataclass(frozen=True)
class SegmentTask:
    """Everything a model needs to analyze one segment (no I/O, no document-wide state)."""

    segment: int
    text: str  # the segment's text
    base_offset: int  # document offset of text[0]
    kind: DocumentKind
    locator: Locator
    # A short outline of the whole document (LLM models put it in the prompt).
    preamble: str = ""
    # Document offsets inside this segment where a new document begins (a master agreement's
    # exhibits exported with page breaks): title and party rules apply there too.
    document_starts: tuple[int, ...] = ()
    # The review playbook of a contract's job: LLMs give a verdict per rule (issue 16).
    playbook: Playbook | None = None


@dataclass(frozen=True)
class Capabilities:
    offline: bool
    json_schema: bool
    reliable_context_tokens: int


class Analyzer(Protocol):
    name: str
    capabilities: Capabilities

    def analyze(self, task: SegmentTask) -> SegmentAnalysis: ...
