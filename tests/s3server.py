"""An in-process S3 for tests: moto's ThreadedMotoServer on a free 127.0.0.1 port.

moto is a test dependency (``pip install 'moto[server]'``); when it is missing the S3
tests fail with that hint rather than skip, so a green run always covered S3.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

ACCESS_KEY = "AKIATESTLONGDOC00001"
SECRET_KEY = "test-secret-d0-not-leak-8c1f7e2a"  # dummy; tests assert it never shows in errors
REGION = "us-east-1"
INSTALL_HINT = "the S3 tests need moto's server: pip install 'moto[server]' (or pip install -e '.[test]')"


@dataclass(frozen=True)
class S3Server:
    endpoint: str  # host:port, the form minio wants
    access_key: str = ACCESS_KEY
    secret_key: str = SECRET_KEY
    region: str = REGION

    @property
    def url(self) -> str:
        return f"http://{self.endpoint}"


def unique_bucket(prefix: str = "t") -> str:
    """A fresh, valid bucket name, so tests never see each other's objects."""
    return f"{prefix}-{uuid.uuid4().hex}"


def moto_missing() -> str | None:
    """Why moto's server mode cannot be used (with the install hint), or None when it can."""
    try:
        from moto.server import ThreadedMotoServer  # noqa: F401
    except ImportError as exc:  # moto or its server extras (flask, werkzeug) missing
        return f"{INSTALL_HINT} ({exc})"
    return None


@contextmanager
def moto_server() -> Iterator[S3Server]:
    """Start moto (port 0: the OS picks a free port, no probe-then-bind race); stop it after."""
    missing = moto_missing()
    if missing:
        raise RuntimeError(missing)
    from moto.server import ThreadedMotoServer

    # werkzeug logs every request at INFO; keep test output readable.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield S3Server(endpoint=f"{host}:{port}")
    finally:
        server.stop()
