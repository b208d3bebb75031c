"""Progress on stderr (rich), quiet when stderr is not a terminal."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class FileProgress:
    """One bar over the files of a command, with the current file's stage as text.

    Quiet (stderr not a terminal, or ``enabled=False``), it does nothing and rich is not
    imported: importing it would sit before a job's first model request."""

    def __init__(self, total: int, *, enabled: bool | None = None) -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        if not self.enabled:
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[stage]}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task("files", total=total, stage="")

    def __enter__(self) -> FileProgress:
        if self._progress is not None:
            self._progress.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._progress is not None:
            self._progress.__exit__(exc_type, exc, tb)

    def stage(self, name: str, detail: str = "") -> None:
        """``detail`` is plain text (a file name, a count): shown on one line, never as markup."""
        if self._progress is not None and self._task is not None:
            from rich.markup import escape

            from pipeline.report.markdown import printable

            self._progress.update(self._task, stage=escape(printable(f"{name} {detail}".strip())))

    def file_done(self) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.advance(self._task)
