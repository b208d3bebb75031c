"""``longdoc extract FILE``: the text exactly as the analyzers see it (issue 17).

Plain output is the extracted text page by page, each page after one marker line
(``──── page N · source · chars a–b ────``) so that every character offset a report cites can
be found by counting from the page's start. ``--json`` gives the same text with the pages (and
their source, ``text_layer`` or ``ocr``), the section tree with its numbering labels, the kind
and the extraction warnings.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from chunking.structure import find_sections
from pipeline.analyze.kind import detect_kind
from pipeline.cli.common import EXIT_OK, EXIT_SOME_FAILED, read_file
from pipeline.config import Settings
from pipeline.errors import LongdocError
from pipeline.ingest import ingest
from pipeline.report.markdown import printable
from pipeline.types import ExtractedText


def extract_file(path: Path, settings: Settings, password: str | None) -> ExtractedText:
    try:
        return ingest(read_file(path, settings), name=path.name, password=password, limits=settings.limits)
    except LongdocError as exc:
        raise exc.with_document(str(path)) from None


def as_json(path: Path, extracted: ExtractedText) -> dict[str, Any]:
    sections = find_sections(extracted.text)
    return {
        "file": str(path),
        "media_type": extracted.media_type,
        "backend": extracted.backend,
        "kind": detect_kind(extracted.text),
        "chars": len(extracted.text),
        "pages": [
            {"number": p.number, "start": p.start, "end": p.end, "source": p.source} for p in extracted.pages
        ],
        "sections": [s.model_dump() for s in sections],
        "warnings": [w.model_dump() for w in extracted.warnings],
        "text": extracted.text,
    }


def as_text(extracted: ExtractedText) -> str:
    out: list[str] = []
    for p in extracted.pages:
        out.append(f"──── page {p.number} · {p.source} · chars {p.start}–{p.end} ────\n")
        out.append(extracted.text[p.start : p.end])
        if not out[-1].endswith("\n"):
            out.append("\n")
    return "".join(out)


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    failed = 0
    results: list[dict[str, Any]] = []
    for name in args.files:
        path = Path(name)
        try:
            extracted = extract_file(path, settings, args.password)
        except LongdocError as exc:
            failed += 1
            if args.json:
                results.append({"file": str(path), "ok": False, "error": exc.to_dict()})
            else:
                print(printable(exc.one_line()), file=sys.stderr)
            continue
        if args.json:
            results.append({"ok": True, **as_json(path, extracted)})
        else:
            if len(args.files) > 1:
                sys.stdout.write(f"════ {printable(str(path))} ════\n")
            sys.stdout.write(as_text(extracted))
            for w in extracted.warnings:
                print(f"warning[{w.code}] {path}: {w.message}", file=sys.stderr)
    if args.json:
        sys.stdout.write(
            json.dumps(results[0] if len(results) == 1 else results, ensure_ascii=False, indent=1) + "\n"
        )
    return EXIT_SOME_FAILED if failed else EXIT_OK
