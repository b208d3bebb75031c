"""``longdoc decisions export OUT [--tenant T] [--job ID…]``: reviewers' corrections as a CUAD set.

An operator command on the configured storage (like ``longdoc purge``): every reported job of the
tenant with reviewers' decisions becomes one labelled document (``pipeline.jobs.regression``),
written as a CUAD-format folder — ``contracts/<job id>.txt`` (the extracted text) and
``labels.jsonl`` — that ``longdoc eval cuad OUT [--model M]`` scores any model on, and
``bench/train_cuad.py --extra OUT`` adds to the offline model's training data.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cli.common import EXIT_OK, EXIT_USAGE, operator_store

if TYPE_CHECKING:
    from pipeline.config import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    d = sub.add_parser("decisions", help="reviewers' decisions on the configured storage")
    dsub = d.add_subparsers(dest="action", required=True)
    e = dsub.add_parser("export", help="write the decided review items as a CUAD-format labelled set")
    e.add_argument("out", metavar="OUT", help="folder to write (contracts/ and labels.jsonl; replaced)")
    e.add_argument("--tenant", default=None, help="the tenant (default: LONGDOC_TENANT)")
    e.add_argument("--job", action="append", default=None, metavar="ID", help="only these jobs (repeatable)")
    e.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.jobs.regression import export
    from storage import keys

    try:
        tenant = keys.check_part(args.tenant or settings.storage.tenant, "tenant")
    except ValueError as exc:
        print(f"longdoc decisions export: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    docs = export(operator_store(settings), tenant, args.job)
    out = Path(args.out)
    (out / "contracts").mkdir(parents=True, exist_ok=True)
    for old in (out / "contracts").glob("*.txt"):  # a re-export replaces the set, never mixes two
        old.unlink()
    for doc in docs:
        (out / "contracts" / f"{doc.slug}.txt").write_text(doc.text, encoding="utf-8")
    lines = [json.dumps(doc.row(), ensure_ascii=False) for doc in docs]
    (out / "labels.jsonl").write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    labelled = sum(len(doc.scored) for doc in docs)
    present = sum(len(doc.answers) for doc in docs)
    print(f"{len(docs)} document(s), {labelled} labelled categories ({present} present, "
          f"{labelled - present} absent) from tenant {tenant}'s decisions -> {out}")  # fmt: skip
    return EXIT_OK
