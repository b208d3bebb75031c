"""Bytes → ``ExtractedText``: type by content, size limits, one coded error for bad input."""

from __future__ import annotations

import re
from collections.abc import Callable

from pipeline.config import LimitsConfig
from pipeline.errors import EmptyDocument, LongdocError, TooLarge, Unreadable
from pipeline.ingest.sniff import DOCX, PDF, TEXT, sniff
from pipeline.types import ExtractedText

__all__ = ["ingest", "sniff"]


def ingest(
    data: bytes,
    *,
    name: str = "document",
    password: str | None = None,
    limits: LimitsConfig,
    check: Callable[[], None] | None = None,
) -> ExtractedText:
    """Extract ``data``; raises only ``LongdocError`` subclasses, each naming ``name``.

    ``check`` is a cooperative cancel hook: the extractors call it once per PDF page and every
    few hundred DOCX blocks, and whatever it raises propagates unchanged (it is the caller's
    exception, not a document error).
    """
    raised: list[BaseException] = []
    try:
        return _ingest(
            data,
            password=password,
            limits=limits,
            name=name,
            check=_recording(check, raised) if check else None,
        )
    except Exception as exc:
        if raised and exc is raised[-1]:
            raise  # the caller's own abort, not a document error: leave it as it is
        if isinstance(exc, LongdocError):
            raise exc.with_document(name) from None
        if isinstance(exc, MemoryError | RecursionError):
            raise Unreadable(f"document too complex to read ({type(exc).__name__})", document=name) from exc
        # a parser bug must still surface as a coded error
        raise Unreadable(f"could not read document: {type(exc).__name__}: {exc}", document=name) from exc


def _recording(check: Callable[[], None], raised: list[BaseException]) -> Callable[[], None]:
    """``check``, noting what it raises so that ``ingest`` can tell it from a document error."""

    def guarded() -> None:
        try:
            check()
        except BaseException as exc:
            raised.append(exc)
            raise

    return guarded


def _ingest(
    data: bytes, *, password: str | None, limits: LimitsConfig, name: str, check: Callable[[], None] | None
) -> ExtractedText:
    if len(data) > limits.max_document_bytes:
        raise TooLarge(f"{len(data):,} bytes is over the limit of {limits.max_document_bytes:,} bytes")
    if not data:
        raise EmptyDocument("the file is empty (0 bytes)")
    media_type = sniff(data)
    if media_type == PDF:
        from pipeline.ingest.pdf import extract_pdf

        extracted = extract_pdf(
            data,
            password=password,
            backend=limits.pdf_backend,
            max_chars=limits.max_text_chars,
            check=check,
            ocr=limits.ocr,
        )
    elif media_type == DOCX:
        from pipeline.ingest.docx import extract_docx

        extracted = extract_docx(data, limits=limits, check=check)
    else:
        from pipeline.ingest.text import extract_text

        md = name.lower().endswith((".md", ".markdown"))
        # Refused before decoding when the bytes alone prove it is too long.
        extracted = extract_text(
            data, media_type="text/markdown" if md else TEXT, max_chars=limits.max_text_chars
        )
    if len(extracted.text) > limits.max_text_chars:  # every reader checks as it goes; this is the backstop
        raise TooLarge(
            f"the text has {len(extracted.text):,} characters, over the limit of {limits.max_text_chars:,}"
        )
    if not extracted.text.strip():
        raise EmptyDocument("the document contains no text")
    run = longest_run_at_least(extracted.text, limits.max_run_chars)
    if run:
        raise Unreadable(
            f"this is not prose: at least {run:,} characters in a row without a space or line break "
            f"(limit {limits.max_run_chars:,})"
        )
    return extracted


_WHITESPACE = re.compile(r"\s")
_RUN_WINDOW = 65_536


def longest_run_at_least(text: str, limit: int) -> int:
    """Length (rounded down to whole windows) of a whitespace-free run of ``limit`` characters
    or more, else 0. Linear and cheap: in prose the search in each 64K window stops at its
    first space; only a window with none is read to its end. A regex like ``\\S{N,}`` would
    be quadratic on many runs just under N."""
    run = 0
    for start in range(0, len(text), _RUN_WINDOW):
        window = text[start : start + _RUN_WINDOW]
        if _WHITESPACE.search(window):
            run = 0
            continue
        run += len(window)
        if run >= limit:
            return run
    return 0
