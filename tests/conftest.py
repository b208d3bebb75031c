"""Shared fixtures: where ../shared/data is, and a per-test Settings/storage."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("LONGDOC_SHARED_DATA", ROOT.parent / "shared" / "data"))
HAVE_SHARED = SHARED_DATA.is_dir()

needs_shared = pytest.mark.skipif(not HAVE_SHARED, reason="../shared/data is absent")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(storage_dir=tmp_path / "store")
