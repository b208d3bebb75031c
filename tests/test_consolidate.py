"""Consolidation across segments: references, defined terms, conflicts, determinism."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import SegmentConfig, Settings, StorageConfig
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobStore
from pipeline.report.model import Report
from storage import keys
from storage.local import LocalStore
from tests.planted import PLANTED, planted_contract
from workers.local import LocalExecutor

SMALL = {"threshold_tokens": 1500, "min_tokens": 400, "max_tokens": 800}  # segment sizes


def run(tmp: Path, text: str, **segment: int) -> tuple[Report, bytes]:
    settings = Settings(storage=StorageConfig(dir=tmp), segment=SegmentConfig(**segment))
    ctx = StageContext(settings=settings, store=LocalStore(tmp))
    job = JobStore(ctx.store, "t").create(text.encode(), "planted.txt", ext="txt")
    executor = LocalExecutor(ctx, workers=3)
    try:
        record, report = executor.run("t", job.job_id)
    finally:
        executor.close()
    assert record.status == "succeeded", record.error
    assert report is not None
    return report, ctx.store.get(keys.job_file("t", job.job_id, "report.json"))


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Report, bytes]:
    text = planted_contract()
    report, raw = run(tmp_path_factory.mktemp("planted"), text, **SMALL)
    return text, report, raw


def test_planted_document_is_segmented(planted: tuple[str, Report, bytes]) -> None:
    _, report, _ = planted
    assert len(report.segments) >= 3
    assert all(s.status == "ok" for s in report.segments)


def test_term_issues_are_exactly_the_planted_ones(planted: tuple[str, Report, bytes]) -> None:
    _, report, _ = planted
    assert {(i.issue, i.term) for i in report.term_issues} == PLANTED["term_issues"]


def test_conflicts_are_exactly_the_planted_ones(planted: tuple[str, Report, bytes]) -> None:
    _, report, _ = planted
    assert {c.name: c.values for c in report.conflicts} == PLANTED["conflicts"]


def test_dangling_and_cross_segment_references(planted: tuple[str, Report, bytes]) -> None:
    _, report, _ = planted
    dangling = {r.target for r in report.references if r.status == "dangling"}
    assert dangling == PLANTED["dangling"]
    cross = [r for r in report.references if r.target == PLANTED["cross_segment"]]
    assert cross and all(r.status == "resolved" and r.cross_segment for r in cross)
    assert cross[0].target_section is not None and cross[0].target_section.endswith("5.2")
    assert cross[0].target_segment != cross[0].segment
    # "Article II" and "clause 2.1" resolve to their sections.
    resolved = {r.target: r for r in report.references if r.status == "resolved"}
    assert resolved["article:2"].target_section == "ARTICLE II"
    assert resolved["section:2.1"].target_section == "ARTICLE II > 2.1"


def test_every_quote_is_verbatim_at_its_offsets(planted: tuple[str, Report, bytes]) -> None:
    text, report, _ = planted
    spans = [*report.findings, *report.key_terms, *report.defined_terms, *report.references]
    spans += [sp for issue in report.term_issues for sp in issue.spans]
    assert spans
    for sp in spans:
        assert text[sp.start : sp.end] == sp.quote


def test_same_input_gives_byte_identical_report(planted: tuple[str, Report, bytes], tmp_path: Path) -> None:
    text, _, raw = planted
    _, again = run(tmp_path, text, **SMALL)
    assert again == raw


def test_segmenting_loses_nothing(planted: tuple[str, Report, bytes], tmp_path: Path) -> None:
    text, report, _ = planted
    whole, _ = run(tmp_path, text)  # default thresholds: one segment
    assert len(whole.segments) == 1

    def strip(r: Report) -> set[tuple[str, int, int]]:
        return {(f.category, f.start, f.end) for f in r.findings}

    assert strip(whole) == strip(report)
    assert {(i.issue, i.term) for i in whole.term_issues} == {(i.issue, i.term) for i in report.term_issues}
    assert {(r.target, r.status) for r in whole.references} == {
        (r.target, r.status) for r in report.references
    }
