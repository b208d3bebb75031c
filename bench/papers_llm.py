"""Papers (issue 18, item 4): the LLM digest of the six shared paper PDFs, through the simulator
(the real openai SDK over HTTP, ``--model auto``), with small segments so each paper is cut into
several and the per-segment digests are merged. Per paper: segments, items kept per list, items
folded as repeats across segments, items dropped (no verified quote), evidence verified at its
offsets, results with their number in the evidence.

    python bench/papers_llm.py [../shared/data/papers/pdf] [--fault-rate 0.2]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
from pathlib import Path

from pipeline.config import RoutingConfig, SegmentConfig, Settings, StorageConfig
from pipeline.ingest import ingest
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobOptions, JobStore
from pipeline.simulate.server import SimulatorConfig, running_simulator
from storage.local import LocalStore
from workers.local import LocalExecutor

ROOT = Path(__file__).resolve().parents[1]
# Segments of ~3-6K tokens: a 10-page paper makes 3-5 of them.
SEGMENTS = {"threshold_tokens": 6000, "min_tokens": 3000, "max_tokens": 6000}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder", nargs="?", default=str(ROOT.parent / "shared" / "data" / "papers" / "pdf"))
    ap.add_argument("--fault-rate", type=float, default=0.0, help="share of answers with an invented quote")
    args = ap.parse_args()
    for k in ("OPENAI_API_KEY", "MOONSHOT_API_KEY"):
        os.environ.setdefault(k, "sim")  # the simulator takes any key
    sim = SimulatorConfig(time_scale=0.0, fault_rate=args.fault_rate, fault_kinds=("invented_quote",))
    totals = {"kept": 0, "folded": 0, "dropped": 0, "evidence": 0, "verified": 0}
    with running_simulator(sim) as url, tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            storage=StorageConfig(dir=Path(tmp)),
            segment=SegmentConfig(**SEGMENTS),
            routing=RoutingConfig(llm_base_url=url, llm_backoff_base_s=0.01),
        )
        ctx = StageContext(settings=settings, store=LocalStore(Path(tmp)))
        executor = LocalExecutor(ctx, workers=2)
        for fixture in sorted((ROOT / "tests" / "fixtures" / "papers").glob("*.json")):
            name = json.loads(fixture.read_text())["pdf"]
            data = (Path(args.folder) / name).read_bytes()
            job = JobStore(ctx.store, "bench").create(data, name, JobOptions(model="auto"), ext="pdf")
            record, report = executor.run("bench", job.job_id)
            assert report is not None and report.paper is not None, record.error
            text = ingest(data, name=name, limits=settings.limits).text  # the text the job analyzed
            llm = report.paper.digest.llm
            if llm is None:
                print(f"{fixture.stem:22} no LLM digest ({record.status})")
                continue
            lists = {k: getattr(llm, k) for k in ("contributions", "methods", "datasets", "results",
                                                  "limitations", "open_questions")}  # fmt: skip
            items = [i for v in lists.values() for i in v]
            evidence = [e for i in items for e in i.evidence]
            verified = sum(text[e.start : e.end] == e.quote for e in evidence)
            numbered = sum(any(i.value and i.value in e.quote for e in i.evidence) for i in llm.results)
            folded = sum(len(i.evidence) > 1 for i in items)
            print(
                f"{fixture.stem:22} segments {len(report.segments)}  items "
                + " ".join(f"{k[:5]} {len(v)}" for k, v in lists.items())
                + f"  folded {folded}  dropped {llm.dropped}  evidence verified {verified}/{len(evidence)}"
                f"  results with their number {numbered}/{len(llm.results)}"
            )
            for k, v in (("kept", len(items)), ("folded", folded), ("dropped", llm.dropped),
                         ("evidence", len(evidence)), ("verified", verified)):  # fmt: skip
                totals[k] += v
    print("all: " + "  ".join(f"{k} {v}" for k, v in totals.items()))


if __name__ == "__main__":
    main()
