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


# The environment name of a setting, without ``LONGDOC_``, -> (group, field): the one flat name
# each setting has (``LONGDOC_STORAGE_DIR`` -> ``storage_dir`` -> storage.dir).
_GROUP_PREFIXES = {"segment": "segment_", "redis": "redis_", "api": "api_", "webhook": "webhook_"}
FLAT: dict[str, tuple[str, str]] = {"storage": ("storage", "kind"), "storage_dir": ("storage", "dir"),
                                    "tenant": ("storage", "tenant")}  # fmt: skip
for _group, _cls in GROUPS.items():
    for _field in _cls.model_fields:
        if _group in ("limits", "execution", "routing"):
            FLAT.setdefault(_field, (_group, _field))
        elif _group in _GROUP_PREFIXES:
            FLAT.setdefault(_GROUP_PREFIXES[_group] + _field, (_group, _field))


def flat(*, segment: Mapping[str, Any] | None = None, **values: Any) -> Settings:
    """``flat(storage_dir=p, llm_base_url=u, workers=2)``: settings by their environment names
    (``LONGDOC_`` dropped), plus a ``segment`` group given by its own field names."""
    groups: dict[str, dict[str, Any]] = {"segment": dict(segment)} if segment else {}
    for name, value in values.items():
        group, field = FLAT[name]  # a KeyError names a setting that does not exist
        groups.setdefault(group, {})[field] = value
    return grouped(**groups)
