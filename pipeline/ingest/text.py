"""Plain text and Markdown: find the encoding, decode, and refuse bytes that are not text.

Order: a byte order mark; then strict UTF-8 (most files, and the fast path); then a
maintained detector (charset-normalizer) for everything else: UTF-16 without a BOM,
Windows-1252 and the other legacy code pages. When no encoding reads the bytes as text the
document is ``unreadable``; it is never analyzed as mojibake.
"""

from __future__ import annotations

import codecs

from pipeline.errors import TooLarge, Unreadable
from pipeline.types import ExtractedText, ExtractWarning, PageSpan

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_UNICODE = frozenset({"utf-8", "utf-16-le", "utf-16-be"})
# No encoding spends more than 4 bytes on one character.
_MAX_BYTES_PER_CHAR = 4
# The detector sees at most this much of the file, a window around the first byte that is not
# UTF-8 (before it, the file is ASCII-like for every candidate): its cost does not grow with the
# file, and the window holds the bytes that decide. The whole file is then decoded once with
# the codec it chose.
_SAMPLE_BYTES = 256 * 1024
# It reads 16 blocks of 1 KB of that window (its default is 5 of 512 bytes): enough language
# to tell code pages apart, at about 10 ms.
_STEPS, _CHUNK = 16, 1024
# Candidates whose mess ("chaos") differs by less than this are ties to the detector itself.
_CHAOS_TIE = 0.005
# Among tied Western code pages, Windows-1252: it is what unlabelled Western text almost always
# is (the WHATWG Encoding Standard decodes Latin-1 labels and unlabelled legacy text with it),
# and English with a few accents cannot tell cp1252 from cp1250 or cp850 by statistics.
_WESTERN_DEFAULT = "cp1252"
# More replaced characters than this share means the chosen codec does not fit the file.
_MAX_REPLACED_SHARE = 0.01

_UNREADABLE = (
    "could not tell which text encoding this file uses (no encoding reads it as text); "
    "save it as UTF-8 and upload it again"
)


def decode_text(data: bytes, *, max_chars: int | None = None) -> tuple[str, str]:
    """Text and the (Python) name of the encoding used.

    Raises ``Unreadable`` when no encoding fits and ``TooLarge`` when the text would be longer
    than ``max_chars`` characters (checked on the byte count first when that already decides).
    """
    _check_bytes(len(data), max_chars)
    for bom, enc in _BOMS:
        if data.startswith(bom):
            # The BOM names the encoding; bytes that do not fit it are replaced (and reported).
            text = str(memoryview(data)[len(bom) :], enc, "replace")
            return _checked(text, max_chars), enc
    first_doubt = data.find(b"\x00")
    if first_doubt < 0:
        if max_chars is not None and data.isascii() and len(data) > max_chars:
            raise _too_large(len(data), max_chars)
        try:
            return _checked(data.decode("utf-8"), max_chars), "utf-8"
        except UnicodeDecodeError as exc:
            first_doubt = exc.start
    # Not UTF-8, or UTF-8 with NUL bytes, which UTF-16 of ASCII text also is: ask the detector.
    enc = detect_encoding(data, around=first_doubt)
    try:
        text = data.decode(enc)
    except UnicodeDecodeError:
        text = data.decode(enc, errors="replace")
        if text.count("\ufffd") > len(text) * _MAX_REPLACED_SHARE:
            raise Unreadable(f"{_UNREADABLE} (it is not {enc} throughout)") from None
    return _checked(text, max_chars), enc


def detect_encoding(data: bytes, *, around: int = 0) -> str:
    """The encoding charset-normalizer finds for a bounded window of ``data`` near ``around``.

    charset-normalizer's API (``from_bytes(sequences, steps, chunk_size, threshold, ...,
    enable_fallback)`` returning ``CharsetMatches``; ``best()``, and each ``CharsetMatch``'s
    ``encoding``, ``chaos`` and ``could_be_from_charset``) as documented at
    https://tessl.io/registry/tessl/pypi-charset-normalizer/files/docs/detection-results.md
    and in ``from_bytes``' docstring ("If there is no results, it is a strong indicator that
    the source is binary/not text"). For a multi-byte candidate it decodes everything it is
    given, hence the window rather than the whole file.
    """
    from charset_normalizer import from_bytes  # ~6 ms to import: only for text that is not UTF-8

    sample = _window(data, around)
    # No fallback: a "utf_8"/"ascii" guess kept only because nothing else fit is exactly the
    # garbage this function must refuse.
    matches = from_bytes(sample, steps=_STEPS, chunk_size=_CHUNK, enable_fallback=False)
    best = matches.best()
    if best is None:
        raise Unreadable(_UNREADABLE)
    name = codecs.lookup(best.encoding).name
    if name == "ascii":  # an ASCII window (with NULs): the rest of the file may be any UTF-8
        return "utf-8"
    if name in _UNICODE:
        return name
    tied = [m for m in matches if m.chaos - best.chaos < _CHAOS_TIE]
    if any(_WESTERN_DEFAULT in m.could_be_from_charset for m in tied):
        return _WESTERN_DEFAULT
    return name


def _window(data: bytes, around: int) -> bytes:
    """At most ``_SAMPLE_BYTES`` of ``data`` around offset ``around``, cut at line ends.

    Cutting after a line feed (and the NUL that follows it in UTF-16LE) keeps multi-byte
    characters and UTF-16 code units whole, so the detector does not reject the right
    codec for a character the cut broke. The start stays even for UTF-16's sake.
    """
    if len(data) <= _SAMPLE_BYTES:
        return data
    start = max(0, around - _SAMPLE_BYTES // 2) & ~1
    end = min(len(data), start + _SAMPLE_BYTES)
    if start:
        start = _after_line_feed(data, data.find(b"\n", start, start + 4096), start)
    if end < len(data):
        end = _after_line_feed(data, data.rfind(b"\n", end - 4096, end), end)
    return data[start:end]


def _after_line_feed(data: bytes, lf: int, default: int) -> int:
    if lf < 0:
        return default
    cut = lf + 1
    return cut + 1 if cut % 2 and data[cut : cut + 1] == b"\x00" else cut


def _check_bytes(n_bytes: int, max_chars: int | None) -> None:
    if max_chars is not None and n_bytes > _MAX_BYTES_PER_CHAR * max_chars:
        raise _too_large(-(-n_bytes // _MAX_BYTES_PER_CHAR), max_chars, at_least=True)


def _checked(text: str, max_chars: int | None) -> str:
    if max_chars is not None and len(text) > max_chars:
        raise _too_large(len(text), max_chars)
    return text


def _too_large(chars: int, max_chars: int, *, at_least: bool = False) -> TooLarge:
    size = f"at least {chars:,}" if at_least else f"{chars:,}"
    return TooLarge(f"the text is {size} characters, over the limit of {max_chars:,}")


def extract_text(
    data: bytes, *, media_type: str = "text/plain", max_chars: int | None = None
) -> ExtractedText:
    """Decode ``data``; ``max_chars`` (the caller passes ``settings.limits.max_text_chars``) bounds the text."""
    text, enc = decode_text(data, max_chars=max_chars)
    # One canonical newline so offsets are the same whichever OS wrote the file.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    warnings: list[ExtractWarning] = []
    if enc not in _UNICODE:
        warnings.append(
            ExtractWarning(
                code="legacy_encoding", message=f"not UTF-8 or UTF-16; decoded as {enc} (detected)"
            )
        )
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
