"""One implementation over the ``openai`` SDK for every OpenAI-compatible endpoint.

The request is shaped by the model's wire profile (``routing/profiles.py``). Retries (tenacity)
with exponential backoff and jitter on 429/5xx/timeouts, honouring Retry-After; a circuit breaker
per model. The SDK's own retries are off so that every attempt is seen, timed, priced and
reported here: each one becomes an ``Attempt`` passed to ``on_attempt`` as it ends, and the list
rides on the result (``CallResult.attempts``) or on the raised error (``ProviderError.attempts``).

Time: the per-call timeout is derived from the model's figures, not one constant: the p95 latency
plus the time to write the whole output cap at the model's tokens/s, with a margin. A response
cannot be longer than the cap, so a legitimate answer is never cut, and a Thinking model writing
16K tokens is not killed at 120 s. (Streaming with first-byte/idle timeouts would detect a hung
server sooner, but needs ``stream_options.include_usage`` from every server for the bill and a
streaming simulator; the derived bound is what every endpoint here supports today.) A timed-out
attempt is billed at its prompt tokens: the provider read the prompt and charges for it.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chunking.tokenizer import count_tokens
from pipeline import telemetry
from pipeline.errors import CircuitOpen, ContextTooLong, ProviderError
from pipeline.routing.catalog import ModelSpec
from pipeline.routing.profiles import WireProfile, profile

if TYPE_CHECKING:  # the `llm` extra: imported when a client is built, so the rules path never needs it
    import openai
    import tenacity

TIMEOUT_MARGIN = 1.25

# Called in the calling thread once each request has been written to its connection (or its
# sending failed): the local executor routes a job's later segments only then, so their work
# does not share the GIL the job's first request is built and sent under (workers/local.py).
_ON_REQUEST: ContextVar[Callable[[], None] | None] = ContextVar("longdoc_on_request", default=None)


@contextmanager
def on_request(callback: Callable[[], None]) -> Iterator[None]:
    token = _ON_REQUEST.set(callback)
    try:
        yield
    finally:
        _ON_REQUEST.reset(token)


def _request_going_out(request: Any) -> None:
    """httpx request hook: the request is built; httpcore's ``trace`` extension then says when
    its body is written (``http11.`` or ``http2.send_request_body.complete``) or a step failed."""
    callback = _ON_REQUEST.get()
    if callback is None:
        return

    def trace(event: str, _info: dict[str, Any]) -> None:
        if event.endswith(("send_request_body.complete", ".failed")):
            callback()

    request.extensions["trace"] = trace


@dataclass
class Attempt:
    """One HTTP attempt: what was asked of whom, what came back, what it cost."""

    model: str
    profile: str
    attempt: int
    status: int | str  # HTTP status, or "timeout" / "connection" when none came back
    error: str | None  # the exception class, None on success
    prompt_tokens: int
    completion_tokens: int  # reasoning included: every provider bills it as output
    reasoning_tokens: int
    seconds: float
    cost_usd: float
    started: datetime
    finish_reason: str | None = None
    timeout_s: float | None = None
    content: str | None = None  # the answer (reasoning stripped), for the audit's response field

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model, "profile": self.profile, "attempt": self.attempt, "status": self.status,
            "error_class": self.error, "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens, "reasoning_tokens": self.reasoning_tokens,
            "seconds": round(self.seconds, 4), "cost_usd": round(self.cost_usd, 8),
            "finish_reason": self.finish_reason, "timeout_s": self.timeout_s,
        }  # fmt: skip


@dataclass
class CallResult:
    content: str  # the answer, reasoning stripped
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int
    seconds: float
    attempts: list[Attempt] = field(default_factory=list)
    reasoning: str = ""

    @property
    def cost_usd(self) -> float:
        """Every attempt of the call, the failed but billed ones (timeouts) included."""
        return sum(a.cost_usd for a in self.attempts)


@dataclass
class CircuitBreaker:
    """Opens after ``threshold`` consecutive failed calls; one trial call after ``cooldown_s``."""

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


def call_timeout(spec: ModelSpec, max_tokens: int, margin: float = TIMEOUT_MARGIN) -> float:
    """Seconds one call may take: p95 latency + the whole output cap at the model's speed, × margin."""
    return margin * (spec.latency_p95_s + max_tokens / spec.output_tokens_per_s)


AttemptHook = Callable[[Attempt], None]


class OpenAICompatibleProvider:
    def __init__(
        self,
        spec: ModelSpec,
        *,
        base_url: str,
        api_key: str,
        timeout_s: float | None = None,  # None: derived per call (call_timeout)
        max_attempts: int = 4,
        backoff_base_s: float = 1.0,
        backoff_max_s: float = 30.0,
        breaker: CircuitBreaker | None = None,
        sleep: Callable[[float], None] = time.sleep,
        on_attempt: AttemptHook | None = None,
    ) -> None:
        self.spec = spec
        self.profile: WireProfile = profile(spec.profile)
        self._base_url, self._api_key = base_url, api_key
        self._client: openai.OpenAI | None = None
        self._client_lock = threading.Lock()
        self.timeout_s = timeout_s
        self.max_attempts = max_attempts
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self.breaker = breaker or CircuitBreaker()
        self.sleep = sleep
        self.on_attempt = on_attempt
        self._rng = random.Random()

    @property
    def client(self) -> openai.OpenAI:
        """The SDK's client, built on first use: a provider (and a first request's prompt, and
        its token count) is made while the SDK may still be importing on another thread."""
        if self._client is None:
            with self._client_lock:
                if self._client is None:
                    import openai

                    # The SDK's default HTTP client with a request hook (on_request); the same defaults.
                    http = openai.DefaultHttpxClient(event_hooks={"request": [_request_going_out]})
                    self._client = openai.OpenAI(
                        base_url=self._base_url, api_key=self._api_key, max_retries=0, http_client=http
                    )
        return self._client

    def timeout_for(self, max_tokens: int) -> float:
        return self.timeout_s if self.timeout_s is not None else call_timeout(self.spec, max_tokens)

    def complete(
        self,
        messages: list[dict[str, str]],
        *,
        response_format: dict[str, Any] | None,
        max_tokens: int,
        prompt_tokens: int = 0,
        on_attempt: AttemptHook | None = None,
    ) -> CallResult:
        """One call, retried; ``prompt_tokens`` (our count) prices an attempt no usage came back for."""
        import tenacity

        _ = self.client  # built (or its failure raised) before the retry loop
        records: list[Attempt] = []
        hooks = [h for h in (self.on_attempt, on_attempt) if h is not None]
        body = self.profile.request(
            model=self.spec.api_model,
            messages=messages,
            max_tokens=max_tokens,
            response_format=response_format,
            reasoning_effort=self.spec.reasoning_effort,
        )
        timeout = self.timeout_for(max_tokens)
        started = time.monotonic()

        def emit(a: Attempt) -> None:
            records.append(a)
            telemetry.llm_attempt(
                a.model, a.status, a.error, a.prompt_tokens, a.completion_tokens, a.cost_usd
            )
            for h in hooks:
                h(a)

        retrying = tenacity.Retrying(
            stop=tenacity.stop_after_attempt(self.max_attempts),
            retry=tenacity.retry_if_exception_type(_retryable()),
            wait=self._wait,
            sleep=self.sleep,
            reraise=True,
        )
        try:
            result: CallResult = retrying(self._attempt, body, timeout, prompt_tokens, records, emit)
        except _retryable() as exc:
            self.breaker.failure()
            err = ProviderError(
                f"{self.spec.id}: gave up after {len(records)} attempts: {type(exc).__name__}"
            )
            raise _with(err, records) from None
        except ProviderError as exc:
            raise _with(exc, records) from None
        result.seconds = time.monotonic() - started
        result.attempts = records
        return result

    def _attempt(
        self,
        body: dict[str, Any],
        timeout: float,
        prompt_estimate: int,
        records: list[Attempt],
        emit: AttemptHook,
    ) -> CallResult:
        import openai

        if not self.breaker.allow():
            raise CircuitOpen(f"{self.spec.id}: circuit open after repeated failures")
        n = len(records) + 1
        wall, t0 = datetime.now(UTC), time.monotonic()

        def fail(status: int | str, exc: Exception, billed_prompt: int = 0) -> None:
            emit(Attempt(self.spec.id, self.profile.name, n, status, type(exc).__name__, billed_prompt, 0, 0,
                         time.monotonic() - t0, self.spec.cost_usd(billed_prompt, 0), wall, None, timeout))  # fmt: skip

        try:
            resp = self.client.chat.completions.create(**body, timeout=timeout)
        except openai.APITimeoutError as exc:
            fail("timeout", exc, prompt_estimate)  # the provider read the prompt: billed
            raise
        except openai.APIConnectionError as exc:
            fail("connection", exc)
            raise
        except openai.BadRequestError as exc:
            fail(400, exc)
            if getattr(exc, "code", None) == "context_length_exceeded":
                raise ContextTooLong(f"{self.spec.id}: {exc}") from None
            raise ProviderError(f"{self.spec.id}: request refused: {exc}") from None
        except (openai.RateLimitError, openai.InternalServerError) as exc:
            fail(exc.status_code, exc)
            raise
        except openai.APIStatusError as exc:
            fail(exc.status_code, exc)
            self.breaker.failure()
            raise ProviderError(f"{self.spec.id}: {type(exc).__name__}: {exc}") from None
        self.breaker.success()
        choice = resp.choices[0]
        usage = resp.usage
        content, reasoning = self.profile.split(choice.message)
        details = getattr(usage, "completion_tokens_details", None) if usage else None
        reasoning_tokens = (getattr(details, "reasoning_tokens", 0) or 0) if details else 0
        if not reasoning_tokens and reasoning:
            reasoning_tokens = count_tokens(reasoning)  # Moonshot and <think> servers report no split
        prompt = usage.prompt_tokens if usage else prompt_estimate
        completion = usage.completion_tokens if usage else count_tokens(content) + reasoning_tokens
        finish = choice.finish_reason or "stop"
        emit(Attempt(self.spec.id, self.profile.name, n, 200, None, prompt, completion, reasoning_tokens,
                     time.monotonic() - t0, self.spec.cost_usd(prompt, completion), wall, finish, timeout, content))  # fmt: skip
        return CallResult(content=content, finish_reason=finish, prompt_tokens=prompt, completion_tokens=completion,
                          reasoning_tokens=reasoning_tokens, seconds=0.0, reasoning=reasoning)  # fmt: skip

    def _wait(self, state: tenacity.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        retry_after = _retry_after(exc) if exc is not None else None
        if retry_after is not None:
            return min(self.backoff_max_s, retry_after)
        base: float = min(self.backoff_max_s, self.backoff_base_s * 2.0 ** (state.attempt_number - 1))
        return base / 2 + self._rng.uniform(0, base / 2)  # "equal jitter"


def _with(err: ProviderError, records: list[Attempt]) -> ProviderError:
    err.attempts = tuple(records)
    return err


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    if response is None:
        return None
    value: str | None = response.headers.get("retry-after")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
