"""``longdoc simulate-llm``: a local OpenAI-compatible Chat Completions server.

Tests, demos and benchmarks talk to it through the real ``openai`` SDK exactly as they would
to a provider. A segment request (``response_format`` named ``segment_analysis``, or a prompt
holding the SEGMENT_OPEN/SEGMENT_CLOSE markers) is answered with a schema-valid
``LLMSegmentOutput`` built by the offline analyzers from the segment's real text, so every
quote is verbatim; a ``synthesis`` request gets a deterministic ``LLMSynthesis``. Usage is
counted in o200k tokens, latency follows a per-model lognormal, and faults (429, 500, hangs,
broken or lying JSON) are injected at a configured rate. ``GET /_sim/stats`` tells a test
what was served and billed; ``GET /_log`` lists every request (arrival time, model, status,
error code, prompt/completion/reasoning tokens) so tests and benches can count them.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator

from chunking.tokenizer import count_tokens
from pipeline.simulate import contracts
from pipeline.simulate.faults import (
    ALL_FAULTS,
    FaultKind,
    answer,
    choose_fault,
    error_body,
    format_seconds,
    max_tokens,
    request_rng,
    sample_latency,
    text_of,
)

DEFAULT_CONTEXTS: dict[str, int] = {
    "kimi-k2-thinking": 262_144,
    "kimi-k2-thinking-turbo": 262_144,
    "gpt-5.1-chat-latest": 128_000,
    "gpt-5.1": 400_000,
}
# (p50, p95) seconds, as measured on the providers for a ~100K-token segment.
DEFAULT_LATENCIES: dict[str, tuple[float, float]] = {
    "kimi-k2-thinking": (19.0, 35.0),
    "kimi-k2-thinking-turbo": (8.0, 18.0),
    "gpt-5.1-chat-latest": (6.0, 13.0),
    "gpt-5.1": (32.0, 56.0),
}
# Request fields that change the answer; others (user, metadata, SDK extras) do not.
_HASHED_FIELDS = (
    "model",
    "messages",
    "response_format",
    "max_tokens",
    "max_completion_tokens",
    "temperature",
    "top_p",
    "seed",
    "reasoning_effort",
)


class SimulatorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    time_scale: float = Field(1.0, ge=0.0, description="multiplies sampled latencies and Retry-After")
    fixed_latency_s: float | None = Field(None, ge=0.0, description="unscaled latency for every answer")
    fault_rate: float = Field(0.0, ge=0.0, le=1.0)
    # Per model (the request's "model", i.e. the API model id), over fault_rate: one model can
    # go bad while the others stay clean (quality monitor tests). POST /_sim/faults changes both.
    fault_rates: dict[str, Annotated[float, Field(ge=0.0, le=1.0)]] = Field(default_factory=dict)
    fault_kinds: tuple[FaultKind, ...] = ALL_FAULTS
    hang_s: float = Field(60.0, ge=0.0, description="how long a 'timeout' fault stalls (unscaled)")
    retry_after_s: float = Field(1.0, ge=0.0, description="Retry-After of a 429, before time_scale")
    seed: int = 0
    # Both tables are merged over the defaults: naming one model does not forget the others.
    contexts: dict[str, int] = Field(default_factory=dict, validate_default=True)
    default_context: int = Field(131_072, ge=1)
    latencies: dict[str, tuple[float, float]] = Field(default_factory=dict, validate_default=True)
    default_latency: tuple[float, float] = (4.0, 10.0)  # self-hosted and unknown models
    require_key: bool = False
    # Answers for these models (API ids) wait, after their latency, until POST /_sim/release:
    # a test shows "the job ends while these calls are still out" by state, not by a long latency.
    held_models: tuple[str, ...] = ()
    # Requests after the first N (any model) are held the same way: "N calls answered, the next
    # one in flight" for as long as a test needs.
    hold_after: int | None = Field(None, ge=0)
    # Refuse what each real API refuses and deliver reasoning as each does (simulate/contracts.py).
    # On by default so every test meets the real contracts; `longdoc simulate-llm --strict`.
    strict: bool = True

    @field_validator("contexts")
    @classmethod
    def _merge_contexts(cls, value: dict[str, int]) -> dict[str, int]:
        return {**DEFAULT_CONTEXTS, **value}

    @field_validator("latencies")
    @classmethod
    def _merge_latencies(cls, value: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        return {**DEFAULT_LATENCIES, **value}

    def fault_rate_of(self, model: str) -> float:
        return self.fault_rates.get(model, self.fault_rate)

    def context_of(self, model: str) -> int:
        return self.contexts.get(model, self.default_context)

    def latency_of(self, model: str) -> tuple[float, float]:
        return self.latencies.get(model, self.default_latency)

    def model_ids(self) -> list[str]:
        return sorted(set(self.contexts) | set(self.latencies))


def is_reasoning_model(model: str) -> bool:
    return contracts.family(model) in ("openai-reasoning", "moonshot", "self-hosted-thinking")


def request_hash(body: dict[str, Any]) -> str:
    subset = {k: body.get(k) for k in _HASHED_FIELDS}
    return hashlib.sha256(json.dumps(subset, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class SimStats:
    requests: int = 0
    ok_requests: int = 0  # 200 with a clean answer
    over_long: int = 0
    prompt_tokens: int = 0  # billed: every 200, clean or spoiled
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    by_model: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    faults_by_kind: Counter[str] = field(default_factory=Counter)
    usage_by_model: dict[str, Counter[str]] = field(default_factory=dict)
    # The billed 200s whose content was spoiled on purpose, so callers can reconcile cost.
    billed_faulty: Counter[str] = field(default_factory=Counter)
    # Wall-clock (time.time()) arrival of the first chat completion: time-to-first-call benches.
    first_request_at: float | None = None

    def bill(self, model: str, prompt: int, completion: int, reasoning: int, spoiled: bool) -> None:
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        self.reasoning_tokens += reasoning
        usage = self.usage_by_model.setdefault(model, Counter())
        usage.update(
            prompt_tokens=prompt, completion_tokens=completion, reasoning_tokens=reasoning, requests=1
        )
        if spoiled:
            self.billed_faulty.update(requests=1, prompt_tokens=prompt, completion_tokens=completion)
        else:
            self.ok_requests += 1

    def to_dict(self) -> dict[str, Any]:
        usage = {
            m: {k: u[k] for k in ("prompt_tokens", "completion_tokens", "reasoning_tokens", "requests")}
            for m, u in sorted(self.usage_by_model.items())
        }
        faulty = {k: self.billed_faulty[k] for k in ("requests", "prompt_tokens", "completion_tokens")}
        return {
            "requests": self.requests,
            "ok_requests": self.ok_requests,
            "over_long": self.over_long,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
            "reasoning_tokens": self.reasoning_tokens,
            "by_model": dict(self.by_model),
            "by_status": dict(self.by_status),
            "faults_by_kind": dict(self.faults_by_kind),
            "usage_by_model": usage,
            "billed_faulty": faulty,
            "first_request_at": self.first_request_at,
        }


@dataclass
class LogEntry:
    """One request as the simulator saw it (``GET /_log``)."""

    arrived: float  # wall-clock epoch seconds at arrival
    model: str | None
    status: int = 0  # 0 while in flight; 499 when the client hung up
    error_code: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    reasoning_tokens: int = 0
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "arrived": round(self.arrived, 6), "model": self.model, "status": self.status,
            "error_code": self.error_code, "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens, "reasoning_tokens": self.reasoning_tokens,
            "seconds": round(self.seconds, 4),
        }  # fmt: skip


@dataclass
class _State:
    config: SimulatorConfig
    stats: SimStats = field(default_factory=SimStats)
    log: list[LogEntry] = field(default_factory=list)
    attempts: Counter[str] = field(default_factory=Counter)  # request hash → attempts seen
    released: asyncio.Event | None = None  # made in the server's loop, on first use


async def _held(request: Request, state: _State) -> bool:
    """Wait until POST /_sim/release; False when the client hung up meanwhile."""
    if state.released is None:
        state.released = asyncio.Event()
    while not state.released.is_set():
        try:
            await asyncio.wait_for(state.released.wait(), 0.25)
        except TimeoutError:
            if await request.is_disconnected():
                return False
    return True


async def _sleep(request: Request, seconds: float) -> bool:
    """Wait, but stop early (False) when the client has hung up, as a real server would."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        await asyncio.sleep(min(remaining, 0.25))
        if await request.is_disconnected():
            return False
    return True


def create_app(config: SimulatorConfig) -> FastAPI:
    app = FastAPI(title="longdoc LLM simulator", docs_url=None, redoc_url=None, openapi_url=None)
    state = _State(config)
    app.state.sim = state

    def reply(
        status: int,
        body: dict[str, Any],
        headers: dict[str, str] | None = None,
        entry: LogEntry | None = None,
    ) -> JSONResponse:
        state.stats.by_status[str(status)] += 1
        if entry is not None:
            close(entry, status, body)
        return JSONResponse(body, status_code=status, headers=headers)

    def close(entry: LogEntry, status: int, body: dict[str, Any] | None = None) -> None:
        entry.status, entry.seconds = status, time.time() - entry.arrived
        error = (body or {}).get("error")
        if isinstance(error, dict):
            entry.error_code = error.get("code") or error.get("type")

    def unauthorized(request: Request) -> bool:
        auth = request.headers.get("authorization", "")
        return config.require_key and not (auth.startswith("Bearer ") and auth[7:].strip())

    @app.get("/v1/models")
    async def models(request: Request) -> JSONResponse:
        if unauthorized(request):
            return JSONResponse(
                error_body("Missing API key.", "invalid_request_error", "invalid_api_key"), 401
            )
        data = [
            {"id": m, "object": "model", "created": 0, "owned_by": "longdoc-simulator"}
            for m in config.model_ids()
        ]
        return JSONResponse({"object": "list", "data": data})

    @app.get("/_sim/stats")
    async def stats() -> dict[str, Any]:
        return state.stats.to_dict()

    @app.get("/_log")
    async def request_log() -> dict[str, Any]:
        return {"requests": [e.to_dict() for e in state.log]}

    @app.post("/_sim/reset")
    async def reset() -> dict[str, Any]:
        state.stats = SimStats()
        state.log.clear()
        state.attempts.clear()  # so a rerun after reset meets the same faults
        return {"ok": True}

    @app.post("/_sim/release")
    async def release() -> dict[str, Any]:
        """Let the held models' calls answer (and every later one at once)."""
        config.held_models, config.hold_after = (), None
        if state.released is None:
            state.released = asyncio.Event()
        state.released.set()
        return {"ok": True}

    @app.post("/_sim/faults")
    async def set_faults(request: Request) -> JSONResponse:
        """Change fault_rate / fault_rates / fault_kinds while serving (a model going bad, then
        recovering). Validated as SimulatorConfig fields; the others are left as they are."""
        try:
            body = await request.json()
            allowed = {"fault_rate", "fault_rates", "fault_kinds"}
            if not isinstance(body, dict) or not set(body) <= allowed:
                raise ValueError(f"only {sorted(allowed)} can be changed")
            new = SimulatorConfig.model_validate({**config.model_dump(include=allowed), **body})
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            return JSONResponse(error_body(str(exc)[:500], "invalid_request_error", None), 400)
        config.fault_rate, config.fault_rates, config.fault_kinds = (
            new.fault_rate,
            new.fault_rates,
            new.fault_kinds,
        )
        return JSONResponse(config.model_dump(include=allowed))

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> Response:
        entry = LogEntry(arrived=time.time(), model=None)
        state.log.append(entry)
        if state.stats.first_request_at is None:
            state.stats.first_request_at = time.time()
        if unauthorized(request):
            return reply(
                401, error_body("Missing API key.", "invalid_request_error", "invalid_api_key"), entry=entry
            )
        try:
            body = await request.json()
        except ValueError:
            return reply(
                400, error_body("The body is not valid JSON.", "invalid_request_error", None), entry=entry
            )
        if not (
            isinstance(body, dict)
            and isinstance(body.get("model"), str)
            and isinstance(body.get("messages"), list)
            and body["messages"]
        ):
            return reply(
                400,
                error_body("'model' and 'messages' are required.", "invalid_request_error", None),
                entry=entry,
            )
        if body.get("stream"):
            return reply(
                400,
                error_body("The simulator does not stream.", "invalid_request_error", None, "stream"),
                entry=entry,
            )
        model: str = body["model"]
        entry.model = model
        texts = [text_of(m.get("content")) for m in body["messages"] if isinstance(m, dict)]
        prompt_tokens = await asyncio.to_thread(lambda: sum(count_tokens(t) for t in texts))
        rhash = request_hash(body)
        state.attempts[rhash] += 1
        rng = request_rng(config.seed, rhash, state.attempts[rhash])
        st = state.stats
        st.requests += 1
        held = model in config.held_models or (config.hold_after is not None and st.requests > config.hold_after)
        st.by_model[model] += 1
        entry.prompt_tokens = prompt_tokens
        if config.strict and (refused := contracts.refusal(body)) is not None:
            return reply(400, refused, entry=entry)

        limit, reserve = config.context_of(model), max_tokens(body) or 0
        if prompt_tokens + reserve > limit:
            st.over_long += 1
            msg = (
                f"This model's maximum context length is {limit} tokens. However, you requested "
                f"{prompt_tokens + reserve} tokens ({prompt_tokens} in the messages, {reserve} in the "
                "completion). Please reduce the length of the messages or completion."
            )
            return reply(
                400,
                error_body(msg, "invalid_request_error", "context_length_exceeded", "messages"),
                entry=entry,
            )

        fault = choose_fault(rng, config.fault_rate_of(model), config.fault_kinds)
        if fault is not None:
            st.faults_by_kind[fault] += 1
        p50, p95 = config.latency_of(model)
        latency = config.fixed_latency_s
        if latency is None:
            latency = sample_latency(rng, p50, p95) * config.time_scale
        if fault == "429":
            # Never 0: the SDK ignores a zero Retry-After and falls back to its own 0.5 s backoff.
            wait = max(config.retry_after_s * config.time_scale, 0.001)
            headers = {"retry-after": format_seconds(wait), "retry-after-ms": str(max(1, round(wait * 1000)))}
            msg = f"Rate limit reached for {model}. Please try again in {format_seconds(wait)}s."
            return reply(
                429, error_body(msg, "rate_limit_error", "rate_limit_exceeded"), headers, entry=entry
            )
        if not await _sleep(
            request, config.hang_s if fault == "timeout" else latency * (0.1 if fault == "500" else 1)
        ) or (held and not await _held(request, state)):
            st.by_status["499"] += 1  # client closed the request (nginx's code)
            close(entry, 499)
            return Response(status_code=499)
        if fault == "500":
            msg = "The server had an error while processing your request. Sorry about that!"
            return reply(500, error_body(msg, "server_error", "server_error"), entry=entry)

        content, finish, spoiled = await asyncio.to_thread(answer, body, fault, rng)
        completion = await asyncio.to_thread(count_tokens, content)
        reasoning = completion // 5 if is_reasoning_model(model) else 0
        message: dict[str, Any] = {"role": "assistant", "content": content, "refusal": None}
        usage: dict[str, Any] = {"completion_tokens_details": {"reasoning_tokens": reasoning}}
        if config.strict:
            message, usage = await asyncio.to_thread(contracts.deliver, model, content, completion, reasoning)
            completion = usage["completion_tokens"]
        if await request.is_disconnected():  # the client gave up while we composed: not billed
            st.by_status["499"] += 1
            close(entry, 499)
            return Response(status_code=499)
        st.bill(model, prompt_tokens, completion, reasoning, spoiled)
        entry.completion_tokens, entry.reasoning_tokens = completion, reasoning
        return reply(
            200,
            {
                "id": f"chatcmpl-{rhash[:20]}{state.attempts[rhash]:04d}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "system_fingerprint": "fp_longdoc_sim",
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "logprobs": None,
                        "finish_reason": finish,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion,
                    "total_tokens": prompt_tokens + completion,
                    "prompt_tokens_details": {"cached_tokens": 0},
                    **{k: v for k, v in usage.items() if k != "completion_tokens"},
                },
            },
            entry=entry,
        )

    return app


def serve(port: int, *, host: str = "127.0.0.1", config: SimulatorConfig) -> None:
    """Run the simulator in the foreground until interrupted."""
    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        log_level="info",
        access_log=False,
        timeout_graceful_shutdown=5,
    )


@contextmanager
def running_simulator(config: SimulatorConfig | None = None) -> Iterator[str]:
    """Serve ``config`` on a free loopback port in a background thread; yield the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # binding here, not in uvicorn, is how we learn the port
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config or SimulatorConfig()),
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
    )
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True, name=f"simulate-llm:{port}"
    )
    thread.start()
    deadline = time.monotonic() + 10
    try:
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the LLM simulator did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
