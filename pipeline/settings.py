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

    @model_validator(mode="after")
    def _check_segment_bounds(self) -> Settings:
        if not self.segment_min_tokens <= self.segment_max_tokens:
            raise ValueError("segment_min_tokens must not exceed segment_max_tokens")
        if self.segment_threshold_tokens < self.segment_max_tokens:
            raise ValueError("segment_threshold_tokens must be at least segment_max_tokens")
        return self
