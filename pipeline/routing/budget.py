"""A batch's budget as one pool: allocated by document size, spent as documents finish.

Each document (job) of a batch is allocated ``total * size / sum(sizes)``. Before a model call
a segment reserves its estimate: from its own document's allocation first, then from what
finished documents left unspent (the shared remainder). A reservation refused means the
segment runs on ``rules`` and is marked ``degraded`` with reason ``budget``: a document never
fails because the pool ran dry. After the call the reservation is settled at the real cost;
when a document ends, what it did not spend goes to the shared remainder.

Spend stays within the pool as long as no call costs more than was reserved for it: callers
reserve a segment's estimate times ``RESERVE_MARGIN`` (the estimate's output ratio is
calibrated from audited calls, ``pipeline.routing.calibration``).

``LocalPool`` is the in-process ledger of the local executor; ``pipeline.routing.spend.RedisPool``
keeps the same ledger in Redis for batches whose jobs run on Celery workers.
"""

from __future__ import annotations

import threading
from typing import Protocol

RESERVE_MARGIN = 1.25
EPS_USD = 1e-9  # float sums of many small costs: a reservation that fits to the nano-dollar fits


class BudgetPool(Protocol):
    def reserve(self, job_id: str, usd: float) -> bool:
        """Hold ``usd`` for a call of ``job_id``; False when neither its allocation nor the shared
        remainder has room."""
        ...  # fmt: skip

    def settle(self, job_id: str, reserved: float, spent: float) -> None:
        """Replace a reservation by what the call really cost."""
        ...  # fmt: skip

    def finish(self, job_id: str) -> None:
        """The document ended: its unspent allocation joins the shared remainder (once)."""
        ...  # fmt: skip

    def spent(self) -> float:
        """Everything reserved or spent so far, over all documents."""
        ...  # fmt: skip


def allocate(total_usd: float, sizes: dict[str, int]) -> dict[str, float]:
    """Each job's share of ``total_usd`` in proportion to its document's size."""
    whole = sum(max(0, s) for s in sizes.values()) or 1
    return {job: total_usd * max(0, size) / whole for job, size in sizes.items()}


class LocalPool:
    def __init__(self, total_usd: float, allocations: dict[str, float]) -> None:
        self.total_usd = total_usd
        self._alloc = dict(allocations)
        self._used: dict[str, float] = dict.fromkeys(allocations, 0.0)
        self._shared = total_usd - sum(allocations.values())  # rounding; normally 0
        self._finished: set[str] = set()
        self._lock = threading.Lock()

    def reserve(self, job_id: str, usd: float) -> bool:
        with self._lock:
            own = self._alloc.get(job_id, 0.0) - self._used.get(job_id, 0.0)
            if own + EPS_USD >= usd:
                self._used[job_id] = self._used.get(job_id, 0.0) + usd
                return True
            take = usd - max(own, 0.0)
            if self._shared + EPS_USD < take:
                return False
            self._shared -= take
            self._alloc[job_id] = self._alloc.get(job_id, 0.0) + take
            self._used[job_id] = self._used.get(job_id, 0.0) + usd
            return True

    def settle(self, job_id: str, reserved: float, spent: float) -> None:
        with self._lock:
            self._used[job_id] = self._used.get(job_id, 0.0) + spent - reserved

    def finish(self, job_id: str) -> None:
        with self._lock:
            if job_id in self._finished:
                return
            self._finished.add(job_id)
            self._shared += self._alloc.get(job_id, 0.0) - self._used.get(job_id, 0.0)
            self._alloc[job_id] = self._used.get(job_id, 0.0)

    def spent(self) -> float:
        with self._lock:
            return sum(self._used.values())


class LocalPools:
    """The in-process ledgers by (tenant, batch id): the batch service and the local executor
    run in one process and share this registry."""

    def __init__(self) -> None:
        self._pools: dict[tuple[str, str], LocalPool] = {}
        self._lock = threading.Lock()

    def create(
        self, tenant: str, batch_id: str, total_usd: float, allocations: dict[str, float]
    ) -> LocalPool:
        pool = LocalPool(total_usd, allocations)
        with self._lock:
            self._pools[(tenant, batch_id)] = pool
        return pool

    def get(self, tenant: str, batch_id: str) -> LocalPool | None:
        with self._lock:
            return self._pools.get((tenant, batch_id))


LOCAL_POOLS = LocalPools()


class ClosedPool:
    """A pool with no room: for a job planned on a pool that is gone (process restarted)."""

    def reserve(self, job_id: str, usd: float) -> bool:
        return False

    def settle(self, job_id: str, reserved: float, spent: float) -> None:
        return None

    def finish(self, job_id: str) -> None:
        return None

    def spent(self) -> float:
        return 0.0
