"""Idempotency-Key: the same request gets the same resource; a different one with the key is refused."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.api_helpers import api, auth, contract, make_settings


def _post(client, data: bytes, key: str | None, tenant: str = "acme", **fields: str):  # type: ignore[no-untyped-def]
    headers = {**auth(tenant), **({"Idempotency-Key": key} if key else {})}
    return client.post(
        "/v1/jobs", files={"file": ("msa.txt", data, "text/plain")}, data=fields, headers=headers
    )


def test_same_key_same_request_same_job(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:
        first = _post(client, contract(), "k-1")
        again = _post(client, contract(), "k-1")
        assert first.status_code == 202 and again.status_code == 200
        assert first.json()["id"] == again.json()["id"]
        assert again.headers["Location"] == first.headers["Location"]
        # Without a key every request is a new job.
        assert _post(client, contract(), None).json()["id"] != first.json()["id"]
        # Records live in the tenant's storage, so they survive a restart.
        assert list((tmp_path / "store" / "acme" / "idempotency").glob("*.json"))
    with api(make_settings(tmp_path)) as client:
        assert _post(client, contract(), "k-1").json()["id"] == first.json()["id"]


def test_same_key_different_request_is_refused(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:
        assert _post(client, contract(), "k-2").status_code == 202
        other_file = _post(client, contract(law="Texas"), "k-2")
        assert other_file.status_code == 422 and other_file.json()["code"] == "idempotency_key_reused"
        other_options = _post(client, contract(), "k-2", profile="interactive")
        assert other_options.status_code == 422 and other_options.json()["code"] == "idempotency_key_reused"
        # Keys are per tenant: Globex may use the same key for its own job.
        globex = _post(client, contract(), "k-2", tenant="globex")
        assert globex.status_code == 202
        assert _post(client, contract(), "x" * 300).status_code == 422


def test_concurrent_retries_make_one_job(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client, ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _i: _post(client, contract(), "k-race"), range(6)))
        assert {r.json()["id"] for r in results} == {results[0].json()["id"]}
        assert sorted(r.status_code for r in results) == [200] * 5 + [202]
        listing = client.get("/v1/jobs", headers=auth()).json()["data"]
        assert len(listing) == 1


def test_batch_idempotency(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:
        files = [
            ("files", ("a.txt", contract(), "text/plain")),
            ("files", ("b.txt", contract(law="Texas"), "text/plain")),
        ]
        h = {**auth(), "Idempotency-Key": "batch-1"}
        first = client.post("/v1/batches", files=files, headers=h)
        again = client.post("/v1/batches", files=files, headers=h)
        assert (first.status_code, again.status_code) == (202, 200) and first.json()["id"] == again.json()[
            "id"
        ]
        changed = client.post("/v1/batches", files=files[:1], headers=h)
        assert changed.status_code == 422 and changed.json()["code"] == "idempotency_key_reused"
