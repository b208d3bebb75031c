"""One object-store interface; backends hold bytes under '/'-separated keys."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from typing import BinaryIO, Protocol

from pydantic import BaseModel, SecretStr

from pipeline.errors import Gone, StorageError
from storage import keys

CHUNK = 1024 * 1024


def check_key(key: str) -> str:
    """Refuse keys that are empty, absolute, or hold '', '.' or '..' segments (every backend)."""
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in key.split("/")):
        raise StorageError(f"invalid key {key!r}")
    return key


class ObjectStore(ABC):
    """put/get/exists/list/delete, plus streaming in and out.

    Keys are relative, '/'-separated, without '..' segments (see ``storage.keys``).
    Writes are atomic: a reader sees the old object or the new one, never half of one.

    Erased jobs stay erased: a write into a job's folder looks for the job's tombstone *after*
    writing and removes what it wrote when the tombstone is there (``Gone``). The eraser writes
    the tombstone first and lists the folder after, so whichever comes second sees the other: a
    write finished before the tombstone is listed and deleted by the eraser, one finished after
    finds the tombstone and deletes itself. No late object survives once the writers are done.
    Backends implement ``_put``/``_put_stream``; the check is here, once for all of them.
    """

    def put(self, key: str, data: bytes) -> None:
        self._put(key, data)
        self._refuse_if_erased(key)

    def put_stream(self, key: str, stream: BinaryIO, length: int | None = None) -> int:
        """Copy ``stream`` to ``key`` without holding it all in memory; returns bytes written."""
        written = self._put_stream(key, stream, length)
        self._refuse_if_erased(key)
        return written

    def put_linked(self, tenant: str, job_id: str, key: str, data: bytes | None = None) -> None:
        """Record that a job wrote (``data`` given) or read ``key``, an object outside its folder
        (a cached model answer), so erasing the job removes that object too.

        The reference goes first (refused once the job is erased), then the object, then the same
        look for the tombstone as any job write: an erase in between lists the reference and
        removes the object, or this call finds the tombstone and removes it.
        """
        try:
            self.put(keys.ref(tenant, job_id, key), b"")
            if data is not None:
                self._put(key, data)
                if self.exists(keys.tombstone(tenant, job_id)):
                    raise Gone(f"job {job_id} was erased; its late write of {key!r} was removed")
        except Gone:
            self.delete(key)
            raise

    def _refuse_if_erased(self, key: str) -> None:
        guard = keys.tombstone_guarding(key)
        if guard is not None and self.exists(guard):
            self.delete(key)
            raise Gone(f"the job was erased; its late write of {key!r} was removed")

    @abstractmethod
    def _put(self, key: str, data: bytes) -> None: ...

    @abstractmethod
    def _put_stream(self, key: str, stream: BinaryIO, length: int | None) -> int: ...

    @abstractmethod
    def get(self, key: str) -> bytes:
        """The object's bytes; ``NotFound`` when missing."""

    @abstractmethod
    def open(self, key: str) -> Iterator[bytes]:
        """The object as chunks (streaming read); ``NotFound`` when missing."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys starting with ``prefix``, in lexicographic order."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key``; deleting a missing key is not an error."""

    def presigned_get_url(self, key: str, expires_s: int | None = None) -> str | None:
        """A time-limited download URL for ``key``, or None when the backend has no such thing."""
        return None

    # Conveniences shared by every backend.
    def put_json(self, key: str, value: BaseModel | Mapping[str, object] | Sequence[object]) -> None:
        if isinstance(value, BaseModel):
            data = value.model_dump_json(indent=1).encode()
        else:
            data = json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False).encode()
        self.put(key, data)

    def get_json(self, key: str) -> object:
        return json.loads(self.get(key))


class S3Config(Protocol):
    """The ``LONGDOC_S3_*`` values ``S3Store.from_settings`` reads (``pipeline.config.S3Config``
    has them): storage depends on nothing of ours but the errors."""

    @property
    def endpoint(self) -> str: ...
    @property
    def access_key(self) -> SecretStr | None: ...
    @property
    def secret_key(self) -> SecretStr | None: ...
    @property
    def bucket(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def secure(self) -> bool: ...
    @property
    def sse(self) -> str: ...
    @property
    def kms_key_id(self) -> str | None: ...
    @property
    def kms_context(self) -> dict[str, str]: ...
    @property
    def part_size(self) -> int: ...
    @property
    def presign_expiry_s(self) -> int: ...
