"""The model catalog: a data file shipped with the package, overridable by a path setting."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal

from pydantic import ConfigDict, Field, ValidationError

from pipeline.errors import ConfigError
from pipeline.routing.profiles import ProfileName
from pipeline.types import Model

DEFAULT_CATALOG = Path(__file__).resolve().parents[1] / "data" / "models.json"


class ModelSpec(Model):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    id: str
    provider: str
    api_model: str
    base_url: str | None
    api_key_env: str | None
    api_key_optional: bool = False
    # Self-hosted endpoints are opt-in: available once this variable names their base URL.
    base_url_env: str | None = None
    note: str | None = Field(default=None, alias="_note")
    context_window: int = Field(gt=0)
    reliable_context: int = Field(gt=0)
    max_output: int = Field(ge=0)
    price_in_per_m: float = Field(ge=0)
    price_out_per_m: float = Field(ge=0)
    latency_p50_s: float = Field(ge=0)
    latency_p95_s: float = Field(ge=0)
    self_hosted: bool
    json_schema: bool
    reasoning: bool = False
    quality: int = Field(1, ge=1, le=5)  # coarse: 1 rules … 4 best reasoning
    profile: ProfileName = "openai-compatible"  # how the endpoint wants the request (routing/profiles.py)
    # Output speed; with latency_p95_s and the output cap it bounds one call's duration.
    output_tokens_per_s: float = Field(30.0, gt=0)
    # Sent as ``reasoning_effort`` when set. GPT-5.1 "defaults to none, which does not perform
    # reasoning" (https://learn.microsoft.com/en-us/javascript/api/@azure/ai-projects/reasoningeffort):
    # the Thinking tier must ask for it. gpt-5.1-chat-latest takes no effort setting at all.
    reasoning_effort: Literal["none", "low", "medium", "high"] | None = None

    def endpoint(self, env: dict[str, str] | None = None) -> str | None:
        env = dict(os.environ) if env is None else env
        return (env.get(self.base_url_env) if self.base_url_env else None) or self.base_url

    @property
    def is_builtin(self) -> bool:
        return self.provider == "builtin"

    def cost_usd(self, prompt_tokens: int, completion_tokens: int) -> float:
        """USD for one call; reasoning tokens are billed as output and included in completion."""
        return prompt_tokens * self.price_in_per_m / 1e6 + completion_tokens * self.price_out_per_m / 1e6

    def unavailable_reason(self, env: dict[str, str] | None = None) -> str | None:
        """Why this model cannot be called right now (missing API key), or None."""
        env = dict(os.environ) if env is None else env
        if self.base_url_env and not env.get(self.base_url_env):
            return f"{self.base_url_env} is not set"
        if self.is_builtin or self.api_key_optional or not self.api_key_env:
            return None
        return None if env.get(self.api_key_env) else f"{self.api_key_env} is not set"


class Catalog(Model):
    models: list[ModelSpec]

    def get(self, model_id: str) -> ModelSpec:
        for m in self.models:
            if m.id == model_id:
                return m
        raise ConfigError(f"unknown model {model_id!r}; known: {', '.join(m.id for m in self.models)}")

    def unavailable(self, env: dict[str, str] | None = None) -> dict[str, str]:
        """Model id → why it cannot be called now (missing key or endpoint)."""
        return {m.id: r for m in self.models if (r := m.unavailable_reason(env)) is not None}

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.models]


def load_catalog(path: Path | None = None, *, overrides: Path | None = None) -> Catalog:
    path = path or DEFAULT_CATALOG
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read model catalog {path}: {exc}") from exc
    catalog = Catalog.model_validate({"models": raw["models"]})
    if overrides is not None:
        catalog = apply_overrides(catalog, overrides)
    for m in catalog.models:
        if m.reliable_context > m.context_window:
            raise ConfigError(f"{m.id}: reliable_context exceeds context_window")
    return catalog


def apply_overrides(catalog: Catalog, path: Path) -> Catalog:
    """``catalog`` with the models of the override file ``path`` merged in by id.

    The file is ``{"models": [...]}``: an entry whose id is in the catalog changes only the
    fields it names; a new id is a whole entry, added before the built-in ``rules``. Every
    resulting entry is validated as a ``ModelSpec`` (unknown fields refused).
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read catalog overrides {path}: {exc}") from exc
    entries = raw.get("models") if isinstance(raw, dict) else None
    if not isinstance(entries, list) or not all(
        isinstance(e, dict) and isinstance(e.get("id"), str) for e in entries
    ):
        raise ConfigError(f'catalog overrides {path}: expected {{"models": [{{"id": ..., ...}}, ...]}}')
    models = {m.id: m.model_dump(by_alias=True) for m in catalog.models}
    for entry in entries:
        merged = {**models.get(entry["id"], {}), **entry}
        try:
            ModelSpec.model_validate(merged)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'entry'}: {e['msg']}" for e in exc.errors()
            )
            raise ConfigError(f"catalog overrides {path}: model {entry['id']!r}: {problems}") from None
        models[entry["id"]] = merged
    builtin = [i for i, m in models.items() if m["provider"] == "builtin"]
    order = [i for i in models if i not in builtin] + builtin
    merged_catalog = Catalog.model_validate({"models": [models[i] for i in order]})
    for m in merged_catalog.models:
        if m.reliable_context > m.context_window:
            raise ConfigError(f"catalog overrides {path}: {m.id}: reliable_context exceeds context_window")
    return merged_catalog
