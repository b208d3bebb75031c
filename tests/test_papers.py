"""Papers (issue 18): structure, bibliography, citations and digest of the shared paper PDFs,
against hand-checked fixtures."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from pipeline.analyze.paper import PageAt, Paper, analyze_structure
from pipeline.config import Settings
from pipeline.ingest import ingest
from pipeline.types import ExtractedText
from tests.conftest import SHARED_DATA, needs_shared

FIXTURES = sorted((Path(__file__).parent / "fixtures" / "papers").glob("*.json"))
PDFS = SHARED_DATA / "papers" / "pdf"


@cache
def _extracted(name: str) -> ExtractedText:
    settings = Settings()
    return ingest((PDFS / name).read_bytes(), name=name, password=None, limits=settings.limits)


@cache
def _paper(name: str) -> Paper:
    e = _extracted(name)
    return analyze_structure(e.text, PageAt([p.start for p in e.pages]))


@needs_shared
@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: p.stem)
def test_structure_matches_the_hand_checked_fixture(fixture: Path) -> None:
    want = json.loads(fixture.read_text())
    paper = _paper(want["pdf"])
    assert paper.title == want["title"]
    assert paper.year == want["year"]
    assert len(paper.bibliography) == want["bibliography_entries"]
    assert len([s for s in paper.sections if not s.appendix]) == want["numbered_sections"]
    assert paper.abstract and paper.authors
    text = _extracted(want["pdf"]).text
    for s in paper.sections:  # each heading is cited where it is printed
        assert text[s.start :].startswith(s.number)
    assert sum(bool(b.year) for b in paper.bibliography) >= 0.9 * len(paper.bibliography)


def test_a_footnote_or_list_item_is_not_a_section() -> None:
    text = (
        "A Title Of Things\nAnn Author\nAbstract\nWe study x.\n1 Introduction\nText.\n"
        "1 A footnote that starts with a number\n2 Method\n2.1 Setup\n7 None\n3 Results\nReferences\n"
        "Ann Author. 2020. A paper. In Venue.\nBob Builder and Cy Cook. 2019a. Another. Journal.\n"
        "A Appendix Heading\nMore.\n"
    )
    paper = analyze_structure(text, PageAt([0]))
    assert [s.number for s in paper.sections] == ["1", "2", "2.1", "3", "A"]
    assert [(b.authors, b.year, b.title) for b in paper.bibliography] == [
        (["Ann Author"], "2020", "A paper"),
        (["Bob Builder", "Cy Cook"], "2019a", "Another"),
    ]


@needs_shared
def test_citations_resolve_to_bibliography_entries() -> None:
    from pipeline.analyze.citations import find_citations
    from pipeline.analyze.paper import find_bibliography_span

    resolved = total = 0
    for fixture in FIXTURES:
        name = json.loads(fixture.read_text())["pdf"]
        e, paper = _extracted(name), _paper(name)
        cites = find_citations(
            e.text,
            paper.bibliography,
            PageAt([p.start for p in e.pages]),
            skip=find_bibliography_span(e.text),
        )
        for c in cites:
            assert e.text[c.start : c.end] == c.text
        resolved += sum(c.target is not None for c in cites)
        total += len(cites)
    assert total > 300 and resolved >= 0.95 * total


def test_numeric_and_author_year_citations_link_to_their_entries() -> None:
    from pipeline.analyze.citations import find_citations

    text = "See [2], [1-3] and [4, 7].\nReferences\n[1] A. One. T. 2001.\n[2] B. Two. T. 2002.\n[3] C. Three. T. 2003.\n"
    paper = analyze_structure(text, PageAt([0]))
    cites = find_citations(text, paper.bibliography, PageAt([0]), skip=(text.index("[1] A"), len(text)))
    assert [(c.key, c.target) for c in cites] == [
        ("2", 2),
        ("1", 1),
        ("2", 2),
        ("3", 3),
        ("4", None),
        ("7", None),
    ]

    text = (
        "As Smith et al. (2020) and (Lee and Kim, 2019a; Ng, 1999) show, SQuALITY (2022) is hard.\nReferences\n"
        "John Smith, Ann Bo, and Cy Do. 2020. A title. In Venue.\nJo Lee and Al Kim. 2019a. Other. Journal.\n"
    )
    paper = analyze_structure(text, PageAt([0]))
    cites = find_citations(text, paper.bibliography, PageAt([0]), skip=(text.index("John"), len(text)))
    assert [(c.text, c.target) for c in cites] == [
        ("Smith et al. (2020)", 1), ("Lee and Kim, 2019a", 2), ("Ng, 1999", None),
    ]  # fmt: skip


@needs_shared
def test_digest_items_are_verified_quotes_and_results_carry_numbers() -> None:
    from pipeline.consolidate.merge import build_paper

    for fixture in FIXTURES:
        name = json.loads(fixture.read_text())["pdf"]
        e = _extracted(name)
        d = build_paper(e).digest
        items = [*d.contributions, *d.results, *d.datasets, *d.availability, *d.limitations, *d.central]
        assert all(e.text[i.start : i.end] == i.quote and i.page == e.page_at(i.start) for i in items)
        assert d.contributions and d.central
        # Every one of them, the position paper 2304.02623 too ("1 in 5 patients").
        assert any(r.value and r.value in r.quote for r in d.results), name


def test_digest_picks_claims_results_and_limitations() -> None:
    from pipeline.analyze.digest import build_digest

    text = (
        "A Study\nAnn Author\nAbstract\nWe propose Foo, a method for parsing tables.\n1 Introduction\n"
        "Tables are everywhere in documents and hard to parse well.\n2 Results\n"
        "Foo reaches an F1 of 91.2 on PubTabNet, better than BarNet by 3 points.\n"
        "A limitation is that Foo cannot read rotated tables yet.\nReferences\n"
    )
    paper = analyze_structure(text, PageAt([0]))
    d = build_digest(text, paper, PageAt([0]), bib_start=text.index("References"))
    assert [c.quote for c in d.contributions] == ["We propose Foo, a method for parsing tables."]
    r = d.results[0]
    assert (r.metric, r.value, r.dataset, r.compared, r.section) == (
        "F1",
        "91.2",
        "PubTabNet",
        "BarNet",
        "2 Results",
    )
    assert [x.quote for x in d.limitations] == ["A limitation is that Foo cannot read rotated tables yet."]


def test_a_rate_stated_as_a_ratio_is_a_result() -> None:
    from pipeline.analyze.digest import build_digest

    text = (
        "A Position\nAnn Author\nAbstract\nWe argue that notes need checking by their readers.\n"
        "1 Introduction\nPrior surveys (e.g. Bell et al. [3] report that 1 in 5 patients find a mistake).\n"
        "Table 2 in 4 sections lists the tasks we describe in this paper.\nReferences\n"
    )
    paper = analyze_structure(text, PageAt([0]))
    d = build_digest(text, paper, PageAt([0]), bib_start=text.index("References"))
    assert [(r.metric, r.value) for r in d.results] == [("share of patients", "1 in 5")]
    r = d.results[0]
    assert text[r.start : r.end] == r.quote and "1 in 5 patients" in r.quote


@needs_shared
def test_a_paper_report_shows_its_digest_first_and_a_contract_none(tmp_path: Path) -> None:
    from pipeline.cli.main import main

    assert main(["analyze", "--out", str(tmp_path), str(PDFS / "naacl06-shinyama.pdf")]) == 0
    md = (tmp_path / "naacl06-shinyama.report.md").read_text()
    assert "## Digest" in md and md.index("## Digest") < md.index("## Key terms")
    assert "Preemptive Information Extraction using Unrestricted Relation Discovery" in md
    report = json.loads((tmp_path / "naacl06-shinyama.report.json").read_text())
    assert report["paper"]["bibliography"] and report["paper"]["digest"]["results"]
    assert report["summary"]["dangling_references"] == 0
    example = Path(__file__).resolve().parents[1] / "pipeline" / "examples" / "master-services-agreement.txt"
    assert main(["analyze", "--out", str(tmp_path), str(example)]) == 0
    contract = json.loads((tmp_path / "master-services-agreement.report.json").read_text())
    assert contract["document"]["kind"] == "contract" and contract["paper"] is None
    assert "## Digest" not in (tmp_path / "master-services-agreement.report.md").read_text()


def test_footnotes_are_numbered_in_order_with_their_marks() -> None:
    from pipeline.analyze.paper import find_footnotes

    page1 = (
        "A Paper\nAnn Author\nAbstract\nWe study writing.1 It is common,2 and hard.\n1 Introduction\n"
        "Tools help a lot.\n1\nIn the remainder of this work, writing\nmeans prose.\n"
        "2https://example.org/tools\n"
    )
    page2 = "3\nTable 1: Scores.\nMore text with no mark at all.\n4The next note has no number 3 before it.\n"
    text = page1 + page2 + "References\n[1] A. Smith. 2019. A title. In ACL.\n"
    notes = find_footnotes(text, PageAt([0, len(page1)]), (text.index("References"), len(text)))
    assert [(n.number, n.text, n.page) for n in notes] == [
        (1, "In the remainder of this work, writing\nmeans prose.", 1),
        (2, "https://example.org/tools", 1),
    ]
    assert all(text[n.start : n.end] == n.text for n in notes)
    marks = [text[: n.marker + 1] for n in notes if n.marker is not None]
    assert len(marks) == 2 and marks[0].endswith("writing.1") and marks[1].endswith("common,2")


GROUND_TRUTH = SHARED_DATA / "papers" / "text_groundtruth"
# The master's thesis (arXiv 1707.09725, 134 pages): its chapters, read by hand from the text.
THESIS_CHAPTERS = [("1", "Introduction"), ("2", "Convolutional Neural Networks"), ("3", "Topology Learning"),
                   ("4", "Hierarchical Classification"), ("5", "Experimental Evaluation"),
                   ("6", "Conclusion and Outlook")]  # fmt: skip


@needs_shared
def test_the_ground_truth_texts_run_as_papers_and_the_thesis_yields_its_chapter_tree(tmp_path: Path) -> None:
    """Issue 18: the 14 ground-truth TXT papers run through the whole pipeline without error."""
    from pipeline.config import StorageConfig
    from pipeline.jobs.stages import StageContext
    from pipeline.jobs.store import JobStore
    from storage.local import LocalStore
    from workers.local import LocalExecutor

    files = sorted(GROUND_TRUTH.glob("*.txt"))
    assert len(files) == 14
    ctx = StageContext(settings=Settings(storage=StorageConfig(dir=tmp_path)), store=LocalStore(tmp_path))
    executor = LocalExecutor(ctx, workers=2)
    papers: dict[str, Paper] = {}
    try:
        for path in files:
            job = JobStore(ctx.store, "t").create(path.read_bytes(), path.name, ext="txt")
            record, report = executor.run("t", job.job_id)
            assert record.status == "succeeded" and report is not None, (path.name, record.error)
            assert report.document.kind == "paper" and report.paper is not None, path.name
            text = path.read_text(encoding="utf-8")
            for s in report.paper.sections:  # every heading is where it says it is
                assert text[s.start :].lstrip().startswith(s.number), (path.name, s)
            papers[path.stem] = report.paper
    finally:
        executor.close()
    thesis = papers["1707.09725"]
    chapters = [(s.number, s.title) for s in thesis.sections if s.level == 1]
    assert chapters == THESIS_CHAPTERS
    assert sum(s.level == 2 for s in thesis.sections) >= 20  # "2.1 Linear Image Filters" …
    assert all(any(c.number.startswith(n + ".") for c in thesis.sections) for n, _ in THESIS_CHAPTERS[1:5])
