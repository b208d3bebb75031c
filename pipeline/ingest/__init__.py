"""Bytes → ``ExtractedText``: type by content, size limits, one coded error for bad input."""

from __future__ import annotations

from pipeline.errors import EmptyDocument, LongdocError, TooLarge, Unreadable
from pipeline.ingest.sniff import DOCX, PDF, TEXT, sniff
from pipeline.models import ExtractedText
from pipeline.settings import Settings

__all__ = ["ingest", "sniff"]


def ingest(
    data: bytes,
    *,
    name: str = "document",
    password: str | None = None,
    settings: Settings | None = None,
) -> ExtractedText:
    """Extract ``data``; raises only ``LongdocError`` subclasses, each naming ``name``."""
    settings = settings or Settings()
    try:
        return _ingest(data, password=password, settings=settings, name=name)
    except LongdocError as exc:
        raise exc.with_document(name) from None
    except (MemoryError, RecursionError) as exc:
        raise Unreadable(f"document too complex to read ({type(exc).__name__})", document=name) from exc
    except Exception as exc:  # a parser bug must still surface as a coded error
        raise Unreadable(f"could not read document: {type(exc).__name__}: {exc}", document=name) from exc


def _ingest(data: bytes, *, password: str | None, settings: Settings, name: str) -> ExtractedText:
    if len(data) > settings.max_document_bytes:
        raise TooLarge(f"{len(data):,} bytes is over the limit of {settings.max_document_bytes:,} bytes")
    if not data:
        raise EmptyDocument("the file is empty (0 bytes)")
    media_type = sniff(data)
    if media_type == PDF:
        from pipeline.ingest.pdf import extract_pdf

        extracted = extract_pdf(data, password=password, backend=settings.pdf_backend)
    elif media_type == DOCX:
        from pipeline.ingest.docx import extract_docx

        extracted = extract_docx(data, settings=settings)
    else:
        from pipeline.ingest.text import extract_text

        md = name.lower().endswith((".md", ".markdown"))
        extracted = extract_text(data, media_type="text/markdown" if md else TEXT)
    if not extracted.text.strip():
        raise EmptyDocument("the document contains no text")
    return extracted
