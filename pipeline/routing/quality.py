"""Quality monitor: a rolling success rate per (model, job profile), alerts and demotion (issue 19).

Every segment a model analyses gives one ``Outcome``: schema-valid on the first try, any
attempt timed out, a fallback needed, quotes verified / dropped. It is a *success* when the first
answer was schema-valid, nothing timed out and no fallback was taken. The last
``QualityConfig.window`` outcomes make the rate; when at least ``min_samples`` are in and the
rate is below ``baseline - alert_drop`` the model is demoted and one alert fires (log line,
webhook, ``on_event`` hooks, an ``alerts`` counter). The router then skips it like an unhealthy
model, except on probe turns (``probe_share`` of its routings) so its window keeps filling with
fresh outcomes; when the rate is back at or above the line it is restored (a ``recovered``
event). Probing is the recovery rule because a model without traffic has a frozen window: a
"wait until the rate climbs back" rule alone would keep it demoted for ever.

The edge (demote + alert, restore + recovered) is decided inside one atomic step: a Lua script
in Redis (several API processes and Celery workers see one rate and exactly one of them fires),
a lock in the in-memory backend (the local executor without Redis). Reviewers' decisions on
items (accept / edit / reject) are counted beside the rate, not in it: they arrive days later,
for a few items, and would mix today's outcomes with last week's.

A monitor that cannot reach Redis logs and carries on: quality is never a reason for a segment
to fail, and routing then treats no model as demoted.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from pipeline import telemetry
from pipeline.config import QualityConfig, Settings

if TYPE_CHECKING:
    import redis

log = logging.getLogger("longdoc.quality")
EventKind = Literal["alert", "recovered"]
ReviewAction = Literal["accept", "edit", "reject"]
COUNTERS = ("segments", "successes", "first_try_invalid", "timeouts", "fallbacks", "quotes_verified",
            "quotes_dropped", "alerts", "recoveries", "accepted", "edited", "rejected")  # fmt: skip
_REVIEW_COUNTER = {"accept": "accepted", "edit": "edited", "reject": "rejected"}


@dataclass(frozen=True)
class Outcome:
    """What one model did with one segment."""

    model: str
    profile: str
    schema_valid_first: bool
    timeout: bool = False
    fallback: bool = False
    quotes_verified: int = 0
    quotes_dropped: int = 0

    @property
    def success(self) -> bool:
        return self.schema_valid_first and not self.timeout and not self.fallback

    def counters(self) -> dict[str, int]:
        return {"segments": 1, "successes": int(self.success), "first_try_invalid": int(not self.schema_valid_first),
                "timeouts": int(self.timeout), "fallbacks": int(self.fallback),
                "quotes_verified": self.quotes_verified, "quotes_dropped": self.quotes_dropped}  # fmt: skip


@dataclass(frozen=True)
class QualityEvent:
    """A crossing of the alert line: ``alert`` (demoted) or ``recovered`` (restored)."""

    kind: EventKind
    model: str
    profile: str
    rate: float
    samples: int
    baseline: float
    line: float
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {"event": f"model_quality_{self.kind}", **asdict(self)}


@dataclass(frozen=True)
class ModelRate:
    """One (model, profile) as ``longdoc models`` shows it."""

    model: str
    profile: str
    rate: float | None  # None until the window has an outcome
    samples: int  # outcomes in the window
    window: int
    baseline: float
    line: float
    demoted: bool
    counters: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Routing:
    """What the router needs for one profile: models to skip (with why) and those on a probe turn."""

    demoted: dict[str, str] = field(default_factory=dict)
    probing: frozenset[str] = frozenset()


class _Backend(Protocol):
    def push(
        self, model: str, profile: str, ok: bool, counters: dict[str, int], line: float
    ) -> tuple[str, int, int]:
        """Add one outcome; (event or "", successes in window, samples in window), atomically."""
        ...  # fmt: skip

    def count(self, model: str, profile: str, counters: dict[str, int]) -> None: ...

    def demoted(self, profile: str) -> dict[str, tuple[int, int]]: ...

    def probe_tick(self, model: str, profile: str) -> int: ...

    def snapshot(self) -> list[tuple[str, str, int, int, bool, dict[str, int]]]: ...


class MemoryBackend:
    """One process (the local executor without Redis): a deque per key under one lock."""

    def __init__(self, window: int, min_samples: int) -> None:
        self.window, self.min_samples = window, min_samples
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], deque[bool]] = {}
        self._counters: dict[tuple[str, str], dict[str, int]] = {}
        self._demoted: dict[tuple[str, str], tuple[int, int]] = {}
        self._probes: dict[tuple[str, str], int] = {}

    def push(
        self, model: str, profile: str, ok: bool, counters: dict[str, int], line: float
    ) -> tuple[str, int, int]:
        key = (model, profile)
        with self._lock:
            w = self._windows.setdefault(key, deque(maxlen=self.window))
            w.append(ok)
            self._add(key, counters)
            good, n = sum(w), len(w)
            event = _edge(key in self._demoted, good, n, self.min_samples, line)
            if event == "alert" or (key in self._demoted and event == ""):
                self._demoted[key] = (good, n)
            elif event == "recovered":
                del self._demoted[key]
            if event:
                self._add(key, {"alerts" if event == "alert" else "recoveries": 1})
            return event, good, n

    def count(self, model: str, profile: str, counters: dict[str, int]) -> None:
        with self._lock:
            self._add((model, profile), counters)

    def _add(self, key: tuple[str, str], counters: dict[str, int]) -> None:
        c = self._counters.setdefault(key, {})
        for k, v in counters.items():
            c[k] = c.get(k, 0) + v

    def demoted(self, profile: str) -> dict[str, tuple[int, int]]:
        with self._lock:
            return {m: v for (m, p), v in self._demoted.items() if p == profile}

    def probe_tick(self, model: str, profile: str) -> int:
        with self._lock:
            n = self._probes[(model, profile)] = self._probes.get((model, profile), 0) + 1
            return n

    def snapshot(self) -> list[tuple[str, str, int, int, bool, dict[str, int]]]:
        with self._lock:
            keys = sorted(set(self._windows) | set(self._counters))
            return [(m, p, sum(self._windows.get((m, p), ())), len(self._windows.get((m, p), ())),
                     (m, p) in self._demoted, dict(self._counters.get((m, p), {}))) for m, p in keys]  # fmt: skip


def _edge(demoted: bool, good: int, n: int, min_samples: int, line: float) -> str:
    """The same rule as ``_PUSH``: rate < line ⇔ good < line × n (no division by n)."""
    if n < min_samples:
        return ""
    if not demoted and good < line * n:
        return "alert"
    if demoted and good >= line * n:
        return "recovered"
    return ""


# KEYS: window list, counters hash, demoted hash of the profile (model -> "good/n"), index set.
# ARGV: ok (1/0), window, min samples, line, model, index member, then counter name/value pairs.
# Returns {event, good, n}. One script: two processes can never both see the crossing.
_PUSH = """
redis.call('LPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], 0, tonumber(ARGV[2]) - 1)
redis.call('SADD', KEYS[4], ARGV[6])
for i = 7, #ARGV, 2 do redis.call('HINCRBY', KEYS[2], ARGV[i], ARGV[i + 1]) end
local items = redis.call('LRANGE', KEYS[1], 0, -1)
local good, n = 0, #items
for _, v in ipairs(items) do if v == '1' then good = good + 1 end end
local line = tonumber(ARGV[4])
local demoted = redis.call('HEXISTS', KEYS[3], ARGV[5]) == 1
local event = ''
if n >= tonumber(ARGV[3]) then
  if (not demoted) and good < line * n then
    event = 'alert'
    redis.call('HINCRBY', KEYS[2], 'alerts', 1)
  elseif demoted and good >= line * n then
    event = 'recovered'
    redis.call('HDEL', KEYS[3], ARGV[5])
    redis.call('HINCRBY', KEYS[2], 'recoveries', 1)
  end
end
if event == 'alert' or (demoted and event == '') then
  redis.call('HSET', KEYS[3], ARGV[5], good .. '/' .. n)
end
return {event, good, n}
"""


class RedisBackend:
    """Shared by every process on one Redis (``LONGDOC_REDIS_URL``), under ``{prefix}:quality:``."""

    def __init__(
        self, client: redis.Redis, window: int, min_samples: int, *, prefix: str = "longdoc"
    ) -> None:
        self.redis, self.window, self.min_samples = client, window, min_samples
        self.p = f"{prefix}:quality"
        self._push = client.register_script(_PUSH)

    def _k(self, model: str, profile: str, what: str) -> str:
        return f"{self.p}:{profile}:{model}:{what}"

    def push(
        self, model: str, profile: str, ok: bool, counters: dict[str, int], line: float
    ) -> tuple[str, int, int]:
        pairs = [x for k, v in counters.items() for x in (k, str(v))]
        keys = [self._k(model, profile, "window"), self._k(model, profile, "counters"),
                f"{self.p}:demoted:{profile}", f"{self.p}:index"]  # fmt: skip
        args = ["1" if ok else "0", str(self.window), str(self.min_samples), repr(line), model,
                json.dumps([model, profile]), *pairs]  # fmt: skip
        event, good, n = self._push(keys=keys, args=args)
        return (event.decode() if isinstance(event, bytes) else str(event)), int(good), int(n)

    def count(self, model: str, profile: str, counters: dict[str, int]) -> None:
        pipe = self.redis.pipeline()  # MULTI/EXEC: the counters move together
        pipe.sadd(f"{self.p}:index", json.dumps([model, profile]))
        for k, v in counters.items():
            pipe.hincrby(self._k(model, profile, "counters"), k, v)
        pipe.execute()

    def demoted(self, profile: str) -> dict[str, tuple[int, int]]:
        raw: dict[bytes, bytes] = self.redis.hgetall(f"{self.p}:demoted:{profile}")  # type: ignore[assignment]
        out: dict[str, tuple[int, int]] = {}
        for m, v in raw.items():
            good, _, n = v.decode().partition("/")
            out[m.decode()] = (int(good), int(n))
        return out

    def probe_tick(self, model: str, profile: str) -> int:
        return int(self.redis.incr(self._k(model, profile, "probes")))

    def snapshot(self) -> list[tuple[str, str, int, int, bool, dict[str, int]]]:
        members: set[bytes] = self.redis.smembers(f"{self.p}:index")  # type: ignore[assignment]
        out = []
        for raw in sorted(members):
            model, profile = json.loads(raw)
            items: list[bytes] = self.redis.lrange(self._k(model, profile, "window"), 0, -1)  # type: ignore[assignment]
            counters: dict[bytes, bytes] = self.redis.hgetall(self._k(model, profile, "counters"))  # type: ignore[assignment]
            demoted = bool(self.redis.hexists(f"{self.p}:demoted:{profile}", model))
            out.append((model, profile, sum(1 for i in items if i == b"1"), len(items), demoted,
                        {k.decode(): int(v) for k, v in counters.items()}))  # fmt: skip
        return out


EventHook = Callable[[QualityEvent], None]


def _redis_errors() -> tuple[type[Exception], ...]:
    """Redis's "unreachable" errors, imported only when one is being matched: redis-py takes
    ~60 ms to import, and the in-memory backend of a local job never raises them."""
    from pipeline.routing.redis_scripts import REDIS_ERRORS

    return REDIS_ERRORS


class QualityMonitor:
    """Records outcomes, answers the router, fires events. ``on_event`` hooks (e.g. metrics, a
    pager) are called in the recording thread with every alert and recovery."""

    def __init__(self, config: QualityConfig, backend: _Backend, *, shared: bool = False) -> None:
        self.config = config
        self.backend = backend
        self.shared = shared  # True: the figures are every process's (Redis)
        self.hooks: list[EventHook] = [_log_event]
        self._webhook: _WebhookSender | None = None
        if config.webhook_url:
            self._webhook = _WebhookSender(config.webhook_url, config.webhook_timeout_s)
            self.hooks.append(self._webhook.send)

    @classmethod
    def memory(cls, config: QualityConfig) -> QualityMonitor:
        return cls(config, MemoryBackend(config.window, config.min_samples))

    @classmethod
    def from_settings(cls, settings: Settings) -> QualityMonitor | None:
        """None when disabled; Redis when configured (or ``auto`` with Celery), else in memory."""
        q = settings.quality
        if not q.enabled:
            return None
        if q.backend == "redis" or (q.backend == "auto" and settings.execution.executor == "celery"):
            from pipeline.routing.spend import spend_client  # the `distributed` extra: only here

            return cls(q, RedisBackend(spend_client(settings), q.window, q.min_samples), shared=True)
        return cls.memory(q)

    def on_event(self, hook: EventHook) -> None:
        """Call ``hook`` with every alert and recovery (the place to wire metrics)."""
        self.hooks.append(hook)

    def record(self, outcome: Outcome) -> QualityEvent | None:
        """Add ``outcome``; the event when this one crossed the line (fired here, once)."""
        line = self.config.line_for(outcome.model)
        try:
            kind, good, n = self.backend.push(outcome.model, outcome.profile, outcome.success,
                                              outcome.counters(), line)  # fmt: skip
        except _redis_errors() as exc:
            log.warning("quality outcome of %s not recorded: %s", outcome.model, exc)
            return None
        if n:
            telemetry.set_quality_rate(outcome.model, outcome.profile, good / n)
        if kind not in ("alert", "recovered"):
            return None
        telemetry.quality_event(outcome.model, outcome.profile, kind)
        event = QualityEvent(kind="alert" if kind == "alert" else "recovered", model=outcome.model,
                             profile=outcome.profile, rate=round(good / n, 4), samples=n,
                             baseline=self.config.baseline_for(outcome.model), line=round(line, 4),
                             at=datetime.now(UTC).isoformat(timespec="seconds"))  # fmt: skip
        for hook in self.hooks:
            try:
                hook(event)
            except Exception:  # noqa: BLE001 - a broken hook must not fail the segment that crossed
                log.exception("quality event hook %r failed", hook)
        return event

    def record_review(self, model: str, profile: str, action: ReviewAction) -> None:
        """A reviewer's decision on an item ``model`` produced: counted, not in the rate."""
        try:
            self.backend.count(model, profile, {_REVIEW_COUNTER[action]: 1})
        except _redis_errors() as exc:
            log.warning("review decision on %s not counted: %s", model, exc)

    def routing(self, profile: str) -> Routing:
        """Demoted models for a route of ``profile``; each is on a probe turn once in
        ``1 / probe_share`` routings (then left out of ``demoted`` and named in ``probing``)."""
        try:
            down = self.backend.demoted(profile)
            every = max(1, round(1 / self.config.probe_share))
            probing = frozenset(m for m in down if self.backend.probe_tick(m, profile) % every == 0)
        except _redis_errors() as exc:
            log.warning("quality state unknown (%s): no model is treated as demoted", exc)
            return Routing()
        demoted = {m: f"demoted: success rate {good / n:.0%} over the last {n} segments is below "
                      f"{self.config.line_for(m):.0%}" for m, (good, n) in down.items() if m not in probing}  # fmt: skip
        return Routing(demoted=demoted, probing=probing)

    def rates(self) -> list[ModelRate]:
        """Every (model, profile) with outcomes: the figures ``longdoc models`` prints."""
        out = []
        for model, profile, good, n, demoted, counters in self.backend.snapshot():
            out.append(ModelRate(model=model, profile=profile, rate=round(good / n, 4) if n else None,
                                 samples=n, window=self.config.window, baseline=self.config.baseline_for(model),
                                 line=round(self.config.line_for(model), 4), demoted=demoted,
                                 counters={k: counters.get(k, 0) for k in COUNTERS}))  # fmt: skip
        return out

    def drain(self, timeout_s: float = 10.0) -> None:
        """Wait until queued webhook deliveries are sent (shutdown, tests)."""
        if self._webhook is not None:
            self._webhook.drain(timeout_s)


def _log_event(e: QualityEvent) -> None:
    if e.kind == "alert":
        log.warning("quality alert: %s (%s) success rate %.1f%% over %d segments is below %.1f%% "
                    "(baseline %.1f%%): demoted", e.model, e.profile, e.rate * 100, e.samples,
                    e.line * 100, e.baseline * 100)  # fmt: skip
    else:
        log.warning("quality recovered: %s (%s) success rate %.1f%% over %d segments is back at or above "
                    "%.1f%%: restored", e.model, e.profile, e.rate * 100, e.samples, e.line * 100)  # fmt: skip


class _WebhookSender:
    """POSTs events as JSON from one daemon thread, in order, one try each (an alert is also a
    log line and a counter: a receiver that is down loses the POST, not the alert)."""

    def __init__(self, url: str, timeout_s: float) -> None:
        self.url, self.timeout_s = url, timeout_s
        self._queue: queue.Queue[QualityEvent] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def send(self, event: QualityEvent) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="quality-webhook", daemon=True)
                self._thread.start()
        self._queue.put(event)

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            try:
                req = urllib.request.Request(self.url, data=json.dumps(event.to_dict()).encode(), method="POST",
                                             headers={"Content-Type": "application/json"})  # fmt: skip
                with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:  # noqa: S310 - operator's URL
                    resp.read()
            except (OSError, ValueError) as exc:
                log.warning("quality webhook to %s failed: %s", self.url, exc)
            finally:
                self._queue.task_done()

    def drain(self, timeout_s: float) -> None:
        done = threading.Event()

        def wait() -> None:
            self._queue.join()
            done.set()

        threading.Thread(target=wait, daemon=True).start()
        done.wait(timeout_s)
