"""PDF → ``ExtractedText``: pypdfium2 (default, fast) or pypdf (pure Python) behind one interface.

Each backend only turns bytes into raw per-page strings; everything that decides what the
canonical text looks like (newlines, ligatures, hyphenation, junk characters, page joins,
warnings and errors) happens here once, so both backends obey the same contract::

    page 1 text "\\n" "\\f" page 2 text "\\n" "\\f" ... last page text "\\n"

The form feed that ends a page lies inside that page's span (as pdftotext writes it and as
``pipeline.ingest.text`` reads it back), so ``pages`` is contiguous and covers the text.
"""

from __future__ import annotations

import ctypes
import io
import re
import threading
import unicodedata
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Literal

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from pypdf import PdfReader
from pypdf.errors import DependencyError, FileNotDecryptedError, PyPdfError

from pipeline.config import OcrConfig
from pipeline.errors import (
    ConfigError,
    EmptyDocument,
    Encrypted,
    LongdocError,
    NoTextLayer,
    TooLarge,
    Unreadable,
)
from pipeline.ingest.ocr import Gray, OcrFailed, OcrUnavailable, engine_problem, ocr_image
from pipeline.types import ExtractedText, ExtractWarning, PageSpan

__all__ = ["BACKENDS", "MEDIA_TYPE", "PAGE_BREAK", "Backend", "extract_pdf"]

Backend = Literal["pypdfium2", "pypdf"]
MEDIA_TYPE = "application/pdf"
PAGE_BREAK = "\f"

# One entry per page: its raw text, or None when the page itself could not be parsed. Backends
# yield page by page, so the text limit and the cancel hook act between pages.
RawPages = Iterable[str | None]
# (data, password, labels): ``labels`` receives each page's printed label ("iv", "1650"; "" none).
_Reader = Callable[[bytes, str | None, list[str]], RawPages]

_NEED_PASSWORD = "this PDF is password-protected; a password is needed to open it"
_WRONG_PASSWORD = "wrong password for this PDF"

# PDFium keeps global state and is not thread-safe: one document at a time per process.
_PDFIUM_LOCK = threading.Lock()


def extract_pdf(
    data: bytes,
    *,
    password: str | None = None,
    backend: Backend = "pypdfium2",
    max_chars: int | None = None,
    check: Callable[[], None] | None = None,
    ocr: OcrConfig | None = None,
) -> ExtractedText:
    """The text of every page in reading order, joined by form feeds, with an exact page map.

    Raises ``Encrypted`` (password missing or wrong), ``Unreadable`` (not a parseable PDF),
    ``EmptyDocument`` (no pages), ``NoTextLayer`` (no page has text, e.g. a scan) or
    ``TooLarge`` (the text passes ``max_chars``, which ``ingest`` sets to the ``max_text_chars``
    limit: checked after every page; None: no limit). ``check``
    runs once per page and may raise to abort; its exception propagates unchanged.

    Pages without a text layer are read by OCR (``ocr``; None: OCR off), one at a time, and
    marked ``source="ocr"``; pages with text are never rendered. With OCR off or its engine
    missing, a PDF whose pages mostly lack text raises ``NoTextLayer`` naming what to install;
    fewer such pages give a ``no_text_layer`` warning.
    """
    reader = BACKENDS.get(backend)
    if reader is None:
        raise ConfigError(f"unknown PDF backend {backend!r}; choose one of {sorted(BACKENDS)}")
    pages: list[str | None] = []
    size = 0
    labels: list[str] = []
    raw_pages = _pages(reader, data, password or None, backend, labels)
    try:
        for raw in raw_pages:
            if check is not None:
                check()
            text = None if raw is None else clean_page(raw, backend=backend)
            size += len(text or "") + 2  # and the newline and form feed that may follow it
            if max_chars is not None and size > max_chars:
                raise TooLarge(
                    f"the PDF text passed the limit of {max_chars:,} characters at page {len(pages) + 1:,}"
                )
            pages.append(text)
    finally:
        raw_pages.close()  # stopped early: PDFium's lock and document are released now
    sources: list[Source] = ["text_layer"] * len(pages)
    warnings: list[ExtractWarning] = []
    scanned = [i for i, text in enumerate(pages) if text is not None and _negligible(text)]
    problem: str | None = None
    if scanned:
        if ocr is None or not ocr.enabled:
            problem = "OCR is off" + ("" if ocr is None else " (LONGDOC_OCR_ENABLED=false)")
        problem = problem or engine_problem(ocr.languages if ocr else "eng")
        if problem is None and ocr is not None:
            warnings = _ocr_pages(data, password or None, pages, sources, scanned, ocr, check)
            size = sum(len(text or "") + 2 for text in pages)
            if max_chars is not None and size > max_chars:
                raise TooLarge(
                    f"the PDF text with its OCR pages passed the limit of {max_chars:,} characters"
                )
        elif 2 * (blank := sum(1 for i in scanned if not (pages[i] or "").strip())) > len(pages):
            raise NoTextLayer(
                f"{blank} of {len(pages)} pages have no text layer; the PDF looks scanned and "
                f"needs OCR, but {problem}"
            )
    return _assemble(
        pages, backend=backend, sources=sources, warnings=warnings, ocr_problem=problem, labels=labels
    )


Source = Literal["text_layer", "ocr"]

# A page with fewer visible characters than this is OCR'd when it holds an image: a scan with
# a stamped page number or Bates label is still a scan.
_NEGLIGIBLE_CHARS = 10


# Ten visible characters, found within the first few of a page with text: O(1), not O(page).
_ENOUGH_TEXT = re.compile(rf"\S(?:\s*\S){{{_NEGLIGIBLE_CHARS - 1}}}")


def _negligible(text: str) -> bool:
    return _ENOUGH_TEXT.search(text) is None


def _ocr_pages(
    data: bytes,
    password: str | None,
    pages: list[str | None],
    sources: list[Source],
    indices: list[int],
    config: OcrConfig,
    check: Callable[[], None] | None,
) -> list[ExtractWarning]:
    """OCR ``pages[i]`` for each i in ``indices`` in place; warnings for pages that failed."""
    failed: list[int] = []
    with _PDFIUM_LOCK:
        try:
            doc = _open_pdfium(data, password)
        except LongdocError:
            return []  # the other backend read it but PDFium cannot render it: pages stay empty
    try:
        for i in indices:
            if check is not None:
                check()
            with _PDFIUM_LOCK:  # PDFium calls only; Tesseract runs while other threads use PDFium
                image = _render(doc, i, config, keep_text=bool((pages[i] or "").strip()))
            if image is None:
                continue
            try:
                text = ocr_image(
                    image, dpi=config.dpi, languages=config.languages, timeout_s=config.page_timeout_s
                )
            except (OcrFailed, OcrUnavailable):
                failed.append(i + 1)
                continue
            text = clean_page(text, backend="tesseract")
            if text.strip():
                pages[i] = text
                sources[i] = "ocr"
    finally:
        with _PDFIUM_LOCK:
            doc.close()
    if not failed:
        return []
    return [
        ExtractWarning(
            code="ocr_failed",
            message=f"OCR failed on {len(failed)} pages: {_page_list(failed)}",
            pages=failed,
        )
    ]


def _render(doc: pdfium.PdfDocument, index: int, config: OcrConfig, *, keep_text: bool) -> Gray | None:
    """Page ``index`` as a grayscale image at ``config.dpi`` (smaller past ``max_pixels``).

    None when the page cannot be rendered, or when ``keep_text`` and the page holds no image
    (its few characters are all there is).
    """
    try:
        page = doc[index]
    except pdfium.PdfiumError:
        return None
    try:
        if keep_text and not any(
            True for _ in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2)
        ):
            return None
        width, height = page.get_size()
        scale = config.dpi / 72
        if width * height * scale * scale > config.max_pixels:
            # A hair under: PDFium rounds each side up.
            scale = 0.995 * (config.max_pixels / (width * height)) ** 0.5
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            array = bitmap.to_numpy()
            return np.ascontiguousarray(array.reshape(array.shape[0], array.shape[1]), dtype=np.uint8)
        finally:
            bitmap.close()
    except pdfium.PdfiumError:
        return None
    finally:
        page.close()


def _pages(
    reader: _Reader, data: bytes, password: str | None, backend: str, labels: list[str]
) -> Generator[str | None, None, None]:
    """The backend's pages; a library failure becomes ``Unreadable``, whatever page it happens on."""
    try:
        yield from reader(data, password, labels)
    except LongdocError:
        raise
    except (RecursionError, MemoryError) as exc:
        # Deeply nested or self-referencing objects (e.g. circular form XObjects).
        raise Unreadable(f"PDF structure too complex to read ({type(exc).__name__})") from exc
    except Exception as exc:  # a parser bug on a hostile file must still be a coded error
        raise Unreadable(f"could not parse PDF ({backend}): {type(exc).__name__}: {exc}") from exc


# ---------------------------------------------------------------------------- backends


def _read_pdfium(data: bytes, password: str | None, labels: list[str]) -> Iterator[str | None]:
    with _PDFIUM_LOCK:  # held until the last page is read or the consumer closes this generator
        doc = _open_pdfium(data, password)
        try:
            for i in range(len(doc)):
                labels.append(_pdfium_label(doc, i))
                yield _pdfium_page_text(doc, i)
        finally:
            doc.close()


def _open_pdfium(data: bytes, password: str | None) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data, password=password)
    except pdfium.PdfiumError as exc:
        code = exc.err_code
        if code != pdfium_c.FPDF_ERR_PASSWORD:
            if code == pdfium_c.FPDF_ERR_SECURITY:
                raise Unreadable("this PDF uses an unsupported security handler") from None
            raise Unreadable(f"not a readable PDF: {exc}") from None
    if password is None:
        raise Encrypted(_NEED_PASSWORD)
    # A wrong password for a file that needs none (empty user password) is harmless.
    try:
        return pdfium.PdfDocument(data, password=None)
    except pdfium.PdfiumError:
        raise Encrypted(_WRONG_PASSWORD) from None


def _pdfium_label(doc: pdfium.PdfDocument, index: int) -> str:
    """The page's printed label from the PDF's /PageLabels ("" when it has none)."""
    try:
        return str(doc.get_page_label(index) or "")
    except (pdfium.PdfiumError, UnicodeDecodeError):
        return ""


def _pdfium_page_text(doc: pdfium.PdfDocument, index: int) -> str | None:
    try:
        page = doc[index]
    except pdfium.PdfiumError:
        return None
    try:
        textpage = page.get_textpage()
    except pdfium.PdfiumError:
        page.close()
        return None
    try:
        # The whole char list in one raw call. Not get_text_bounded: it glues lines and table
        # cells together ("38 1" → "381"). Not get_text_range: it recurses once per excluded
        # edge char, a RecursionError waiting for a hostile page.
        count = pdfium_c.FPDFText_CountChars(textpage.raw)
        if count <= 0:
            return None if count < 0 else ""
        buffer = (ctypes.c_ushort * (count + 1))()
        written = pdfium_c.FPDFText_GetText(textpage.raw, 0, count, buffer)  # UTF-16 units incl. NUL
        units = min(max(0, written - 1), count)  # never read past our own buffer
        return ctypes.string_at(buffer, 2 * units).decode("utf-16-le", errors="replace")
    finally:
        textpage.close()
        page.close()


def _read_pypdf(data: bytes, password: str | None, labels: list[str]) -> Iterator[str | None]:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            _unlock_pypdf(reader, password)
        pages = list(reader.pages)
    except FileNotDecryptedError:
        raise Encrypted(_NEED_PASSWORD if password is None else _WRONG_PASSWORD) from None
    except DependencyError as exc:
        raise Unreadable(f"cannot decrypt this PDF: {exc}") from None
    except PyPdfError as exc:
        raise Unreadable(f"not a readable PDF: {exc}") from None
    try:
        printed = list(reader.page_labels)
    except Exception:  # noqa: BLE001 - a broken /PageLabels tree only loses the labels
        printed = []
    for i, page in enumerate(pages):
        labels.append(printed[i] if i < len(printed) else "")
        text: str | None
        try:
            text = page.extract_text()
        except MemoryError:
            raise
        except Exception:  # incl. RecursionError: a broken page must not sink the document
            text = None
        yield text


def _unlock_pypdf(reader: PdfReader, password: str | None) -> None:
    if password is not None and reader.decrypt(password):
        return
    # A wrong password for a file that needs none (empty user password) is harmless.
    if reader.decrypt(""):
        return
    raise Encrypted(_NEED_PASSWORD if password is None else _WRONG_PASSWORD)


BACKENDS: dict[str, _Reader] = {"pypdfium2": _read_pdfium, "pypdf": _read_pypdf}


# ---------------------------------------------------------------------------- canonical text

# NFKC for the Latin ligatures U+FB00–FB06 only ("ﬁ" → "fi"): full NFKC would also flatten
# superscripts and other forms that carry meaning ("x²" → "x2").
_LIGATURES = {c: unicodedata.normalize("NFKC", chr(c)) for c in range(0xFB00, 0xFB07)}
_HAS_LIGATURE = re.compile("[\ufb00-\ufb06]")
# PDFium drops the line break after a line-end hyphen and leaves U+FFFE in the hyphen's place.
_PDFIUM_HYPHEN = re.compile("\ufffe")
_PYPDF_HYPHEN = re.compile(r"-\n")
# NULs, non-characters and lone surrogates (from broken ToUnicode maps) would poison JSON/UTF-8.
_DROP = re.compile("[\x00\ufffe\uffff\ud800-\udfff]")
# Other C0 controls are glyphs without a Unicode mapping (TeX math fonts, CID 3 = space):
# keep a word boundary, lose the junk. \f is reserved for page breaks.
_JUNK = re.compile("[\x01-\x08\x0b-\x1f\x7f]")


def _dehyphenate(text: str, marker: re.Pattern[str]) -> str:
    """Join "unterschiedli-|chem" but keep "FAA-|approved", "E-|Mail" and "2-|3" hyphenated."""

    def join(match: re.Match[str]) -> str:
        i, j = match.start(), match.end()
        before = text[i - 1] if i else ""
        after = text[j] if j < len(text) else ""
        # Drop the hyphen and any line break it kept, or keep both with a visible "-".
        return "" if before.islower() and after.islower() else "-" + match.group()[1:]

    return marker.sub(join, text)


def clean_page(raw: str, *, backend: str) -> str:
    """One page's raw backend output in canonical form (no \\f, \\r or control characters)."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    # Both backends' output for a hyphenated line end, made the same: join real words only.
    text = _dehyphenate(text, _PDFIUM_HYPHEN if backend == "pypdfium2" else _PYPDF_HYPHEN)
    text = _DROP.sub("", text)
    text = _JUNK.sub(" ", text)
    if _HAS_LIGATURE.search(text):  # a regex scan is ~10x faster than translate on every page
        text = text.translate(_LIGATURES)
    return unicodedata.normalize("NFC", text)


def _assemble(
    cleaned: list[str | None],
    *,
    backend: str,
    sources: list[Source] | None = None,
    warnings: list[ExtractWarning] | None = None,
    ocr_problem: str | None = None,
    labels: list[str] | None = None,
) -> ExtractedText:
    """Pages already through ``clean_page`` (None: the page could not be parsed) → the document."""
    if not cleaned:
        raise EmptyDocument("the PDF has no pages")
    texts: list[str] = []
    empty: list[int] = []
    broken: list[int] = []
    for number, page in enumerate(cleaned, start=1):
        text = page or ""
        if not text.strip():
            (broken if page is None else empty).append(number)
            text = ""
        elif not text.endswith("\n"):
            text += "\n"
        texts.append(text)
    if len(empty) + len(broken) == len(cleaned):
        if not empty:
            raise Unreadable(f"none of the {len(cleaned)} pages could be parsed")
        raise NoTextLayer(
            f"no page has a text layer or text OCR could read ({len(cleaned)} pages); "
            "it looks scanned or image-only"
        )

    parts: list[str] = []
    pages: list[PageSpan] = []
    offset = 0
    last = len(texts) - 1
    for i, text in enumerate(texts):
        part = text if i == last else text + PAGE_BREAK
        parts.append(part)
        source = sources[i] if sources else "text_layer"
        # The printed label only when it differs from the physical number ("iv", "1650").
        label = (labels[i] if labels and i < len(labels) else "").strip()[:32] or None
        pages.append(PageSpan(number=i + 1, start=offset, end=offset + len(part), source=source,
                              label=label if label != str(i + 1) else None))  # fmt: skip
        offset += len(part)

    warnings = list(warnings or [])
    ocred = [span.number for span in pages if span.source == "ocr"]
    if ocred:
        warnings.append(
            ExtractWarning(
                code="ocr_pages",
                message=f"{len(ocred)} of {len(texts)} pages read by OCR (check quotes against the scan): "
                f"{_page_list(ocred)}",
                pages=ocred,
            )
        )
    if empty:
        warnings.append(
            ExtractWarning(
                code="no_text_layer",
                message=f"no text layer on {len(empty)} of {len(texts)} pages (scanned or image-only?): "
                f"{_page_list(empty)}" + (f"; not read by OCR: {ocr_problem}" if ocr_problem else ""),
                pages=empty,
            )
        )
    if broken:
        warnings.append(
            ExtractWarning(
                code="unreadable_pages",
                message=f"{len(broken)} pages could not be parsed and are left empty: {_page_list(broken)}",
                pages=broken,
            )
        )
    return ExtractedText(
        text="".join(parts), pages=pages, media_type=MEDIA_TYPE, backend=backend, warnings=warnings
    )


def _page_list(numbers: list[int], limit: int = 20) -> str:
    shown = ", ".join(map(str, numbers[:limit]))
    more = f" and {len(numbers) - limit} more" if len(numbers) > limit else ""
    return f"page{'s' if len(numbers) > 1 else ''} {shown}{more}"
