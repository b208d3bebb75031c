"""docker-compose.yml validates (``docker-compose config``; no Docker engine needed).

Skips when no ``docker-compose`` binary is installed (Debian: apt-get install docker-compose).
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.redis_util import ROOT

COMPOSE = shutil.which("docker-compose")
pytestmark = pytest.mark.skipif(COMPOSE is None, reason="docker-compose is not installed")


def compose(*args: str) -> str:
    assert COMPOSE is not None
    done = subprocess.run([COMPOSE, "-f", str(ROOT / "docker-compose.yml"), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_compose_file_is_valid() -> None:
    config = compose("config")
    services = set(compose("config", "--services").split())
    assert {"redis", "minio", "minio-init", "api", "worker", "beat"} <= services
    assert "noeviction" in config and "appendonly" in config
    assert "service_completed_successfully" in config and "healthcheck" in config


def test_worker_service_scales() -> None:
    # --scale worker=N needs no fixed container name and no published host port.
    worker = compose("config").split("\n  worker:\n", 1)[1].split("\nvolumes:", 1)[0]
    assert "container_name" not in worker and "ports" not in worker
    assert "longdoc" in worker and "worker" in worker
    # Its own /metrics for Prometheus, inside the network only (no host port to clash).
    assert "LONGDOC_METRICS_WORKER_PORT: '9101'" in worker or 'LONGDOC_METRICS_WORKER_PORT: "9101"' in worker
