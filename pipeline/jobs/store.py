"""Job records: ``job.json`` in storage is the system of record for a job's status.

Status vocabulary: queued → ingesting → analyzing → consolidating → succeeded | failed | canceled,
or → awaiting_review → succeeded for a job held for sign-off (issue 19: its error cost is at or
above ``review.hold_error_cost_usd`` and its review has items that need a reviewer's decision).
``awaiting_review`` is terminal for the pipeline (the report is written, nothing runs any more);
only the last sign-off moves it on (``release_hold``), never a stage.
Progress is derived from what storage holds (segment results written / planned), never kept
twice. Cancellation is a marker object beside job.json that stages check; ``_active/`` lists the
jobs a Celery watchdog must see through to a terminal status (Redis may forget; storage not).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Literal

from pydantic import Field

from pipeline import telemetry
from pipeline.analyze.playbook import Playbook
from pipeline.errors import NotFound
from pipeline.types import DocumentKind, ExtractedText, Model, Section, SegmentPlan
from storage import keys
from storage.base import ObjectStore

JobStatus = Literal[
    "queued", "ingesting", "analyzing", "consolidating", "awaiting_review", "succeeded", "failed", "canceled"
]
TERMINAL: frozenset[str] = frozenset({"awaiting_review", "succeeded", "failed", "canceled"})
# Ended with a report a user can act on (a held job's report is there, only not final yet).
REPORTED: frozenset[str] = frozenset({"awaiting_review", "succeeded"})
ACTIVE_PREFIX = "_active/"  # not a valid tenant name, so never inside a tenant's keys
_STAMP = "%Y%m%dT%H%M%S%f"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def now_compact() -> str:
    return datetime.now(UTC).strftime(_STAMP)


def new_job_id(at: datetime | None = None) -> str:
    # Sortable by creation time (newest-first listings), unguessable suffix.
    stamp = at.astimezone(UTC).strftime(_STAMP) if at is not None else now_compact()
    return stamp + "-" + secrets.token_hex(6)


class JobOptions(Model):
    """Per-job choices; the router reads them as its policy (see pipeline/routing.py)."""

    model: str = "rules"  # "auto" lets the router choose per segment; any catalog id pins it
    profile: Literal["interactive", "batch"] = "batch"
    budget_usd: float | None = Field(default=None, gt=0)
    error_cost_usd: float = Field(default=0.0, ge=0)
    latency_target_s: float | None = Field(default=None, gt=0)
    allowed_providers: list[str] | None = None
    self_hosted_only: bool = False
    password: str | None = Field(default=None, exclude=True)  # never written to storage


class ErrorInfo(Model):
    code: str
    message: str


class Transition(Model):
    status: JobStatus
    at: str


class Progress(Model):
    segments_total: int = 0
    segments_done: int = 0
    segments_failed: int = 0
    percent: float = 0.0


class JobRecord(Model):
    job_id: str
    tenant: str
    name: str
    document_key: str
    sha256: str
    size: int
    options: JobOptions = Field(default_factory=JobOptions)
    status: JobStatus = "queued"
    transitions: list[Transition] = Field(default_factory=list)
    error: ErrorInfo | None = None
    warnings: list[str] = Field(default_factory=list)
    created_at: str = Field(default_factory=now)
    # Runs started per stage ("run" for an executor running the whole job in one process;
    # "ingest"/"plan"/"consolidate" for Celery tasks): a run that crashes its process is only
    # known by its start, so starts are what is counted (see stages.begin_attempt).
    attempts: dict[str, int] = Field(default_factory=dict)
    # What the job had spent (USD) when it ended early (canceled or failed after planning).
    spent_usd: float | None = None
    # The review playbook (``longdoc analyze --playbook FILE``), carried whole so every worker
    # reviews alike; None: the shipped default. Not a JobOption: the API takes none yet.
    playbook: Playbook | None = None

    def moved(self, status: JobStatus, error: ErrorInfo | None = None) -> JobRecord:
        return self.model_copy(
            update={"status": status, "error": error or self.error,
                    "transitions": [*self.transitions, Transition(status=status, at=now())]}
        )  # fmt: skip


class DocumentText(Model):
    """``text.json``: the extracted text every offset refers to, its sections and kind."""

    extracted: ExtractedText
    sections: list[Section]
    kind: DocumentKind


class JobStore:
    """Typed access to one tenant's job objects in an ``ObjectStore``."""

    def __init__(self, store: ObjectStore, tenant: str) -> None:
        self.store = store
        self.tenant = tenant

    def create(
        self, data: bytes, name: str, options: JobOptions | None = None, ext: str = "bin",
        *, created_at: datetime | None = None, playbook: Playbook | None = None,
    ) -> JobRecord:  # fmt: skip
        """A new queued job; ``created_at`` (default: now) dates it, e.g. a job imported from
        elsewhere or a retention test's old job: its id, ``created_at`` and first transition."""
        sha = hashlib.sha256(data).hexdigest()
        doc_key = keys.document(self.tenant, sha, ext)
        if not self.store.exists(doc_key):
            self.store.put(doc_key, data)
        job = JobRecord(job_id=new_job_id(created_at), tenant=self.tenant, name=name, document_key=doc_key,
                        sha256=sha, size=len(data), options=options or JobOptions(), playbook=playbook)  # fmt: skip
        if created_at is not None:
            at = created_at.astimezone(UTC).isoformat(timespec="milliseconds")
            job = job.model_copy(update={"created_at": at,
                                         "transitions": [Transition(status="queued", at=at)]})  # fmt: skip
        else:
            job = job.moved("queued")
        self.register(job)
        return job

    def register(self, job: JobRecord) -> None:
        """Save a new job and list it in the tenant's job index (whoever created it: CLI, API, batch)."""
        self.save(job)
        self.store.put(keys.job_index(self.tenant, job.job_id), b"")
        telemetry.job_moved(None, job.status)

    def save(self, job: JobRecord) -> None:
        self.store.put_json(keys.job_file(self.tenant, job.job_id, "job.json"), job)

    def load(self, job_id: str) -> JobRecord:
        return JobRecord.model_validate_json(self.store.get(keys.job_file(self.tenant, job_id, "job.json")))

    def document_bytes(self, job: JobRecord) -> bytes:
        return self.store.get(job.document_key)

    def save_text(self, job_id: str, doc: DocumentText) -> None:
        self.store.put(keys.job_file(self.tenant, job_id, "text.json"), doc.model_dump_json().encode())

    def load_text(self, job_id: str) -> DocumentText:
        return DocumentText.model_validate_json(
            self.store.get(keys.job_file(self.tenant, job_id, "text.json"))
        )

    def save_plan(self, job_id: str, plan: SegmentPlan) -> None:
        self.store.put_json(keys.job_file(self.tenant, job_id, "plan.json"), plan)

    def load_plan(self, job_id: str) -> SegmentPlan:
        return SegmentPlan.model_validate_json(
            self.store.get(keys.job_file(self.tenant, job_id, "plan.json"))
        )

    def segment_key(self, job_id: str, index: int) -> str:
        return keys.segment(self.tenant, job_id, index)

    def stored_segments(self, job_id: str) -> set[str]:
        """Keys of the segment results in storage (one listing)."""
        return set(self.store.list(keys.job_prefix(self.tenant, job_id) + "segments/"))

    def missing_segments(self, job_id: str, plan: SegmentPlan) -> list[int]:
        """Planned segments without a result in storage."""
        stored = self.stored_segments(job_id)
        return [i for i in range(len(plan.segments)) if self.segment_key(job_id, i) not in stored]

    def progress(self, job_id: str, plan: SegmentPlan | None) -> Progress:
        if plan is None:
            return Progress()
        done = self.stored_segments(job_id)
        total = len(plan.segments)
        return Progress(segments_total=total, segments_done=len(done),
                        percent=round(100.0 * len(done) / total, 1) if total else 0.0)  # fmt: skip

    # Cancellation: a marker object, so any process holding the store can cancel.
    def cancel_key(self, job_id: str) -> str:
        return keys.job_file(self.tenant, job_id, "cancel")

    def request_cancel(self, job_id: str) -> bool:
        """Ask a running job to stop; False when it already finished."""
        if self.load(job_id).status in TERMINAL:
            return False
        self.store.put_json(self.cancel_key(job_id), {"requested_at": now()})
        return True

    def cancel_requested(self, job_id: str) -> bool:
        # An erased job is canceled too: erase removes the marker but leaves the tombstone.
        return self.store.exists(self.cancel_key(job_id)) or self.store.exists(
            keys.tombstone(self.tenant, job_id)
        )

    # The active index: jobs handed to a distributed executor and not yet terminal.
    def active_key(self, job_id: str) -> str:
        return f"{ACTIVE_PREFIX}{keys.check_part(self.tenant, 'tenant')}/{keys.check_part(job_id, 'job id')}"

    def mark_active(self, job_id: str) -> None:
        self.store.put(self.active_key(job_id), b"")

    def clear_active(self, job_id: str) -> None:
        self.store.delete(self.active_key(job_id))

    def has(self, name: str, job_id: str) -> bool:
        return self.store.exists(keys.job_file(self.tenant, job_id, name))

    def last_progress_at(self, job: JobRecord) -> datetime:
        """The newest sign of life in storage: a status transition or a model call starting."""
        stamps = [datetime.fromisoformat(t.at) for t in job.transitions]
        stamps.append(datetime.fromisoformat(job.created_at))
        for key in self.store.list(keys.job_prefix(self.tenant, job.job_id) + "audit/"):
            parts = key.rsplit("/", 1)[-1].split("-")
            if len(parts) >= 3:
                try:
                    stamps.append(datetime.strptime(parts[2], _STAMP).replace(tzinfo=UTC))
                except ValueError:
                    continue
        return max(stamps)


def active_jobs(store: ObjectStore) -> Iterator[tuple[str, str]]:
    """(tenant, job_id) of every job in the active index."""
    for key in store.list(ACTIVE_PREFIX):
        parts = key[len(ACTIVE_PREFIX) :].split("/")
        if len(parts) == 2:
            yield parts[0], parts[1]


def load_or_none(js: JobStore, job_id: str) -> JobRecord | None:
    try:
        return js.load(job_id)
    except NotFound:
        return None
