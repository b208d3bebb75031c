"""Per-tenant playbooks through the API (issue 16): a tenant's own rules review its new jobs only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from tests.api_helpers import api, auth, contract, make_settings, wait_job

DELAWARE_ONLY = """\
name: acme house rules
rules:
  - id: law
    category: Governing Law
    kind: expected
    term: governing_law
    allowed: [Delaware]
    severity: high
    guidance: Delaware law only.
"""


def _review(client: TestClient, tenant: str) -> dict[str, Any]:
    r = client.post(
        "/v1/jobs", files={"file": ("c.txt", contract(law="New York"), "text/plain")}, headers=auth(tenant)
    )
    job = wait_job(client, r.json()["id"], tenant=tenant)
    assert job["status"] == "succeeded", job
    report = client.get(f"/v1/jobs/{job['id']}/report", headers=auth(tenant)).json()
    review: dict[str, Any] = report["review"]
    return review


def test_a_tenant_playbook_reviews_its_new_jobs_only(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:
        assert client.get("/v1/playbook", headers=auth("acme")).json()["source"] == "default"
        before = _review(client, "acme")
        assert before["playbook"] == "longdoc default"

        put = client.put("/v1/playbook", content=DELAWARE_ONLY.encode(), headers=auth("acme"))
        assert put.status_code == 200, put.text
        assert put.json()["source"] == "tenant" and [r["id"] for r in put.json()["rules"]] == ["law"]

        after = _review(client, "acme")
        assert after["playbook"] == "acme house rules"
        [law] = after["items"]
        assert (law["rule"], law["status"], law["answer"]) == ("law", "deviates", "New York, US")
        assert law["evidence"] and law["severity"] == "high"

        # Globex keeps the default; its jobs are not reviewed with Acme's rules.
        assert client.get("/v1/playbook", headers=auth("globex")).json()["source"] == "default"
        assert _review(client, "globex")["playbook"] == "longdoc default"

        assert client.delete("/v1/playbook", headers=auth("acme")).status_code == 204
        assert _review(client, "acme")["playbook"] == "longdoc default"


def test_a_bad_playbook_is_refused_naming_line_and_field_and_changes_nothing(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:
        assert (
            client.put("/v1/playbook", content=DELAWARE_ONLY.encode(), headers=auth("acme")).status_code
            == 200
        )
        bad = DELAWARE_ONLY.replace("severity: high", "severity: urgent")
        r = client.put("/v1/playbook", content=bad.encode(), headers=auth("acme"))
        assert r.status_code == 422 and r.json()["code"] == "bad_playbook"
        assert ":8:" in r.json()["detail"] and "severity" in r.json()["detail"]
        assert client.get("/v1/playbook", headers=auth("acme")).json()["name"] == "acme house rules"
        assert client.put("/v1/playbook", content=b"\xff\xfe", headers=auth("acme")).status_code == 422
        huge = client.put("/v1/playbook", content=b"#" * (300 * 1024), headers=auth("acme"))
        assert huge.status_code == 413
        assert client.put("/v1/playbook", content=DELAWARE_ONLY.encode()).status_code == 401
