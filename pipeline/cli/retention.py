"""``longdoc purge --older-than 30d [--tenant T] [--dry-run]``: retention run by hand.

An operator command on the configured storage (``LONGDOC_STORAGE``…), not through the API: it
erases the tenant's jobs created more than the given time ago, each with
``pipeline.jobs.erase.erase_job`` (a tombstone stays), and prints one line per job and a total.
``--dry-run`` prints the same lines and erases nothing. The configured ``LONGDOC_RETENTION_DAYS``
is enforced by the periodic sweep (``longdoc serve`` or Celery beat), not by this command.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from pipeline.cli.common import EXIT_OK, EXIT_USAGE, operator_store

if TYPE_CHECKING:
    from pipeline.config import Settings


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "purge", help="erase jobs older than a given age on the configured storage (tombstones stay)"
    )
    p.add_argument("--older-than", required=True, metavar="AGE", help="e.g. 30d, 12h, 90m")
    p.add_argument("--tenant", default=None, help="the tenant (default: LONGDOC_TENANT)")
    p.add_argument("--dry-run", action="store_true", help="list the jobs that would be erased; erase nothing")
    p.set_defaults(func=cmd_purge)


def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.jobs.retention import parse_duration, purge
    from storage import keys

    try:
        age = parse_duration(args.older_than)
        tenant = keys.check_part(args.tenant or settings.storage.tenant, "tenant")
    except ValueError as exc:
        print(f"longdoc purge: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    result = purge(operator_store(settings), tenant, age, dry_run=args.dry_run)
    verb = "would erase" if args.dry_run else "erased"
    for job in result.jobs:
        print(f"{verb} {tenant}/{job.job_id} (created {job.created_at}, {job.status})")
    total = "would be erased (dry run)" if args.dry_run else "erased"
    print(f"{result.count} job(s) of tenant {tenant} older than {args.older_than.strip()} {total}")
    return EXIT_OK
