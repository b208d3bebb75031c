"""Plain text and Markdown: decode whatever bytes arrive, never fail on them."""

from __future__ import annotations

import codecs

from pipeline.models import ExtractedText, ExtractWarning, PageSpan

_DECODERS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes) -> tuple[str, str]:
    """Text and the encoding used: BOM first, then UTF-8, then UTF-16 (no BOM), then cp1252."""
    for bom, enc in _DECODERS:
        if data.startswith(bom):
            return data[len(bom) :].decode(enc, errors="replace"), enc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" in data[:1024]:
        enc = "utf-16-le" if data[1:1024:2].count(0) > data[0:1024:2].count(0) else "utf-16-be"
        return data.decode(enc, errors="replace"), enc
    # cp1252 leaves 5 bytes undefined; decode them as latin-1 code points rather than fail.
    return data.decode("cp1252", errors="replace"), "cp1252"


def extract_text(data: bytes, *, media_type: str = "text/plain") -> ExtractedText:
    text, enc = decode_text(data)
    # One canonical newline so offsets are the same whichever OS wrote the file.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    warnings: list[ExtractWarning] = []
    if enc == "cp1252":
        warnings.append(ExtractWarning(code="legacy_encoding", message="not UTF-8; decoded as Windows-1252"))
    if "\ufffd" in text:
        warnings.append(
            ExtractWarning(code="replaced_bytes", message="some bytes could not be decoded and were replaced")
        )
    pages = _form_feed_pages(text)
    return ExtractedText(
        text=text, pages=pages, media_type=media_type, backend=f"text/{enc}", warnings=warnings
    )


def _form_feed_pages(text: str) -> list[PageSpan]:
    """Pages split at form feeds (as pdftotext writes them); one page when there are none."""
    pages: list[PageSpan] = []
    start = 0
    number = 1
    while True:
        ff = text.find("\f", start)
        if ff < 0:
            pages.append(PageSpan(number=number, start=start, end=len(text)))
            return pages
        pages.append(PageSpan(number=number, start=start, end=ff + 1))
        start = ff + 1
        number += 1
