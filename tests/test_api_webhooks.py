"""Webhooks: signed with the tenant's secret, retried with backoff on a receiver's 500, bounded."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from pipeline.api.app import build_state, create_app
from pipeline.api.locks import RedisLocks
from pipeline.api.webhooks import WebhookDispatcher, verify
from pipeline.config import Settings
from tests.api_helpers import SECRETS, api, auth, contract, make_settings, receiver, wait_for, wait_job
from tests.config_helpers import merged
from tests.redis_util import RedisServer


def _settings(tmp_path: Path, **groups: Mapping[str, Any]) -> Settings:
    fast = {"webhook": {"allow_private": True, "backoff_s": 0.1, "poll_s": 0.1}}
    return make_settings(tmp_path, **merged(fast, groups))


def _log(tmp_path: Path, job_id: str) -> dict[str, Any]:
    path = tmp_path / "store" / "acme" / "jobs" / job_id / "webhook.json"
    return json.loads(path.read_text()) if path.exists() else {}


def _delivery_over(client: TestClient, tmp_path: Path, job_id: str) -> bool:
    """The delivery is logged done, its pending marker is gone and the API process's dispatcher
    watches nothing more: any further attempt would have had to start before this holds."""
    dispatcher: WebhookDispatcher = client.app.state.api.webhooks  # type: ignore[attr-defined]
    return (
        bool(_log(tmp_path, job_id).get("done"))
        and not (tmp_path / "store" / "_webhooks" / "acme" / job_id).exists()
        and dispatcher.idle()
    )


def test_signed_delivery_retried_after_500(tmp_path: Path) -> None:
    with receiver(fail_first=2) as (rec, url), api(_settings(tmp_path)) as client:
        r = client.post("/v1/jobs", files={"file": ("msa.txt", contract(), "text/plain")},
                        data={"callback_url": url}, headers=auth())  # fmt: skip
        assert r.status_code == 202, r.text
        job = wait_job(client, r.json()["id"])
        wait_for(lambda: _delivery_over(client, tmp_path, job["id"]), 20, "the delivery to end")
        assert len(rec.requests) == 3  # two 500s, then delivered once
        for req in rec.requests:
            sig = req["headers"]["X-Longdoc-Signature"]
            assert sig.startswith("sha256=")
            assert verify(SECRETS["acme"].encode(), req["body"], sig)
            assert not verify(SECRETS["globex"].encode(), req["body"], sig)
            assert req["headers"]["X-Longdoc-Event"] == "job.succeeded"
        assert len({req["headers"]["X-Longdoc-Delivery"] for req in rec.requests}) == 1
        body = json.loads(rec.requests[-1]["body"])
        assert body["id"] == job["id"] and body["status"] == "succeeded" and body["links"]["report"]
        gaps = [b["at"] - a["at"] for a, b in zip(rec.requests, rec.requests[1:], strict=False)]
        # Exponential backoff: 0.1 s, then 0.2 s (±20 %). A retry never comes before its delay,
        # and the second delay's least is more than the first's most (lower bounds: load only
        # ever lengthens a gap).
        assert gaps[0] >= 0.1 * 0.8 and gaps[1] >= 0.2 * 0.8
        log = json.loads((tmp_path / "store" / "acme" / "jobs" / job["id"] / "webhook.json").read_text())
        assert log["delivered"] is True and [a.get("status") for a in log["attempts"]] == [500, 500, 200]
        assert not [
            p for p in (tmp_path / "store" / "_webhooks").rglob("*") if p.is_file()
        ]  # nothing pending


def test_retries_are_bounded(tmp_path: Path) -> None:
    with (
        receiver(fail_first=100) as (rec, url),
        api(_settings(tmp_path, webhook={"max_attempts": 3})) as client,
    ):
        r = client.post("/v1/jobs", files={"file": ("msa.txt", contract(), "text/plain")},
                        data={"callback_url": url}, headers=auth())  # fmt: skip
        job = wait_job(client, r.json()["id"])
        wait_for(lambda: _delivery_over(client, tmp_path, job["id"]), 20, "the delivery to give up")
        assert len(rec.requests) == 3 and _log(tmp_path, job["id"])["delivered"] is False


def test_connection_errors_are_retried(tmp_path: Path) -> None:
    with api(_settings(tmp_path, webhook={"max_attempts": 2})) as client:
        url = "http://127.0.0.1:9/nothing-listens-here"
        r = client.post("/v1/jobs", files={"file": ("msa.txt", contract(), "text/plain")},
                        data={"callback_url": url}, headers=auth())  # fmt: skip
        job = wait_job(client, r.json()["id"])
        wait_for(lambda: _log(tmp_path, job["id"]).get("done"), 20, "the delivery to give up")
        attempts = _log(tmp_path, job["id"])["attempts"]
        assert len(attempts) == 2 and all("error" in a for a in attempts)


def test_callback_url_is_checked(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:  # private addresses not allowed (the default)
        for url in ("http://127.0.0.1:8080/hook", "file:///etc/passwd", "gopher://x", "http://10.0.0.1/x"):
            r = client.post("/v1/jobs", files={"file": ("msa.txt", contract(), "text/plain")},
                            data={"callback_url": url}, headers=auth())  # fmt: skip
            assert r.status_code == 422 and r.json()["code"] == "callback_refused", url
    no_secret = make_settings(tmp_path, webhook={"secrets": {}, "allow_private": True})
    with api(no_secret) as client:
        r = client.post("/v1/jobs", files={"file": ("msa.txt", contract(), "text/plain")},
                        data={"callback_url": "http://127.0.0.1:1/x"}, headers=auth())  # fmt: skip
        assert r.status_code == 422 and "secret" in r.json()["detail"]


@pytest.mark.slow  # fault injection: its own redis-server, killed between attempts
def test_redis_outage_defers_a_retry_without_tracebacks(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Delivery claims live in Redis (as with the Celery executor; the job runs locally here, so
    # no worker is needed): while it is down a due retry is deferred with a one-line warning,
    # and delivered once Redis is back.
    server = RedisServer(tmp_path / "redis").start()
    settings = _settings(tmp_path, webhook={"backoff_s": 1.0})
    locks = RedisLocks.from_url(f"{server.base_url}/12")
    caplog.set_level(logging.WARNING, logger="longdoc.webhooks")
    try:
        app = create_app(state=build_state(settings, locks=locks))
        with receiver(fail_first=1) as (rec, url), TestClient(app, raise_server_exceptions=False) as client:
            r = client.post("/v1/jobs", files={"file": ("msa.txt", contract(), "text/plain")},
                            data={"callback_url": url}, headers=auth())  # fmt: skip
            assert r.status_code == 202, r.text
            job = wait_job(client, r.json()["id"])
            wait_for(lambda: len(rec.requests) >= 1, 20, "the first attempt")
            server.kill()  # before the retry, due 1 s after the 500
            # The retry fell due and was deferred at three polls in a row while Redis was down.
            wait_for(lambda: sum("deferred" in m for m in caplog.messages) >= 3, 10, "three deferrals")
            assert len(rec.requests) == 1
            server.start()  # same port
            wait_for(lambda: len(rec.requests) >= 2, 20, "the retry once Redis is back")
        noisy = [
            r for r in caplog.records if r.name == "longdoc.webhooks" and (r.exc_info or r.levelno >= 40)
        ]
        assert not noisy, [r.getMessage() for r in noisy]
        log = json.loads((tmp_path / "store" / "acme" / "jobs" / job["id"] / "webhook.json").read_text())
        assert log["delivered"] is True and [a.get("status") for a in log["attempts"]] == [500, 200]
    finally:
        server.stop()
