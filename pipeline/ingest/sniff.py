"""Decide a document's type from its bytes, never from its name."""

from __future__ import annotations

import io
import zipfile

from pipeline.errors import UnsupportedMediaType

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
TEXT = "text/plain"

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
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
    if not head:
        return True
    if b"\x00" in head:
        # UTF-16 without a BOM: every other byte is NUL for Latin text.
        nul_even = head[0::2].count(0)
        nul_odd = head[1::2].count(0)
        return max(nul_even, nul_odd) > len(head) * 0.4 and min(nul_even, nul_odd) == 0
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13))
    return controls <= len(head) * 0.05


EXTENSIONS = {PDF: "pdf", DOCX: "docx", TEXT: "txt"}


def extension_for(data: bytes) -> str:
    """Storage extension for the document's sniffed type ("bin" when it is not one we read)."""
    try:
        return EXTENSIONS[sniff(data)]
    except Exception:
        return "bin"
