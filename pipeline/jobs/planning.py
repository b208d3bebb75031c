"""Extracted text → sections + segment plan: the 'plan' stage, pure and I/O-free."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from chunking.segmenter import plan_segments
from chunking.structure import find_sections
from chunking.tokenizer import TokenizedText, tokenize
from pipeline.config import Settings
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
    note("tokenize")
    tokenized = tokenize(extracted.text)
    note("structure")
    sections = find_sections(extracted.text)
    note("segment")
    plan = plan_segments(extracted, tokenized, sections, settings)
    return PlannedDocument(extracted=extracted, tokenized=tokenized, sections=sections, plan=plan)
