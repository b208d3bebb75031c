"""What every Redis lock here shares: the errors that mean "Redis is unreachable" and the
token-checked Lua scripts (only a lock's holder may free or extend it, so a lock that expired
and was taken over is never touched by its old holder)."""

from __future__ import annotations

REDIS_ERRORS: tuple[type[Exception], ...]
try:
    import redis

    REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
except ImportError:  # no `distributed` extra: no Redis client exists, so none of its errors can occur
    REDIS_ERRORS = ()

RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
