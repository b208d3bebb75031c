"""Daily spend cap per tenant, kept in Redis (shared by every worker).

Alerts fire once a day per threshold (75/90/100%), as log lines and job warnings. At 100%
only the `rules` model and self-hosted models run until the day (UTC) ends.

A job planned with paid models reserves its estimated cost first (``reserve``): it gets them
only if today's spend plus every other job's reservation plus its own estimate fits the cap,
so jobs planned at the same moment cannot overshoot it together. Its reservation shrinks as its
segments are charged and goes when it ends (``release``); one left by a job that died lapses
after ``RESERVATION_MAX_AGE_S``.

Redis failing never fails a job: reads and writes raise ``StorageError`` (after a log line),
which routing treats as "cap unknown" (fail closed: only rules and self-hosted models) and the
segment stage turns into a job warning. Spend that could not be written is kept in this
process and added on the next successful write.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

from pipeline.config import Settings
from pipeline.errors import ConfigError, StorageError

log = logging.getLogger("longdoc.spend")
THRESHOLDS = (75, 90, 100)
TTL_S = 3 * 24 * 3600
# A down Redis must cost a job seconds, not minutes (redis-py's default is no timeout).
TIMEOUT_S = 2.0
RESERVATION_MAX_AGE_S = 6 * 3600.0

# KEYS: spend, reservations (hash job -> "usd|unix time"). ARGV: job, usd, cap, now, max age,
# ttl. Returns {fits, committed by others}; stale reservations are dropped on the way.
_RESERVE = """
local spent = tonumber(redis.call('GET', KEYS[1]) or '0')
local held = 0
local entries = redis.call('HGETALL', KEYS[2])
for i = 1, #entries, 2 do
  if entries[i] ~= ARGV[1] then
    local usd, at = string.match(entries[i + 1], '([^|]+)|(.+)')
    if tonumber(at) >= tonumber(ARGV[4]) - tonumber(ARGV[5]) then
      held = held + tonumber(usd)
    else
      redis.call('HDEL', KEYS[2], entries[i])
    end
  end
end
local committed = spent + held
if committed + tonumber(ARGV[2]) > tonumber(ARGV[3]) then return {0, tostring(committed)} end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. '|' .. ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[6])
return {1, tostring(committed)}
"""
# KEYS: reservations. ARGV: job, usd charged: the job's reservation shrinks by what it spent.
_SETTLE = """
local v = redis.call('HGET', KEYS[1], ARGV[1])
if not v then return 0 end
local usd, at = string.match(v, '([^|]+)|(.+)')
local left = tonumber(usd) - tonumber(ARGV[2])
if left > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], string.format('%.9f', left) .. '|' .. at)
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return 1
"""


def spend_client(settings: Settings) -> redis.Redis:
    """A Redis client for spend ledgers: short timeouts and two quick retries (a spend check must
    not hold a segment for long); no connection is opened until the first command."""
    try:
        return redis.Redis.from_url(
            settings.redis.url, socket_timeout=TIMEOUT_S, socket_connect_timeout=TIMEOUT_S,
            retry=Retry(ExponentialWithJitterBackoff(cap=0.5, base=0.05), 2),
        )  # fmt: skip
    except ValueError as exc:
        raise ConfigError(f"LONGDOC_REDIS_URL is not a Redis URL: {exc}") from exc


class SpendGuard:
    def __init__(self, client: redis.Redis, tenant: str, cap_usd: float, *, prefix: str = "longdoc") -> None:
        self.redis = client
        self.tenant = tenant
        self.cap_usd = cap_usd
        self.prefix = prefix
        self._unrecorded = 0.0  # USD spent while Redis was unreachable
        self._lock = threading.Lock()
        self._reserve = client.register_script(_RESERVE)
        self._settle = client.register_script(_SETTLE)

    def _key(self, day: str | None = None) -> str:
        day = day or datetime.now(UTC).strftime("%Y-%m-%d")
        return f"{self.prefix}:spend:{self.tenant}:{day}"

    def _unavailable(self, what: str, exc: Exception) -> StorageError:
        msg = f"tenant {self.tenant}: {what} (Redis unreachable: {exc})"
        log.warning(msg)
        return StorageError(msg)

    def spent(self) -> float:
        try:
            raw = self.redis.get(self._key())
        except redis.exceptions.RedisError as exc:
            raise self._unavailable("daily spend unknown", exc) from exc
        return (float(raw) if raw is not None else 0.0) + self._unrecorded

    def exhausted(self) -> bool:
        return self.spent() >= self.cap_usd

    def reserve(self, job_id: str, usd: float) -> tuple[bool, float]:
        """Reserve ``usd`` of today's cap for a job: (it fits, USD already committed today by
        spend and other jobs' reservations). A job reserving again replaces its reservation."""
        key = self._key()
        try:
            fits, committed = self._reserve(
                keys=[key, f"{key}:reserved"],
                args=[
                    job_id,
                    repr(float(usd)),
                    repr(self.cap_usd),
                    repr(time.time()),
                    RESERVATION_MAX_AGE_S,
                    TTL_S,
                ],
            )
        except redis.exceptions.RedisError as exc:
            raise self._unavailable("daily spend unknown", exc) from exc
        return bool(fits), float(committed) + self._unrecorded

    def release(self, job_id: str) -> None:
        """Drop what is left of a finished job's reservation (it lapses anyway if this fails)."""
        try:
            self.redis.hdel(f"{self._key()}:reserved", job_id)
        except redis.exceptions.RedisError as exc:
            log.warning("tenant %s: reservation of job %s not released: %s", self.tenant, job_id, exc)

    def record(self, usd: float, job_id: str | None = None) -> list[str]:
        """Add ``usd`` to today's spend (and take it off ``job_id``'s reservation); the alert
        messages this crossed (each once a day)."""
        if usd <= 0:
            return []
        with self._lock:
            amount, self._unrecorded = usd + self._unrecorded, 0.0
        key = self._key()
        try:
            total = float(self.redis.incrbyfloat(key, amount))
        except redis.exceptions.RedisError as exc:
            with self._lock:
                self._unrecorded += amount
            raise self._unavailable(
                f"${amount:.4f} not yet counted against the daily cap; added on the next write", exc
            ) from exc
        try:
            self.redis.expire(key, TTL_S)
            if job_id is not None:
                self._settle(keys=[f"{key}:reserved"], args=[job_id, repr(usd)])
            return self._alerts(key, total)
        except redis.exceptions.RedisError as exc:
            raise self._unavailable(
                f"spend recorded, cap alerts not checked (${total:.2f} today)", exc
            ) from exc

    def _alerts(self, key: str, total: float) -> list[str]:
        alerts: list[str] = []
        for pct in THRESHOLDS:
            if total >= self.cap_usd * pct / 100 and self.redis.set(
                f"{key}:alert:{pct}", "1", nx=True, ex=TTL_S
            ):
                msg = f"tenant {self.tenant}: daily spend ${total:.2f} reached {pct}% of the ${self.cap_usd:.2f} cap"
                if pct >= 100:
                    msg += "; only rules and self-hosted models run until tomorrow (UTC)"
                log.warning(msg)
                alerts.append(msg)
        return alerts


class SpendGuards:
    """One guard per tenant over one Redis client: a StageContext serves many tenants."""

    def __init__(self, client: redis.Redis, cap_usd: float, *, prefix: str = "longdoc") -> None:
        self.redis = client
        self.cap_usd = cap_usd
        self.prefix = prefix
        self._guards: dict[str, SpendGuard] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, client: redis.Redis | None = None) -> SpendGuards | None:
        """None without ``daily_cap_usd``; no connection is opened until the first check."""
        if settings.routing.daily_cap_usd is None:
            return None
        return cls(client or spend_client(settings), settings.routing.daily_cap_usd)

    def for_tenant(self, tenant: str) -> SpendGuard:
        with self._lock:
            guard = self._guards.get(tenant)
            if guard is None:  # kept: it holds spend not yet written to Redis
                guard = self._guards[tenant] = SpendGuard(
                    self.redis, tenant, self.cap_usd, prefix=self.prefix
                )
            return guard


# A batch budget pool (see pipeline.routing.budget) in one Redis hash, for batches whose jobs
# run on Celery workers: fields "a:<job>" allocation, "u:<job>" reserved or spent, "f:<job>"
# finished, "shared" the remainder finished documents left. KEYS: the hash. ARGV: job, usd.
_POOL_RESERVE = """
local a = tonumber(redis.call('HGET', KEYS[1], 'a:' .. ARGV[1]) or '0')
local u = tonumber(redis.call('HGET', KEYS[1], 'u:' .. ARGV[1]) or '0')
local x = tonumber(ARGV[2])
local own = a - u
if own + 1e-9 < x then
  local take = x - math.max(own, 0)
  local shared = tonumber(redis.call('HGET', KEYS[1], 'shared') or '0')
  if shared + 1e-9 < take then return 0 end
  redis.call('HSET', KEYS[1], 'shared', string.format('%.9f', shared - take))
  redis.call('HSET', KEYS[1], 'a:' .. ARGV[1], string.format('%.9f', a + take))
end
redis.call('HSET', KEYS[1], 'u:' .. ARGV[1], string.format('%.9f', u + x))
return 1
"""
# KEYS: the hash. ARGV: job. Its unspent allocation joins the shared remainder, once.
_POOL_FINISH = """
if redis.call('HSETNX', KEYS[1], 'f:' .. ARGV[1], '1') == 0 then return 0 end
local a = tonumber(redis.call('HGET', KEYS[1], 'a:' .. ARGV[1]) or '0')
local u = tonumber(redis.call('HGET', KEYS[1], 'u:' .. ARGV[1]) or '0')
redis.call('HINCRBYFLOAT', KEYS[1], 'shared', a - u)
redis.call('HSET', KEYS[1], 'a:' .. ARGV[1], string.format('%.9f', u))
return 1
"""
POOL_TTL_S = 30 * 24 * 3600


class RedisPool:
    """``BudgetPool`` over Redis. Redis failing refuses reservations (fail closed: rules)."""

    def __init__(self, client: redis.Redis, tenant: str, batch_id: str, *, prefix: str = "longdoc") -> None:
        self.redis = client
        self.key = f"{prefix}:batch-budget:{tenant}:{batch_id}"
        self._reserve = client.register_script(_POOL_RESERVE)
        self._finish = client.register_script(_POOL_FINISH)

    @classmethod
    def from_settings(cls, settings: Settings, tenant: str, batch_id: str) -> RedisPool:
        return cls(spend_client(settings), tenant, batch_id)

    def create(self, total_usd: float, allocations: dict[str, float]) -> None:
        fields = {f"a:{job}": repr(usd) for job, usd in allocations.items()}
        fields["shared"] = repr(total_usd - sum(allocations.values()))
        fields["total"] = repr(total_usd)
        try:
            pipe = self.redis.pipeline()
            pipe.delete(self.key)
            for name, value in fields.items():
                pipe.hset(self.key, name, value)
            pipe.expire(self.key, POOL_TTL_S)
            pipe.execute()
        except redis.exceptions.RedisError as exc:
            raise StorageError(f"batch budget pool not created (Redis unreachable: {exc})") from exc

    def exists(self) -> bool:
        try:
            return bool(self.redis.exists(self.key))
        except redis.exceptions.RedisError:
            return True  # unknown: treat the job as pooled, so reservations fail closed

    def reserve(self, job_id: str, usd: float) -> bool:
        try:
            return bool(self._reserve(keys=[self.key], args=[job_id, repr(float(usd))]))
        except redis.exceptions.RedisError as exc:
            log.warning("batch budget %s: reservation refused, Redis unreachable: %s", self.key, exc)
            return False

    def settle(self, job_id: str, reserved: float, spent: float) -> None:
        try:
            self.redis.hincrbyfloat(self.key, f"u:{job_id}", spent - reserved)
        except redis.exceptions.RedisError as exc:
            log.warning("batch budget %s: $%.6f not settled: %s", self.key, spent - reserved, exc)

    def finish(self, job_id: str) -> None:
        try:
            self._finish(keys=[self.key], args=[job_id])
        except redis.exceptions.RedisError as exc:
            log.warning("batch budget %s: job %s not finished in the pool: %s", self.key, job_id, exc)

    def spent(self) -> float:
        try:
            raw = self.redis.hgetall(self.key)
        except redis.exceptions.RedisError as exc:
            raise StorageError(f"batch budget unknown (Redis unreachable: {exc})") from exc
        total = 0.0
        for k, v in raw.items():
            name = k.decode() if isinstance(k, bytes) else str(k)
            if name.startswith("u:"):
                total += float(v)
        return total
