"""The errors that mean "Redis is unreachable", for every module that uses Redis (locks are
redis-py's ``redis.lock.Lock``: see ``pipeline/api/locks.py`` and ``workers/coord.py``)."""

from __future__ import annotations

REDIS_ERRORS: tuple[type[Exception], ...]
try:
    import redis

    REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
except ImportError:  # no `distributed` extra: no Redis client exists, so none of its errors can occur
    REDIS_ERRORS = ()
