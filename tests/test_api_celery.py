"""The API on the Celery executor: jobs run on a worker process, status and webhooks follow job.json."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.api.webhooks import verify
from tests.api_helpers import SECRETS, api, auth, contract, make_settings, receiver, wait_for, wait_job
from tests.redis_util import CeleryWorker, worker_env


@pytest.mark.slow
def test_jobs_and_webhooks_on_celery(redis_db: str, tmp_path: Path) -> None:  # noqa: F811
    store = tmp_path / "store"
    env = worker_env(redis_db, store)
    settings = make_settings(tmp_path, execution={"executor": "celery"}, redis={"url": redis_db},
                             webhook={"allow_private": True, "poll_s": 0.1, "backoff_s": 0.1})  # fmt: skip
    worker = CeleryWorker(env, tmp_path / "worker.log", concurrency=2)
    with worker, receiver(fail_first=1) as (rec, url), api(settings) as client:
        assert client.get("/v1/health").json()["executor"] == "celery"
        r = client.post("/v1/jobs", files={"file": ("msa.txt", contract(), "text/plain")},
                        data={"callback_url": url}, headers=auth())  # fmt: skip
        assert r.status_code == 202, r.text
        job = wait_job(client, r.json()["id"], timeout_s=90)
        assert job["status"] == "succeeded" and job["progress"]["percent"] == 100.0
        assert client.get(job["links"]["report_docx"], headers=auth()).status_code == 200
        wait_for(lambda: len(rec.requests) >= 2, 30, "a 500 first, then the delivery")
        last = rec.requests[-1]
        assert verify(SECRETS["acme"].encode(), last["body"], last["headers"]["X-Longdoc-Signature"])
