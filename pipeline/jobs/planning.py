"""Extracted text → tokens + sections + segment plan: the 'plan' stage, pure and I/O-free.

The one place a document is cut: the job stage (``stages.run_plan``) and the CLI's ``plan`` and
``estimate`` both call ``cut_segments``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chunking.segmenter import plan_segments
from chunking.structure import find_sections
from chunking.tokenizer import TokenizedText, tokenize
from pipeline.config import Settings
from pipeline.errors import TooLarge
from pipeline.types import ExtractedText, Section, SegmentPlan

StageCallback = Callable[[str], None]


@dataclass(frozen=True)
class PlannedDocument:
    extracted: ExtractedText
    tokenized: TokenizedText
    sections: list[Section]
    plan: SegmentPlan


def plan_document(
    extracted: ExtractedText, settings: Settings, *, on_stage: StageCallback | None = None
) -> PlannedDocument:
    """Tokenize, find the section tree and cut segments; ``on_stage`` hears each stage start."""
    note = on_stage or (lambda _stage: None)
    note("structure")
    sections = find_sections(extracted.text)
    tokenized, plan = cut_segments(extracted, sections, settings, on_stage=note)
    return PlannedDocument(extracted=extracted, tokenized=tokenized, sections=sections, plan=plan)


def cut_segments(
    extracted: ExtractedText,
    sections: list[Section],
    settings: Settings,
    *,
    on_stage: StageCallback | None = None,
) -> tuple[TokenizedText, SegmentPlan]:
    """Tokenize (refusing more than ``max_document_tokens``) and cut at structural boundaries."""
    note = on_stage or (lambda _stage: None)
    note("tokenize")
    tokenized = tokenize(extracted.text)
    if tokenized.count > settings.limits.max_document_tokens:
        raise TooLarge(f"{tokenized.count:,} tokens is over the limit of {settings.limits.max_document_tokens:,} "
                       "tokens per document")  # fmt: skip
    note("segment")
    return tokenized, plan_segments(extracted, tokenized, sections, settings.segment)
