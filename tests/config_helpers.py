"""Build ``Settings`` in tests from per-group field values (the groups live in pipeline/config.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic_settings import BaseSettings

from pipeline.config import Settings

# Group name -> its class, e.g. "storage" -> StorageConfig (read from Settings itself).
GROUPS: dict[str, type[BaseSettings]] = {
    name: field.annotation  # type: ignore[misc]
    for name, field in Settings.model_fields.items()
}


def grouped(**groups: Mapping[str, Any]) -> Settings:
    """``grouped(storage={"dir": p}, execution={"workers": 1})``: each named group built from
    these values and the environment (like ``Settings()``); groups not named from the environment."""
    return Settings(**{name: GROUPS[name](**values) for name, values in groups.items()})


def merged(*layers: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per-group values of ``layers``, later ones winning field by field (defaults, then a test's own)."""
    out: dict[str, dict[str, Any]] = {}
    for layer in layers:
        for name, values in layer.items():
            out.setdefault(name, {}).update(values)
    return out
