"""S3 backend through the minio SDK: any S3-compatible service (AWS, MinIO, Ceph, moto).

Objects live under the keys given (tenant-scoped layout from ``storage.keys``) in one bucket.
Writes are atomic on S3 itself: a PUT or a completed multipart upload replaces the object
whole, and a failed multipart upload is aborted, leaving the old object in place.
"""

from __future__ import annotations

import io
import mimetypes
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, BinaryIO

import urllib3
from minio import Minio
from minio.error import InvalidResponseError, S3Error, ServerError
from minio.sse import Sse, SseKMS, SseS3
from pydantic import SecretStr

from pipeline.errors import ConfigError, NotFound, StorageError
from storage.base import CHUNK, ObjectStore, S3Config, check_key

if TYPE_CHECKING:
    from urllib3 import BaseHTTPResponse

MIB = 1024 * 1024
# S3 answers these for a missing object (GET says NoSuchKey; minio names a bare 404 HEAD so too).
_MISSING = frozenset({"NoSuchKey", "NotFound", "NoSuchObject"})
_TRANSPORT_ERRORS = (ServerError, InvalidResponseError, urllib3.exceptions.HTTPError)


class S3Store(ObjectStore):
    """One bucket on one endpoint; the minio client is built here once and reused (thread-safe)."""

    def __init__(
        self,
        endpoint: str,
        access_key: str | SecretStr,
        secret_key: str | SecretStr,
        bucket: str = "longdoc",
        *,
        region: str = "us-east-1",
        secure: bool = False,
        sse: str = "s3",
        kms_key_id: str | None = None,
        kms_context: dict[str, str] | None = None,
        part_size: int = 16 * MIB,
        presign_expiry_s: int = 3600,
        create_bucket: bool = True,
        http_client: urllib3.PoolManager | None = None,
    ) -> None:
        access = access_key.get_secret_value() if isinstance(access_key, SecretStr) else access_key
        secret = secret_key.get_secret_value() if isinstance(secret_key, SecretStr) else secret_key
        if not access or not secret:
            raise ConfigError("S3 needs LONGDOC_S3_ACCESS_KEY and LONGDOC_S3_SECRET_KEY")
        if not 5 * MIB <= part_size <= 5 * 1024 * MIB:
            raise ConfigError(f"S3 part size must be between 5 MiB and 5 GiB, not {part_size}")
        self.endpoint = endpoint
        self.bucket = bucket
        self.part_size = part_size
        self.presign_expiry_s = presign_expiry_s
        self._sse = _sse(sse, kms_key_id, kms_context)
        # Kept only to scrub them from error text; never formatted anywhere.
        self._secrets = (secret, access)
        try:
            # Passing the region spares minio a GetBucketLocation round trip per bucket.
            self._client = Minio(
                endpoint,
                access_key=access,
                secret_key=secret,
                secure=secure,
                region=region,
                http_client=http_client,
            )
        except ValueError as exc:
            raise ConfigError(self._scrub(f"bad S3 endpoint {endpoint!r}: {exc}")) from None
        if create_bucket:
            self._ensure_bucket()

    @classmethod
    def from_settings(cls, config: S3Config, *, http_client: urllib3.PoolManager | None = None) -> S3Store:
        """Build from the ``LONGDOC_S3_*`` settings (``settings.storage.s3``)."""
        if config.access_key is None or config.secret_key is None:
            raise ConfigError("storage 's3' needs LONGDOC_S3_ACCESS_KEY and LONGDOC_S3_SECRET_KEY")
        return cls(
            config.endpoint,
            config.access_key,
            config.secret_key,
            config.bucket,
            region=config.region,
            secure=config.secure,
            sse=config.sse,
            kms_key_id=config.kms_key_id,
            kms_context=config.kms_context,
            part_size=config.part_size,
            presign_expiry_s=config.presign_expiry_s,
            http_client=http_client,
        )

    def __repr__(self) -> str:
        return f"S3Store(endpoint={self.endpoint!r}, bucket={self.bucket!r})"

    def _ensure_bucket(self) -> None:
        with self._mapped("create", None):
            try:
                if self._client.bucket_exists(self.bucket):
                    return
                self._client.make_bucket(self.bucket)
            except S3Error as exc:
                # Another process created it between our check and our create: that is fine.
                if exc.code != "BucketAlreadyOwnedByYou":
                    raise
            except ValueError as exc:  # minio checks bucket names locally
                raise ConfigError(f"bad S3 bucket name {self.bucket!r}: {exc}") from None

    def _put(self, key: str, data: bytes) -> None:
        check_key(key)
        with self._mapped("put", key):
            self._client.put_object(
                self.bucket,
                key,
                io.BytesIO(data),
                len(data),
                content_type=_content_type(key),
                sse=self._sse,
                part_size=self.part_size,
            )

    def _put_stream(self, key: str, stream: BinaryIO, length: int | None) -> int:
        """Multipart upload holding a few parts in memory (minio sends 3 at once).

        With ``length`` given minio stores exactly that many bytes (a shorter stream is an OSError).
        """
        check_key(key)
        reader = _PartReader(stream)
        with self._mapped("put", key):
            self._client.put_object(
                self.bucket,
                key,
                reader,  # type: ignore[arg-type]
                -1 if length is None else length,
                content_type=_content_type(key),
                sse=self._sse,
                part_size=self.part_size,
            )
        return reader.total

    def get(self, key: str) -> bytes:
        check_key(key)
        with self._mapped("get", key):
            response = self._client.get_object(self.bucket, key)
            try:
                return response.read()
            finally:
                response.close()
                response.release_conn()

    def open(self, key: str) -> Iterator[bytes]:
        check_key(key)
        # The request is made now so a missing key fails here, not at the first chunk.
        with self._mapped("get", key):
            response = self._client.get_object(self.bucket, key)
        return _Chunks(response, lambda: self._mapped("read", key))

    def exists(self, key: str) -> bool:
        check_key(key)
        try:
            with self._mapped("stat", key):
                self._client.stat_object(self.bucket, key)
        except NotFound:
            return False
        return True

    def list(self, prefix: str = "") -> Iterator[str]:
        # Collected up front so listing errors surface at the call, like LocalStore.
        with self._mapped("list", prefix or None):
            found = [
                obj.object_name
                for obj in self._client.list_objects(self.bucket, prefix=prefix or None, recursive=True)
                if obj.object_name is not None and not obj.is_dir
            ]
        return iter(sorted(found))

    def delete(self, key: str) -> None:
        check_key(key)
        # S3 DELETE of a missing key succeeds, which is the idempotence we promise.
        with self._mapped("delete", key):
            self._client.remove_object(self.bucket, key)

    def presigned_get_url(self, key: str, expires_s: int | None = None) -> str:
        """A GET URL valid ``expires_s`` seconds (default ``presign_expiry_s``); signed locally, no request."""
        check_key(key)
        seconds = self.presign_expiry_s if expires_s is None else expires_s
        if not 1 <= seconds <= 7 * 24 * 3600:
            raise StorageError(f"presigned URL expiry must be 1 s..7 days, not {seconds} s")
        with self._mapped("presign", key):
            return self._client.presigned_get_object(self.bucket, key, expires=timedelta(seconds=seconds))

    @contextmanager
    def _mapped(self, op: str, key: str | None) -> Iterator[None]:
        """Turn minio/urllib3 failures into StorageError (NotFound for a missing key), scrubbed."""
        what = f"{key!r} in bucket {self.bucket!r}" if key is not None else f"bucket {self.bucket!r}"
        try:
            yield
        except S3Error as exc:
            if key is not None and exc.code in _MISSING:
                raise NotFound(f"no object {key!r}") from None
            detail = f"{exc.code}: {exc.message}"
            raise StorageError(self._scrub(f"S3 {op} of {what} failed: {detail}")) from exc
        except _TRANSPORT_ERRORS as exc:
            detail = f"{type(exc).__name__}: {exc}"
            raise StorageError(self._scrub(f"S3 {op} of {what} at {self.endpoint} failed: {detail}")) from exc

    def _scrub(self, message: str) -> str:
        for secret in self._secrets:
            if secret:
                message = message.replace(secret, "***")
        return message


def _sse(kind: str, kms_key_id: str | None, kms_context: dict[str, str] | None) -> Sse | None:
    """The server-side encryption every write asks for: SSE-S3 (the service's own keys) by default,
    SSE-KMS with a key id when one is configured, none only when asked for ("none")."""
    if kind == "none":
        if kms_key_id:
            raise ConfigError("LONGDOC_S3_KMS_KEY_ID is set but LONGDOC_S3_SSE is 'none'")
        return None
    if kind == "kms" or kms_key_id:
        if not kms_key_id:
            raise ConfigError("LONGDOC_S3_SSE=kms needs LONGDOC_S3_KMS_KEY_ID")
        return SseKMS(kms_key_id, dict(kms_context or {}))
    if kind == "s3":
        return SseS3()
    raise ConfigError(f"unknown S3 server-side encryption {kind!r} (none, s3 or kms)")


def _content_type(key: str) -> str:
    # Lets presigned downloads of reports open with the right application.
    return mimetypes.guess_type(key)[0] or "application/octet-stream"


class _Chunks(Iterator[bytes]):
    """Streams a GET body in CHUNK pieces; the connection goes back to the pool at the end.

    A class, not a generator: a generator dropped before its first ``next`` never runs
    its ``finally``, which would leak the connection.
    """

    def __init__(
        self, response: BaseHTTPResponse, mapped: Callable[[], AbstractContextManager[None]]
    ) -> None:
        self._response: BaseHTTPResponse | None = response
        self._mapped = mapped

    def __next__(self) -> bytes:
        if self._response is None:
            raise StopIteration
        try:
            with self._mapped():
                chunk = self._response.read(CHUNK)
        except BaseException:
            self.close()
            raise
        if not chunk:
            self.close()
            raise StopIteration
        return chunk

    def close(self) -> None:
        if self._response is not None:
            response, self._response = self._response, None
            response.close()
            response.release_conn()

    def __del__(self) -> None:
        self.close()


class _PartReader:
    """Counts the bytes minio takes, and fills each ``read(n)`` fully from small reads.

    minio builds a part by ``bytes +=`` over whatever ``read`` returns, which is quadratic
    for streams that return little at a time (sockets, pipes); here a part is assembled
    in one bytearray, and the source is asked for at most ``CHUNK`` bytes per call.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self.total = 0

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            raise ValueError("S3 uploads read in parts; unbounded read() is refused")
        buf = bytearray()
        while len(buf) < size:
            chunk = self._stream.read(min(size - len(buf), CHUNK))
            if not chunk:
                break
            buf += chunk
        self.total += len(buf)
        return bytes(buf)
