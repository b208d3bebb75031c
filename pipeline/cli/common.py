"""Helpers the `longdoc` commands share (kept apart so command modules never import each other).

Import-light on purpose: `longdoc --help` loads this module, so it needs nothing beyond the
standard library and ``pipeline.errors``; everything else is imported where it is used.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.errors import Unreadable

if TYPE_CHECKING:
    from pipeline.config import Settings
    from storage.base import ObjectStore

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2

# Top-level import name -> the pyproject extra that installs it. Only these are "optional":
# a missing module not listed here is a broken install and keeps its traceback.
EXTRA_OF: dict[str, str] = {
    "fastapi": "service",
    "starlette": "service",
    "uvicorn": "service",
    "multipart": "service",
    "python_multipart": "service",
    "httpx2": "service",
    "openpyxl": "service",
    "docx": "service",
    "celery": "distributed",
    "kombu": "distributed",
    "redis": "distributed",
    "minio": "s3",
    "openai": "llm",
    "sklearn": "train",
    "scipy": "train",
    "joblib": "train",
}


class MissingExtra(Exception):
    """A command (or one of its options) needs an optional dependency that is not installed."""

    def __init__(self, extra: str, module: str, feature: str = "") -> None:
        super().__init__(f"{module} is not installed")
        self.extra, self.module, self.feature = extra, module, feature

    def hint(self, command: str) -> str:
        what = f"longdoc {command}" + (f" {self.feature}" if self.feature else "")
        return (f"{what} needs the {self.extra} extra ({self.module} is not installed): "
                f"pip install 'longdoc[{self.extra}]'")  # fmt: skip


def add_data_policy(parser: argparse.ArgumentParser) -> None:
    """The data-policy options of every command that starts jobs (analyze, batch)."""
    parser.add_argument("--providers", default="", help="comma-separated providers allowed (data policy)")
    parser.add_argument(
        "--self-hosted-only", action="store_true", help="only self-hosted models (data policy)"
    )


def data_policy(args: argparse.Namespace) -> dict[str, Any]:
    """``JobOptions`` fields from the options ``add_data_policy`` added."""
    providers: str = args.providers
    return {
        "self_hosted_only": args.self_hosted_only,
        "allowed_providers": providers.split(",") if providers else None,
    }


def installed(module: str) -> bool:
    """Whether ``module`` can be imported, found without importing it (cheap). A module set to
    ``None`` in ``sys.modules`` (how the tests simulate an uninstalled package) counts as missing."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken or half-removed install counts as missing
        return False


def require(extra: str, *modules: str, feature: str = "") -> None:
    """Fail before any work starts when ``extra`` is not installed."""
    for module in modules:
        if not installed(module):
            raise MissingExtra(extra, module, feature)


def require_backends(settings: Settings) -> None:
    """The extras the configured executor, storage and spend cap need (none for the defaults)."""
    if settings.execution.executor == "celery":
        require("distributed", "celery", "redis", feature="with LONGDOC_EXECUTOR=celery")
    if settings.storage.kind == "s3":
        require("s3", "minio", feature="with LONGDOC_STORAGE=s3")
    if settings.routing.daily_cap_usd is not None:  # the cap's ledger lives in Redis
        require("distributed", "redis", feature="with LONGDOC_DAILY_CAP_USD")


def operator_store(settings: Settings) -> ObjectStore:
    """The configured storage, opened by an operator command (``purge``, ``decisions export``)."""
    if settings.storage.kind == "s3":
        require("s3", "minio", feature="with LONGDOC_STORAGE=s3")
    from storage import open_store

    return open_store(settings.storage)


# Start-up allocates a few hundred thousand objects that live as long as the process (the SDK's
# and longdoc's modules, pydantic schemas): the cyclic GC scans them again and again, ~0.14 s of
# CPU (two full collections) before an analyze job's first model request. ``main`` turns it off
# for start-up; a command turns it back on once its work is under way (``analyze``: once its
# first requests are sent, or before reading a PDF or DOCX), and start-up's few cycles are
# collected from then on.
_gc_paused = False


def pause_gc() -> None:
    global _gc_paused
    if gc.isenabled():
        gc.disable()
        _gc_paused = True


def resume_gc() -> None:
    """The GC back on if ``pause_gc`` turned it off (idempotent)."""
    global _gc_paused
    if _gc_paused:
        _gc_paused = False
        gc.enable()


def run_command(args: argparse.Namespace) -> int:
    """Run a parsed command: settings first, then the handler; a missing extra is one line, exit 2."""
    from pipeline.config import Settings

    try:
        settings = Settings()
    except Exception as exc:  # pydantic ValidationError from bad LONGDOC_* values
        print(f"error[config] invalid LONGDOC_* setting: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not getattr(args, "resumes_gc", False):  # only `analyze` turns it on itself
        resume_gc()
    try:
        code: int = args.func(args, settings)
    except MissingExtra as exc:
        print(exc.hint(args.command), file=sys.stderr)
        return EXIT_USAGE
    except ModuleNotFoundError as exc:
        # The safety net behind ``require``: an optional module imported deeper than checked.
        top = (exc.name or "").split(".")[0]
        if top not in EXTRA_OF:
            raise
        print(MissingExtra(EXTRA_OF[top], top).hint(args.command), file=sys.stderr)
        return EXIT_USAGE
    return code


def read_file(path: Path, settings: Settings) -> bytes:
    """File bytes, refusing oversized files before reading them into memory."""
    try:
        size = path.stat().st_size
        if size > settings.limits.max_document_bytes:
            from pipeline.errors import TooLarge

            raise TooLarge(
                f"{size:,} bytes is over the limit of {settings.limits.max_document_bytes:,} bytes"
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise Unreadable("no such file") from None
    except IsADirectoryError:
        raise Unreadable("is a directory") from None
    except PermissionError:
        raise Unreadable("permission denied") from None
