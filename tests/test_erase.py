"""Erase on request (issue 15): DELETE leaves only a tombstone, URLs answer 410, late writes undo
themselves; and encryption at rest (S3 SSE on every write, owner-only local files)."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from minio import Minio

from pipeline.config import S3Config, Settings
from pipeline.errors import Gone, NotFound
from pipeline.jobs.erase import Tombstone, erase_job
from pipeline.jobs.store import JobStore
from storage import keys
from storage.base import ObjectStore
from storage.local import LocalStore
from storage.s3 import S3Store
from tests.api_helpers import KEYS, api, auth, contract, make_settings, wait_batch, wait_job
from tests.s3server import S3Server, unique_bucket
from tests.waiting import wait_for

PROBLEM = "application/problem+json"


def _objects(store: ObjectStore, tenant: str = "acme") -> list[str]:
    """The tenant's objects but its access log (kept on erase by design: it holds no text, and
    its flush thread writes on its own clock)."""
    return [k for k in store.list(f"{tenant}/") if not k.startswith(keys.access_prefix(tenant))]


@pytest.fixture(params=["local", "s3"])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _settings_and_store(
    kind: str, tmp_path: Path, request: pytest.FixtureRequest, **groups: Any
) -> tuple[Settings, ObjectStore]:
    if kind == "local":
        settings = make_settings(tmp_path, **groups)
        return settings, LocalStore(settings.storage.dir)
    s3_server: S3Server = request.getfixturevalue("s3_server")
    make_s3: Callable[..., S3Store] = request.getfixturevalue("make_s3")
    bucket = unique_bucket()
    store = make_s3(bucket=bucket)  # made here, dropped after the test
    s3 = S3Config(endpoint=s3_server.endpoint, access_key=s3_server.access_key,
                  secret_key=s3_server.secret_key, bucket=bucket)  # fmt: skip
    return make_settings(tmp_path, storage={"kind": "s3", "s3": s3}, **groups), store


def _submit(client: TestClient, body: bytes, name: str, tenant: str = "acme") -> str:
    r = client.post("/v1/jobs", files={"file": (name, body, "text/plain")}, headers=auth(tenant))
    assert r.status_code == 202, r.text
    return str(r.json()["id"])


def _assert_gone(client: TestClient, method: str, path: str) -> None:
    r = client.request(method, path, headers=auth())
    assert r.status_code == 410, (path, r.status_code, r.text)
    assert r.headers["content-type"].startswith(PROBLEM) and r.json()["code"] == "gone"


def test_delete_erases_the_job_and_answers_410(
    store_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings, store = _settings_and_store(store_kind, tmp_path, request)
    doc = contract()
    with api(settings) as client:
        gone_id = _submit(client, doc, "erase-me.txt")
        kept_id = _submit(client, contract(party_a="Other Corp."), "keep-me.txt")
        for job_id in (gone_id, kept_id):
            assert wait_job(client, job_id)["status"] == "succeeded"
        prefix = keys.job_prefix("acme", gone_id)
        before = _objects(store)
        kept_before = list(store.list(keys.job_prefix("acme", kept_id)))
        assert len(list(store.list(prefix))) >= 5  # job, text, plan, segments, audit, reports

        # Another tenant: 404, and nothing of acme's is touched.
        r = client.delete(f"/v1/jobs/{gone_id}", headers=auth("globex"))
        assert r.status_code == 404 and r.json()["code"] == "not_found"
        assert _objects(store) == before

        assert client.delete(f"/v1/jobs/{gone_id}", headers=auth()).status_code == 204
        assert list(store.list(prefix)) == [keys.tombstone("acme", gone_id)]
        doc_key = keys.document("acme", hashlib.sha256(doc).hexdigest(), "txt")
        assert not store.exists(doc_key)
        assert not store.exists(keys.job_index("acme", gone_id))
        assert list(store.list(keys.job_prefix("acme", kept_id))) == kept_before  # the other job intact
        tomb = Tombstone.model_validate_json(store.get(keys.tombstone("acme", gone_id)))
        assert tomb.deleted_by == hashlib.sha256(KEYS["acme"].encode()).hexdigest()[:12]
        assert tomb.sha256 == hashlib.sha256(doc).hexdigest() and tomb.document_erased
        assert tomb.status == "succeeded" and tomb.cost_usd == 0.0 and tomb.objects_erased >= 5

        for path in ("", "/report", "/report.md", "/report.docx"):
            _assert_gone(client, "GET", f"/v1/jobs/{gone_id}{path}")
        _assert_gone(client, "POST", f"/v1/jobs/{gone_id}/cancel")
        assert client.get(f"/v1/jobs/{gone_id}", headers=auth("globex")).status_code == 404
        assert client.delete(f"/v1/jobs/{gone_id}", headers=auth()).status_code == 204  # idempotent
        assert [j["id"] for j in client.get("/v1/jobs", headers=auth()).json()["data"]] == [kept_id]
        # The kept job's report still downloads (S3: through a presigned redirect).
        r = client.get(f"/v1/jobs/{kept_id}/report.md", headers=auth(), follow_redirects=False)
        if store_kind == "s3":
            assert r.status_code == 307
            with urllib.request.urlopen(r.headers["location"]) as resp:
                body = resp.read()
        else:
            assert r.status_code == 200
            body = r.content
        assert body.startswith(b"# keep-me.txt")
    if store_kind == "s3":  # every object written went in with server-side encryption
        admin: Minio = request.getfixturevalue("admin")
        bucket = settings.storage.s3.bucket
        names = [str(o.object_name) for o in admin.list_objects(bucket, recursive=True)]
        assert len(names) > 10
        assert {_sse(admin, bucket, n) for n in names} == {"AES256"}


def _sse(admin: Minio, bucket: str, key: str) -> str | None:
    meta = admin.stat_object(bucket, key).metadata
    return None if meta is None else meta.get("x-amz-server-side-encryption")


def test_late_writes_into_an_erased_job_remove_themselves(store_kind: str, tmp_path: Path,
                                                          request: pytest.FixtureRequest) -> None:  # fmt: skip
    _, store = _settings_and_store(store_kind, tmp_path, request)
    js = JobStore(store, "acme")
    job = js.create(b"a short contract", "c.txt", ext="txt")
    early_cache = keys.cache("acme", "a" * 64)
    store.put_linked("acme", job.job_id, early_cache, b"{}")  # written before the erase: erase finds it
    store.put(keys.segment("acme", job.job_id, 0), b"{}")
    store.put(keys.cache("acme", "c" * 64), b"{}")  # another job's cached answer: not this job's
    erase_job(store, "acme", job.job_id, by="test")
    assert not store.exists(early_cache)
    assert list(store.list("acme/cache/")) == [keys.cache("acme", "c" * 64)]
    # Written after: each write finds the tombstone and removes itself.
    late_cache = keys.cache("acme", "b" * 64)
    with pytest.raises(Gone):
        store.put(keys.segment("acme", job.job_id, 1), b"{}")
    with pytest.raises(Gone):
        store.put_stream(keys.job_file("acme", job.job_id, "report.md"), io.BytesIO(b"# r"))
    with pytest.raises(Gone):
        store.put_linked("acme", job.job_id, late_cache, b"{}")
    assert not store.exists(late_cache)
    assert list(store.list(keys.job_prefix("acme", job.job_id))) == [keys.tombstone("acme", job.job_id)]
    assert js.cancel_requested(job.job_id)  # a stage still running stops at its next check
    with pytest.raises(NotFound):
        erase_job(store, "other", job.job_id, by="test")


def test_document_shared_by_another_job_is_kept(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    js = JobStore(store, "acme")
    first = js.create(b"the same bytes", "a.txt", ext="txt")
    second = js.create(b"the same bytes", "b.txt", ext="txt")
    assert not erase_job(store, "acme", first.job_id, by="test").document_erased
    assert store.exists(first.document_key)  # the second job still reads it
    assert erase_job(store, "acme", second.job_id, by="test").document_erased
    assert not store.exists(first.document_key)


def test_delete_a_batch(tmp_path: Path) -> None:
    with api(make_settings(tmp_path)) as client:
        files = [("files", (f"d{i}.txt", contract(party_a=f"Party {i}"), "text/plain")) for i in range(2)]
        r = client.post("/v1/batches", files=files, headers=auth())
        assert r.status_code == 202, r.text
        batch = wait_batch(client, r.json()["id"])
        job_ids = [e["job_id"] for e in batch["entries"]]
        assert client.delete(f"/v1/batches/{batch['id']}", headers=auth("globex")).status_code == 404
        assert client.get(f"/v1/batches/{batch['id']}", headers=auth()).status_code == 200
        assert client.delete(f"/v1/batches/{batch['id']}", headers=auth()).status_code == 204
        for path in ("", "/table.csv"):
            _assert_gone(client, "GET", f"/v1/batches/{batch['id']}{path}")
        for job_id in job_ids:
            _assert_gone(client, "GET", f"/v1/jobs/{job_id}")
        assert client.delete(f"/v1/batches/{batch['id']}", headers=auth()).status_code == 204
    store = LocalStore(tmp_path / "store")
    assert [k for k in _objects(store) if not k.endswith("/" + keys.TOMBSTONE)] == []


def test_s3_sse_kms_when_a_key_id_is_configured(make_s3: Callable[..., S3Store], admin: Minio) -> None:
    key_id = "arn:aws:kms:us-east-1:123456789012:key/longdoc-test"
    store = make_s3(kms_key_id=key_id, kms_context={"app": "longdoc"})
    store.put("t/a.json", b"{}")
    store.put_stream("t/b.bin", io.BytesIO(b"b" * 1000))
    for key in ("t/a.json", "t/b.bin"):
        meta = admin.stat_object(store.bucket, key).metadata
        assert meta is not None and meta.get("x-amz-server-side-encryption") == "aws:kms"
        assert meta.get("x-amz-server-side-encryption-aws-kms-key-id") == key_id
    assert store.get("t/a.json") == b"{}"


def test_local_files_are_0600_and_folders_0700(tmp_path: Path) -> None:
    root = tmp_path / "deep" / "store"
    store = LocalStore(root)
    store.put("acme/jobs/j1/segments/00000.json", b"{}")
    store.put_stream("acme/documents/x.txt", io.BytesIO(b"text"))
    folders = [root, *(p for p in root.rglob("*") if p.is_dir())]
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) == 2 and len(folders) >= 5
    assert {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o600}
    assert {stat.S_IMODE(p.stat().st_mode) for p in folders} == {0o700}
    assert stat.S_IMODE((tmp_path / "deep").stat().st_mode) == 0o700  # parents it made too


def test_tombstone_holds_no_document_text(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    job = JobStore(store, "acme").create(b"PLANTED-SENTENCE-7731 in a contract", "secret-name.txt", ext="txt")
    erase_job(store, "acme", job.job_id, by="k1")
    raw = store.get(keys.tombstone("acme", job.job_id)).decode()
    assert "PLANTED" not in raw and "secret-name" not in raw
    assert json.loads(raw)["deleted_by"] == "k1"


def test_another_api_process_answers_410_once_its_cached_copy_expires(tmp_path: Path) -> None:
    # Two API apps on one storage, as replicas behind a load balancer: B has the finished job's
    # resource in memory when A erases it, and answers 410 within api.finished_cache_s.
    settings = make_settings(tmp_path, api={"finished_cache_s": 0.5})
    with api(settings) as a, api(settings) as b:
        job_id = _submit(a, contract(), "c.txt")
        assert wait_job(a, job_id)["status"] == "succeeded"
        assert b.get(f"/v1/jobs/{job_id}", headers=auth()).status_code == 200  # now cached in B
        assert a.delete(f"/v1/jobs/{job_id}", headers=auth()).status_code == 204
        wait_for(lambda: b.get(f"/v1/jobs/{job_id}", headers=auth()).status_code == 410, 10,
                 "the other replica to answer 410")  # fmt: skip
