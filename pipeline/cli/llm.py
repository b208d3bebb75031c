"""CLI commands about models: ``models``, ``estimate``, ``simulate-llm``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.config import Settings
from pipeline.errors import LongdocError
from pipeline.report.markdown import printable
from pipeline.routing.catalog import load_catalog
from pipeline.routing.router import RoutePolicy, estimate, fits


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    catalog = load_catalog(settings.catalog_path)
    missing = catalog.unavailable()
    rows = [{**m.model_dump(exclude={"note"}), "available": m.id not in missing, "unavailable_reason": missing.get(m.id)}
            for m in catalog.models]  # fmt: skip
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=1) + "\n")
        return 0
    table = Table(title="model catalog")
    for col in (
        "id",
        "provider",
        "api model",
        "context",
        "reliable",
        "max out",
        "$ in/1M",
        "$ out/1M",
        "p50/p95 s",
        "self-hosted",
        "available",
    ):
        table.add_column(col)
    for m in catalog.models:
        table.add_row(m.id, m.provider, m.api_model, f"{m.context_window:,}", f"{m.reliable_context:,}", f"{m.max_output:,}",
                      f"{m.price_in_per_m:.2f}", f"{m.price_out_per_m:.2f}", f"{m.latency_p50_s:g}/{m.latency_p95_s:g}",
                      "yes" if m.self_hosted else "no", "yes" if m.id not in missing else f"no: {missing[m.id]}")  # fmt: skip
    Console(soft_wrap=True).print(table)
    return 0


def estimate_document(
    plan_tokens: list[int], settings: Settings, policy: RoutePolicy
) -> list[dict[str, Any]]:
    """Per catalog model: whether every segment fits, tokens, USD and expected wall time."""
    catalog = load_catalog(settings.catalog_path)
    missing = catalog.unavailable()
    slots = max(1, settings.workers)
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
    from pipeline.cli.common import read_file
    from pipeline.ingest import ingest
    from pipeline.jobs.planning import plan_document

    policy = RoutePolicy()
    results: list[dict[str, Any]] = []
    failed = 0
    for name in args.files:
        path = Path(name)
        try:
            planned = plan_document(
                ingest(read_file(path, settings), name=path.name, settings=settings), settings
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
            # A Text title: the file name is shown as it is, never read as rich markup.
            table = Table(
                title=Text(printable(f"{path} · {sum(tokens):,} tokens · {len(tokens)} segment(s)"))
            )
            for col in ("model", "fits", "available", "prompt tok", "output tok", "USD", "p50 s", "p95 s"):
                table.add_column(col)
            for r in rows:
                table.add_row(r["model"], "yes" if r["fits"] else "no", "yes" if r["available"] else "no",
                              f"{r['prompt_tokens']:,}", f"{r['output_tokens']:,}", f"{r['usd']:.4f}",
                              f"{r['latency_p50_s']:g}", f"{r['latency_p95_s']:g}")  # fmt: skip
            Console(soft_wrap=True).print(table)
    if args.json:
        sys.stdout.write(json.dumps(results, indent=1) + "\n")
    return 1 if failed else 0


def cmd_simulate(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.simulate.server import SimulatorConfig, serve

    config = SimulatorConfig(time_scale=args.time_scale, fault_rate=args.fault_rate, seed=args.seed,
                             fixed_latency_s=args.latency)  # fmt: skip
    print(f"simulated OpenAI-compatible API on http://{args.host}:{args.port}/v1", file=sys.stderr)
    serve(args.port, host=args.host, config=config)
    return 0


def add_commands(sub: Any) -> None:
    m = sub.add_parser("models", help="print the model catalog and which models are available")
    m.add_argument("--json", action="store_true")
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
