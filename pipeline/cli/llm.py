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
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.cli.common import EXIT_USAGE, installed, read_file, require

if TYPE_CHECKING:
    from pipeline.analyze.llm import LLMAnalyzer
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
    from pipeline.errors import ConfigError
    from pipeline.report.markdown import printable
    from pipeline.routing.catalog import load_catalog

    try:  # a bad catalog or override file is one coded line, not a traceback
        if args.check:
            return cmd_models_check(args, settings)
        catalog = load_catalog(settings.routing.catalog_path, overrides=settings.routing.catalog_overrides)
    except ConfigError as exc:
        print(printable(exc.one_line()), file=sys.stderr)
        return EXIT_USAGE
    missing = unavailable(catalog)
    rates, quality_note = quality_rates(settings)
    rows = [{**m.model_dump(exclude={"note"}), "available": m.id not in missing, "unavailable_reason": missing.get(m.id),
             "quality": [r for r in rates if r["model"] == m.id]}
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
    print()
    print("\n".join(textwrap.wrap(quality_note, WIDTH)))
    if rates:
        qh = ("id", "profile", "rate", "window", "baseline", "alert line", "demoted")
        qrows = [[printable(r["model"]), r["profile"], "—" if r["rate"] is None else f"{r['rate']:.1%}",
                  f"{r['samples']}/{r['window']}", f"{r['baseline']:.1%}", f"{r['line']:.1%}",
                  "yes" if r["demoted"] else "no"] for r in rates]  # fmt: skip
        print("\n".join(format_table(qh, qrows, right=(2, 3, 4, 5))))
    return 0


def quality_rates(settings: Settings) -> tuple[list[dict[str, Any]], str]:
    """Each (model, profile)'s success rate from the quality monitor, and a line saying where
    the figures come from (Redis: every process's; in memory: a running process's only)."""
    from dataclasses import asdict

    from pipeline.errors import ConfigError
    from pipeline.routing.quality import QualityMonitor
    from pipeline.routing.redis_scripts import REDIS_ERRORS

    q = settings.quality
    try:
        monitor = QualityMonitor.from_settings(settings)
    except (ConfigError, ImportError) as exc:
        return [], f"quality: not readable here ({exc})"
    if monitor is None:
        return [], "quality: monitor disabled (LONGDOC_QUALITY_ENABLED=false)"
    if not monitor.shared:
        return [], ("quality: rates are kept in each running process (no Redis); set "
                    "LONGDOC_QUALITY_BACKEND=redis to share and show them here")  # fmt: skip
    try:
        rates = [asdict(r) for r in monitor.rates()]
    except REDIS_ERRORS as exc:
        return [], f"quality: Redis unreachable ({exc})"
    head = (f"quality: success rate over the last {q.window} segments per model and profile; alert and "
            f"demotion {q.alert_drop * 100:g} points below baseline (at least {q.min_samples} segments)")  # fmt: skip
    return rates, head if rates else head + ": no segments recorded yet"


CHECK_TEXT = (
    "finding Governing Law (p.1, 6.1, segment 0): This Agreement is governed by the laws of New York."
)


def check_model(llm: LLMAnalyzer) -> dict[str, Any]:
    """One tiny synthesis request to ``llm`` through the same path a job takes (wire profile,
    structured output, parsing): which of key, endpoint and profile work."""
    from pipeline.analyze.llm import UsageMeter
    from pipeline.consolidate.synthesis import _call as synthesis_call
    from pipeline.errors import LongdocError

    started = time.monotonic()
    row: dict[str, Any] = {
        "id": llm.spec.id,
        "configured": True,
        "key": "ok",
        "endpoint": "ok",
        "profile": "ok",
    }
    try:
        synthesis_call(llm, UsageMeter(), CHECK_TEXT)
    except LongdocError as exc:
        part = failed_part(exc)
        row.update({part: "FAIL", "error": f"{exc.code}: {exc.message}"[:300]})
        # What a failure hides stays unknown: no server answered (endpoint), or none would (key).
        unknown = {"endpoint": ("key", "profile"), "key": ("profile",)}.get(part, ())
        row.update(dict.fromkeys(unknown, "-"))
    row["ok"] = "error" not in row
    row["seconds"] = round(time.monotonic() - started, 2)
    return row


def failed_part(exc: BaseException) -> str:
    """Which part a failed check call points at: the key (401/403), the endpoint (no answer, or
    no such model there), else the profile (the request was refused or the answer unusable)."""
    import openai

    causes: list[BaseException] = []
    node: BaseException | None = exc
    while node is not None and len(causes) < 5:
        causes.append(node)
        node = node.__cause__ or node.__context__
    text = " ".join(str(c) for c in causes)
    if any(isinstance(c, openai.AuthenticationError | openai.PermissionDeniedError) for c in causes) or (
        "authentication failed" in text
    ):
        return "key"
    if any(isinstance(c, openai.APIConnectionError | openai.NotFoundError) for c in causes) or any(
        n in text for n in ("APIConnectionError", "APITimeoutError", "NotFoundError", "circuit open")
    ):
        return "endpoint"
    return "profile"


def cmd_models_check(args: argparse.Namespace, settings: Settings) -> int:
    from pipeline.analyze.registry import build_registry
    from pipeline.report.markdown import printable

    # One attempt, no backoff: a check reports what is wrong now, it does not wait it out.
    routing = settings.routing.model_copy(update={"llm_max_attempts": 1, "llm_timeout_s": args.timeout})
    quick = settings.model_copy(update={"routing": routing})
    registry = build_registry(quick)
    rows: list[dict[str, Any]] = []
    for spec in registry.catalog.models:
        if spec.is_builtin:
            continue
        llm = registry.llms.get(spec.id)
        if llm is None:
            why = registry.unavailable.get(spec.id, "not configured")
            rows.append({"id": spec.id, "configured": False, "key": "-", "endpoint": "-", "profile": "-",
                         "ok": None, "seconds": 0.0, "error": f"not configured: {why}"})  # fmt: skip
            continue
        rows.append(check_model(llm))
    failed = [r for r in rows if r["ok"] is False]
    if args.json:
        sys.stdout.write(json.dumps(rows, indent=1) + "\n")
    else:
        headers = ("id", "key", "endpoint", "profile", "seconds", "result")
        cells = [[printable(r["id"]), r["key"], r["endpoint"], r["profile"], f"{r['seconds']:.2f}",
                  "ok" if r["ok"] else ("FAILED" if r["ok"] is False else "not configured")] for r in rows]  # fmt: skip
        details = [printable(r.get("error", "")) for r in rows]
        print("\n".join(format_table(headers, cells, right=(4,), details=details)))
        configured = sum(r["configured"] for r in rows)
        print(f"{configured - len(failed)} of {configured} configured model(s) answered; "
              f"{len(rows) - configured} not configured")  # fmt: skip
    return 1 if failed else 0


def estimate_document(
    plan_tokens: list[int], settings: Settings, policy: RoutePolicy
) -> list[dict[str, Any]]:
    """Per catalog model: whether every segment fits, tokens, USD and expected wall time."""
    from pipeline.routing.catalog import load_catalog
    from pipeline.routing.router import estimate, fits

    catalog = load_catalog(settings.routing.catalog_path, overrides=settings.routing.catalog_overrides)
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

    rates: dict[str, str] = {}
    for item in args.fault_rate_for or []:
        model, sep, rate = item.rpartition("=")
        if not sep or not model:
            print(f"--fault-rate-for wants MODEL=RATE, not {item!r}", file=sys.stderr)
            return EXIT_USAGE
        rates[model] = rate
    extra: dict[str, Any] = {"fault_rates": rates}
    if args.faults:
        extra["fault_kinds"] = tuple(k.strip() for k in args.faults.split(",") if k.strip())
    from pydantic import ValidationError

    try:
        config = SimulatorConfig(time_scale=args.time_scale, fault_rate=args.fault_rate, seed=args.seed,
                                 fixed_latency_s=args.latency, strict=args.strict, **extra)  # fmt: skip
    except ValidationError as exc:
        print(f"simulate-llm: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}", file=sys.stderr)
        return EXIT_USAGE
    print(f"simulated OpenAI-compatible API on http://{args.host}:{args.port}/v1", file=sys.stderr)
    serve(args.port, host=args.host, config=config)
    return 0


def add_commands(sub: Any) -> None:
    m = sub.add_parser("models", help="print the model catalog and which models are available")
    m.add_argument("--json", action="store_true", help="machine-readable output on stdout")
    m.add_argument("--check", action="store_true",
                   help="send one tiny request per configured model: do its key, endpoint and profile "
                   "work? (exit 1 on any failure)")  # fmt: skip
    m.add_argument("--timeout", type=float, default=60.0, help="seconds per check request (with --check)")
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
    s.add_argument("--fault-rate-for", action="append", metavar="MODEL=RATE",
                   help="fault rate of one model (its API model id), over --fault-rate; repeatable")  # fmt: skip
    s.add_argument("--faults", default=None, metavar="KINDS",
                   help="comma-separated fault kinds: 429,500,timeout,invalid_json,truncated,invented_quote")  # fmt: skip
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--strict", action="store_true",
                   help="refuse what each real API refuses (max_tokens on GPT-5, untyped schemas on Kimi...) "
                   "and deliver reasoning as each provider does")  # fmt: skip
    s.set_defaults(func=cmd_simulate)
