"""The ``longdoc`` command line.

Start-up imports only argparse-level modules: each command imports what it needs inside its
handler, so ``longdoc --help`` stays fast and a command whose extra is not installed fails
with one line (``pipeline.cli.common.run_command``) while the others keep working.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pipeline.cli.audit import add_commands as add_audit_commands
from pipeline.cli.common import (
    EXIT_OK,
    EXIT_SOME_FAILED,
    EXIT_USAGE,
    add_data_policy,
    pause_gc,
    require,
    require_backends,
    resume_gc,
    run_command,
)
from pipeline.cli.llm import add_commands as add_llm_commands
from pipeline.cli.regression import add_commands as add_regression_commands
from pipeline.cli.retention import add_commands as add_retention_commands
from pipeline.cli.service import add_commands as add_service_commands
from pipeline.cli.shadow import add_analyze_options as add_shadow_options
from pipeline.cli.shadow import add_commands as add_shadow_commands
from pipeline.cli.shadow import apply_analyze_options as apply_shadow_options

if TYPE_CHECKING:
    from pipeline.cli.documents import ClosingExecutor
    from pipeline.config import Settings
    from storage.base import ObjectStore


def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.cli.documents import cmd_plan as run

    return run(args, settings)


def cmd_extract(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.cli.extract import cmd_extract as run

    return run(args, settings)


def cmd_analyze(args: argparse.Namespace, settings: Settings) -> int:
    shadowed = apply_shadow_options(args, settings)
    if isinstance(shadowed, str):
        print(shadowed, file=sys.stderr)
        return EXIT_USAGE
    settings = shadowed
    if settings.api.url:  # a longdoc service does the work; this command only submits and waits
        if args.shadow is not None or args.shadow_share is not None:
            print("error: --shadow is the service's setting (LONGDOC_SHADOW_* where it runs), "
                  "not sent with each job to LONGDOC_API_URL", file=sys.stderr)  # fmt: skip
            return EXIT_USAGE
        if args.playbook:
            print(
                "error: --playbook is not sent with each job to a longdoc service (LONGDOC_API_URL); "
                "set the tenant's playbook once with PUT /v1/playbook",
                file=sys.stderr,
            )
            return EXIT_USAGE
        require("service", "httpx2", feature="with LONGDOC_API_URL")
        resume_gc()  # a client waiting on a service: nothing to hurry
        from pipeline.cli.client import analyze_files

        return analyze_files(args, settings)
    import threading

    # The tokenizer (o200k ranks parsed, tiktoken's CoreBPE built) is ready by the time the
    # text is read, so the document's tokens are computed beside the section search
    # (pipeline.jobs.planning.TokenizingAhead) instead of after it.
    threading.Thread(target=_warm_tokenizer, daemon=True, name="warm-tokenizer").start()
    if args.model != "rules":  # every other model is called through the OpenAI SDK
        require("llm", "openai", feature=f"--model {args.model}")
        # Its import is the longest step before a first model request: start it now, beside
        # the imports, reading and tokenizing below (the registry waits for it, not redoes it).
        from importlib import import_module

        threading.Thread(target=import_module, args=("openai",), daemon=True, name="import-openai").start()
    require_backends(settings)
    from pipeline.cli.documents import cmd_analyze as run

    return run(args, settings)


def _warm_tokenizer() -> None:
    from chunking.tokenizer import encoding

    encoding()


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.cli.documents import cmd_eval as run

    return run(args, settings)


def make_executor(settings: Settings, store: ObjectStore) -> ClosingExecutor:
    """``LONGDOC_EXECUTOR``: ``local`` (threads in this process) or ``celery`` (workers via Redis)."""
    from pipeline.cli.documents import make_executor as make

    return make(settings, store)


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """A Celery worker on every queue: prefork, one process per CPU, fair scheduling."""
    import os

    require("distributed", "celery", "kombu", "redis")
    require_backends(settings)
    from workers.celery_app import QUEUES, make_worker_app

    app = make_worker_app(settings)
    concurrency = args.concurrency or os.cpu_count() or 1
    argv = ["worker", f"--pool={args.pool}", f"--concurrency={concurrency}", "-Ofair",
            f"--queues={args.queues or ','.join(QUEUES)}", f"--loglevel={args.loglevel}"]  # fmt: skip
    if args.hostname:
        argv.append(f"--hostname={args.hostname}")
    app.worker_main(argv)
    return EXIT_OK


class _Help(argparse.ArgumentDefaultsHelpFormatter):
    """Shows each option's default, unless its help names one already or there is none to show."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "default" in text or action.default in (None, False, "", argparse.SUPPRESS) or not text:
            return action.help
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    # Subcommand parsers are made with type(parent): every level gets the same help format.
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)


class _Version(argparse.Action):
    """``--version``: the installed distribution's version, looked up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import version

        print(f"longdoc {version('longdoc')}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="longdoc", description="Long contracts and papers in, cited reports out.")
    parser.add_argument("--version", action=_Version)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("plan", help="extract, tokenize and segment documents; print the segment table")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    p.add_argument("--password", help="password for encrypted PDFs")
    p.set_defaults(func=cmd_plan)

    x = sub.add_parser("extract", help="print the text exactly as analyzed, page by page (or --json)")
    x.add_argument("files", nargs="+", metavar="FILE")
    x.add_argument(
        "--json", action="store_true", help="pages (with their source), sections, warnings and the text"
    )
    x.add_argument("--password", help="password for encrypted PDFs")
    x.set_defaults(func=cmd_extract)

    a = sub.add_parser("analyze", help="analyze documents and write cited reports (JSON + Markdown)")
    a.add_argument("files", nargs="+", metavar="FILE")
    a.add_argument("--out", default="longdoc-out", help="folder for the reports (default: ./longdoc-out)")
    a.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    a.add_argument("--password", help="password for encrypted PDFs")
    a.add_argument(
        "--memo",
        action="store_true",
        help="also write the report as a Word memo (<name>.report.docx; needs the service extra)",
    )
    a.add_argument(
        "--grid",
        action="store_true",
        help="also write the review grid (<name>.review.xlsx; needs the service extra); its links "
        "open the web viewer at LONGDOC_API_URL, else at http://127.0.0.1:8000 (`longdoc serve`)",
    )
    a.add_argument(
        "--model", default="rules", help="'rules' (offline, default), 'auto' (router), or a catalog id"
    )
    a.add_argument(
        "--profile",
        choices=["batch", "interactive"],
        default="batch",
        help="interactive: with a short --latency-target the router picks the fastest model",
    )
    a.add_argument(
        "--budget", type=float, default=None, metavar="USD", help="refuse or downgrade above this cost"
    )
    a.add_argument(
        "--error-cost", type=float, default=0.0, metavar="USD", help="what a missed clause would cost"
    )
    a.add_argument(
        "--latency-target", type=float, default=None, metavar="S", help="per-segment latency target"
    )
    a.add_argument(
        "--playbook",
        default=None,
        metavar="FILE",
        help="review playbook (YAML; default: the shipped pipeline/data/playbook.yaml)",
    )
    add_data_policy(a)
    add_shadow_options(a)
    a.set_defaults(func=cmd_analyze, resumes_gc=True)

    w = sub.add_parser("worker", help="run a Celery worker (LONGDOC_REDIS_URL, shared storage)")
    w.add_argument("--concurrency", type=int, default=0, help="worker processes (default: CPU count)")
    w.add_argument(
        "--queues", default="", help="comma-separated (default: ingest,analyze,consolidate,shadow)"
    )
    w.add_argument("--pool", default="prefork", help="Celery pool (default: prefork)")
    w.add_argument("--loglevel", default="INFO")
    w.add_argument("--hostname", default="", help="node name (default: celery@HOST)")
    w.set_defaults(func=cmd_worker)

    add_llm_commands(sub)
    add_service_commands(sub)
    add_audit_commands(sub)
    add_retention_commands(sub)
    add_shadow_commands(sub)
    add_regression_commands(sub)

    e = sub.add_parser("eval", help="evaluate against labelled data")
    esub = e.add_subparsers(dest="dataset", required=True)
    ec = esub.add_parser("cuad", help="presence P/R/F1 per CUAD category over a CUAD-format folder")
    ec.add_argument("folder", metavar="DIR")
    ec.add_argument("--processes", type=int, default=None, help="worker processes (default: CPU count)")
    ec.add_argument("--limit", type=int, default=0, help="only the first N contracts")
    ec.add_argument("--model", default="rules", help="the job option every contract runs with: rules "
                    "(default), auto or a catalog id (an LLM needs its key/base URL configured)")  # fmt: skip
    ec.set_defaults(func=cmd_eval)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    pause_gc()  # until the command's work is under way (pipeline.cli.common)
    try:
        return run_command(build_parser().parse_args(argv))
    except BrokenPipeError:
        # The reader left (`longdoc analyze … | head`): no traceback. Point stdout at /dev/null so
        # the interpreter's own flush at exit does not fail again (Python's documented recipe).
        import os
        import sys

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_SOME_FAILED
    finally:
        resume_gc()


if __name__ == "__main__":
    raise SystemExit(main())
