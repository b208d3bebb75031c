"""Progress on stderr (rich), quiet when stderr is not a terminal."""

from __future__ import annotations

import sys
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn


class FileProgress:
    """One bar over the files of a command, with the current file's stage as text."""

    def __init__(self, total: int, *, enabled: bool | None = None) -> None:
        console = Console(stderr=True)
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[stage]}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
            disable=not self.enabled,
        )
        self._task = self._progress.add_task("files", total=total, stage="")

    def __enter__(self) -> FileProgress:
        self._progress.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._progress.__exit__(exc_type, exc, tb)

    def stage(self, name: str, detail: str = "") -> None:
        self._progress.update(self._task, stage=f"{name} {detail}".strip())

    def file_done(self) -> None:
        self._progress.advance(self._task)
