"""PDFs written by hand for the ingest tests (exact xref, Helvetica text, no ../shared/data).

Plain helpers, no pytest fixtures; not named ``test_*.py``, so pytest does not collect it.
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter


def build_pdf(objects: list[bytes]) -> bytes:
    """A PDF whose object i+1 is ``objects[i]`` (object 1 is the catalog), with an exact xref."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def stream(content: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(content), extra, content)


def text_ops(*lines: str) -> bytes:
    """Content stream showing ``lines`` one below the other in Helvetica."""
    shown = b" ".join(b"(%s) '" % line.encode("cp1252") for line in lines)
    return b"BT /F1 12 Tf 72 720 Td 14 TL " + shown + b" ET"


# A 1x1 grey inline image scaled up: a page with content but no text, like a scan.
IMAGE_OPS = b"q 100 0 0 100 72 600 cm BI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI Q"


def make_pdf(*pages: bytes, font: bytes = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>") -> bytes:
    """One page per content stream; objects: catalog, page tree, font, then page + content pairs."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(pages)),
    ]
    objects.append(font)
    for i, content in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % (5 + 2 * i)
        )
        objects.append(stream(content))
    return build_pdf(objects)


def encrypt(data: bytes, *, user: str, owner: str = "owner-pw") -> bytes:
    # RC4 needs no crypto package (pypdf has a pure-Python fallback); AES would.
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
