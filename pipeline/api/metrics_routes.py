"""``GET /metrics``: every metric of ``pipeline.telemetry`` in the Prometheus text format.

Unauthenticated, like ``/v1/health``: Prometheus scrapes without an API key, and the page holds
counts, model ids and tenant names, never a document (``LONGDOC_METRICS_ENABLED=false`` drops
the route). The queue depth is measured at scrape time: the Celery queues' lengths in Redis
(every API process sees the same), or the jobs this process's local executor has not started.
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.responses import Response

from pipeline import telemetry
from pipeline.api.deps import ApiState
from pipeline.api.locks import RedisLocks
from pipeline.api.problems import ProblemError
from pipeline.api.runner import LocalRunner

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

# kombu's Redis transport keeps a queue's priorities 3, 6 and 9 in keys of their own
# (kombu/transport/redis.py: ``_q_for_pri``, ``sep``, ``PRIORITY_STEPS``).
_PRIORITY_KEYS = ("", "\x06\x163", "\x06\x166", "\x06\x169")


def queue_depth(state: ApiState) -> dict[str, int] | None:
    """Waiting work by queue; None when it cannot be measured now (Redis down)."""
    runner = state.jobs.runner
    if isinstance(runner, LocalRunner):
        return {"local": runner.pending()}
    if isinstance(state.locks, RedisLocks):  # the Celery executor
        from workers.celery_app import QUEUES

        try:
            pipe = state.locks.r.pipeline(transaction=False)
            for q in QUEUES:
                for suffix in _PRIORITY_KEYS:
                    pipe.llen(q + suffix)
            lengths = [int(n) for n in pipe.execute()]
        except Exception as exc:  # noqa: BLE001 - a scrape still answers with every other metric
            log.warning("queue depth not measured: %s", exc)
            return None
        step = len(_PRIORITY_KEYS)
        return {q: sum(lengths[i * step : (i + 1) * step]) for i, q in enumerate(QUEUES)}
    return None


@router.get("/metrics")
def metrics(request: Request) -> Response:
    state: ApiState = request.app.state.api
    try:
        body, content_type = telemetry.render(queue_depth(state))
    except ImportError:
        raise ProblemError(404, "not_found", "metrics need the service extra (prometheus_client)") from None
    return Response(content=body, media_type=content_type)
