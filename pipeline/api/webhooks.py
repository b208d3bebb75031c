"""Webhooks: when a job reaches a terminal status, POST its resource to the job's callback URL.

The body is the job resource JSON; ``X-Longdoc-Signature: sha256=<hex>`` is the HMAC-SHA256
of the raw body with the tenant's secret (``Settings.webhook_secrets``). A non-2xx answer or
a connection error is retried with exponential backoff (``webhook_backoff_s`` doubling, with
jitter) up to ``webhook_max_attempts`` deliveries. ``X-Longdoc-Delivery`` is the same on every
retry, so receivers can drop duplicates.

One background thread per API process delivers. It learns of a job's end at once from the
local runner and otherwise re-reads job.json every ``webhook_poll_s`` (Celery workers finish
jobs elsewhere). Pending deliveries are listed in storage (``_webhooks/{tenant}/{job_id}``),
so a restarted server still delivers them; each attempt is logged in
``{tenant}/jobs/{id}/webhook.json`` with the next retry's time, and that log (not memory) says
how many attempts were made and when the next is due.

Several API processes: an attempt is made only under a claim on ``hook:{tenant}:{job_id}``
(see ``locks.py``; in Redis when ``Settings.api_coordination`` resolves to ``redis``, always
with the Celery executor), taken for longer than one attempt can last and renewed while held.
Whoever holds it re-reads the log first, so a delivery another process finished, or a retry
it already made or scheduled, is not repeated. With shared locks every process also re-lists
``_webhooks/`` every ``webhook_poll_s``: a delivery registered by another process (or left by
one that died) is picked up.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import random
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx2 as httpx

from pipeline.api.locks import Locks, ProcessLocks, holding
from pipeline.api.problems import ProblemError
from pipeline.api.service import JobService
from pipeline.errors import NotFound
from pipeline.jobs import TERMINAL, now
from pipeline.settings import Settings
from storage import keys

log = logging.getLogger("longdoc.webhooks")
PENDING = "_webhooks/"  # not a valid tenant name, so never inside a tenant's keys
SIGNATURE_HEADER = "X-Longdoc-Signature"


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str | None) -> bool:
    """For receivers: does ``header`` sign ``body`` with ``secret``?"""
    return bool(header) and hmac.compare_digest(sign(secret, body), str(header))


def check_callback_url(url: str, *, allow_private: bool) -> str:
    """422 unless ``url`` is http(s) with a host; refuse internal addresses (SSRF) unless allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ProblemError(422, "callback_refused", "callback_url must be an http(s) URL with a host")
    if allow_private:
        return url
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise ProblemError(422, "callback_refused", "callback_url's host does not resolve") from None
    for info in infos:
        addr = ipaddress.ip_address(info[4][0])
        if not addr.is_global:
            raise ProblemError(422, "callback_refused", "callback_url points at a private or local address")
    return url


@dataclass
class _Pending:
    tenant: str
    job_id: str
    due: float = 0.0
    attempts: int = 0
    body: bytes | None = None
    event: str = ""


class WebhookDispatcher:
    def __init__(self, settings: Settings, service: JobService, secrets: dict[str, bytes],
                 client: httpx.Client | None = None, locks: Locks | None = None) -> None:  # fmt: skip
        self.settings = settings
        self.locks: Locks = locks or ProcessLocks()
        # httpx's timeout bounds each of connect, write, read and pool wait, so one attempt may
        # last about four timeouts; the claim outlives that (plus the log write) even unrenewed.
        self.claim_ttl_s = 4 * settings.webhook_timeout_s + 30.0
        self._last_scan = 0.0
        self.service = service
        self.store = service.store
        self.secrets = secrets
        self.client = client or httpx.Client(timeout=settings.webhook_timeout_s, follow_redirects=False)
        self._pending: dict[tuple[str, str], _Pending] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        service.on_change(self.notify)

    def register(self, tenant: str, job_id: str) -> None:
        """Watch a job that has a callback.json (called after the job is created)."""
        self.store.put(f"{PENDING}{tenant}/{job_id}", b"")
        with self._lock:
            self._pending.setdefault((tenant, job_id), _Pending(tenant, job_id))
        self._wake.set()

    def notify(self, tenant: str, job_id: str) -> None:
        with self._lock:
            p = self._pending.get((tenant, job_id))
            if p is not None and p.attempts == 0:
                p.due = 0.0
        if p is not None:
            self._wake.set()

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._scan()
        self._thread = threading.Thread(target=self._loop, name="webhooks", daemon=True)
        self._thread.start()

    def _scan(self) -> None:
        """Watch every delivery pending in storage (including other processes' ones)."""
        self._last_scan = time.monotonic()
        for key in self.store.list(PENDING):
            parts = key[len(PENDING) :].split("/")
            if len(parts) == 2:
                with self._lock:
                    self._pending.setdefault((parts[0], parts[1]), _Pending(parts[0], parts[1]))

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._thread = None  # start() may run again (the HTTP client stays open for it)

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self.locks.shared and time.monotonic() - self._last_scan >= self.settings.webhook_poll_s:
                try:
                    self._scan()
                except Exception:  # storage hiccup: the next scan retries
                    log.exception("listing pending webhooks")
            now_t = time.monotonic()
            with self._lock:
                due = [p for p in self._pending.values() if p.due <= now_t]
            for p in due:
                try:
                    self._step(p)
                except ProblemError as exc:  # Redis down: expected, retried; one line, no traceback
                    log.warning("webhook for %s/%s deferred: %s", p.tenant, p.job_id, exc.detail)
                    p.due = time.monotonic() + self.settings.webhook_poll_s
                except Exception:  # never let one job stop every other delivery
                    log.exception("webhook for %s/%s", p.tenant, p.job_id)
                    p.due = time.monotonic() + self.settings.webhook_poll_s
            with self._lock:
                nxt = min(
                    (p.due for p in self._pending.values()), default=now_t + self.settings.webhook_poll_s
                )
            self._wake.wait(timeout=max(0.0, min(nxt - time.monotonic(), self.settings.webhook_poll_s)))
            self._wake.clear()

    def _step(self, p: _Pending) -> None:
        if p.body is None:
            try:
                res = self.service.resource(p.tenant, p.job_id)
            except ProblemError:
                self._finish(p, None)  # the job is gone
                return
            if res.status not in TERMINAL:
                p.due = time.monotonic() + self.settings.webhook_poll_s
                return
            p.body = res.model_dump_json().encode()
            p.event = f"job.{res.status}"
        with holding(self.locks, f"hook:{p.tenant}:{p.job_id}", self.claim_ttl_s) as mine:
            if not mine:  # another process is attempting this delivery right now
                p.due = time.monotonic() + self.settings.webhook_poll_s
                return
            self._attempt(p)

    def _attempt(self, p: _Pending) -> None:
        """One delivery attempt, if one is due; only ever called under the job's claim."""
        # Another process may have delivered or retried since this one last looked: storage says.
        if not self.store.exists(f"{PENDING}{p.tenant}/{p.job_id}"):
            self._forget(p)
            return
        log_doc = self._read_log(p)
        if log_doc.get("done"):
            self._finish(p, None)
            return
        p.attempts = len(log_doc.get("attempts", []))  # type: ignore[arg-type]
        wait = float(log_doc.get("next_at", 0.0)) - time.time()  # type: ignore[arg-type]
        if wait > 0:
            p.due = time.monotonic() + wait
            return
        try:
            url = str(self.store.get_json(keys.job_file(p.tenant, p.job_id, "callback.json"))["url"])  # type: ignore[index]
        except (NotFound, KeyError, TypeError):
            self._finish(p, None)
            return
        secret = self.secrets.get(p.tenant)
        if secret is None:
            self._finish(p, {"at": now(), "error": "no webhook secret configured for this tenant"})
            return
        p.attempts += 1
        outcome = self._post(url, p, secret)
        if outcome.get("status") and 200 <= int(outcome["status"]) < 300:  # type: ignore[call-overload]
            self._finish(p, outcome, delivered=True)
        elif p.attempts >= self.settings.webhook_max_attempts:
            self._finish(p, outcome)
        else:
            delay = self.settings.webhook_backoff_s * 2 ** (p.attempts - 1) * random.uniform(0.8, 1.2)
            # Wall-clock time in the log, so whichever process retries waits the same backoff.
            self._log(p, outcome, delivered=False, done=False, next_at=time.time() + delay)
            p.due = time.monotonic() + delay

    def _post(self, url: str, p: _Pending, secret: bytes) -> dict[str, object]:
        assert p.body is not None
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, p.body),
                   "X-Longdoc-Event": p.event, "X-Longdoc-Delivery": f"{p.tenant}.{p.job_id}",
                   "User-Agent": "longdoc-webhooks/1"}  # fmt: skip
        try:
            check_callback_url(url, allow_private=self.settings.webhook_allow_private)
            r = self.client.post(url, content=p.body, headers=headers)
            return {"at": now(), "attempt": p.attempts, "status": r.status_code}
        except ProblemError as exc:
            return {"at": now(), "attempt": p.attempts, "error": exc.detail or exc.code}
        except httpx.HTTPError as exc:
            return {"at": now(), "attempt": p.attempts, "error": f"{type(exc).__name__}: {exc}"}

    def _finish(self, p: _Pending, outcome: dict[str, object] | None, *, delivered: bool = False) -> None:
        if outcome is not None:
            self._log(p, outcome, delivered=delivered, done=True)
        self._forget(p)
        self.store.delete(f"{PENDING}{p.tenant}/{p.job_id}")

    def _forget(self, p: _Pending) -> None:
        with self._lock:
            self._pending.pop((p.tenant, p.job_id), None)

    def _read_log(self, p: _Pending) -> dict[str, object]:
        try:
            log_doc = self.store.get_json(keys.job_file(p.tenant, p.job_id, "webhook.json"))
        except NotFound:
            return {}
        return log_doc if isinstance(log_doc, dict) else {}

    def _log(self, p: _Pending, outcome: dict[str, object], *, delivered: bool, done: bool,
             next_at: float | None = None) -> None:  # fmt: skip
        attempts = list(self._read_log(p).get("attempts", []))  # type: ignore[call-overload]
        doc: dict[str, object] = {"delivered": delivered, "done": done, "attempts": [*attempts, outcome]}
        if next_at is not None:
            doc["next_at"] = next_at
        self.store.put_json(keys.job_file(p.tenant, p.job_id, "webhook.json"), doc)

    def idle(self) -> bool:
        with self._lock:
            return not self._pending
