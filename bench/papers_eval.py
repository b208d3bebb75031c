"""Papers (issue 18): per shared paper PDF, structure against the hand-checked fixture (title,
year, bibliography entries, numbered sections), how many in-text citations resolve to a
bibliography entry (the unresolved ones listed), and the offline digest: its result items and
whether every digest quote equals the text at its offsets.

    python bench/papers_eval.py [../shared/data/papers/pdf]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.analyze.citations import find_citations
from pipeline.analyze.digest import build_digest
from pipeline.analyze.paper import PageAt, analyze_structure, find_bibliography_span
from pipeline.config import Settings
from pipeline.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "data" / "papers" / "pdf"
    limits = Settings().limits
    total_res = total = 0
    for fixture in sorted((ROOT / "tests" / "fixtures" / "papers").glob("*.json")):
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
    print(f"all: citations resolved {total_res}/{total} ({total_res / max(1, total):.1%})")


if __name__ == "__main__":
    main()
