"""Who read what: one access-log line per authenticated API request, per tenant.

A vendor security review asks *who opened which document or report, when, from where, with
which key*. Every request that presented a valid key is recorded as a JSON line — when, the
key's id (a prefix of its sha256, never the key), the client address, the action (``report.read``,
``table.read``, ``job.delete``…), the object (job or batch id) and the HTTP status — and never
any document text: a line is built only from the route, its path ids and the response status.

Lines are buffered and written as one ``.jsonl`` object per tenant per flush under
``{tenant}/access/{day}/`` (object stores have no append; one object per request would make a
polling client write thousands). A flush runs every ``FLUSH_S`` seconds, before the log is read,
and at shutdown, so a server's own reads are always complete; another API process's lines show
up within ``FLUSH_S``.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

from pydantic import BaseModel, Field

from pipeline.jobs.periodic import Periodic
from storage import keys
from storage.base import ObjectStore

log = logging.getLogger("longdoc.api.access")
FLUSH_S = 1.0

# Route (method, path template) → action; any other authenticated request is "<method> <path>".
ACTIONS: dict[tuple[str, str], str] = {
    ("POST", "/v1/jobs"): "job.submit",
    ("GET", "/v1/jobs"): "job.list",
    ("GET", "/v1/jobs/{job_id}"): "job.status",
    ("POST", "/v1/jobs/{job_id}/cancel"): "job.cancel",
    ("DELETE", "/v1/jobs/{job_id}"): "job.delete",
    ("GET", "/v1/jobs/{job_id}/report"): "report.read",
    ("GET", "/v1/jobs/{job_id}/report.md"): "report.read",
    ("GET", "/v1/jobs/{job_id}/report.docx"): "report.read",
    ("GET", "/v1/jobs/{job_id}/review.csv"): "review.read",
    ("GET", "/v1/jobs/{job_id}/review.xlsx"): "review.read",
    ("GET", "/v1/jobs/{job_id}/text"): "text.read",
    ("GET", "/v1/jobs/{job_id}/decisions"): "decision.list",
    ("PUT", "/v1/jobs/{job_id}/decisions/{rule}"): "decision.record",
    ("POST", "/v1/batches"): "batch.submit",
    ("GET", "/v1/batches/{batch_id}"): "batch.status",
    ("DELETE", "/v1/batches/{batch_id}"): "batch.delete",
    ("GET", "/v1/batches/{batch_id}/table.csv"): "table.read",
    ("GET", "/v1/batches/{batch_id}/table.xlsx"): "table.read",
    ("GET", "/v1/batches/{batch_id}/review.csv"): "review.read",
    ("GET", "/v1/batches/{batch_id}/review.xlsx"): "review.read",
    ("GET", "/v1/batches/{batch_id}/literature.csv"): "table.read",
    ("GET", "/v1/batches/{batch_id}/literature.xlsx"): "table.read",
    ("GET", "/v1/audit"): "audit.read",
    ("GET", "/v1/playbook"): "playbook.read",
    ("PUT", "/v1/playbook"): "playbook.write",
    ("DELETE", "/v1/playbook"): "playbook.reset",
}


class AccessEvent(BaseModel):
    at: datetime = Field(description="when the request was answered (UTC)")
    key_id: str = Field(description="first 12 hex digits of the API key's sha256 (never the key)")
    client: str = Field(description="the client's address as the server saw it")
    action: str = Field(description="report.read, table.read, job.delete, job.submit, …")
    object: str | None = Field(None, description="the job or batch id the request named")
    format: str | None = Field(None, description="json, md, docx, csv or xlsx for a download")
    status: int = Field(description="the HTTP status answered")


class AccessLog:
    """Buffered per-tenant JSON-lines writer over the object store (thread-safe)."""

    def __init__(self, store: ObjectStore, *, flush_s: float = FLUSH_S) -> None:
        self.store = store
        self.flush_s = flush_s
        self._lock = threading.Lock()  # guards the buffer
        self._write_lock = threading.Lock()  # one flush at a time (keeps a tenant's objects in order)
        self._buffer: dict[str, list[AccessEvent]] = defaultdict(list)
        self._flusher = Periodic("access-log", flush_s, self.flush)

    def start(self) -> None:
        self._flusher.start()

    def close(self) -> None:
        self._flusher.stop()
        self.flush()

    def record(self, tenant: str, event: AccessEvent) -> None:
        with self._lock:
            self._buffer[tenant].append(event)

    def flush(self) -> None:
        with self._write_lock:
            with self._lock:
                pending, self._buffer = self._buffer, defaultdict(list)
            for tenant, events in pending.items():
                by_day: dict[date, list[AccessEvent]] = defaultdict(list)
                for e in events:
                    by_day[e.at.date()].append(e)
                for day, lines in by_day.items():
                    # Time-ordered names: a listing returns a day's objects in write order.
                    name = f"{datetime.now(UTC):%H%M%S%f}-{uuid.uuid4().hex[:8]}.jsonl"
                    body = "".join(e.model_dump_json() + "\n" for e in lines).encode()
                    try:
                        self.store.put(keys.access(tenant, day.isoformat(), name), body)
                    except Exception:  # noqa: BLE001 - a storage outage must not fail the request path
                        log.exception("access log: %d line(s) of tenant %s not written", len(lines), tenant)

    def read(self, tenant: str, since: datetime) -> Iterator[AccessEvent]:
        """The tenant's lines at or after ``since``, oldest first (this process's buffer flushed)."""
        self.flush()
        since = since if since.tzinfo else since.replace(tzinfo=UTC)
        first = since.date()
        days = sorted(
            {k.split("/")[2] for k in self.store.list(keys.access_prefix(tenant))}
        )  # "{tenant}/access/{day}/{name}"
        found: list[AccessEvent] = []
        for day in days:
            if date.fromisoformat(day) < first:
                continue
            for key in self.store.list(f"{keys.access_prefix(tenant)}{day}/"):
                for line in self.store.get(key).splitlines():
                    event = AccessEvent.model_validate(json.loads(line))
                    if event.at >= since:
                        found.append(event)
        # Several API processes flush on their own clocks: order by when, not by object.
        return iter(sorted(found, key=lambda e: e.at))


def default_since(now: datetime | None = None) -> datetime:
    """What ``GET /v1/audit`` returns without ``since``: the last 24 hours."""
    return (now or datetime.now(UTC)) - timedelta(days=1)
