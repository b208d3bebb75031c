"""CLI commands of the service: ``longdoc serve`` and ``longdoc batch DIR|MANIFEST``.

``serve`` runs the HTTP API and web page with uvicorn, in one process (there is no
``--workers``). It needs API keys (``LONGDOC_API_KEYS`` / ``LONGDOC_API_KEYS_FILE``); ``--dev``
instead makes one key and one webhook secret for ``LONGDOC_TENANT`` and prints them once (not
for shared machines). With the local executor and local storage it holds an OS lock on the
storage dir while it runs: a second such server on the same dir exits at once (exit 2) telling
the user that several API processes need the Celery executor.

``batch`` analyzes every file of a folder (or listed in a manifest) and writes the summary
table (CSV and XLSX). It runs jobs in this process (local executor), or through a server when
``LONGDOC_API_URL`` is set. Re-running it resumes: the batch record in storage is keyed by the
folder/manifest, and a file whose bytes (sha256) already have a finished job is not redone.

Both need the ``service`` extra, checked before any work starts; this module imports nothing
heavy at load time because ``pipeline.cli.main`` imports it to build its parser.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cli.common import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    add_data_policy,
    data_policy,
    require,
    require_backends,
    run_command,
)
from pipeline.errors import ERROR_CODES, LongdocError, TooLarge, Unreadable

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.jobs.store import JobOptions
    from pipeline.report.grid import GridRow
    from pipeline.report.tables import TableRow
    from storage.base import ObjectStore

# A failed job is redone on a re-run unless the failure is the document's own (same bytes, same error).
_INPUT_CODES = {
    "unsupported_media_type",
    "too_large",
    "empty_document",
    "unreadable",
    "encrypted",
    "no_text_layer",
}
assert set(ERROR_CODES) >= _INPUT_CODES
LOCAL_VIEWER = "http://127.0.0.1:8000"  # `longdoc serve`'s default address


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    s = sub.add_parser("serve", help="run the HTTP API and web page (uvicorn)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--dev", action="store_true", help="no keys configured: make one dev key and print it")
    s.add_argument("--log-level", default="info")
    s.add_argument("--no-access-log", action="store_true", help="skip per-request log lines")
    s.set_defaults(func=cmd_serve)

    b = sub.add_parser("batch", help="analyze a folder or manifest of documents; write a CSV/XLSX summary")
    b.add_argument("source", metavar="DIR|MANIFEST", help="a folder, or a .json/.txt list of file paths")
    b.add_argument("--out", default="longdoc-out", help="folder for the table (default: ./longdoc-out)")
    b.add_argument("--model", default="rules", help="'rules' (default), 'auto', or a catalog id")
    b.add_argument(
        "--profile",
        choices=["batch", "interactive"],
        default="batch",
        help="interactive: with a short latency target the router picks the fastest model",
    )
    b.add_argument("--budget", type=float, default=None, metavar="USD",
                   help="one pool for the batch, allocated by document size; segments it cannot pay run on rules")  # fmt: skip
    add_data_policy(b)
    b.add_argument(
        "--jobs", type=int, default=0, help="documents analyzed at once (default: LONGDOC_WORKERS)"
    )
    b.add_argument("--json", action="store_true", help="print the batch resource as JSON")
    b.add_argument("--viewer-url", default=None, metavar="URL",
                   help="where the review grid's links open the web viewer (default: LONGDOC_API_URL when "
                   f"set, else {LOCAL_VIEWER}, the address of `longdoc serve`)")  # fmt: skip
    b.set_defaults(func=cmd_batch)

    j = sub.add_parser("jobs", help="jobs on a longdoc server (LONGDOC_API_URL, LONGDOC_API_KEY)")
    jsub = j.add_subparsers(dest="action", required=True)
    d = jsub.add_parser(
        "delete", help="erase jobs: document, results, reports, cached answers (a tombstone stays)"
    )
    d.add_argument("ids", nargs="+", metavar="ID")
    d.set_defaults(func=cmd_jobs_delete)


def cmd_jobs_delete(args: argparse.Namespace, settings: Settings) -> int:
    """``longdoc jobs delete ID…``: one line per job; exit 1 when any could not be erased."""
    require("service", "httpx2", feature="longdoc jobs")
    from pipeline.cli.client import Client

    failed = False
    try:
        client = Client.from_settings(settings)
    except LongdocError as exc:
        print(exc.one_line(), file=sys.stderr)
        return EXIT_USAGE
    with client:
        for job_id in args.ids:
            try:
                client.delete(job_id)
            except LongdocError as exc:
                failed = True
                print(f"{job_id}: error[{exc.code}] {exc.message}", file=sys.stderr)
                continue
            print(f"{job_id}: deleted")
    return EXIT_SOME_FAILED if failed else EXIT_OK


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    require("service", "fastapi", "fastapi_offline", "uvicorn", "httpx2", "openpyxl", "docx")
    require_backends(settings)
    import uvicorn

    from pipeline import telemetry
    from pipeline.api.app import build_state, create_app
    from pipeline.api.locks import hold_storage_dir
    from pipeline.api.tenants import KeyRing, dev_keys

    with contextlib.ExitStack() as held:
        try:
            # Before anything is printed or resumed; held while this process serves.
            storage_lock = hold_storage_dir(settings)
            if storage_lock is not None:
                held.enter_context(storage_lock)
            if settings.metrics.enabled:  # several processes, one /metrics view (README: Metrics)
                telemetry.configure(settings.metrics_dir(), wipe=storage_lock is not None)
            if args.dev and not len(KeyRing.from_settings(settings)):
                settings, key, secret = dev_keys(settings)
                print(f"longdoc serve --dev: tenant {settings.storage.tenant!r}\n  API key:        {key}\n"
                      f"  webhook secret: {secret}\n(shown once; set LONGDOC_API_KEYS for real use)", flush=True)  # fmt: skip
            state = build_state(settings)
        except LongdocError as exc:
            print(f"error[{exc.code}] {exc.message}", file=sys.stderr)
            return EXIT_USAGE
        print(
            f"longdoc API on http://{args.host}:{args.port}/  (executor: {settings.execution.executor}, docs: /docs)",
            flush=True,
        )
        uvicorn.run(create_app(state=state), host=args.host, port=args.port, log_level=args.log_level,
                    access_log=not args.no_access_log)  # fmt: skip
    return EXIT_OK


def collect(source: Path) -> list[Path]:
    """The files of a folder (sorted, hidden ones skipped) or those a manifest lists."""
    if source.is_dir():
        return sorted(
            p
            for p in source.rglob("*")
            if p.is_file() and not any(x.startswith(".") for x in p.relative_to(source).parts)
        )
    text = source.read_text(encoding="utf-8")
    base = source.parent
    if source.suffix.lower() == ".json":
        raw = json.loads(text)
        items = raw.get("documents", []) if isinstance(raw, dict) else raw
        paths = [str(i["path"]) if isinstance(i, dict) else str(i) for i in items]
    else:
        paths = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    return [(base / p) if not Path(p).is_absolute() else Path(p) for p in paths]


def entry_name(source: Path, path: Path) -> str:
    """A document's name in the batch (table rows, job names): its path below the folder
    (``a/contract.pdf``; two ``contract.pdf`` in different subfolders stay two names), or for a
    manifest the path as listed. It depends on nothing else in the batch, so it is the same on
    every run; re-runs find finished documents by their sha256, not by name."""
    base = source if source.is_dir() else source.parent
    try:
        return path.relative_to(base).as_posix()
    except ValueError:  # an absolute path in a manifest
        return str(path)


def batch_id_for(source: Path) -> str:
    kind = "dir" if source.is_dir() else "manifest"
    return "cli-" + hashlib.sha256(f"{kind}:{source.resolve()}".encode()).hexdigest()[:24]


def cmd_batch(args: argparse.Namespace, settings: Settings) -> int:
    """Analyze a folder or manifest; exit 1 when any document did not succeed."""
    # Local batches run on the API's job and batch services; both write the XLSX table.
    require("service", "fastapi", "openpyxl", *(["httpx2"] if settings.api.url else []))
    if not settings.api.url:
        if args.model != "rules":
            require("llm", "openai", feature=f"--model {args.model}")
        require_backends(settings)
    from pipeline.jobs.store import JobOptions
    from pipeline.report.markdown import printable

    source = Path(args.source)
    try:
        paths = collect(source)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(printable(f"error[unreadable] {source}: {exc}"), file=sys.stderr)
        return EXIT_USAGE
    if not paths:
        print(printable(f"error[empty] {source}: no files"), file=sys.stderr)
        return EXIT_USAGE
    options = JobOptions(model=args.model, profile=args.profile, **data_policy(args))
    if settings.api.url:
        return _run_remote(args, settings, source, paths, options)
    return _run_local(args, settings, source, paths, options)


def _run_local(
    args: argparse.Namespace, settings: Settings, source: Path, paths: list[Path], options: JobOptions
) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.api.batches import BatchInput, BatchService
    from pipeline.api.service import JobService
    from pipeline.api.uploads import inspect_file, store_document
    from pipeline.jobs.store import TERMINAL
    from storage import open_store

    api = settings.api.model_copy(update={"job_workers": args.jobs or settings.execution.workers})
    settings = settings.model_copy(update={"api": api})
    store = open_store(settings.storage)
    jobs = JobService(settings, store)
    batches = BatchService(jobs)
    tenant, batch_id = settings.storage.tenant, batch_id_for(source)
    try:
        reuse = _finished_jobs(batches, tenant, batch_id)
        docs: list[BatchInput] = []
        for p in paths:
            name = entry_name(source, p)
            try:
                if p.stat().st_size > settings.limits.max_document_bytes:
                    raise TooLarge(
                        f"{p.stat().st_size:,} bytes is over the limit of {settings.limits.max_document_bytes:,} bytes"
                    )
                with p.open("rb") as fh:
                    info = inspect_file(fh, settings.limits.max_document_bytes)
                    key = None if info.sha256 in reuse else store_document(store, tenant, fh, info)
                docs.append(BatchInput(name=name, info=info, document_key=key))
            except LongdocError as exc:
                docs.append(BatchInput(name=name, error=exc))
            except OSError as exc:
                docs.append(BatchInput(name=name, error=Unreadable(str(exc))))
        record = batches.create(tenant, docs, options, budget_usd=args.budget, batch_id=batch_id,
                                source=str(source.resolve()), reuse=reuse)  # fmt: skip
        skipped = sum(1 for e in record.entries if e.job_id in reuse.values() and e.duplicate_of is None)
        with Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      transient=False, disable=not sys.stderr.isatty()) as bar:  # fmt: skip
            task = bar.add_task(f"batch ({skipped} already done)", total=len(record.entries))
            while True:
                entries = batches.entries(tenant, record)
                done = sum(1 for e in entries if e.status in TERMINAL)
                bar.update(task, completed=done)
                if done == len(entries):
                    break
                time.sleep(0.2)
        res = batches.resource(tenant, record)
        rows = batches.rows(tenant, record)
        grid_rows = [_grid_row(r, e.job_id, store, tenant) for e, r in zip(record.entries, rows, strict=True)]
    finally:
        jobs.close()
    return _write_outputs(args, source, res.model_dump(mode="json"), rows, skipped, grid_rows, settings)


def _grid_row(row: TableRow, job_id: str | None, store: ObjectStore, tenant: str) -> GridRow:
    """The review grid's row for a table row, with the decisions recorded in local storage."""
    from pipeline.jobs import decisions
    from pipeline.report.grid import GridRow

    report = row.report
    if report is not None and job_id:
        report = decisions.with_decisions(report, decisions.current(store, tenant, job_id))
    return GridRow(row.name, job_id, row.status, row.error_code, report)


def _run_remote(
    args: argparse.Namespace, settings: Settings, source: Path, paths: list[Path], options: JobOptions
) -> int:
    from pipeline.jobs.store import REPORTED

    """Through a server: one job per file, each with an Idempotency-Key made of the batch and
    the file's sha256, so a re-run gets the earlier jobs back instead of redoing them."""
    from collections import Counter
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from pipeline.api.batches import batch_status
    from pipeline.api.idempotency import fingerprint
    from pipeline.cli.client import Client
    from pipeline.report.grid import GridRow
    from pipeline.report.tables import TableRow

    batch_id = batch_id_for(source)
    sizes = {p: (p.stat().st_size if p.is_file() else 0) for p in paths}
    total = sum(sizes.values()) or 1

    def one(client: Client, p: Path) -> tuple[TableRow, str | None]:
        name = entry_name(source, p)
        try:
            sha = hashlib.sha256(p.read_bytes()).hexdigest()
            opts = options.model_dump(mode="json", exclude_none=True)
            if args.budget is not None:
                opts["budget_usd"] = round(args.budget * sizes[p] / total, 6) or 1e-6
            key = f"{batch_id}:{sha}:{fingerprint(opts)[:16]}"
            job = client.wait(client.submit(p, opts, idempotency_key=key).id)
            report = client.report(job.id) if job.status in REPORTED else None
            row = TableRow(name, job.status, job.error.code if job.error else "", job.cost.actual_usd, report)
            return row, job.id
        except LongdocError as exc:
            return TableRow(name, "failed", exc.code, 0.0, None), None
        except OSError:
            return TableRow(name, "failed", "unreadable", 0.0, None), None

    rows: dict[Path, tuple[TableRow, str | None]] = {}
    with Client.from_settings(settings) as client, ThreadPoolExecutor(max_workers=args.jobs or 4) as pool, \
            Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                     disable=not sys.stderr.isatty()) as bar:  # fmt: skip
        task = bar.add_task(f"batch via {settings.api.url}", total=len(paths))
        futures = {pool.submit(one, client, p): p for p in paths}
        for fut in as_completed(futures):
            rows[futures[fut]] = fut.result()
            bar.advance(task)
    ordered = [rows[p][0] for p in paths]
    # The server's report carries no decisions; the grid links to its viewer, which shows them.
    grid_rows = [
        GridRow(r.name, rows[p][1], r.status, r.error_code, r.report)
        for p, r in zip(paths, ordered, strict=True)
    ]
    counts = Counter(r.status for r in ordered)
    resource = {"id": batch_id, "status": batch_status(counts), "counts": dict(counts), "total": len(ordered)}
    return _write_outputs(args, source, resource, ordered, 0, grid_rows, settings)


def _finished_jobs(batches: object, tenant: str, batch_id: str) -> dict[str, str]:
    from pipeline.jobs.store import REPORTED

    """sha256 → job id of documents an earlier run of this batch finished for good."""
    from pipeline.api.batches import BatchService
    from pipeline.api.problems import ProblemError

    assert isinstance(batches, BatchService)
    try:
        previous = batches.load(tenant, batch_id)
    except ProblemError:
        return {}
    out: dict[str, str] = {}
    for e in batches.entries(tenant, previous):
        if (
            e.sha256
            and e.job_id
            and (e.status in REPORTED or (e.status == "failed" and e.error and e.error.code in _INPUT_CODES))
        ):
            out[e.sha256] = e.job_id
    return out


def _write_outputs(args: argparse.Namespace, source: Path, resource: dict[str, object], table_rows: list[TableRow],
                   skipped: int, grid_rows: list[GridRow], settings: Settings) -> int:  # fmt: skip
    from pipeline.report import grid, literature
    from pipeline.report.markdown import printable
    from pipeline.report.tables import to_csv, to_xlsx

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    stem = (source.name if source.is_dir() else source.stem) or "batch"
    csv_path, xlsx_path = out / f"{stem}.table.csv", out / f"{stem}.table.xlsx"
    csv_path.write_bytes(to_csv(table_rows))
    xlsx_path.write_bytes(to_xlsx(table_rows))
    # Namespaces built by hand (tests, other callers) may predate the option.
    viewer = getattr(args, "viewer_url", None) or settings.api.url or LOCAL_VIEWER
    review_csv, review_xlsx = out / f"{stem}.review.csv", out / f"{stem}.review.xlsx"
    review_csv.write_bytes(grid.to_csv(grid_rows, viewer))
    review_xlsx.write_bytes(grid.to_xlsx(grid_rows, viewer))
    # Papers (issue 18): one literature table beside the others; a batch of contracts gets none.
    lit_rows = [literature.LiteratureRow(g.name, g.job_id, g.status, g.report) for g in grid_rows]
    lit_paths: dict[str, str] = {}
    if literature.has_papers(lit_rows):
        lit_csv, lit_xlsx = out / f"{stem}.literature.csv", out / f"{stem}.literature.xlsx"
        lit_csv.write_bytes(literature.to_csv(lit_rows, viewer))
        lit_xlsx.write_bytes(literature.to_xlsx(lit_rows, viewer))
        lit_paths = {"literature_csv": str(lit_csv), "literature_xlsx": str(lit_xlsx)}
    counts = resource.get("counts", {})
    if args.json:
        sys.stdout.write(
            json.dumps(
                {
                    **resource,
                    "table_csv": str(csv_path),
                    "table_xlsx": str(xlsx_path),
                    "review_csv": str(review_csv),
                    "review_xlsx": str(review_xlsx),
                    **lit_paths,
                },
                indent=1,
            )  # fmt: skip
            + "\n"
        )
    else:
        print(
            f"batch {resource.get('id')}: {resource.get('status')} {json.dumps(counts)} ({skipped} reused from an earlier run)"
        )
        for r in table_rows:
            if r.error_code:
                print(f"  {printable(r.name)}: error[{r.error_code}]", file=sys.stderr)
        print(printable(f"table: {csv_path}  {xlsx_path}"))
        print(printable(f"review grid: {review_csv}  {review_xlsx}"))
        if lit_paths:
            print(
                printable(f"literature table: {lit_paths['literature_csv']}  {lit_paths['literature_xlsx']}")
            )
    from pipeline.jobs.store import REPORTED

    failed = any(r.status not in REPORTED for r in table_rows)
    return EXIT_SOME_FAILED if failed else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """``python -m pipeline.cli.service serve|batch ...`` (the same commands as ``longdoc``)."""
    parser = argparse.ArgumentParser(prog="longdoc")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return run_command(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
