"""``longdoc plan``, ``analyze`` and ``eval``: the document commands.

Imported only when one of them runs (``pipeline.cli.main`` imports it lazily), so the heavy
modules below (tokenizer, ingestors, the job stages, rich) never slow ``longdoc --help``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from pipeline import telemetry
from pipeline.analyze.playbook import load_playbook
from pipeline.cli.common import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    data_policy,
    read_file,
    require,
    resume_gc,
)
from pipeline.config import Settings
from pipeline.errors import LongdocError
from pipeline.ingest import ingest
from pipeline.ingest.sniff import extension_for
from pipeline.jobs.executor import Executor, JobEvent
from pipeline.jobs.planning import PlannedDocument, plan_document
from pipeline.jobs.progress import FileProgress
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobOptions, JobStore
from pipeline.types import ExtractWarning, place
from storage import open_store
from storage.base import ObjectStore
from workers.local import LocalExecutor

# rich and the report modules are imported where something is printed or written with them:
# neither is needed before a job's first model request.
if TYPE_CHECKING:
    from rich.console import Console

    from pipeline.report.model import Report


def shown(text: str) -> str:
    """Text from a file name or a document, for rich output with markup: one line, no tags."""
    from rich.markup import escape

    from pipeline.report.markdown import printable

    return escape(printable(text))


def plan_file(
    path: Path, settings: Settings, password: str | None, progress: FileProgress
) -> PlannedDocument:
    progress.stage("read", path.name)
    try:
        data = read_file(path, settings)
        progress.stage("extract", path.name)
        extracted = ingest(data, name=path.name, password=password, limits=settings.limits)
    except LongdocError as exc:
        raise exc.with_document(str(path)) from None
    return plan_document(extracted, settings, on_stage=lambda s: progress.stage(s, path.name))


def plan_summary(path: Path, planned: PlannedDocument) -> dict[str, object]:
    return {
        "file": str(path),
        "ok": True,
        "media_type": planned.extracted.media_type,
        "backend": planned.extracted.backend,
        "pages": planned.extracted.page_count,
        "chars": len(planned.extracted.text),
        "tokens": planned.plan.total_tokens,
        "sections": len(planned.sections),
        "warnings": [w.model_dump() for w in planned.extracted.warnings],
        "segments": [s.model_dump() for s in planned.plan.segments],
    }


def _print_plan(console: Console, path: Path, planned: PlannedDocument) -> None:
    from rich.table import Table

    from pipeline.report.markdown import printable

    ex, plan = planned.extracted, planned.plan
    console.print(
        f"[bold]{shown(str(path))}[/bold]  {ex.page_count} pages · {plan.total_tokens:,} tokens · "
        f"{len(planned.sections)} sections · {len(plan.segments)} segment(s)  ({ex.backend})"
    )
    for w in ex.warnings:
        pages = f" (pages {', '.join(map(str, w.pages))})" if w.pages else ""
        console.print(printable(f"  warning[{w.code}] {w.message}{pages}"), markup=False)
    table = Table(box=None, pad_edge=False)
    for col, justify in (
        ("#", "right"),
        ("tokens", "right"),
        ("pages", "left"),
        ("sections", "left"),
        ("cut", "left"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for s in plan.segments:
        pages = f"{s.page_first}" if s.page_first == s.page_last else f"{s.page_first}-{s.page_last}"
        table.add_row(
            str(s.index),
            f"{s.tokens:,}",
            pages,
            f"{shown(s.first_section or '—')} → {shown(s.last_section or '—')}",
            s.cut,
        )
    console.print(table)


def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console

    from pipeline.report.markdown import printable

    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    results: list[dict[str, object]] = []
    failed = 0
    with FileProgress(len(args.files)) as progress:
        for name in args.files:
            path = Path(name)
            try:
                planned = plan_file(path, settings, args.password, progress)
            except LongdocError as exc:
                failed += 1
                results.append({"file": str(path), "ok": False, "error": exc.to_dict()})
                if not args.json:
                    err.print(printable(exc.one_line()), markup=False)
            else:
                results.append(plan_summary(path, planned))
                if not args.json:
                    _print_plan(out, path, planned)
            progress.file_done()
    if args.json:
        sys.stdout.write(json.dumps(results, indent=1) + "\n")
    return EXIT_SOME_FAILED if failed else EXIT_OK


def local_grid(name: str, job_id: str, report: Report, store: ObjectStore, settings: Settings) -> bytes:
    """The one-row review grid (XLSX) of a job run here, with any decisions in local storage."""
    from pipeline.cli.service import LOCAL_VIEWER
    from pipeline.jobs import decisions
    from pipeline.report.grid import GridRow, to_xlsx

    decided = decisions.with_decisions(report, decisions.current(store, settings.storage.tenant, job_id))
    return to_xlsx([GridRow(name, job_id, "succeeded", "", decided)], settings.api.url or LOCAL_VIEWER)


def write_grid(out_dir: Path, stem: str, xlsx: bytes) -> Path:
    """``<out_dir>/<stem>.review.xlsx`` beside the reports (``--grid``)."""
    path = out_dir / f"{stem}.review.xlsx"
    path.write_bytes(xlsx)
    return path


def _summary_lines(report: Report) -> list[str]:
    from pipeline.report.markdown import printable

    d, s = report.document, report.summary
    lines = [
        f"  {d.kind} · {d.pages} page(s) · {d.tokens:,} tokens · {s.segments} segment(s) · "
        f"{s.findings} findings in {len(s.categories_found)} categories"
    ]
    for name, values in s.key_terms.items():
        first = "; ".join(printable(v) for v in values[:3])
        lines.append(f"  {name:<19} {first}" + (f" (+{len(values) - 3})" if len(values) > 3 else ""))
    if s.categories_found:
        cats = ", ".join(s.categories_found[:12]) + ("…" if len(s.categories_found) > 12 else "")
        lines.append(f"  categories          {cats}")
    lines.append(
        f"  references          {s.references} ({s.dangling_references} dangling) · defined terms {s.defined_terms} "
        f"({s.term_issues} issues) · conflicts {s.conflicts}"
    )
    for c in report.conflicts:
        lines.append(printable(f"  conflict            {c.name}: {' vs '.join(c.values)}"))
    if s.segments_failed:
        lines.append(f"  failed segments     {s.segments_failed}")
    # What extraction could not read (or read by OCR) changes how far the findings can be
    # trusted: say it here, not only in the Markdown.
    for w in report.warnings:
        if isinstance(w, ExtractWarning):
            lines.append(printable(f"  warning[{w.code}] {w.message}"))
    return lines + _review_lines(report)


_SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def _review_lines(report: Report) -> list[str]:
    """What deviates and what is missing, worst first, each with where to read it."""
    from pipeline.report.markdown import printable

    if report.review is None:
        return []
    items = report.review.items
    count = {st: sum(i.status == st for i in items) for st in ("deviates", "missing", "review", "meets")}
    lines = [f"  review              {count['deviates']} deviate · {count['missing']} missing · "
             f"{count['review']} to review · {count['meets']} meet ({printable(report.review.playbook)})"]  # fmt: skip
    if not report.review.final:  # held (issue 19): the error cost asks a reviewer to sign off first
        lines.append(
            f"  awaiting review     {report.review.awaiting_signoff} item(s) need sign-off; report not final"
        )
    flagged = [i for i in items if i.status in ("deviates", "missing")]
    for i in sorted(flagged, key=lambda i: (_SEVERITY_ORDER[i.severity], i.status != "deviates")):
        where = place(i.evidence[0]) if i.evidence else "absent"
        lines.append(printable(f"  {i.status:<9} {i.severity:<9} {i.rule} — {where}"))
    return lines


class ClosingExecutor(Executor, Protocol):
    def close(self) -> None: ...


def make_executor(settings: Settings, store: ObjectStore) -> ClosingExecutor:
    """``LONGDOC_EXECUTOR``: ``local`` (threads in this process) or ``celery`` (workers via Redis)."""
    if settings.execution.executor == "celery":
        # Imported here so the local path never loads Celery.
        from workers.celery_executor import CeleryExecutor

        return CeleryExecutor(settings, store)
    return LocalExecutor(StageContext(settings=settings, store=store))


def job_options(args: argparse.Namespace) -> JobOptions:
    return JobOptions(
        model=args.model,
        profile=args.profile,
        budget_usd=args.budget,
        error_cost_usd=args.error_cost,
        latency_target_s=args.latency_target,
        **data_policy(args),
    )


def cmd_analyze(args: argparse.Namespace, settings: Settings) -> int:
    if settings.api.url:  # a longdoc service does the work; this command only submits and waits
        from pipeline.cli.client import analyze_files

        return analyze_files(args, settings)
    out_dir = Path(args.out)
    options = job_options(args)
    if args.memo:
        require("service", "docx", feature="--memo")
    if getattr(args, "grid", False):
        require("service", "openpyxl", feature="--grid")
    try:  # a bad --playbook stops here, before any file is read
        playbook = load_playbook(Path(args.playbook)) if getattr(args, "playbook", None) else None
    except LongdocError as exc:
        print(exc.one_line(), file=sys.stderr)
        return EXIT_USAGE
    store = open_store(settings.storage)
    executor = make_executor(settings, store)
    jobs = JobStore(store, settings.storage.tenant)
    results: list[dict[str, object]] = []
    failed = 0
    stems: list[str] = []
    if isinstance(executor, LocalExecutor):  # released once the first request is sent (LocalExecutor.run)
        telemetry.hold()
    try:
        with FileProgress(len(args.files)) as progress:
            for i, name in enumerate(args.files):
                path = Path(name)
                try:
                    progress.stage("read", path.name)
                    data = read_file(path, settings)
                    ext = extension_for(data)
                    if ext != "txt":  # a PDF's or DOCX's parser leaves cycles: collected as it reads
                        resume_gc()
                    job = jobs.create(data, path.name, options, ext=ext, playbook=playbook)

                    def on_event(e: JobEvent, _name: str = path.name) -> None:
                        if e.stage == "analyzing":  # every segment routed, the first requests sent
                            resume_gc()
                        detail = f"{e.segments_done}/{e.segments_total} segments" if e.segments_total else ""
                        progress.stage(e.stage, f"{_name} {detail}")

                    record, report = executor.run(
                        settings.storage.tenant, job.job_id, password=args.password, on_event=on_event
                    )
                    if report is None:
                        err = record.error
                        raise _JobFailed(err.code if err else "failed", err.message if err else "job failed")
                except (LongdocError, _JobFailed) as exc:
                    from pipeline.report.markdown import printable

                    failed += 1
                    code, msg = (exc.code, exc.message)
                    results.append({"file": str(path), "ok": False, "error": {"code": code, "message": msg}})
                    if not args.json:
                        print(printable(f"{path}: error[{code}] {msg}"), file=sys.stderr)
                else:
                    # Imported once there is a report: not before the first file's model requests.
                    from pipeline.report.markdown import (
                        printable,
                        report_stems,
                        write_memo,
                        write_report_files,
                    )

                    # Two files with one name (a/contract.pdf, b/contract.pdf) must not share a report.
                    stems = stems or report_stems([Path(n) for n in args.files])
                    stem = stems[i]
                    json_path, md_path = write_report_files(out_dir, path, report, stem=stem)
                    results.append({"file": str(path), "ok": True, "job_id": job.job_id, "report_json": str(json_path),
                                    "report_md": str(md_path), "summary": report.summary.model_dump()})  # fmt: skip
                    if args.memo:
                        from pipeline.report.docx import render_docx

                        results[-1]["report_docx"] = str(write_memo(out_dir, stem, render_docx(report)))
                    if getattr(args, "grid", False):
                        grid = local_grid(path.name, job.job_id, report, store, settings)
                        results[-1]["review_xlsx"] = str(write_grid(out_dir, stem, grid))
                    if not args.json:
                        print(printable(f"{path}: report {md_path} (json: {json_path})"))
                        print("\n".join(_summary_lines(report)))
                progress.file_done()
    finally:
        telemetry.release()
        resume_gc()
        executor.close()
        shadow = getattr(getattr(executor, "ctx", None), "shadow", None)
        if shadow is not None:  # reports are written; the process waits for its shadow calls
            shadow.drain()
    if args.json:
        sys.stdout.write(json.dumps(results, indent=1) + "\n")
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.cli.evaluation import evaluate, format_scores, in_sample, load_folder
    from pipeline.report.markdown import printable

    folder = Path(args.folder)
    if not (folder / "labels.jsonl").is_file() or not (folder / "contracts").is_dir():
        print(
            printable(
                f"error[config] {folder} is not a CUAD-format folder (needs labels.jsonl and contracts/)"
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    contracts = load_folder(folder)
    if args.limit:
        contracts = contracts[: args.limit]
    with FileProgress(len(contracts)) as progress:
        scores, docs_per_s, failures = evaluate(
            contracts, processes=args.processes, on_done=lambda _i: progress.file_done(), model=args.model
        )
    for f in failures:
        print(printable(f"failed: {f}"), file=sys.stderr)
    seen = in_sample(contracts)
    print("\n".join(format_scores(scores, docs_per_s, in_sample=seen, total=len(contracts))))
    return EXIT_SOME_FAILED if failures else EXIT_OK


class _JobFailed(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message
