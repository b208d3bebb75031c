"""Redis as a lock and cache service for the Celery executor: never the only copy of anything.

What lives here, and what is lost when Redis forgets it:

- ``claim:{tenant}:{job}:{i}`` — who may call a model for a segment (the owner's task id, with
  a TTL above the hard time limit). Lost: at worst one duplicate model call; results stay
  write-once.
  ``claim:{tenant}:{job}:consolidate`` — the same for the job's consolidation (which several
  triggers may enqueue: the chord, its error callback, the watchdog).
- ``lock:{tenant}:{job}`` — the job.json writer lock (a few seconds): redis-py's ``Lock``
  (https://redis.readthedocs.io/en/latest/lock.html), like the API's locks.
- ``live:{tenant}:{job}`` — a heartbeat refreshed on every progress; when it expires (or Redis
  restarts empty) the watchdog re-enqueues the job from storage.
- ``sub:{tenant}:{job}`` — the job's canvas was sent; gone after a Redis restart without
  persistence, which tells the watchdog a queued job's messages were lost with it.
- ``starts:{tenant}:{job}:{i}`` — runs of a segment that began and never ended (a worker
  killed mid-call each time, e.g. by the OOM killer); past ``job_max_attempts`` the segment is
  written as failed (``poisoned``) instead of being redelivered for ever. Lost: the count
  starts again.
- ``nudge:{tenant}:{job}`` — the watchdog sent a consolidation for a job whose segment results
  were all in storage; it sends no other before this expires. Lost: one more such message.
- ``secret:{tenant}:{job}`` — a PDF password on its way to the ingest task (short TTL), so
  task messages carry ids only.
- channel ``ev:{tenant}:{job}`` — wake-ups for executors polling job.json.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.exceptions import LockError
from redis.lock import Lock
from redis.retry import Retry

from pipeline.config import Settings
from pipeline.errors import LockTimeout
from pipeline.routing.redis_scripts import REDIS_ERRORS

log = logging.getLogger(__name__)

# Take the claim when it is free, or when its holder is this very task id: a redelivered
# message (its worker died) keeps its id and must not wait for its own dead attempt. A claim
# is not a mutex, so it stays this script rather than redis-py's Lock: Lock.acquire(token=...)
# is SET NX, which fails while the key holds that very token, and "free or already mine" would
# take it two round trips (acquire, then reacquire) with a window between them where an
# expiring claim reads as someone else's. Its release is Lock's own token-checked delete.
_CLAIM = """
local cur = redis.call('GET', KEYS[1])
if (not cur) or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return 1
end
return 0
"""
# The claim "index" of a job's consolidation (segments use their integer index).
CONSOLIDATION = "consolidate"


class RedisCoordination:
    """Claims, the job.json lock, heartbeats and wake-ups; implements ``stages.Coordination``."""

    def __init__(self, client: redis.Redis, settings: Settings, prefix: str = "longdoc") -> None:
        self.r = client
        self.settings = settings
        self.prefix = prefix
        self.claim_ttl_s = settings.execution.task_time_limit_s + 60
        self._claim = self.r.register_script(_CLAIM)

    @classmethod
    def from_settings(cls, settings: Settings) -> RedisCoordination:
        # Ride out a Redis restart inside the call (about 30 s of jittered backoff) rather
        # than fail the task: a Celery retry needs the broker, which is the thing that is down.
        client = redis.Redis.from_url(
            settings.redis.url,
            socket_timeout=10,
            socket_connect_timeout=5,
            health_check_interval=30,
            retry=Retry(ExponentialWithJitterBackoff(cap=2.0, base=0.05), 20),
        )
        return cls(client, settings)

    def _key(self, kind: str, tenant: str, job_id: str, *more: object) -> str:
        return ":".join([self.prefix, kind, tenant, job_id, *map(str, more)])

    def channel(self, tenant: str, job_id: str) -> str:
        return self._key("ev", tenant, job_id)

    # The job.json lock.
    def job_lock(self, tenant: str, job_id: str) -> AbstractContextManager[object]:
        return self._locked(self._key("lock", tenant, job_id))

    @contextmanager
    def _locked(self, key: str, ttl_s: float = 30.0, wait_s: float = 30.0) -> Iterator[object]:
        # Not renewed: a job.json read-modify-write lasts milliseconds; ttl_s only bounds how
        # long a writer that died keeps others out.
        lock = self.r.lock(key, timeout=ttl_s, sleep=0.01, blocking_timeout=wait_s)
        if not lock.acquire():
            raise LockTimeout(f"{key} is held by another writer")
        try:
            yield lock
        finally:
            try:
                lock.release()
            except LockError:  # expired (and maybe taken over): not ours to free
                log.warning("lock %s had expired before its release", key)

    # Liveness and wake-ups: a hint, so Redis being down must not fail the stage that wrote.
    def changed(self, tenant: str, job_id: str) -> None:
        try:
            pipe = self.r.pipeline(transaction=False)
            pipe.set(
                self._key("live", tenant, job_id),
                str(time.time()),
                ex=self.settings.execution.job_requeue_after_s,
            )
            pipe.publish(self.channel(tenant, job_id), b"1")
            pipe.execute()
        except REDIS_ERRORS as exc:
            log.warning("heartbeat for %s/%s not recorded: %s", tenant, job_id, exc)

    def is_live(self, tenant: str, job_id: str) -> bool:
        return bool(self.r.exists(self._key("live", tenant, job_id)))

    def mark_submitted(self, tenant: str, job_id: str) -> None:
        """The job's messages are in the broker (as long as Redis keeps its data)."""
        self.r.set(
            self._key("sub", tenant, job_id), str(time.time()), ex=self.settings.execution.result_expires_s
        )

    def is_submitted(self, tenant: str, job_id: str) -> bool:
        return bool(self.r.exists(self._key("sub", tenant, job_id)))

    # Segment (and consolidation) claims: ``index`` is a segment index or CONSOLIDATION.
    def claim(self, tenant: str, job_id: str, index: int | str, owner: str) -> bool:
        return bool(
            self._claim(keys=[self._key("claim", tenant, job_id, index)], args=[owner, self.claim_ttl_s])
        )

    def release(self, tenant: str, job_id: str, index: int | str, owner: str) -> None:
        """Free the claim if ``owner`` still holds it (one that expired and was retaken stays)."""
        try:
            Lock(self.r, self._key("claim", tenant, job_id, index)).do_release(owner)
        except LockError:  # LockNotOwnedError: expired, or another task's by now
            return

    def begin_run(self, tenant: str, job_id: str, index: int | str) -> int:
        """Count a run of a segment that has begun; ``end_run`` forgets it when it ends."""
        key = self._key("starts", tenant, job_id, index)
        pipe = self.r.pipeline()
        pipe.incr(key)
        pipe.expire(key, self.settings.execution.result_expires_s)
        return int(pipe.execute()[0])

    def end_run(self, tenant: str, job_id: str, index: int | str) -> None:
        self.r.delete(self._key("starts", tenant, job_id, index))

    def claim_holder(self, tenant: str, job_id: str, index: int | str) -> str | None:
        raw = self.r.get(self._key("claim", tenant, job_id, index))
        return raw.decode() if isinstance(raw, bytes) else None

    def nudge_consolidation(self, tenant: str, job_id: str) -> bool:
        """True once per ``job_requeue_after_s`` per job: the watchdog's consolidation send."""
        key = self._key("nudge", tenant, job_id)
        return bool(
            self.r.set(key, str(time.time()), nx=True, ex=self.settings.execution.job_requeue_after_s)
        )

    # A password for the ingest task, kept out of task messages.
    def stash_secret(self, tenant: str, job_id: str, value: str, ttl_s: int = 3600) -> None:
        self.r.set(self._key("secret", tenant, job_id), value, ex=ttl_s)

    def secret(self, tenant: str, job_id: str) -> str | None:
        raw = self.r.get(self._key("secret", tenant, job_id))
        return raw.decode() if isinstance(raw, bytes) else None

    def drop_secret(self, tenant: str, job_id: str) -> None:
        self.r.delete(self._key("secret", tenant, job_id))

    def watchdog_turn(self, interval_s: float) -> bool:
        """True for one caller per interval across every worker."""
        return bool(
            self.r.set(f"{self.prefix}:watchdog", str(time.time()), nx=True, px=int(interval_s * 900))
        )

    def close(self) -> None:
        self.r.close()
