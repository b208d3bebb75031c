"""Typed settings: small groups, built once at start-up by an entry point and passed down.

``Settings()`` (entry points: the CLI, the Celery worker entry point, bench scripts)
builds every group from the environment; library code takes the narrowest group it needs
(ingestion takes ``LimitsConfig``, the storage factory ``StorageConfig``) or ``Settings``, and
never builds one itself. Tests build what they need, e.g.
``Settings(storage=StorageConfig(dir=tmp), execution=ExecutionConfig(executor="celery"))``;
a group's other fields still come from the environment.

Each group is a ``BaseSettings`` with its own ``env_prefix``, chosen so the environment
variable names stay those of the former flat settings: ``LONGDOC_MAX_TEXT_CHARS`` ->
``settings.limits.max_text_chars``, ``LONGDOC_SEGMENT_MAX_TOKENS`` ->
``settings.segment.max_tokens``, ``LONGDOC_STORAGE`` -> ``settings.storage.kind``. A field whose
env name does not follow its group's prefix has a ``validation_alias`` (pydantic-settings uses
an alias as the whole env name, without the prefix:
https://docs.pydantic.dev/latest/concepts/pydantic_settings/ , PR pydantic/pydantic-settings#25),
with ``populate_by_name`` so code still passes it by field name. ``Settings`` itself is a plain
model: as a ``BaseSettings`` it would read ``LONGDOC_STORAGE`` as its ``storage`` group.
"""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _group(prefix: str) -> SettingsConfigDict:
    # extra="forbid": a field passed to the wrong group fails loudly instead of being dropped.
    return SettingsConfigDict(env_prefix=prefix, extra="forbid", populate_by_name=True)


class OcrConfig(BaseSettings):
    """OCR of PDF pages without a text layer (Tesseract). Env: ``LONGDOC_OCR_<FIELD>``."""

    model_config = _group("LONGDOC_OCR_")

    # false: scanned pages stay empty (a mostly scanned PDF fails with `no_text_layer`).
    enabled: bool = True
    # Measured on linn/skew (bench/bench_ocr.py, CPU s per page): 100 dpi 0.97 (2.2 s), 150
    # 0.99 (2.6 s), 200 0.99 (3.2 s), 300 0.99 (3.6 s). 200 keeps a margin for print smaller
    # than that brochure's (footnotes at 150 dpi have the glyph height of linn at 100 dpi).
    dpi: int = Field(200, ge=50, le=600)
    # Tesseract language codes joined by "+", e.g. "eng+fra"; each needs its traineddata.
    languages: str = Field("eng", pattern=r"^[A-Za-z_]+(\+[A-Za-z_]+)*$")
    # A page is rendered smaller when it would pass this many pixels (posters, huge pages).
    max_pixels: int = Field(12_000_000, ge=1_000_000)
    # One page's Tesseract run; past it the page is left empty with a warning.
    page_timeout_s: float = Field(120.0, gt=0.0)


class LimitsConfig(BaseSettings):
    """What one document may be and grow into (ingestion). Env: ``LONGDOC_<FIELD>``."""

    model_config = _group("LONGDOC_")

    max_document_bytes: int = Field(200 * 1024 * 1024, ge=1)
    pdf_backend: Literal["pypdfium2", "pypdf"] = "pypdfium2"
    # Zip-bomb guard for DOCX: total uncompressed size and per-member ratio.
    docx_max_uncompressed_bytes: int = 512 * 1024 * 1024
    docx_max_compression_ratio: float = 200.0
    # Hard limits on what one document may grow into, checked while extracting (not after
    # building the whole string); each ends in a coded error (`too_large`).
    max_text_chars: int = Field(50_000_000, ge=1)
    max_document_tokens: int = Field(15_000_000, ge=1)
    # No contract or paper has a million characters without a space or line break; such text
    # (a 50 MB single line) is refused at once instead of being analyzed as 0 findings.
    max_run_chars: int = Field(1_000_000, ge=1)
    docx_max_paragraphs: int = Field(1_000_000, ge=1)
    # Word offers list levels 0-8; deeper w:ilvl values are clamped to the last level.
    docx_max_list_depth: int = Field(9, ge=1)
    # A list start/counter beyond this is clamped (Word and LibreOffice cap them too), so a
    # 2 KB numbering definition cannot render megabyte-long labels.
    docx_max_numbering_value: int = Field(32_767, ge=1)
    ocr: OcrConfig = Field(default_factory=OcrConfig)  # PDF pages without a text layer


class SegmentConfig(BaseSettings):
    """Segmenting (tokens, o200k_base). Env: ``LONGDOC_SEGMENT_<FIELD>``."""

    model_config = _group("LONGDOC_SEGMENT_")

    threshold_tokens: int = Field(150_000, ge=1)
    min_tokens: int = Field(60_000, ge=1)
    max_tokens: int = Field(100_000, ge=1)

    @model_validator(mode="after")
    def _check_bounds(self) -> SegmentConfig:
        if not self.min_tokens <= self.max_tokens:
            raise ValueError("segment min_tokens must not exceed max_tokens")
        if self.threshold_tokens < self.max_tokens:
            raise ValueError("segment threshold_tokens must be at least max_tokens")
        return self


class S3Config(BaseSettings):
    """Any S3-compatible endpoint, reached through the minio SDK. Env: ``LONGDOC_S3_<FIELD>``."""

    model_config = _group("LONGDOC_S3_")

    endpoint: str = "localhost:9000"
    access_key: SecretStr | None = None
    secret_key: SecretStr | None = None
    bucket: str = "longdoc"
    region: str = "us-east-1"
    secure: bool = False
    # Server-side encryption of every write: SSE-S3 by default; SSE-KMS with this key id (and
    # optional encryption context) when a key id is set; "none" only for a service without SSE.
    sse: Literal["none", "s3", "kms"] = "s3"
    kms_key_id: str | None = None
    kms_context: dict[str, str] = Field(default_factory=dict)
    # Multipart part size: S3 allows 5 MiB..5 GiB; memory per upload is a few parts.
    part_size: int = Field(16 * 1024 * 1024, ge=5 * 1024 * 1024, le=5 * 1024 * 1024 * 1024)
    # SigV4 presigned URLs live at most 7 days. LONGDOC_PRESIGN_EXPIRY_S is the historical name.
    presign_expiry_s: int = Field(
        3600,
        ge=1,
        le=7 * 24 * 3600,
        validation_alias=AliasChoices("LONGDOC_PRESIGN_EXPIRY_S", "LONGDOC_S3_PRESIGN_EXPIRY_S"),
    )


class StorageConfig(BaseSettings):
    """Where jobs live. Env: ``LONGDOC_STORAGE`` (kind), ``LONGDOC_STORAGE_DIR``, ``LONGDOC_TENANT``."""

    model_config = _group("LONGDOC_STORAGE_")

    kind: Literal["local", "s3"] = Field("local", validation_alias="LONGDOC_STORAGE")
    dir: Path = Path(".longdoc")
    tenant: str = Field("default", validation_alias="LONGDOC_TENANT")
    s3: S3Config = Field(default_factory=S3Config)  # used when kind == "s3"


class RedisConfig(BaseSettings):
    """Env: ``LONGDOC_REDIS_URL``."""

    model_config = _group("LONGDOC_REDIS_")

    url: str = "redis://127.0.0.1:6379/0"


class ExecutionConfig(BaseSettings):
    """Executors, Celery limits and the watchdog. Env: ``LONGDOC_<FIELD>``."""

    model_config = _group("LONGDOC_")

    executor: Literal["local", "celery"] = "local"
    workers: int = Field(4, ge=1)
    # Added to every call of the offline `rules` model: stands in for LLM latency in
    # benchmarks and fault tests. 0 in production.
    rules_latency_s: float = Field(0.0, ge=0.0)
    # While this file exists, every call of the `rules` model waits (after rules_latency_s): a
    # fault test keeps calls in flight exactly as long as it needs, then deletes the file.
    # None in production.
    rules_hold_path: Path | None = None

    # Celery executor. A task past the soft limit gets an exception (its segment is written
    # as failed); past the hard limit its process is killed. The broker redelivers an unacked
    # task after the visibility timeout, so that must exceed the hard limit or a slow task
    # would run twice at once.
    task_soft_time_limit_s: int = Field(600, ge=1)
    task_time_limit_s: int = Field(720, ge=1)
    broker_visibility_timeout_s: int = Field(3600, ge=1)
    # Task results (chord bookkeeping) outlive the longest batch.
    result_expires_s: int = Field(7 * 24 * 3600, ge=60)
    # Transient errors (storage, Redis, network) are retried with jittered backoff.
    task_max_retries: int = Field(8, ge=0)
    # A duplicate of a segment task whose segment another worker holds retries after this.
    segment_claim_wait_s: float = Field(2.0, gt=0.0)
    # Watchdog: a job with no progress for job_requeue_after_s is re-enqueued (idempotent);
    # one with none for job_stall_timeout_s (job_queue_timeout_s while still queued) fails
    # with code `stalled`.
    job_requeue_after_s: int = Field(900, ge=1)
    job_stall_timeout_s: int = Field(1800, ge=1)
    job_queue_timeout_s: int = Field(24 * 3600, ge=1)
    watchdog_interval_s: float = Field(60.0, gt=0.0)
    # A job whose run crashed (or whose process was killed) this many times is failed for good
    # with code `poisoned` instead of being resumed again.
    job_max_attempts: int = Field(3, ge=1)
    # The Celery executor re-reads job.json at least this often (a Redis wake-up comes sooner).
    executor_poll_s: float = Field(1.0, gt=0.0)

    @model_validator(mode="after")
    def _check_time_limits(self) -> ExecutionConfig:
        if not self.task_soft_time_limit_s <= self.task_time_limit_s < self.broker_visibility_timeout_s:
            raise ValueError("need task_soft_time_limit_s <= task_time_limit_s < broker_visibility_timeout_s")
        if self.job_stall_timeout_s <= self.task_time_limit_s:
            raise ValueError("job_stall_timeout_s must exceed task_time_limit_s")
        return self


class RoutingConfig(BaseSettings):
    """Models, routing and spend. API keys come only from the environment (OPENAI_API_KEY, ...)."""

    model_config = _group("LONGDOC_")

    catalog_path: Path | None = None  # None: the catalog shipped in pipeline/data/models.json
    # A JSON file of models to add or change by id, merged over the catalog (README: catalog overrides).
    catalog_overrides: Path | None = None
    # Send every hosted model to this OpenAI-compatible base URL instead (a gateway, or the
    # simulator in tests and demos).
    llm_base_url: str | None = None
    # None: each call's timeout is derived from the model's p95 latency and output speed
    # (routing.providers.call_timeout); a number forces it for every call.
    llm_timeout_s: float | None = Field(None, gt=0)
    llm_max_attempts: int = Field(4, ge=1)
    llm_backoff_base_s: float = Field(1.0, ge=0)
    circuit_threshold: int = Field(5, ge=1)
    circuit_cooldown_s: float = Field(30.0, ge=0)
    output_reserve_tokens: int = Field(16384, ge=256)
    preamble_tokens: int = Field(4000, ge=0, le=4096)
    audit_redact: bool = False
    # Daily spend cap per tenant (USD), kept in Redis; None = no cap.
    daily_cap_usd: float | None = Field(None, gt=0)


class QualityConfig(BaseSettings):
    """Quality monitor per model and job profile (issue 19). Env: ``LONGDOC_QUALITY_<FIELD>``.

    A segment analysed by a model is a success when its first answer was schema-valid, no
    attempt timed out and no fallback was needed. Over the last ``window`` such outcomes, a rate
    below ``baseline - alert_drop`` (with at least ``min_samples``) raises one alert and demotes
    the model; ``probe_share`` of the segments it would have had still go to it, so its window
    keeps filling and it is restored once the rate is back at or above the line.
    """

    model_config = _group("LONGDOC_QUALITY_")

    enabled: bool = True
    # auto: Redis with the Celery executor (every worker and API process sees one rate), else
    # in this process only; redis/memory force one.
    backend: Literal["auto", "memory", "redis"] = "auto"
    window: int = Field(50, ge=2, le=10_000)
    min_samples: int = Field(20, ge=1)
    baseline: float = Field(0.95, gt=0.0, le=1.0)
    # Per catalog model id, over ``baseline``: LONGDOC_QUALITY_BASELINES='{"kimi-k2-thinking": 0.9}'.
    baselines: dict[str, Annotated[float, Field(gt=0.0, le=1.0)]] = Field(default_factory=dict)
    alert_drop: float = Field(0.05, gt=0.0, lt=1.0)  # "more than 5 points below baseline"
    # Must be > 0: a demoted model that gets no traffic has a frozen window and never recovers.
    probe_share: float = Field(0.1, gt=0.0, le=1.0)
    # Alerts and recoveries are POSTed here as JSON (best effort, one try, in the background).
    webhook_url: str | None = None
    webhook_timeout_s: float = Field(5.0, gt=0.0)

    @model_validator(mode="after")
    def _check_window(self) -> QualityConfig:
        if self.min_samples > self.window:
            raise ValueError("quality min_samples must not exceed window")
        return self

    def baseline_for(self, model: str) -> float:
        return self.baselines.get(model, self.baseline)

    def line_for(self, model: str) -> float:
        """The alert line: a rate below it alerts and demotes."""
        return self.baseline_for(model) - self.alert_drop


class ApiConfig(BaseSettings):
    """HTTP API (`longdoc serve`) and its client. Env: ``LONGDOC_API_<FIELD>``."""

    model_config = _group("LONGDOC_API_")

    # Keys are stored only as sha256 hex digests, mapped to tenants:
    # LONGDOC_API_KEYS='{"<sha256 of key>": "acme"}', or a JSON file of the same shape.
    keys: dict[str, str] = Field(default_factory=dict)
    keys_file: Path | None = None
    # Jobs the API process runs at once with the local executor (each has its segment pool).
    job_workers: int = Field(2, ge=1)
    # GET /v1/jobs/{id} answers from memory for this long (invalidated on every write).
    status_cache_s: float = Field(0.25, ge=0.0)
    # A finished job's resource changes only when the job is erased (possibly by another API
    # process): kept this long, so another replica answers 410 within it after a DELETE.
    finished_cache_s: float = Field(5.0, ge=0.0)
    max_batch_files: int = Field(1000, ge=1)
    max_batch_bytes: int = Field(2 * 1024 * 1024 * 1024, ge=1)
    # Client side (`longdoc analyze`/`batch` through a server): LONGDOC_API_URL, LONGDOC_API_KEY.
    url: str | None = None
    key: SecretStr | None = None


class WebhookConfig(BaseSettings):
    """Job-finished callbacks. Env: ``LONGDOC_WEBHOOK_<FIELD>``."""

    model_config = _group("LONGDOC_WEBHOOK_")

    # Signing secret per tenant (HMAC-SHA256): LONGDOC_WEBHOOK_SECRETS='{"acme": "..."}'.
    secrets: dict[str, SecretStr] = Field(default_factory=dict)
    max_attempts: int = Field(6, ge=1)
    backoff_s: float = Field(1.0, ge=0.0)  # first retry delay; doubles per attempt
    timeout_s: float = Field(10.0, gt=0.0)
    poll_s: float = Field(1.0, gt=0.0)  # how often pending jobs' job.json is re-read
    # Callbacks to loopback/private addresses are refused unless allowed (SSRF guard).
    allow_private: bool = False


class RetentionConfig(BaseSettings):
    """How long each tenant's jobs are kept. Env: ``LONGDOC_RETENTION_<FIELD>``.

    ``LONGDOC_RETENTION_DAYS='{"acme": 30}'``: acme's jobs are erased (tombstone kept) once
    created more than 30 days ago. A tenant not listed keeps its jobs for ever; there is no
    wildcard (storage cannot list its tenants cheaply, and keeping is the safe default).
    """

    model_config = _group("LONGDOC_RETENTION_")

    days: dict[str, Annotated[int, Field(ge=1)]] = Field(default_factory=dict)
    # How often the sweep runs: a thread in `longdoc serve` (local executor), a Celery beat entry.
    sweep_interval_s: float = Field(3600.0, gt=0.0)


class ReviewConfig(BaseSettings):
    """Reviewing in the browser (issue 16). Env: ``LONGDOC_REVIEW_<FIELD>``.

    Review items at or above ``signoff_severity`` need a reviewer's decision (accept, reject or
    edit) before the review is done; ``none`` asks sign-off of nothing.
    """

    model_config = _group("LONGDOC_REVIEW_")

    signoff_severity: Literal["high", "medium", "low", "none"] = "high"
    # The seed's high-stakes line: a job whose error cost is at or above it is held in
    # ``awaiting_review`` until every item needing sign-off is decided; its report is not final
    # before that (issue 19). 0 holds every job with such items.
    hold_error_cost_usd: float = Field(1000.0, ge=0.0)


class MetricsConfig(BaseSettings):
    """Prometheus ``GET /metrics`` (README: Metrics). Env: ``LONGDOC_METRICS_<FIELD>``."""

    model_config = _group("LONGDOC_METRICS_")

    # false: no /metrics route (404). It is unauthenticated, like /v1/health: it carries counts,
    # model ids and tenant names, never a document, so keep it on the operators' network.
    enabled: bool = True
    # Where every API and worker process on this machine writes its samples (prometheus_client
    # multiprocess mode); None: ``<storage dir>/_metrics/<host>`` (see ``Settings.metrics_dir``).
    dir: Path | None = None
    # A worker on another machine than the API processes serves its own /metrics on this port.
    worker_port: int | None = Field(None, ge=1, le=65535)


class ShadowConfig(BaseSettings):
    """Shadow evaluation of a candidate model (issue 19). Env: ``LONGDOC_SHADOW_<FIELD>``.

    A share of segments (chosen by a hash of job and segment, so a rerun picks the same ones) is
    also sent to ``candidate`` in the background; its answers never reach a report. Its spend is
    its own: a daily cap, apart from the tenants' caps and the jobs' budgets.
    """

    model_config = _group("LONGDOC_SHADOW_")

    candidate: str | None = None  # a catalog id; None: no shadow evaluation
    share: float = Field(0.0, ge=0.0, le=1.0)
    cap_usd: float = Field(5.0, gt=0.0)  # per UTC day, every tenant together
    # Background calls at once (local executor), and how many may wait: past that a sample is
    # dropped rather than queued, so a slow candidate never holds memory or the job.
    workers: int = Field(2, ge=1)
    max_pending: int = Field(64, ge=1)
    # Where shadow spend is counted: Redis (shared by every process; atomic reservations) or this
    # process. auto: Redis with the Celery executor, else memory.
    ledger: Literal["auto", "redis", "memory"] = "auto"


class Settings(BaseModel):
    """All groups; each one not given is built from the environment.

    No cross-group rule exists today: every check relates fields of one group and lives there.
    """

    model_config = ConfigDict(extra="forbid")

    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    segment: SegmentConfig = Field(default_factory=SegmentConfig)
    storage: StorageConfig = Field(default_factory=StorageConfig)
    redis: RedisConfig = Field(default_factory=RedisConfig)
    execution: ExecutionConfig = Field(default_factory=ExecutionConfig)
    routing: RoutingConfig = Field(default_factory=RoutingConfig)
    api: ApiConfig = Field(default_factory=ApiConfig)
    webhook: WebhookConfig = Field(default_factory=WebhookConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    review: ReviewConfig = Field(default_factory=ReviewConfig)
    shadow: ShadowConfig = Field(default_factory=ShadowConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    quality: QualityConfig = Field(default_factory=QualityConfig)

    def metrics_dir(self) -> Path:
        # "_" starts no tenant name (like "_active/"): never inside a tenant's keys. The files are
        # named by pid: machines sharing a storage folder (NFS) each get their own directory.
        return self.metrics.dir or self.storage.dir / "_metrics" / socket.gethostname()
