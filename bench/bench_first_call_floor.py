"""How low can the time to a first model request go on this machine? Floors for issue 14 item 10.

    python bench/bench_first_call_floor.py            # 5 runs of each
    python bench/bench_first_call_floor.py --runs 3

Each variant is a fresh process, timed from spawn to the simulator's first request (as
``bench_first_call.py`` times ``longdoc analyze``), interleaved so they share the machine's load:

- ``sdk only``: longdoc's config, the openai SDK imported, a client built, one tiny request. No
  document: the floor of any first request made through the SDK.
- ``sdk + tokenizer``: the same, with the o200k tokenizer built first (its ranks parsed, tiktoken's
  CoreBPE built: it holds the GIL). Still no document: the floor of one process's first request.
- ``bare, one process``: the ``sdk only`` run, after reading, tokenizing (o200k) and cutting
  the 400K-token document (longdoc's own ingest, section search, tokenizer and segmenter);
  segment 0's text is sent as is, with no routing, prompt, schema, job store or audit.
- ``bare, two processes``: the optimistic split across both cores. The process forks before
  any longdoc or third-party import; the child plans (ranks from a pre-parsed cache, tokenizing
  beside the section search) and pipes segment 0's text back while the parent imports the SDK
  and waits to send it.
- ``analyze, warm process``: ``longdoc analyze`` called in a process that has imported the SDK,
  built the tokenizer and run a first job on the rules model (as ``longdoc serve`` or a worker
  has); timed from the call. What longdoc itself does per job before its first request.
- ``longdoc analyze``: the real command (``bench_first_call.py``'s measurement).

Measured 2026-12-07 on 2 CPUs (this VM's speed varies by up to ~1.5x within minutes: compare
within a run), median of 5: sdk only 0.631 s, sdk + tokenizer 0.966 s, bare one process 1.283 s,
bare two processes 1.031 s, analyze in a warm process 0.289 s, longdoc analyze 1.419 s. So
one process cannot send a first request within 0.8 s here even with no document to read: the
SDK's import and the tokenizer's build both hold the GIL. The two-process design (0.76 s in a
quieter run) also stays above it once longdoc's own per-job work (the warm
figure: reading, planning, routing, the prompt, job records) is added to its bare planning.
Exits 0: it reports floors, it has no target.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path


def _variant(variant: str, doc: str, base: str, ranks: str) -> None:
    """One measured process (``--variant``). "two" forks here, before any longdoc or third-party
    import; every import below is inside this function for that reason."""
    fd: tuple[int, int] | None = None
    if variant == "two":
        fd = os.pipe()
        if os.fork() == 0:
            os.close(fd[0])
            import marshal
            import threading

            import tiktoken

            from chunking import tokenizer as tk

            def _build() -> None:
                with open(ranks, "rb") as f:
                    parsed = marshal.load(f)
                tk._ENCODING.append(tiktoken.Encoding(name=tk.ENCODING_NAME, pat_str=tk._O200K_PAT,
                                                      mergeable_ranks=parsed, special_tokens=tk._SPECIAL))  # fmt: skip

            builder = threading.Thread(target=_build)
            builder.start()
            from chunking.structure import find_sections
            from pipeline.config import Settings
            from pipeline.ingest import ingest
            from pipeline.jobs.planning import TokenizingAhead, cut_segments

            settings = Settings()
            with open(doc, "rb") as f:
                ex = ingest(f.read(), name="doc.txt", limits=settings.limits)
            builder.join()
            ahead = TokenizingAhead(ex.text)  # tiktoken leaves the GIL: beside the section search
            seg = cut_segments(ex, find_sections(ex.text), settings, ahead=ahead)[1].segments[0]
            with os.fdopen(fd[1], "wb") as f:
                f.write(ex.text[seg.char_start : seg.char_end].encode())
            os._exit(0)
        os.close(fd[1])
    if variant == "warm":  # everything loaded first; the clock starts at the command
        import time

        import openai  # noqa: F401 - loaded before the clock starts, as in a long-lived process

        from chunking.tokenizer import encoding
        from pipeline.cli.main import main as longdoc

        encoding()
        # A first job on the offline rules model loads what a long-lived process has loaded (the
        # pipeline's modules, their compiled patterns); it sends no request.
        example = os.path.join(
            os.path.dirname(__file__), "..", "pipeline", "examples", "master-services-agreement.txt"
        )
        longdoc(["analyze", example, "--model", "rules", "--json", "--out", ranks + ".warm"])
        with open(ranks + ".t0", "w") as f:  # the clock's start, read by the parent
            f.write(repr(time.time()))
        longdoc(["analyze", doc, "--model", "kimi-k2-thinking", "--json", "--out", ranks + ".out"])
        return
    from pipeline.config import Settings

    settings = Settings()
    if variant == "one":
        from pipeline.ingest import ingest
        from pipeline.jobs.planning import plan_document

        with open(doc, "rb") as f:
            ex = ingest(f.read(), name="doc.txt", limits=settings.limits)
        seg = plan_document(ex, settings).plan.segments[0]
        text = ex.text[seg.char_start : seg.char_end]
    import openai

    client = openai.OpenAI(api_key="sk-bench", base_url=base)
    if fd is not None:
        with os.fdopen(fd[0], "rb") as f:
            text = f.read().decode()
    elif variant in ("sdk", "tok"):
        text = "hello"
        if variant == "tok":
            from chunking.tokenizer import encoding

            encoding()
    client.chat.completions.create(model="self-hosted", messages=[{"role": "user", "content": text}],
                                    max_completion_tokens=16)  # fmt: skip


if __name__ == "__main__" and sys.argv[1:2] == ["--variant"]:
    _variant(*sys.argv[2:6])
    raise SystemExit(0)

VARIANTS = {"sdk": "sdk only", "tok": "sdk + tokenizer", "one": "bare, one process", "two": "bare, two processes",
            "warm": "analyze, warm process"}  # fmt: skip


def variant_first_call(variant: str, doc: Path, ranks: Path) -> float:
    """Seconds from spawning a variant to the simulator's first request (a fresh simulator)."""
    import subprocess
    import tempfile
    import time
    from pathlib import Path

    from bench_first_call import ROOT, RUN_ENV, await_first_request, free_port, start_simulator

    port = free_port()
    simulator = start_simulator(port)
    base = f"http://127.0.0.1:{port}"
    store = tempfile.mkdtemp(dir=ranks.parent)
    env = {**RUN_ENV, "PYTHONPATH": str(ROOT), "LONGDOC_LLM_BASE_URL": base + "/v1", "LONGDOC_STORAGE_DIR": store,
           "MOONSHOT_API_KEY": "sk-bench", "OPENAI_API_KEY": "sk-bench"}  # fmt: skip
    t0_file = Path(str(ranks) + ".t0")
    t0_file.unlink(missing_ok=True)
    argv = [sys.executable, __file__, "--variant", variant, str(doc), base + "/v1", str(ranks)]
    try:
        t0 = time.time()
        proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        at, _cpu = await_first_request(proc, base, f"variant {variant}", 60)
        return at - (float(t0_file.read_text()) if variant == "warm" else t0)
    finally:
        simulator.kill()
        simulator.wait()


def main() -> int:
    # Imported here, not at the top: a measured variant (above) starts with no imports at all.
    import argparse
    import marshal
    import statistics
    import tempfile
    from pathlib import Path

    from bench_first_call import ROOT, compile_tree, document, first_call

    from chunking.tokenizer import _load_ranks

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--tokens", type=int, default=400_000)
    args = ap.parse_args()
    times: dict[str, list[float]] = {name: [] for name in [*VARIANTS.values(), "longdoc analyze"]}
    with tempfile.TemporaryDirectory(prefix="bench-first-call-floor-") as tmp:
        work = Path(tmp)
        doc = work / "contract-400k.txt"
        doc.write_text(document(args.tokens), encoding="utf-8")
        ranks = work / "o200k.marshal"  # the "pre-parsed cache" of the two-process variant
        ranks.write_bytes(marshal.dumps(_load_ranks()))
        compile_tree(ROOT)
        for _ in range(args.runs):
            for key, name in VARIANTS.items():
                times[name].append(variant_first_call(key, doc, ranks))
            times["longdoc analyze"].append(first_call(ROOT, doc, work)[0])
    print(f"time to a first request, {args.tokens:,}-token document, spawn → simulator's first request")
    print(f"(machine load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    for name, ts in times.items():
        print(f"  {name:<22} median {statistics.median(ts):.3f} s   runs {' '.join(f'{t:.3f}' for t in ts)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
