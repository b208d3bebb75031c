"""Local-folder backend: the default, no services needed.

Owner-only: folders are made 0700 and files written 0600 (``mkstemp``'s mode, kept by the rename),
so other local users read nothing; encryption at rest is the disk's job (README).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from pipeline.errors import NotFound
from storage.base import CHUNK, ObjectStore, check_key


class LocalStore(ObjectStore):
    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).resolve()
        _make_dirs(self.root)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def _put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        with self._atomic(path) as fh:
            fh.write(data)

    def _put_stream(self, key: str, stream: BinaryIO, length: int | None) -> int:
        path = self._path(key)
        written = 0
        with self._atomic(path) as fh:
            while chunk := stream.read(CHUNK):
                fh.write(chunk)
                written += len(chunk)
        return written

    def _atomic(self, path: Path) -> _AtomicFile:
        _make_dirs(path.parent)
        return _AtomicFile(path)

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound(f"no object {key!r}") from None

    def open(self, key: str) -> Iterator[bytes]:
        try:
            fh = self._path(key).open("rb")
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise NotFound(f"no object {key!r}") from None
        return _chunks(fh)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def list(self, prefix: str = "") -> Iterator[str]:
        # Walk only the deepest directory the prefix names, then filter.
        base_dir = prefix.rsplit("/", 1)[0] if "/" in prefix else ""
        start = self.root.joinpath(*base_dir.split("/")) if base_dir else self.root
        if not start.is_dir():
            return iter(())
        keys = []
        for dirpath, _dirs, files in os.walk(start):
            rel = Path(dirpath).relative_to(self.root).as_posix()
            for name in files:
                if name.startswith(".tmp-"):
                    continue
                key = name if rel == "." else f"{rel}/{name}"
                if key.startswith(prefix):
                    keys.append(key)
        return iter(sorted(keys))

    def delete(self, key: str) -> None:
        path = self._path(key)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        except IsADirectoryError:
            shutil.rmtree(path)


FOLDER_MODE = 0o700


def _make_dirs(path: Path) -> None:
    """``mkdir -p`` with every folder it creates 0700 (``Path.mkdir(parents=True)`` would make the
    parents with the default mode)."""
    if path.is_dir():
        return
    missing = [path, *(p for p in path.parents if not p.is_dir())]
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=FOLDER_MODE)
        except FileExistsError:  # another writer made it first
            if not folder.is_dir():
                raise


def _chunks(fh: BinaryIO) -> Iterator[bytes]:
    with fh:
        while chunk := fh.read(CHUNK):
            yield chunk


class _AtomicFile:
    """Write to a temp file in the same directory, then rename over the target."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        self.tmp = Path(tmp)
        self.fh = os.fdopen(fd, "wb")

    def __enter__(self) -> BinaryIO:
        return self.fh

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self.fh.close()
        if exc_type is None:
            os.replace(self.tmp, self.path)
        else:
            self.tmp.unlink(missing_ok=True)
