"""Issue 15, item 4: who read what. Every authenticated request leaves one access-log line
(when, key id, client, action, object, status) readable by its tenant at GET /v1/audit, and
never a word of the document."""

from __future__ import annotations

import argparse
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from pipeline.cli.audit import add_commands
from pipeline.cli.client import Client
from tests.api_helpers import KEYS, api, auth, contract, live_server, make_settings, wait_job

PLANTED = "Zebra quartz umbrellas negotiate the Halvorsen indemnity at dawn."


def _audit(client: Any, tenant: str = "acme", **params: str) -> list[dict[str, Any]]:
    r = client.get("/v1/audit", headers=auth(tenant), params=params)
    assert r.status_code == 200, r.text
    events: list[dict[str, Any]] = r.json()["events"]
    return events


def test_each_read_is_one_line_for_its_tenant_and_no_line_holds_document_text(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with api(settings) as client:
        r = client.post(
            "/v1/jobs", headers=auth(), files={"file": ("planted.txt", contract(extra=PLANTED), "text/plain")}
        )
        assert r.status_code == 202, r.text
        job_id = r.json()["id"]
        assert wait_job(client, job_id)["status"] == "succeeded"
        assert client.get(f"/v1/jobs/{job_id}/report.md", headers=auth()).status_code == 200
        assert client.get(f"/v1/jobs/{job_id}/report", headers=auth()).status_code == 200
        assert client.get(f"/v1/jobs/{job_id}/report").status_code == 401  # no key: no tenant, no line
        assert client.get(f"/v1/jobs/{job_id}/report", headers=auth("globex")).status_code == 404

        events = _audit(client)
        reads = [e for e in events if e["action"] == "report.read"]
        key_id = hashlib.sha256(KEYS["acme"].encode()).hexdigest()[:12]
        assert [(e["object"], e["format"], e["status"]) for e in reads] == [
            (job_id, "md", 200),
            (job_id, "json", 200),
        ]
        assert {e["key_id"] for e in events} == {key_id} and {e["client"] for e in events} == {"testclient"}
        assert [e["action"] for e in events if e["object"] == job_id][0] == "job.status"
        assert any(e["action"] == "job.submit" and e["status"] == 202 for e in events)
        # The other tenant sees its own 404 only, never acme's reads.
        assert [(e["action"], e["status"]) for e in _audit(client, "globex")] == [("report.read", 404)]
        later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
        assert _audit(client, since=later) == []
        assert (
            client.get("/v1/audit", headers=auth(), params={"since": "0.5"}).status_code == 422
        )  # no Unix times

    # Every access-log object in storage, raw: the planted sentence is in none (nor any part of it).
    store_dir = settings.storage.dir
    logs = [p for p in store_dir.rglob("*.jsonl") if "/access/" in str(p)]
    assert logs
    blob = b"".join(p.read_bytes() for p in logs)
    assert any(PLANTED.encode() in p.read_bytes() for p in (store_dir / "acme" / "documents").iterdir())
    assert PLANTED.encode() not in blob and b"Halvorsen" not in blob and b"planted.txt" not in blob


def test_audit_export_writes_the_lines_as_json(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    with live_server(settings) as url:
        remote = settings.model_copy(
            update={"api": settings.api.model_copy(update={"url": url, "key": SecretStr(KEYS["acme"])})}
        )
        with Client(url, KEYS["acme"]) as client:
            job_id = client.submit(contract(), name="c.txt").id
            client.wait(job_id, timeout_s=60)
            client.download(job_id, "md")
        parser = argparse.ArgumentParser()
        add_commands(parser.add_subparsers())
        args = parser.parse_args(["audit", "export", "--out", str(tmp_path / "access.jsonl")])
        assert args.func(args, remote) == 0
    lines = [json.loads(line) for line in (tmp_path / "access.jsonl").read_text().splitlines()]
    reads = [(e["action"], e["object"], e["format"]) for e in lines if e["action"] == "report.read"]
    assert reads == [("report.read", job_id, "md")]
    assert {e["client"] for e in lines} == {"127.0.0.1"}
