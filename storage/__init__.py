"""Object storage: one interface, a local-folder backend (default) and S3."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from storage.base import ObjectStore, S3Config
from storage.local import LocalStore

__all__ = ["LocalStore", "ObjectStore", "open_store"]


class StorageConfig(S3Config, Protocol):
    """What ``open_store`` reads (``pipeline.config.Settings`` has it): storage depends on
    nothing of ours but the errors."""

    @property
    def storage(self) -> str: ...
    @property
    def storage_dir(self) -> Path: ...


def open_store(settings: StorageConfig) -> ObjectStore:
    """The store the settings name; built once by the caller and passed down."""
    if settings.storage == "local":
        return LocalStore(settings.storage_dir)
    if settings.storage == "s3":
        # Imported here so the local backend never pays for the minio import.
        from storage.s3 import S3Store

        return S3Store.from_settings(settings)
    from pipeline.errors import ConfigError

    raise ConfigError(f"storage backend {settings.storage!r} is not available in this build")
