"""``longdoc analyze`` against a plain LangGraph map-reduce over the same document, same simulator.

    pip install -e '.[bench]'                  # langgraph (never a runtime dependency)
    python bench/bench_vs_langgraph.py         # 5 paired runs, ~400K tokens, kimi-k2-thinking
    python bench/bench_vs_langgraph.py --runs 3 --latency 19 --timeline
    python bench/bench_vs_langgraph.py --reduce concat   # B without its summary request

A: ``longdoc analyze DOC --model kimi-k2-thinking`` as a subprocess (fresh storage folder each
run, so the LLM cache never answers), whole-command wall time: planning, every segment request,
quote verification, consolidation and the reports.
B: this file run with ``--map-reduce`` as a subprocess: the document cut into 100K-token chunks
(project tokenizer, at paragraph boundaries), one LangGraph ``Send`` per chunk to a map node
that makes the same structured request through the ``openai`` SDK (same system prompt, framing,
JSON schema in Moonshot's dialect, output limit), and a reduce node. With ``--reduce llm``
(default) the reduce node is the map-reduce of LangGraph's own summarisation how-to: one more
model request that writes a summary from the mapped findings, with longdoc's synthesis system
prompt and schema, as longdoc's default makes one synthesis request after its segments (like
with like: both sides then wait on two rounds of segment requests and one summary request).
With ``--reduce concat`` it only concatenates the findings (the plain map-reduce the figure was
first taken against; longdoc then waits on one request round more than B does). No quote
verification, no consolidation, no report. Whole-process wall time too, so both sides pay
their interpreter start-up and imports.

One in-process simulator serves both sides with one latency model: a fixed latency per request
(default 19 s, the seed p50 of kimi-k2-thinking in pipeline/data/models.json). A fixed latency
rather than the seed lognormal because the simulator draws each request's latency from the
request's hash: the two sides send different prompts, so a lognormal would give them different
draws and the ratio would measure luck. Both sides get the same concurrency: longdoc's default
``ExecutionConfig.workers`` (4) for A, ``max_concurrency`` of the LangGraph run for B.
Runs alternate A B A B … so both see the same machine load; the ratio is of the medians, and
the script exits 1 when it is above 1.0. ``--timeline`` prints, for each A run, the simulator's
request log (``GET /_log``) against the command's start: when each segment request arrived and
was answered, and how long the command ran after the last answer.
"""

from __future__ import annotations

import argparse
import json
import operator
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Annotated, Any, TypedDict

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the --map-reduce child imports the project from this tree
MODEL = "kimi-k2-thinking"
CHUNK_TOKENS = 100_000
KEYS = {"MOONSHOT_API_KEY": "sk-bench", "OPENAI_API_KEY": "sk-bench"}  # the simulator takes any key
HINT = "bench_vs_langgraph needs langgraph: pip install -e '.[bench]'"


# ---- side B: the plain LangGraph map-reduce (runs in its own process) ------------------------


class MapState(TypedDict):
    index: int
    text: str


class OverallState(TypedDict):
    chunks: list[str]
    # Each map node returns its findings in a one-item list; operator.add concatenates them
    # (LangGraph's reducer for fan-in from Send branches).
    results: Annotated[list[dict[str, Any]], operator.add]
    findings: list[dict[str, Any]]
    summary: str


def chunk_document(text: str, chunk_tokens: int = CHUNK_TOKENS) -> list[str]:
    """``text`` cut about every ``chunk_tokens`` tokens, each cut moved back to a paragraph break."""
    from chunking.tokenizer import tokenize

    tok = tokenize(text)
    cuts = [0]
    for mark in range(chunk_tokens, tok.count, chunk_tokens):
        at = tok.char_of_token(mark)
        para = text.rfind("\n\n", cuts[-1] + 1, at)
        cuts.append(para + 2 if para > 0 else at)
    cuts.append(len(text))
    return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if b > a]


def map_reduce(doc: Path, base_url: str, workers: int, reduce_with: str = "llm") -> int:
    """Side B. Prints one JSON line: chunks, findings (and the summary's length)."""
    try:
        from langgraph.graph import END, START, StateGraph
        from langgraph.types import Send
    except ImportError:
        print(HINT, file=sys.stderr)
        return 2
    from openai import OpenAI

    from pipeline.analyze.clauses import CATEGORIES
    from pipeline.analyze.injection import frame_segment
    from pipeline.analyze.llm import KEY_TERM_NAMES, SYSTEM
    from pipeline.analyze.llm_schema import (
        MAX_DEFINED_TERMS,
        MAX_FINDINGS_PER_CATEGORY,
        MAX_KEY_TERMS,
        MAX_REFERENCES,
        LLMSegmentOutput,
        LLMSynthesis,
        response_format,
    )
    from pipeline.consolidate.synthesis import SYSTEM as SYNTHESIS_SYSTEM

    # The same request longdoc's moonshot profile sends (pipeline/routing/profiles.py): its
    # system prompt, a framed segment, the schema in Moonshot's dialect, max_completion_tokens,
    # no sampling parameters. No outline preamble: a plain map-reduce has no plan of the document.
    system = SYSTEM.format(
        kind="contract", categories="; ".join(CATEGORIES), names=", ".join(sorted(KEY_TERM_NAMES)),
        per_cat=MAX_FINDINGS_PER_CATEGORY, kt=MAX_KEY_TERMS, dt=MAX_DEFINED_TERMS, refs=MAX_REFERENCES,
    )  # fmt: skip
    fmt = response_format(LLMSegmentOutput, "segment_analysis", "moonshot")
    synthesis_fmt = response_format(LLMSynthesis, "synthesis", "moonshot")
    client = OpenAI(base_url=base_url, api_key=KEYS["MOONSHOT_API_KEY"], max_retries=2, timeout=600)

    # Annotations here name module-level types only: LangGraph evaluates them (get_type_hints).
    def fan_out(state: OverallState) -> list[Any]:
        return [Send("analyze_chunk", {"index": i, "text": t}) for i, t in enumerate(state["chunks"])]

    def analyze_chunk(state: MapState) -> dict[str, Any]:
        frame, framed = frame_segment(state["text"])
        user = (
            f"The segment is the text between {frame.open} and {frame.close}; any other marker "
            f"inside it is part of the document.\n\n{framed}"
        )
        resp = client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": user}],
            max_completion_tokens=16384,
            response_format=fmt,  # type: ignore[arg-type]
        )
        out = json.loads(resp.choices[0].message.content or "{}")
        return {"results": [{"index": state["index"], "findings": out.get("findings", [])}]}

    def reduce(state: OverallState) -> dict[str, Any]:
        ordered = sorted(state["results"], key=lambda r: r["index"])
        findings = [f for r in ordered for f in r["findings"]]
        if reduce_with != "llm":
            return {"findings": findings, "summary": ""}
        # One line per finding, as longdoc's synthesis gets one line per fact.
        facts = "\n".join(json.dumps(f, ensure_ascii=False)[:300] for f in findings)
        resp = client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "system", "content": SYNTHESIS_SYSTEM}, {"role": "user", "content": facts}],
            max_completion_tokens=16384,
            response_format=synthesis_fmt,  # type: ignore[arg-type]
        )
        out = json.loads(resp.choices[0].message.content or "{}")
        return {"findings": findings, "summary": out.get("executive_summary", "")}

    builder = StateGraph(OverallState)
    builder.add_node("analyze_chunk", analyze_chunk)
    builder.add_node("reduce", reduce)
    builder.add_conditional_edges(START, fan_out, ["analyze_chunk"])
    builder.add_edge("analyze_chunk", "reduce")
    builder.add_edge("reduce", END)
    graph = builder.compile()

    chunks = chunk_document(doc.read_text(encoding="utf-8"))
    final = graph.invoke({"chunks": chunks, "results": []}, config={"max_concurrency": workers})
    print(
        json.dumps(
            {
                "chunks": len(chunks),
                "findings": len(final["findings"]),
                "summary_chars": len(final["summary"]),
            }
        )
    )
    return 0


# ---- the paired bench ------------------------------------------------------------------------


def sim(base: str, path: str, method: str = "GET") -> Any:
    req = urllib.request.Request(base + path, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(wall seconds, epoch at start, stdout) of one whole command; exits on failure."""
    started = time.time()
    t0 = time.monotonic()
    proc = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    wall = time.monotonic() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{argv[2:4]} exited {proc.returncode}: {proc.stderr[-2000:]}")
    return wall, started, proc.stdout


def side_a(doc: Path, base_url: str, store: Path) -> tuple[float, float, str]:
    env = {**os.environ, **KEYS, "LONGDOC_LLM_BASE_URL": base_url, "LONGDOC_STORAGE_DIR": str(store)}
    argv = [sys.executable, "-m", "pipeline.cli.main", "analyze", str(doc), "--model", MODEL,
            "--out", str(store / "out"), "--json"]  # fmt: skip
    return timed(argv, env)


def side_b(doc: Path, base_url: str, workers: int, reduce_with: str) -> tuple[float, float, str]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--map-reduce", str(doc),
            "--base-url", base_url, "--workers", str(workers), "--reduce", reduce_with]  # fmt: skip
    return timed(argv, dict(os.environ))


def timeline(log: list[dict[str, Any]], started: float, wall: float) -> str:
    rows = [f"      req {i}: {e['model']} {e['status']} {e['prompt_tokens']:>7,} prompt tokens, "
            f"arrived +{e['arrived'] - started:6.2f} s, answered +{e['arrived'] + e['seconds'] - started:6.2f} s"
            for i, e in enumerate(log)]  # fmt: skip
    last = max((e["arrived"] + e["seconds"] for e in log), default=started)
    first = min((e["arrived"] for e in log), default=started)
    rows.append(f"      first request +{first - started:.2f} s; after the last answer the command ran "
                f"{wall - (last - started):.2f} s more (to +{wall:.2f} s)")  # fmt: skip
    return "\n".join(rows)


def stages(store: Path, started: float) -> str:
    """When longdoc wrote each file of the job (mtimes against the command's start): its stages.
    Files of one folder and kind (segments/, audit/llm-…) are shown as first–last and a count."""
    groups: dict[str, list[float]] = {}
    for f in store.rglob("*"):
        if f.is_file():
            rel = f.relative_to(store).as_posix()
            parts = rel.split("/")
            name = parts[-1].split("-")[0] if parts[-2:-1] in (["audit"], ["segments"]) else parts[-1]
            groups.setdefault("/".join([*parts[-2:-1], name]), []).append(f.stat().st_mtime - started)
    rows = sorted(groups.items(), key=lambda kv: min(kv[1]))
    return "\n".join(
        f"      +{min(ts):6.2f} s" + (f" – +{max(ts):6.2f} s ({len(ts)})" if len(ts) > 1 else "") + f"  {k}"
        for k, ts in rows
    )


def workers_default() -> int:
    from pipeline.config import ExecutionConfig

    return ExecutionConfig.model_fields["workers"].default  # type: ignore[no-any-return]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="paired runs (A then B), default 5")
    ap.add_argument("--warmup", type=int, default=1, help="uncounted pairs first (default 1)")
    ap.add_argument("--tokens", type=int, default=400_000)
    ap.add_argument("--latency", type=float, default=19.0, help="fixed seconds per request (seed p50)")
    ap.add_argument("--workers", type=int, default=None, help="B's concurrency (default: longdoc's)")
    ap.add_argument("--timeline", action="store_true", help="print each run's simulator request log")
    ap.add_argument("--reduce", choices=["llm", "concat"], default="llm",
                    help="B's reduce node: one summary request over the findings (default), or concatenation")  # fmt: skip
    ap.add_argument("--map-reduce", type=Path, metavar="DOC", help=argparse.SUPPRESS)
    ap.add_argument("--base-url", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.map_reduce is not None:
        return map_reduce(args.map_reduce, args.base_url, args.workers or workers_default(), args.reduce)
    try:
        import langgraph  # noqa: F401
    except ImportError:
        print(HINT)
        return 2

    from bench_first_call import document  # the same ~400K-token document as the first-call bench

    from pipeline.simulate.server import SimulatorConfig, running_simulator

    workers = args.workers or workers_default()
    a_times: list[float] = []
    b_times: list[float] = []
    load: list[float] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-vs-langgraph-") as tmp,
        running_simulator(SimulatorConfig(fixed_latency_s=args.latency)) as base_url,
    ):
        work = Path(tmp)
        doc = work / "contract-400k.txt"
        doc.write_text(document(args.tokens), encoding="utf-8")
        sim_base = base_url.removesuffix("/v1")
        # Interleaved: both sides see the same machine load. The warm-up pair fills the
        # simulator's answer cache (it analyses each distinct segment once, on this machine's
        # CPU): counted runs then wait on the latency model, as on a provider, not on it.
        for run in range(-args.warmup, args.runs):
            now_load = os.getloadavg()[0]
            sim(sim_base, "/_sim/reset", "POST")
            store = Path(tempfile.mkdtemp(dir=work))
            a, a_start, a_out = side_a(doc, base_url, store)
            a_log = sim(sim_base, "/_log")["requests"]
            sim(sim_base, "/_sim/reset", "POST")
            b, b_start, b_out = side_b(doc, base_url, workers, args.reduce)
            b_log = sim(sim_base, "/_log")["requests"]
            if run >= 0:
                a_times.append(a)
                b_times.append(b)
                load.append(now_load)
            print(f"{'warm-up' if run < 0 else f'run {run + 1}'}: A {a:.2f} s ({len(a_log)} requests)   B {b:.2f} s ({len(b_log)} requests, "
                  f"{b_out.strip()})   A/B {a / b:.3f}   load {now_load:.1f}", flush=True)  # fmt: skip
            if args.timeline:
                print("    A (longdoc analyze):\n" + timeline(a_log, a_start, a))
                print("    A's files (mtime):\n" + stages(store, a_start))
                print("    B (LangGraph map-reduce):\n" + timeline(b_log, b_start, b))
    ma, mb = statistics.median(a_times), statistics.median(b_times)
    ratio = ma / mb
    print(f"{args.tokens:,}-token document, {MODEL}, fixed simulator latency {args.latency} s, "
          f"concurrency {workers} both sides, {args.runs} paired runs, B's reduce: {args.reduce}")  # fmt: skip
    print(f"(load average {min(load):.1f}–{max(load):.1f} during the runs, "
          f"{os.getloadavg()[0]:.1f} now, on {os.cpu_count()} CPUs)")  # fmt: skip
    print(f"  A longdoc analyze       median {ma:.2f} s   runs {' '.join(f'{t:.2f}' for t in a_times)}")
    print(f"  B LangGraph map-reduce  median {mb:.2f} s   runs {' '.join(f'{t:.2f}' for t in b_times)}")
    print(f"  ratio A/B {ratio:.3f} (target ≤ 1.0: {'met' if ratio <= 1.0 else 'MISSED'})")
    return 0 if ratio <= 1.0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
