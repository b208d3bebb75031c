"""Erase a job on request: every object it produced or uploaded goes, a small tombstone stays.

``erase_job`` is what ``DELETE /v1/jobs/{id}`` runs, and what a retention sweep calls per expired
job. Order matters (see ``storage.base.ObjectStore``): the tombstone is written *first*, then the
job's folder is listed and emptied, so a worker still finishing a segment either wrote before the
tombstone (its object is listed and deleted here) or after it (its own write finds the tombstone
and deletes itself). Objects outside the folder that the job wrote or read (cached model answers)
are named by reference objects under ``refs/`` in the folder and deleted with them.

The tombstone keeps what accounting needs and nothing of the document: ids, times, who erased
it, the document's sha256 and what the job had cost. Erasing again is harmless: it sweeps again
(finishing an erase that crashed halfway) and keeps the first tombstone.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from pipeline import telemetry
from pipeline.errors import NotFound
from pipeline.jobs.store import TERMINAL, JobRecord, JobStore, now
from pipeline.types import Model
from storage import keys
from storage.base import ObjectStore

log = logging.getLogger("longdoc.jobs")


class Tombstone(Model):
    """``{tenant}/jobs/{id}/tombstone.json``: all that is left of an erased job."""

    job_id: str
    tenant: str
    created_at: str
    deleted_at: str
    deleted_by: str  # the API key id (or "cli", "retention"): who asked
    status: str  # the job's status when it was erased
    sha256: str
    cost_usd: float
    # The content-addressed upload, erased unless another job of the tenant still uses it (then
    # that job's own erase removes it); a document the tenant stored itself is never ours to erase.
    document_key: str
    document_erased: bool = False
    objects_erased: int = 0


def load_tombstone(store: ObjectStore, tenant: str, job_id: str) -> Tombstone | None:
    try:
        return Tombstone.model_validate_json(store.get(keys.tombstone(tenant, job_id)))
    except NotFound:
        return None


def erase_job(
    store: ObjectStore,
    tenant: str,
    job_id: str,
    *,
    by: str,
    cancel: Callable[[JobRecord], None] | None = None,
) -> Tombstone:
    """Erase the job (``NotFound`` when the tenant has no such job); returns its tombstone.

    ``cancel`` is called first for a job still running, so its workers stop calling models (they
    also stop on seeing the tombstone, at their next segment or stage).
    """
    tomb = load_tombstone(store, tenant, job_id)
    if tomb is None:
        job = JobStore(store, tenant).load(job_id)
        if cancel is not None and job.status not in TERMINAL:
            cancel(job)
        tomb = Tombstone(
            job_id=job_id, tenant=tenant, created_at=job.created_at, deleted_at=now(), deleted_by=by,
            status=job.status, sha256=job.sha256, cost_usd=_cost(store, tenant, job),
            document_key=job.document_key,
        )  # fmt: skip
        store.put_json(keys.tombstone(tenant, job_id), tomb)  # first: from here on writes undo themselves
        first = True
        if job.status == "awaiting_review":  # terminal yet counted as waiting: nothing else moves it
            telemetry.job_erased(job.status)
    else:
        first = False
    erased = _sweep(store, tenant, job_id)
    store.delete(keys.job_index(tenant, job_id))
    store.delete(JobStore(store, tenant).active_key(job_id))
    document_erased = tomb.document_erased or _erase_document(store, tenant, job_id, tomb.document_key)
    if first or document_erased != tomb.document_erased:
        tomb = tomb.model_copy(update={"document_erased": document_erased,
                                       "objects_erased": tomb.objects_erased + erased})  # fmt: skip
        store.put_json(keys.tombstone(tenant, job_id), tomb)
    log.info("job %s/%s erased by %s: %d object(s)", tenant, job_id, by, erased)
    return tomb


def _sweep(store: ObjectStore, tenant: str, job_id: str) -> int:
    """Delete everything in the job's folder but the tombstone, referenced objects first."""
    tomb_key = keys.tombstone(tenant, job_id)
    found = [k for k in store.list(keys.job_prefix(tenant, job_id)) if k != tomb_key]
    refs = [k for k in found if keys.referenced(tenant, k) is not None]
    for ref in refs:  # the object before its reference: a crash in between leaves the reference to retry
        target = keys.referenced(tenant, ref)
        assert target is not None
        store.delete(target)
        store.delete(ref)
    for key in found:
        if key not in refs:
            store.delete(key)
    return len(found)


def _erase_document(store: ObjectStore, tenant: str, job_id: str, document_key: str) -> bool:
    """Delete the job's uploaded document unless another job of the tenant still names it."""
    if not document_key.startswith(f"{tenant}/documents/"):
        return False  # the tenant's own object, submitted by key: not ours to erase
    for index_key in store.list(keys.job_index_prefix(tenant)):
        other = index_key.rsplit("/", 1)[1]
        if other == job_id:
            continue
        try:
            raw = json.loads(store.get(keys.job_file(tenant, other, "job.json")))
        except (NotFound, ValueError):
            continue  # being written or erased
        if isinstance(raw, dict) and raw.get("document_key") == document_key:
            return False
    store.delete(document_key)
    return True


def _cost(store: ObjectStore, tenant: str, job: JobRecord) -> float:
    """What the job had spent: its report's total, else what it recorded on ending early, else
    the sum of its stored segment results (a job erased mid-run)."""
    try:
        report = json.loads(store.get(keys.job_file(tenant, job.job_id, "report.json")))
        return float(report["summary"]["cost_usd"])
    except (NotFound, ValueError, KeyError, TypeError):
        pass
    if job.spent_usd is not None:
        return job.spent_usd
    total = 0.0
    for key in store.list(keys.job_prefix(tenant, job.job_id) + "segments/"):
        try:
            total += float(json.loads(store.get(key))["usage"]["cost_usd"])
        except (NotFound, ValueError, KeyError, TypeError):
            continue
    return round(total, 6)
