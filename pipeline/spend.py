"""Daily spend cap per tenant, kept in Redis (shared by every worker).

Alerts fire once a day per threshold (75/90/100%), as log lines and job warnings. At 100%
only the `rules` model and self-hosted models run until the day (UTC) ends.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Protocol

log = logging.getLogger("longdoc.spend")
THRESHOLDS = (75, 90, 100)
TTL_S = 3 * 24 * 3600


class RedisLike(Protocol):  # the redis-py methods used here (a real client in tests and prod)
    def incrbyfloat(self, name: str, amount: float) -> float: ...
    def get(self, name: str) -> bytes | str | None: ...
    def expire(self, name: str, time: int) -> object: ...
    def set(self, name: str, value: str, *, nx: bool = ..., ex: int | None = ...) -> object: ...


class SpendGuard:
    def __init__(self, redis: RedisLike, tenant: str, cap_usd: float, *, prefix: str = "longdoc") -> None:
        self.redis = redis
        self.tenant = tenant
        self.cap_usd = cap_usd
        self.prefix = prefix

    def _key(self, day: str | None = None) -> str:
        day = day or datetime.now(UTC).strftime("%Y-%m-%d")
        return f"{self.prefix}:spend:{self.tenant}:{day}"

    def spent(self) -> float:
        raw = self.redis.get(self._key())
        return float(raw) if raw is not None else 0.0

    def exhausted(self) -> bool:
        return self.spent() >= self.cap_usd

    def record(self, usd: float) -> list[str]:
        """Add ``usd`` to today's spend; the alert messages this crossed (each once a day)."""
        if usd <= 0:
            return []
        key = self._key()
        total = float(self.redis.incrbyfloat(key, usd))
        self.redis.expire(key, TTL_S)
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
