"""The ``longdoc`` command line."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.table import Table

from pipeline.errors import LongdocError, Unreadable
from pipeline.ingest import ingest
from pipeline.planning import PlannedDocument, plan_document
from pipeline.progress import FileProgress
from pipeline.settings import Settings

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2


def read_file(path: Path, settings: Settings) -> bytes:
    """File bytes, refusing oversized files before reading them into memory."""
    try:
        size = path.stat().st_size
        if size > settings.max_document_bytes:
            from pipeline.errors import TooLarge

            raise TooLarge(f"{size:,} bytes is over the limit of {settings.max_document_bytes:,} bytes")
        return path.read_bytes()
    except FileNotFoundError:
        raise Unreadable("no such file") from None
    except IsADirectoryError:
        raise Unreadable("is a directory") from None
    except PermissionError:
        raise Unreadable("permission denied") from None


def plan_file(path: Path, settings: Settings, password: str | None, progress: FileProgress) -> PlannedDocument:
    progress.stage("read", path.name)
    try:
        data = read_file(path, settings)
        progress.stage("extract", path.name)
        extracted = ingest(data, name=path.name, password=password, settings=settings)
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
    ex, plan = planned.extracted, planned.plan
    console.print(
        f"[bold]{path}[/bold]  {ex.page_count} pages · {plan.total_tokens:,} tokens · "
        f"{len(planned.sections)} sections · {len(plan.segments)} segment(s)  ({ex.backend})"
    )
    for w in ex.warnings:
        pages = f" (pages {', '.join(map(str, w.pages))})" if w.pages else ""
        console.print(f"  warning[{w.code}] {w.message}{pages}")
    table = Table(box=None, pad_edge=False)
    for col, justify in (("#", "right"), ("tokens", "right"), ("pages", "left"), ("sections", "left"), ("cut", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for s in plan.segments:
        pages = f"{s.page_first}" if s.page_first == s.page_last else f"{s.page_first}-{s.page_last}"
        table.add_row(
            str(s.index), f"{s.tokens:,}", pages, f"{s.first_section or '—'} → {s.last_section or '—'}", s.cut
        )
    console.print(table)


def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
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
                    err.print(exc.one_line(), markup=False)
            else:
                results.append(plan_summary(path, planned))
                if not args.json:
                    _print_plan(out, path, planned)
            progress.file_done()
    if args.json:
        sys.stdout.write(json.dumps(results, indent=1) + "\n")
    return EXIT_SOME_FAILED if failed else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="longdoc", description="Long contracts and papers in, cited reports out.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("plan", help="extract, tokenize and segment documents; print the segment table")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--password", help="password for encrypted PDFs")
    p.set_defaults(func=cmd_plan)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except Exception as exc:  # pydantic ValidationError from bad LONGDOC_* values
        print(f"error[config] invalid LONGDOC_* setting: {exc}", file=sys.stderr)
        return EXIT_USAGE
    code: int = args.func(args, settings)
    return code


if __name__ == "__main__":
    raise SystemExit(main())
