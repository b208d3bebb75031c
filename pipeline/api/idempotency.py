"""Idempotency-Key records, kept in the tenant's storage (the system of record).

``{tenant}/idempotency/{sha256(key)}.json`` holds the request's fingerprint (document sha256 +
options + callback) and the resource it created. The same key with the same request gets the
same resource back; the same key with a different request is refused (422
``idempotency_key_reused``). The key's limits (``KEY_PATTERN``, at most ``MAX_KEY_LEN``) are
declared on the header parameter (``deps.IdempotencyKey``), so the OpenAPI document states them
and FastAPI enforces them (422). A per-key lock held around lookup, create and remember
serialises concurrent retries: in Redis when ``Settings.api.coordination`` resolves to
``redis`` (always with the Celery executor), so retries sent to different API processes still
make one resource; otherwise in this process (one API process only; see ``locks.py``). A
request that waits ``LOCK_WAIT_S`` for the key gets 409 ``idempotency_key_in_use``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager

from pydantic import BaseModel

from pipeline.api.locks import Locks, ProcessLocks, holding
from pipeline.api.problems import ProblemError
from pipeline.errors import NotFound
from pipeline.jobs.store import now
from storage import keys
from storage.base import ObjectStore

MAX_KEY_LEN = 255
# Printable characters as a header carries them unchanged: visible ASCII, spaces only inside
# (HTTP strips a value's leading and trailing whitespace; non-ASCII bytes have no agreed charset).
KEY_PATTERN = r"^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$"
# The lock is renewed while held (a large upload may take minutes), so the TTL only bounds how
# long a key stays blocked after its holder's process died.
LOCK_TTL_S = 30.0
LOCK_WAIT_S = 60.0


class IdempotencyRecord(BaseModel):
    fingerprint: str
    resource: str  # "job" or "batch"
    resource_id: str
    created_at: str


def fingerprint(*parts: object) -> str:
    """A stable digest of the request's meaning (content digest, options, callback...)."""
    raw = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


class IdempotencyStore:
    def __init__(self, store: ObjectStore, locks: Locks | None = None) -> None:
        self.store = store
        self.locks: Locks = locks or ProcessLocks()

    def _digest(self, scope: str, key: str) -> str:
        return hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()

    def _key(self, tenant: str, scope: str, key: str) -> str:
        return f"{keys.check_part(tenant, 'tenant')}/idempotency/{self._digest(scope, key)}.json"

    @contextmanager
    def locked(self, tenant: str, scope: str, key: str) -> Iterator[None]:
        name = f"idem:{keys.check_part(tenant, 'tenant')}:{scope}:{self._digest(scope, key)}"
        with holding(self.locks, name, LOCK_TTL_S, wait_s=LOCK_WAIT_S) as held:
            if not held:
                raise ProblemError(409, "idempotency_key_in_use",
                                   "a request with this Idempotency-Key is still being processed; retry",
                                   headers={"Retry-After": "1"})  # fmt: skip
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
