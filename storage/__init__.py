"""Object storage: one interface, a local-folder backend (default) and S3."""

from __future__ import annotations

from pipeline.config import Settings
from storage.base import ObjectStore
from storage.local import LocalStore

__all__ = ["LocalStore", "ObjectStore", "open_store"]


def open_store(settings: Settings) -> ObjectStore:
    """The store the settings name; built once by the caller and passed down."""
    if settings.storage == "local":
        return LocalStore(settings.storage_dir)
    if settings.storage == "s3":
        # Imported here so the local backend never pays for the minio import.
        from storage.s3 import S3Store

        return S3Store.from_settings(settings)
    from pipeline.errors import ConfigError

    raise ConfigError(f"storage backend {settings.storage!r} is not available in this build")
