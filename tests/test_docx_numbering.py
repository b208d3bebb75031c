"""DOCX numbering labels equal LibreOffice's rendering, and no false dangling reference comes of them.

The reference labels are fixtures written by ``bench/docx_labels.py --write`` (LibreOffice,
headless); these tests read them and never need LibreOffice.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.analyze.references import find_references, resolve, target_keys
from pipeline.config import LimitsConfig, Settings, StorageConfig
from pipeline.ingest.docx import extract_docx, numbering_labels
from pipeline.jobs.stages import StageContext
from pipeline.jobs.store import JobStore
from pipeline.report.model import Report
from pipeline.types import Section
from storage.local import LocalStore
from tests.conftest import SHARED_DATA, needs_shared
from tests.test_ingest_docx import level, make_docx, numbering, para
from workers.local import LocalExecutor

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


def test_annex_in_roman_numerals_answers_to_arabic_references() -> None:
    sections = [Section(label="Annex I", title="Parties", kind="annex", level=1, start=0, end=10)]
    keys = target_keys(sections)
    for text in ("See Annex 1(B).", "See Annex I."):
        (ref,) = find_references(text)
        assert resolve(ref.target, keys) == 0, ref
    (other,) = find_references("See Annex 2.")
    assert resolve(other.target, keys) is None  # a different annex stays dangling


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


# ---- no false dangling reference: the reports of the legal DOCX

LEGAL = sorted((DOCX_DIR / "legal").glob("*.docx")) if DOCX_DIR.is_dir() else []
# Inspected one by one: each names a clause of another instrument, not of this document.
OUTSIDE = {
    "common-paper-data-processing-agreement.docx": {
        "section:13",  # Clause 13 of the EEA SCCs
        "section:17",  # Clause 17 of the EEA SCCs; Section 17A of the UK Data Protection Act
        "section:18(b)",  # Clause 18(b) of the EEA SCCs
        "section:19",  # Section 19 of the UK Addendum
        "section:8.5",  # Clause 8.5 of the EEA SCCs
        "article:28",  # Article 28(3) of the GDPR
        "article:4",  # Article 4 of the GDPR
        "article:9",  # Article 9 of the GDPR
    },
    "yc-safe-valuation-cap.docx": {
        "section:13(d)",  # Securities Exchange Act of 1934
        "section:14(d)",
        # Sections 304 … 1036 of the Internal Revenue Code ("1036" is read as 103)
        *(f"section:{n}" for n in (304, 305, 306, 354, 368, 103)),
    },
}


@pytest.fixture(scope="module")
def legal_reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Report]]:
    tmp = tmp_path_factory.mktemp("docx-refs")
    ctx = StageContext(settings=Settings(storage=StorageConfig(dir=tmp)), store=LocalStore(tmp))
    executor = LocalExecutor(ctx, workers=2)
    reports: dict[str, Report] = {}
    try:
        for path in LEGAL:
            job = JobStore(ctx.store, "t").create(path.read_bytes(), path.name, ext="docx")
            record, report = executor.run("t", job.job_id)
            assert record.status == "succeeded" and report is not None, record.error
            reports[path.name] = report
    finally:
        executor.close()
    yield reports


@needs_shared
@pytest.mark.parametrize("path", LEGAL, ids=lambda p: p.name)
def test_no_false_dangling_reference(path: Path, legal_reports: dict[str, Report]) -> None:
    report = legal_reports[path.name]
    dangling = {r.target for r in report.references if r.status == "dangling"}
    assert dangling == OUTSIDE.get(path.name, set())
    # and no dangling section reference names a clause number LibreOffice shows in this document
    shown = {re.sub(r"\.$", "", label) for label, _ in fixture_labels(path)}
    for target in dangling:
        kind, _, number = target.partition(":")
        assert kind != "section" or number.split("(")[0] not in shown, target
