"""What an executor does: run one job's stages, by id, to a terminal status."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from pipeline.jobs.store import JobRecord

if TYPE_CHECKING:
    from pipeline.report.model import Report


@dataclass(frozen=True)
class JobEvent:
    """Progress heard by a caller (CLI progress bar): a stage started or a segment finished."""

    job_id: str
    stage: str
    segments_total: int = 0
    segments_done: int = 0


EventCallback = Callable[[JobEvent], None]


class Executor(Protocol):
    def run(
        self, tenant: str, job_id: str, *, password: str | None = None, on_event: EventCallback | None = None
    ) -> tuple[JobRecord, Report | None]:
        """Run the job to a terminal status; the report when it succeeded."""
        ...  # fmt: skip
