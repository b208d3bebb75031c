"""``longdoc audit export``: the tenant's access log from a longdoc server, as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.cli.common import EXIT_OK, EXIT_USAGE, require

if TYPE_CHECKING:
    from pipeline.config import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    a = sub.add_parser("audit", help="the access log: who read what (LONGDOC_API_URL, LONGDOC_API_KEY)")
    asub = a.add_subparsers(dest="action", required=True)
    e = asub.add_parser("export", help="print the tenant's access-log lines as JSON lines")
    e.add_argument("--since", default=None, metavar="ISO", help="lines at or after this time (default: 24 h)")
    e.add_argument("--out", type=Path, default=None, help="write to FILE instead of stdout")
    e.set_defaults(func=cmd_audit_export)


def cmd_audit_export(args: argparse.Namespace, settings: Settings) -> int:
    require("service", "httpx2", feature="longdoc audit")
    from pipeline.cli.client import Client
    from pipeline.errors import LongdocError

    try:
        with Client.from_settings(settings) as client:
            events = client.audit(args.since)
    except LongdocError as exc:
        print(exc.one_line(), file=sys.stderr)
        return EXIT_USAGE
    lines = "".join(json.dumps(e, sort_keys=True) + "\n" for e in events)
    if args.out is None:
        sys.stdout.write(lines)
    else:
        args.out.write_text(lines, encoding="utf-8")
        print(f"{len(events)} access-log line(s) written to {args.out}", file=sys.stderr)
    return EXIT_OK
