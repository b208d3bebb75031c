"""The one typed settings object. Built once (``Settings()``) and passed down.

Every field can be set from the environment with the ``LONGDOC_`` prefix,
e.g. ``LONGDOC_SEGMENT_MAX_TOKENS=90000``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LONGDOC_", extra="ignore")

    # Ingestion
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

    # Segmenting (tokens, o200k_base)
    segment_threshold_tokens: int = Field(150_000, ge=1)
    segment_min_tokens: int = Field(60_000, ge=1)
    segment_max_tokens: int = Field(100_000, ge=1)

    # Storage
    storage: Literal["local", "s3"] = "local"
    storage_dir: Path = Path(".longdoc")
    tenant: str = "default"
    # S3 (storage == "s3"): any S3-compatible endpoint, reached through the minio SDK.
    s3_endpoint: str = "localhost:9000"
    s3_access_key: SecretStr | None = None
    s3_secret_key: SecretStr | None = None
    s3_bucket: str = "longdoc"
    s3_region: str = "us-east-1"
    s3_secure: bool = False
    s3_sse: Literal["none", "s3"] = "none"
    # Multipart part size: S3 allows 5 MiB..5 GiB; memory per upload is a few parts.
    s3_part_size: int = Field(16 * 1024 * 1024, ge=5 * 1024 * 1024, le=5 * 1024 * 1024 * 1024)
    # SigV4 presigned URLs live at most 7 days.
    presign_expiry_s: int = Field(3600, ge=1, le=7 * 24 * 3600)

    # Execution
    executor: Literal["local", "celery"] = "local"
    workers: int = Field(4, ge=1)
    redis_url: str = "redis://127.0.0.1:6379/0"
    # Added to every call of the offline `rules` model: stands in for LLM latency in
    # benchmarks and fault tests. 0 in production.
    rules_latency_s: float = Field(0.0, ge=0.0)

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

    # Models and routing. API keys come only from the environment (OPENAI_API_KEY, ...).
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

    # HTTP API (`longdoc serve`). Keys are stored only as sha256 hex digests, mapped to tenants:
    # LONGDOC_API_KEYS='{"<sha256 of key>": "acme"}', or a JSON file of the same shape.
    api_keys: dict[str, str] = Field(default_factory=dict)
    api_keys_file: Path | None = None
    # Webhook signing secret per tenant (HMAC-SHA256): LONGDOC_WEBHOOK_SECRETS='{"acme": "..."}'.
    webhook_secrets: dict[str, SecretStr] = Field(default_factory=dict)
    webhook_max_attempts: int = Field(6, ge=1)
    webhook_backoff_s: float = Field(1.0, ge=0.0)  # first retry delay; doubles per attempt
    webhook_timeout_s: float = Field(10.0, gt=0.0)
    webhook_poll_s: float = Field(1.0, gt=0.0)  # how often pending jobs' job.json is re-read
    # Callbacks to loopback/private addresses are refused unless allowed (SSRF guard).
    webhook_allow_private: bool = False
    # Jobs the API process runs at once with the local executor (each has its segment pool).
    api_job_workers: int = Field(2, ge=1)
    # GET /v1/jobs/{id} answers from memory for this long (invalidated on every write).
    api_status_cache_s: float = Field(0.25, ge=0.0)
    api_max_batch_files: int = Field(1000, ge=1)
    api_max_batch_bytes: int = Field(2 * 1024 * 1024 * 1024, ge=1)
    # Client side (`longdoc analyze`/`batch` through a server): LONGDOC_API_URL, LONGDOC_API_KEY.
    api_url: str | None = None
    api_key: SecretStr | None = None

    @model_validator(mode="after")
    def _check_segment_bounds(self) -> Settings:
        if not self.segment_min_tokens <= self.segment_max_tokens:
            raise ValueError("segment_min_tokens must not exceed segment_max_tokens")
        if self.segment_threshold_tokens < self.segment_max_tokens:
            raise ValueError("segment_threshold_tokens must be at least segment_max_tokens")
        if not self.task_soft_time_limit_s <= self.task_time_limit_s < self.broker_visibility_timeout_s:
            raise ValueError("need task_soft_time_limit_s <= task_time_limit_s < broker_visibility_timeout_s")
        if self.job_stall_timeout_s <= self.task_time_limit_s:
            raise ValueError("job_stall_timeout_s must exceed task_time_limit_s")
        return self
