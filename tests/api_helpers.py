"""Helpers for the API tests: settings with two tenants, an in-process client, a live server,
a webhook receiver, and waiting on a condition with a deadline.

Plain functions and classes, no pytest fixtures (those live in conftest.py files); not named
``test_*.py``, so pytest does not collect it as a test module.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar

import pytest
import uvicorn
from fastapi.testclient import TestClient
from pydantic import SecretStr

from pipeline.api.app import create_app
from pipeline.config import Settings
from tests.config_helpers import grouped, merged
from tests.waiting import wait_for as wait_for  # re-exported for the API tests

KEYS = {"acme": "key-acme-0123456789", "globex": "key-globex-0123456789"}
SECRETS = {"acme": "whsec-acme", "globex": "whsec-globex"}
TERMINAL = {"awaiting_review", "succeeded", "failed", "canceled"}


def make_settings(tmp_path: Path, **groups: Mapping[str, Any]) -> Settings:
    """The API tests' settings; ``groups`` add or replace fields per group, e.g.
    ``make_settings(tmp_path, execution={"rules_latency_s": 0.3})``."""
    base: dict[str, dict[str, Any]] = {
        "storage": {"dir": tmp_path / "store"},
        "api": {
            "keys": {hashlib.sha256(k.encode()).hexdigest(): t for t, k in KEYS.items()},
            "status_cache_s": 0.0,  # tests read their own writes at once
        },
        "webhook": {"secrets": {t: SecretStr(s) for t, s in SECRETS.items()}},
    }
    return grouped(**merged(base, groups))


def batch_args(source: Path, out: Path, *, jobs: int = 1) -> argparse.Namespace:
    """``longdoc batch SOURCE --out OUT --json`` as parsed: offline rules model, no budget."""
    return argparse.Namespace(source=str(source), out=str(out), model="rules", profile="batch", budget=None,
                              providers="", self_hosted_only=False, jobs=jobs, json=True, viewer_url=None)  # fmt: skip


def auth(tenant: str = "acme") -> dict[str, str]:
    return {"Authorization": f"Bearer {KEYS[tenant]}"}


@contextmanager
def api(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def contract(
    title: str = "MASTER SERVICES AGREEMENT",
    law: str = "New York",
    party_a: str = "Acme Corp.",
    extra: str = "",
) -> bytes:
    """A small contract with parties, a renewal term, a liability cap and a governing-law clause."""
    return f"""{title}

This Master Services Agreement (the "Agreement") is entered into as of March 3, 2025 by and between
{party_a}, a Delaware corporation ("Customer"), and Beta Services LLC, a New York limited liability
company ("Provider").

1. Services. Provider shall provide the services described in Exhibit A to Customer.

2. Term. This Agreement shall commence on the Effective Date and continue for two years, and shall
renew automatically for successive one-year terms unless either party gives notice of non-renewal
at least 60 days before the end of the then-current term.

3. Limitation of Liability. In no event shall either party's aggregate liability under this
Agreement exceed USD 1,000,000.

4. Governing Law. This Agreement shall be governed by and construed in accordance with the laws of
the State of {law}, without regard to its conflict of laws principles.
{extra}
""".encode()


@functools.cache
def _rules_model_problem() -> str | None:
    try:
        from pipeline.analyze.clauses import find_clauses

        find_clauses(contract().decode())
    except Exception as exc:  # whatever breaks it, the API is not the cause
        return f"{type(exc).__name__}: {exc}"
    return None


def require_rules_model() -> None:
    """Skip a test that reads report content when the offline rules model fails here.

    The rules model fails a whole segment when its clause artifact (pipeline/data/cuad_clauses.*)
    is missing or being rebuilt, and then the report has no findings and no key terms. That
    is the analyzers' concern (their own tests fail); these tests check the API around it.
    """
    problem = _rules_model_problem()
    if problem:
        pytest.skip(f"the rules model cannot analyze here ({problem}); report content unavailable")


def wait_job(
    client: TestClient, job_id: str, tenant: str = "acme", timeout_s: float = 60.0
) -> dict[str, Any]:
    return _wait_resource(client, f"/v1/jobs/{job_id}", tenant, timeout_s, lambda b: b["status"] in TERMINAL)


def wait_batch(
    client: TestClient, batch_id: str, tenant: str = "acme", timeout_s: float = 120.0
) -> dict[str, Any]:
    return _wait_resource(client, f"/v1/batches/{batch_id}", tenant, timeout_s,
                          lambda b: b["status"] not in ("queued", "running"))  # fmt: skip


def _wait_resource(client: TestClient, path: str, tenant: str, timeout_s: float,
                   done: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:  # fmt: skip
    """GET ``path`` until ``done`` holds, with a deadline."""

    def finished() -> dict[str, Any] | None:
        r = client.get(path, headers=auth(tenant))
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body if done(body) else None

    return wait_for(finished, timeout_s, f"{path} to finish")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(settings: Settings) -> Iterator[str]:
    """`longdoc serve`'s app under uvicorn in a thread on a free port; yields the base URL."""
    port = free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()

    def started() -> bool:
        assert thread.is_alive(), "uvicorn did not start"
        return bool(server.started)

    wait_for(started, 20, "uvicorn to start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Receiver:
    """A local webhook receiver: records every POST; answers 500 to the first ``fail_first``, then 200.

    Subclasses change the answer by overriding ``respond`` (called once per POST)."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.port = 0  # the port it listens on (set once it serves)

    def respond(self, headers: dict[str, str], body: bytes, client_port: int) -> int:
        with self.lock:
            self.requests.append({"at": time.monotonic(), "headers": headers, "body": body})
            return 500 if len(self.requests) <= self.fail_first else 200

    def handler(self) -> type[BaseHTTPRequestHandler]:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                outer.port = self.server.server_address[1]
                status = outer.respond(dict(self.headers), body, self.client_address[1])
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                return

        return Handler


R = TypeVar("R", bound=Receiver)


@contextmanager
def serving(rec: R) -> Iterator[tuple[R, str]]:
    """Run ``rec`` on a free local port; yields it with its callback URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), rec.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield rec, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def receiver(fail_first: int = 0) -> Iterator[tuple[Receiver, str]]:
    """A ``Receiver`` answering 500 to its first ``fail_first`` POSTs, served on a free port."""
    with serving(Receiver(fail_first)) as served:
        yield served
