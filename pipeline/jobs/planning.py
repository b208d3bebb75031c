"""Extracted text → tokens + sections + segment plan: the 'plan' stage, pure and I/O-free.

The one place a document is cut: the job stage (``stages.run_plan``) and the CLI's ``plan`` and
``estimate`` both call ``cut_segments``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
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


class TokenizingAhead:
    """``tokenize(text)`` started on a thread as soon as a document's text is extracted.

    tiktoken's BPE releases the GIL (``py.detach`` around ``encode`` in tiktoken's src/py.rs,
    https://github.com/openai/tiktoken), so the document's tokens are computed on the other
    core while the ingest stage finds its sections and kind; ``cut_segments`` then takes
    them instead of tokenizing again. Same function, same text: the same tokens.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._result: Future[TokenizedText] = Future()
        threading.Thread(target=self._run, name="tokenize-ahead", daemon=True).start()

    def _run(self) -> None:
        try:
            self._result.set_result(tokenize(self.text))
        except BaseException as exc:  # noqa: BLE001 - raised again where the tokens are taken
            self._result.set_exception(exc)

    def result(self, text: str) -> TokenizedText:
        """The tokens of ``text``: this thread's when it tokenizes that very text."""
        return self._result.result() if text is self.text or text == self.text else tokenize(text)


def cut_segments(
    extracted: ExtractedText,
    sections: list[Section],
    settings: Settings,
    *,
    on_stage: StageCallback | None = None,
    ahead: TokenizingAhead | None = None,
) -> tuple[TokenizedText, SegmentPlan]:
    """Tokenize (refusing more than ``max_document_tokens``) and cut at structural boundaries.

    ``ahead``: the text's tokenization already under way (``TokenizingAhead``)."""
    note = on_stage or (lambda _stage: None)
    note("tokenize")
    tokenized = ahead.result(extracted.text) if ahead is not None else tokenize(extracted.text)
    if tokenized.count > settings.limits.max_document_tokens:
        raise TooLarge(f"{tokenized.count:,} tokens is over the limit of {settings.limits.max_document_tokens:,} "
                       "tokens per document")  # fmt: skip
    note("segment")
    return tokenized, plan_segments(extracted, tokenized, sections, settings.segment)
