"""Retention: erase a tenant's jobs once they are older than its rule (issue 15, item 2).

``purge`` is the one function: ``longdoc purge --older-than 30d`` calls it for one tenant, and
``sweep`` (what the ``longdoc serve`` thread and the Celery beat task run every
``LONGDOC_RETENTION_SWEEP_INTERVAL_S``) calls it for each tenant of ``LONGDOC_RETENTION_DAYS``,
and for no other tenant. Each expired job goes through ``erase_job(..., by="retention")``, so a
purged job leaves exactly what a ``DELETE`` leaves: its tombstone.

Age is the job's ``created_at`` (job.json). Jobs are found through the tenant's job index
(one empty object per job), never by walking every job's files. A job still running when it
expires is canceled, then erased: no job legitimately runs for days (the watchdog fails a stalled
job within ``LONGDOC_JOB_STALL_TIMEOUT_S``, a queued one within a day), so an old job that is not
terminal is one whose process died; skipping it would keep its document for ever. Its workers, if
any, stop on the tombstone and their late writes remove themselves (see ``erase``).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pipeline.config import RetentionConfig
from pipeline.errors import NotFound
from pipeline.jobs.erase import erase_job, load_tombstone
from pipeline.jobs.periodic import Periodic
from pipeline.jobs.store import JobRecord, JobStore
from storage import keys
from storage.base import ObjectStore

log = logging.getLogger("longdoc.retention")

_DURATION = re.compile(r"^\s*(\d{1,6})\s*([dhm])\s*$")
_UNIT = {"d": "days", "h": "hours", "m": "minutes"}
MAX_AGE = timedelta(days=100 * 365)


def parse_duration(text: str) -> timedelta:
    """``30d``, ``12h``, ``90m`` -> a timedelta; ``ValueError`` with a one-line reason otherwise."""
    m = _DURATION.match(text)
    if not m:
        raise ValueError(f"invalid duration {text!r}: use a whole number and d, h or m (e.g. 30d, 12h, 90m)")
    age = timedelta(**{_UNIT[m.group(2)]: int(m.group(1))})
    if not timedelta(0) < age <= MAX_AGE:
        raise ValueError(f"invalid duration {text!r}: must be more than 0 and at most 100 years")
    return age


@dataclass(frozen=True)
class Expired:
    tenant: str
    job_id: str
    created_at: str
    status: str


@dataclass
class PurgeResult:
    """What a purge erased (or, dry run, would erase)."""

    tenant: str
    dry_run: bool
    jobs: list[Expired] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [j.job_id for j in self.jobs]

    @property
    def count(self) -> int:
        return len(self.jobs)


def _created(job: JobRecord) -> datetime | None:
    try:
        at = datetime.fromisoformat(job.created_at)
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def expired_jobs(
    store: ObjectStore, tenant: str, older_than: timedelta, now: datetime | None = None
) -> list[Expired]:
    """The tenant's jobs created more than ``older_than`` before ``now`` (default: the current
    time), oldest first; jobs already erased (a tombstone) or unreadable are left out."""
    cutoff = (now or datetime.now(UTC)) - older_than
    js = JobStore(store, tenant)
    found: list[tuple[datetime, Expired]] = []
    for index_key in store.list(keys.job_index_prefix(tenant)):
        job_id = index_key.rsplit("/", 1)[1]
        try:
            job = js.load(job_id)
        except NotFound:
            continue  # being created, or erased since the listing
        except ValueError as exc:
            log.warning("retention: %s/%s skipped, unreadable job.json: %s", tenant, job_id, exc)
            continue
        created = _created(job)
        if created is None or created >= cutoff:
            continue
        if load_tombstone(store, tenant, job_id) is not None:
            continue  # erased already (an erase that crashed before dropping the index entry)
        found.append((created, Expired(tenant, job_id, job.created_at, job.status)))
    return [e for _, e in sorted(found, key=lambda t: (t[0], t[1].job_id))]


def purge(
    store: ObjectStore,
    tenant: str,
    older_than: timedelta,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
) -> PurgeResult:
    """Erase (``dry_run``: only list) the tenant's jobs older than ``older_than``."""
    result = PurgeResult(tenant=tenant, dry_run=dry_run)
    js = JobStore(store, tenant)

    def cancel(rec: JobRecord) -> None:  # the marker; the tombstone written next stops it too
        js.request_cancel(rec.job_id)

    for job in expired_jobs(store, tenant, older_than, now):
        if not dry_run:
            try:
                erase_job(store, tenant, job.job_id, by="retention", cancel=cancel)
            except NotFound:
                continue  # erased by someone else since the listing
        result.jobs.append(job)
    if not dry_run and result.jobs:
        log.info("retention: %s: %d job(s) older than %s erased", tenant, result.count, older_than)
    return result


def sweep(store: ObjectStore, config: RetentionConfig, *, now: datetime | None = None) -> list[PurgeResult]:
    """One pass of the configured rules: each tenant of ``config.days``, and only those."""
    results: list[PurgeResult] = []
    for tenant, days in sorted(config.days.items()):
        try:
            results.append(purge(store, tenant, timedelta(days=days), now=now))
        except Exception as exc:  # one tenant's failure (a bad name, storage down) spares the others
            log.warning("retention sweep of tenant %r failed: %s: %s", tenant, type(exc).__name__, exc)
    return results


class RetentionSweeper:
    """``sweep`` at start and then every ``config.sweep_interval_s`` on a daemon thread (``longdoc
    serve`` with the local executor; the Celery beat task does it in the distributed mode)."""

    def __init__(self, store: ObjectStore, config: RetentionConfig) -> None:
        self.store = store
        self.config = config
        self.passes = 0  # sweeps completed (tests wait on it)
        self._loop = Periodic("retention", config.sweep_interval_s, self._tick, first_now=True)

    def start(self) -> None:
        if self.config.days:
            self._loop.start()

    def stop(self) -> None:
        self._loop.stop()

    def _tick(self) -> None:
        sweep(self.store, self.config)
        self.passes += 1
