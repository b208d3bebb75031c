"""Helpers the `longdoc` commands share (kept apart so command modules never import each other)."""

from __future__ import annotations

from pathlib import Path

from pipeline.config import Settings
from pipeline.errors import Unreadable


def read_file(path: Path, settings: Settings) -> bytes:
    """File bytes, refusing oversized files before reading them into memory."""
    try:
        size = path.stat().st_size
        if size > settings.max_document_bytes:
            from pipeline.errors import TooLarge

            raise TooLarge(f"{size:,} bytes is over the limit of {settings.max_document_bytes:,} bytes")
        return path.read_bytes()
    except FileNotFoundError:
        raise Unreadable("no such file") from None
    except IsADirectoryError:
        raise Unreadable("is a directory") from None
    except PermissionError:
        raise Unreadable("permission denied") from None
