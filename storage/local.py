"""Local-folder backend: the default, no services needed."""

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
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*check_key(key).split("/"))

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        with self._atomic(path) as fh:
            fh.write(data)

    def put_stream(self, key: str, stream: BinaryIO, length: int | None = None) -> int:
        path = self._path(key)
        written = 0
        with self._atomic(path) as fh:
            while chunk := stream.read(CHUNK):
                fh.write(chunk)
                written += len(chunk)
        return written

    def _atomic(self, path: Path) -> _AtomicFile:
        path.parent.mkdir(parents=True, exist_ok=True)
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
