"""Audit log of model calls: one record per attempt (retries and timeouts included), stored with the job.

The sink is a context variable set by the stage running a segment, so providers and
analyzers built once at worker start-up write to the right job without holding job state.
With ``LONGDOC_AUDIT_REDACT`` set, prompts and responses are stored as sha256 hashes only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

AuditSink = Callable[[dict[str, Any]], None]
_SINK: ContextVar[AuditSink | None] = ContextVar("longdoc_audit_sink", default=None)
_REDACT: ContextVar[bool] = ContextVar("longdoc_audit_redact", default=False)


@contextmanager
def audit_to(sink: AuditSink, *, redact: bool = False) -> Iterator[None]:
    token, rtoken = _SINK.set(sink), _REDACT.set(redact)
    try:
        yield
    finally:
        _SINK.reset(token)
        _REDACT.reset(rtoken)


def _digest(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def record_attempt(
    attempt: dict[str, Any], *, started: datetime, request: list[dict[str, str]], response: str | None
) -> None:
    """One line per HTTP attempt: model, profile, status, error class, tokens, latency, USD
    (``providers.Attempt.to_dict()``), with the request and the answer (hashed when redacting)."""
    sink = _SINK.get()
    if sink is None:
        return
    redact = _REDACT.get()
    sink({
        "kind": "llm_call", **attempt, "started_at": started.isoformat(timespec="milliseconds"),
        "error": None if attempt.get("status") == 200 else f"{attempt.get('status')}: {attempt.get('error_class')}",
        "request": [{"role": m["role"], "content": _digest(m["content"]) if redact else m["content"]} for m in request],
        "response": (_digest(response) if redact else response) if response is not None else None,
    })  # fmt: skip


def now() -> datetime:
    return datetime.now(UTC)
