"""Batches: many documents, one job per distinct document, one record in storage.

``{tenant}/batches/{batch_id}/batch.json`` lists the entries in the order given: name,
sha256, the job analysing it, or the coded error that kept it from getting one. Identical
files (same sha256) share one job (``duplicate_of`` names the first entry). A total budget is
one pool (``pipeline.routing.budget``): allocated to the distinct documents in proportion to
their size, spent as they run, what a finished document left over goes to the others, and a
segment the pool cannot pay for runs on ``rules`` (``degraded: budget``) instead of failing
its document. The batch status is derived from its jobs: running while any runs, then
succeeded, partially_succeeded or failed.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from dataclasses import dataclass
from typing import BinaryIO

from pydantic import Field

from pipeline.api.problems import ProblemError, gone, not_found
from pipeline.api.schemas import BatchEntryOut, BatchLinks, BatchResource, BatchStatus, Cost, EntryLinks
from pipeline.api.service import JobService
from pipeline.api.uploads import Inspected
from pipeline.errors import LongdocError, NotFound
from pipeline.jobs.store import TERMINAL, ErrorInfo, JobOptions, new_job_id, now
from pipeline.report.model import Report
from pipeline.report.tables import TableRow
from pipeline.routing.budget import LOCAL_POOLS, allocate
from pipeline.types import Model
from storage import keys


class BatchEntry(Model):
    index: int
    name: str
    sha256: str | None = None
    size: int = 0
    job_id: str | None = None
    error: ErrorInfo | None = None
    duplicate_of: int | None = None


class BatchRecord(Model):
    batch_id: str
    tenant: str
    created_at: str = Field(default_factory=now)
    options: JobOptions = Field(default_factory=JobOptions)
    budget_usd: float | None = None
    source: str | None = None  # what a CLI batch was made from (folder or manifest)
    entries: list[BatchEntry] = Field(default_factory=list)


@dataclass
class BatchInput:
    """One document offered to a batch: an upload, a stored key, or an error found up front."""

    name: str
    info: Inspected | None = None
    upload: BinaryIO | None = None
    document_key: str | None = None
    error: LongdocError | None = None


def batch_key(tenant: str, batch_id: str) -> str:
    return f"{keys.check_part(tenant, 'tenant')}/batches/{keys.check_part(batch_id, 'batch id')}/batch.json"


def batch_tombstone(tenant: str, batch_id: str) -> str:
    return batch_key(tenant, batch_id).rsplit("/", 1)[0] + "/" + keys.TOMBSTONE


class BatchTombstone(Model):
    """What is left of an erased batch: its jobs' ids (each has its own tombstone) and their cost."""

    batch_id: str
    tenant: str
    created_at: str
    deleted_at: str
    deleted_by: str
    job_ids: list[str]
    cost_usd: float


class BatchService:
    def __init__(self, jobs: JobService) -> None:
        self.jobs = jobs
        self.store = jobs.store

    def create(
        self,
        tenant: str,
        docs: list[BatchInput],
        options: JobOptions,
        *,
        budget_usd: float | None = None,
        batch_id: str | None = None,
        source: str | None = None,
        reuse: dict[str, str] | None = None,
    ) -> BatchRecord:
        """Record the batch and submit one job per distinct document (``reuse``: sha → finished job)."""
        record = BatchRecord(batch_id=batch_id or new_job_id(), tenant=tenant, options=options,
                             budget_usd=budget_usd, source=source)  # fmt: skip
        first: dict[str, int] = {}
        entries: list[BatchEntry] = []
        new_jobs: dict[str, int] = {}  # job id -> document size, submitted once the pool exists
        for i, d in enumerate(docs):
            e = BatchEntry(index=i, name=d.name)
            if d.error is not None or d.info is None:
                err = d.error or LongdocError("no document")
                e.error = ErrorInfo(code=err.code, message=err.message)
                entries.append(e)
                continue
            e.sha256, e.size = d.info.sha256, d.info.size
            if d.info.sha256 in first:  # identical bytes: analysed once
                e.duplicate_of = first[d.info.sha256]
                e.job_id = entries[e.duplicate_of].job_id
            elif reuse and d.info.sha256 in reuse:
                first[d.info.sha256] = i
                e.job_id = reuse[d.info.sha256]
            else:
                first[d.info.sha256] = i
                opts = options.model_copy(update={"budget_usd": None}) if budget_usd is not None else options
                job = self.jobs.create(tenant, name=d.name, options=opts, info=d.info, upload=d.upload,
                                       document_key=d.document_key, batch_id=record.batch_id, submit=False)  # fmt: skip
                e.job_id = job.job_id
                new_jobs[job.job_id] = d.info.size
            entries.append(e)
        record.entries = entries
        self.store.put_json(batch_key(tenant, record.batch_id), record)
        if budget_usd is not None:  # before any job starts: its plan looks for the pool
            self._create_pool(
                tenant, record.batch_id, budget_usd - self._spent(tenant, entries, new_jobs), new_jobs
            )
        for job_id in new_jobs:
            self.jobs.runner.submit(tenant, job_id, password=options.password)
        return record

    def _spent(self, tenant: str, entries: list[BatchEntry], new_jobs: dict[str, int]) -> float:
        """What the documents reused from an earlier run of the batch already spent."""
        spent = 0.0
        for e in entries:
            if e.job_id and e.duplicate_of is None and e.job_id not in new_jobs:
                with contextlib.suppress(ProblemError):
                    spent += self.jobs.resource(tenant, e.job_id).cost.actual_usd
        return spent

    def _create_pool(self, tenant: str, batch_id: str, total_usd: float, sizes: dict[str, int]) -> None:
        total_usd = max(0.0, total_usd)
        allocations = allocate(total_usd, sizes)
        if (
            self.jobs.settings.execution.executor == "celery"
        ):  # the jobs run on workers: the ledger is in Redis
            from pipeline.routing.spend import RedisPool

            RedisPool.from_settings(self.jobs.settings, tenant, batch_id).create(total_usd, allocations)
        else:
            LOCAL_POOLS.create(tenant, batch_id, total_usd, allocations)

    def load(self, tenant: str, batch_id: str) -> BatchRecord:
        try:
            return BatchRecord.model_validate_json(self.store.get(batch_key(tenant, batch_id)))
        except ValueError:
            raise not_found("batch") from None
        except NotFound:
            if self.store.exists(batch_tombstone(tenant, batch_id)):
                raise gone("batch") from None
            raise not_found("batch") from None

    def erase(self, tenant: str, batch_id: str, *, by: str) -> None:
        """Erase every job of the batch (see ``JobService.erase``), then the batch record; a
        tombstone stays. Erasing an erased batch again is harmless."""
        try:
            record = self.load(tenant, batch_id)
        except ProblemError as exc:
            if exc.status == 410:
                return
            raise
        job_ids = list(dict.fromkeys(e.job_id for e in record.entries if e.job_id))
        cost = 0.0
        for job_id in job_ids:
            try:
                cost += self.jobs.erase(tenant, job_id, by=by).cost_usd
            except ProblemError:  # a job already gone from storage: nothing left to erase
                continue
        tomb = BatchTombstone(batch_id=batch_id, tenant=tenant, created_at=record.created_at, deleted_at=now(),
                              deleted_by=by, job_ids=job_ids, cost_usd=round(cost, 6))  # fmt: skip
        self.store.put_json(batch_tombstone(tenant, batch_id), tomb)
        self.store.delete(batch_key(tenant, batch_id))

    def entries(self, tenant: str, record: BatchRecord) -> list[BatchEntryOut]:
        out: list[BatchEntryOut] = []
        for e in record.entries:
            if e.job_id is None:
                out.append(BatchEntryOut(index=e.index, name=e.name, sha256=e.sha256, job_id=None, status="failed",
                                         error=e.error, links=EntryLinks()))  # fmt: skip
                continue
            try:
                res = self.jobs.resource(tenant, e.job_id)
            except ProblemError:
                err = ErrorInfo(code="not_found", message="the job for this document is missing")
                out.append(BatchEntryOut(index=e.index, name=e.name, sha256=e.sha256, job_id=e.job_id,
                                         status="failed", error=err, links=EntryLinks()))  # fmt: skip
                continue
            # A shared job's cost is counted once, on the first entry.
            cost = 0.0 if e.duplicate_of is not None else res.cost.actual_usd
            out.append(BatchEntryOut(index=e.index, name=e.name, sha256=e.sha256, job_id=e.job_id, status=res.status,
                                     error=res.error, cost_usd=cost, duplicate_of=e.duplicate_of,
                                     links=EntryLinks(job=res.links.self, report=res.links.report)))  # fmt: skip
        return out

    def resource(self, tenant: str, record: BatchRecord) -> BatchResource:
        entries = self.entries(tenant, record)
        counts: Counter[str] = Counter(e.status for e in entries)
        estimated = 0.0
        for e in record.entries:
            if e.job_id and e.duplicate_of is None:
                with contextlib.suppress(ProblemError):  # a missing job shows as a failed entry
                    estimated += self.jobs.resource(tenant, e.job_id).cost.estimated_usd or 0.0
        base = f"/v1/batches/{record.batch_id}"
        return BatchResource(
            id=record.batch_id, status=batch_status(counts), created_at=record.created_at, total=len(entries),
            counts=dict(counts), budget_usd=record.budget_usd,
            cost=Cost(estimated_usd=round(estimated, 6), actual_usd=round(sum(e.cost_usd for e in entries), 6)),
            entries=entries,
            links=BatchLinks(self=base, table_csv=f"{base}/table.csv", table_xlsx=f"{base}/table.xlsx",
                             review_csv=f"{base}/review.csv", review_xlsx=f"{base}/review.xlsx"),
        )  # fmt: skip

    def rows(self, tenant: str, record: BatchRecord) -> list[TableRow]:
        """One table row per entry (in order), with its report when it has one."""
        reports: dict[str, Report | None] = {}
        rows: list[TableRow] = []
        for e in self.entries(tenant, record):
            report = None
            if e.job_id and e.links.report:
                if e.job_id not in reports:
                    try:
                        raw = self.store.get(keys.job_file(tenant, e.job_id, "report.json"))
                        reports[e.job_id] = Report.model_validate_json(raw)
                    except (NotFound, ValueError):
                        reports[e.job_id] = None
                report = reports[e.job_id]
            rows.append(TableRow(name=e.name, status=e.status, error_code=e.error.code if e.error else "",
                                 cost_usd=e.cost_usd, report=report))  # fmt: skip
        return rows


def batch_status(counts: Counter[str]) -> BatchStatus:
    total = sum(counts.values())
    running = sum(n for s, n in counts.items() if s not in TERMINAL)
    if running:
        return "queued" if counts.get("queued", 0) == total else "running"
    ok = counts.get("succeeded", 0) + counts.get("awaiting_review", 0)  # held: reported, not signed off
    if ok == total:
        return "succeeded"
    if ok:
        return "partially_succeeded"
    return "canceled" if counts.get("canceled", 0) == total else "failed"
