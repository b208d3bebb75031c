"""Conformance suite for object stores: every test taking ``store`` runs on local and S3 (moto).

S3-only behaviour (bucket creation, multipart streaming, presigning, SSE, error mapping)
is tested further down through the real minio SDK against moto's server mode.
"""

from __future__ import annotations

import hashlib
import io
import traceback
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import urllib3
from minio import Minio

from pipeline.config import S3Config, StorageConfig
from pipeline.errors import ConfigError, NotFound, StorageError
from storage import keys, open_store
from storage.base import CHUNK, ObjectStore
from storage.local import LocalStore
from storage.s3 import MIB, S3Store
from tests.s3server import S3Server, unique_bucket

PART = 5 * MIB  # S3's minimum part size, so multipart kicks in with small test data


@pytest.fixture
def store(any_store: ObjectStore) -> ObjectStore:
    return any_store


def test_put_get_exists_delete(store: ObjectStore) -> None:
    key = keys.job_file("acme", "job1", "job.json")
    assert not store.exists(key)
    store.put(key, b'{"a": 1}')
    assert store.exists(key)
    assert store.get(key) == b'{"a": 1}'
    store.put(key, b"replaced")
    assert store.get(key) == b"replaced"
    store.delete(key)
    assert not store.exists(key)
    store.delete(key)  # idempotent
    with pytest.raises(NotFound):
        store.get(key)


def test_list_is_prefix_scoped_and_sorted(store: ObjectStore) -> None:
    for i in (2, 0, 1):
        store.put(keys.segment("t1", "j", i), b"x")
    store.put(keys.job_file("t1", "j", "plan.json"), b"p")
    store.put(keys.job_file("t2", "j", "plan.json"), b"other tenant")
    listed = list(store.list("t1/jobs/j/segments/"))
    assert listed == [keys.segment("t1", "j", i) for i in range(3)]
    assert all(k.startswith("t1/") for k in store.list("t1/"))
    assert len(list(store.list("t1/"))) == 4
    assert list(store.list("nothing/here/")) == []


def test_streaming_round_trip(store: ObjectStore) -> None:
    blob = bytes(range(256)) * 20_000  # 5 MB, several chunks
    assert store.put_stream("t/documents/big.bin", io.BytesIO(blob)) == len(blob)
    assert b"".join(store.open("t/documents/big.bin")) == blob
    with pytest.raises(NotFound):
        store.open("t/documents/missing.bin")


def test_json_helpers(store: ObjectStore) -> None:
    store.put_json("t/x.json", {"b": 1, "a": [1, 2]})
    assert store.get_json("t/x.json") == {"a": [1, 2], "b": 1}


@pytest.mark.parametrize("bad", ["", "/abs", "a/../b", "a//b", "./a"])
def test_bad_keys_refused(store: ObjectStore, bad: str) -> None:
    with pytest.raises(StorageError):
        store.put(bad, b"x")


def test_key_layout_refuses_traversal() -> None:
    with pytest.raises(ValueError):
        keys.job_file("../etc", "j", "job.json")
    with pytest.raises(ValueError):
        keys.document("t", "abc/def", "pdf")
    assert keys.document("acme", "ab12", "pdf") == "acme/documents/ab12.pdf"


def test_local_writes_are_atomic(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)

    class Boom(io.RawIOBase):
        def readinto(self, b: bytearray) -> int:  # type: ignore[override]
            raise OSError("disk went away")

    store.put("t/a.json", b"old")
    with pytest.raises(OSError):
        store.put_stream("t/a.json", Boom())  # type: ignore[arg-type]
    assert store.get("t/a.json") == b"old"
    assert list(store.list("t/")) == ["t/a.json"]


def test_presigned_url(store: ObjectStore) -> None:
    store.put("t/jobs/j/report.md", b"# report\n")
    url = store.presigned_get_url("t/jobs/j/report.md", 60)
    if isinstance(store, LocalStore):
        assert url is None  # nothing to sign; callers serve the file themselves
        return
    assert url is not None and url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url, timeout=10) as resp:  # plain HTTP to moto
        assert resp.read() == b"# report\n"
        assert resp.headers["Content-Type"] == "text/markdown"


# --- S3 only -------------------------------------------------------------------------------


def generated_blocks(total: int) -> Iterator[bytes]:
    """``total`` deterministic bytes in 64 KiB blocks that differ, so misplaced parts show."""
    for i, start in enumerate(range(0, total, 64 * 1024)):
        yield (hashlib.sha256(i.to_bytes(8, "big")).digest() * 2048)[: total - start]


class GeneratedStream(io.RawIOBase):
    """A raw stream over ``generated_blocks``; records every read size it is asked for."""

    def __init__(self, total: int, fail_at: int | None = None) -> None:
        self.fail_at = fail_at
        self.produced = 0
        self.reads: list[int] = []
        self.on_progress: Callable[[int], None] = lambda produced: None
        self._pending = b""
        self._blocks = generated_blocks(total)

    def readable(self) -> bool:
        return True

    def readinto(self, b: memoryview | bytearray) -> int:  # type: ignore[override]
        self.reads.append(len(b))
        if not self._pending:
            self._pending = next(self._blocks, b"")
            self.produced += len(self._pending)
            if self.fail_at is not None and self.produced >= self.fail_at:
                raise OSError("upload source went away")
            self.on_progress(self.produced)
        n = min(len(b), len(self._pending))
        b[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


def s3_boto(server: S3Server) -> Any:
    """boto3 (a moto dependency) for what minio keeps private: in-progress multipart uploads."""
    import boto3

    return boto3.client(
        "s3",
        endpoint_url=server.url,
        aws_access_key_id=server.access_key,
        aws_secret_access_key=server.secret_key,
        region_name=server.region,
    )


def test_s3_bucket_created_when_missing(make_s3: Callable[..., S3Store], admin: Minio) -> None:
    bucket = unique_bucket()
    assert not admin.bucket_exists(bucket)
    first = make_s3(bucket=bucket)
    assert admin.bucket_exists(bucket)
    first.put("t/a.json", b"1")
    again = make_s3(bucket=bucket)  # an existing bucket is reused as is
    assert again.get("t/a.json") == b"1"


def test_s3_bucket_creation_race(
    make_s3: Callable[..., S3Store], admin: Minio, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another process creates the bucket between our existence check and our create;
    # outside us-east-1 S3 (and moto) then answer BucketAlreadyOwnedByYou.
    bucket = unique_bucket()
    make_s3(bucket=bucket, region="eu-west-1")
    monkeypatch.setattr(Minio, "bucket_exists", lambda self, name: False)
    store = make_s3(bucket=bucket, region="eu-west-1")
    store.put("t/x", b"ok")
    assert store.get("t/x") == b"ok"


def test_s3_multipart_streams_without_buffering(make_s3: Callable[..., S3Store], s3_server: S3Server) -> None:
    store = make_s3()
    total = 40 * 1000 * 1000 + 12_345  # ~40 MB: eight 5 MiB parts, the last one short
    source = GeneratedStream(total)
    boto = s3_boto(s3_server)
    parts_seen: list[int] = []

    def check_server(produced: int) -> None:
        # Near the end of the source, earlier parts must already be on the server.
        if produced >= 35 * 1000 * 1000 and not parts_seen:
            uploads = boto.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
            assert len(uploads) == 1
            listed = boto.list_parts(
                Bucket=store.bucket, Key="t/documents/big.bin", UploadId=uploads[0]["UploadId"]
            )
            parts_seen.append(len(listed.get("Parts", [])))

    source.on_progress = check_server
    assert store.put_stream("t/documents/big.bin", source) == total  # type: ignore[arg-type]
    assert max(source.reads) <= CHUNK  # the source is read in chunks, never a whole part at once
    # Reading part 8 while at most 3 upload in parallel: parts 1..4 are done by then.
    assert parts_seen and parts_seen[0] >= 3, parts_seen
    h = hashlib.sha256()
    for chunk in store.open("t/documents/big.bin"):
        h.update(chunk)
    assert h.hexdigest() == hashlib.sha256(b"".join(generated_blocks(total))).hexdigest()


def test_s3_put_stream_with_known_length(make_s3: Callable[..., S3Store]) -> None:
    store = make_s3()
    blob = bytes(range(256)) * 45_000  # 11.5 MB: three parts
    assert store.put_stream("t/documents/known.bin", io.BytesIO(blob), length=len(blob)) == len(blob)
    assert store.get("t/documents/known.bin") == blob


def test_s3_failed_multipart_keeps_old_object(make_s3: Callable[..., S3Store], s3_server: S3Server) -> None:
    store = make_s3()
    store.put("t/a.bin", b"old")
    with pytest.raises(OSError, match="went away"):
        store.put_stream("t/a.bin", GeneratedStream(20 * MIB, fail_at=12 * MIB))  # type: ignore[arg-type]
    assert store.get("t/a.bin") == b"old"
    assert list(store.list("t/")) == ["t/a.bin"]
    # minio aborted the multipart upload: no orphaned parts left to bill for.
    assert s3_boto(s3_server).list_multipart_uploads(Bucket=store.bucket).get("Uploads", []) == []


def test_s3_partial_read_releases_the_response(make_s3: Callable[..., S3Store]) -> None:
    store = make_s3()
    store.put("t/big.bin", b"z" * (3 * MIB))
    for _ in range(15):  # more than the pool's 10 connections
        chunks = store.open("t/big.bin")
        assert next(chunks) == b"z" * MIB
        chunks.close()  # type: ignore[attr-defined]
    assert store.get("t/big.bin")[:1] == b"z"


def test_s3_sse_s3(s3_server: S3Server, admin: Minio, make_s3: Callable[..., S3Store]) -> None:
    # SSE-S3 needs no key from us, so minio allows it over plain HTTP (SSE-C would need TLS).
    bucket = unique_bucket()
    config = StorageConfig(
        kind="s3",
        s3=S3Config(
            endpoint=s3_server.endpoint,
            access_key=s3_server.access_key,
            secret_key=s3_server.secret_key,
            bucket=bucket,
            sse="s3",
            part_size=PART,
        ),
    )
    make_s3(bucket=bucket)  # makes the bucket and drops it after; open_store reuses it
    store = open_store(config)
    assert isinstance(store, S3Store)
    store.put("t/small.json", b"{}")
    store.put_stream("t/large.bin", io.BytesIO(b"s" * (11 * MIB)))  # multipart path
    for key in ("t/small.json", "t/large.bin"):
        assert sse_of(admin, bucket, key) == "AES256"
    assert store.get("t/small.json") == b"{}"
    plain = make_s3(sse="none")  # only when asked: SSE-S3 is the default
    plain.put("t/p", b"p")
    assert sse_of(admin, plain.bucket, "t/p") is None


def sse_of(admin: Minio, bucket: str, key: str) -> str | None:
    meta = admin.stat_object(bucket, key).metadata
    return None if meta is None else meta.get("x-amz-server-side-encryption")


def test_s3_not_found_mapping(make_s3: Callable[..., S3Store]) -> None:
    store = make_s3()
    for call in (store.get, store.open):
        with pytest.raises(NotFound) as err:
            call("t/none.json")
        assert err.value.code == "not_found" and "t/none.json" in err.value.message
    assert not store.exists("t/none.json")
    store.put("t/dir/a", b"a")
    assert not store.exists("t/dir")  # a prefix is not an object


def _assert_no_secrets(err: BaseException, server: S3Server) -> None:
    text = "".join(traceback.format_exception(err))  # message, causes and all
    assert server.secret_key not in text
    assert server.access_key not in text


def test_s3_errors_are_storage_errors_without_credentials(
    make_s3: Callable[..., S3Store], s3_server: S3Server
) -> None:
    gone = make_s3(bucket=unique_bucket("gone"), create_bucket=False)
    with pytest.raises(StorageError) as err:
        gone.put("t/a", b"x")
    assert not isinstance(err.value, NotFound)
    assert "NoSuchBucket" in err.value.message and gone.bucket in err.value.message
    _assert_no_secrets(err.value, s3_server)
    with pytest.raises(StorageError) as err:
        list(gone.list("t/"))
    _assert_no_secrets(err.value, s3_server)
    assert s3_server.secret_key not in repr(gone)


def test_s3_unreachable_endpoint(s3_server: S3Server) -> None:
    no_retries = urllib3.PoolManager(retries=urllib3.Retry(total=0), timeout=2)
    with pytest.raises(StorageError) as err:
        S3Store(
            "127.0.0.1:1", s3_server.access_key, s3_server.secret_key, unique_bucket(), http_client=no_retries
        )
    assert "127.0.0.1:1" in err.value.message
    _assert_no_secrets(err.value, s3_server)


def test_s3_settings() -> None:
    config = StorageConfig(kind="s3", s3=S3Config(access_key="AKIA-x", secret_key="very-secret"))
    assert "very-secret" not in repr(config) and "very-secret" not in str(config.model_dump())
    assert config.s3.bucket == "longdoc" and config.s3.part_size == 16 * MIB
    with pytest.raises(ConfigError, match="LONGDOC_S3_ACCESS_KEY"):
        open_store(StorageConfig(kind="s3", s3=S3Config(access_key=None, secret_key=None)))
    with pytest.raises(ValueError):
        S3Config(part_size=MIB)  # below S3's 5 MiB minimum


def test_s3_presign_expiry_bounds(make_s3: Callable[..., S3Store]) -> None:
    store = make_s3(presign_expiry_s=120)
    assert "X-Amz-Expires=120" in store.presigned_get_url("t/a")
    with pytest.raises(StorageError):
        store.presigned_get_url("t/a", 8 * 24 * 3600)
    with pytest.raises(StorageError):
        store.presigned_get_url("../a")
