"""Decide a document's type from its bytes, never from its name."""

from __future__ import annotations

import codecs
import io
import unicodedata
import zipfile

from pipeline.errors import UnsupportedMediaType

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# Unicode categories that do not occur in text: controls, surrogates, unassigned, private use.
_NOT_TEXT = frozenset({"Cc", "Cs", "Cn", "Co"})
# Magic numbers of common binary formats we refuse by name in the error message.
_KNOWN_BINARY = {
    b"\x89PNG": "PNG image",
    b"\xff\xd8\xff": "JPEG image",
    b"GIF8": "GIF image",
    b"\xd0\xcf\x11\xe0": "legacy Office (OLE) file, e.g. .doc",
    b"\x1f\x8b": "gzip archive",
    b"Rar!": "RAR archive",
    b"7z\xbc\xaf": "7z archive",
    b"\x7fELF": "executable",
    b"II*\x00": "TIFF image",
    b"MM\x00*": "TIFF image",
}


def sniff(data: bytes) -> str:
    """Media type of ``data``: PDF, DOCX or plain text; anything else is refused."""
    head = data[:1024]
    # PDF readers accept a header anywhere in the first KB (junk before %PDF is common).
    if b"%PDF-" in head:
        return PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return _sniff_zip(data)
    for magic, what in _KNOWN_BINARY.items():
        if head.startswith(magic):
            raise UnsupportedMediaType(f"this is a {what}; longdoc reads PDF, DOCX, TXT and Markdown")
    if head.startswith(_BOMS) or _looks_like_text(head):
        return TEXT
    raise UnsupportedMediaType(
        "binary content that is not PDF or DOCX; longdoc reads PDF, DOCX, TXT and Markdown"
    )


def _sniff_zip(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except zipfile.BadZipFile as exc:
        from pipeline.errors import Unreadable

        raise Unreadable(f"damaged ZIP container: {exc}") from exc
    if "word/document.xml" in names or any(
        n.endswith("/document.xml") and n.startswith("word") for n in names
    ):
        return DOCX
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        raise UnsupportedMediaType("this is a spreadsheet (XLSX); longdoc reads PDF, DOCX, TXT and Markdown")
    if "[Content_Types].xml" in names and any(n.startswith("ppt/") for n in names):
        raise UnsupportedMediaType("this is a presentation (PPTX); longdoc reads PDF, DOCX, TXT and Markdown")
    raise UnsupportedMediaType("a ZIP archive that is not a Word document")


def _looks_like_text(head: bytes) -> bool:
    """Whether the first KB reads as text: 8-bit text with few control bytes, or UTF-16.

    This only keeps binary out; which encoding the text is in is decided when it is decoded.
    """
    if not head:
        return True
    # A stray NUL counts as one more control byte: text exported badly still reads as text.
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    if controls <= len(head) * 0.05:
        return True
    if b"\x00" not in head and _decoded(head, "utf-8") is not None:
        return False  # UTF-8 (or ASCII) full of control characters: the decoder would take it as is
    # UTF-16 without a BOM: NUL bytes for Latin text, "control" bytes for CJK. Python's own
    # codec decides whether the code units are valid (random binary soon makes a lone surrogate).
    return any(_mostly_printable(_decoded(head, enc) or "") for enc in ("utf-16-le", "utf-16-be"))


def _decoded(head: bytes, enc: str) -> str | None:
    try:
        # Incremental, so a character or surrogate pair cut by the 1 KB boundary is no error.
        return codecs.getincrementaldecoder(enc)("strict").decode(head, final=False)
    except UnicodeDecodeError:
        return None


def _mostly_printable(text: str) -> bool:
    """At most 5% of ``_NOT_TEXT`` characters (tab, line feed, form feed and carriage
    return are text), by the Unicode database."""
    if not text:
        return False
    odd = sum(1 for c in text if unicodedata.category(c) in _NOT_TEXT and c not in "\t\n\f\r")
    return odd <= len(text) * 0.05


EXTENSIONS = {PDF: "pdf", DOCX: "docx", TEXT: "txt"}


def extension_for(data: bytes) -> str:
    """Storage extension for the document's sniffed type ("bin" when it is not one we read)."""
    try:
        return EXTENSIONS[sniff(data)]
    except Exception:
        return "bin"
