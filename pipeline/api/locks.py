"""Locks the API processes share: in Redis when configured, else inside this one process.

Which one is ``Settings.api.coordination``: ``redis`` keeps them in Redis at
``Settings.redis.url``; ``process`` keeps them in this process (right for exactly one API
process); ``auto`` (the default) means ``redis`` with the Celery executor, which needs Redis
anyway, and ``process`` with the local executor, so the default local setup runs without
Redis. Run several API processes on one storage (``uvicorn --workers``, replicas behind a
load balancer) only with ``redis``: ``LONGDOC_API_COORDINATION=redis``.

Redis keys, each ``SET NX PX`` with a random token, renewed while held and deleted only by
the token's holder (so a lock that expired and was taken over is never freed by its old one):

- ``longdoc:api:idem:{tenant}:{scope}:{sha256(key)}``: an Idempotency-Key's lookup, create and
  remember (``idempotency.py``);
- ``longdoc:api:hook:{tenant}:{job_id}``: the process attempting a job's webhook delivery
  (``webhooks.py``).

Redis is never the only copy: idempotency records and delivery logs are in storage. Losing a
lock (Redis restarted empty) risks at most one duplicate job or delivery attempt.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

from pipeline.api.problems import ProblemError
from pipeline.config import Settings
from pipeline.routing.redis_scripts import REDIS_ERRORS, RELEASE, RENEW

if TYPE_CHECKING:  # the `distributed` extra: needed only with Redis coordination
    import redis

log = logging.getLogger("longdoc.api")
PREFIX = "longdoc:api:"


class Locks(Protocol):
    shared: bool  # True when other processes see these locks

    def acquire(self, name: str, ttl_s: float) -> str | None:
        """A token when ``name`` was free (now held for ``ttl_s``), else None."""
        ...

    def renew(self, name: str, token: str, ttl_s: float) -> bool: ...

    def release(self, name: str, token: str) -> None: ...

    def close(self) -> None: ...


class ProcessLocks:
    """Locks inside this process: enough for one API process, and needs no Redis."""

    shared = False

    def __init__(self) -> None:
        self._held: dict[str, str] = {}
        self._guard = threading.Lock()

    def acquire(self, name: str, ttl_s: float) -> str | None:
        # No expiry: a holder cannot die without this process dying with it.
        with self._guard:
            if name in self._held:
                return None
            token = self._held[name] = secrets.token_hex(8)
            return token

    def renew(self, name: str, token: str, ttl_s: float) -> bool:
        with self._guard:
            return self._held.get(name) == token

    def release(self, name: str, token: str) -> None:
        with self._guard:
            if self._held.get(name) == token:
                del self._held[name]

    def close(self) -> None:
        return None


class RedisLocks:
    """Locks every API process on this Redis sees (``SET NX PX``, token-checked release)."""

    shared = True

    def __init__(self, client: redis.Redis) -> None:
        self.r = client
        self._release = self.r.register_script(RELEASE)
        self._renew = self.r.register_script(RENEW)

    @classmethod
    def from_url(cls, url: str) -> RedisLocks:
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5))

    def acquire(self, name: str, ttl_s: float) -> str | None:
        token = secrets.token_hex(8)
        return token if self.r.set(PREFIX + name, token, nx=True, px=_ms(ttl_s)) else None

    def renew(self, name: str, token: str, ttl_s: float) -> bool:
        return bool(self._renew(keys=[PREFIX + name], args=[token, _ms(ttl_s)]))

    def release(self, name: str, token: str) -> None:
        self._release(keys=[PREFIX + name], args=[token])

    def close(self) -> None:
        self.r.close()


def _ms(seconds: float) -> int:
    return max(1, int(seconds * 1000))


def uses_redis(settings: Settings) -> bool:
    if settings.api.coordination == "auto":
        return settings.execution.executor == "celery"
    return settings.api.coordination == "redis"


def make_locks(settings: Settings) -> Locks:
    return RedisLocks.from_url(settings.redis.url) if uses_redis(settings) else ProcessLocks()


@contextmanager
def holding(locks: Locks, name: str, ttl_s: float, wait_s: float = 0.0) -> Iterator[bool]:
    """Hold ``name`` for the block (True), or yield False if it stayed taken for ``wait_s``.

    While held, the lock is renewed every ``ttl_s / 3``: a slow holder (a big upload, a slow
    receiver) keeps it, while one whose process died loses it within ``ttl_s``.
    """
    try:
        token = locks.acquire(name, ttl_s)
        deadline = time.monotonic() + wait_s
        pause = 0.005
        while token is None and time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
            token = locks.acquire(name, ttl_s)
    except REDIS_ERRORS as exc:
        raise ProblemError(
            503, "lock_unavailable", f"the lock service (Redis) is unreachable: {exc}"
        ) from None
    if token is None:
        yield False
        return
    done = threading.Event()
    keeper: threading.Thread | None = None
    if locks.shared:

        def keep() -> None:
            while not done.wait(ttl_s / 3):
                try:
                    if not locks.renew(name, token, ttl_s):
                        log.warning("lock %s was lost while held", name)
                        return
                except REDIS_ERRORS as exc:  # keep trying: the TTL still covers a short outage
                    log.warning("lock %s not renewed: %s", name, exc)

        keeper = threading.Thread(target=keep, name=f"lock-{name[:40]}", daemon=True)
        keeper.start()
    try:
        yield True
    finally:
        done.set()
        if keeper is not None:
            keeper.join(timeout=1)
        try:
            locks.release(name, token)
        except REDIS_ERRORS as exc:  # it expires on its own
            log.warning("lock %s not released: %s", name, exc)
