"""Moved to ``tests/api_helpers.py`` (pytest collects ``test_*.py``; these are helpers, not tests).

Kept only for the modules that still import it from here (``tests/hostile/``,
``tests/test_api_schema.py``); import ``tests.api_helpers`` instead, then delete this file.
``tests/conftest.py`` keeps pytest from collecting it.
"""

from __future__ import annotations

from tests.api_helpers import (
    KEYS,
    SECRETS,
    TERMINAL,
    Receiver,
    api,
    auth,
    contract,
    free_port,
    live_server,
    make_settings,
    receiver,
    require_rules_model,
    serving,
    wait_batch,
    wait_for,
    wait_job,
)

__all__ = [
    "KEYS",
    "SECRETS",
    "TERMINAL",
    "Receiver",
    "api",
    "auth",
    "contract",
    "free_port",
    "live_server",
    "make_settings",
    "receiver",
    "require_rules_model",
    "serving",
    "wait_batch",
    "wait_for",
    "wait_job",
]
