"""Locks of the API process: in Redis with the Celery executor, else inside this one process.

The executor decides, since it also decides how many API processes may share one storage:

- ``local`` (the embedded default): exactly one API process per storage. ``ProcessLocks``
  keep the locks in memory, and ``longdoc serve`` holds ``hold_storage_dir``'s OS lock on a
  local storage dir, so a second local-executor server on it refuses to start.
- ``celery``: any number of API processes (``uvicorn --workers``, replicas behind a load
  balancer) on one storage and one Redis. ``RedisLocks`` are redis-py's ``redis.lock.Lock``
  (https://redis.readthedocs.io/en/latest/lock.html): ``SET NX PX`` with a random token,
  renewed while held (``reacquire``) and freed only by the token's holder, so a lock that
  expired and was taken over is never freed by its old holder.

Lock names (Redis keys ``longdoc:api:`` + name):

- ``idem:{tenant}:{scope}:{sha256(key)}``: an Idempotency-Key's lookup, create and remember
  (``idempotency.py``);
- ``hook:{tenant}:{job_id}``: the process attempting a job's webhook delivery (``webhooks.py``).

Redis is never the only copy: idempotency records and delivery logs are in storage. Losing a
lock (Redis restarted empty) risks at most one duplicate job or delivery attempt.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import IO, TYPE_CHECKING, Protocol

from pipeline.api.problems import ProblemError
from pipeline.config import Settings
from pipeline.errors import ConfigError
from pipeline.routing.redis_scripts import REDIS_ERRORS

if TYPE_CHECKING:  # the `distributed` extra: needed only with the Celery executor
    import redis

log = logging.getLogger("longdoc.api")
PREFIX = "longdoc:api:"
# In the storage dir, beside the tenants (a dot name is never a tenant or a storage key).
SERVE_LOCK_FILE = ".longdoc-serve.lock"


class Locks(Protocol):
    shared: bool  # True when other processes see these locks

    def hold(self, name: str, ttl_s: float, wait_s: float = 0.0) -> AbstractContextManager[bool]:
        """Hold ``name`` for the block (True), or yield False if it stayed taken for ``wait_s``.

        ``ttl_s`` bounds how long a lock outlives a holder whose process died; a live holder
        keeps it however long the block lasts (a big upload, a slow webhook receiver).
        """
        ...

    def close(self) -> None: ...


class ProcessLocks:
    """Locks inside this process: the local executor's (one API process), and need no Redis."""

    shared = False

    def __init__(self) -> None:
        self._held: set[str] = set()
        self._cond = threading.Condition()

    @contextmanager
    def hold(self, name: str, ttl_s: float, wait_s: float = 0.0) -> Iterator[bool]:
        # No expiry: a holder cannot die without this process dying with it.
        with self._cond:
            free = self._cond.wait_for(lambda: name not in self._held, timeout=wait_s)
            if free:
                self._held.add(name)
        if not free:
            yield False
            return
        try:
            yield True
        finally:
            with self._cond:
                self._held.discard(name)
                self._cond.notify_all()

    def close(self) -> None:
        return None


class RedisLocks:
    """Locks every API process on this Redis sees: redis-py's ``Lock``, renewed while held."""

    shared = True

    def __init__(self, client: redis.Redis) -> None:
        self.r = client

    @classmethod
    def from_url(cls, url: str) -> RedisLocks:
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5))

    @contextmanager
    def hold(self, name: str, ttl_s: float, wait_s: float = 0.0) -> Iterator[bool]:
        from redis.exceptions import LockError

        # thread_local=False: the token must be visible to the renewing thread below (with
        # redis-py's default, each thread sees only the token it acquired itself).
        lock = self.r.lock(PREFIX + name, timeout=ttl_s, sleep=0.02, blocking=wait_s > 0,
                           blocking_timeout=wait_s, thread_local=False)  # fmt: skip
        try:
            got = lock.acquire()
        except REDIS_ERRORS as exc:
            raise ProblemError(
                503, "lock_unavailable", f"the lock service (Redis) is unreachable: {exc}"
            ) from None
        if not got:
            yield False
            return
        done = threading.Event()

        def keep() -> None:
            # Every third of the TTL: a slow holder keeps it; one whose process died loses it
            # within ttl_s. reacquire() resets the TTL only while the token is still ours.
            while not done.wait(ttl_s / 3):
                try:
                    lock.reacquire()
                except LockError:  # LockNotOwnedError: it expired and may be someone else's
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
            keeper.join(timeout=1)
            try:
                lock.release()
            except LockError:  # expired (and maybe taken over): not ours to free
                log.warning("lock %s had expired before its release", name)
            except REDIS_ERRORS as exc:  # it expires on its own
                log.warning("lock %s not released: %s", name, exc)

    def close(self) -> None:
        self.r.close()


def make_locks(settings: Settings) -> Locks:
    """Redis locks with the Celery executor (which needs Redis anyway), else in-process ones."""
    return (
        RedisLocks.from_url(settings.redis.url) if settings.execution.executor == "celery" else ProcessLocks()
    )


def hold_storage_dir(settings: Settings) -> IO[bytes] | None:
    """Enforce one local-executor API process per local storage dir; None when not applicable.

    An exclusive ``fcntl.flock`` on ``SERVE_LOCK_FILE``, held as long as the returned file stays
    open. The kernel frees it when the process ends however it ends, so no stale lock survives
    a crash (stdlib, POSIX like the rest of longdoc: the ``filelock`` package would add only
    Windows support and a dependency). A second server on the same dir gets ``ConfigError``.
    With the Celery executor or S3 storage there is nothing to hold here.
    """
    if settings.execution.executor != "local" or settings.storage.kind != "local":
        return None
    settings.storage.dir.mkdir(parents=True, exist_ok=True)
    path = settings.storage.dir / SERVE_LOCK_FILE
    fh = path.open("a+b")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.seek(0)
        holder = fh.read(32).decode(errors="replace").strip() or "?"
        fh.close()
        raise ConfigError(
            f"another longdoc serve (pid {holder}) with the local executor uses storage dir "
            f"{settings.storage.dir}; the local executor runs in one API process: for several, "
            "use the Celery executor (LONGDOC_EXECUTOR=celery)"
        ) from None
    fh.truncate(0)  # who holds it, for the message above (append mode: writes go to the end)
    fh.write(f"{os.getpid()}\n".encode())
    fh.flush()
    return fh
