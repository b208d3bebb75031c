"""The stages of one job as functions over ids: read inputs from storage, write outputs.

Every executor (local threads, Celery workers) calls these same functions, so the storage
layout and the report are the same whichever runs them. A caller that already holds a
stage's input may pass it in to skip re-reading it (the local executor does).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime

from chunking.segmenter import plan_segments
from chunking.structure import find_sections
from chunking.tokenizer import tokenize
from pipeline.analyzers.base import Analyzer, SegmentTask
from pipeline.analyzers.kind import detect_kind
from pipeline.analyzers.registry import build_analyzers
from pipeline.consolidate import consolidate
from pipeline.errors import LongdocError
from pipeline.findings import SegmentAnalysis, SegmentError
from pipeline.ingest import ingest
from pipeline.jobs import DocumentText, ErrorInfo, JobRecord, JobStatus, JobStore, now
from pipeline.locator import Locator
from pipeline.models import SegmentPlan
from pipeline.report_model import Report
from pipeline.reports import render_markdown
from pipeline.settings import Settings
from storage import keys
from storage.base import ObjectStore


@dataclass
class StageContext:
    """Clients a worker builds once at start-up and hands to every stage."""

    settings: Settings
    store: ObjectStore
    analyzers: dict[str, Analyzer] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.analyzers:
            self.analyzers = build_analyzers(self.settings)

    def jobs(self, tenant: str) -> JobStore:
        return JobStore(self.store, tenant)


def set_status(
    ctx: StageContext, tenant: str, job_id: str, status: JobStatus, error: ErrorInfo | None = None
) -> JobRecord:
    js = ctx.jobs(tenant)
    job = js.load(job_id)
    if job.status != status or error is not None:
        job = job.moved(status, error)
        js.save(job)
    return job


def run_ingest(ctx: StageContext, tenant: str, job_id: str, *, password: str | None = None) -> DocumentText:
    js = ctx.jobs(tenant)
    job = set_status(ctx, tenant, job_id, "ingesting")
    extracted = ingest(js.document_bytes(job), name=job.name, password=password, settings=ctx.settings)
    doc = DocumentText(
        extracted=extracted, sections=find_sections(extracted.text), kind=detect_kind(extracted.text)
    )
    js.save_text(job_id, doc)
    return doc


def run_plan(ctx: StageContext, tenant: str, job_id: str, *, doc: DocumentText | None = None) -> SegmentPlan:
    js = ctx.jobs(tenant)
    doc = doc or js.load_text(job_id)
    plan = plan_segments(doc.extracted, tokenize(doc.extracted.text), doc.sections, ctx.settings)
    js.save_plan(job_id, plan)
    set_status(ctx, tenant, job_id, "analyzing")
    return plan


def run_segment(
    ctx: StageContext,
    tenant: str,
    job_id: str,
    index: int,
    *,
    doc: DocumentText | None = None,
    plan: SegmentPlan | None = None,
    model: str = "rules",
) -> SegmentAnalysis:
    """Analyze one segment. Idempotent: an existing result is returned, never redone.

    A failure is written as a result carrying its error, so consolidation always runs.
    """
    js = ctx.jobs(tenant)
    key = js.segment_key(job_id, index)
    if ctx.store.exists(key):
        return SegmentAnalysis.model_validate_json(ctx.store.get(key))
    doc = doc or js.load_text(job_id)
    plan = plan or js.load_plan(job_id)
    seg = plan.segments[index]
    task = SegmentTask(
        segment=index,
        text=doc.extracted.text[seg.char_start : seg.char_end],
        base_offset=seg.char_start,
        kind=doc.kind,
        locator=Locator.for_text(doc.extracted, doc.sections),
    )
    # One audit record per model call, written before the call: counts attempts even when
    # the worker dies mid-call.
    ctx.store.put_json(
        keys.audit(tenant, job_id, f"segment-{index:05d}-{now_compact()}-{secrets.token_hex(4)}.json"),
        {"segment": index, "model": model, "started_at": now(), "kind": "call"},
    )
    try:
        result = ctx.analyzers[model].analyze(task)
    except LongdocError as exc:
        result = _failed(index, model, exc.code, exc.message)
    except Exception as exc:  # one bad segment must not lose the others
        result = _failed(index, model, "analysis_failed", f"{type(exc).__name__}: {exc}")
    ctx.store.put(key, result.model_dump_json().encode())
    return result


def now_compact() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")


def _failed(index: int, model: str, code: str, message: str) -> SegmentAnalysis:
    return SegmentAnalysis(
        segment=index, model=model, status="failed", error=SegmentError(code=code, message=message)
    )


def run_consolidate(
    ctx: StageContext,
    tenant: str,
    job_id: str,
    *,
    doc: DocumentText | None = None,
    plan: SegmentPlan | None = None,
    analyses: list[SegmentAnalysis] | None = None,
) -> Report:
    js = ctx.jobs(tenant)
    job = set_status(ctx, tenant, job_id, "consolidating")
    doc = doc or js.load_text(job_id)
    plan = plan or js.load_plan(job_id)
    if analyses is None:
        analyses = [
            SegmentAnalysis.model_validate_json(ctx.store.get(k))
            for k in ctx.store.list(keys.job_prefix(tenant, job_id) + "segments/")
        ]
    report = consolidate(
        doc.extracted, doc.sections, plan, analyses, name=job.name, sha256=job.sha256, kind=doc.kind
    )
    ctx.store.put(keys.job_file(tenant, job_id, "report.json"), report.model_dump_json(indent=1).encode())
    ctx.store.put(keys.job_file(tenant, job_id, "report.md"), render_markdown(report).encode())
    set_status(ctx, tenant, job_id, "succeeded")
    return report


def fail_job(ctx: StageContext, tenant: str, job_id: str, exc: LongdocError) -> JobRecord:
    return set_status(ctx, tenant, job_id, "failed", ErrorInfo(code=exc.code, message=exc.message))
