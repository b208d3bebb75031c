"""Wire models of the HTTP API (pydantic only: the client imports them without FastAPI)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.jobs.store import ErrorInfo, JobOptions, JobStatus, Progress
from pipeline.report.model import Decision
from pipeline.report.signoff import SignoffCounts
from pipeline.types import PageSpan

BatchStatus = Literal["queued", "running", "succeeded", "partially_succeeded", "failed", "canceled"]
EntryStatus = Literal[
    "queued", "ingesting", "analyzing", "consolidating", "awaiting_review", "succeeded", "failed", "canceled"
]
ReportFormat = Literal["json", "md", "docx"]

# callback_url's syntax, checked by the server as declared (deps.check_callback): http(s), a DNS
# name or a unicast IPv4 address, an optional port, printable ASCII after. Whether the host then
# resolves to an address that may receive webhooks is decided at submission (422 otherwise).
_FIRST_OCTET = r"(?:22[0-3]|2[01][0-9]|1[0-9]{2}|[1-9][0-9]?)"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_HOST = rf"(?:(?:[A-Za-z0-9-]+\.)*[A-Za-z0-9-]*[A-Za-z][A-Za-z0-9-]*|{_FIRST_OCTET}(?:\.{_OCTET}){{3}})"
_PORT = r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}|0)"
CALLBACK_URL_PATTERN = rf"^https?://{_HOST}(?::{_PORT})?(?:[/?#][\x21-\x7e]*)?$"
MAX_CALLBACK_URL = 2048


class Wire(BaseModel):
    model_config = ConfigDict(extra="forbid")


class JobRequest(JobOptions):
    """POST /v1/jobs as JSON (or form fields): a document already in the tenant's storage."""

    document_key: str = Field(
        min_length=1, max_length=1024, description="key inside the tenant, e.g. documents/<sha256>.pdf"
    )
    name: str | None = Field(default=None, max_length=255, description="display name (default: the key)")
    callback_url: str | None = Field(
        default=None, max_length=MAX_CALLBACK_URL, pattern=CALLBACK_URL_PATTERN,
        description="webhook on a terminal status",
    )  # fmt: skip


class JobUpload(Wire):
    """POST /v1/jobs as multipart/form-data: the file plus the same options as form fields."""

    file: bytes = Field(min_length=1, description="the document (PDF, DOCX, TXT or Markdown)")
    name: str | None = Field(default=None, max_length=255, description="display name (default: the file's)")
    model: str = "rules"
    profile: Literal["interactive", "batch"] = "batch"
    budget_usd: float | None = Field(default=None, gt=0)
    error_cost_usd: float = Field(default=0.0, ge=0)
    latency_target_s: float | None = Field(default=None, gt=0)
    allowed_providers: str | None = Field(default=None, description="comma-separated providers")
    self_hosted_only: bool = False
    password: str | None = None
    callback_url: str | None = Field(default=None, max_length=MAX_CALLBACK_URL, pattern=CALLBACK_URL_PATTERN)


class Cost(Wire):
    estimated_usd: float | None = None  # from the routing plan, once planned
    actual_usd: float = 0.0  # model calls made so far


class JobLinks(Wire):
    self: str
    cancel: str
    report: str | None = None  # present once a report exists
    report_md: str | None = None
    report_docx: str | None = None
    text: str | None = None  # the extracted text with its pages, once extracted
    decisions: str | None = None  # reviewers' decisions, once a report exists
    review_csv: str | None = None  # the review grid (the document's row), once the job has ended
    review_xlsx: str | None = None


class JobResource(Wire):
    id: str
    object: Literal["job"] = "job"
    status: JobStatus
    name: str
    document_key: str = Field(description="the document's key inside the tenant")
    sha256: str
    size: int
    created_at: str
    updated_at: str
    options: JobOptions
    progress: Progress
    cost: Cost
    warnings: list[str] = Field(default_factory=list)
    error: ErrorInfo | None = None
    review: SignoffCounts | None = Field(default=None, description="review items and sign-off, once reported")
    links: JobLinks


class JobList(Wire):
    object: Literal["list"] = "list"
    data: list[JobResource]
    next_cursor: str | None = Field(default=None, description="pass as ?cursor= for the next (older) page")


class JobText(Wire):
    """GET /v1/jobs/{id}/text: the extracted text every evidence offset points into."""

    text: str = Field(description="the document's text; evidence [start, end) are code-point offsets into it")
    pages: list[PageSpan] = Field(description="characters [start, end) of the text come from page number")
    media_type: str
    backend: str


class DecisionRequest(Wire):
    """PUT /v1/jobs/{id}/decisions/{rule}: a reviewer's decision on one review item."""

    action: Literal["accept", "reject", "edit"]
    value: str | None = Field(default=None, max_length=2000, description="edit: the corrected answer")
    status: Literal["meets", "deviates", "missing", "review"] | None = Field(
        default=None, description="edit: the corrected status"
    )
    comment: str = Field(default="", max_length=10_000)


class DecisionList(Wire):
    """GET /v1/jobs/{id}/decisions: the current decision per rule and every one recorded."""

    object: Literal["decisions"] = "decisions"
    job_id: str
    current: dict[str, Decision] = Field(description="rule -> its latest decision")
    history: list[Decision] = Field(description="every decision recorded, oldest first")


class Problem(Wire):
    """RFC 9457 problem details; ``code`` is longdoc's stable error code."""

    model_config = ConfigDict(extra="allow")

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    code: str
    instance: str | None = None


class BatchDocument(Wire):
    document_key: str = Field(min_length=1, max_length=1024)
    name: str | None = Field(default=None, max_length=255)


class BatchRequest(Wire):
    """POST /v1/batches as JSON: documents already in storage; ``budget_usd`` is the batch total."""

    documents: list[BatchDocument] = Field(min_length=1)
    model: str = "rules"
    profile: Literal["interactive", "batch"] = "batch"
    budget_usd: float | None = Field(default=None, gt=0, description="total, split across documents by size")
    error_cost_usd: float = Field(default=0.0, ge=0)
    latency_target_s: float | None = Field(default=None, gt=0)
    allowed_providers: list[str] | None = None
    self_hosted_only: bool = False


class BatchUpload(Wire):
    """POST /v1/batches as multipart/form-data: many ``files`` parts plus options."""

    files: list[bytes] = Field(min_length=1, description="one part per document")
    model: str = "rules"
    profile: Literal["interactive", "batch"] = "batch"
    budget_usd: float | None = Field(default=None, gt=0, description="total, split across documents by size")
    error_cost_usd: float = Field(default=0.0, ge=0)
    latency_target_s: float | None = Field(default=None, gt=0)
    allowed_providers: str | None = Field(default=None, description="comma-separated providers")
    self_hosted_only: bool = False
    password: str | None = Field(default=None, description="for encrypted PDFs")


class EntryLinks(Wire):
    job: str | None = None
    report: str | None = None


class BatchEntryOut(Wire):
    index: int
    name: str
    sha256: str | None
    job_id: str | None
    status: EntryStatus
    error: ErrorInfo | None = None
    cost_usd: float = 0.0
    duplicate_of: int | None = Field(default=None, description="entry whose job this identical file shares")
    links: EntryLinks


class BatchLinks(Wire):
    self: str
    table_csv: str
    table_xlsx: str
    review_csv: str  # the review grid: one row per document, answer and status per playbook rule
    review_xlsx: str


class BatchResource(Wire):
    id: str
    object: Literal["batch"] = "batch"
    status: BatchStatus
    created_at: str
    total: int
    counts: dict[str, int]
    budget_usd: float | None = None
    cost: Cost
    entries: list[BatchEntryOut]
    links: BatchLinks


class Health(Wire):
    status: Literal["ok"] = "ok"
    executor: str
