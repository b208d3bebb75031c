"""Idempotency-Key records, kept in the tenant's storage (the system of record).

``{tenant}/idempotency/{sha256(key)}.json`` holds the request's fingerprint (document sha256 +
options + callback) and the resource it created. The same key with the same request gets the
same resource back; the same key with a different request is refused (422
``idempotency_key_reused``). A per-key lock in this process serialises concurrent retries.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import BaseModel

from pipeline.api.problems import ProblemError
from pipeline.errors import NotFound
from pipeline.jobs import now
from storage import keys
from storage.base import ObjectStore

MAX_KEY_LEN = 255


class IdempotencyRecord(BaseModel):
    fingerprint: str
    resource: str  # "job" or "batch"
    resource_id: str
    created_at: str


def fingerprint(*parts: object) -> str:
    """A stable digest of the request's meaning (content digest, options, callback...)."""
    raw = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_LEN or not key.isprintable():
        raise ProblemError(
            422, "validation_error", f"Idempotency-Key must be 1..{MAX_KEY_LEN} printable characters"
        )
    return key


class IdempotencyStore:
    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _key(self, tenant: str, scope: str, key: str) -> str:
        digest = hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()
        return f"{keys.check_part(tenant, 'tenant')}/idempotency/{digest}.json"

    @contextmanager
    def locked(self, tenant: str, scope: str, key: str) -> Iterator[None]:
        name = self._key(tenant, scope, key)
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        with lock:
            yield

    def lookup(self, tenant: str, scope: str, key: str, fp: str) -> str | None:
        """The resource id a previous identical request created; 422 if the key meant another."""
        try:
            rec = IdempotencyRecord.model_validate_json(self.store.get(self._key(tenant, scope, key)))
        except NotFound:
            return None
        if rec.fingerprint != fp:
            raise ProblemError(
                422, "idempotency_key_reused", "this Idempotency-Key was used with a different request"
            )
        return rec.resource_id

    def remember(self, tenant: str, scope: str, key: str, fp: str, resource_id: str) -> None:
        rec = IdempotencyRecord(fingerprint=fp, resource=scope, resource_id=resource_id, created_at=now())
        self.store.put_json(self._key(tenant, scope, key), rec)
