"""CLI commands about models: ``models``, ``estimate``, ``simulate-llm``.

Import-light at module level (``pipeline.cli.main`` imports it to build the parser): the
catalog, router and simulator are imported inside the handlers.

Tables are plain fixed-width text, not rich: rich fits a table to the terminal, and through a
pipe (80 columns) it cut model ids to "gpt-5.1-…". Here ids are never cut; a row that cannot
fit ``WIDTH`` columns is printed as an id line plus wrapped "name value" lines instead.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.cli.common import installed, read_file, require

if TYPE_CHECKING:
    from pipeline.config import Settings
    from pipeline.routing.catalog import Catalog
    from pipeline.routing.router import RoutePolicy

WIDTH = 100  # every line of a table fits this many columns (ids excepted: never cut)
GAP = "  "


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = (),
                 details: Sequence[str] | None = None, width: int = WIDTH) -> list[str]:  # fmt: skip
    """Lines of a plain table; column 0 (the id) is printed whole. ``right``: right-aligned
    columns; ``details``: one text per row, wrapped under it (indented), for long free text."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    fits = sum(widths) + len(GAP) * (len(widths) - 1) <= width

    def line(cells: Sequence[str]) -> str:
        padded = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return GAP.join(padded).rstrip()

    out = [line(headers)] if fits else []
    for i, row in enumerate(rows):
        if fits:
            out.append(line(row))
        else:  # stacked: the id alone, then "name value" pairs wrapped to the width
            out.append(row[0])
            pairs = " · ".join(f"{h} {c}" for h, c in zip(headers[1:], row[1:], strict=True))
            out += textwrap.wrap(pairs, width, initial_indent="    ", subsequent_indent="    ")
        if details and details[i]:
            out += textwrap.wrap(details[i], width, initial_indent="    ", subsequent_indent="    ",
                                 break_on_hyphens=False)  # fmt: skip
    return out


def unavailable(catalog: Catalog) -> dict[str, str]:
    """Model id -> why it cannot run here: the catalog's reasons (keys, endpoints), and without
    the ``llm`` extra every model but the built-in ``rules`` (they are called through openai)."""
    missing = catalog.unavailable()
    if not installed("openai"):
        for m in catalog.models:
            if not m.is_builtin:
                missing.setdefault(m.id, "needs the llm extra: pip install 'longdoc[llm]'")
    return missing


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.report.markdown import printable
    from pipeline.routing.catalog import load_catalog

    catalog = load_catalog(settings.routing.catalog_path)
    missing = unavailable(catalog)
    rows = [{**m.model_dump(exclude={"note"}), "available": m.id not in missing, "unavailable_reason": missing.get(m.id)}
            for m in catalog.models]  # fmt: skip
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=1) + "\n")
        return 0
    headers = ("id", "provider", "context", "reliable", "$/1M in/out", "p50/p95 s", "available")
    cells: list[list[str]] = []
    details: list[str] = []
    for m in catalog.models:
        cells.append([printable(m.id), printable(m.provider), f"{m.context_window:,}", f"{m.reliable_context:,}",
                      f"{m.price_in_per_m:.2f}/{m.price_out_per_m:.2f}", f"{m.latency_p50_s:g}/{m.latency_p95_s:g}",
                      "yes" if m.id not in missing else "no"])  # fmt: skip
        notes = [f"api model {m.api_model}", f"max output {m.max_output:,}"]
        notes += ["self-hosted"] if m.self_hosted else []
        notes += [f"unavailable: {missing[m.id]}"] if m.id in missing else []
        details.append(printable(" · ".join(notes)))
    print("\n".join(format_table(headers, cells, right=(2, 3, 4, 5), details=details)))
    return 0


def estimate_document(
    plan_tokens: list[int], settings: Settings, policy: RoutePolicy
) -> list[dict[str, Any]]:
    """Per catalog model: whether every segment fits, tokens, USD and expected wall time."""
    from pipeline.routing.catalog import load_catalog
    from pipeline.routing.router import estimate, fits

    catalog = load_catalog(settings.routing.catalog_path)
    missing = unavailable(catalog)
    slots = max(1, settings.execution.workers)
    out: list[dict[str, Any]] = []
    for m in catalog.models:
        ok = all(fits(m, t, policy) for t in plan_tokens)
        est = [estimate(m, t, policy) for t in plan_tokens]
        waves = -(-len(plan_tokens) // slots)  # segments run in parallel slots
        out.append({
            "model": m.id, "fits": ok, "available": m.id not in missing,
            "prompt_tokens": sum(e[0] for e in est), "output_tokens": sum(e[1] for e in est),
            "usd": round(sum(e[2] for e in est), 4),
            "latency_p50_s": round(waves * m.latency_p50_s, 1), "latency_p95_s": round(waves * m.latency_p95_s, 1),
        })  # fmt: skip
    return out


def cmd_estimate(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.errors import LongdocError
    from pipeline.ingest import ingest
    from pipeline.jobs.planning import plan_document
    from pipeline.report.markdown import printable
    from pipeline.routing.router import RoutePolicy

    policy = RoutePolicy()
    results: list[dict[str, Any]] = []
    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            planned = plan_document(
                ingest(read_file(path, settings), name=path.name, limits=settings.limits), settings
            )
        except LongdocError as exc:
            failed += 1
            results.append({"file": str(path), "ok": False, "error": exc.to_dict()})
            if not args.json:
                print(printable(exc.with_document(str(path)).one_line()), file=sys.stderr)
            continue
        tokens = [s.tokens for s in planned.plan.segments]
        rows = estimate_document(tokens, settings, policy)
        results.append(
            {"file": str(path), "ok": True, "tokens": sum(tokens), "segments": len(tokens), "models": rows}
        )
        if not args.json:
            headers = ("model", "fits", "available", "prompt tok", "output tok", "USD", "p50 s", "p95 s")
            cells = [[printable(r["model"]), "yes" if r["fits"] else "no", "yes" if r["available"] else "no",
                      f"{r['prompt_tokens']:,}", f"{r['output_tokens']:,}", f"{r['usd']:.4f}",
                      f"{r['latency_p50_s']:g}", f"{r['latency_p95_s']:g}"] for r in rows]  # fmt: skip
            print(printable(f"{path} · {sum(tokens):,} tokens · {len(tokens)} segment(s)"))
            print("\n".join(format_table(headers, cells, right=(3, 4, 5, 6, 7))))
    if args.json:
        sys.stdout.write(json.dumps(results, indent=1) + "\n")
    return 1 if failed else 0


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    require("service", "fastapi", "uvicorn")  # the simulator is a FastAPI app
    from pipeline.simulate.server import SimulatorConfig, serve

    config = SimulatorConfig(time_scale=args.time_scale, fault_rate=args.fault_rate, seed=args.seed,
                             fixed_latency_s=args.latency)  # fmt: skip
    print(f"simulated OpenAI-compatible API on http://{args.host}:{args.port}/v1", file=sys.stderr)
    serve(args.port, host=args.host, config=config)
    return 0


def add_commands(sub: Any) -> None:
    m = sub.add_parser("models", help="print the model catalog and which models are available")
    m.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    m.set_defaults(func=cmd_models)

    e = sub.add_parser("estimate", help="tokens, USD and expected latency per candidate model")
    e.add_argument("files", nargs="+", metavar="FILE")
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=cmd_estimate)

    s = sub.add_parser("simulate-llm", help="run a local OpenAI-compatible simulator (tests, demos, benches)")
    s.add_argument("--port", type=int, default=8099)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--time-scale", type=float, default=1.0, help="multiply simulated latencies")
    s.add_argument(
        "--latency", type=float, default=None, help="fixed latency in seconds (overrides the model)"
    )
    s.add_argument("--fault-rate", type=float, default=0.0, help="share of requests that fail (0..1)")
    s.add_argument("--seed", type=int, default=0)
    s.set_defaults(func=cmd_simulate)
