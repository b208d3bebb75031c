"""Citations a reader can follow (issue 17): every span of a report gets ``where``.

A text file has no pages: it is cited by line (``L120–L124``), as an editor shows it. A PDF is
cited by page (``p. 6``). A DOCX's page numbers are only where its page breaks fall, so it is
cited by its numbered section first (``§ 5.2 (p. 3)``). The section, when known, follows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from pydantic import BaseModel

from pipeline.report.model import Report
from pipeline.types import ExtractedText


def _lines(text: str) -> Callable[[int], int]:
    starts = [0]
    at = text.find("\n")
    while at != -1:
        starts.append(at + 1)
        at = text.find("\n", at + 1)
    return lambda offset: bisect_right(starts, offset)  # 1-based line of ``offset``


def where_of(extracted: ExtractedText) -> Callable[[int, int, int, str | None], str]:
    """(start, end, page, section) → the citation's location text for this document."""
    media = extracted.media_type
    if media.startswith("text/"):
        line = _lines(extracted.text)

        def text_where(start: int, end: int, _page: int, section: str | None) -> str:
            a, b = line(start), line(max(start, end - 1))
            lines = f"L{a}" if a == b else f"L{a}–L{b}"
            return f"{lines}, § {section}" if section else lines

        return text_where
    if "wordprocessingml" in media:
        return lambda _s, _e, page, section: f"§ {section} (p. {page})" if section else f"p. {page}"
    ocr = {p.number for p in extracted.pages if p.source == "ocr"}
    printed = {p.number: p.label for p in extracted.pages if p.label}

    def pdf_where(_s: int, _e: int, page: int, section: str | None) -> str:
        # The page as printed on it, and the viewer's page number when they differ; a quote on
        # a page read by OCR is OCR text: the reader checks it against the scan.
        p = f"p. {printed[page]} (PDF p. {page})" if page in printed else f"p. {page}"
        p += " (OCR)" if page in ocr else ""
        return f"{p}, § {section}" if section else p

    return pdf_where


def locate(report: Report, extracted: ExtractedText) -> Report:
    """Set ``where`` on every span-like object of ``report`` (in place; returned for chaining)."""
    where = where_of(extracted)

    def walk(node: object) -> None:
        if isinstance(node, BaseModel):
            fields = type(node).model_fields
            if "where" in fields and "start" in fields and "page" in fields:
                node.where = where(node.start, node.end, node.page, node.section)  # type: ignore[attr-defined]
            for name in fields:
                walk(getattr(node, name))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(report)
    return report
