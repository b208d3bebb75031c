"""Papers (issue 18): per shared paper PDF, structure against the hand-checked fixture (title,
year, bibliography entries, numbered sections), how many in-text citations resolve to a
bibliography entry (the unresolved ones listed), the offline digest (its result items and whether
every digest quote equals the text at its offsets), and the report's cross-references from the
whole pipeline (``rules`` model): how many, and the dangling ones listed with their page.

    python bench/papers_eval.py [../shared/data/papers/pdf]
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from pipeline.analyze.citations import find_citations
from pipeline.analyze.digest import build_digest
from pipeline.analyze.paper import PageAt, analyze_structure, find_bibliography_span
from pipeline.config import Settings, StorageConfig
from pipeline.ingest import ingest
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobStore
from pipeline.report.model import Report
from storage.local import LocalStore
from workers.local import LocalExecutor

ROOT = Path(__file__).resolve().parents[1]


def _reports(folder: Path, names: list[str]) -> dict[str, Report]:
    """Each PDF through ingest → plan → analyze → consolidate, as `longdoc analyze` runs it."""
    with tempfile.TemporaryDirectory() as root:
        ctx = StageContext(settings=Settings(storage=StorageConfig(dir=Path(root))), store=LocalStore(root))
        executor = LocalExecutor(ctx, workers=2)
        out: dict[str, Report] = {}
        try:
            for name in names:
                job = JobStore(ctx.store, "bench").create((folder / name).read_bytes(), name, ext="pdf")
                _, report = executor.run("bench", job.job_id)
                assert report is not None, name
                out[name] = report
        finally:
            executor.close()
    return out


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "papers" / "pdf"
    limits = Settings().limits
    total_res = total = dangling = 0
    fixtures = sorted((ROOT / "tests" / "fixtures" / "papers").glob("*.json"))
    reports = _reports(folder, [json.loads(f.read_text())["pdf"] for f in fixtures])
    for fixture in fixtures:
        want = json.loads(fixture.read_text())
        e = ingest((folder / want["pdf"]).read_bytes(), name=want["pdf"], limits=limits)
        page_at = PageAt([p.start for p in e.pages])
        paper = analyze_structure(e.text, page_at)
        bib = find_bibliography_span(e.text)
        cites = find_citations(e.text, paper.bibliography, page_at, skip=bib)
        res = sum(c.target is not None for c in cites)
        total_res, total = total_res + res, total + len(cites)
        numbered = len([s for s in paper.sections if not s.appendix])
        ok = (paper.title, paper.year, len(paper.bibliography), numbered) == (
            want["title"], want["year"], want["bibliography_entries"], want["numbered_sections"],
        )  # fmt: skip
        d = build_digest(e.text, paper, page_at, bib_start=bib[0] if bib else None)
        items = [*d.contributions, *d.results, *d.datasets, *d.availability, *d.limitations, *d.central]
        verified = sum(e.text[i.start : i.end] == i.quote for i in items)
        with_number = sum(bool(r.value and r.value in r.quote) for r in d.results)
        print(
            f"{fixture.stem:22} fixture {'ok' if ok else 'DIFFERS'}  year {paper.year or '-':4}  "
            f"bib {len(paper.bibliography):3}  sections {numbered:2}  citations resolved {res}/{len(cites)} "
            f"({res / max(1, len(cites)):.1%})  results with a number {with_number}  "
            f"digest quotes verified {verified}/{len(items)}"
        )
        for c in cites:
            if c.target is None:
                print(f"    unresolved p.{c.page}: {c.text!r} ({c.key})")
        refs = reports[want["pdf"]].references
        lost = [r for r in refs if r.status == "dangling"]
        dangling += len(lost)
        print(f"    cross-references {len(refs)}, dangling {len(lost)}")
        for r in lost:
            print(f"    dangling p.{r.page}: {r.label!r} ({r.kind})")
    print(
        f"all: citations resolved {total_res}/{total} ({total_res / max(1, total):.1%}); "
        f"dangling cross-references {dangling}"
    )


if __name__ == "__main__":
    main()
