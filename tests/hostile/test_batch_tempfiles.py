"""Uploads must not leave spooled temporary files open in the server (issue 12, finding 7).

Starlette spools each uploaded file part to a ``SpooledTemporaryFile`` that rolls over to a real
(unlinked) temporary file above 1 MB. The route must close the parsed form after the request;
otherwise every large upload keeps a file descriptor (and its disk space) until the garbage
collector happens to find it.

A real ``longdoc serve`` process on a free port with its own ``TMPDIR``: its open descriptors
pointing into that folder are exactly the spooled uploads, read from ``/proc/<pid>/fd``.
psutil's ``open_files()`` cannot be used: it skips unlinked files, which is all of these.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx2 as httpx
import pytest

from tests.api_helpers import KEYS, auth
from tests.conftest import ROOT
from tests.serve_process import ServeProcess
from tests.waiting import wait_for

pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")

SPOOL_MAX = 1024 * 1024  # Starlette's MultiPartParser.spool_max_size: larger parts go to disk
ROUNDS = 4


# Every host name resolves to 127.0.0.1 (the test machine may have no DNS); literal addresses
# are left alone. The webhook guard still applies its address policy to the answer.
LOOPBACK_DNS = """
import socket
def _loopback(host, port, *args, **kwargs):
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", int(port or 0)))]
socket.getaddrinfo = _loopback
"""
SERVE = "import runpy, sys\nsys.argv = ['longdoc', *sys.argv[1:]]\nrunpy.run_module('pipeline.cli.service', run_name='__main__')\n"


class Server(ServeProcess):
    """``longdoc serve`` (``pipeline.cli.service``) on a free port: the local executor, no Redis,
    the two test tenants, and its own temporary folder (``spool``) and storage under ``tmp``.
    ``loopback_dns``: every host name the server looks up resolves to 127.0.0.1."""

    def __init__(self, tmp: Path, *, loopback_dns: bool = False, **env: str) -> None:
        self.spool = tmp / "spool"
        self.spool.mkdir(parents=True)
        base = {k: v for k, v in os.environ.items() if not k.startswith("LONGDOC_")}
        keys = {hashlib.sha256(k.encode()).hexdigest(): t for t, k in KEYS.items()}
        full = {**base, "PYTHONPATH": str(ROOT), "TMPDIR": str(self.spool),
                "LONGDOC_STORAGE_DIR": str(tmp / "store"), "LONGDOC_EXECUTOR": "local",
                "LONGDOC_API_KEYS": json.dumps(keys), **env}  # fmt: skip
        super().__init__(
            full, tmp / "serve.log", runner=["-c", LOOPBACK_DNS + SERVE] if loopback_dns else None
        )
        self.start()

    def spooled(self) -> list[str]:
        """The server's open descriptors on files in its temporary folder."""
        assert self.proc is not None
        out = []
        for fd in Path(f"/proc/{self.proc.pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue  # closed between listing and reading
            if target.startswith(str(self.spool)):
                out.append(target)
        return out


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    s = Server(tmp_path)
    try:
        s.wait_ready()
        yield s
    finally:
        s.stop()


def _big(i: int, j: int) -> bytes:
    # Over the spool size, so the part really goes to disk; a PNG signature makes the upload
    # fail its inspection at once (415 / a failed batch entry) and no job runs in the server.
    return b"\x89PNG\r\n\x1a\n" + hashlib.sha256(f"{i}-{j}".encode()).digest() * (SPOOL_MAX // 32 + 4096)


def _settled(server: Server, timeout_s: float = 5.0) -> list[str]:
    """The spooled files still open once the server has had ``timeout_s`` to close them."""
    # The caller asserts on what is left, naming the files, so a timeout here is not a failure.
    with contextlib.suppress(AssertionError):
        wait_for(lambda: not server.spooled(), timeout_s, "spooled files to close")
    return server.spooled()


def test_uploads_leave_no_temporary_file_open(server: Server) -> None:
    assert server.spooled() == []
    with httpx.Client(base_url=server.url, headers=auth(), timeout=60) as client:
        for i in range(ROUNDS):
            files = [("files", (f"scan-{i}-{j}.png", _big(i, j), "image/png")) for j in range(3)]
            r = client.post("/v1/batches", files=files)
            assert r.status_code == 202, r.text
            assert [e["error"]["code"] for e in r.json()["entries"]] == ["unsupported_media_type"] * 3
            assert _settled(server) == [], f"batch upload {i}"
            # The single-document route reads the form the same way; a refused upload too.
            r = client.post("/v1/jobs", files={"file": (f"scan-{i}.png", _big(i, 9), "image/png")})
            assert r.status_code == 415, r.text
            assert _settled(server) == [], f"single upload {i}"
