"""Request bodies: size limits enforced while streaming, and the document checks made up front.

``BodyLimit`` (ASGI middleware) refuses an upload whose Content-Length is over the limit before
reading it, and stops a streamed (chunked) one as soon as it passes the limit: 413
``too_large`` either way. ``inspect_stream`` hashes a spooled upload or a stored object in
chunks and sniffs its type from the first bytes, so a wrong type is 415 at once rather than a
failed job later.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pipeline.api.problems import ProblemError, problem_response
from pipeline.errors import EmptyDocument, LongdocError, TooLarge, Unreadable, UnsupportedMediaType
from pipeline.ingest.sniff import DOCX, EXTENSIONS, sniff
from storage import keys
from storage.base import CHUNK, ObjectStore, check_key

# Multipart framing and option fields on top of the document itself.
FORM_OVERHEAD = 1024 * 1024
# Prefixes inside a tenant that hold longdoc's own records, never documents to analyze.
INTERNAL_PREFIXES = ("jobs/", "idempotency/", "batches/", "job-index/", "webhooks/")
# Storage key limits every backend meets: S3 object keys, and one file name (NAME_MAX) per segment.
MAX_KEY_BYTES = 1024
MAX_PART_BYTES = 255


class BodyLimit:
    """413 for POST bodies over ``limits[path]`` (checked on Content-Length and while streaming)."""

    def __init__(self, app: ASGIApp, limits: dict[str, int]) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.limits.get(scope.get("path", "")) if scope["type"] == "http" else None
        if limit is None or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = 0
                if declared > limit:
                    response = problem_response(_too_large(limit), scope.get("path"))
                    await response(scope, receive, send)
                    return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _too_large(limit)
            return message

        await self.app(scope, counted, send)


def _too_large(limit: int) -> ProblemError:
    return ProblemError(413, "too_large", f"the request body is over the limit of {limit:,} bytes")


@dataclass
class Inspected:
    sha256: str
    size: int
    ext: str


def inspect_stream(chunks: Iterable[bytes], max_bytes: int, *, seekable: BinaryIO | None = None) -> Inspected:
    """Digest, size and storage extension of a document; raises the coded input errors."""
    sha = hashlib.sha256()
    size = 0
    head = b""
    for chunk in chunks:
        if len(head) < 1024:
            head += chunk[: 1024 - len(head)]
        size += len(chunk)
        if size > max_bytes:
            raise TooLarge(f"over the limit of {max_bytes:,} bytes")
        sha.update(chunk)
    if size == 0:
        raise EmptyDocument("the file is empty (0 bytes)")
    # sniff raises UnsupportedMediaType for images, archives, binaries; a ZIP must be a DOCX.
    ext = _zip_ext(seekable) if head.startswith((b"PK\x03\x04", b"PK\x05\x06")) else EXTENSIONS[sniff(head)]
    return Inspected(sha.hexdigest(), size, ext)


def _zip_ext(fh: BinaryIO | None) -> str:
    """A ZIP must be a Word document: read its central directory only, not the whole file."""
    if fh is None:
        return "docx"  # a stored object: ingestion checks it in the job
    fh.seek(0)
    try:
        with zipfile.ZipFile(fh) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise Unreadable(f"damaged ZIP container: {exc}") from exc
    finally:
        fh.seek(0)
    if any(n.startswith("word/") and n.endswith("document.xml") for n in names):
        return EXTENSIONS[DOCX]
    if any(n.startswith("xl/") for n in names):
        raise UnsupportedMediaType("this is a spreadsheet (XLSX); longdoc reads PDF, DOCX, TXT and Markdown")
    if any(n.startswith("ppt/") for n in names):
        raise UnsupportedMediaType("this is a presentation (PPTX); longdoc reads PDF, DOCX, TXT and Markdown")
    raise UnsupportedMediaType("a ZIP archive that is not a Word document")


def file_chunks(fh: BinaryIO) -> Iterable[bytes]:
    fh.seek(0)
    while chunk := fh.read(CHUNK):
        yield chunk
    fh.seek(0)


def inspect_file(fh: BinaryIO, max_bytes: int) -> Inspected:
    return inspect_stream(file_chunks(fh), max_bytes, seekable=fh)


def store_document(store: ObjectStore, tenant: str, fh: BinaryIO, info: Inspected) -> str:
    """Content-addressed: identical bytes are stored once per tenant."""
    key = keys.document(tenant, info.sha256, info.ext)
    if not store.exists(key):
        fh.seek(0)
        store.put_stream(key, fh, info.size)
    return key


def tenant_key(tenant: str, document_key: str) -> str:
    """The full storage key of a document named relative to the tenant; 404 when it cannot be one."""
    rel = document_key.strip()
    try:
        full = check_key(f"{keys.check_part(tenant, 'tenant')}/{rel}")
    except LongdocError:
        raise ProblemError(404, "not_found", "no such document") from None
    if rel.startswith(INTERNAL_PREFIXES) or "\\" in rel or not _storable(full):
        raise ProblemError(404, "not_found", "no such document")
    return full


def _storable(key: str) -> bool:
    """Whether every backend could hold ``key``: a longer one names nothing (and the local
    file system would raise "File name too long" on a mere existence check)."""
    return len(key.encode()) <= MAX_KEY_BYTES and all(
        len(p.encode()) <= MAX_PART_BYTES for p in key.split("/")
    )


def inspect_key(store: ObjectStore, full_key: str, max_bytes: int) -> Inspected:
    if not store.exists(full_key):
        raise ProblemError(404, "not_found", "no such document")
    return inspect_stream(store.open(full_key), max_bytes)


def bytes_file(data: bytes) -> BinaryIO:
    return io.BytesIO(data)
