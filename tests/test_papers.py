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
