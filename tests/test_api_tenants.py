"""Tenant isolation: another tenant's ids are 404 everywhere; nothing shows another tenant's names."""

from __future__ import annotations

from pathlib import Path

from tests.api_helpers import api, auth, contract, make_settings, wait_batch, wait_job


def test_other_tenant_sees_nothing(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:
        secret_name = "acme-secret-merger.txt"
        r = client.post(
            "/v1/jobs", files={"file": (secret_name, contract(), "text/plain")}, headers=auth("acme")
        )
        job = wait_job(client, r.json()["id"])
        b = client.post("/v1/batches", files=[("files", ("acme-batch-doc.txt", contract(law="Texas"), "text/plain"))],
                        headers=auth("acme"))  # fmt: skip
        batch = wait_batch(client, b.json()["id"])
        jid, bid = job["id"], batch["id"]

        own = [f"/v1/jobs/{jid}", f"/v1/jobs/{jid}/report", f"/v1/jobs/{jid}/report.md",
               f"/v1/jobs/{jid}/report.docx", f"/v1/batches/{bid}", f"/v1/batches/{bid}/table.csv",
               f"/v1/batches/{bid}/table.xlsx"]  # fmt: skip
        for path in own:
            assert client.get(path, headers=auth("acme")).status_code == 200, path
            other = client.get(path, headers=auth("globex"))
            assert other.status_code == 404, (path, other.status_code)
            assert "acme" not in other.text.lower()
            anonymous = client.get(path)
            assert anonymous.status_code == 401 and "acme" not in anonymous.text.lower()
            assert client.get(path, headers={"X-API-Key": "guess"}).status_code == 401
        cancel = client.post(f"/v1/jobs/{jid}/cancel", headers=auth("globex"))
        assert cancel.status_code == 404 and "acme" not in cancel.text.lower()
        assert client.post(f"/v1/jobs/{jid}/cancel").status_code == 401

        # Globex's listings are empty and never name Acme's documents.
        listing = client.get("/v1/jobs", headers=auth("globex"))
        assert listing.json()["data"] == [] and secret_name not in listing.text
        # Acme's stored document cannot be referenced from Globex, by relative or escaping key.
        for key in (job["document_key"], f"../acme/{job['document_key']}"):
            r = client.post("/v1/jobs", json={"document_key": key}, headers=auth("globex"))
            assert r.status_code == 404 and "acme" not in r.text.lower()
        r = client.post(
            "/v1/batches", json={"documents": [{"document_key": job["document_key"]}]}, headers=auth("globex")
        )
        entry = r.json()["entries"][0]
        assert (
            entry["status"] == "failed" and entry["error"]["code"] == "not_found" and entry["job_id"] is None
        )

        # Globex's own work is equally invisible to Acme.
        g = client.post("/v1/jobs", files={"file": ("globex.txt", contract(party_a="Globex"), "text/plain")},
                        headers=auth("globex")).json()  # fmt: skip
        assert client.get(f"/v1/jobs/{g['id']}", headers=auth("acme")).status_code == 404
        ids = {j["id"] for j in client.get("/v1/jobs", headers=auth("acme")).json()["data"]}
        assert g["id"] not in ids and jid in ids
        wait_job(client, g["id"], tenant="globex")
        # Storage: each tenant's objects live under its own prefix.
        root = tmp_path / "store"
        assert (root / "acme" / "jobs" / jid).is_dir() and not (root / "globex" / "jobs" / jid).exists()
