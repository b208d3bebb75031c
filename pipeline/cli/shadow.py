"""``longdoc shadow report`` and the ``--shadow``/``--shadow-share`` options of ``analyze``."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from pipeline.cli.common import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.jobs.shadow import ShadowSummary


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    s = sub.add_parser("shadow", help="shadow evaluation of a candidate model (LONGDOC_SHADOW_*)")
    ssub = s.add_subparsers(dest="action", required=True)
    r = ssub.add_parser(
        "report",
        help="per CUAD category: the candidate's agreement with the primary model; its latency, "
        "cost per segment, invalid-output rate and shadow spend",
    )
    r.add_argument("--candidate", default=None, metavar="MODEL", help="default: every candidate stored")
    r.add_argument("--all", action="store_true", help="also list categories neither model found")
    r.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    r.set_defaults(func=cmd_shadow_report)


def add_analyze_options(a: argparse.ArgumentParser) -> None:
    a.add_argument(
        "--shadow",
        default=None,
        metavar="MODEL",
        help="also send a sample of segments to this candidate model in the background "
        "(never in the report; `longdoc shadow report`)",
    )
    a.add_argument(
        "--shadow-share", type=float, default=None, metavar="SHARE", help="share of segments sampled (0..1)"
    )


def apply_analyze_options(args: argparse.Namespace, settings: Settings) -> Settings | str:
    """``settings`` with the shadow options applied, or the usage error to print."""
    candidate = getattr(args, "shadow", None) or settings.shadow.candidate
    share = getattr(args, "shadow_share", None)
    if getattr(args, "shadow", None) is None and share is None:
        return settings
    if share is None:
        share = settings.shadow.share or 0.5
    if not 0.0 <= share <= 1.0:
        return f"error: --shadow-share must be between 0 and 1, not {share}"
    if not candidate:
        return "error: --shadow-share needs a candidate: --shadow MODEL (or LONGDOC_SHADOW_CANDIDATE)"
    from pipeline.errors import LongdocError
    from pipeline.routing.catalog import load_catalog

    try:
        catalog = load_catalog(settings.routing.catalog_path, overrides=settings.routing.catalog_overrides)
        spec = catalog.get(candidate)
    except LongdocError as exc:
        return exc.one_line()
    if spec.is_builtin:
        return f"error: --shadow {candidate}: the candidate must be an LLM of the catalog"
    shadow = settings.shadow.model_copy(update={"candidate": candidate, "share": share})
    return settings.model_copy(update={"shadow": shadow})


def cmd_shadow_report(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.jobs.shadow import load_records, summarize
    from storage import open_store

    store = open_store(settings.storage)
    tenant = settings.storage.tenant
    try:
        records = load_records(store, tenant, args.candidate)
    except ValueError as exc:  # a candidate name that cannot be a storage key part
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    candidates = sorted({str(r["candidate"]) for r in records})
    if not candidates:
        who = f" for {args.candidate}" if args.candidate else ""
        print(f"no shadow results{who} for tenant {tenant} (run jobs with --shadow MODEL)", file=sys.stderr)
        return EXIT_OK
    summaries = [summarize(records, c) for c in candidates]
    if args.json:
        sys.stdout.write(json.dumps([_as_dict(s, settings) for s in summaries], indent=1) + "\n")
        return EXIT_OK
    for s in summaries:
        _print(s, settings, show_all=args.all)
    return EXIT_OK


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.1f}%"


def _secs(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f} s"


def _as_dict(s: ShadowSummary, settings: Settings) -> dict[str, object]:
    return {
        "candidate": s.candidate,
        "primary_models": s.primary_models,
        "sampled": s.sampled,
        "ok": s.ok,
        "invalid": s.invalid,
        "errors": s.errors,
        "invalid_rate": s.invalid_rate,
        "first_try_invalid_rate": s.first_try_invalid_rate,
        "latency_p50_s": s.latency_p50_s,
        "latency_p95_s": s.latency_p95_s,
        "usd_per_segment": s.usd_per_segment,
        "usd_total": round(s.usd_total, 6),
        "usd_today": round(s.usd_today, 6),
        "cap_usd_per_day": settings.shadow.cap_usd,
        "categories": [
            {
                "category": c.category,
                "segments": c.segments,
                "primary_found": c.primary_found,
                "candidate_found": c.candidate_found,
                "agreement": c.agreement,
                "verdicts": c.verdicts,
                "verdict_agreement": c.verdict_agreement,
            }
            for c in s.categories
        ],
    }


def _print(s: ShadowSummary, settings: Settings, *, show_all: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(soft_wrap=True)
    table = Table(title=f"shadow {s.candidate} vs {', '.join(s.primary_models)}: agreement per category")
    for col in ("category", "segments", "primary found", "candidate found", "agreement", "verdicts",
                "verdict agreement"):  # fmt: skip
        table.add_column(col, justify="left" if col == "category" else "right")
    quiet = 0
    for c in s.categories:
        if not show_all and not (c.primary_found or c.candidate_found or c.verdicts):
            quiet += 1
            continue
        table.add_row(c.category, str(c.segments), str(c.primary_found), str(c.candidate_found),
                      _pct(c.agreement), str(c.verdicts), _pct(c.verdict_agreement))  # fmt: skip
    console.print(table)
    if quiet:
        console.print(
            f"{quiet} other categories: found by neither model in any sampled segment (--all lists them)"
        )
    figures = Table(title=f"shadow {s.candidate}: the figures that decide a model change", show_header=False)
    figures.add_column("figure")
    figures.add_column("value", justify="right")
    figures.add_row("segments sampled", f"{s.sampled} (valid {s.ok}, invalid {s.invalid}, errors {s.errors})")
    figures.add_row("candidate latency p50 / p95", f"{_secs(s.latency_p50_s)} / {_secs(s.latency_p95_s)}")
    per_seg = "—" if s.usd_per_segment is None else f"${s.usd_per_segment:.4f}"
    figures.add_row("cost per segment", per_seg)
    figures.add_row("invalid-output rate (after repair)", _pct(s.invalid_rate))
    figures.add_row("invalid on first try", _pct(s.first_try_invalid_rate))
    figures.add_row("shadow spend today / daily cap", f"${s.usd_today:.4f} / ${settings.shadow.cap_usd:.2f}")
    figures.add_row("shadow spend, all stored", f"${s.usd_total:.4f}")
    console.print(figures)
