"""Object storage: one interface, a local-folder backend (default) and S3."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from storage.base import ObjectStore, S3Config
from storage.local import LocalStore

__all__ = ["LocalStore", "ObjectStore", "open_store"]


class StorageConfig(Protocol):
    """What ``open_store`` reads (``pipeline.config.StorageConfig`` has it): storage depends on
    nothing of ours but the errors."""

    @property
    def kind(self) -> str: ...
    @property
    def dir(self) -> Path: ...
    @property
    def s3(self) -> S3Config: ...


def open_store(config: StorageConfig) -> ObjectStore:
    """The store the config names (``settings.storage``); built once by the caller and passed down."""
    if config.kind == "local":
        return LocalStore(config.dir)
    if config.kind == "s3":
        # Imported here so the local backend never pays for the minio import.
        from storage.s3 import S3Store

        return S3Store.from_settings(config.s3)
    from pipeline.errors import ConfigError

    raise ConfigError(f"storage backend {config.kind!r} is not available in this build")
