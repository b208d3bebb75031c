"""DOCX numbering labels equal LibreOffice's rendering.

The reference labels are fixtures written by ``bench/docx_labels.py --write`` (LibreOffice,
headless); these tests read them and never need LibreOffice.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import LimitsConfig
from pipeline.ingest.docx import extract_docx, numbering_labels
from tests.conftest import SHARED_DATA, needs_shared
from tests.test_ingest_docx import level, make_docx, numbering, para

DOCX_DIR = SHARED_DATA / "docx"
FIXTURES = Path(__file__).parent / "fixtures" / "docx_labels"
DEFAULTS = LimitsConfig.model_validate({})
SHARED_DOCX = sorted(DOCX_DIR.rglob("*.docx")) if DOCX_DIR.is_dir() else []
SECTION_BREAK = '<w:sectPr><w:pgSz w:w="12240" w:h="15840"/></w:sectPr>'


def short(text: str) -> str:
    """As bench/docx_labels.py writes the fixture text: whitespace runs as one space, 40 characters."""
    return " ".join(text.split())[:40].rstrip()


def fixture_labels(path: Path) -> list[tuple[str, str]]:
    target = FIXTURES / path.relative_to(DOCX_DIR).with_suffix(".txt")
    lines = target.read_text(encoding="utf-8").splitlines()
    return [(label, text) for label, _, text in (line.partition("\t") for line in lines)]


def body_labels(body: str) -> list[tuple[str, str]]:
    xml = numbering({0: level(0, "decimal", "%1.") + level(1, "decimal", "%1.%2")}, {1: "0"})
    return numbering_labels(make_docx(body, parts={"numbering.xml": xml}), limits=DEFAULTS)


# ---- without shared data: the rules the fixtures showed


def test_empty_paragraph_carrying_a_section_break_is_not_a_list_item() -> None:
    # The Common Paper templates end their cover page with such a paragraph in a numbered heading
    # style; counting it shifted every clause by one ("2. Services" where the text cites Section 1).
    body = (
        para("", num=(1, 0), extra=SECTION_BREAK)
        + para("Services", num=(1, 0))
        + para("Providing Services.", num=(1, 1))
        + para("Term", num=(1, 0))
    )
    assert body_labels(body) == [("1.", "Services"), ("1.1", "Providing Services."), ("2.", "Term")]


def test_empty_numbered_paragraph_without_a_section_break_still_counts() -> None:
    # LibreOffice (and Word) show "1." on an empty list paragraph and count it.
    assert body_labels(para("", num=(1, 0)) + para("A", num=(1, 0))) == [("1.", ""), ("2.", "A")]
    # A section break with text in the paragraph is an ordinary item.
    body = para("Cover", num=(1, 0), extra=SECTION_BREAK) + para("A", num=(1, 0))
    assert body_labels(body) == [("1.", "Cover"), ("2.", "A")]


def test_numbering_labels_match_the_extracted_text() -> None:
    body = para("", num=(1, 0), extra=SECTION_BREAK) + para("Services", num=(1, 0))
    data = make_docx(body, parts={"numbering.xml": numbering({0: level(0, "decimal", "%1.")}, {1: "0"})})
    assert "1.\tServices" in extract_docx(data, limits=DEFAULTS).text


# ---- the shared DOCX against LibreOffice's labels


@needs_shared
def test_every_shared_docx_has_a_fixture() -> None:
    have = {p.relative_to(FIXTURES).with_suffix("") for p in FIXTURES.rglob("*.txt")}
    want = {p.relative_to(DOCX_DIR).with_suffix("") for p in SHARED_DOCX}
    assert want == have, "run bench/docx_labels.py --write"


@needs_shared
@pytest.mark.parametrize("path", SHARED_DOCX, ids=lambda p: p.name)
def test_labels_equal_libreoffice(path: Path) -> None:
    ours = [(label, short(text)) for label, text in numbering_labels(path.read_bytes(), limits=DEFAULTS)]
    assert ours == fixture_labels(path)
