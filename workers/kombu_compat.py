"""Keep a worker alive when Redis goes away: a fix for kombu's Redis channel clean-up.

When the broker connection drops while the consumer waits in BRPOP (a pool slot is free) and
holds unacknowledged (acks_late) messages, Celery first ``collect()``s the connection, then
``close()``s it. In ``collect()`` the channel's ``close()`` re-reads the lost BRPOP reply and
raises before marking the channel closed; the connection then detaches its transport
(``transport.client = None``). The second ``close()`` closes the channel again, and its restore
of the unacked messages builds a Redis pool from ``transport.client``: ``AttributeError``.
That is not a connection error, so the worker logs "Unrecoverable error" and exits: no task,
and no watchdog, runs again (kombu/celery 5.7; see celery/kombu#582 for the same shape).

Two patches, applied once per process by ``install()``:

- a channel whose ``close()`` failed on the lost connection before it was marked closed is
  closed again at once (the retry skips the lost read), while the transport is still attached:
  its unacked messages stay in Redis for redelivery, and the pool it builds still serves the
  acks of tasks finishing after Redis returns;
- a channel asked for Redis parameters after its transport was detached raises a connection
  error, which every kombu/Celery clean-up path already tolerates.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import redis
from kombu.transport import redis as kombu_redis

_MARK = "_longdoc_patched"


def _close_despite_lost_connection(close: Callable[[Any], None]) -> Callable[[Any], None]:
    @functools.wraps(close)
    def wrapper(self: Any) -> None:
        try:
            close(self)
        except self.connection_errors:
            if self.closed:
                raise
            close(self)  # _brpop_read reset _in_poll, so this pass reaches the generic close

    return wrapper


def _connparams_of_attached_transport(
    connparams: Callable[..., dict[str, Any]],
) -> Callable[..., dict[str, Any]]:
    @functools.wraps(connparams)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        if self.connection.client is None:
            raise redis.exceptions.ConnectionError("broker connection already closed")
        return connparams(self, *args, **kwargs)

    return wrapper


def install() -> None:
    """Patch kombu's Redis ``Channel`` (idempotent)."""
    channel = kombu_redis.Channel
    if getattr(channel, _MARK, False):
        return
    channel.close = _close_despite_lost_connection(channel.close)  # type: ignore[method-assign]
    channel._connparams = _connparams_of_attached_transport(channel._connparams)  # type: ignore[method-assign]
    setattr(channel, _MARK, True)
