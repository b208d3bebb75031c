"""Conformance suite for object stores (the S3 backend joins with the distributed issue)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.errors import NotFound, StorageError
from storage import keys
from storage.base import ObjectStore
from storage.local import LocalStore


@pytest.fixture(params=["local"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObjectStore]:
    yield LocalStore(tmp_path / "objects")


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
