"""One implementation over the ``openai`` SDK for every OpenAI-compatible endpoint.

Retries with exponential backoff and jitter on 429/5xx/timeouts (honouring Retry-After), a
circuit breaker per model, usage captured per call. The SDK's own retries are off so that
every attempt is seen, timed and audited here.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.errors import CircuitOpen, ContextTooLong, ProviderError
from pipeline.routing.catalog import ModelSpec

if TYPE_CHECKING:  # the `llm` extra: imported when a client is built, so the rules path never needs it
    import openai


@dataclass
class CallResult:
    content: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    seconds: float
    attempts: int


@dataclass
class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; one trial call after ``cooldown_s``."""

    threshold: int = 5
    cooldown_s: float = 30.0
    clock: Callable[[], float] = time.monotonic
    _failures: int = 0
    _opened_at: float | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self) -> bool:
        with self._lock:
            if self._opened_at is None:
                return True
            if self.clock() - self._opened_at >= self.cooldown_s:
                self._opened_at = None  # half-open: let one call through
                self._failures = self.threshold - 1
                return True
            return False

    def success(self) -> None:
        with self._lock:
            self._failures, self._opened_at = 0, None

    def failure(self) -> None:
        with self._lock:
            self._failures += 1
            if self._failures >= self.threshold:
                self._opened_at = self.clock()

    @property
    def is_open(self) -> bool:
        with self._lock:
            return self._opened_at is not None and self.clock() - self._opened_at < self.cooldown_s


def _retryable() -> tuple[type[Exception], ...]:
    import openai

    return (
        openai.RateLimitError,
        openai.InternalServerError,
        openai.APITimeoutError,
        openai.APIConnectionError,
    )


class OpenAICompatibleProvider:
    def __init__(
        self,
        spec: ModelSpec,
        *,
        base_url: str,
        api_key: str,
        timeout_s: float = 120.0,
        max_attempts: int = 4,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 30.0,
        breaker: CircuitBreaker | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_attempt: Callable[[dict[str, Any]], None] | None = None,
    ) -> None:
        import openai

        self.spec = spec
        self.client: openai.OpenAI = openai.OpenAI(
            base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=0
        )
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.breaker = breaker or CircuitBreaker()
        self.sleep = sleep
        self.on_attempt = on_attempt or (lambda _r: None)
        self._rng = random.Random()

    def complete(
        self, messages: list[dict[str, str]], *, response_format: dict[str, Any] | None, max_tokens: int
    ) -> CallResult:
        import openai

        retryable = _retryable()
        started = time.monotonic()
        last: Exception | None = None
        for attempt in range(1, self.max_attempts + 1):
            if not self.breaker.allow():
                raise CircuitOpen(f"{self.spec.id}: circuit open after repeated failures")
            t0 = time.monotonic()
            try:
                kwargs: dict[str, Any] = {
                    "model": self.spec.api_model,
                    "messages": messages,
                    "max_tokens": max_tokens,
                }
                if response_format is not None:
                    kwargs["response_format"] = response_format
                resp = self.client.chat.completions.create(**kwargs)
            except openai.BadRequestError as exc:
                self.on_attempt(
                    {
                        "attempt": attempt,
                        "status": 400,
                        "error": str(exc)[:300],
                        "seconds": time.monotonic() - t0,
                    }
                )
                code = getattr(exc, "code", None)
                if code == "context_length_exceeded":
                    raise ContextTooLong(f"{self.spec.id}: {exc}") from None
                raise ProviderError(f"{self.spec.id}: request refused: {exc}") from None
            except openai.AuthenticationError as exc:
                self.breaker.failure()
                raise ProviderError(f"{self.spec.id}: authentication failed") from exc
            except retryable as exc:
                last = exc
                status = getattr(exc, "status_code", None)
                self.on_attempt({"attempt": attempt, "status": status or type(exc).__name__,
                                 "seconds": time.monotonic() - t0})  # fmt: skip
                if attempt < self.max_attempts:
                    self.sleep(self._delay(attempt, exc))
                continue
            except openai.APIError as exc:
                self.breaker.failure()
                raise ProviderError(f"{self.spec.id}: {type(exc).__name__}: {exc}") from None
            self.breaker.success()
            choice = resp.choices[0]
            usage = resp.usage
            details = getattr(usage, "completion_tokens_details", None) if usage else None
            result = CallResult(
                content=choice.message.content or "",
                finish_reason=choice.finish_reason or "stop",
                prompt_tokens=usage.prompt_tokens if usage else 0,
                completion_tokens=usage.completion_tokens if usage else 0,
                reasoning_tokens=(getattr(details, "reasoning_tokens", 0) or 0) if details else 0,
                seconds=time.monotonic() - started,
                attempts=attempt,
            )
            self.on_attempt({"attempt": attempt, "status": 200, "seconds": time.monotonic() - t0})
            return result
        raise ProviderError(
            f"{self.spec.id}: gave up after {self.max_attempts} attempts: {type(last).__name__}"
        )

    def _delay(self, attempt: int, exc: Exception) -> float:
        retry_after = _retry_after(exc)
        if retry_after is not None:
            return min(self.backoff_max_s, retry_after)
        base: float = min(self.backoff_max_s, self.backoff_base_s * 2.0 ** (attempt - 1))
        return base / 2 + self._rng.uniform(0, base / 2)  # "equal jitter"


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    if response is None:
        return None
    value: str | None = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
