"""Helpers for the tests that run jobs against the LLM simulator (no pytest fixtures here)."""

from __future__ import annotations

import json
import urllib.request

# Segment-group sizes small enough that the planted contract makes several segments.
SMALL = {"threshold_tokens": 1500, "min_tokens": 400, "max_tokens": 800}
# Provider keys the simulator accepts (any value): set them in the environment of a routed job.
KEYS = {"OPENAI_API_KEY": "sk-test", "MOONSHOT_API_KEY": "sk-test"}


def stats(base_url: str) -> dict[str, object]:
    """The simulator's counters (requests, usage by model) at ``base_url`` (its /v1 URL)."""
    with urllib.request.urlopen(base_url.removesuffix("/v1") + "/_sim/stats") as resp:
        return json.loads(resp.read())  # type: ignore[no-any-return]


def request_log(base_url: str) -> list[dict[str, object]]:
    """Every request the simulator at ``base_url`` saw, in arrival order (``GET /_log``):
    arrived, model, status (499 = the client hung up), error_code and token counts."""
    with urllib.request.urlopen(base_url.removesuffix("/v1") + "/_log") as resp:
        return json.loads(resp.read())["requests"]  # type: ignore[no-any-return]


def release(base_url: str) -> None:
    """Let the simulator's held models (``SimulatorConfig.held_models``) answer."""
    req = urllib.request.Request(base_url.removesuffix("/v1") + "/_sim/release", data=b"", method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        resp.read()


def in_flight(base_url: str, model: str) -> int:
    """Requests for ``model`` the simulator has received and not yet answered."""
    return sum(1 for e in request_log(base_url) if e["model"] == model and e["status"] == 0)
