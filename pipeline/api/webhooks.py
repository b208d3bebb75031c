"""Webhooks: when a job reaches a terminal status, POST its resource to the job's callback URL.

The body is the job resource JSON; ``X-Longdoc-Signature: sha256=<hex>`` is the HMAC-SHA256
of the raw body with the tenant's secret (``Settings.webhook.secrets``). A non-2xx answer or
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
(see ``locks.py``; in Redis with the Celery executor, the only one several API processes may
run), taken for longer than one attempt can last and renewed while held.
Whoever holds it re-reads the log first, so a delivery another process finished, or a retry
it already made or scheduled, is not repeated. With shared locks every process also re-lists
``_webhooks/`` every ``webhook_poll_s``: a delivery registered by another process (or left by
one that died) is picked up.

Targets (SSRF): each attempt resolves the callback's host once, refuses it unless every address
is public unicast (``refusal``), then connects to those addresses only (the next one if one
refuses the connection, as a connect by name would), sending the original Host header and using
the original name for TLS SNI and certificate checks; the name is never looked up again, so a
DNS answer that changes after the check (rebinding) cannot redirect the delivery.
``webhook_allow_private`` admits private and local addresses (tests, closed networks), still
pinned. Registration runs the same check for an early 422.
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx

from pipeline.api.locks import Locks, ProcessLocks
from pipeline.api.problems import ProblemError
from pipeline.api.service import JobService
from pipeline.config import Settings
from pipeline.errors import NotFound
from pipeline.jobs.store import TERMINAL, now
from storage import keys

log = logging.getLogger("longdoc.webhooks")
PENDING = "_webhooks/"  # not a valid tenant name, so never inside a tenant's keys
SIGNATURE_HEADER = "X-Longdoc-Signature"


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str | None) -> bool:
    """For receivers: does ``header`` sign ``body`` with ``secret``?"""
    return bool(header) and hmac.compare_digest(sign(secret, body), str(header))


# Looks a host up for TCP, like socket.getaddrinfo: entries whose [4][0] is an address string.
Resolver = Callable[[str, int], Iterable[tuple[Any, ...]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def system_resolver(host: str, port: int) -> list[tuple[Any, ...]]:
    # socket.getaddrinfo is looked up per call, so a patched one (tests) is honoured.
    return list(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))


# Special-purpose ranges Python 3.11's ipaddress does not flag (newer Pythons do for some; the
# entries are then redundant). Everything else is left to ipaddress's properties in refusal().
_SPECIAL: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str], ...] = (
    (ipaddress.ip_network("192.0.0.0/24"), "IETF protocol assignments"),  # RFC 6890 section 2.2.2
    (ipaddress.ip_network("192.88.99.0/24"), "6to4 relay anycast"),  # RFC 3068, deprecated by RFC 7526
    (ipaddress.ip_network("64:ff9b::/96"), "NAT64"),  # RFC 6052 well-known prefix
    (ipaddress.ip_network("64:ff9b:1::/48"), "local-use NAT64"),  # RFC 8215
    (ipaddress.ip_network("3fff::/20"), "documentation"),  # RFC 9637
)


def refusal(addr: IPAddress, *, allow_private: bool) -> str | None:
    """Why ``addr`` may not receive a webhook, or None when it may (public unicast)."""
    if addr.is_multicast:
        return "multicast"
    if addr.is_unspecified:
        return "unspecified"
    if allow_private:
        return None
    if isinstance(addr, ipaddress.IPv6Address):
        # These embed an IPv4 address reached through a translator or tunnel: refused outright
        # rather than judged by the embedded address.
        if addr.ipv4_mapped is not None:
            return "IPv4-mapped"
        if addr.sixtofour is not None:
            return "6to4"
        if addr.teredo is not None:
            return "Teredo"
        if addr.is_site_local:
            return "site-local"
    for net, name in _SPECIAL:
        if addr in net:
            return name
    if addr.is_loopback:
        return "loopback"
    if addr.is_link_local:
        return "link-local"
    if addr.is_private:  # RFC 1918, ULA, benchmarking, documentation, 0/8, 240/4, broadcast, ...
        return "private or special-purpose"
    if addr.is_reserved:  # IETF-reserved; for IPv6 ::/8 also holds IPv4-compatible ::a.b.c.d
        return "reserved"
    if not addr.is_global:  # what is left: shared address space (CGNAT, 100.64.0.0/10)
        return "not globally reachable"
    return None


@dataclass(frozen=True)
class Target:
    """Where one delivery may go: the vetted addresses, each with its URL (the address for the host)."""

    pinned: tuple[tuple[IPAddress, httpx.URL], ...]  # in the resolver's order of preference
    host_header: str  # the original URL's Host header
    sni_hostname: str | None  # the original name, for TLS; None when the URL named an address


def _refused(detail: str) -> ProblemError:
    return ProblemError(422, "callback_refused", detail)


def resolve_callback(url: str, *, allow_private: bool, resolver: Resolver | None = None) -> Target:
    """Resolve ``url``'s host once; 422 unless it is http(s) and every address may be a target."""
    # httpx parses the URL that is checked, so the checker and the client cannot disagree on
    # which host it names.
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        raise _refused("callback_url is not a valid URL") from None
    if parsed.scheme not in ("http", "https") or not parsed.raw_host:
        raise _refused("callback_url must be an http(s) URL with a host")
    if parsed.userinfo:
        raise _refused("callback_url must not carry a user name or password")
    host = parsed.raw_host.decode("ascii")  # IDNA-encoded: what DNS and TLS see
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addrs: list[IPAddress] = [literal]
    else:
        port = parsed.port or (443 if parsed.scheme == "https" else 80)
        try:
            addrs = [ipaddress.ip_address(info[4][0]) for info in (resolver or system_resolver)(host, port)]
        except (OSError, UnicodeError, ValueError, IndexError, TypeError):
            raise _refused("callback_url's host does not resolve") from None
        if not addrs:
            raise _refused("callback_url's host does not resolve")
    for addr in addrs:  # one bad answer refuses all: the attacker may control the order
        why = refusal(addr, allow_private=allow_private)
        if why is not None:
            raise _refused(f"callback_url's host resolves to {addr} ({why})")
    try:
        pinned = tuple((addr, parsed.copy_with(host=str(addr))) for addr in dict.fromkeys(addrs))
    except httpx.InvalidURL:  # an address httpx cannot put in a URL: refused, not crashed on
        raise _refused("callback_url's host resolves to an address a URL cannot name") from None
    return Target(
        pinned=pinned,
        host_header=httpx.Request("POST", parsed).headers["Host"],
        sni_hostname=None if literal is not None else host,
    )


def check_callback_url(url: str, *, allow_private: bool, resolver: Resolver | None = None) -> str:
    """422 unless ``url`` may receive webhooks now (see ``resolve_callback``); returns it unchanged."""
    resolve_callback(url, allow_private=allow_private, resolver=resolver)
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
                 client: httpx.Client | None = None, locks: Locks | None = None,
                 resolver: Resolver | None = None) -> None:  # fmt: skip
        self.settings = settings
        self.resolver: Resolver = resolver or system_resolver
        self.locks: Locks = locks or ProcessLocks()
        # httpx's timeout bounds each of connect, write, read and pool wait, so one attempt may
        # last about four timeouts; the claim outlives that (plus the log write) even unrenewed.
        self.claim_ttl_s = 4 * settings.webhook.timeout_s + 30.0
        self._last_scan = 0.0
        self.service = service
        self.store = service.store
        self.secrets = secrets
        self.client = client or httpx.Client(timeout=settings.webhook.timeout_s, follow_redirects=False)
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
            if self.locks.shared and time.monotonic() - self._last_scan >= self.settings.webhook.poll_s:
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
                    p.due = time.monotonic() + self.settings.webhook.poll_s
                except Exception:  # never let one job stop every other delivery
                    log.exception("webhook for %s/%s", p.tenant, p.job_id)
                    p.due = time.monotonic() + self.settings.webhook.poll_s
            with self._lock:
                nxt = min(
                    (p.due for p in self._pending.values()), default=now_t + self.settings.webhook.poll_s
                )
            self._wake.wait(timeout=max(0.0, min(nxt - time.monotonic(), self.settings.webhook.poll_s)))
            self._wake.clear()

    def _step(self, p: _Pending) -> None:
        if p.body is None:
            try:
                res = self.service.resource(p.tenant, p.job_id)
            except ProblemError:
                self._finish(p, None)  # the job is gone
                return
            if res.status not in TERMINAL:
                p.due = time.monotonic() + self.settings.webhook.poll_s
                return
            p.body = res.model_dump_json().encode()
            p.event = f"job.{res.status}"
        with self.locks.hold(f"hook:{p.tenant}:{p.job_id}", self.claim_ttl_s) as mine:
            if not mine:  # another process is attempting this delivery right now
                p.due = time.monotonic() + self.settings.webhook.poll_s
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
        elif p.attempts >= self.settings.webhook.max_attempts:
            self._finish(p, outcome)
        else:
            delay = self.settings.webhook.backoff_s * 2 ** (p.attempts - 1) * random.uniform(0.8, 1.2)
            # Wall-clock time in the log, so whichever process retries waits the same backoff.
            self._log(p, outcome, delivered=False, done=False, next_at=time.time() + delay)
            p.due = time.monotonic() + delay

    def _post(self, url: str, p: _Pending, secret: bytes) -> dict[str, object]:
        assert p.body is not None
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, p.body),
                   "X-Longdoc-Event": p.event, "X-Longdoc-Delivery": f"{p.tenant}.{p.job_id}",
                   "User-Agent": "longdoc-webhooks/1"}  # fmt: skip
        try:
            target = resolve_callback(url, allow_private=self.settings.webhook.allow_private,
                                      resolver=self.resolver)  # fmt: skip
        except ProblemError as exc:
            return {"at": now(), "attempt": p.attempts, "error": exc.detail or exc.code}
        # Connect to the vetted addresses, never to the name (no second lookup). The Host header
        # and, through httpcore's "sni_hostname" request extension, TLS SNI and the certificate
        # check keep the original name: https://www.python-httpx.org/advanced/extensions/#sni_hostname
        # "Connection: close": the pool is keyed by address, so a connection verified for one
        # name must not be reused for another name on the same address.
        headers.update({"Host": target.host_header, "Connection": "close"})
        extensions = {"sni_hostname": target.sni_hostname} if target.sni_hostname else None
        # Like socket.create_connection, try the next address when one refuses the connection,
        # but only within one timeout, so an attempt still ends well inside its claim.
        deadline = time.monotonic() + self.settings.webhook.timeout_s
        for i, (addr, pinned_url) in enumerate(target.pinned):
            outcome: dict[str, object] = {"at": now(), "attempt": p.attempts, "address": str(addr)}
            try:
                r = self.client.post(pinned_url, content=p.body, headers=headers, extensions=extensions,
                                     follow_redirects=False)  # fmt: skip
                return {**outcome, "status": r.status_code}
            except httpx.ConnectError as exc:
                if i + 1 < len(target.pinned) and time.monotonic() < deadline:
                    continue
                return {**outcome, "error": f"{type(exc).__name__}: {exc}"}
            except httpx.HTTPError as exc:
                return {**outcome, "error": f"{type(exc).__name__}: {exc}"}
        raise AssertionError("resolve_callback returns at least one address")

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

    def drop(self, tenant: str, job_id: str) -> None:
        """Deliver nothing for this job any more (it was erased)."""
        with self._lock:
            self._pending.pop((tenant, job_id), None)
        self.store.delete(f"{PENDING}{tenant}/{job_id}")

    def idle(self) -> bool:
        with self._lock:
            return not self._pending
