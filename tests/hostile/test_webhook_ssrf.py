"""Webhook targets cannot be turned against the service's own network (issue 12, finding 5).

The checker refuses every special-purpose range, whatever form the address takes (plain, mixed
with a public answer, an IPv6 form embedding IPv4, a URL literal). A delivery resolves the name
once and connects to that vetted address: a DNS answer that changes after the check (rebinding)
cannot redirect it, and the receiver still sees the original Host header and TLS server name.

No test needs DNS or the network: ``fake_dns`` replaces ``socket.getaddrinfo`` (so any lookup by
name, the client's included, gets its answers) and ``sandbox`` wraps ``socket.create_connection``,
recording where each connection was asked to go, mapping a stand-in public address to a local
receiver and refusing anything else that is not loopback.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import socket
import ssl
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest

from pipeline.api.problems import ProblemError
from pipeline.api.webhooks import check_callback_url
from tests.api_helpers import api, auth, contract, make_settings
from tests.waiting import wait_for

HOOK_HOST = "hooks.example.test"
PUBLIC = "8.8.8.8"  # the stand-in public answer; the sandbox maps it to a local receiver

REFUSED = [
    "192.0.0.192", "192.0.0.9",  # IETF protocol assignments (192.0.0.0/24)
    "64:ff9b::a00:1", "64:ff9b::808:808", "64:ff9b:1::a00:1",  # NAT64, even of a public address
    "2002:c0a8:101::1", "2002:808:808::1",  # 6to4, even of a public address
    "2001:0::1", "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "::ffff:10.0.0.1", "::ffff:8.8.8.8", "::ffff:127.0.0.1",  # IPv4-mapped
    "::10.0.0.1", "::8.8.8.8",  # IPv4-compatible (deprecated)
    "100.64.0.1", "100.127.255.254",  # shared address space (CGNAT)
    "169.254.169.254", "fe80::1", "fec0::1",  # link-local (cloud metadata), site-local
    "ff02::1", "224.0.0.1", "239.255.255.250",  # multicast
    "0.0.0.0", "::", "0.1.2.3",  # unspecified, "this network"
    "127.0.0.1", "127.1.2.3", "::1",  # loopback
    "10.1.2.3", "172.16.0.1", "172.31.255.254", "192.168.1.1", "fc00::1", "fd12:3456::1",  # private
    "198.18.0.1", "240.0.0.1", "255.255.255.255",  # benchmarking, reserved, broadcast
    "192.0.2.1", "198.51.100.1", "203.0.113.1", "2001:db8::1", "3fff::1",  # documentation
    "192.88.99.1", "100::1", "2001:10::1",  # 6to4 relay anycast, discard-only, ORCHID
]  # fmt: skip
ACCEPTED = ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:81c::200e"]


def _answers(*addrs: str) -> Callable[[str, int], list[tuple[Any, ...]]]:
    """A resolver (getaddrinfo's shape) answering ``addrs`` for any name."""

    def resolve(host: str, port: int) -> list[tuple[Any, ...]]:
        return [_info(a, port) for a in addrs]

    return resolve


def _info(addr: str, port: int) -> tuple[Any, ...]:
    if ipaddress.ip_address(addr).version == 6:
        return (socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (addr, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (addr, port))


def _refused(url: str, *, allow_private: bool = False, resolver: Any = None) -> str | None:
    """The refusal's detail, or None if ``url`` was accepted."""
    try:
        check_callback_url(url, allow_private=allow_private, resolver=resolver)
    except ProblemError as exc:
        assert exc.status == 422 and exc.code == "callback_refused", exc
        return exc.detail or exc.code
    return None


def test_every_special_range_is_refused_in_every_form() -> None:
    admitted: list[str] = []
    for addr in REFUSED:
        literal = f"[{addr}]" if ":" in addr else addr
        cases = {
            f"{addr} as the only answer": (f"https://{HOOK_HOST}/hook", _answers(addr)),
            f"{addr} after a public answer": (f"https://{HOOK_HOST}/hook", _answers(PUBLIC, addr)),
            f"{addr} as a URL literal": (f"https://{literal}:8443/hook", _answers(PUBLIC)),
        }
        for name, (url, resolver) in cases.items():
            if _refused(url, resolver=resolver) is None:
                admitted.append(name)
    assert not admitted, admitted
    for addr in ACCEPTED:
        assert _refused(f"https://{HOOK_HOST}/hook", resolver=_answers(addr)) is None, addr


def test_urls_with_credentials_or_other_schemes_are_refused() -> None:
    public = _answers(PUBLIC)
    for url in (f"https://user:secret@{HOOK_HOST}/hook", f"https://user@{HOOK_HOST}/hook",
                f"ftp://{HOOK_HOST}/hook", "file:///etc/passwd", f"gopher://{HOOK_HOST}/", "https:///hook",
                "not a url"):  # fmt: skip
        assert _refused(url, resolver=public) is not None, url
    assert _refused(f"http://{HOOK_HOST}:8080/hook", resolver=public) is None  # plain http stays allowed


def test_allow_private_admits_local_targets_but_never_multicast() -> None:
    for addr in ("127.0.0.1", "::1", "10.0.0.1", "169.254.169.254", "fc00::1", "100.64.0.1"):
        assert _refused(f"http://{HOOK_HOST}/hook", allow_private=True, resolver=_answers(addr)) is None
    for addr in ("224.0.0.1", "ff02::1", "0.0.0.0", "::"):
        assert _refused(f"http://{HOOK_HOST}/hook", allow_private=True, resolver=_answers(addr)), addr


# ---------------------------------------------------------------------------------------------
# Deliveries through the API, against real local receivers.


class FakeDNS:
    """``socket.getaddrinfo`` with scripted answers per name; address literals need no DNS."""

    def __init__(self, real: Callable[..., Any]) -> None:
        self.real = real
        self.script: dict[str, list[list[str]]] = {}
        self.lookups: list[tuple[str, list[str]]] = []  # (name, the answer given)
        self.lock = threading.Lock()

    def answer(self, name: str, *answers: list[str]) -> None:
        """Answer ``name`` with each of ``answers`` in turn; the last one from then on."""
        self.script[name] = list(answers)

    def __call__(self, host: Any, port: Any, family: int = 0, type: int = 0, proto: int = 0,
                 flags: int = 0) -> list[tuple[Any, ...]]:  # fmt: skip
        name = host.decode() if isinstance(host, bytes) else str(host)
        with self.lock:
            script = self.script.get(name)
            if script is not None:
                addrs = script.pop(0) if len(script) > 1 else script[0]
                self.lookups.append((name, addrs))
                return [_info(a, int(port or 0)) for a in addrs]
        try:
            ipaddress.ip_address(name.split("%")[0])
        except ValueError:
            raise socket.gaierror(socket.EAI_NONAME, f"fake DNS: no such name {name!r}") from None
        result: list[tuple[Any, ...]] = self.real(host, port, family, type, proto, flags)
        return result


class Sandbox:
    """``socket.create_connection`` that records each target, maps stand-ins, and stays local."""

    def __init__(self, real: Callable[..., socket.socket]) -> None:
        self.real = real
        self.targets: list[tuple[str, int]] = []  # as the caller asked: a name or an address
        self.redirects: dict[tuple[str, int], tuple[str, int]] = {}

    def __call__(self, address: tuple[str, int], timeout: Any = socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
                 source_address: Any = None, **kw: Any) -> socket.socket:  # fmt: skip
        host, port = str(address[0]), int(address[1])
        self.targets.append((host, port))
        # Resolve as the real create_connection would, through the (fake) DNS.
        ip = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][4][0]
        ip, port = self.redirects.get((ip, port), (ip, port))
        if not ipaddress.ip_address(ip).is_loopback:
            raise ConnectionRefusedError(f"sandbox: no network ({ip}:{port})")
        return self.real((ip, port), timeout, source_address, **kw)


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> FakeDNS:
    dns = FakeDNS(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", dns)
    return dns


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch, fake_dns: FakeDNS) -> Sandbox:
    box = Sandbox(socket.create_connection)
    monkeypatch.setattr(socket, "create_connection", box)
    return box


class Receiver:
    """A webhook receiver on 127.0.0.1: records each POST's headers (and the TLS server name)."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.requests: list[dict[str, str]] = []
        self.server_names: list[str | None] = []
        self.lock = threading.Lock()
        if tls is not None:
            tls.sni_callback = self._sni
        self.tls = tls

    def _sni(self, _sock: ssl.SSLObject, name: str | None, _ctx: ssl.SSLContext) -> None:
        with self.lock:
            self.server_names.append(name)

    @contextmanager
    def serving(self) -> Iterator[int]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.lock:
                    outer.requests.append(dict(self.headers))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                return

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(server.socket, server_side=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield int(server.server_address[1])
        finally:
            server.shutdown()
            server.server_close()


def _deliver(tmp_path: Path, url: str, *, allow_private: bool,
             client: httpx.Client | None = None) -> list[dict[str, Any]]:  # fmt: skip
    """Submit a job with ``url`` as its callback; wait for the delivery to end; its attempt log."""
    settings = make_settings(tmp_path, webhook={"allow_private": allow_private, "max_attempts": 1,
                                                "backoff_s": 0.1, "poll_s": 0.1})  # fmt: skip
    with api(settings) as api_client:
        if client is not None:
            api_client.app.state.api.webhooks.client = client  # type: ignore[attr-defined]
        r = api_client.post("/v1/jobs", files={"file": ("msa.txt", contract(), "text/plain")},
                            data={"callback_url": url}, headers=auth())  # fmt: skip
        assert r.status_code == 202, r.text
        log_path = tmp_path / "store" / "acme" / "jobs" / r.json()["id"] / "webhook.json"
        wait_for(lambda: log_path.exists() and json.loads(log_path.read_text()).get("done"), 60,
                 "the delivery to end")  # fmt: skip
    attempts: list[dict[str, Any]] = json.loads(log_path.read_text())["attempts"]
    return attempts


def test_rebinding_cannot_redirect_a_delivery(tmp_path: Path, fake_dns: FakeDNS, sandbox: Sandbox) -> None:
    # The name answers public twice (registration, then the delivery's check) and the internal
    # service from then on: a client that looked the name up again to connect would reach it.
    public, internal = Receiver(), Receiver()
    with public.serving() as public_port, internal.serving() as internal_port:
        sandbox.redirects[(PUBLIC, internal_port)] = ("127.0.0.1", public_port)
        fake_dns.answer(HOOK_HOST, [PUBLIC], [PUBLIC], ["127.0.0.1"])
        attempts = _deliver(tmp_path, f"http://{HOOK_HOST}:{internal_port}/hook", allow_private=False)
    assert internal.requests == []
    assert len(public.requests) == 1 and attempts[0].get("status") == 200, attempts
    assert sandbox.targets == [(PUBLIC, internal_port)]  # the vetted address, never the name
    assert [addrs for _name, addrs in fake_dns.lookups] == [[PUBLIC], [PUBLIC]]  # one lookup per check


def test_a_private_answer_at_delivery_time_is_refused(
    tmp_path: Path, fake_dns: FakeDNS, sandbox: Sandbox
) -> None:
    internal = Receiver()
    with internal.serving() as internal_port:
        fake_dns.answer(HOOK_HOST, [PUBLIC], ["127.0.0.1"])  # registration passes, the delivery must not
        attempts = _deliver(tmp_path, f"http://{HOOK_HOST}:{internal_port}/hook", allow_private=False)
    assert internal.requests == [] and sandbox.targets == []
    assert "127.0.0.1 (loopback)" in attempts[0]["error"], attempts


def test_delivery_keeps_the_host_header_while_connecting_to_the_pinned_address(
    tmp_path: Path, fake_dns: FakeDNS, sandbox: Sandbox
) -> None:
    # Private targets allowed (as in the other webhook tests): the address is still pinned. The
    # later answers name another loopback address, where nothing listens.
    rec = Receiver()
    with rec.serving() as port:
        fake_dns.answer(HOOK_HOST, ["127.0.0.1"], ["127.0.0.1"], ["127.0.0.2"])
        attempts = _deliver(tmp_path, f"http://{HOOK_HOST}:{port}/hook", allow_private=True)
    assert attempts[0].get("status") == 200, attempts
    assert [req["Host"] for req in rec.requests] == [f"{HOOK_HOST}:{port}"]
    assert sandbox.targets == [("127.0.0.1", port)]


def test_a_refused_connection_falls_back_to_the_next_vetted_address(
    tmp_path: Path, fake_dns: FakeDNS, sandbox: Sandbox
) -> None:
    # As a connect by name would: nothing listens on 127.0.0.2, so the next address of the same
    # answer is tried; the name is not looked up again for it.
    rec = Receiver()
    with rec.serving() as port:
        fake_dns.answer(HOOK_HOST, ["127.0.0.2", "127.0.0.1"])
        attempts = _deliver(tmp_path, f"http://{HOOK_HOST}:{port}/hook", allow_private=True)
    assert attempts[0].get("status") == 200 and attempts[0]["address"] == "127.0.0.1", attempts
    assert sandbox.targets == [("127.0.0.2", port), ("127.0.0.1", port)]
    assert len(fake_dns.lookups) == 2  # registration and the one delivery attempt


def _tls_pair(tmp_path: Path) -> tuple[ssl.SSLContext, ssl.SSLContext]:
    """A server context with a certificate for HOOK_HOST only, and a client context trusting it."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, HOOK_HOST)])
    start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=5)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(HOOK_HOST)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())  # fmt: skip
    (tmp_path / "cert.pem").write_bytes(cert_pem)
    (tmp_path / "key.pem").write_bytes(key_pem)
    server = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    client = ssl.create_default_context(cadata=cert_pem.decode())
    return server, client


def test_tls_uses_the_original_name_for_sni_and_the_certificate(
    tmp_path: Path, fake_dns: FakeDNS, sandbox: Sandbox
) -> None:
    # The certificate names HOOK_HOST only: the pinned connection to 127.0.0.1 verifies only if
    # the client sends and checks the original name.
    server_tls, client_tls = _tls_pair(tmp_path)
    rec = Receiver(tls=server_tls)
    with rec.serving() as port, httpx.Client(verify=client_tls, timeout=10) as client:
        fake_dns.answer(HOOK_HOST, ["127.0.0.1"])
        attempts = _deliver(tmp_path, f"https://{HOOK_HOST}:{port}/hook", allow_private=True, client=client)
    assert attempts[0].get("status") == 200, attempts
    assert rec.server_names == [HOOK_HOST]
    assert [req["Host"] for req in rec.requests] == [f"{HOOK_HOST}:{port}"]
    assert sandbox.targets == [("127.0.0.1", port)]
